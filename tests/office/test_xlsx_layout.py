"""A text longer than a cell holds is cut visibly, with a note saying where the full text is."""
from __future__ import annotations

import io

import xlsxwriter
from openpyxl import load_workbook

from plandocs.office.xlsx_layout import CUT_NOTE, EXCEL_CELL_CHARACTERS, cut_note, write_text


def written(text: str, **note) -> str:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer)
    write_text(workbook.add_worksheet("s"), 0, 0, text, **note)
    workbook.close()
    return load_workbook(buffer)["s"]["A1"].value


def test_the_fill_in_workbook_points_to_its_source_attachment():
    cell = written("長" * 100_000)
    assert len(cell) == EXCEL_CELL_CHARACTERS and cell.endswith(CUT_NOTE) and "附表1" in CUT_NOTE


def test_collect_points_to_the_returns_cell():
    cell = written("長" * 40_000, note=cut_note("回報檔「a.xlsx」工作表「調查表」D12"))
    assert len(cell) == EXCEL_CELL_CHARACTERS
    assert cell.endswith("……（以下略，全文見回報檔「a.xlsx」工作表「調查表」D12）")
    assert cell.startswith("長" * 100)


def test_a_text_that_fits_is_written_whole():
    assert written("長" * EXCEL_CELL_CHARACTERS) == "長" * EXCEL_CELL_CHARACTERS
