"""Stage 3: the rules a plan must satisfy before anything is written; every problem is gathered."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import Location, Problem, Severity, ValidationFailed
from .load import load_master
from .model import ROC_OFFSET, Paragraph, Plan, build_plan, roc_date
from .schema import DIMENSIONS, TOTAL_POINTS, Fact


@dataclass
class MasterCheck:
    plan: Plan | None
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    def require(self, strict: bool = False) -> Plan:
        """Return the plan, or raise with every problem when there is an error (or a warning, if strict)."""
        blocking = self.problems if strict else self.errors
        if blocking or self.plan is None:
            raise ValidationFailed(self.problems)
        return self.plan


def check_master(path: Path) -> MasterCheck:
    """Load, build and validate the master; the plan is None when it cannot be built at all."""
    master = load_master(path)
    plan, problems = build_plan(master)
    problems = master.problems + problems
    if plan is not None:
        problems += validate_plan(plan)
    return MasterCheck(plan, sorted(problems, key=_reading_order))


def _reading_order(problem: Problem) -> tuple:
    loc = problem.location
    return (loc.sheet or "", loc.row or 0, loc.column or "")


def validate_plan(plan: Plan) -> list[Problem]:
    problems: list[Problem] = []
    problems += outline_problems(plan.body, "內容")
    problems += _dimension_problems(plan)
    problems += _fact_problems(plan)
    for group in plan.roster:
        problems += outline_problems(group.duties, "職掌")
        if not group.members:
            problems.append(Problem(f"編組「{group.name}」沒有成員，請填寫職務與姓名。", group.location))
    problems += _unit_problems(plan)
    return problems


def outline_problems(paragraphs: list[Paragraph], what: str) -> list[Problem]:
    """A level may go one deeper than the paragraph above it, never more (3 under 1 is an error)."""
    problems: list[Problem] = []
    previous = 0
    for paragraph in paragraphs:
        if paragraph.level is None:
            continue
        if paragraph.level > previous + 1:
            expected = "1" if previous == 0 else f"1 到 {previous + 1}"
            problems.append(Problem(
                f"{what}的層級從 {previous} 跳到 {paragraph.level}，中間缺少一層；此處層級應為 {expected}。",
                Location(**{**paragraph.location.__dict__, "column": None, "header": "層級"}),
            ))
        previous = paragraph.level
    return problems


def _dimension_problems(plan: Plan) -> list[Problem]:
    problems: list[Problem] = []
    year = plan.facts.year + ROC_OFFSET
    for dimension in plan.dimensions:
        if not dimension.key_points:
            problems.append(Problem(f"構面「{dimension.name}」在「附表1」沒有任何評核重點。", dimension.location))
        for item in dimension.items:
            if item.name and not item.key_points:
                problems.append(Problem(f"評核項目「{item.name}」在「附表1」沒有任何評核重點與具體作法。", item.location))
            for key_point in item.key_points:
                problems += outline_problems(key_point.practices, "具體作法")
                if key_point.due_date and key_point.due_date.year != year:
                    problems.append(Problem(
                        f"期限日期 {roc_date(key_point.due_date)} 不在計畫年度 {plan.facts.year} 年內。",
                        _beside(key_point.location, "期限日期")))
    total = sum(d.points for d in plan.dimensions)
    if plan.dimensions and total != TOTAL_POINTS:
        problems.append(Problem(f"各構面配分合計為 {total} 分，應為 {TOTAL_POINTS} 分。",
                                Location(file=plan.dimensions[0].location.file, sheet=DIMENSIONS.name, header="配分")))
    return problems


def _beside(location: Location, header: str) -> Location:
    return Location(file=location.file, sheet=location.sheet, row=location.row, header=header)


def _fact_problems(plan: Plan) -> list[Problem]:
    facts = plan.facts
    problems: list[Problem] = []
    number = re.fullmatch(r".+字第(\d{11})號", facts.document_number)
    if not number:
        problems.append(Problem("發文字號格式應為「機關代字＋單位代字＋字第＋11 位數字＋號」，例：北市警秘字第10733653600號。",
                                facts.locations[Fact.DOCUMENT_NUMBER], Severity.WARNING))
    elif int(number.group(1)[:3]) != facts.issue_date.year - ROC_OFFSET:
        problems.append(Problem("發文字號的前 3 位數字應為函頒日期的民國年。",
                                facts.locations[Fact.DOCUMENT_NUMBER], Severity.WARNING))
    if facts.due_date.year - ROC_OFFSET != facts.year:
        problems.append(Problem(f"填報期限 {roc_date(facts.due_date)} 不在計畫年度 {facts.year} 年內。",
                                facts.locations[Fact.DUE_DATE]))
    if facts.form_version < 1:
        problems.append(Problem("表單版本須為正整數。", facts.locations[Fact.FORM_VERSION]))
    return problems


def _unit_problems(plan: Plan) -> list[Problem]:
    reached = {u for d in plan.dimensions for kp in d.key_points for u in kp.units}
    problems = [
        Problem(f"單位「{unit.name}」在「附表1」沒有任何承辦事項；仍會收到調查表。", unit.location, Severity.WARNING)
        for unit in plan.units if unit not in reached
    ]
    problems += [
        Problem(f"群組「{group.name}」沒有涵蓋任何單位。", group.location)
        for group in plan.groups if not any(u.category in group.categories for u in plan.units)
    ]
    return problems
