"""The collect command: read the workbooks the units send back, check them against the master, account for every cell.

Each file of the returns folder becomes a Return: which unit sent it and how that was recognised, the
measures of its 調查表, the progress of its 辦理情形, and findings — problems located to the cell, each
with the cell's content, so that nothing a unit typed is ever dropped silently. Cells that are the form's
own text (titles, headings, reference columns) are recognised against the blank form as `build` draws it.
Consolidation (consolidate.py) then merges the returns that are used into the outputs.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import enum
import functools
import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .cleaning import clean_text, is_blank
from .errors import InputError, Location, Problem, Severity, ValidationFailed
from .forms import (
    CASE_COUNT_WORD, FORM_KIND, GUIDE_INPUT_ROWS, GUIDE_SHEET, HEADER_ROW, ID_DIGEST, ID_KIND, ID_UNIT, ID_VERSION,
    ID_YEAR, IDENTITY_SHEET, LISTS_SHEET, PHONE, PROGRESS_CODE, PROGRESS_HEADERS, PROGRESS_INPUT, PROGRESS_KEY_POINT,
    PROGRESS_SHEET, PROPERTY_PREFIX, REPORT_DATE, REPORTER, SURVEY_HEADERS, SURVEY_SHEET, ProgressRow, case_count_header,
    case_count_years, layout_digest, numbered_key_points, progress_rows,
)
from .model import ROC_OFFSET, Plan, Unit, name_key, parse_date, roc_date
from .paths import Paths, is_lock_file
from .workbook_reader import (
    HEADER_SEARCH_ROWS, CellData, SheetData, UnreadableWorkbook, WorkbookData, column_letter, read_workbook,
)

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm", ".xls"}
# Stands for the unit's name in the blank forms rendered as the reference of the form's own text.
_NAME_MARK = "\ue010"
_TITLE_SHEETS = (SURVEY_SHEET, PROGRESS_SHEET)
_COUNT_TEXT = re.compile(r"[+]?\d+(?:\.0+)?")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")  # 1,200 (full-width ， folds to ,); 、 lists numbers, never groups


class Status(enum.Enum):
    """What became of a unit or a file, as the returns ledger shows it."""

    RETURNED = "已回報"
    MISSING = "未回報"
    SUPERSEDED = "已被取代"
    UNREADABLE = "無法讀取"
    UNIDENTIFIED = "無法辨識單位"
    REJECTED = "不採用"
    SKIPPED = "略過"


class Recognition(enum.Enum):
    """How the unit of a return was recognised."""

    IDENTITY_SHEET = "表單識別工作表"
    PROPERTIES = "文件自訂屬性"
    TITLE = "標題（表單識別遺失）"
    FILE_NAME = "檔名（表單識別遺失）"


# The records of a return are slotted: a large collect reads returns in worker processes and sends them back
# pickled, and slotted records pickle smaller and load faster.
@dataclass(frozen=True, slots=True)
class Entry:
    """A value a unit entered, and the cell it came from."""

    sheet: str
    cell: str  # e.g. "D12"
    value: object  # text, an integer (case counts) or a date


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem with a return; `content` keeps what the cell held, so that the value is not lost."""

    problem: Problem
    content: object = ""

    @property
    def location(self) -> Location:
        return self.problem.location


@dataclass(slots=True)
class Measure:
    """One row of a 調查表: a measure the unit proposes under a dimension and survey topic."""

    dimension: str
    topic: str
    name: str
    content: str
    entries: list[Entry]


@dataclass(slots=True)
class Progress:
    """What a unit reported on one key point: its 辦理情形 text and the case counts asked for."""

    code: str  # the key point's, e.g. 1.1.1 (the plan's ProgressRow is looked up by it: returns stay small)
    sheet: str  # where the key point's row is in the return, to point at what is missing
    row: int
    text: str = ""
    counts: dict[int, int] = field(default_factory=dict)  # ROC year → count
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Contact:
    """The 填報日期, 填報人 and 聯絡電話 of the 說明 sheet."""

    date: dt.date | None = None
    reporter: str = ""
    phone: str = ""
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Return:
    """One file of the returns folder and everything read from it."""

    file: str  # path relative to the returns folder, with / separators
    status: Status = Status.RETURNED
    reason: str = ""
    unit: Unit | None = None
    recognition: Recognition | None = None
    version: str = ""
    modified: dt.datetime | None = None  # the workbook's own last-saved time (docProps/core.xml)
    file_time: dt.datetime | None = None
    contact: Contact = field(default_factory=Contact)
    measures: list[Measure] = field(default_factory=list)
    progress: dict[str, Progress] = field(default_factory=dict)  # by key point code
    findings: list[Finding] = field(default_factory=list)

    @property
    def used(self) -> bool:
        return self.status is Status.RETURNED

    @property
    def filed(self) -> tuple[dt.datetime, str]:
        """When the return was made and by what: the form's 填報日期, else the workbook's or the file's time."""
        if self.contact.date:
            return dt.datetime.combine(self.contact.date, dt.time()), REPORT_DATE
        if self.modified:
            return self.modified, "活頁簿儲存時間"
        return self.file_time or dt.datetime.min, "檔案時間"

    @property
    def has_content(self) -> bool:
        """Whether the unit filled in anything: a measure or a progress report (contact cells alone do not count)."""
        return bool(self.measures) or any(p.entries for p in self.progress.values())

    def entries(self) -> list[Entry]:
        """Every value taken from the return, in sheet order."""
        found = list(self.contact.entries)
        for measure in self.measures:
            found += measure.entries
        for progress in self.progress.values():
            found += progress.entries
        return found

    def find(self, message: str, location: Location, content: object = "", severity: Severity = Severity.ERROR):
        self.findings.append(Finding(Problem(message, location, severity), content))

    def set_aside(self, status: Status, reason: str) -> None:
        """Keep the return out of the consolidation; its content is then listed as not used."""
        self.status, self.reason = status, reason


@dataclass
class Collection:
    """Every return of the folder, decided: which are used, which superseded, and the units still missing."""

    plan: Plan
    returns: list[Return]
    rows: dict[str, ProgressRow]  # every key point of the plan by code

    def used(self) -> list[Return]:
        return [r for r in self.returns if r.used]

    def used_by_unit(self) -> dict[str, Return]:
        return {r.unit.name: r for r in self.used()}

    def missing(self) -> list[Unit]:
        returned = self.used_by_unit()
        return [u for u in self.plan.receiving_units() if u.name not in returned]

    def problems(self) -> list[Finding]:
        """Findings of the returns used, and one finding per file that was not used, saying why."""
        found: list[Finding] = []
        for ret in self.returns:
            if ret.used:
                found += ret.findings
            else:
                severity = Severity.WARNING if ret.status in (Status.SUPERSEDED, Status.SKIPPED) else Severity.ERROR
                found.append(Finding(Problem(f"{ret.status.value}：{ret.reason}", Location(file=ret.file), severity)))
        return found

    def unused(self) -> list[tuple[Return, Entry]]:
        """What the files not used hold (entries and the content of their findings), for the 未採用內容 sheet."""
        listed: list[tuple[Return, Entry]] = []
        for ret in self.returns:
            if ret.used:
                continue
            listed += [(ret, entry) for entry in ret.entries()]
            listed += [(ret, Entry(f.location.sheet or "", f.location.cell(), f.content))
                       for f in ret.findings if not is_blank(f.content)]
        return listed


# ---------------------------------------------------------------------------------------------------------------
# Reference: the master's units, key points and the blank forms' own text


@functools.lru_cache(maxsize=65536, typed=True)  # the form's own texts recur in every return
def text_key(value: object) -> str:
    """Text compared the way a person reads it: width, spaces and line breaks do not matter."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", clean_text(value).text))


class Reference:
    """What returns are checked against, prepared once per collect: units, key points and the form's own text."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.digest = layout_digest(plan)
        self.units: dict[str, Unit] = {}
        for unit in plan.units:
            for name in (unit.name, *unit.aliases):
                self.units.setdefault(name_key(name), unit)
        asked = case_count_years(plan)
        self.rows: dict[str, ProgressRow] = {
            code: ProgressRow(code, d, i, kp, asked if CASE_COUNT_WORD in kp.deadline else ())
            for code, d, i, kp in numbered_key_points(plan)
        }
        self.rows_by_name: dict[str, list[ProgressRow]] = {}
        for row in self.rows.values():
            self.rows_by_name.setdefault(text_key(row.key_point.name), []).append(row)
        self.topics = {(text_key(d.name), text_key(t)): (d.name, t) for d in plan.dimensions for t in d.survey_topics}
        self.dimensions = {text_key(d.name): d.name for d in plan.dimensions}
        self._unit_rows: dict[str, dict[str, ProgressRow]] = {}
        self._form_text: dict[str, tuple[set[str], list[tuple[str, str]]]] | None = None

    def unit_rows(self, unit: Unit | None) -> dict[str, ProgressRow]:
        """The key points the unit reports on, by code; every key point when the unit is not known."""
        if unit is None:
            return self.rows
        if unit.name not in self._unit_rows:
            self._unit_rows[unit.name] = {row.code: row for row in progress_rows(self.plan, unit)}
        return self._unit_rows[unit.name]

    def _blank(self, sheet_kind: str) -> tuple[set[str], list[tuple[str, str]]]:
        if self._form_text is None:
            self._form_text = _blank_form_text(self.plan)
        return self._form_text.get(sheet_kind, (set(), []))

    def name_in_form_text(self, sheet_kind: str, value: object, titles_only: bool = False) -> str | None:
        """The unit name in a text the blank form writes with the unit's name, or None.

        With `titles_only`, a cell that holds nothing but the name (說明's 填報單位) is not read: any cell a unit
        types a unit's name into (填報人, say) would match it.
        """
        key = text_key(value)
        for before, after in self._blank(sheet_kind)[1]:
            if titles_only and not (before or after):
                continue
            if key.startswith(before) and key.endswith(after) and len(key) > len(before) + len(after):
                return key[len(before):len(key) - len(after)]
        return None

    def is_form_text(self, sheet_kind: str, value: object, unit: Unit | None) -> bool:
        """Whether a cell holds text the blank form itself has on this sheet (the unit's name in its place)."""
        if text_key(value) in self._blank(sheet_kind)[0]:
            return True
        name = self.name_in_form_text(sheet_kind, value)
        if name is None:
            return False
        return name_key(name) == name_key(unit.name) if unit is not None else name_key(name) in self.units

    def units_named_in(self, text: str) -> set[Unit]:
        """Units whose name or alias the text contains; a name inside a longer one found there does not count."""
        key = name_key(text)
        found = {name: unit for name, unit in self.units.items() if name and name in key}
        return {unit for name, unit in found.items()
                if not any(name != other and name in other and found[other] is not unit for other in found)}


def _blank_form_text(plan: Plan) -> dict[str, tuple[set[str], list[tuple[str, str]]]]:
    """Render each distinct blank form once (units with the same key points share one) and gather its text:
    per sheet, the texts as keys, and the texts holding the unit's name split around it."""
    from .workbook_reader import read_workbook_bytes
    from .workbooks import fill_in_workbook

    profiles: dict[tuple[str, ...], Unit] = {}
    for unit in plan.receiving_units():
        profiles.setdefault(tuple(row.code for row in progress_rows(plan, unit)), unit)
    texts: dict[str, tuple[set[str], list[tuple[str, str]]]] = {}
    for unit in profiles.values():
        blank = read_workbook_bytes(fill_in_workbook(plan, unit, _NAME_MARK), "blank")
        for sheet in blank.sheets:
            exact, named = texts.setdefault(sheet.name, (set(), []))
            for cell in sheet.cells.values():
                key = text_key(cell.value)
                if _NAME_MARK in key:
                    before, _, after = key.partition(_NAME_MARK)
                    if (before, after) not in named:
                        named.append((before, after))
                elif key:
                    exact.add(key)
    return texts


# ---------------------------------------------------------------------------------------------------------------
# Files


def find_files(folder: Path) -> list[Path]:
    """Every file under the folder, recursively, in a stable order; symbolic links are not followed."""
    if not folder.is_dir():
        raise InputError("找不到回報資料夾，請確認路徑。", Location(file=str(folder)))
    found = []
    for root, folders, files in os.walk(folder, followlinks=False):
        folders.sort()
        found += [Path(root) / name for name in sorted(files)]
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def _skip_reason(path: Path) -> str | None:
    name = path.name
    if is_lock_file(name):
        return "Excel 或 LibreOffice 開啟檔案時留下的暫存鎖定檔，不是回報。"
    if path.is_symlink():
        return "捷徑（符號連結），未讀取；請將檔案本身放入回報資料夾。"
    suffix = path.suffix.lower()
    if suffix in (".docx", ".doc", ".odt"):
        return "這是 Word 文件，不是填報用的 Excel 活頁簿；若單位以 Word 填寫，請其改用寄發的 Excel 填報表。"
    if suffix == ".pdf":
        return "這是 PDF 檔，不是填報用的 Excel 活頁簿。"
    if suffix not in WORKBOOK_SUFFIXES:
        return "不是 Excel 活頁簿（.xlsx），未讀取。"
    return None


def read_return(reference: Reference, folder: Path, path: Path) -> Return:
    """Read and check one file; whatever is wrong with it is recorded in the Return, never raised."""
    relative = clean_text(path.relative_to(folder).as_posix()).text  # a file name may hold any character
    ret = Return(relative)
    skip = _skip_reason(path)
    if skip:
        ret.set_aside(Status.SKIPPED, skip)
        return ret
    try:
        ret.file_time = dt.datetime.fromtimestamp(int(path.stat().st_mtime), dt.timezone.utc).replace(tzinfo=None)
        workbook = read_workbook(path, relative)
    except UnreadableWorkbook as error:
        ret.set_aside(Status.UNREADABLE, error.message)
        return ret
    except OSError as error:
        ret.set_aside(Status.UNREADABLE, f"無法開啟檔案（{error.strerror or error}）。")
        return ret
    ret.modified = workbook.modified
    if workbook.has_macros:
        ret.find("此檔含有巨集（VBA）；彙整只讀取儲存格內容，不會執行巨集。建議請單位另存為 .xlsx。", Location(file=relative),
                 severity=Severity.WARNING)
    try:
        _identify(reference, ret, workbook, PurePosixPath(relative).stem)
        _ReturnReader(reference, ret, workbook).read()
    except Exception as error:  # noqa: BLE001 - one strange file must not stop a batch of hundreds; it is listed
        unread = Return(relative, file_time=ret.file_time)
        unread.set_aside(Status.UNREADABLE, "讀取此檔時發生未預期的問題（程式內部錯誤："
                                            f"{type(error).__name__}: {error}），未能讀取；"
                                            "請將此檔提供給維護人員，並請該單位以寄發的填報表重新填寫。")
        return unread
    return ret


# ---------------------------------------------------------------------------------------------------------------
# Identity


@dataclass(frozen=True)
class _Identity:
    """The identity one place of a workbook holds, and where each value is, to report a wrong one there."""

    values: dict[str, str]
    places: dict[str, Location]
    recognition: Recognition

    def usable(self) -> bool:
        return self.values.get(ID_KIND) == FORM_KIND and bool(self.values.get(ID_UNIT))

    def report(self, ret: Return, key: str, message: str, severity: Severity = Severity.ERROR) -> None:
        ret.find(message, self.places[key], self.values[key], severity)


def _identities(workbook: WorkbookData, file: str) -> list[_Identity]:
    """The identity as the hidden sheet holds it (key in A, value in B), then as the custom properties hold it."""
    found = []
    sheet = workbook.sheet(IDENTITY_SHEET)
    if sheet is not None:
        values, places = {}, {}
        for (row, column), cell in sorted(sheet.cells.items()):
            key = clean_text(cell.value).text
            if column == 1 and key not in values:
                values[key] = clean_text(sheet.value(row, 2)).text
                places[key] = Location(file=file, sheet=sheet.name, row=row, column="B")
        found.append(_Identity(values, places, Recognition.IDENTITY_SHEET))
    properties = {name.removeprefix(PROPERTY_PREFIX): clean_text(value).text
                  for name, value in workbook.custom_properties.items() if name.startswith(PROPERTY_PREFIX)}
    if properties:
        places = {key: Location(file=file, place=f"文件自訂屬性「{PROPERTY_PREFIX}{key}」") for key in properties}
        found.append(_Identity(properties, places, Recognition.PROPERTIES))
    return found


def _identify(reference: Reference, ret: Return, workbook: WorkbookData, stem: str) -> None:
    """Recognise the unit: the identity sheet, else the custom properties, else the titles and the file name."""
    where = Location(file=ret.file)
    candidates = [identity for identity in _identities(workbook, ret.file) if identity.usable()]
    if len({name_key(identity.values[ID_UNIT]) for identity in candidates}) > 1:
        names = "、".join(f"「{identity.values[ID_UNIT]}」" for identity in candidates)
        ret.set_aside(Status.UNIDENTIFIED, f"表單識別工作表與文件屬性記載的單位不同（{names}），無法判定是哪個單位的回報。")
        return
    if not candidates:
        _identify_by_text(reference, ret, workbook, stem)
        return
    identity = candidates[0]
    ret.recognition = identity.recognition
    unit = reference.units.get(name_key(identity.values[ID_UNIT]))
    if unit is None:
        message = f"表單記載的單位「{identity.values[ID_UNIT]}」不在計畫主檔的「單位」工作表中。"
        identity.report(ret, ID_UNIT, message)
        ret.set_aside(Status.REJECTED, message)
        return
    titled = _units_in_titles(reference, workbook)
    if titled and unit not in titled:
        # a unit filled in a copy of another unit's file and retitled it: its identity names the other unit
        names = "、".join(sorted(u.name for u in titled))
        ret.set_aside(Status.UNIDENTIFIED, f"表單識別為「{unit.name}」，但表單標題寫的是「{names}」，可能是以他單位的檔案"
                                           "填寫，不予猜測；請確認是哪個單位的回報，並請該單位以自己的填報表重新填寫。")
        return
    ret.unit = unit
    named = reference.units_named_in(stem)
    if named and unit not in named:
        ret.find(f"檔名提到「{'、'.join(u.name for u in named)}」，但表單識別為「{unit.name}」；以表單識別為準。",
                 where, severity=Severity.WARNING)
    if not unit.receives_survey:
        ret.find(f"單位「{unit.name}」在計畫主檔設定為不填報調查表，仍將其回報納入彙整。", where, severity=Severity.WARNING)
    _check_version(reference, ret, identity)


def _units_in_titles(reference: Reference, workbook: WorkbookData) -> set[Unit]:
    """The units the form's titles name (the unit's name is written into each sheet's title)."""
    found: set[Unit] = set()
    for kind in (GUIDE_SHEET, *_TITLE_SHEETS):
        sheet = workbook.sheet(kind)
        for cell in sheet.in_order() if sheet is not None else []:
            if cell.row > HEADER_SEARCH_ROWS:
                continue
            name = reference.name_in_form_text(kind, cell.value, titles_only=True)
            if name is not None and name_key(name) in reference.units:
                found.add(reference.units[name_key(name)])
    return found


def _identify_by_text(reference: Reference, ret: Return, workbook: WorkbookData, stem: str) -> None:
    """Without an identity: the unit's name where the form's titles write it, else the file name."""
    by_title = _units_in_titles(reference, workbook)
    by_name = reference.units_named_in(stem)
    where = Location(file=ret.file)
    if len(by_title) > 1 or (by_title and by_name and by_title != by_name):
        names = "、".join(sorted(u.name for u in by_title | by_name))
        ret.set_aside(Status.UNIDENTIFIED, f"表單識別資料遺失，標題與檔名指向不同單位（{names}），不予猜測；"
                                           "請確認是哪個單位的回報，並請該單位以寄發的填報表重新填寫。")
        return
    found, how = (by_title, Recognition.TITLE) if by_title else (by_name, Recognition.FILE_NAME)
    if len(found) != 1:
        detail = f"（可能是 {'、'.join(sorted(u.name for u in found))}）" if found else ""
        ret.set_aside(Status.UNIDENTIFIED, f"表單識別資料遺失，標題與檔名也無法判定單位{detail}，不予猜測；"
                                           "請確認是哪個單位的回報，並請該單位以寄發的填報表重新填寫。")
        return
    ret.unit, ret.recognition = next(iter(found)), how
    ret.find(f"表單識別資料遺失或損毀，依{'標題' if how is Recognition.TITLE else '檔名'}判定為「{ret.unit.name}」的回報；"
             "請確認（無法核對計畫年度與表單版本）。", where, severity=Severity.WARNING)


def _check_version(reference: Reference, ret: Return, identity: _Identity) -> None:
    """The plan year must match; another form version or layout is read by content, with a warning."""
    facts = reference.plan.facts
    values = identity.values
    if values.get(ID_YEAR, str(facts.year)) != str(facts.year):
        message = f"這是 {values[ID_YEAR]} 年的表單，本次彙整 {facts.year} 年；請該單位以今年寄發的填報表填寫。"
        identity.report(ret, ID_YEAR, message)
        ret.set_aside(Status.REJECTED, message)
        return
    ret.version = values.get(ID_VERSION, "")
    read_by_content = "已依欄位標題、編號與項目名稱讀取，請核對內容。"
    if ID_VERSION in values and ret.version != str(facts.form_version):
        identity.report(ret, ID_VERSION, f"表單版本為第 {ret.version} 版，目前為第 {facts.form_version} 版；{read_by_content}",
                        Severity.WARNING)
    if ID_DIGEST in values and values[ID_DIGEST] != reference.digest:
        identity.report(ret, ID_DIGEST, f"表單版面與目前的計畫主檔不同（評核重點或項目已變更）；{read_by_content}",
                        Severity.WARNING)


# ---------------------------------------------------------------------------------------------------------------
# Sheets


def _find_header_row(sheet: SheetData, headings: Iterable[str]) -> tuple[int, dict[str, int]] | None:
    """The row among the first rows that holds most of the headings, with the column of each heading found."""
    wanted = {text_key(h): h for h in headings}
    best: tuple[int, dict[str, int]] | None = None
    for row, cells in sheet.rows().items():
        if row > HEADER_SEARCH_ROWS:
            break
        found: dict[str, int] = {}
        for column, cell in cells.items():
            heading = wanted.get(text_key(cell.value))
            if heading and heading not in found:
                found[heading] = column
        if len(found) >= 2 and (best is None or len(found) > len(best[1])):
            best = (row, found)
    return best


class _ReturnReader:
    """Reads the sheets of one return into its measures, progress and contact, and accounts for every cell."""

    def __init__(self, reference: Reference, ret: Return, workbook: WorkbookData):
        self.reference = reference
        self.ret = ret
        self.workbook = workbook
        self.unit = ret.unit
        self.count_headers = {case_count_header(y): y for y in case_count_years(reference.plan)}
        self.progress_columns: dict[str, int] = {}

    def where(self, sheet: SheetData, row: int | None = None, column: int | None = None) -> Location:
        letter = column_letter(column) if column else None
        return Location(file=self.ret.file, sheet=sheet.name, row=row, column=letter)

    def find(self, sheet: SheetData, cell: CellData | None, message: str, severity: Severity = Severity.ERROR) -> None:
        if cell is None:
            self.ret.find(message, self.where(sheet), severity=severity)
        else:
            self.ret.find(message, self.where(sheet, cell.row, cell.column), _content(cell), severity)

    def read(self) -> None:
        seen_kinds: set[str] = set()
        for sheet in self.workbook.sheets:
            kind = self._kind(sheet)
            seen_kinds.add(kind)
            if kind == SURVEY_SHEET:
                self._survey(sheet)
            elif kind == PROGRESS_SHEET:
                self._progress(sheet)
            elif kind == GUIDE_SHEET:
                self._guide(sheet)
            elif kind in (IDENTITY_SHEET, LISTS_SHEET):
                self._form_only(sheet, kind)
            else:
                for cell in sheet.in_order():
                    self.find(sheet, cell, "此工作表不屬於填報表，內容未彙整；如需納入，請移到「調查表」或「辦理情形」。",
                              Severity.WARNING)
        if self.ret.used:
            for kind in (SURVEY_SHEET, PROGRESS_SHEET):
                if kind not in seen_kinds and (kind == SURVEY_SHEET or self.reference.unit_rows(self.unit)):
                    self.ret.find(f"找不到「{kind}」工作表（可能被刪除或改名），此部分未填報。", Location(file=self.ret.file))
        if self.ret.used and self.unit is not None:
            self._missing_progress()

    def _kind(self, sheet: SheetData) -> str:
        """Which sheet of the form this is: by its name, else by its headings (a renamed or copied sheet)."""
        name = text_key(sheet.name)
        for kind in (SURVEY_SHEET, PROGRESS_SHEET, GUIDE_SHEET, IDENTITY_SHEET, LISTS_SHEET):
            if name == text_key(kind):
                return kind
        survey = _find_header_row(sheet, SURVEY_HEADERS)
        progress = _find_header_row(sheet, PROGRESS_HEADERS)
        if progress and len(progress[1]) >= 4 and PROGRESS_CODE in progress[1]:
            return PROGRESS_SHEET
        if survey and len(survey[1]) >= 3:
            return SURVEY_SHEET
        return ""

    def _form_only(self, sheet: SheetData, kind: str) -> None:
        """A sheet holding only the form's own text (identity, drop-down lists): anything else is reported."""
        reported = {(f.location.sheet, f.location.cell()) for f in self.ret.findings}  # a wrong identity value
        for cell in sheet.in_order():
            if (sheet.name, cell.coordinate) in reported:
                continue
            if not self.reference.is_form_text(kind, cell.value, self.unit):
                self.find(sheet, cell, f"「{kind}」工作表供表單使用，此格內容不屬於表單，未彙整。", Severity.WARNING)

    def _heading_cells(self, sheet: SheetData, header_row: int, known_columns: set[int], kind: str) -> None:
        """Title, note and headings: the form's own text; a heading the unit added is reported with its column."""
        for cell in sheet.in_order():
            if cell.row > header_row:
                break
            if cell.row == header_row and cell.column in known_columns:
                continue
            if not self.reference.is_form_text(kind, cell.value, self.unit):
                self.find(sheet, cell, "此格不是表單原有的標題或說明文字，內容未彙整。", Severity.WARNING)

    def _text(self, sheet: SheetData, cell: CellData | None) -> str:
        """The cell's text; a formula's cached result is used and the cell reported."""
        if cell is None:
            return ""
        if cell.error is not None:
            self.find(sheet, cell, f"儲存格顯示錯誤值 {cell.error}，未彙整；請改填文字或數字。")
            return ""
        if cell.formula is not None:
            if is_blank(cell.value):
                self.find(sheet, cell, "此格是公式但沒有計算結果，未彙整；請改填文字，或在 Excel 開啟後重新儲存。")
                return ""
            self.find(sheet, cell, f"此格是公式（{_formula_text(cell)}），已採用其計算結果；建議改填文字。", Severity.WARNING)
        cleaned = clean_text(cell.value)
        if cleaned.removed:
            self.find(sheet, cell, "含有無法儲存的控制字元，已刪除。", Severity.WARNING)
        return cleaned.text

    def _unknown_columns(self, sheet: SheetData, cells: dict[int, CellData], known: set[int], what: str) -> None:
        for column, cell in cells.items():
            if column not in known:
                self.find(sheet, cell, f"此欄不是「{what}」的填寫欄位，內容未彙整；請移到正確的欄位。")

    # -- 調查表 -----------------------------------------------------------------------------------------------------

    def _survey(self, sheet: SheetData) -> None:
        header = _find_header_row(sheet, SURVEY_HEADERS)
        if header is None:
            self.find(sheet, None, "找不到欄位標題列（構面名稱、項目、措施名稱、措施內容），已依原始欄位位置讀取；請核對。",
                      Severity.WARNING)
            header = (HEADER_ROW, {h: i for i, h in enumerate(SURVEY_HEADERS, 1)})
        header_row, columns = header
        for heading in SURVEY_HEADERS:
            if heading not in columns:
                self.find(sheet, None, f"缺少欄位「{heading}」（可能被刪除或改名），此欄內容無法讀取。")
        self._heading_cells(sheet, header_row, set(columns.values()), SURVEY_SHEET)
        dimension_column, topic_column, name_column, content_column = (columns.get(h) for h in SURVEY_HEADERS)
        merged = _merged_anchor(sheet)
        dimension = topic = ""
        for row, cells in sheet.rows().items():
            if row <= header_row:
                continue
            self._unknown_columns(sheet, cells, set(columns.values()), SURVEY_SHEET)
            dimension_cell = cells.get(dimension_column) or merged.get((row, dimension_column))
            topic_cell = cells.get(topic_column) or merged.get((row, topic_column))
            if dimension_cell is not None:
                new_dimension = self._text(sheet, dimension_cell)
                if new_dimension != dimension:
                    topic = ""  # a new dimension starts; its topic is on this row or below
                dimension = new_dimension
            if topic_cell is not None:
                topic = self._text(sheet, topic_cell)
            name_cell, content_cell = cells.get(name_column), cells.get(content_column)
            name, content = self._text(sheet, name_cell), self._text(sheet, content_cell)
            typed_labels = [c for c in (cells.get(dimension_column), cells.get(topic_column)) if c is not None]
            resolved = self._topic(sheet, dimension, topic, typed_labels, has_measure=bool(name or content))
            if not (name or content):
                continue
            filled = [c for c in (name_cell, content_cell) if c is not None and not is_blank(c.value)]
            if resolved is None:
                for cell in filled:
                    self.find(sheet, cell, "此列的構面或項目無法辨識，措施未彙整；請選擇正確的構面名稱與項目。")
                continue
            if dimension_cell is None and topic_cell is None:
                # an inserted or spare row: its labels are taken from the rows above, which may not be what was meant
                self.find(sheet, self._blank(row, dimension_column),
                          f"構面名稱與項目空白，已沿用上方的「{resolved[0]}／{resolved[1]}」；請確認。", Severity.WARNING)
            if not name:
                self.find(sheet, self._blank(row, name_column), "已填措施內容但未填措施名稱；請補填。")
            if not content:
                self.find(sheet, self._blank(row, content_column), "已填措施名稱但未填措施內容；請補填。")
            entries = [Entry(sheet.name, cell.coordinate, text)
                       for cell, text in ((name_cell, name), (content_cell, content)) if text]
            self.ret.measures.append(Measure(resolved[0], resolved[1], name, content, entries))

    @staticmethod
    def _blank(row: int, column: int | None) -> CellData:
        """An empty cell, to point at where a required entry is missing."""
        return CellData(row, column or 1, None)

    def _topic(self, sheet: SheetData, dimension: str, topic: str, typed: list[CellData],
               has_measure: bool) -> tuple[str, str] | None:
        """The master's (dimension, topic) of a row; a topic under the wrong dimension is placed by the topic.

        A typed 構面名稱 or 項目 the master does not know is reported with its content, measure or not.
        """
        topics = self.reference.topics
        pair = topics.get((text_key(dimension), text_key(topic)))
        if pair is not None:
            return pair
        matches = [p for (_, t), p in topics.items() if topic and t == text_key(topic)]
        if len(matches) == 1:
            if has_measure:
                self.find(sheet, typed[0] if typed else None,
                          f"項目「{topic}」屬於構面「{matches[0][0]}」，不是「{dimension}」；已依項目歸入「{matches[0][0]}」。",
                          Severity.WARNING)
            return matches[0]
        known = set(self.reference.dimensions) | {t for _, t in topics}
        for cell in typed:
            if cell.formula is None and cell.error is None and text_key(cell.value) not in known:
                self.find(sheet, cell, f"「{clean_text(cell.value).text}」不是計畫中的構面名稱或項目；請由下拉選單選取。")
        return None

    # -- 辦理情形 ---------------------------------------------------------------------------------------------------

    def _progress(self, sheet: SheetData) -> None:
        header = _find_header_row(sheet, (*PROGRESS_HEADERS, *self.count_headers))
        if header is None:
            self.find(sheet, None, "找不到欄位標題列（編號、評核重點、辦理情形…），此工作表無法讀取。")
            for cell in sheet.in_order():
                if not self.reference.is_form_text(PROGRESS_SHEET, cell.value, self.unit):
                    self.find(sheet, cell, "此工作表找不到欄位標題列，內容未彙整。")
            return
        header_row, columns = header
        self.progress_columns = columns
        for heading in (PROGRESS_CODE, PROGRESS_KEY_POINT, PROGRESS_INPUT):
            if heading not in columns:
                self.find(sheet, None, f"缺少欄位「{heading}」（可能被刪除或改名），無法完整讀取辦理情形。")
        self._heading_cells(sheet, header_row, set(columns.values()), PROGRESS_SHEET)
        inputs = {columns[h] for h in (PROGRESS_INPUT, *self.count_headers) if h in columns}
        references = {c for h, c in columns.items() if c not in inputs}
        unit_rows = self.reference.unit_rows(self.unit)
        current: ProgressRow | None = None
        for row, cells in sheet.rows().items():
            if row <= header_row:
                continue
            self._unknown_columns(sheet, cells, set(columns.values()), PROGRESS_SHEET)
            reference_cells = [cells[c] for c in sorted(references) if c in cells]
            typed = [cells[c] for c in sorted(inputs) if c in cells]
            target = self._key_point(sheet, cells, columns, unit_rows)
            if target is None and any(columns.get(h) in cells for h in (PROGRESS_CODE, PROGRESS_KEY_POINT)):
                for cell in reference_cells + typed:
                    self.find(sheet, cell, "此列的編號與評核重點無法對應計畫中的評核重點，內容未彙整。")
                current = None
                continue
            if target is None and typed and current is not None:
                self.find(sheet, typed[0], f"此列沒有編號，已併入上方評核重點「{current.code} {current.key_point.name}」。",
                          Severity.WARNING)
                target = current
            for cell in reference_cells:
                if not self.reference.is_form_text(PROGRESS_SHEET, cell.value, self.unit):
                    self.find(sheet, cell, "此格為表單的參考文字，內容已被修改；修改的內容未彙整，如需說明請填於「辦理情形」欄。",
                              Severity.WARNING)
            if target is None:
                for cell in typed:
                    self.find(sheet, cell, "此列沒有編號與評核重點，無法判斷是哪個評核重點的辦理情形，內容未彙整。")
                continue
            current = target
            self._progress_inputs(sheet, target, row, cells, columns)

    def _key_point(self, sheet: SheetData, cells: dict[int, CellData], columns: dict[str, int],
                   unit_rows: dict[str, ProgressRow]) -> ProgressRow | None:
        """The key point of a row: by its code, checked against its name; by its name when the code is gone."""
        code_cell, name_cell = cells.get(columns.get(PROGRESS_CODE)), cells.get(columns.get(PROGRESS_KEY_POINT))
        code = text_key(code_cell.value) if code_cell else ""
        name = text_key(name_cell.value) if name_cell else ""
        by_name = self.reference.rows_by_name.get(name, [])
        by_name = [r for r in by_name if r.code in unit_rows] or by_name
        row = self.reference.rows.get(code)
        if row is not None and name and text_key(row.key_point.name) != name and by_name:
            row = next((r for r in by_name if r.code == code), by_name[0])
            self.find(sheet, code_cell, f"編號「{code}」與評核重點「{name_cell.value}」不一致；已依評核重點判定為 {row.code}。",
                      Severity.WARNING)
        elif row is None and len({r.code for r in by_name}) == 1:
            row = by_name[0]
            if code_cell is not None:
                self.find(sheet, code_cell, f"編號「{code}」不存在；已依評核重點判定為 {row.code}。", Severity.WARNING)
        if row is not None and unit_rows is not self.reference.rows and row.code not in unit_rows:
            self.find(sheet, code_cell or name_cell,
                      f"評核重點 {row.code}「{row.key_point.name}」不是本單位承辦的項目；仍納入彙整，請確認。", Severity.WARNING)
        return row

    def _progress_inputs(self, sheet: SheetData, target: ProgressRow, row: int, cells: dict[int, CellData],
                         columns: dict[str, int]) -> None:
        if target.code not in self.ret.progress:
            self.ret.progress[target.code] = Progress(target.code, sheet.name, row)
        progress = self.ret.progress[target.code]
        text_cell = cells.get(columns.get(PROGRESS_INPUT))
        text = self._text(sheet, text_cell)
        if text:
            progress.text = f"{progress.text}\n{text}" if progress.text else text
            progress.entries.append(Entry(sheet.name, text_cell.coordinate, text))
        for header, year in self.count_headers.items():
            cell = cells.get(columns.get(header))
            if cell is None:
                continue
            count = self._count(sheet, cell)
            if count is None:
                continue
            if year in progress.counts:
                self.find(sheet, cell, f"{header}已於同一評核重點的其他列填寫（{progress.counts[year]}），此格未彙整。")
                continue
            progress.counts[year] = count
            progress.entries.append(Entry(sheet.name, cell.coordinate, count))

    def _count(self, sheet: SheetData, cell: CellData) -> int | None:
        """A case count: a whole number ≥ 0; full-width digits, thousands separators and a trailing 件 accepted."""
        if cell.error is not None or cell.formula is not None:
            text = self._text(sheet, cell)
            value: object = cell.value if text else None
            if value is None:
                return None
        else:
            value = cell.value
        if isinstance(value, bool):
            value = None
        elif isinstance(value, float) and value.is_integer():
            value = int(value)
        elif isinstance(value, str):
            digits = re.sub(r"\s", "", unicodedata.normalize("NFKC", value)).removesuffix("件")
            if _THOUSANDS.fullmatch(digits):
                digits = digits.replace(",", "")
            value = int(float(digits)) if _COUNT_TEXT.fullmatch(digits) else None
        if not isinstance(value, int) or value < 0:
            self.find(sheet, cell, f"「{clean_text(cell.value).text}」不是件數；請填 0 以上的整數，例：120。")
            return None
        return value

    def _missing_progress(self) -> None:
        """Every key point of the unit must have its 辦理情形 and, where asked, its case counts."""
        sheet_name = next((s.name for s in self.workbook.sheets if self._kind(s) == PROGRESS_SHEET), None)
        if sheet_name is None:
            return
        for code, row in self.reference.unit_rows(self.unit).items():
            progress = self.ret.progress.get(code)
            label = f"評核重點 {code}「{row.key_point.name}」"
            if progress is None:
                self.ret.find(f"找不到{label}的列（可能被刪除），未填報辦理情形。",
                              Location(file=self.ret.file, sheet=sheet_name))
                continue
            if not progress.text:
                self.ret.find(f"{label}未填辦理情形。", self._beside(progress, PROGRESS_INPUT))
            for year in row.case_count_years:
                if year not in progress.counts:
                    self.ret.find(f"{label}未填{case_count_header(year)}。",
                                  self._beside(progress, case_count_header(year)))

    def _beside(self, progress: Progress, header: str) -> Location:
        """The cell of a heading on a key point's row, when the sheet has that column."""
        column = self.progress_columns.get(header)
        return Location(file=self.ret.file, sheet=progress.sheet, row=progress.row,
                        column=column_letter(column) if column else None, header=header)

    # -- 說明 -------------------------------------------------------------------------------------------------------

    def _guide(self, sheet: SheetData) -> None:
        """填報日期, 填報人 and 聯絡電話, found by their labels in column A; the rest is the form's text."""
        labels = {clean_text(c.value).text: c.row for c in sheet.in_order() if c.column == 1}
        rows = {label: labels.get(label, default) for label, default in GUIDE_INPUT_ROWS.items()}
        contact = self.ret.contact
        for cell in sheet.in_order():
            label = next((name for name, row in rows.items() if row == cell.row), None)
            if label is not None and cell.column == 2:
                self._contact(sheet, cell, label)
            elif not self.reference.is_form_text(GUIDE_SHEET, cell.value, self.unit):
                self.find(sheet, cell, "此格不是填寫欄位（「說明」工作表只填填報日期、填報人與聯絡電話），內容未彙整。",
                          Severity.WARNING)
        if self.ret.unit is not None:
            for label, value in ((REPORT_DATE, contact.date), (REPORTER, contact.reporter), (PHONE, contact.phone)):
                if not value:
                    self.find(sheet, self._blank(rows[label], 2), f"未填{label}。", Severity.WARNING)

    def _contact(self, sheet: SheetData, cell: CellData, label: str) -> None:
        contact = self.ret.contact
        if label == REPORT_DATE:
            date = self._date(sheet, cell)
            if date is None:
                return
            contact.date = date
            contact.entries.append(Entry(sheet.name, cell.coordinate, date))
            return
        text = self._text(sheet, cell)
        if text:
            setattr(contact, "reporter" if label == REPORTER else "phone", text)
            contact.entries.append(Entry(sheet.name, cell.coordinate, text))

    def _date(self, sheet: SheetData, cell: CellData) -> dt.date | None:
        """The form's own date; one outside the plan's years (2081, or 1070625 read as a year) is reported and
        not used, so that a typo cannot make an old return look like the newest."""
        facts = self.reference.plan.facts
        if isinstance(cell.value, dt.datetime) and cell.error is None:
            if cell.formula is not None:
                self._text(sheet, cell)
            date: dt.date | None = cell.value.date()
            text = roc_date(date)
        else:
            text = self._text(sheet, cell)
            date = parse_date(text) if text else None
        example = f"請填如 {roc_date(facts.due_date)} 或 {facts.due_date:%Y/%m/%d}。"
        if text and date is None:
            self.find(sheet, cell, f"「{text}」不是日期；{example}")
        elif date is not None and abs(date.year - ROC_OFFSET - facts.year) > 1:
            self.find(sheet, cell, f"日期「{text}」與計畫年度 {facts.year} 年相差太多，不採用；{example}")
            return None
        return date


def _merged_anchor(sheet: SheetData) -> dict[tuple[int, int], CellData]:
    """For every covered cell of a merged range, the range's top-left cell (which holds the value)."""
    anchors: dict[tuple[int, int], CellData] = {}
    for top, left, bottom, right in sheet.merged:
        anchor = sheet.cells.get((top, left))
        if anchor is None:
            continue
        for row in range(top, bottom + 1):
            for column in range(left, right + 1):
                if (row, column) != (top, left):
                    anchors[row, column] = CellData(row, column, anchor.value, anchor.formula, anchor.error)
    return anchors


def _formula_text(cell: CellData) -> str:
    return f"={cell.formula}" if cell.formula else "共用公式"


def _content(cell: CellData) -> object:
    """What a cell holds, for the problems sheet: the value, and the formula beside it when there is one."""
    value = cell.error if cell.error is not None else cell.value
    if cell.formula is None:
        return clean_text(value).text if isinstance(value, str) else value
    shown = "" if is_blank(value) else f"{clean_text(value).text}　"
    return f"{shown}（公式 {clean_text(_formula_text(cell)).text}）"


# ---------------------------------------------------------------------------------------------------------------
# Two returns from one unit, and the whole command


def decide(reference: Reference, returns: list[Return]) -> Collection:
    """Keep the newest return of each unit (by the form's date, else the workbook's, else the file's); the others
    are superseded, listed with the reason, never dropped. A return with nothing filled in (the blank form sent
    back, an empty workbook) never supersedes one that has content, however new it is."""
    by_unit: dict[str, list[Return]] = {}
    for ret in returns:
        if ret.used and ret.unit is not None:
            by_unit.setdefault(ret.unit.name, []).append(ret)
    for unit_returns in by_unit.values():
        ordered = sorted(unit_returns, key=lambda r: (r.has_content, r.filed[0], r.modified or dt.datetime.min,
                                                      r.file_time or dt.datetime.min, r.file))
        newest = ordered[-1]
        when, by_what = newest.filed
        for older in ordered[:-1]:
            older_when, older_by = older.filed
            if older.has_content and (when, by_what) != (older_when, older_by):
                why = f"同單位另有較新的回報「{newest.file}」（該檔{by_what} {_when(when)}；本檔{older_by} {_when(older_when)}）"
            elif older.has_content:
                why = (f"同單位另有回報「{newest.file}」，兩檔{by_what}同為 {_when(when)}，"
                       f"依{_tie_breaker(newest, older)}採用該檔；請確認兩檔內容")
            else:
                why = f"本檔沒有填寫任何內容，同單位另有回報「{newest.file}」"
            older.set_aside(Status.SUPERSEDED, why + "，本檔內容列於「未採用內容」工作表。")
    return Collection(reference.plan, returns, reference.rows)


TAIWAN_TIME = dt.timedelta(hours=8)  # UTC+8 all year: Taiwan keeps no daylight saving time


def _tie_breaker(newest: Return, older: Return) -> str:
    """What decided between two returns whose dates are the same."""
    if newest.modified != older.modified:
        return f"活頁簿儲存時間（{_when(newest.modified or dt.datetime.min)}）"
    if newest.file_time != older.file_time:
        return f"檔案時間（{_when(newest.file_time or dt.datetime.min)}）"
    return "檔名排序"


def shown_time(stamp: dt.datetime) -> dt.datetime:
    """A time as the user reads it: save and file times are kept in UTC to compare, and shown in Taiwan's time;
    a 填報日期 (midnight) is a date and stays as it is."""
    return stamp if stamp.time() == dt.time() else stamp + TAIWAN_TIME


def _when(stamp: dt.datetime) -> str:
    if stamp == dt.datetime.min:
        return "不明"
    local = shown_time(stamp)
    return roc_date(local.date()) + ("" if local.time() == dt.time() else f" {local:%H:%M:%S}")


ProgressDisplay = Callable[[list[Path]], contextlib.AbstractContextManager]


@dataclass
class CollectReport:
    collection: Collection
    problems: list[Finding]
    folder: Path  # where the outputs were written
    written: list[Path]
    artifacts: list

    @property
    def summary(self) -> str:
        from .consolidate import summary_line

        return summary_line(self.collection, self.problems)


def collect(paths: Paths, returns_folder: Path, strict: bool = False,
            progress: ProgressDisplay = contextlib.nullcontext) -> CollectReport:
    """Read every file of the returns folder, check, merge and write the consolidated outputs.

    Nothing is written to the returns folder; with `strict`, any problem stops before anything is written.
    """
    from .consolidate import COLLECT_FOLDER, render_outputs
    from .validate import check_master

    plan = check_master(paths.source).require()  # --strict is about the returns, not the master's warnings
    output = paths.output / COLLECT_FOLDER
    if _inside(output, returns_folder):
        raise InputError("輸出資料夾不可位於回報資料夾內（彙整結果會被當成回報讀取）；請以 --output 指定其他位置。",
                         Location(file=str(paths.output)))
    reference = Reference(plan)
    files = find_files(returns_folder)
    with _reader(reference, returns_folder, len(files)) as read_all, progress(files) as each:
        returns = [ret for _, ret in zip(each, read_all(files))]
    collection = decide(reference, returns)
    problems = collection.problems()
    if strict and problems:
        raise ValidationFailed([f.problem for f in problems])
    outputs = render_outputs(collection, problems, paths, in_parallel=workers_for(len(files)) > 0)
    written = outputs.write(output)
    return CollectReport(collection, problems, output, written, outputs.artifacts)


PARALLEL_FILES = 64  # fewer files are read sooner than worker processes start
MAX_WORKERS = 4
_shared: tuple = ()  # what a worker process works with, set once when it starts


def _share(*values) -> None:
    global _shared
    _shared = values


def shared() -> tuple:
    return _shared


def workers_for(count: int) -> int:
    """How many worker processes are worth starting for `count` files: none for a few, else one per core."""
    cores = min(os.cpu_count() or 1, MAX_WORKERS)
    return cores if count >= PARALLEL_FILES and cores > 1 else 0


@contextlib.contextmanager
def worker_pool(workers: int, *values):
    """Worker processes sharing `values`: forked where possible, so they receive them without pickling."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_share, initargs=values) as pool:
        yield pool


def _read_shared(path: Path) -> Return:
    reference, folder = shared()
    return read_return(reference, folder, path)


@contextlib.contextmanager
def _reader(reference: Reference, folder: Path, count: int):
    """A function reading files into Returns in order: in worker processes, one per core, when there are many."""
    workers = workers_for(count)
    if not workers:
        yield lambda files: (read_return(reference, folder, path) for path in files)
        return
    reference.is_form_text(SURVEY_SHEET, "", None)  # render the blank forms once, before the workers start
    with worker_pool(workers, reference, folder) as pool:
        yield lambda files: pool.map(_read_shared, files, chunksize=max(1, min(32, count // (workers * 8))))


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True
