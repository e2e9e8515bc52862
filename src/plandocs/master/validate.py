"""Stage 3: the rules a plan must satisfy before anything is written; every problem is gathered."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import Location, Problem, Severity, ValidationFailed
from ..office.formats import is_lock_file
from ..office.output import safe_file_name
from ..numbering import MAX_DEPTH
from ..report import blocks
from ..text import ROC_OFFSET, roc_date, suggestion
from .builder import build_plan
from .load import load_master, shown
from .model import Facts, KeyPoint, Paragraph, Plan
from .schema import (
    BODY, DATA_SHEETS, DIMENSIONS, ITEMS, MEASURES, NO_NUMBERS, ROSTER, ROSTER_ATTACHMENT, UNITS, AttachmentKind, Column,
    Fact,
)

# An outline label typed at the start of a paragraph (壹、 一、 (一) 1. (1) 甲、 (甲) 子、 (子)); labels are generated.
_TYPED_LABEL = re.compile(
    r"[壹貳參肆伍陸柒捌玖拾]+、|[一ㄧ二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|\d{1,2}[.．、](?!\d)"
    r"|[(（]\d{1,2}[)）]|[甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥]、|[(（][甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥][)）]")
# Word keeps a document's title (File > Info) to 255 characters; the templates put each document's title there.
MAX_TITLE = 255
# A unit's name names its folder and its form; longer names break paths on Windows and do not fit the forms.
MAX_UNIT_NAME = 50


@dataclass
class MasterCheck:
    plan: Plan | None
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    def require(self, strict: bool = False) -> Plan:
        """Return the plan, or raise with every problem when there is an error (or a warning, if strict)."""
        if blocks(self.problems, strict) or self.plan is None:
            raise ValidationFailed(self.problems)
        return self.plan


def check_master(path: Path) -> MasterCheck:
    """Load, build and validate the master; the plan is None when it cannot be built at all."""
    master = load_master(path)
    plan, problems = build_plan(master)
    problems = master.problems + problems
    if plan is not None:
        # rows of 附表1 that could not be read leave items and units without key points: not a mistake of their own
        measures_read = not any(p.is_error and p.location.sheet in _MEASURE_SHEETS for p in problems)
        readable = {name for name, sheet in master.sheets.items() if sheet.usable}
        problems += validate_plan(plan, coverage=measures_read, readable=readable)
    return MasterCheck(plan, sorted(problems, key=_reading_order))


_MEASURE_SHEETS = {DIMENSIONS.name, ITEMS.name, MEASURES.name}
_FACT_ATTRIBUTES = {Fact.AGENCY: "agency", Fact.PLAN_NAME: "plan_name", Fact.TITLE: "written_title"}
_SHEET_ORDER = {spec.name: index for index, spec in enumerate(DATA_SHEETS, 1)}


def _reading_order(problem: Problem) -> tuple:
    """Whole-file problems first, then sheet by sheet in workbook order, row by row, column by column."""
    loc = problem.location
    sheet = _SHEET_ORDER.get(loc.sheet, len(_SHEET_ORDER) + 1) if loc.sheet else 0
    return (sheet, loc.sheet or "", loc.row or 0, len(loc.column or ""), loc.column or "")


def validate_plan(plan: Plan, coverage: bool = True, readable: set[str] | None = None) -> list[Problem]:
    """Every rule; `coverage` (dimensions, items and units that 附表1 leaves empty) only when 附表1 was read whole."""
    problems: list[Problem] = []
    problems += _empty_sheet_problems(plan, readable if readable is not None else {s.name for s in DATA_SHEETS})
    problems += outline_problems(plan.body, "內容")
    problems += _dimension_problems(plan, coverage)
    problems += _fact_problems(plan)
    for group in plan.roster if plan.facts.attachment(AttachmentKind.ROSTER) else ():
        problems += outline_problems(group.duties, "職掌")
        if not group.members and group.name:
            problems.append(Problem(f"編組「{shown(group.name)}」沒有成員，請填寫職務與姓名。", group.location))
    problems += _empty_roster_problems(plan)
    problems += _unit_problems(plan, coverage)
    return problems


def _empty_sheet_problems(plan: Plan, readable: set[str]) -> list[Problem]:
    """A sheet the plan uses but that has no rows; a sheet that could not be read is reported where it fails."""
    if not plan.facts.locations:
        return []
    file = next(iter(plan.facts.locations.values())).file
    facts = plan.facts
    required = [(BODY.name, plan.body), (UNITS.name, plan.units)]
    if facts.attachment(AttachmentKind.MEASURES):
        required.append((MEASURES.name, plan.dimensions))
    if facts.attachment(AttachmentKind.ROSTER):
        required.append((ROSTER.name, plan.roster))
    return [Problem("此工作表沒有任何資料列；請從第 2 列起填寫。", Location(file=file, sheet=sheet, row=2))
            for sheet, rows in required if not rows and sheet in readable]


def _empty_roster_problems(plan: Plan) -> list[Problem]:
    """A second roster no group names would be printed as an empty table."""
    rosters = plan.facts.attachments_of(AttachmentKind.ROSTER)
    if len(rosters) < 2 or not plan.roster:
        return []  # one roster takes every group; an empty sheet is said by _empty_sheet_problems
    return [Problem(f"名冊「{r.label}」在「{ROSTER.name}」工作表沒有任何編組；請在其編組第一列的「{ROSTER_ATTACHMENT}」"
                    f"填「{r.label}」（空白的編組屬於上方編組的名冊）。", r.location)
            for r in rosters if not plan.roster_of(r)]


def outline_problems(paragraphs: list[Paragraph], what: str) -> list[Problem]:
    """The first numbered paragraph may start at any level (practices numbered 1. 2. with nothing above them);
    after it a level may go one deeper than the paragraph above, never more (3 under 1 is an error);
    a label typed by hand would be printed beside the generated one."""
    problems: list[Problem] = []
    previous = 0
    for paragraph in paragraphs:
        label = _TYPED_LABEL.match(paragraph.text)
        if label:
            fix = "請刪除，否則會印出兩次" if paragraph.level is not None else "請刪除並在「層級」填入層級"
            problems.append(Problem(f"{what}開頭的「{label.group()}」看似自行輸入的編號；編號由「層級」自動產生，{fix}。",
                                    paragraph.location, Severity.WARNING))
        if paragraph.level is None:
            if paragraph.level_unreadable:
                previous = MAX_DEPTH  # whatever follows an unreadable level cannot be judged against it
            continue
        if previous and paragraph.level > previous + 1:  # the first may start at any level: 1. with nothing above
            problems.append(Problem(f"{what}的層級從 {previous} 跳到 {paragraph.level}，中間缺少一層；"
                                    f"此處層級應為 1 到 {previous + 1}。", paragraph.level_location or paragraph.location))
        previous = paragraph.level
    return problems


def _typed_label_problem(plan: Plan, column: Column, name: str | None, location: Location) -> list[Problem]:
    """A name of a numbered level that begins with a label typed by hand would be printed with two."""
    label = _TYPED_LABEL.match(name or "")
    if label is None or plan.numbering(column) is None:
        return []
    return [Problem(f"{column.value}開頭的「{label.group()}」看似自行輸入的編號；{column.value}的編號由程式產生，"
                    f"請刪除，否則會印出兩次（不要編號時，計畫資料的「{column.value}編號」填「{NO_NUMBERS}」）。",
                    location, Severity.WARNING)]


def _dimension_problems(plan: Plan, coverage: bool) -> list[Problem]:
    problems: list[Problem] = []
    for dimension in plan.dimensions:
        problems += _typed_label_problem(plan, Column.DIMENSION, dimension.name, dimension.location)
        if dimension.points is not None and dimension.points <= 0:
            problems.append(Problem("配分須為正整數。", dimension.points_location or dimension.location))
        if coverage and not dimension.key_points:
            problems.append(Problem(f"構面「{shown(dimension.name)}」在「附表1」沒有任何評核重點。", dimension.location))
        for item in dimension.items:
            problems += _typed_label_problem(plan, Column.ITEM, item.name, item.location)
            if coverage and item.name and not item.key_points:
                problems.append(Problem(f"評核項目「{shown(item.name)}」在「附表1」沒有任何評核重點與具體作法。",
                                        item.location))
            seen: dict[str, int | None] = {}
            for key_point in item.key_points:
                if key_point.name in seen:
                    problems.append(Problem(f"評核重點「{shown(key_point.name)}」在同一評核項目中重複"
                                            f"（已於第 {seen[key_point.name]} 列）。", key_point.location,
                                            Severity.WARNING))
                seen.setdefault(key_point.name, key_point.location.row)
                problems += _typed_label_problem(plan, Column.KEY_POINT, key_point.name, key_point.location)
                problems += _key_point_problems(plan, key_point)
    stated = plan.facts.total_points  # only a total the master states is checked
    total = sum(d.points or 0 for d in plan.dimensions)
    all_read = all(d.points is not None for d in plan.dimensions)  # a missing or unreadable one is reported itself
    if stated is not None and plan.dimensions and all_read and total != stated:
        first = plan.dimensions[0].points_location or plan.dimensions[0].location
        problems.append(Problem(f"各構面配分合計為 {total} 分，應為「{Fact.TOTAL_POINTS.value}」的 {stated} 分。",
                                Location(file=first.file, sheet=DIMENSIONS.name, column=first.column, header="配分")))
    return problems


EXCEL_TEXT_LIMIT = 32_767  # characters an Excel cell holds: the units' workbooks show a key point's practices in one


def _key_point_problems(plan: Plan, key_point: KeyPoint) -> list[Problem]:
    problems = outline_problems(key_point.practices, "具體作法")
    if not key_point.practices:
        problems.append(Problem(f"評核重點「{shown(key_point.name)}」沒有具體作法；請在此列或下方各列填寫「具體作法」。",
                                key_point.location))
    length = sum(len(p.text) for p in key_point.practices)
    if length > EXCEL_TEXT_LIMIT:
        problems.append(Problem(f"評核重點「{shown(key_point.name)}」的具體作法共 {length} 字，超過 Excel 儲存格上限"
                                f" {EXCEL_TEXT_LIMIT} 字；附表1 完整印出，但各單位填報表的參考欄會截斷。",
                                key_point.location, Severity.WARNING))
    due, where = key_point.due_date, key_point.due_date_location or _beside(key_point.location, "期限日期")
    year_is_roc = 0 < plan.facts.year < ROC_OFFSET  # a Gregorian or missing year is reported once, at 計畫年度
    issued = plan.facts.issue_date
    if due and year_is_roc and due.year - ROC_OFFSET != plan.facts.year:
        problems.append(Problem(f"期限日期 {roc_date(due)} 不在計畫年度 {plan.facts.year} 年內。", where))
    elif due and issued and due < issued:
        problems.append(Problem(f"期限日期 {roc_date(due)} 早於函頒日期 {roc_date(plan.facts.issue_date)}。",
                                where, Severity.WARNING))
    return problems


def _beside(location: Location, header: str) -> Location:
    return Location(file=location.file, sheet=location.sheet, row=location.row, header=header)


def _fact_problems(plan: Plan) -> list[Problem]:
    facts = plan.facts
    problems: list[Problem] = []
    if facts.year == 0:
        return problems  # missing or not a number: reported by the builder, and nothing can be checked against it
    year_is_roc = facts.year < ROC_OFFSET  # checks against the plan year wait for a year that is right
    if not year_is_roc:
        problems.append(Problem(f"計畫年度請填民國年（例：{facts.year - ROC_OFFSET}），不是西元年 {facts.year}。",
                                facts.locations[Fact.YEAR]))
    number = re.fullmatch(r".+字第(\d{9,11})號", facts.document_number)
    if facts.document_number and not number:
        problems.append(Problem("發文字號格式應為「機關代字＋單位代字＋字第＋數字＋號」，例：北市警秘字第10733653600號。",
                                facts.locations[Fact.DOCUMENT_NUMBER], Severity.WARNING))
    elif number and facts.issue_date and int(number.group(1)[:3]) != facts.issue_date.year - ROC_OFFSET:
        problems.append(Problem("發文字號的前 3 位數字應為函頒日期的民國年。",
                                facts.locations[Fact.DOCUMENT_NUMBER], Severity.WARNING))
    if facts.due_date and year_is_roc and facts.due_date.year - ROC_OFFSET != facts.year:
        problems.append(Problem(f"填報期限 {roc_date(facts.due_date)} 不在計畫年度 {facts.year} 年內。",
                                facts.locations[Fact.DUE_DATE]))
    elif facts.due_date and facts.issue_date and facts.due_date < facts.issue_date:
        problems.append(Problem(f"填報期限 {roc_date(facts.due_date)} 早於函頒日期 {roc_date(facts.issue_date)}。",
                                facts.locations[Fact.DUE_DATE], Severity.WARNING))
    if facts.form_version < 1:
        problems.append(Problem("表單版本須為正整數。", facts.locations[Fact.FORM_VERSION]))
    units = [name for unit in plan.units for name in (unit.name, *unit.aliases)]
    if facts.recipient and facts.recipient not in units:
        problems.append(Problem(f"收件單位「{shown(facts.recipient)}」不是「單位」工作表中的單位{suggestion(facts.recipient, units)}；"
                                "各單位的填報表會寫明寄送此單位，若為外單位可忽略此警告。",
                                facts.locations[Fact.RECIPIENT], Severity.WARNING))
    return problems + _title_problems(plan) + _one_line_problems(plan)


# Alt+Enter in a cell, and the other characters that end a line
_LINE_BREAK = re.compile("[\r\n\x0b\x0c\x85\u2028\u2029]")


def _one_line_problems(plan: Plan) -> list[Problem]:
    """Names and titles stand on one line: they become file names, e-mail subjects and document titles."""
    facts = plan.facts
    named = [(fact.value, getattr(facts, attribute), facts.locations.get(fact)) for fact, attribute in (
        (Fact.AGENCY, "agency"), (Fact.SELF_REFERENCE, "self_reference"), (Fact.PLAN_NAME, "plan_name"),
        (Fact.TITLE, "written_title"), (Fact.RECIPIENT, "recipient"), (Fact.OFFICE, "office"))]
    named += [(f"{a.label}名稱", a.title, a.location) for a in facts.attachments]
    named += [("單位名稱", u.name, u.location) for u in plan.units] + [("群組名稱", g.name, g.location) for g in plan.groups]
    problems = [Problem(f"{what}「{shown(text)}」含換行（Alt+Enter）；名稱與標題用於檔名、郵件主旨與文件標題，"
                        "須在同一行，請刪除換行。", location)
                for what, text, location in named if text and _LINE_BREAK.search(text)]
    # a unit's forms are named after it, and collect skips the names office suites give their lock files
    problems += [Problem(f"單位名稱「{shown(u.name)}」的寫法與 Office 的暫存鎖定檔（~$…、.~lock.…#）相同，"
                         "該單位寄回的填報表會被當成鎖定檔略過；請改名。", u.location)
                 for u in plan.units if is_lock_file(safe_file_name(u.name))]
    return problems


def _title_problems(plan: Plan) -> list[Problem]:
    facts = plan.facts
    longest_unit = max((u.name for u in plan.receiving_units()), key=len, default="")
    problems = _repeated_year_problems(facts)
    if len(facts.title) > MAX_TITLE:
        parts = (Fact.TITLE,) if facts.written_title else (Fact.AGENCY, Fact.PLAN_NAME)
        longest = max(parts, key=lambda fact: len(str(getattr(facts, _FACT_ATTRIBUTES[fact]))))
        problems.append(Problem(f"計畫標題長 {len(facts.title)} 字，超過 Word 文件標題的上限 {MAX_TITLE} 字；"
                                f"請縮短「{longest.value}」。", facts.locations[longest]))
    titled = [(facts.attachment(AttachmentKind.SURVEY), facts.unit_survey_title(longest_unit))]
    titled += [(roster, facts.agency + roster.title) for roster in facts.attachments_of(AttachmentKind.ROSTER)]
    for attachment, title in titled:
        if attachment and len(title) > MAX_TITLE:
            problems.append(Problem(f"{attachment.label} 標題長 {len(title)} 字，超過 Word 文件標題的上限 {MAX_TITLE} 字；"
                                    "請縮短附表名稱或「機關名稱」。", attachment.location))
    return problems


def _repeated_year_problems(facts: Facts) -> list[Problem]:
    """「…106年度106年…」: a plan name that starts with its year, put after the 年度 the rule adds."""
    repeated = re.search(rf"{facts.year}年度?{facts.year}年", facts.title)
    if not repeated:
        return []
    if facts.written_title:
        return [Problem(f"計畫標題「{facts.title}」的年度重複（{repeated.group()}）；請刪除重複的年度。",
                        facts.locations[Fact.TITLE], Severity.WARNING)]
    return [Problem(f"標題由「機關名稱＋計畫年度＋年度＋計畫名稱」組成，會印成「{facts.title}」，年度重複"
                    f"（{repeated.group()}）；請刪除「{Fact.PLAN_NAME.value}」開頭的年度，或新增「{Fact.TITLE.value}」"
                    "填寫計畫所寫的完整標題。", facts.locations[Fact.PLAN_NAME], Severity.WARNING)]


def facts_have_survey(plan: Plan) -> bool:
    return plan.facts.attachment(AttachmentKind.SURVEY) is not None


def _unit_problems(plan: Plan, coverage: bool) -> list[Problem]:
    reached = {u for d in plan.dimensions for kp in d.key_points for u in kp.units}
    problems = [
        Problem(f"單位「{shown(unit.name)}」在「附表1」沒有任何承辦事項"
                + ("；仍會收到調查表。" if unit.receives_survey and facts_have_survey(plan) else "。"), unit.location, Severity.WARNING)
        for unit in plan.units if coverage and unit not in reached
    ]
    problems += [
        Problem(f"群組「{shown(group.name)}」沒有涵蓋任何單位。", group.location)
        for group in plan.groups if not group.named_only and not any(group.covers(u) for u in plan.units)
    ]
    if plan.units and facts_have_survey(plan) and not plan.receiving_units():
        first = plan.units[0].location
        problems.append(Problem("所有單位的「填報調查表」都填「否」，不會產生任何單位的調查表。",
                                Location(file=first.file, sheet=UNITS.name, header="填報調查表"), Severity.WARNING))
    file_names: dict[str, str] = {}
    for unit in plan.receiving_units():
        if len(unit.name) > MAX_UNIT_NAME:
            problems.append(Problem(f"單位名稱長 {len(unit.name)} 字，超過 {MAX_UNIT_NAME} 字；名稱也是資料夾與檔案名稱，"
                                    "請縮短（可將常用簡稱填在「別名」）。", unit.location))
            continue
        file_name = safe_file_name(unit.name).casefold()  # Windows does not tell ABC from abc
        if file_name in file_names:
            problems.append(Problem(f"單位「{shown(unit.name)}」與「{shown(file_names[file_name])}」的檔名相同"
                                    f"（{safe_file_name(unit.name)}，Windows 不允許的字元已換成＿）；請改名以免檔案互相覆蓋。",
                                    unit.location))
        file_names.setdefault(file_name, unit.name)
    return problems
