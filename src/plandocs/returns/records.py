"""What collect knows of each returned file: its unit, its values with their cells, and its findings.

Each file of the returns folder becomes a Return: which unit sent it and how that was recognised, the
measures of its 調查表, the progress of its 辦理情形, and findings — problems located to the cell, each
with the cell's content, so that nothing a unit typed is ever dropped silently.
"""
from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from ..documents.fill_in_form import REPORT_DATE, ProgressRow
from ..errors import Location, Problem, Severity
from ..master.model import Plan, Unit
from ..text import is_blank


class Status(enum.Enum):
    """What became of a unit or a file, as the returns ledger shows it."""

    RETURNED = "已回報"
    MISSING = "未回報"
    SUPERSEDED = "已被取代"
    UNREADABLE = "無法讀取"
    UNIDENTIFIED = "無法辨識單位"
    REJECTED = "不採用"
    SKIPPED = "略過"
    UNUSABLE_FORMAT = "格式無法彙整"  # the unit replied, in a kind of file nothing can read cell by cell (PDF, image)


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
    kind: str = ""  # the kind of file, e.g. 「Word 文件（.docx）」
    read_as: str = ""  # how it was read: 直接讀取 or 經 LibreOffice 轉檔
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
            return self.modified, "文件儲存時間" if "文件" in self.kind else "活頁簿儲存時間"
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
        """Units that sent nothing: a unit whose file could not be consolidated (a PDF) did reply."""
        returned = self.used_by_unit().keys() | self.unusable_units()
        return [u for u in self.plan.receiving_units() if u.name not in returned]

    def unusable_units(self) -> set[str]:
        """Units that replied only in a kind of file that cannot be consolidated (格式無法彙整)."""
        used = self.used_by_unit()
        return {r.unit.name for r in self.returns
                if r.status is Status.UNUSABLE_FORMAT and r.unit is not None and r.unit.name not in used}

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
