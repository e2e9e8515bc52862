"""The typed plan: what every document and every check works from, once the master's rows are converted."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..errors import Location
from ..text import ROC_OFFSET, roc_date
from .schema import AttachmentKind, Column, DimensionLayout, Fact


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of an outline; level None is an unnumbered paragraph."""

    level: int | None
    text: str
    location: Location
    level_location: Location | None = None  # the 層級 cell, for outline problems
    level_unreadable: bool = False  # a level was typed but is not one: reported once, the next level is not judged by it


@dataclass(frozen=True)
class Unit:
    name: str
    category: str
    aliases: tuple[str, ...]
    receives_survey: bool
    location: Location
    email: str = ""  # the 單位 sheet's optional 電子郵件


@dataclass(frozen=True)
class Group:
    name: str
    categories: tuple[str, ...]
    location: Location
    aliases: tuple[str, ...] = ()
    unit_names: tuple[str, ...] = ()  # units the group lists by name, besides whole categories
    named_only: bool = False  # 群組涵蓋類別 left blank: printed as written, reaching no unit

    def covers(self, unit: Unit) -> bool:
        return unit.category in self.categories or unit.name in self.unit_names


@dataclass(frozen=True)
class UnitRef:
    """A unit or group as the user wrote it, with the units it reaches."""

    written: str
    units: tuple[Unit, ...]
    location: Location
    group: Group | None = None


@dataclass
class KeyPoint:
    name: str
    location: Location
    practices: list[Paragraph] = field(default_factory=list)
    deadline: str = ""
    due_date: dt.date | None = None
    responsible: tuple[UnitRef, ...] = ()
    due_date_location: Location | None = None
    added: dict[str, str] = field(default_factory=dict)  # the texts of the columns a plan adds, by heading

    @property
    def units(self) -> tuple[Unit, ...]:
        """Every unit responsible, directly or through a group, each once, in order of mention."""
        return tuple(dict.fromkeys(u for ref in self.responsible for u in ref.units))


@dataclass
class Item:
    name: str | None  # None for the single container of an overall dimension (no items)
    location: Location
    key_points: list[KeyPoint] = field(default_factory=list)
    survey_required: bool = False  # a unit must propose a measure for it (the 評核項目 sheet's 調查表必填)


@dataclass
class Dimension:
    name: str  # "" for the one table of a plan without dimensions
    kind: str  # "" when the plan gives none
    points: int | None
    location: Location
    items: list[Item] = field(default_factory=list)
    points_location: Location | None = None
    defined_items: bool = False  # the 評核項目 sheet lists items for it

    @property
    def has_items(self) -> bool:
        return self.defined_items

    @property
    def key_points(self) -> list[KeyPoint]:
        return [kp for item in self.items for kp in item.key_points]

    @property
    def survey_topics(self) -> list[str]:
        """The 項目 rows of the survey form: the items, or the key points where there are none."""
        if self.has_items:
            return [item.name for item in self.items if item.name]
        return [kp.name for kp in self.key_points]

    @property
    def required_topics(self) -> list[str]:
        """The survey topics a unit may not leave without a measure; the others it proposes for as it sees fit."""
        return [item.name for item in self.items if item.name and item.survey_required]

    @property
    def heading_name(self) -> str:
        """What the master says of the dimension, e.g. 個別評核構面-基礎服務（200分）; only what is filled in."""
        name = f"{self.kind}-{self.name}" if self.kind and self.name else self.kind or self.name
        return name + (f"（{self.points}分）" if self.points is not None else "")


@dataclass
class Member:
    role: str
    title: str
    name: str
    location: Location


@dataclass
class RosterGroup:
    name: str
    location: Location
    attachment: str = ""  # the label of the roster it is printed in (附表3's 附表, else the plan's first roster)
    members: list[Member] = field(default_factory=list)
    duties: list[Paragraph] = field(default_factory=list)
    note: UnitRef | None = None


@dataclass(frozen=True)
class Attachment:
    label: str  # 附表1, 附表, 附件一 …: printed above the title and used in file names
    kind: AttachmentKind
    title: str
    location: Location


@dataclass(frozen=True)
class TableColumn:
    column: Column | None  # None for a column the plan adds: its text is 附表1's column `added`
    heading: str
    width: int
    added: str = ""


@dataclass(frozen=True)
class Facts:
    agency: str
    self_reference: str
    year: int
    plan_name: str
    issue_date: dt.date | None
    document_number: str
    due_date: dt.date | None
    recipient: str
    form_version: int
    locations: dict[Fact, Location]
    issue_word: str = ""
    total_points: int | None = None
    attachments: tuple[Attachment, ...] = ()
    office: str = ""  # 承辦單位 (optional fact)
    officer: str = ""  # 承辦人 (optional fact)
    written_title: str = ""  # 計畫標題 (optional fact): the whole title, used as it is
    dimension_layout: DimensionLayout = DimensionLayout.HEADING  # 構面呈現 (optional fact)
    numbering: dict[Column, int | None] = field(default_factory=dict)  # 構面編號 … : the depth, None for 不編號

    def numbering_depth(self, column: Column, default: int | None) -> int | None:
        """The outline depth a level of the measures table is numbered at (一、 2, (一) 3), None for none:
        as its 編號 fact says, else `default`."""
        return self.numbering.get(column, default)

    def attachment(self, kind: AttachmentKind) -> Attachment | None:
        """The plan's attachment of that kind, the first of them for rosters, of which a plan may have several."""
        return next((a for a in self.attachments if a.kind == kind), None)

    def attachments_of(self, kind: AttachmentKind) -> tuple[Attachment, ...]:
        return tuple(a for a in self.attachments if a.kind == kind)

    def _title_of(self, kind: AttachmentKind) -> str:
        attachment = self.attachment(kind)
        return attachment.title if attachment else ""

    @property
    def measures_title(self) -> str:
        return self._title_of(AttachmentKind.MEASURES)

    @property
    def survey_title(self) -> str:
        return self._title_of(AttachmentKind.SURVEY)

    @property
    def roster_title(self) -> str:
        return self._title_of(AttachmentKind.ROSTER)

    @property
    def document_date(self) -> dt.date:
        """The date stamped into outputs: the issue date, or 1 January of the plan year while none is set."""
        return self.issue_date or dt.date(self.year + ROC_OFFSET, 1, 1)

    @property
    def title(self) -> str:
        """The plan's title: 計畫標題 as written, or 機關名稱＋計畫年度＋「年度」＋計畫名稱."""
        return self.written_title or f"{self.agency}{self.year}年度{self.plan_name}"

    @property
    def title_after_agency(self) -> str:
        """The title without the agency's name it begins with (107年度提升服務品質執行計畫), for the places
        that name the plan after a unit: 「…中山分局107年度…辦理情形」, 「本單位107年度…之措施」."""
        return self.title.removeprefix(self.agency)

    @property
    def typed_names(self) -> frozenset[str]:
        """The names typed in the master that a title is made of: a title breaks between them, never inside."""
        return frozenset(n for n in (self.agency, self.plan_name, self.written_title,
                                     *(attachment.title for attachment in self.attachments)) if n)

    def unit_survey_title(self, unit_name: str) -> str:
        """The title of one unit's 附表2, e.g. 臺北市政府警察局督察室107年提升服務品質…調查表."""
        return f"{self.agency}{unit_name}{self.year}年{self.survey_title}"

    @property
    def issue_line(self) -> str:
        """本局107年4月2日北市警秘字第…號函頒: only what the master gives; nothing while the plan is not issued."""
        if self.issue_date is None and not self.document_number:
            return ""
        date = roc_date(self.issue_date) if self.issue_date else ""
        return f"{self.self_reference}{date}{self.document_number}{self.issue_word}"


@dataclass
class Plan:
    facts: Facts
    body: list[Paragraph]
    dimensions: list[Dimension]
    units: list[Unit]
    groups: list[Group]
    roster: list[RosterGroup]
    columns: list[TableColumn] = field(default_factory=list)  # of the measures table, in order
    table_in_body_at: int | None = None  # the measures table stands in the body before this paragraph, not attached

    @property
    def attached(self) -> tuple[Attachment, ...]:
        """The attachments printed after the body: all but a measures table that stands in the body."""
        in_body = self.table_in_body_at is not None
        return tuple(a for a in self.facts.attachments if not (in_body and a.kind is AttachmentKind.MEASURES))

    def roster_of(self, attachment: Attachment) -> list[RosterGroup]:
        """The groups printed in one roster attachment."""
        return [group for group in self.roster if group.attachment == attachment.label]

    @property
    def dimension_numbering(self) -> int | None:
        """The depth the dimensions are numbered at: 一、 above or across the table, none in a column of it,
        unless 構面編號 says."""
        in_column = any(c.column is Column.DIMENSION for c in self.columns)
        return self.facts.numbering_depth(Column.DIMENSION, None if in_column else 2)

    def numbering(self, column: Column) -> int | None:
        """The depth a level of the measures table (構面, 評核項目, 評核重點) is numbered at, None for none."""
        return self.dimension_numbering if column is Column.DIMENSION else self.facts.numbering_depth(column, None)

    @property
    def unit_names(self) -> frozenset[str]:
        """The units' names: kept whole on a line wherever a table prints them."""
        return frozenset(u.name for u in self.units)

    def receiving_units(self) -> list[Unit]:
        """The units that get a form to fill in: none when the plan has no survey."""
        if self.facts.attachment(AttachmentKind.SURVEY) is None:
            return []
        return [u for u in self.units if u.receives_survey]
