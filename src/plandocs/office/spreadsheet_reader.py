"""Read the other spreadsheet kinds units send back (.ods, .xls, .xlsb) into the same WorkbookData as an .xlsx.

An .ods's content.xml is read here, streaming, as Calc shows its cells (line breaks, repeated spaces and
error results kept); python-calamine (a Rust reader) parses an .xls or .xlsb. Neither runs macros or needs an
office suite. The
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
                return WorkbookData(_ods_sheets(archive.read("content.xml"), where), properties, modified,
                                    has_macros=False)
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


def _ods_sheets(content: bytes, where: Location) -> list[SheetData]:
    """The worksheets of an .ods's content.xml as Calc shows them, read in one streaming pass that refuses a
    sheet whose filled cells span more than MAX_DENSE_CELLS (repeated rows and columns counted) or hold more
    than MAX_CELLS cells. calamine is not used here: it joins a cell's paragraphs, drops repeated spaces and
    reads error results as empty cells."""
    from defusedxml.expatreader import DefusedExpatParser

    reader = _OdsCells()
    parser = DefusedExpatParser(forbid_dtd=True)
    parser.setContentHandler(reader)
    try:
        parser.parse(io.BytesIO(content))
    except _TooWide:
        raise UnreadableWorkbook(f"工作表的儲存格範圍超過 {MAX_DENSE_CELLS:,} 格，不是填報表，未讀取。", where) from None
    except _TooMany:
        raise UnreadableWorkbook(f"儲存格超過 {MAX_CELLS:,} 個，不是填報表，未讀取。", where) from None
    except _TooManyMerges as sheet:
        raise UnreadableWorkbook(too_many_merges(str(sheet)), where) from None
    return reader.sheets


class _TooWide(Exception):
    pass


class _TooMany(Exception):
    pass


class _TooManyMerges(Exception):
    pass


class _OdsCells(ContentHandler):
    """Follows tables, rows and cells of content.xml with their repeats and collects each filled cell's value:
    paragraphs joined by line breaks, text:s as its count of spaces, text:tab and text:line-break as the
    characters they stand for, annotations left out."""

    def __init__(self):
        super().__init__()
        self.sheets: list[SheetData] = []
        self.sheet: SheetData | None = None
        self.count = 0
        self.row = self.column = 0
        self.row_repeat = self.cell_repeat = 1
        self.cell_start = 0
        self.cell_attrs = None
        self.paragraphs: list[list[str]] | None = None  # the open cell's paragraphs, None outside a cell
        self.paragraph_depth = 0
        self.annotation_depth = 0
        self.last_row = self.last_column = 0

    def startElement(self, name, attrs):
        local = name.rpartition(":")[2]
        if self.annotation_depth:
            self.annotation_depth += local == "annotation"
        elif local == "annotation":
            self.annotation_depth = 1
        elif local == "table" and self.paragraphs is None:
            self.sheet = SheetData(attrs.get("table:name", ""))
            self.sheets.append(self.sheet)
            self.row = self.last_row = self.last_column = 0
        elif local == "table-row":
            self.row_repeat = _repeat(attrs, "table:number-rows-repeated")
            self.column = 0
        elif local in ("table-cell", "covered-table-cell"):
            self.cell_repeat = _repeat(attrs, "table:number-columns-repeated")
            self.cell_start = self.column
            self.column += self.cell_repeat
            self.cell_attrs = dict(attrs)
            self.paragraphs = []
            self._merge(attrs)
        elif self.paragraphs is not None:
            if local in ("p", "h"):
                self.paragraph_depth += 1
                if self.paragraph_depth == 1:
                    self.paragraphs.append([])
            elif self.paragraph_depth and local == "s":
                self.paragraphs[-1].append(" " * _repeat(attrs, "text:c"))
            elif self.paragraph_depth and local == "tab":
                self.paragraphs[-1].append("\t")
            elif self.paragraph_depth and local == "line-break":
                self.paragraphs[-1].append("\n")

    def characters(self, content):
        if self.paragraph_depth and not self.annotation_depth:
            self.paragraphs[-1].append(content)

    def endElement(self, name):
        local = name.rpartition(":")[2]
        if self.annotation_depth:
            self.annotation_depth -= local == "annotation"
        elif local in ("p", "h") and self.paragraph_depth:
            self.paragraph_depth -= 1
        elif local in ("table-cell", "covered-table-cell") and self.paragraphs is not None:
            value, error = _ods_value(self.cell_attrs, "\n".join("".join(p) for p in self.paragraphs))
            self.paragraphs = None
            if value is not None or error is not None:
                self._fill(value, error)
        elif local == "table-row":
            self.row += self.row_repeat

    def _merge(self, attrs):
        rows = _repeat(attrs, "table:number-rows-spanned")
        columns = _repeat(attrs, "table:number-columns-spanned")
        if rows > 1 or columns > 1:
            if len(self.sheet.merged) >= MAX_MERGED_RANGES:  # the limit the .xlsx reader keeps, for the same reason
                raise _TooManyMerges(self.sheet.name)
            first_row, first_column = self.row + 1, self.cell_start + 1
            self.sheet.merged.append((first_row, first_column, first_row + rows - 1, first_column + columns - 1))

    def _fill(self, value, error):
        self.last_row = max(self.last_row, self.row + self.row_repeat)
        self.last_column = max(self.last_column, self.cell_start + self.cell_repeat)
        if self.last_row * self.last_column > MAX_DENSE_CELLS:
            raise _TooWide
        self.count += self.row_repeat * self.cell_repeat
        if self.count > MAX_CELLS:
            raise _TooMany
        for row in range(self.row + 1, self.row + self.row_repeat + 1):
            for column in range(self.cell_start + 1, self.cell_start + self.cell_repeat + 1):
                self.sheet.cells[row, column] = CellData(row, column, value, error=error)


def _ods_value(attrs, text: str):
    """A cell's (value, error) as Calc shows it, from its office:value-type and the text it displays."""
    kind = attrs.get("office:value-type")
    if "table:formula" in attrs and (attrs.get("calcext:value-type") == "error" or _is_error_text(text)):
        return None, text
    try:
        if kind in ("float", "percentage", "currency"):
            return _cell(0, 0, float(attrs["office:value"])).value, None
        if kind == "date":
            return _ods_date(attrs["office:date-value"]), None
        if kind == "time":
            return _ods_duration(attrs["office:time-value"]), None
        if kind == "boolean":
            return attrs["office:boolean-value"].strip().lower() == "true", None
    except (KeyError, ValueError):
        pass  # a value attribute missing or malformed: the text Calc shows is what the cell holds
    if kind == "string" and "office:string-value" in attrs:
        return attrs["office:string-value"], None
    return (text if text else None), None


def _is_error_text(text: str) -> bool:
    return (text.startswith("#") and text.rstrip("!?").upper() in _ERRORS) or (
        text.startswith("Err:") and text[4:].isdigit())


def _ods_date(text: str) -> dt.datetime:
    stamp = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return stamp.replace(tzinfo=None)


def _ods_duration(text: str) -> str:
    """An ISO 8601 duration such as PT12H30M00S as the clock time Calc shows (12:30:00)."""
    import re

    match = re.fullmatch(r"-?P(?:(\d+)D)?T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?", text.strip())
    if not match:
        raise ValueError(text)
    days, hours, minutes, seconds = match.groups()
    return str(dt.timedelta(days=int(days or 0), hours=int(hours or 0), minutes=int(minutes or 0),
                            seconds=round(float(seconds or 0))))


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
