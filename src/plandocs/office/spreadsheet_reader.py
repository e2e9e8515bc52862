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
import math
import re
import zipfile
from pathlib import Path

from ..errors import Location
from .formats import CFB_SIGNATURE, ZIP_SIGNATURE
from .xlsx_reader import (
    ENCRYPTED_STREAM, MAX_CELLS, MAX_FILE_BYTES, CellData, SheetData, UnreadableWorkbook, WorkbookData, check_archive,
    package_properties, read_workbook_bytes,
)

# What only the .xlsx reader of xlsx_reader.py reads as collect needs it: formulas (their text, to report
# the cell) and the phonetic guides of East Asian text (left out of the cell's text).
_NEEDS_FULL_READER = re.compile(rb"<(?:\w+:)?(?:f|rPh)[\s>/]")


def read_xlsx(path: Path, display_name: str) -> WorkbookData:
    """An .xlsx (.xlsm …) read by calamine when it has no formulas, else by xlsx_reader: the same WorkbookData."""
    _check_size(path, Location(file=display_name))
    data = path.read_bytes()
    return read_xlsx_quickly(data, display_name) or read_workbook_bytes(data, display_name)


def _check_size(path: Path, where: Location) -> None:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise UnreadableWorkbook(
            f"檔案過大（{size / 1024 / 1024:.1f} MB，上限 {MAX_FILE_BYTES // 1024 // 1024} MB），未讀取；"
            "請刪除貼上的圖片或多餘的工作表後再試。", where)


def read_xlsx_quickly(data: bytes, display_name: str) -> WorkbookData | None:
    """An .xlsx without formulas read by calamine, several times faster than the XML reader; None when the
    workbook needs that reader (a formula, a phonetic guide, anything calamine does not read). The archive
    checks come first, as for every workbook."""
    if not data.startswith(ZIP_SIGNATURE):
        return None
    where = Location(file=display_name)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        check_archive(archive, where)
        names = archive.namelist()
        for name in names:
            if name.startswith("xl/") and name.endswith(".xml") and _NEEDS_FULL_READER.search(archive.read(name)):
                return None
        properties, modified = package_properties(archive, where)
        times: list[CellData] = []
        sheets = _sheets(data, where, times)
        if times:  # calamine reads a date before 1900 (107/6/25 typed as the year 107) as a time of day
            return None
    except UnreadableWorkbook:
        raise
    except Exception:  # noqa: BLE001 - anything unusual is left to the full reader, which reports it
        return None
    return WorkbookData(sheets, properties, modified, any(n.lower().endswith("vbaproject.bin") for n in names))



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
        except UnreadableWorkbook:
            raise
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, KeyError, OSError, EOFError) as error:
            raise UnreadableWorkbook("檔案已損毀或格式不正確，無法讀取；請以 Excel 開啟確認後另存為 .xlsx 再試。", where) from error
        except SyntaxError as error:
            raise UnreadableWorkbook("檔案內容（XML）已損毀，無法讀取；請以 Excel 開啟確認後另存為 .xlsx 再試。", where) from error
    else:
        raise UnreadableWorkbook("這不是試算表檔案（副檔名與內容不符），無法讀取。", where)
    try:
        sheets = _sheets(data, where)
    except UnreadableWorkbook:
        raise
    except Exception as error:  # noqa: BLE001 - calamine reports every kind of damage with its own exception types
        if type(error).__name__ == "PasswordError":
            raise UnreadableWorkbook("檔案設有開啟密碼（已加密），無法讀取；請移除密碼後另存新檔再試。", where) from error
        raise UnreadableWorkbook("檔案已損毀或格式不正確，無法讀取；請以 Excel 開啟確認後另存為 .xlsx 再試。", where) from error
    return WorkbookData(sheets, properties, modified, has_macros=False)


def _sheets(data: bytes, where: Location, times: list[CellData] | None = None) -> list[SheetData]:
    """The worksheets' cells; cells calamine reads as a time of day are also put in `times`."""
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
                if times is not None and isinstance(value, (dt.time, dt.timedelta)):
                    times.append(cell)
                count += 1
                if count > MAX_CELLS:
                    raise UnreadableWorkbook(f"儲存格超過 {MAX_CELLS:,} 個，不是填報表，未讀取。", where)
                sheet.cells[cell.row, cell.column] = cell
        for (first_row, first_column), (last_row, last_column) in calamine_sheet.merged_cell_ranges or ():
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
        elif tag == "date" and element.text and modified is None:
            try:
                stamp = dt.datetime.fromisoformat(element.text.strip().replace("Z", "+00:00"))
            except ValueError:
                continue
            modified = stamp.astimezone(dt.timezone.utc).replace(tzinfo=None) if stamp.tzinfo else stamp
    return properties, modified
