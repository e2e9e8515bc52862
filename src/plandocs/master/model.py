"""The typed plan: what every document and every check works from, once the master's rows are converted."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..errors import Location
from ..text import roc_date
from .schema import INDIVIDUAL, Fact



@dataclass(frozen=True)
class Paragraph:
    """One paragraph of an outline; level None is an unnumbered paragraph."""

    level: int | None
    text: str
    location: Location
    level_location: Location | None = None  # the 層級 cell, for outline problems


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

    @property
    def units(self) -> tuple[Unit, ...]:
        """Every unit responsible, directly or through a group, each once, in order of mention."""
        return tuple(dict.fromkeys(u for ref in self.responsible for u in ref.units))


@dataclass
class Item:
    name: str | None  # None for the single container of an overall dimension (no items)
    location: Location
    key_points: list[KeyPoint] = field(default_factory=list)


@dataclass
class Dimension:
    name: str
    kind: str
    points: int
    location: Location
    items: list[Item] = field(default_factory=list)
    points_location: Location | None = None

    @property
    def has_items(self) -> bool:
        return self.kind == INDIVIDUAL

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
    def heading_name(self) -> str:
        return f"{self.kind}-{self.name}（{self.points}分）"


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
    members: list[Member] = field(default_factory=list)
    duties: list[Paragraph] = field(default_factory=list)
    note: UnitRef | None = None


@dataclass(frozen=True)
class Facts:
    agency: str
    self_reference: str
    year: int
    plan_name: str
    issue_date: dt.date
    document_number: str
    measures_title: str
    survey_title: str
    roster_title: str
    due_date: dt.date
    recipient: str
    form_version: int
    locations: dict[Fact, Location]
    office: str = ""  # 承辦單位 (optional fact)
    officer: str = ""  # 承辦人 (optional fact)

    @property
    def title(self) -> str:
        return f"{self.agency}{self.year}年度{self.plan_name}"

    def unit_survey_title(self, unit_name: str) -> str:
        """The title of one unit's 附表2, e.g. 臺北市政府警察局督察室107年提升服務品質…調查表."""
        return f"{self.agency}{unit_name}{self.year}年{self.survey_title}"

    @property
    def issue_line(self) -> str:
        return f"{self.self_reference}{roc_date(self.issue_date)}{self.document_number}函頒"


@dataclass
class Plan:
    facts: Facts
    body: list[Paragraph]
    dimensions: list[Dimension]
    units: list[Unit]
    groups: list[Group]
    roster: list[RosterGroup]

    def receiving_units(self) -> list[Unit]:
        return [u for u in self.units if u.receives_survey]
