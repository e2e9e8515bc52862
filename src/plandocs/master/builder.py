"""Stage 2: the typed plan, built from the rows of the master; every conversion failure is a located problem."""
from __future__ import annotations

import datetime as dt
import re

from ..errors import Location, Problem, Severity
from ..numbering import MAX_DEPTH
from ..text import clean_text, describe_characters, name_key, parse_date, roc_date, suggestion, whole_number
from .load import Cell, RawMaster, Row, shown
from .model import (
    Dimension, Facts, Group, Item, KeyPoint, Member, Paragraph, Plan, RosterGroup, Unit, UnitRef,
)
from .schema import (
    BODY, DIMENSION_KINDS, DIMENSIONS, FACT_KINDS, FACTS, GROUP_CATEGORY, INDIVIDUAL, ITEMS, MEASURES, NO, OVERALL, ROSTER,
    OPTIONAL_FACTS, UNIT_CATEGORIES, UNIT_EMAIL, UNITS, YES, Fact, Kind,
)


class _Builder:
    """Converts located cells to typed values; each failure is recorded and a neutral value returned."""

    def __init__(self, master: RawMaster):
        self.master = master
        self.problems: list[Problem] = []
        self.directory: dict[str, Unit | Group] = {}

    def error(self, message: str, location: Location, severity: Severity = Severity.ERROR) -> None:
        self.problems.append(Problem(message, location, severity))

    def text(self, cell: Cell, required: bool = False) -> str:
        if isinstance(cell.value, dt.datetime):
            # Excel turns 6/29 typed in a text column into a date; print it the way official documents do
            printed = roc_date(cell.value.date())
            self.error(f"此格是 Excel 日期，文件中印為「{printed}」；若要照原樣印出，請將儲存格格式設為「文字」後重新輸入。",
                       cell.location, Severity.WARNING)
            return printed
        cleaned = clean_text(cell.value)
        if cleaned.removed:
            self.error(f"含有 Word 無法儲存的控制字元（{describe_characters(cleaned.removed)}），已刪除。",
                       cell.location, Severity.WARNING)
        if required and not cleaned.text:
            self.error("此欄不可空白。", cell.location)
        return cleaned.text

    def integer(self, cell: Cell, required: bool = True) -> int | None:
        if cell.blank:
            if required:
                self.error("此欄不可空白，請填入整數。", cell.location)
            return None
        value = whole_number(cell.value)
        if value is None:
            self.error(f"「{shown(cell.value)}」不是整數，請填入數字。", cell.location)
        return value

    def level(self, cell: Cell, deepest: int) -> int | None:
        if cell.blank:
            return None
        value = whole_number(cell.value)
        if value is None or not 1 <= value <= deepest:
            self.error(f"層級「{shown(cell.value)}」不正確：須為 1 到 {deepest} 的整數，"
                       "或空白表示不編號的段落。", cell.location)
            return None
        return value

    def date(self, cell: Cell, required: bool = True) -> dt.date | None:
        if cell.blank:
            if required:
                self.error("此欄不可空白，請填入日期（例：2018/6/29）。", cell.location)
            return None
        value = cell.value
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        parsed = parse_date(clean_text(value).text)
        if parsed is None:
            self.error(f"「{shown(value)}」不是日期，請填入 Excel 日期（例：2018/6/29）。", cell.location)
        return parsed

    def yes_no(self, cell: Cell, default: bool) -> bool:
        text = self.text(cell)
        if not text:
            return default
        if text not in (YES, NO):
            self.error(f"請填「{YES}」或「{NO}」。", cell.location)
            return default
        return text == YES

    def choice(self, cell: Cell, choices: list[str], what: str) -> str:
        text = self.text(cell, required=True)
        if text and text not in choices:
            self.error(f"「{text}」不是已定義的{what}{suggestion(text, choices)}。", cell.location)
        return text

    def unit_ref(self, cell: Cell) -> UnitRef | None:
        written = self.text(cell)
        if not written:
            return None
        target = self.directory.get(name_key(written))
        if target is None:
            self.error(f"「{shown(written)}」不是「單位」工作表中的單位、別名或群組"
                       f"{suggestion(written, self.directory_names())}。", cell.location)
            return None
        self.official_spelling(written, cell)
        if isinstance(target, Group):
            members = tuple(u for u in self.units if u.category in target.categories)
            return UnitRef(written, members, cell.location, target)
        return UnitRef(written, (target,), cell.location)

    def official_spelling(self, name: str, cell: Cell) -> None:
        """Official names are written with 臺; a name or title is printed as typed, so 台 is pointed out."""
        if "台" in name:
            self.error(f"「{shown(name)}」中的「台」在公文中應寫作「臺」；文件照填寫文字印出，請改正。",
                       cell.location, Severity.WARNING)

    def directory_names(self) -> list[str]:
        names: list[str] = []
        for entry in dict.fromkeys(self.directory.values()):
            names.append(entry.name)
            names.extend(entry.aliases)
        return names

    @property
    def units(self) -> list[Unit]:
        return [e for e in dict.fromkeys(self.directory.values()) if isinstance(e, Unit)]





def build_plan(master: RawMaster) -> tuple[Plan | None, list[Problem]]:
    """Build the plan from the loaded rows; the plan is None when a sheet it needs or one of its headings is missing."""
    builder = _Builder(master)
    needed = (FACTS, BODY, DIMENSIONS, ITEMS, MEASURES, UNITS, ROSTER)
    if any(spec.name not in master.sheets or not master.sheets[spec.name].usable for spec in needed):
        return None, builder.problems
    facts = _facts(builder, master.sheets[FACTS.name].rows)
    units, groups = _units(builder, master.sheets[UNITS.name].rows)
    body = [_paragraph(builder, row, "內容", MAX_DEPTH, required=True) for row in master.sheets[BODY.name].rows]
    dimensions = _dimensions(builder, master)
    roster = _roster(builder, master.sheets[ROSTER.name].rows)
    if facts is None:
        return None, builder.problems
    return Plan(facts, body, dimensions, units, groups, roster), builder.problems


def _paragraph(builder: _Builder, row: Row, header: str, deepest: int, required: bool) -> Paragraph:
    return Paragraph(builder.level(row["層級"], deepest), builder.text(row[header], required), row[header].location,
                     row["層級"].location)


def _facts(builder: _Builder, rows: list[Row]) -> Facts | None:
    found: dict[Fact, Cell] = {}
    names = [f.value for f in Fact]
    for row in rows:
        name = builder.text(row["項目"])
        if not name:
            if not row["內容"].blank:
                builder.error(f"此列有內容「{shown(row['內容'].value)}」但沒有項目名稱；請填寫項目（例：機關名稱），"
                              "否則內容不會使用。", row["項目"].location)
            continue
        if name not in names:
            builder.error(f"「{shown(name)}」不是計畫資料的項目，內容不會使用{suggestion(name, names)}。",
                          row["項目"].location, Severity.WARNING)
            continue
        fact = Fact(name)
        if fact in found:
            builder.error(f"「{name}」重複，已於第 {found[fact].location.row} 列填寫。", row["項目"].location)
            continue
        found[fact] = row["內容"]
    missing = [f for f in Fact if f not in found and f not in OPTIONAL_FACTS]
    for fact in missing:
        builder.error(f"缺少項目「{fact.value}」，請新增一列並填寫內容。", builder.master.where(FACTS.name))
    values: dict[Fact, object] = {}
    for fact, cell in found.items():
        match FACT_KINDS.get(fact, Kind.TEXT):
            case Kind.INTEGER:
                values[fact] = builder.integer(cell)
            case Kind.DATE:
                values[fact] = builder.date(cell)
            case _:
                values[fact] = builder.text(cell, required=fact not in OPTIONAL_FACTS)
                builder.official_spelling(values[fact], cell)
    for fact in OPTIONAL_FACTS:
        values.setdefault(fact, "")
    if missing or any(v is None for v in values.values()):
        return None
    return Facts(
        agency=values[Fact.AGENCY], self_reference=values[Fact.SELF_REFERENCE], year=values[Fact.YEAR],
        plan_name=values[Fact.PLAN_NAME], issue_date=values[Fact.ISSUE_DATE],
        document_number=values[Fact.DOCUMENT_NUMBER], measures_title=values[Fact.MEASURES_TITLE],
        survey_title=values[Fact.SURVEY_TITLE], roster_title=values[Fact.ROSTER_TITLE],
        due_date=values[Fact.DUE_DATE], recipient=values[Fact.RECIPIENT], form_version=values[Fact.FORM_VERSION],
        office=values[Fact.OFFICE], officer=values[Fact.OFFICER],
        locations={f: c.location for f, c in found.items()},
    )


def _split_names(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in re.split(r"[、,，;；\n]", text) if part.strip())


_EMAIL = re.compile(r"[^@\s,;，；、]+@[^@\s,;，；、]+\.[^@\s,;，；、]+")


def _email(builder: _Builder, row: Row) -> str:
    """The unit's e-mail address (optional column), checked only for its shape: nothing is ever sent."""
    cell = row.cells.get(UNIT_EMAIL)
    address = builder.text(cell) if cell is not None else ""
    if address and not _EMAIL.fullmatch(address):
        builder.error(f"「{shown(address)}」不像電子郵件地址（例：unit@police.gov.tw），催報信稿不會填入收件人。",
                      cell.location, Severity.WARNING)
        return ""
    return address


def _units(builder: _Builder, rows: list[Row]) -> tuple[list[Unit], list[Group]]:
    units: list[Unit] = []
    groups: list[Group] = []
    for row in rows:
        name = builder.text(row["單位名稱"], required=True)
        category = builder.choice(row["類別"], list(UNIT_CATEGORIES), "單位類別")
        if not name:
            continue
        builder.official_spelling(name, row["單位名稱"])
        covered = builder.text(row["群組涵蓋類別"])
        aliases = _split_names(builder.text(row["別名"]))
        entry: Unit | Group
        if category == GROUP_CATEGORY:
            categories = _split_names(covered)
            if not categories:
                builder.error("群組須填寫「群組涵蓋類別」，例如：分局、大隊、隊。", row["群組涵蓋類別"].location)
            for unknown in (c for c in categories if c not in UNIT_CATEGORIES[:-1]):
                builder.error(f"「{unknown}」不是單位類別{suggestion(unknown, list(UNIT_CATEGORIES[:-1]))}。",
                              row["群組涵蓋類別"].location)
            if not row["填報調查表"].blank:
                builder.error("群組本身不填報調查表（其涵蓋的各單位依各自的設定），此格不會使用；請清空。",
                              row["填報調查表"].location, Severity.WARNING)
            entry = Group(name, categories, row["單位名稱"].location, aliases)
            groups.append(entry)
        else:
            if covered:
                builder.error("只有類別為「群組」的列才填寫「群組涵蓋類別」。", row["群組涵蓋類別"].location)
            entry = Unit(name, category, aliases, builder.yes_no(row["填報調查表"], default=True),
                         row["單位名稱"].location, _email(builder, row))
            units.append(entry)
        for key_name, cell in [(name, row["單位名稱"])] + [(a, row["別名"]) for a in aliases]:
            previous = builder.directory.get(name_key(key_name))
            if previous is not None:
                builder.error(f"「{shown(key_name)}」重複，已用於第 {previous.location.row} 列的「{shown(previous.name)}」。",
                              cell.location)
                continue
            builder.directory[name_key(key_name)] = entry
    return units, groups


def _dimensions(builder: _Builder, master: RawMaster) -> list[Dimension]:
    dimensions: dict[str, Dimension] = {}
    for row in master.sheets[DIMENSIONS.name].rows:
        name = builder.text(row["構面名稱"], required=True)
        kind = builder.choice(row["評核類別"], [INDIVIDUAL, OVERALL], "評核類別")
        points = builder.integer(row["配分"])
        if name in dimensions:
            builder.error(f"構面「{shown(name)}」重複，已於第 {dimensions[name].location.row} 列定義。",
                          row["構面名稱"].location)
        elif name:
            dimensions[name] = Dimension(name, kind, points or 0, row["構面名稱"].location,
                                         points_location=row["配分"].location)
    items: dict[tuple[str, str], Item] = {}
    dimension = ""
    for row in master.sheets[ITEMS.name].rows:
        if not row["構面"].blank or not dimension:  # an empty 構面 means the one above
            dimension = builder.choice(row["構面"], list(dimensions), "構面")
        name = builder.text(row["評核項目"], required=True)
        if dimension not in dimensions or not name or dimensions[dimension].kind not in DIMENSION_KINDS:
            continue  # an unknown dimension or kind is reported once, not for each of its items
        if dimensions[dimension].kind == OVERALL:
            builder.error(f"構面「{shown(dimension)}」是{OVERALL}，不設評核項目；請將此列刪除，"
                          "並在「附表1」直接列出評核重點。", row["評核項目"].location)
            continue
        if (dimension, name) in items:
            builder.error(f"評核項目「{shown(name)}」重複，已於第 {items[dimension, name].location.row} 列定義。",
                          row["評核項目"].location)
            continue
        items[dimension, name] = Item(name, row["評核項目"].location)
        dimensions[dimension].items.append(items[dimension, name])
    _measures(builder, master.sheets[MEASURES.name].rows, dimensions, items)
    return list(dimensions.values())


class _Unknown:
    """Marks a 構面 or 評核項目 already reported as unknown: the rows under it need no message of their own."""


_UNKNOWN = _Unknown()


def _measures(builder: _Builder, rows: list[Row], dimensions: dict[str, Dimension],
              items: dict[tuple[str, str], Item]) -> None:
    dimension: Dimension | _Unknown | None = None
    item: Item | _Unknown | None = None
    key_point: KeyPoint | None = None
    for row in rows:
        if not row["構面"].blank:
            name = builder.choice(row["構面"], list(dimensions), "構面")
            dimension, item, key_point = dimensions.get(name, _UNKNOWN), None, None
            if isinstance(dimension, Dimension) and dimension.kind not in DIMENSION_KINDS:
                dimension = _UNKNOWN  # its 評核類別 is reported on the 構面 sheet
            if isinstance(dimension, Dimension) and not dimension.has_items:
                if not dimension.items:
                    dimension.items.append(Item(None, row["構面"].location))
                item = dimension.items[0]
        if dimension is None:
            builder.error("尚未指定構面：請在此列填寫「構面」。", row["構面"].location)
            dimension = _UNKNOWN
        if isinstance(dimension, _Unknown):
            continue
        if not row["評核項目"].blank:
            name = builder.text(row["評核項目"])
            key_point = None
            if not dimension.has_items:
                builder.error(f"構面「{shown(dimension.name)}」是{OVERALL}，不設評核項目，請清空此格。",
                              row["評核項目"].location)
            elif (dimension.name, name) not in items:
                known = [n for (d, n) in items if d == dimension.name]
                builder.error(f"「{shown(name)}」不是構面「{shown(dimension.name)}」的評核項目"
                              f"（請先在「評核項目」工作表新增）{suggestion(name, known)}。", row["評核項目"].location)
                item = _UNKNOWN
            else:
                item = items[dimension.name, name]
        if item is None:
            builder.error("尚未指定評核項目：請在此列填寫「評核項目」。", row["評核項目"].location)
            item = _UNKNOWN
        if isinstance(item, _Unknown):
            continue
        if not row["評核重點"].blank:
            key_point = _key_point(builder, row, dimension)
            item.key_points.append(key_point)
        else:
            _no_key_point_cells(builder, row)
        if row["具體作法"].blank and row["層級"].blank:
            continue  # nothing of a practice on this row; a key point without any is reported by validate
        if key_point is None:
            builder.error("尚未指定評核重點：請在此列填寫「評核重點」。", row["評核重點"].location)
            key_point = KeyPoint("", row["評核重點"].location)  # collects this key point's rows without more messages
        key_point.practices.append(_paragraph(builder, row, "具體作法", MAX_DEPTH - 1, required=True))


def _key_point(builder: _Builder, row: Row, dimension: Dimension) -> KeyPoint:
    required = dimension.has_items  # overall dimensions print no deadline or units
    key_point = KeyPoint(builder.text(row["評核重點"]), row["評核重點"].location,
                         due_date_location=row["期限日期"].location)
    key_point.deadline = builder.text(row["完成期限"], required=required)
    key_point.due_date = builder.date(row["期限日期"], required=required)
    refs = [ref for ref in (builder.unit_ref(cell) for cell in row.repeated) if ref]
    if required and not row.repeated:
        builder.error("評核重點須至少填一個承辦單位。", builder.master.where(
            MEASURES.name, row=row.number, header="承辦單位1"))
    seen: dict[str, UnitRef] = {}
    for ref in refs:
        if ref.written in seen:
            builder.error(f"承辦單位「{ref.written}」重複填寫（{seen[ref.written].location.cell()}）。",
                          ref.location, Severity.WARNING)
        seen.setdefault(ref.written, ref)
    key_point.responsible = tuple(seen.values())
    if not required:
        for header in ("完成期限", "期限日期"):
            if not row[header].blank:
                builder.error(f"{OVERALL}的表格沒有「{header}」欄，此格不會印在附表1；"
                              "若要各單位填報辦理情形可保留，否則請清空。", row[header].location, Severity.WARNING)
        for cell in row.repeated:
            builder.error(f"{OVERALL}的表格沒有「承辦單位」欄，此格不會印在附表1，但該單位的填報表會列入此評核重點。",
                          cell.location, Severity.WARNING)
    return key_point


def _no_key_point_cells(builder: _Builder, row: Row) -> None:
    """Deadline and units belong on a key point's first row; elsewhere they would be lost."""
    for header in ("完成期限", "期限日期"):
        if not row[header].blank:
            builder.error(f"「{header}」只填在評核重點所在的列；此列沒有評核重點，請移到該評核重點的第一列。",
                          row[header].location)
    for cell in row.repeated:
        builder.error("承辦單位只填在評核重點所在的列；此列沒有評核重點，請移到該評核重點的第一列。", cell.location)


def _roster(builder: _Builder, rows: list[Row]) -> list[RosterGroup]:
    groups: list[RosterGroup] = []
    for row in rows:
        if not row["編組"].blank:
            groups.append(RosterGroup(builder.text(row["編組"]), row["編組"].location))
            if not row["備考"].blank:
                groups[-1].note = builder.unit_ref(row["備考"])
        elif not row["備考"].blank:
            builder.error("「備考」只填在編組的第一列。", row["備考"].location)
        if not groups:
            builder.error("尚未指定編組：請在此列填寫「編組」。", row["編組"].location)
            groups.append(RosterGroup("", row["編組"].location))  # collects the rows below without more messages
        group = groups[-1]
        if any(not row[h].blank for h in ("職務", "職稱", "姓名")):
            group.members.append(Member(builder.text(row["職務"], required=True), builder.text(row["職稱"]),
                                        builder.text(row["姓名"], required=True), row["姓名"].location))
        if not row["職掌"].blank or not row["層級"].blank:
            group.duties.append(_paragraph(builder, row, "職掌", MAX_DEPTH - 1, required=True))
    return groups
