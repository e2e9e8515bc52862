"""What collect knows of each returned file: its unit, its values with their cells, and its findings.

Each file of the returns folder becomes a Return: which unit sent it and how that was recognised, the
measures of its 調查表, the progress of its 辦理情形, and findings — problems located to the cell, each
with the cell's content, so that nothing a unit typed is ever dropped silently.
"""
from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from ..documents.fill_in_form import (
    CASE_COUNT_WORD, GUIDE_SHEET, PROGRESS_INPUT, REPORT_DATE, REPORTER, ProgressRow, progress_rows,
)
from ..errors import Location, Problem, Severity
from ..master.model import Plan, Unit
from ..text import is_blank, name_key, taiwan_time


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


class State(enum.Enum):
    """What a unit's return calls for; a unit may carry several (逾期 and 內容不全), and is counted under one."""

    RETURNED = "已回報"
    INCOMPLETE = "內容不全"
    LATE = "逾期"
    NEEDS_CORRECTION = "需補正"
    UNUSABLE = "格式無法彙整"
    MISSING = "未回報"
    SUPERSEDED = "已被取代"  # of a file: the unit sent a newer one


# Each unit is counted under one primary state, the first of these it carries: the report, the chart, the ledger
# and the 催報 then add up to the units expected. 逾期 is a flag beside it: a late but complete return is recorded.
PRIMARY_STATES = (State.MISSING, State.UNUSABLE, State.NEEDS_CORRECTION, State.INCOMPLETE, State.RETURNED)
# The primary states of a unit whose form could be consolidated (the 回報率 counts them)
RECEIVED_STATES = (State.NEEDS_CORRECTION, State.INCOMPLETE, State.RETURNED)


# A unit that sent something in a format that cannot be merged (a Word form, a PDF, a damaged workbook)
# has returned nothing usable: these file kinds are attributed to a unit by the file name when no form
# identity could be read.
DOCUMENT_SUFFIXES = (".docx", ".doc", ".odt", ".pdf", ".ods", ".xls", ".csv", ".rtf")


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

    def __reduce__(self):
        # a frozen slotted record otherwise loads through dataclasses' setstate, a call per field; the parent
        # loads an entry for every value of every return the workers send, and this way loads them twice as fast
        return Entry, (self.sheet, self.cell, self.value)


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


def is_blank_finding(finding: Finding) -> bool:
    """Whether a finding is about something left blank on a key point (辦理情形, case counts, a deleted row):
    what makes a return 內容不全 rather than wrong."""
    location = finding.location
    if location.sheet and location.row is None and location.cell() == "" and "未填報辦理情形" in finding.problem.message:
        return True  # the key point's row was deleted
    header = location.header or ""
    return is_blank(finding.content) and (header == PROGRESS_INPUT or header.endswith(CASE_COUNT_WORD))


def blank_contact_message(label: str) -> str:
    """What the reader says of a 填報日期, 填報人 or 聯絡電話 left blank; the states find these by it."""
    return f"未填{label}。"


def blank_contact(ret: Return) -> list[str]:
    """The 填報日期 and 填報人 a return's 說明 sheet leaves blank, as the reader found them; a Word 附表2 has no
    such cells, and what a form does not ask for is not owed."""
    said = {f.problem.message for f in ret.findings if f.location.sheet == GUIDE_SHEET}
    return [label for label in (REPORT_DATE, REPORTER) if blank_contact_message(label) in said]


@dataclass
class UnitState:
    """A receiving unit after collect: its states, the return used (if any) and what each state is about."""

    unit: Unit
    states: tuple[State, ...]
    ret: Return | None = None
    blank_key_points: list[ProgressRow] = field(default_factory=list)  # no 辦理情形 or a count asked for
    # (dimension, topic) without a measure that the unit owes: a required item, or every item when it proposed none
    blank_topics: list[tuple[str, str]] = field(default_factory=list)
    # (dimension, topic) it chose to propose nothing for, as the survey allows: information, never chased
    unproposed_topics: list[tuple[str, str]] = field(default_factory=list)
    blank_contact: list[str] = field(default_factory=list)  # 填報日期 / 填報人 left blank
    errors: list[Finding] = field(default_factory=list)  # to be corrected (errors, not blanks)
    blanks: list[Finding] = field(default_factory=list)  # the findings of the blank key points
    unusable: list[Return] = field(default_factory=list)  # files of the unit that could not be merged
    filed: dt.date | None = None  # the day the return was made, in Taiwan's time, when known
    sender: bool = False  # the unit the returns are sent to (收件單位 / 承辦單位): it is never written to

    @property
    def primary(self) -> State:
        """The one state the unit is counted under."""
        return next(state for state in PRIMARY_STATES if state in self.states)

    @property
    def received(self) -> bool:
        """Whether a return of the unit was consolidated (what the 回報率 counts)."""
        return self.primary in RECEIVED_STATES

    @property
    def flags(self) -> tuple[State, ...]:
        """The states beside the primary one (逾期, or 內容不全 beside 需補正): information."""
        return tuple(state for state in self.states if state not in (self.primary, State.RETURNED))

    @property
    def to_chase(self) -> bool:
        """Whether the unit must be written to: it has something to do, and is not the office that collects."""
        return not self.sender and self.primary is not State.RETURNED

    @property
    def label(self) -> str:
        """The primary state first, then the flags: 「已回報、逾期」, 「需補正、內容不全」."""
        return "、".join(state.value for state in (self.primary, *self.flags))


@dataclass
class Collection:
    """Every return of the folder, decided: which are used, which superseded, and the units still missing."""

    plan: Plan
    returns: list[Return]
    rows: dict[str, ProgressRow]  # every key point of the plan by code
    as_of: dt.date | None = None  # the day the collection stands at (collect's day or --as-of)
    _states: list[UnitState] | None = field(default=None, repr=False, compare=False)

    def used(self) -> list[Return]:
        return [r for r in self.returns if r.used]

    def used_by_unit(self) -> dict[str, Return]:
        return {r.unit.name: r for r in self.used()}

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

    def _files_by_unit(self) -> dict[str, list[Return]]:
        """The files not used of each unit, and the document-like files named after a unit (a Word form)."""
        keys = sorted(((name_key(u.name), u) for u in self.plan.receiving_units()), key=lambda p: -len(p[0]))
        found: dict[str, list[Return]] = {}
        for ret in self.returns:
            if ret.used:
                continue
            unit = ret.unit
            if unit is None and ret.status in (Status.SKIPPED, Status.UNREADABLE, Status.UNUSABLE_FORMAT) \
                    and ret.file.lower().endswith(DOCUMENT_SUFFIXES + (".xlsx", ".xlsm")):
                stem = name_key(ret.file.rsplit("/", 1)[-1])
                unit = next((u for key, u in keys if key and key in stem), None)
            if unit is not None and ret.status in (Status.SKIPPED, Status.UNREADABLE, Status.UNUSABLE_FORMAT,
                                                   Status.REJECTED):  # an old form or another year's
                found.setdefault(unit.name, []).append(ret)
        return found

    def states(self) -> list[UnitState]:
        """Every receiving unit (and any other unit that returned) with its states, in the master's order.

        Worked out once: the ledger, the chart, the report, the 補正 workbooks and the 催報 all use them."""
        if self._states is None:
            self._states = self._decide_states()
        return self._states

    def sender_names(self) -> set[str]:
        """The units the returns go to (收件單位, 承辦單位): the office collecting them chases no one of its own."""
        facts = self.plan.facts
        names = {name_key(n) for n in (facts.recipient, facts.office) if n}
        return {u.name for u in self.plan.units if names & {name_key(n) for n in (u.name, *u.aliases)}}

    def _decide_states(self) -> list[UnitState]:
        used = self.used_by_unit()
        unusable = self._files_by_unit()
        senders = self.sender_names()
        due = self.plan.facts.due_date
        units = self.plan.receiving_units() + [r.unit for r in self.used() if not r.unit.receives_survey]
        listed = []
        for unit in units:
            ret = used.get(unit.name)
            if ret is None:
                # a unit that replied in a file nothing can consolidate did reply: it is asked again, not chased
                states = (State.UNUSABLE,) if unusable.get(unit.name) else (State.MISSING,)
                listed.append(UnitState(unit, states, unusable=unusable.get(unit.name, []),
                                        sender=unit.name in senders))
                continue
            state = UnitState(unit, (), ret, unusable=unusable.get(unit.name, []), sender=unit.name in senders)
            for finding in ret.findings:
                if is_blank_finding(finding):
                    state.blanks.append(finding)
                elif finding.problem.is_error:
                    state.errors.append(finding)
            wrong_rows = {(f.location.sheet, f.location.row) for f in state.errors}
            for row in progress_rows(self.plan, unit):
                progress = ret.progress.get(row.code)
                if progress is None or not progress.text or (
                        (progress.sheet, progress.row) not in wrong_rows  # a count typed wrong is not blank
                        and any(y not in progress.counts for y in row.case_count_years)):
                    state.blank_key_points.append(row)
            self._owed_topics(state)
            state.blank_contact = blank_contact(ret)
            when, by_what = ret.filed
            if when != dt.datetime.min:
                state.filed = (when if by_what == REPORT_DATE else taiwan_time(when)).date()
            states = [State.RETURNED]
            if state.blank_key_points or state.blank_topics or state.blank_contact:
                states.append(State.INCOMPLETE)
            if state.filed and state.filed > due:
                states.append(State.LATE)
            if state.errors:
                states.append(State.NEEDS_CORRECTION)
            state.states = tuple(states)
            listed.append(state)
        return listed

    def _owed_topics(self, state: UnitState) -> None:
        """Split the survey topics the unit proposed nothing for into those it owes (the master's required items,
        or all of them when it proposed no measure at all) and those the survey lets it leave blank."""
        proposed = {(m.dimension, m.topic) for m in state.ret.measures}
        for dimension in self.plan.dimensions:
            required = dimension.required_topics
            for topic in dimension.survey_topics:
                if (dimension.name, topic) not in proposed:
                    owed = not proposed or topic in required
                    (state.blank_topics if owed else state.unproposed_topics).append((dimension.name, topic))
