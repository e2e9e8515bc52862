"""A spreadsheet of another kind costs what it holds: calamine is never handed a sheet it would lay out in gigabytes."""
from __future__ import annotations


import pytest

from helpers.ods import ods_bytes
from plandocs.office.spreadsheet_reader import MAX_DENSE_CELLS, read_spreadsheet, sheets_as_json, sheets_from_json
from plandocs.office.workbook_data import CellData, SheetData
from plandocs.office.xlsx_reader import UnreadableWorkbook

def _cell(text: str, repeat: int = 1) -> str:
    return (f'<table:table-cell table:number-columns-repeated="{repeat}" office:value-type="string">'
            f"<text:p>{text}</text:p></table:table-cell>")


def test_an_ods_whose_repeated_cells_span_a_whole_sheet_is_refused_before_it_is_laid_out(tmp_path):
    path = tmp_path / "整張.ods"
    path.write_bytes(ods_bytes(f'<table:table-row table:number-rows-repeated="1000000">{_cell("x", 16000)}</table:table-row>'))
    with pytest.raises(UnreadableWorkbook, match=f"超過 {MAX_DENSE_CELLS:,} 格") as raised:
        read_spreadsheet(path, "整張.ods")
    assert raised.value.location.file == "整張.ods"


def test_empty_rows_repeated_to_the_end_as_calc_saves_them_cost_nothing(tmp_path):
    path = tmp_path / "正常.ods"
    empty = '<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="1024"/>'
    path.write_bytes(ods_bytes(f"<table:table-row>{_cell('構面名稱')}{_cell('項目')}</table:table-row>{empty}</table:table-row>"))
    (sheet,) = read_spreadsheet(path, "正常.ods").sheets
    assert {(c.row, c.column): c.value for c in sheet.cells.values()} == {(1, 1): "構面名稱", (1, 2): "項目"}


def test_what_a_child_process_read_comes_back_whole():
    import datetime as dt

    sheet = SheetData("調查表", merged=[(1, 1, 2, 1)])
    for cell in (CellData(1, 1, "文字"), CellData(2, 3, 1200), CellData(3, 2, dt.datetime(2018, 6, 25)),
                 CellData(4, 4, None, error="#REF!")):
        sheet.cells[cell.row, cell.column] = cell
    (back,) = sheets_from_json(sheets_as_json([sheet]))
    assert back.name == "調查表" and back.merged == [(1, 1, 2, 1)] and back.cells == sheet.cells


def test_a_reference_longer_than_any_cell_s_is_read_but_not_kept():
    """A hostile file's references may be megabytes long: only those as short as XFD1048576 are kept."""
    from plandocs.office import xlsx_reader

    xlsx_reader._coordinates.cache_clear()
    assert xlsx_reader._coordinates("XFD1048576") == (1048576, 16384)
    assert xlsx_reader._coordinates("000123" + "x" * 90_000) is None
    assert xlsx_reader._coordinates("A" + "1" * 20) == (int("1" * 20), 1)
    assert xlsx_reader._coordinates.cache_info().currsize == 1
