"""Merge the returns used into plain tables: the rows of every sheet of collect's outputs, as plain values.

Pure functions of the Collection: the same returns folder gives the same rows, and so the same bytes.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..documents.fill_in_form import ProgressRow, case_count_years, progress_rows
from ..master.model import Plan, Unit
from ..text import taiwan_time
from .records import Collection, Finding, Return, Status


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


def ledger_rows(collection: Collection) -> list[list]:
    """Every receiving unit with its return (or none), every other file of the folder, and why."""
    by_unit: dict[str, list[Return]] = {}
    unattached = []
    for ret in collection.returns:
        (by_unit.setdefault(ret.unit.name, []) if ret.unit else unattached).append(ret)
    units = collection.plan.receiving_units() + [u for u in collection.plan.units if not u.receives_survey]
    table = []
    for unit in units:
        returns = sorted(by_unit.get(unit.name, []), key=lambda r: not r.used)
        if unit.receives_survey and not any(r.used or r.status is Status.UNUSABLE_FORMAT for r in returns):
            table.append([unit.name, unit.category, Status.MISSING.value] + [""] * 12)
        table += [_ledger_row(ret) for ret in returns]
    return table + [_ledger_row(ret) for ret in unattached]


def _ledger_row(ret: Return) -> list:
    when, by_what = ret.filed if ret.status not in (Status.SKIPPED, Status.UNREADABLE) else (None, "")
    contact = ret.contact
    sheet, cells = _source(contact.entries)
    return [ret.unit.name if ret.unit else "", ret.unit.category if ret.unit else "", ret.status.value, ret.file,
            taiwan_time(when) if when and when != dt.datetime.min else None, by_what, contact.reporter, contact.phone, ret.version,
            ret.recognition.value if ret.recognition else "", ret.reason, sheet, cells, ret.kind, ret.read_as]


def problem_rows(problems: list[Finding], collection: Collection) -> list[list]:
    units = {ret.file: ret.unit.name for ret in collection.returns if ret.unit}
    return [[f.location.file or "", units.get(f.location.file or "", ""), f.location.sheet or "", f.location.cell(),
             f.problem.severity.value, f.problem.message, f.content] for f in problems]


def unused_rows(collection: Collection) -> list[list]:
    return [[ret.file, ret.unit.name if ret.unit else "", ret.status.value, entry.sheet, entry.cell, entry.value]
            for ret, entry in collection.unused()]


def matrix(collection: Collection) -> tuple[list[tuple[str, str]], list[tuple[Unit, list[int]]]]:
    """Measures per unit and survey topic: the topics (dimension, topic), and per unit its counts."""
    plan = collection.plan
    topics = [(d.name, t) for d in plan.dimensions for t in d.survey_topics]
    index = {topic: i for i, topic in enumerate(topics)}
    used = collection.used_by_unit()
    units = plan.receiving_units() + [r.unit for r in collection.used() if not r.unit.receives_survey]
    counts = []
    for unit in units:
        row = [0] * len(topics)
        for measure in used[unit.name].measures if unit.name in used else []:
            row[index[measure.dimension, measure.topic]] += 1
        counts.append((unit, row))
    return topics, counts


def status_by_category(collection: Collection) -> list[tuple[str, int, int]]:
    """(category, returned, missing) for each unit category of the master, in the master's order."""
    missing = {unit.name for unit in collection.missing()}
    table: dict[str, list[int]] = {}
    for unit in collection.plan.receiving_units():
        counts = table.setdefault(unit.category, [0, 0])
        counts[1 if unit.name in missing else 0] += 1
    return [(category, returned, missing) for category, (returned, missing) in table.items()]


def summary_line(collection: Collection, problems: list[Finding]) -> str:
    expected = len(collection.plan.receiving_units())
    received = expected - len(collection.missing())
    errors = sum(f.problem.is_error for f in problems)
    return (f"已收到 {received} / {expected} 個單位的回報（檔案 {len(collection.returns)} 個），"
            f"問題 {len(problems)} 項（錯誤 {errors}、警告 {len(problems) - errors}）。")
