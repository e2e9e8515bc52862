"""An .ods is read as Calc shows it: every paragraph, space, tab and line break of a cell kept, annotations
left out, each value type as its value, and an error result reported as an error, not as an empty cell."""
from __future__ import annotations

import datetime as dt

import pytest

from helpers.ods import ods_bytes
from plandocs.office.spreadsheet_reader import read_spreadsheet
from plandocs.office.xlsx_reader import MAX_CELLS, UnreadableWorkbook


def _read(tmp_path, rows: str, name: str = "填報.ods"):
    path = tmp_path / name
    path.write_bytes(ods_bytes(rows))
    (sheet,) = read_spreadsheet(path, name).sheets
    assert sheet.name == "調查表"
    return sheet


def _row(*cells: str) -> str:
    return f"<table:table-row>{''.join(cells)}</table:table-row>"


def _text(inner: str, attrs: str = 'office:value-type="string"') -> str:
    return f"<table:table-cell {attrs}>{inner}</table:table-cell>"


def test_paragraphs_become_lines_and_spaces_tabs_and_breaks_are_kept(tmp_path):
    sheet = _read(tmp_path, _row(
        _text("<text:p>第一行</text:p><text:p>第二行</text:p>"),
        _text('<text:p>甲<text:s text:c="3"/>乙<text:s/>丙</text:p>'),
        _text("<text:p>前<text:tab/>後<text:line-break/>下一行</text:p>"),
    ))
    assert sheet.value(1, 1) == "第一行\n第二行"
    assert sheet.value(1, 2) == "甲   乙 丙"
    assert sheet.value(1, 3) == "前\t後\n下一行"


def test_spans_and_hyperlinks_keep_their_text_and_annotations_are_not_part_of_the_value(tmp_path):
    sheet = _read(tmp_path, _row(
        _text('<office:annotation><dc:creator>王</dc:creator><text:p>請補資料</text:p></office:annotation>'
              '<text:p>見<text:a xlink:href="https://example.org">網站</text:a>與<text:span>附件</text:span></text:p>'),
    ))
    assert sheet.value(1, 1) == "見網站與附件"


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    sheet = _read(tmp_path, _row(_text("<text:p>=1+1</text:p>"), _text("<text:p>+886 2 2345</text:p>"),
                                 _text("<text:p>-5 件</text:p>"), _text("<text:p>@承辦人</text:p>")))
    assert [sheet.value(1, c) for c in range(1, 5)] == ["=1+1", "+886 2 2345", "-5 件", "@承辦人"]


def test_each_value_type_is_its_value_not_its_display(tmp_path):
    sheet = _read(tmp_path, _row(
        _text("<text:p>12</text:p>", 'office:value-type="float" office:value="12"'),
        _text("<text:p>2.50</text:p>", 'office:value-type="float" office:value="2.5"'),
        _text("<text:p>85%</text:p>", 'office:value-type="percentage" office:value="0.85"'),
        _text("<text:p>NT$300</text:p>", 'office:value-type="currency" office:currency="TWD" office:value="300"'),
        _text("<text:p>107/03/05</text:p>", 'office:value-type="date" office:date-value="2018-03-05"'),
        _text("<text:p>14:30</text:p>", 'office:value-type="time" office:time-value="PT14H30M00S"'),
        _text("<text:p>TRUE</text:p>", 'office:value-type="boolean" office:boolean-value="true"'),
        _text("<text:p>FALSE</text:p>", 'office:value-type="boolean" office:boolean-value="false"'),
    ))
    assert [sheet.value(1, c) for c in range(1, 9)] == [
        12, 2.5, 0.85, 300, dt.datetime(2018, 3, 5), "14:30:00", True, False]
    assert isinstance(sheet.value(1, 1), int)


@pytest.mark.parametrize("shown", ["#DIV/0!", "Err:502", "#N/A", "#VALUE!"])
def test_an_error_result_is_an_error_not_an_empty_cell(tmp_path, shown):
    sheet = _read(tmp_path, _row(
        _text(f"<text:p>{shown}</text:p>",
              'table:formula="of:=1/0" office:value-type="float" office:value="0" calcext:value-type="error"'),
        _text(f"<text:p>{shown}</text:p>", 'table:formula="of:=[.A1]" office:value-type="string"'),
    ))
    for column in (1, 2):
        cell = sheet.cells[1, column]
        assert (cell.value, cell.error) == (None, shown)


def test_typed_text_that_reads_like_an_error_is_kept_as_text(tmp_path):
    sheet = _read(tmp_path, _row(_text("<text:p>#N/A</text:p>")))
    assert (sheet.cells[1, 1].value, sheet.cells[1, 1].error) == ("#N/A", None)


def test_repeats_fill_every_cell_they_stand_for_and_covered_cells_keep_their_place(tmp_path):
    sheet = _read(tmp_path,
                  '<table:table-row table:number-rows-repeated="2">'
                  '<table:table-cell table:number-columns-repeated="2"/>'
                  + _text("<text:p>同</text:p>", 'table:number-columns-repeated="2" office:value-type="string"')
                  + "</table:table-row>"
                  + _row(_text("<text:p>合併</text:p>",
                               'table:number-columns-spanned="2" table:number-rows-spanned="1" office:value-type="string"'),
                         "<table:covered-table-cell/>", _text("<text:p>右</text:p>")))
    assert sorted((r, c, cell.value) for (r, c), cell in sheet.cells.items()) == [
        (1, 3, "同"), (1, 4, "同"), (2, 3, "同"), (2, 4, "同"), (3, 1, "合併"), (3, 3, "右")]
    assert sheet.merged == [(3, 1, 3, 2)]


def test_repeats_beyond_the_cell_limit_are_refused_with_the_file_named(tmp_path):
    rows = (f'<table:table-row table:number-rows-repeated="{MAX_CELLS // 10 + 1}">'
            + _text("<text:p>x</text:p>", 'table:number-columns-repeated="10" office:value-type="string"')
            + "</table:table-row>")
    with pytest.raises(UnreadableWorkbook) as raised:
        _read(tmp_path, rows, "過多.ods")
    assert raised.value.location.file == "過多.ods"
    assert "儲存格" in raised.value.message
