"""Read an untrusted workbook (.xlsx, .xlsm) into plain grids of cell values, safely.

Returns come from other offices. Before any part is parsed the file is checked as a whole (size, file
signature) and as a zip (number of entries, expanded size, compression ratio), so a zip bomb is refused
unopened; every XML part is parsed with defusedxml; macros are never run, only the stored cell values are
read. Formulas keep both their text and the result the office suite cached, so collect can use the value
and still report the cell.
"""
from __future__ import annotations

import datetime as dt
import functools
import io
import math
import os
import re
import stat
import zipfile
import zlib
from pathlib import Path
from xml.sax import SAXException
from xml.sax.handler import ContentHandler

from defusedxml.expatreader import DefusedExpatParser

from ..caching import kept_when_short
from ..errors import InputError, Location
from .workbook_data import CellData, SheetData, WorkbookData, column_index, saved_time
from .excel_dates import excel_date, is_date_format
from .formats import CFB_SIGNATURE, ZIP_SIGNATURE, Relationship, internal_relationships, relationships_part

MAX_FILE_BYTES = 20 * 1024 * 1024  # a filled form is about 30 KB; 20 MB leaves room for pasted pictures
MAX_EXPANDED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100  # Office XML compresses 5–30×; far more means a crafted archive
MAX_ENTRIES = 5000
# Per workbook: a built form holds about 300 cells; what the limit lets through is read in well under 2 s (issue 13)
MAX_CELLS = 10_000
# workbook.xml, its relationships and styles are a few KB and the same in every form plandocs sends: what is read
# from one of these parts is kept per content, unless it is larger than this, when it is parsed each time
MAX_KEPT_BYTES = 256 * 1024
MAX_MERGED_RANGES = 10_000  # per sheet: a form has a few dozen

ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")  # Office wraps a password-protected .xlsx in a compound file

_OFFICE_DOCUMENT = "/officeDocument"
_WORKSHEET = "/worksheet"
_SHARED_STRINGS = "/sharedStrings"
_STYLES = "/styles"
_CUSTOM_PROPERTIES = "/custom-properties"
_CORE_PROPERTIES = "/core-properties"
_CELL_REFERENCE = re.compile(r"([A-Z]{1,3})(\d+)")
# Excel's built-in number formats that show dates, including the zh-TW ones (27–36, 50–58)
_BUILTIN_DATE_FORMATS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}


class UnreadableWorkbook(InputError):
    """Raised when a file cannot be read as a workbook: too large, encrypted, corrupt or not a workbook."""


def too_many_merges(sheet: str) -> str:
    return f"工作表「{sheet}」的合併儲存格超過 {MAX_MERGED_RANGES:,} 處，不是填報表，未讀取。"


def read_workbook(path: Path, display_name: str) -> WorkbookData:
    """Check and read one workbook file; anything that makes it unusable is an UnreadableWorkbook naming it.

    The file is opened without following a symbolic link and without waiting (a named pipe put in its place
    after it was listed would otherwise block for ever), and read only if it is a regular file of bounded size.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    handle = os.open(path, flags)
    with os.fdopen(handle, "rb") as stream:
        status = os.fstat(stream.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise UnreadableWorkbook("這不是一般檔案（可能是裝置或具名管道），未讀取。", Location(file=display_name))
        size = status.st_size
        if size > MAX_FILE_BYTES:
            raise UnreadableWorkbook(
                f"檔案過大（{size / 1024 / 1024:.1f} MB，上限 {MAX_FILE_BYTES // 1024 // 1024} MB），未讀取；"
                "請刪除貼上的圖片或多餘的工作表後再試。", Location(file=display_name))
        data = stream.read(MAX_FILE_BYTES + 1)
    return read_workbook_bytes(data, display_name)


def read_workbook_bytes(data: bytes, display_name: str) -> WorkbookData:
    where = Location(file=display_name)
    if data.startswith(CFB_SIGNATURE):
        if ENCRYPTED_STREAM in data:
            raise UnreadableWorkbook("檔案設有開啟密碼（已加密），無法讀取；請移除密碼後另存為 .xlsx 再試。", where)
        raise UnreadableWorkbook("這是舊版 Excel 97-2003（.xls）格式，無法讀取；請以 Excel 另存為 .xlsx 再試。", where)
    if not data.startswith(ZIP_SIGNATURE):
        raise UnreadableWorkbook("這不是 Excel 活頁簿（.xlsx），無法讀取。", where)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        check_archive(archive, where)
        return _Reader(archive, where).read()
    except UnreadableWorkbook:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, KeyError, IndexError, ValueError, EOFError,
            NotImplementedError, RuntimeError, OSError, OverflowError) as error:
        # defusedxml's refusals (DTDs, entities) are ValueErrors; malformed XML a SyntaxError or SAXException
        raise UnreadableWorkbook("檔案已損毀或格式不正確，無法讀取；請以 Excel 開啟確認後另存為 .xlsx 再試。",
                                 where) from error
    except (SyntaxError, SAXException) as error:
        raise UnreadableWorkbook("檔案內容（XML）已損毀，無法讀取；請以 Excel 開啟確認後另存為 .xlsx 再試。",
                                 where) from error


def check_archive(archive: zipfile.ZipFile, where: Location) -> None:
    """The limits every zipped file a unit sends is held to (.xlsx, .ods, .docx): size, entries, compression."""
    entries = archive.infolist()
    expanded = sum(e.file_size for e in entries)
    compressed = sum(e.compress_size for e in entries)
    if len(entries) > MAX_ENTRIES or expanded > MAX_EXPANDED_BYTES or expanded > MAX_RATIO * max(compressed, 1):
        raise UnreadableWorkbook(
            f"壓縮內容展開後過大（{expanded / 1024 / 1024:.0f} MB，共 {len(entries)} 個項目），"
            "疑似惡意或損毀的檔案，未讀取。", where)




def package_properties(archive: zipfile.ZipFile, where: Location) -> tuple[dict[str, str], dt.datetime | None]:
    """The custom properties and last-saved time of any Office Open XML package (.xlsx, .docx)."""
    reader = _Reader(archive, where)
    return reader._custom_properties(), reader._modified()


def _local(tag: str) -> str:
    """Tag or attribute name without its namespace: transitional and strict OOXML use different ones."""
    return tag.rpartition("}")[2]


def _attribute(element, name: str) -> str | None:
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return None


class _Reader:
    """Reads the parts of one archive that collect needs, each XML part through defusedxml."""

    def __init__(self, archive: zipfile.ZipFile, where: Location):
        self.archive = archive
        self.where = where
        self.names = set(archive.namelist())
        self.cell_count = 0
        self._relationships: dict[str, tuple[Relationship, ...]] = {}

    def parse(self, name: str):
        from defusedxml.ElementTree import parse

        with self.archive.open(name) as stream:
            return parse(stream, forbid_dtd=True).getroot()

    def stream(self, name: str, handler: ContentHandler) -> None:
        """Parse a large part (a sheet, the shared strings) with a SAX handler: no tree is built."""
        parser = _DirectParser(handler)
        with self.archive.open(name) as stream:
            parser.parse(stream)

    def kept(self, part: str, read_root, *arguments):
        """read_root(the part's root element, *arguments), worked out once per content of the part (see
        MAX_KEPT_BYTES): it must be a pure function of them, returning what cannot be changed."""
        with self.archive.open(part) as stream:
            data = stream.read(MAX_KEPT_BYTES + 1)
        if len(data) <= MAX_KEPT_BYTES:
            return _kept(data, read_root, *arguments)
        return read_root(self.parse(part), *arguments)

    def relationships(self, part: str) -> tuple[Relationship, ...]:
        """(id, type, target part) of a part's internal relationships, targets resolved to archive names."""
        if part not in self._relationships:
            self._relationships[part] = self._read_relationships(part)
        return self._relationships[part]

    def _read_relationships(self, part: str) -> tuple[Relationship, ...]:
        rels = relationships_part(part)
        return self.kept(rels, _relationships_of, part) if rels in self.names else ()

    def related(self, part: str, kind: str) -> str | None:
        return next((r.target for r in self.relationships(part) if r.type.endswith(kind) and r.target in self.names),
                    None)

    def read(self) -> WorkbookData:
        workbook_part = self.related("", _OFFICE_DOCUMENT) or "xl/workbook.xml"
        if workbook_part not in self.names:
            raise UnreadableWorkbook("這不是 Excel 活頁簿（缺少活頁簿內容），無法讀取。", self.where)
        targets = {r.id: r.target for r in self.relationships(workbook_part) if r.type.endswith(_WORKSHEET)}
        date1904, sheet_entries = self.kept(workbook_part, _workbook_sheets)
        strings = self._shared_strings(self.related(workbook_part, _SHARED_STRINGS))
        date_styles = self._date_styles(self.related(workbook_part, _STYLES))
        sheets = []
        for name, relationship in sheet_entries:
            part = targets.get(relationship or "")
            if part is None or part not in self.names:
                continue  # a chart sheet or a dangling entry: nothing a unit types
            sheet = SheetData(name)
            self._read_sheet(part, sheet, strings, date_styles, date1904)
            sheets.append(sheet)
        return WorkbookData(sheets, self._custom_properties(), self._modified(),
                            any(n.lower().endswith("vbaproject.bin") for n in self.names))

    def _shared_strings(self, part: str | None) -> list[str]:
        if part is None:
            return []
        handler = _SharedStrings()
        self.stream(part, handler)
        return handler.strings

    def _date_styles(self, part: str | None) -> frozenset[int]:
        """Indexes of the cell formats that show a number as a date."""
        return self.kept(part, _date_styles_of) if part is not None else frozenset()

    def _read_sheet(self, part: str, sheet: SheetData, strings: list[str], date_styles: frozenset[int],
                    date1904: bool) -> None:
        handler = _SheetCells(sheet, strings, date_styles, date1904, MAX_CELLS - self.cell_count, self.where)
        self.stream(part, handler)
        self.cell_count += len(sheet.cells)

    def _custom_properties(self) -> dict[str, str]:
        part = self.related("", _CUSTOM_PROPERTIES) or ("docProps/custom.xml" if "docProps/custom.xml" in self.names else None)
        if part is None:
            return {}
        properties = {}
        for element in self.parse(part):
            name = element.get("name")
            if name is not None and len(element):
                properties[name] = element[0].text or ""
        return properties

    def _modified(self) -> dt.datetime | None:
        part = self.related("", _CORE_PROPERTIES) or ("docProps/core.xml" if "docProps/core.xml" in self.names else None)
        if part is None:
            return None
        for element in self.parse(part):
            if _local(element.tag) == "modified" and element.text:
                return saved_time(element.text)
        return None


@functools.lru_cache(maxsize=64)
def _kept(data: bytes, read_root, *arguments):
    """read_root of a part's root element, parsed by defusedxml (no DTD): once per content, read_root and arguments."""
    from defusedxml.ElementTree import fromstring

    return read_root(fromstring(data, forbid_dtd=True), *arguments)


def _relationships_of(root, part: str) -> tuple[Relationship, ...]:
    return tuple(internal_relationships(part, root))


def _workbook_sheets(root) -> tuple[bool, tuple[tuple[str, str | None], ...]]:
    """Whether the workbook counts dates from 1904, and the name and relationship id of each sheet, in order."""
    date1904 = any(_local(e.tag) == "workbookPr" and e.get("date1904") in ("1", "true") for e in root.iter())
    return date1904, tuple((e.get("name", ""), _attribute(e, "id")) for e in root.iter() if _local(e.tag) == "sheet")


def _date_styles_of(root) -> frozenset[int]:
    """Indexes of the cell formats that show a number as a date."""
    custom_dates = {int(e.get("numFmtId", "0")) for e in root.iter()
                    if _local(e.tag) == "numFmt" and is_date_format(e.get("formatCode", ""))}
    dates: set[int] = set()
    for container in (e for e in root if _local(e.tag) == "cellXfs"):
        for index, xf in enumerate(e for e in container if _local(e.tag) == "xf"):
            number_format = int(xf.get("numFmtId", "0"))
            if number_format in _BUILTIN_DATE_FORMATS or number_format in custom_dates:
                dates.add(index)
    return frozenset(dates)


class _DirectParser(DefusedExpatParser):
    """defusedxml's expat reader — no DTD, no entity declarations, no external references — with expat calling
    the handler's methods itself: the SAX layer's wrapping of every element costs more than the reading."""

    def __init__(self, handler: ContentHandler):
        super().__init__(forbid_dtd=True)
        self.setContentHandler(handler)

    def reset(self):
        super().reset()  # creates the expat parser and installs defusedxml's guards on it
        self._parser.StartElementHandler = self._cont_handler.startElement  # attributes come as a dict
        self._parser.EndElementHandler = self._cont_handler.endElement
        self._parser.CharacterDataHandler = self._cont_handler.characters
        self._parser.buffer_text = True  # a text in one call, not one per line or per entity


def _local_name(name: str) -> str | None:
    """A prefixed element name without its prefix (x:c is c), else None: expat reads the parts without namespace
    processing, and the handlers test the plain names first, as nearly every file writes them."""
    return name.rpartition(":")[2] if ":" in name else None


class _Texts(ContentHandler):
    """Collects the text of <t> elements, leaving out <rPh>: the reading guide of East Asian text."""

    def __init__(self):
        super().__init__()
        self.texts: list[str] | None = None
        self.phonetic = 0

    def startElement(self, name, attrs):
        if name == "t":
            if not self.phonetic:
                self.texts = []
        elif name == "rPh":
            self.phonetic += 1
        elif local := _local_name(name):
            self.startElement(local, attrs)

    def characters(self, content):
        if self.texts is not None:
            self.texts.append(content)

    def text_end(self, name: str, collected: list[str]) -> None:
        if name == "t":
            if self.texts is not None:
                collected.append("".join(self.texts))
                self.texts = None
        elif name == "rPh":
            self.phonetic -= 1
        elif local := _local_name(name):
            self.text_end(local, collected)


class _SharedStrings(_Texts):
    def __init__(self):
        super().__init__()
        self.strings: list[str] = []
        self.parts: list[str] = []

    def endElement(self, name):
        if name == "si" or name.endswith(":si"):
            self.strings.append("".join(self.parts))
            self.parts = []
        else:
            self.text_end(name, self.parts)


class _SheetCells(_Texts):
    """Turns a sheet's <c> elements into CellData and its <mergeCell> elements into ranges.

    Called for every element of the sheet, so the common ones (<c>, <v>) are tested first.
    """

    def __init__(self, sheet: SheetData, strings: list[str], date_styles: frozenset[int], date1904: bool, budget: int,
                 where: Location):
        super().__init__()
        self.sheet, self.strings, self.date_styles, self.date1904 = sheet, strings, date_styles, date1904
        self.budget, self.where = budget, where
        self.row = 0
        self.next_column = 1
        self.attributes = {}  # of the current <c>: r (reference), t (type), s (style)
        self.value: str | None = None
        self.formula: str | None = None
        self.inline: list[str] = []
        self.capture: list[str] | None = None

    def startElement(self, name, attrs):
        if name == "c":
            self.attributes = attrs
            self.value, self.formula, self.inline = None, None, []
        elif name == "v" or name == "f":
            self.capture = []
        elif name == "row":
            self.row = int(attrs.get("r") or self.row + 1)
            self.next_column = 1
        elif name == "mergeCell":
            merged = _range(attrs.get("ref", ""))
            if merged:
                if len(self.sheet.merged) >= MAX_MERGED_RANGES:
                    raise UnreadableWorkbook(too_many_merges(self.sheet.name), self.where)
                self.sheet.merged.append(merged)
        elif local := _local_name(name):
            self.startElement(local, attrs)
        else:
            super().startElement(name, attrs)

    def characters(self, content):
        if self.capture is not None:
            self.capture.append(content)
        elif self.texts is not None:
            self.texts.append(content)

    def endElement(self, name):
        if name == "c":
            if self.value is not None or self.formula is not None or self.inline or "r" not in self.attributes:
                self._cell()
            # else a cell with only a format: most cells of a form
        elif name == "v":
            # openpyxl writes an empty <v/> for a formula it never calculated
            self.value = "".join(self.capture) or None
            self.capture = None
        elif name == "f":
            self.formula = "".join(self.capture)
            self.capture = None
        elif local := _local_name(name):
            self.endElement(local)
        else:
            self.text_end(name, self.inline)

    def _cell(self) -> None:
        """The typed value of the <c> element just ended, unless it only carries formatting."""
        attributes, value_text, formula = self.attributes, self.value, self.formula
        row, column = _coordinates(attributes.get("r") or "") or (self.row, self.next_column)
        self.next_column = column + 1
        kind = attributes.get("t", "n")
        value: str | int | float | bool | dt.datetime | None = None
        error = None
        if kind == "inlineStr":
            value = "".join(self.inline)
        elif value_text is None:
            value = None
        elif kind == "s":
            index = int(value_text)
            value = self.strings[index] if 0 <= index < len(self.strings) else None
        elif kind == "str":
            value = value_text
        elif kind == "b":
            value = value_text.strip() in ("1", "true")
        elif kind == "e":
            error = value_text
        elif kind == "d":
            value = dt.datetime.fromisoformat(value_text)
        else:
            number = float(value_text)
            if not math.isfinite(number):  # "NaN" or "INF" typed into the XML: no spreadsheet writes these
                value = value_text
            elif int(attributes.get("s", "0")) in self.date_styles:
                value = excel_date(number, self.date1904)
            else:
                value = int(number) if number.is_integer() and abs(number) < 2**53 else number
        if (value is None or value == "") and formula is None and error is None:
            return
        if len(self.sheet.cells) >= self.budget:
            raise UnreadableWorkbook(f"儲存格超過 {MAX_CELLS:,} 個，不是填報表，未讀取。", self.where)
        self.sheet.cells[row, column] = CellData(row, column, value, formula, error)


# A form names about 340 cells, the same in every return; no reference longer than Excel's longest (XFD1048576)
@kept_when_short(12, maxsize=1024)
def _coordinates(reference: str) -> tuple[int, int] | None:
    """(row, column) of an A1 reference, or None. A row number too long for an int raises."""
    match = _CELL_REFERENCE.fullmatch(reference)
    return (int(match.group(2)), column_index(match.group(1))) if match else None


def _range(reference: str) -> tuple[int, int, int, int] | None:
    corners = [_coordinates(part) for part in reference.split(":")]
    if len(corners) != 2 or not all(corners):
        return None
    (first_row, first_column), (last_row, last_column) = corners
    return first_row, first_column, last_row, last_column

