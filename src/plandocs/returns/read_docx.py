"""Read a returned Word 附表2 (.docx, or an .odt/.doc converted to one) into the WorkbookData collect checks.

The department sends every unit the Word form the issued plan attaches, so a Word return is the normal
case. Each table becomes a sheet (表格1, 表格2 …) whose rows and columns are the table's: row 1 is the
table's first row, column A its first column; a cell spanning columns or continuing a vertical merge
becomes a merged range, as in a workbook. The paragraphs before the first table are the form's titles
(they name the unit); any other text outside the tables is kept on a sheet of its own, so that nothing a
unit typed is lost. word/document.xml is parsed with defusedxml, after the same zip checks as a workbook.
"""
from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path
from xml.etree.ElementTree import Element

from ..errors import Location
from ..office.formats import CFB_SIGNATURE, ZIP_SIGNATURE
from ..office.workbook_data import CellData, SheetData, WorkbookData
from ..office.xlsx_reader import (
    ENCRYPTED_STREAM, MAX_CELLS, MAX_FILE_BYTES, UnreadableWorkbook, check_archive, package_properties,
)

OUTSIDE_TABLES_SHEET = "表格外文字"
_DOCUMENT_PART = "word/document.xml"
# The document is parsed whole (a form's tables need their merges), so its expanded size is bounded instead: the
# blank 附表2 is 13 KB and a form filled with long texts a few hundred; 10 MB of text is no form, while 95 MB of
# empty paragraphs took over a minute and 1.4 GB to parse.
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


def table_sheet_name(number: int) -> str:
    return f"表格{number}"


def read_docx(path: Path, display_name: str) -> WorkbookData:
    size = path.stat().st_size
    where = Location(file=display_name)
    if size > MAX_FILE_BYTES:
        raise UnreadableWorkbook(
            f"檔案過大（{size / 1024 / 1024:.1f} MB，上限 {MAX_FILE_BYTES // 1024 // 1024} MB），未讀取；"
            "請刪除貼上的圖片後再試。", where)
    return read_docx_bytes(path.read_bytes(), display_name)


def read_docx_bytes(data: bytes, display_name: str) -> WorkbookData:
    where = Location(file=display_name)
    if data.startswith(CFB_SIGNATURE):
        if ENCRYPTED_STREAM in data:
            raise UnreadableWorkbook("檔案設有開啟密碼（已加密），無法讀取；請移除密碼後另存為 .docx 再試。", where)
        raise UnreadableWorkbook("這是舊版 Word 97-2003（.doc）格式，副檔名卻是 .docx；請以 Word 另存為 .docx 再試。", where)
    if not data.startswith(ZIP_SIGNATURE):
        raise UnreadableWorkbook("這不是 Word 文件（.docx），無法讀取。", where)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        check_archive(archive, where)
        if _DOCUMENT_PART not in archive.namelist():
            raise UnreadableWorkbook("這不是 Word 文件（缺少文件內容），無法讀取。", where)
        expanded = archive.getinfo(_DOCUMENT_PART).file_size  # zipfile reads no more than this
        if expanded > MAX_DOCUMENT_BYTES:
            raise UnreadableWorkbook(
                f"文件內容展開後過大（{expanded / 1024 / 1024:.0f} MB，上限 {MAX_DOCUMENT_BYTES // 1024 // 1024} MB），"
                "不是填報表，未讀取；請該單位以寄發的填報表重新填寫。", where)
        from defusedxml.ElementTree import parse

        with archive.open(_DOCUMENT_PART) as stream:
            root = parse(stream, forbid_dtd=True).getroot()
        properties, modified = package_properties(archive, where)
    except UnreadableWorkbook:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, KeyError, IndexError, ValueError, EOFError,
            NotImplementedError, RuntimeError, OSError) as error:
        raise UnreadableWorkbook("檔案已損毀或格式不正確，無法讀取；請以 Word 開啟確認後另存為 .docx 再試。", where) from error
    except SyntaxError as error:
        raise UnreadableWorkbook("檔案內容（XML）已損毀，無法讀取；請以 Word 開啟確認後另存為 .docx 再試。", where) from error
    sheets, titles = _Document(where).read(root)
    return WorkbookData(sheets, properties, modified, has_macros=any(
        n.lower().endswith("vbaproject.bin") for n in archive.namelist()), titles=titles, word_form=True, partial=True)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _attribute(element: Element, name: str) -> str | None:
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return None


def _child(element: Element, name: str) -> Element | None:
    return next((c for c in element if _local(c.tag) == name), None)


def _text(element: Element) -> str:
    """The text a reader sees: runs, tabs and breaks; deleted tracked changes and field codes left out."""
    parts: list[str] = []
    for node in element.iter():
        tag = _local(node.tag)
        if tag == "t" and node.text:
            parts.append(node.text)
        elif tag == "tab":
            parts.append("\t")
        elif tag in ("br", "cr"):
            parts.append("\n")
    return "".join(parts)


def _paragraphs(element: Element) -> list[str]:
    """The paragraphs of a cell or of the body, each with its text (a nested table's cells are paragraphs too)."""
    return [_text(p) for p in element.iter() if _local(p.tag) == "p"]


class _Document:
    def __init__(self, where: Location):
        self.where = where
        self.cells = 0

    def read(self, root: Element) -> tuple[list[SheetData], list[str]]:
        body = _child(root, "body")
        tables: list[SheetData] = []
        titles: list[str] = []
        outside = SheetData(OUTSIDE_TABLES_SHEET)
        for element in body if body is not None else []:
            tag = _local(element.tag)
            if tag == "tbl":
                tables.append(self._table(element, table_sheet_name(len(tables) + 1)))
            elif tag in ("p", "sdt"):
                for text in (_text(p) for p in element.iter() if _local(p.tag) == "p"):
                    if not text.strip():
                        continue
                    if not tables:
                        titles.append(text)  # the form's heading: 附表2 and the title naming the unit
                    self._add(outside, len(outside.cells) + 1, 1, text)  # the form's own text is told apart later
        return tables + ([outside] if outside.cells else []), titles

    def _add(self, sheet: SheetData, row: int, column: int, text: str) -> None:
        self.cells += 1
        if self.cells > MAX_CELLS:
            raise UnreadableWorkbook(f"表格儲存格超過 {MAX_CELLS:,} 個，不是填報表，未讀取。", self.where)
        sheet.cells[row, column] = CellData(row, column, text)

    def _table(self, table: Element, name: str) -> SheetData:
        """The table as a grid: gridSpan widens a cell, vMerge="continue" extends the cell above."""
        sheet = SheetData(name)
        open_merges: dict[int, list[int]] = {}  # column → [first row, last row, last column] of a vertical merge
        rows = [r for r in table if _local(r.tag) == "tr"]
        for number, row in enumerate(rows, 1):
            column = 1
            continued: set[int] = set()
            for cell in _row_cells(row):
                properties = _child(cell, "tcPr")
                span = 1
                merge = None
                if properties is not None:
                    grid_span = _child(properties, "gridSpan")
                    if grid_span is not None:
                        try:
                            span = max(1, int(_attribute(grid_span, "val") or "1"))
                        except ValueError:
                            span = 1
                    vertical = _child(properties, "vMerge")
                    if vertical is not None:
                        merge = _attribute(vertical, "val") or "continue"
                if merge == "continue" and column in open_merges:
                    open_merges[column][1] = number
                    continued.add(column)
                else:
                    text = "\n".join(_paragraphs(cell)).strip("\n")
                    if text.strip():
                        self._add(sheet, number, column, text)
                    if column in open_merges:  # a new merge, or a plain cell, ends the one above
                        self._close(sheet, column, open_merges.pop(column))
                    if merge == "restart":
                        open_merges[column] = [number, number, column + span - 1]
                    elif span > 1:
                        sheet.merged.append((number, column, number, column + span - 1))
                column += span
            for start in [c for c in open_merges if c not in continued and open_merges[c][0] != number]:
                self._close(sheet, start, open_merges.pop(start))  # the row has no cell at that column
        for start, merge in open_merges.items():
            self._close(sheet, start, merge)
        return sheet

    @staticmethod
    def _close(sheet: SheetData, column: int, merge: list[int]) -> None:
        first, last, right = merge
        if last > first or right > column:
            sheet.merged.append((first, column, last, right))


def _row_cells(row: Element) -> list[Element]:
    """The cells of a row, including those wrapped in a content control (w:sdt), as some templates write them."""
    cells = []
    for child in row:
        tag = _local(child.tag)
        if tag == "tc":
            cells.append(child)
        elif tag == "sdt":
            content = _child(child, "sdtContent")
            cells += [c for c in content if _local(c.tag) == "tc"] if content is not None else []
    return cells
