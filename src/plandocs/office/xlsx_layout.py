"""Laying text out in the workbooks plandocs writes with XlsxWriter: widths, row heights, print setup, text cells.

Shared by the units' fill-in workbooks and collect's consolidated workbook, so both print alike and both
write a user's text as text.
"""
from __future__ import annotations

import math

FONT = "標楷體"
HEADING_FILL = "#D9D9D9"
A4 = 9  # Excel's paper code
PAGE_FOOTER = "&C第 &P 頁，共 &N 頁"
BASE_FONT_SIZE = 12
# Row heights are set from the text: LibreOffice does not fit rows to wrapped text when it opens a file.
LINE_HEIGHT_FACTOR = 1.3  # a line's height in points per point of font size, for the Kai faces
ROW_PADDING = 4  # points
MAX_ROW_HEIGHT = 409  # Excel's limit, in points
EXCEL_CELL_CHARACTERS = 32_767  # UTF-16 units a cell holds; longer text is cut visibly, and check warns about it


def display_width(line: str) -> int:
    """Width of a line in column units: a Chinese character takes two, a digit or letter one.

    UTF-8 holds a CJK character in 3 bytes and ASCII in 1, so (bytes + characters) / 2 is the width; this is
    fast enough for the hundreds of thousands of cells of a consolidated workbook.
    """
    return (len(line.encode()) + len(line)) // 2


def text_lines(text: str, width: float, font_size: float = BASE_FONT_SIZE) -> int:
    """Lines a wrapped text takes in a column `width` units wide (a unit: one digit of the default font, half
    a Chinese character); Chinese characters wrap anywhere, so the count is by width."""
    capacity = max(width * BASE_FONT_SIZE / font_size - 1, 1)  # minus the cell's inner margins
    return sum(max(1, math.ceil(display_width(line) / capacity)) for line in text.split("\n"))


def row_height(cells: list[tuple[str, float, float]]) -> float:
    """The height in points that shows every (text, column width, font size) of a row in full, within Excel's limit."""
    needed = max(text_lines(text, width, size) * size * LINE_HEIGHT_FACTOR for text, width, size in cells) + ROW_PADDING
    return min(needed, MAX_ROW_HEIGHT)


CUT_NOTE = "……（以下略，全文見附表1）"  # the fill-in workbook's: its long texts come from the master's 附表1


def cut_note(where: str) -> str:
    """The note closing a cut cell, naming where the full text is, e.g. 回報檔「a.xlsx」工作表「調查表」D12."""
    return f"……（以下略，全文見{where}）"


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def fit_to_cell(text: str, note: str) -> str:
    """`text` as a cell can hold it: a longer text is cut and ends with `note`, which says where the rest is.

    Excel counts UTF-16 units, so a character outside the Basic Multilingual Plane (an emoji, a rare 漢字 of
    plane 2) counts two; XlsxWriter refuses, and leaves out, a string over the limit.
    """
    if len(text) * 2 <= EXCEL_CELL_CHARACTERS or utf16_units(text) <= EXCEL_CELL_CHARACTERS:
        return text
    units = text.encode("utf-16-le", "surrogatepass")[:(EXCEL_CELL_CHARACTERS - utf16_units(note)) * 2]
    if 0xD800 <= int.from_bytes(units[-2:], "little") <= 0xDBFF:
        units = units[:-2]  # the first half of a character the cut falls in
    return units.decode("utf-16-le", "surrogatepass") + note


def write_text(sheet, row: int, column: int, text: str, cell_format=None, note: str = CUT_NOTE) -> None:
    """Write text as text, never as a formula, and never cut silently at Excel's limit: a longer text ends
    with `note`, which says where the full text is.

    XlsxWriter stores a string shaped '<r>…</r>' raw, as rich-text XML; such a text is written as three plain
    runs instead (XlsxWriter wants more than two), which Excel shows, and openpyxl reads, as the original.
    """
    text = fit_to_cell(text, note)
    if text.startswith("<r>") and text.endswith("</r>"):
        sheet.write_rich_string(row, column, text[:1], text[1:2], text[2:], *([cell_format] if cell_format else []))
    elif text:
        sheet.write_string(row, column, text, cell_format)
    else:
        sheet.write_blank(row, column, None, cell_format)
