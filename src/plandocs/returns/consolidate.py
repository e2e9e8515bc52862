"""Merge the returns used into plain tables: the rows of every sheet of collect's outputs, as plain values.

Pure functions of the Collection: the same returns folder gives the same rows, and so the same bytes.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..documents.fill_in_form import ProgressRow, case_count_years, progress_rows
from ..master.model import Plan, Unit
from ..text import roc_date, roc_time
from .records import PRIMARY_STATES, Collection, Finding, Return, State, Status, UnitState


def _source(entries) -> tuple[str, str]:
    """The sheet and the cells the values came from, e.g. ("調查表", "C12、D12")."""
    sheets = list(dict.fromkeys(e.sheet for e in entries))
    return "、".join(sheets), "、".join(e.cell for e in entries)


def _unit_order(plan: Plan) -> dict[str, int]:
    return {unit.name: index for index, unit in enumerate(plan.units)}


def measure_rows(collection: Collection) -> list[list]:
    """All proposed measures, by dimension and topic in the master's order, then by unit."""
    plan = collection.plan
    topic_order = {(d.name, t): (i, j) for i, d in enumerate(plan.dimensions) for j, t in enumerate(d.survey_topics)}
    units = _unit_order(plan)
    listed = []
    for ret in collection.used():
        for index, measure in enumerate(ret.measures):
            sheet, cells = _source(measure.entries)
            key = (topic_order[measure.dimension, measure.topic], units[ret.unit.name], ret.file, index)
            listed.append((key, [measure.dimension, measure.topic, ret.unit.name, measure.name, measure.content,
                                 ret.file, sheet, cells]))
    return [row for _, row in sorted(listed, key=lambda pair: pair[0])]


@dataclass(frozen=True)
class ProgressLine:
    """One key point × unit: what was reported, or why nothing was."""

    row: ProgressRow
    unit: Unit
    state: str
    ret: Return | None

    @property
    def progress(self):
        return self.ret.progress.get(self.row.code) if self.ret else None


def progress_lines(collection: Collection) -> list[ProgressLine]:
    """Every key point × responsible unit in the master's order, and any key point a unit reported beyond its own."""
    plan = collection.plan
    used = collection.used_by_unit()
    unusable = collection.unusable_units()
    expected: dict[str, list[Unit]] = {}
    rows: dict[str, ProgressRow] = {}
    for unit in plan.receiving_units():
        for row in progress_rows(plan, unit):
            rows.setdefault(row.code, row)
            expected.setdefault(row.code, []).append(unit)
    expected_names = {code: {unit.name for unit in units} for code, units in expected.items()}
    extra: dict[str, list[Unit]] = {}
    for ret in collection.used():
        for code in ret.progress:
            if ret.unit.name not in expected_names.get(code, ()):
                rows.setdefault(code, collection.rows[code])
                extra.setdefault(code, []).append(ret.unit)
    lines = []
    for code in sorted(rows, key=lambda c: tuple(int(part) for part in c.split("."))):
        for unit in expected.get(code, []) + extra.get(code, []):
            ret = used.get(unit.name)
            progress = ret.progress.get(code) if ret else None
            if ret is None:
                state = (Status.UNUSABLE_FORMAT if unit.name in unusable else Status.MISSING).value
            elif progress is None:
                state = "缺列"
            elif progress.text:
                state = "已填"
            else:
                state = "未填"
            lines.append(ProgressLine(rows[code], unit, state, ret))
    return lines


def progress_table(collection: Collection, lines: list[ProgressLine]) -> list[list]:
    years = case_count_years(collection.plan)
    table = []
    for line in lines:
        progress = line.progress
        counts = [progress.counts.get(y) if progress else None for y in years]
        sheet, cells = _source(progress.entries) if progress else ("", "")
        table.append([line.row.code, line.row.dimension.name, line.row.item.name or "", line.row.key_point.name,
                      line.unit.name, line.state, progress.text if progress else "", *counts,
                      line.ret.file if line.ret and progress and progress.entries else "", sheet, cells])
    return table


def state_details(state: UnitState, due) -> str:
    """What a unit's states are about, in words a clerk can act on."""
    parts = []
    if State.MISSING in state.states:
        parts.append("未收到回報")
    for ret in state.unusable:
        parts.append(f"「{ret.file}」格式無法彙整（{ret.reason}）")
    if state.blank_key_points:
        parts.append("未填辦理情形或件數：" + "、".join(f"{row.code}「{row.key_point.name}」"
                                                    for row in state.blank_key_points))
    if state.blank_topics:
        parts.append("未提出措施的項目：" + "、".join(topic for _, topic in state.blank_topics))
    if state.blank_contact:
        parts.append("未填" + "、".join(state.blank_contact))
    if state.unproposed_topics:
        parts.append("未提出措施（調查表得視需要提出，非必填）的項目：" + "、".join(t for _, t in state.unproposed_topics))
    if state.sender and state.primary is not State.RETURNED:
        parts.append("本單位為收件單位，不列入催報")
    if State.LATE in state.states:
        parts.append(f"逾期：{roc_date(state.filed)}回報，填報期限為{roc_date(due)}")
    if state.errors:
        parts.append(f"需補正 {len(state.errors)} 處：" + "；".join(
            (f"{f.location.sheet}{f.location.cell()}" if f.location.cell() else (f.location.sheet or "檔案"))
            + f" {f.problem.message}" for f in state.errors))
    if state.ret is not None and not state.ret.contact.date:
        parts.append("填報日期依" + state.ret.filed[1] + "判定")
    return "；".join(parts) + ("。" if parts else "")


def ledger_rows(collection: Collection) -> list[list]:
    """Every receiving unit with its states and its return (or none), every other file of the folder, and why."""
    by_unit: dict[str, list[Return]] = {}
    unattached = []
    for ret in collection.returns:
        (by_unit.setdefault(ret.unit.name, []) if ret.unit else unattached).append(ret)
    states = {state.unit.name: state for state in collection.states()}
    due = collection.plan.facts.due_date
    units = collection.plan.receiving_units() + [u for u in collection.plan.units if not u.receives_survey]
    table = []
    for unit in units:
        returns = sorted(by_unit.get(unit.name, []), key=lambda r: not r.used)
        state = states.get(unit.name)
        # the unit's states go on the return used, else on the file it replied with that could not be merged
        carrier = next((r for r in returns if r.used), None) or next(
            (r for r in returns if r.status is Status.UNUSABLE_FORMAT), None)
        if unit.receives_survey and carrier is None:
            table.append([unit.name, unit.category, Status.MISSING.value, state.label, ""] + [""] * 6
                         + [state_details(state, due), "", "", "", ""])
        for ret in returns:
            if ret is carrier and state is not None:
                table.append(_ledger_row(ret, state.label, state_details(state, due)))
            else:
                table.append(_ledger_row(ret, State.SUPERSEDED.value if ret.status is Status.SUPERSEDED else ""))
    return table + [_ledger_row(ret) for ret in unattached]


LEDGER_HEADINGS = ("單位", "類別", "狀態", "回報情形", "來源檔案", "填報日期", "日期依據", "填報人", "聯絡電話", "表單版本",
                   "辨識方式", "說明", "工作表", "儲存格", "檔案類型", "讀取方式")


# Files whose date decides nothing: the file's own time is not a 填報日期 the unit gave
_UNDATED_STATUSES = (Status.SKIPPED, Status.UNREADABLE, Status.UNUSABLE_FORMAT)


def _ledger_row(ret: Return, states: str = "", details: str = "") -> list:
    when, by_what = ret.filed if ret.status not in _UNDATED_STATUSES else (None, "")
    contact = ret.contact
    sheet, cells = _source(contact.entries)
    reason = "；".join(t for t in (ret.reason, details) if t)
    return [ret.unit.name if ret.unit else "", ret.unit.category if ret.unit else "", ret.status.value, states,
            ret.file, roc_time(when) if when and when != dt.datetime.min else "", by_what, contact.reporter,
            contact.phone, ret.version, ret.recognition.value if ret.recognition else "", reason, sheet, cells,
            ret.kind, ret.read_as]


def problem_rows(problems: list[Finding], collection: Collection) -> list[list]:
    units = {ret.file: ret.unit.name for ret in collection.returns if ret.unit}
    return [[f.location.file or "", units.get(f.location.file or "", ""), f.location.sheet or "", f.location.cell(),
             f.problem.severity.value, f.problem.message, f.content] for f in problems]


def unused_rows(collection: Collection) -> list[list]:
    return [[ret.file, ret.unit.name if ret.unit else "", ret.status.value, entry.sheet, entry.cell, entry.value]
            for ret, entry in collection.unused()]


def matrix(collection: Collection) -> tuple[list[tuple[str, str]], list[tuple[Unit, list[int] | None]]]:
    """Measures per unit and survey topic: the topics (dimension, topic), and per unit its counts (None: the unit
    did not return, which is not the same as a return proposing nothing)."""
    plan = collection.plan
    topics = [(d.name, t) for d in plan.dimensions for t in d.survey_topics]
    index = {topic: i for i, topic in enumerate(topics)}
    used = collection.used_by_unit()
    units = plan.receiving_units() + [r.unit for r in collection.used() if not r.unit.receives_survey]
    counts: list[tuple[Unit, list[int] | None]] = []
    for unit in units:
        if unit.name not in used:
            counts.append((unit, None))
            continue
        row = [0] * len(topics)
        for measure in used[unit.name].measures:
            row[index[measure.dimension, measure.topic]] += 1
        counts.append((unit, row))
    return topics, counts


def state_counts(collection: Collection) -> list[tuple[State, int]]:
    """How many receiving units are in each primary state: every unit once, so the counts add up to the units."""
    primaries = [s.primary for s in collection.states() if s.unit.receives_survey]
    return [(state, primaries.count(state)) for state in PRIMARY_STATES[::-1]]


def late_count(collection: Collection) -> int:
    """How many receiving units returned after the deadline (already counted under their primary state)."""
    return sum(State.LATE in s.states for s in collection.states() if s.unit.receives_survey)


REPLY_DAYS = 5  # the deadline of a 催報: five days after it, moved off a weekend


def reply_deadline(as_of: dt.date) -> dt.date:
    """When the units chased must answer: REPLY_DAYS after the notice, on a weekday."""
    day = as_of + dt.timedelta(days=REPLY_DAYS)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def reply_date(collection: Collection) -> dt.date:
    """The day the units written to (催報, 補正) must answer by."""
    return reply_deadline(collection.as_of or collection.plan.facts.due_date)


def return_rate(collection: Collection) -> tuple[int, int, str]:
    """(returned, expected, 「26.3%」) over the receiving units: a reply nothing can consolidate (a PDF) counts as
    not returned, as the report says of it."""
    states = [s for s in collection.states() if s.unit.receives_survey]
    returned = sum(s.received for s in states)
    return returned, len(states), f"{returned / len(states):.1%}" if states else "—"


def status_by_category(collection: Collection) -> list[tuple[str, int, int]]:
    """(category, returned, not returned) for each unit category of the master, in the master's order."""
    table: dict[str, list[int]] = {}
    for state in collection.states():
        if state.unit.receives_survey:
            table.setdefault(state.unit.category, [0, 0])[0 if state.received else 1] += 1
    return [(category, returned, missing) for category, (returned, missing) in table.items()]


def summary_line(collection: Collection, problems: list[Finding]) -> str:
    returned, expected, _ = return_rate(collection)
    unusable = sum(s.primary is State.UNUSABLE for s in collection.states())
    errors = sum(f.problem.is_error for f in problems)
    return (f"已收到 {returned} / {expected} 個單位的回報（檔案 {len(collection.returns)} 個"
            + (f"；另 {unusable} 個單位來件格式無法彙整" if unusable else "") + "），"
            f"問題 {len(problems)} 項（錯誤 {errors}、警告 {len(problems) - errors}）。")
