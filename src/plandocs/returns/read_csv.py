"""Read a one-sheet .csv a unit exported (the 調查表 or the 辦理情形 sheet) into the WorkbookData collect checks.

A .csv has no sheet name, no identity and no title cells but what was exported: the sheet is recognised
by its headings, the unit by the file name. Excel on a Taiwanese Windows saves .csv in Big5 (cp950) unless
asked for UTF-8; both are read, the UTF-8 byte-order mark too.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from ..errors import Location
from ..office.workbook_data import CellData, SheetData, WorkbookData
from ..office.xlsx_reader import MAX_CELLS, MAX_FILE_BYTES, UnreadableWorkbook
from ..text import whole_number

CSV_SHEET = "CSV"  # the sheet's name in messages; its kind comes from its headings


def read_csv(path: Path, display_name: str) -> WorkbookData:
    where = Location(file=display_name)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise UnreadableWorkbook(f"檔案過大（{size / 1024 / 1024:.1f} MB），未讀取。", where)
    data = path.read_bytes()
    text = _decode(data)
    if text is None:
        raise UnreadableWorkbook("無法辨識此 .csv 檔的文字編碼（UTF-8 或 Big5），未讀取；請以 Excel 另存為 .xlsx 再試。", where)
    sheet = SheetData(CSV_SHEET)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # a field may be as long as the file: the size check above bounds it, not the csv module's 128 K default
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FILE_BYTES))
    rows = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for row, values in enumerate(rows, 1):
            for column, value in enumerate(values, 1):
                if not value.strip():
                    continue
                if len(sheet.cells) >= MAX_CELLS:
                    raise UnreadableWorkbook(f"儲存格超過 {MAX_CELLS:,} 個，不是填報表，未讀取。", where)
                number = whole_number(value) if value.strip().isdigit() else None  # case counts; 1.1.1 stays text
                sheet.cells[row, column] = CellData(row, column, number if number is not None else value)
    except csv.Error as error:
        raise UnreadableWorkbook(f"此 .csv 檔第 {rows.line_num} 行的格式無法解讀（{error}），未讀取；"
                                 "請以 Excel 另存為 .xlsx 再試。", where) from None
    return WorkbookData([sheet], {}, None, has_macros=False, partial=True)


def _decode(data: bytes) -> str | None:
    for encoding in ("utf-8-sig", "cp950", "utf-16"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None
