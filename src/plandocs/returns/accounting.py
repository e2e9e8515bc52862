"""Problems beyond a bound: a file with thousands of problems of one kind gets one row saying how many and where.

A crafted or broken return can raise a problem in each of its thousands of cells; listed one by one, a few such files
would pass the 1,048,576 rows of a sheet. Each kind (same sheet, severity and message) of one file is listed up
to PER_KIND times and each file up to PER_FILE times; every further problem is counted into a summary row that
gives the count and the cell ranges, so each is still accounted for.
"""
from __future__ import annotations

import re
from collections import Counter

from ..errors import Location, Problem, Severity
from ..office.workbook_data import column_index, column_letter
from .records import Finding

PER_KIND = 100
PER_FILE = 1000
SHOWN_RANGES = 40  # a summary names this many ranges, then how many more
_CELL = re.compile(r"([A-Z]{1,3})(\d+)")


def bounded(findings: list[Finding]) -> list[Finding]:
    """The findings of one file, each kind beyond its bound (and all beyond the file's) summarised."""
    if len(findings) <= PER_KIND:
        return findings
    listed: list[Finding] = []
    kinds: Counter = Counter()
    beyond: dict[tuple, list[str]] = {}
    for finding in findings:
        problem = finding.problem
        kind = (problem.location.file, problem.location.sheet, problem.severity, problem.message)
        kinds[kind] += 1
        if kinds[kind] <= PER_KIND and len(listed) < PER_FILE:
            listed.append(finding)
        else:
            # beyond the file's bound the kinds collapse too, so that unique messages cannot pass it either
            key = kind if kinds[kind] > PER_KIND else (*kind[:3], None)
            beyond.setdefault(key, []).append(problem.location.cell())
    for (file, sheet, severity, message), cells in beyond.items():
        listed.append(Finding(Problem(_summary(message, severity, cells), Location(file=file, sheet=sheet), severity)))
    return listed


def _summary(message: str | None, severity: Severity, cells: list[str]) -> str:
    where = cell_ranges([c for c in cells if c])
    place = f"，位於 {where}" if where else ""
    if message is None:
        return (f"此檔問題過多，另有 {len(cells):,} 項{severity.value}未逐一列出{place}；"
                "請請該單位以寄發的填報表重新填寫，或逐格檢查這些儲存格。")
    return f"同類問題另有 {len(cells):,} 項未逐一列出{place}。此類問題為：{message}"


def cell_ranges(cells: list[str]) -> str:
    """Cells as ranges, column by column: D12:D5000、F3 …; beyond SHOWN_RANGES, how many ranges more."""
    by_column: dict[int, list[int]] = {}
    for cell in cells:
        match = _CELL.fullmatch(cell)
        if match:
            by_column.setdefault(column_index(match.group(1)), []).append(int(match.group(2)))
    ranges: list[str] = []
    for column in sorted(by_column):
        letter = column_letter(column)
        rows = sorted(set(by_column[column]))
        start = previous = rows[0]
        for row in [*rows[1:], None]:
            if row is not None and row == previous + 1:
                previous = row
                continue
            ranges.append(f"{letter}{start}" if start == previous else f"{letter}{start}:{letter}{previous}")
            if row is not None:
                start = previous = row
    shown = "、".join(ranges[:SHOWN_RANGES])
    return shown + (f" 等 {len(ranges):,} 個範圍" if len(ranges) > SHOWN_RANGES else "")
