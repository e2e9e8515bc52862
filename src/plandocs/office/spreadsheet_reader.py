"""Read the other spreadsheet kinds units send back (.ods, .xls, .xlsb) into the same WorkbookData as an .xlsx.

python-calamine (a Rust reader) parses the cells: it never runs macros and needs no office suite. The
same guards as for an .xlsx come first (file size, zip limits for .ods, encryption), and the identity the
form carries is read where each kind keeps it: the hidden sheet in every kind, and for an .ods also the
custom properties of meta.xml. What calamine does not give (formulas, an .xls's custom properties) is not
needed to read a return: the values are the results the office suite saved.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import math
import zipfile
from pathlib import Path
from xml.sax.handler import ContentHandler

from ..errors import Location
from .formats import CFB_SIGNATURE, ZIP_SIGNATURE
from .workbook_data import CellData, SheetData, WorkbookData, saved_time
from .xlsx_reader import (
    ENCRYPTED_STREAM, MAX_CELLS, MAX_FILE_BYTES, MAX_MERGED_RANGES, UnreadableWorkbook, check_archive,
    read_workbook_bytes, too_many_merges,
)

# calamine lays each sheet out densely, about 32 bytes a cell, from its first cell to its last: a sheet whose
# cells span more than this is read by a reader that costs what the file holds, or not at all (a hostile file
# with one cell at A1 and one at XFD1048576 would ask calamine for 17 billion cells and abort the process).
MAX_DENSE_CELLS = 2_000_000
def _check_size(path: Path, where: Location) -> None:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise UnreadableWorkbook(
            f"檔案過大（{size / 1024 / 1024:.1f} MB，上限 {MAX_FILE_BYTES // 1024 // 1024} MB），未讀取；"
            "請刪除貼上的圖片或多餘的工作表後再試。", where)


def read_spreadsheet(path: Path, display_name: str) -> WorkbookData:
    """Check and read an .ods, .xls or .xlsb; anything that makes it unusable is an UnreadableWorkbook naming it."""
    where = Location(file=display_name)
    _check_size(path, where)
    data = path.read_bytes()
    properties: dict[str, str] = {}
    modified = None
    if data.startswith(CFB_SIGNATURE):
        if ENCRYPTED_STREAM in data:
            raise UnreadableWorkbook("檔案設有開啟密碼（已加密），無法讀取；請移除密碼後另存新檔再試。", where)
    elif data.startswith(ZIP_SIGNATURE):
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            check_archive(archive, where)
            if "xl/workbook.xml" in archive.namelist():  # an .xlsx saved under another name
                return read_workbook_bytes(data, display_name)
            if "meta.xml" in archive.namelist():
                properties, modified = _odf_meta(archive.read("meta.xml"))
            if "content.xml" in archive.namelist():
                _check_ods_extent(archive.read("content.xml"), where)
        except UnreadableWorkbook:
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, KeyError, OSError, EOFError) as error:
            raise UnreadableWorkbook("檔案已損毀或格式不正確，無法讀取；請以 Excel 開啟確認後另存為 .xlsx 再試。", where) from error
        except SyntaxError as error:
            raise UnreadableWorkbook("檔案內容（XML）已損毀，無法讀取；請以 Excel 開啟確認後另存為 .xlsx 再試。", where) from error
    else:
        raise UnreadableWorkbook("這不是試算表檔案（副檔名與內容不符），無法讀取。", where)
    try:
        sheets = _sheets(data, where) if data.startswith(ZIP_SIGNATURE) else _sheets_apart(data, where)
    except UnreadableWorkbook:
        raise
    except Exception as error:  # noqa: BLE001 - calamine reports every kind of damage with its own exception types
        if type(error).__name__ == "PasswordError":
            raise UnreadableWorkbook("檔案設有開啟密碼（已加密），無法讀取；請移除密碼後另存新檔再試。", where) from error
        raise UnreadableWorkbook("檔案已損毀或格式不正確，無法讀取；請以 Excel 開啟確認後另存為 .xlsx 再試。", where) from error
    return WorkbookData(sheets, properties, modified, has_macros=False)


def _check_ods_extent(content: bytes, where: Location) -> None:
    """Refuse an .ods whose filled cells span more than MAX_DENSE_CELLS on a sheet, counting repeated rows and
    columns as calamine expands them, before calamine is given it."""
    from defusedxml.expatreader import DefusedExpatParser

    extent = _OdsExtent()
    parser = DefusedExpatParser(forbid_dtd=True)
    parser.setContentHandler(extent)
    try:
        parser.parse(io.BytesIO(content))
    except _TooWide:
        raise UnreadableWorkbook(f"工作表的儲存格範圍超過 {MAX_DENSE_CELLS:,} 格，不是填報表，未讀取。", where) from None


class _TooWide(Exception):
    pass


class _OdsExtent(ContentHandler):
    """Follows rows and cells of content.xml with their repeats; stops as soon as a sheet's filled cells span
    too much."""

    def __init__(self):
        super().__init__()
        self.row = self.column = 0
        self.row_repeat = self.cell_repeat = 1
        self.cell_start = 0
        self.filled = False
        self.last_row = self.last_column = 0

    def startElement(self, name, attrs):
        local = name.rpartition(":")[2]
        if local == "table":
            self.row = self.last_row = self.last_column = 0
        elif local == "table-row":
            self.row_repeat = _repeat(attrs, "table:number-rows-repeated")
            self.column = 0
        elif local in ("table-cell", "covered-table-cell"):
            self.cell_repeat = _repeat(attrs, "table:number-columns-repeated")
            self.cell_start = self.column
            self.column += self.cell_repeat
            self.filled = "office:value-type" in attrs

    def characters(self, content):
        if content.strip():
            self.filled = True

    def endElement(self, name):
        local = name.rpartition(":")[2]
        if local in ("table-cell", "covered-table-cell") and self.filled:
            self.filled = False
            self.last_row = max(self.last_row, self.row + self.row_repeat)
            self.last_column = max(self.last_column, self.cell_start + self.cell_repeat)
            if self.last_row * self.last_column > MAX_DENSE_CELLS:
                raise _TooWide
        elif local == "table-row":
            self.row += self.row_repeat


def _repeat(attrs, name: str) -> int:
    try:
        return max(1, int(attrs.get(name, "1")))
    except ValueError:
        return 1


# Read in a process of its own: an .xls or .xlsb cannot be measured before calamine lays it out, and calamine
# aborts the whole process when it cannot allocate. The child's death costs only this file. It answers in JSON,
# not pickle: what it read comes from a unit's file.
_READ_APART = """
import json, sys
try:
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]), int(sys.argv[1])))
except (ImportError, ValueError, OSError):
    pass
from plandocs.errors import Location
from plandocs.office.spreadsheet_reader import sheets_as_json, _sheets
from plandocs.office.xlsx_reader import UnreadableWorkbook
try:
    sheets = _sheets(sys.stdin.buffer.read(), Location())
except UnreadableWorkbook as error:
    sys.stderr.write(error.message)
    sys.exit(3)
sys.stdout.write(sheets_as_json(sheets))
"""
_APART_MEMORY = 1024 * 1024 * 1024
_APART_SECONDS = 60
_REFUSED = 3  # the child's exit code when the file itself is refused, its message on standard error


def _sheets_apart(data: bytes, where: Location) -> list[SheetData]:
    """`_sheets` in a child process with a memory cap and a time limit; a failure there is a located problem."""
    import subprocess
    import sys

    try:
        done = subprocess.run([sys.executable, "-c", _READ_APART, str(_APART_MEMORY)], input=data,
                              capture_output=True, timeout=_APART_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise UnreadableWorkbook(f"讀取此檔超過 {_APART_SECONDS} 秒，已停止；請以 Excel 開啟確認後另存為 .xlsx 再試。",
                                 where) from None
    if done.returncode == _REFUSED:
        raise UnreadableWorkbook(done.stderr.decode("utf-8", "replace"), where)
    if done.returncode != 0:
        raise UnreadableWorkbook("此檔無法讀取（可能已損毀、設有密碼，或儲存格範圍過大）；"
                                 "請以 Excel 開啟確認後另存為 .xlsx 再試。", where)
    return sheets_from_json(done.stdout.decode("utf-8"))


def sheets_as_json(sheets: list[SheetData]) -> str:
    return json.dumps([{"name": sheet.name, "merged": sheet.merged,
                        "cells": [[c.row, c.column, c.value.isoformat() if isinstance(c.value, dt.datetime) else c.value,
                                   isinstance(c.value, dt.datetime), c.error] for c in sheet.cells.values()]}
                       for sheet in sheets], ensure_ascii=False)


def sheets_from_json(text: str) -> list[SheetData]:
    sheets = []
    for entry in json.loads(text):
        sheet = SheetData(entry["name"], merged=[tuple(m) for m in entry["merged"]])
        for row, column, value, is_date, error in entry["cells"]:
            sheet.cells[row, column] = CellData(row, column, dt.datetime.fromisoformat(value) if is_date else value,
                                                error=error)
        sheets.append(sheet)
    return sheets


def _sheets(data: bytes, where: Location) -> list[SheetData]:
    """The worksheets' cells, as calamine reads them."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheets = []
    count = 0
    for metadata in workbook.sheets_metadata:
        if str(metadata.typ).rpartition(".")[2] != "WorkSheet":
            continue  # a chart or dialog sheet: nothing a unit types
        calamine_sheet = workbook.get_sheet_by_name(metadata.name)
        sheet = SheetData(metadata.name)
        top, left = calamine_sheet.start or (0, 0)
        for row_index, values in enumerate(calamine_sheet.to_python(skip_empty_area=True)):
            for column_index, value in enumerate(values):
                cell = _cell(top + row_index + 1, left + column_index + 1, value)
                if cell is None:
                    continue
                count += 1
                if count > MAX_CELLS:
                    raise UnreadableWorkbook(f"儲存格超過 {MAX_CELLS:,} 個，不是填報表，未讀取。", where)
                sheet.cells[cell.row, cell.column] = cell
        merged = calamine_sheet.merged_cell_ranges or ()
        if len(merged) > MAX_MERGED_RANGES:  # the limit the .xlsx reader keeps, for the same reason
            raise UnreadableWorkbook(too_many_merges(sheet.name), where)
        for (first_row, first_column), (last_row, last_column) in merged:
            sheet.merged.append((first_row + 1, first_column + 1, last_row + 1, last_column + 1))
        sheets.append(sheet)
    return sheets


def _cell(row: int, column: int, value) -> CellData | None:
    """calamine's value as the .xlsx reader gives it: whole numbers as int, a date as a datetime, errors apart."""
    if value is None or value == "":
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return CellData(row, column, str(value))
        if value.is_integer() and abs(value) < 2**53:
            value = int(value)
    elif isinstance(value, dt.datetime):
        pass
    elif isinstance(value, dt.date):
        value = dt.datetime.combine(value, dt.time())
    elif isinstance(value, (dt.time, dt.timedelta)):
        value = str(value)
    elif isinstance(value, str) and value.startswith("#") and value.rstrip("!?").upper() in _ERRORS:
        return CellData(row, column, None, error=value)
    return CellData(row, column, value)


_ERRORS = {"#DIV/0", "#N/A", "#NAME", "#NULL", "#NUM", "#REF", "#VALUE", "#GETTING_DATA"}


def _odf_meta(data: bytes) -> tuple[dict[str, str], dt.datetime | None]:
    """An OpenDocument file's custom properties (meta:user-defined) and last-saved time (dc:date)."""
    from defusedxml.ElementTree import fromstring

    root = fromstring(data, forbid_dtd=True)
    properties: dict[str, str] = {}
    modified = None
    for element in root.iter():
        tag = element.tag.rpartition("}")[2]
        if tag == "user-defined":
            name = next((v for k, v in element.attrib.items() if k.rpartition("}")[2] == "name"), None)
            if name is not None:
                properties[name] = element.text or ""
        elif tag == "date" and modified is None:
            modified = saved_time(element.text)
    return properties, modified
