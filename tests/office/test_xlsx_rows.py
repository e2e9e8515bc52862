"""A table's rows spliced in as XML read back exactly as the same rows written cell by cell with XlsxWriter."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import xlsxwriter

from plandocs.office.output import reproducible
from plandocs.office.xlsx_layout import EXCEL_CELL_CHARACTERS, fit_to_cell, utf16_units
from plandocs.office.xlsx_rows import TableRows, column_letters, splice_rows
from plandocs.office.text_cells import TEXT_ONLY_OPTIONS

ROWS = [
    ["中正第一分局", "簡化流程、縮短等候時間", 1001, 2.5, None, ""],
    ["  前後空白  ", "a & b < c > d \"e\"", 0, -3, True, False],
    ["_x0041_ 看似跳脫", "控制字元\x01\x1f在此", 10**17, 1e-7, "=1+1", "@SUM(A1)"],
    ["第一行\n第二行", "\t定位", 123456789012, 0.1, "\ufffe", "𠀋罕用字"],
]
CREATED = dt.datetime(2018, 4, 2)
HEIGHTS = [None, 45, 30.5, 409]


def _workbook(splice: bool) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True, **TEXT_ONLY_OPTIONS})
    workbook.set_properties({"created": CREATED})
    heading, wrap, plain = (workbook.add_format(p) for p in ({"bold": True}, {"text_wrap": True}, {"border": 1}))
    workbook.add_worksheet("前")
    sheet = workbook.add_worksheet("表")
    formats = [plain, wrap, plain, plain, wrap, plain]
    for column in range(len(formats)):
        sheet.write_string(0, column, f"欄{column}", heading)
    table = TableRows(2, 1, [f._get_xf_index() for f in formats])
    for number, (values, height) in enumerate(zip(ROWS, HEIGHTS), 1):
        if splice:
            table.add(values, height)
            continue
        if height is not None:
            sheet.set_row(number, height)
        for column, value in enumerate(values):
            if isinstance(value, str) and value:
                sheet.write_string(number, column, value, formats[column])
            elif isinstance(value, bool):
                sheet.write_boolean(number, column, value, formats[column])
            elif value is None or value == "":  # a formatted blank, as write_text writes it
                sheet.write_blank(number, column, None, formats[column])
            else:
                sheet.write_number(number, column, value, formats[column])
    workbook.add_worksheet("後").write_string(0, 0, "其後的工作表")
    workbook.close()
    return splice_rows(buffer.getvalue(), [table]) if splice else buffer.getvalue()


def _cells(data: bytes) -> dict:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    found = {}
    for sheet in workbook:
        found[sheet.title, "dimension"] = sheet.dimensions
        for row in sheet.iter_rows():
            for cell in row:
                found[sheet.title, cell.coordinate] = (cell.value, cell.data_type, cell.font.b, cell.alignment.wrap_text,
                                                       cell.border.left.style)
        for number, dimension in sheet.row_dimensions.items():
            found[sheet.title, "height", number] = dimension.height
    return found


def test_spliced_rows_read_back_as_xlsxwriter_writes_them():
    spliced, written = _cells(_workbook(splice=True)), _cells(_workbook(splice=False))
    assert spliced == written
    assert spliced["表", "dimension"] == "A1:F5"
    assert spliced["表", "A3"][0] == "  前後空白  " and spliced["表", "E3"][0:2] == (True, "b")
    assert spliced["表", "E4"][0:2] == ("=1+1", "s")  # a text like a formula stays text
    assert spliced["表", "height", 3] == 45 and spliced["表", "F5"][0] == "𠀋罕用字"
    assert spliced["後", "A1"][0] == "其後的工作表"


def test_a_spliced_workbook_keeps_fixed_times_so_it_is_already_reproducible():
    data = _workbook(splice=True)
    assert _workbook(splice=True) == data
    assert {info.date_time for info in zipfile.ZipFile(io.BytesIO(data)).infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert reproducible(data, CREATED) is data  # nothing to redo: a large workbook is not compressed twice


def test_text_shaped_as_rich_text_is_kept_as_typed():
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True})
    workbook.add_worksheet("表").write_string(0, 0, "欄")
    table = TableRows(1, 1, [0])
    table.add(["<r>不是格式</r>"], None)
    workbook.close()
    assert openpyxl.load_workbook(io.BytesIO(splice_rows(buffer.getvalue(), [table])))["表"]["A2"].value == "<r>不是格式</r>"


def test_column_letters_follow_excel():
    assert [column_letters(i) for i in (0, 25, 26, 51, 52, 701, 702, 16383)] == [
        "A", "Z", "AA", "AZ", "BA", "ZZ", "AAA", "XFD"]


def test_a_text_over_the_cell_limit_counts_utf16_units_and_ends_with_the_note():
    note = "……（以下略，全文見回報檔）"
    for text in ("長" * 40_000, "😀" * 20_000, "a😀" * 16_383 + "a"):
        fitted = fit_to_cell(text, note)
        assert utf16_units(fitted) <= EXCEL_CELL_CHARACTERS and fitted.endswith(note)
        assert text.startswith(fitted[:-len(note)]) and utf16_units(fitted) >= EXCEL_CELL_CHARACTERS - 1
    assert fit_to_cell("長" * EXCEL_CELL_CHARACTERS, note) == "長" * EXCEL_CELL_CHARACTERS
