"""The fill-in workbook each unit receives and returns: its layout and identity, shared by build and collect.

The identity (plan year, unit, form version, layout digest) is stored twice — in a very hidden sheet
and in custom document properties — because Excel, LibreOffice and WPS each keep at least one of them
when a unit renames or re-saves the file.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from ..master.model import Dimension, Item, KeyPoint, Plan, Unit, UnitRef

SURVEY_SHEET = "調查表"
PROGRESS_SHEET = "辦理情形"
GUIDE_SHEET = "說明"
LISTS_SHEET = "選單"  # hidden: the choices of the 構面 and 項目 drop-downs of 調查表
IDENTITY_SHEET = "表單識別"  # very hidden: the identity, key in column A and value in column B

# 調查表 and 辦理情形: row 1 holds the title with the unit's name, row 2 a note, row 3 the headings;
# the unit's entries start on row 4.
HEADER_ROW = 3
SURVEY_HEADERS = ("構面名稱", "項目", "措施名稱", "措施內容")  # every column is an input column
SURVEY_ROWS_PER_TOPIC = 3  # empty rows under each 構面/項目 pair; units insert more rows as they need
SURVEY_SPARE_ROWS = 10  # rows at the end with 構面 and 項目 left for the unit to choose
PROGRESS_CODE = "編號"  # the key point's code, e.g. 1.1.1: what identifies a row of 辦理情形
PROGRESS_KEY_POINT = "評核重點"  # the key point's name: identifies the row when the code is gone
PROGRESS_INPUT = "辦理情形"  # the one input column besides the case counts
PROGRESS_HEADERS = (PROGRESS_CODE, "構面", "評核項目", PROGRESS_KEY_POINT, "具體作法（參考）", "完成期限", "期限日期",
                    PROGRESS_INPUT)
CASE_COUNT_WORD = "件數"  # a deadline such as 「提供106、107年申辦件數及辦理情形」 asks for case counts

# 說明: what the unit enters, label in column A and entry in column B of the given row.
REPORT_DATE = "填報日期"  # collect keeps the return with the later date when a unit sends two
REPORTER = "填報人"
PHONE = "聯絡電話"
GUIDE_INPUT_ROWS = {REPORT_DATE: 5, REPORTER: 6, PHONE: 7}

# Keys of the identity sheet (column A) and of the custom document properties.
ID_YEAR = "計畫年度"
ID_UNIT = "單位"
ID_VERSION = "表單版本"
ID_DIGEST = "版面摘要"
ID_KIND = "表單種類"
FORM_KIND = "plandocs 單位填報表"
PROPERTY_PREFIX = "plandocs."


@dataclass(frozen=True)
class ProgressRow:
    """A key point a unit reports on, with the stable code that identifies it in a return."""

    code: str
    dimension: Dimension
    item: Item
    key_point: KeyPoint
    case_count_years: tuple[int, ...]  # ROC years whose case counts are asked for, e.g. (106, 107)


def plan_progress_rows(plan: Plan) -> list[ProgressRow]:
    """Every key point of 附表1 as a row of 辦理情形, in plan order, with the case counts it asks for."""
    return [ProgressRow(code, dimension, item, key_point, asked_years(plan, key_point))
            for code, dimension, item, key_point in numbered_key_points(plan)]


# 「提供106、107年申辦件數」: the years a deadline names before 年, when it asks for case counts
_YEARS = re.compile(r"(\d{2,3}(?:\s*[、，,及與和至-]\s*\d{2,3})*)\s*年(?!\d|\s*\d+\s*月)")


def asked_years(plan: Plan, key_point: KeyPoint) -> tuple[int, ...]:
    """The ROC years a key point asks case counts for: those its deadline names, else last year and the plan year."""
    if CASE_COUNT_WORD not in key_point.deadline:
        return ()
    named = [int(n) for match in _YEARS.finditer(key_point.deadline) for n in re.findall(r"\d{2,3}", match.group(1))]
    if named:
        return tuple(sorted(set(named)))
    return plan.facts.year - 1, plan.facts.year


def progress_rows(plan: Plan, unit: Unit) -> list[ProgressRow]:
    """The key points of 附表1 this unit answers for, directly or through a group, in plan order."""
    return [row for row in plan_progress_rows(plan) if any(_reaches(ref, unit) for ref in row.key_point.responsible)]


def _reaches(ref: UnitRef, unit: Unit) -> bool:
    """Whether a responsibility reaches the unit, in time independent of the number of units.

    A group reaches every unit of its categories (how the model resolves a group); testing the category
    instead of searching the group's member list keeps a build for 1,000 units linear.
    """
    if ref.group is not None:
        return ref.group.covers(unit)
    return unit in ref.units


def numbered_key_points(plan: Plan) -> list[tuple[str, Dimension, Item, KeyPoint]]:
    """Every key point with its code: dimension, item and key point numbers, e.g. 1.2.3."""
    return [(f"{d}.{i}.{k}", dimension, item, key_point)
            for d, dimension in enumerate(plan.dimensions, 1)
            for i, item in enumerate(dimension.items, 1)
            for k, key_point in enumerate(item.key_points, 1)]


def case_count_years(plan: Plan) -> tuple[int, ...]:
    """The ROC years of the case-count columns: every year a key point asks for, in order."""
    years = {year for *_, key_point in numbered_key_points(plan) for year in asked_years(plan, key_point)}
    return tuple(sorted(years))


def case_count_header(year: int) -> str:
    return f"{year}年件數"


def progress_headers(plan: Plan) -> tuple[str, ...]:
    """The headings of 辦理情形, row HEADER_ROW: PROGRESS_HEADERS, then one case-count column per year."""
    return PROGRESS_HEADERS + tuple(case_count_header(year) for year in case_count_years(plan))


def layout_digest(plan: Plan) -> str:
    """A short digest of what the form asks: its columns, the survey topics, every key point's code and name.

    Two forms with the same digest can be merged row by row; a different digest means an old version.
    """
    layout = {
        "columns": [list(SURVEY_HEADERS), list(progress_headers(plan))],
        "survey": [[d.name, d.survey_topics] for d in plan.dimensions],
        "progress": [[code, kp.name] for code, _, _, kp in numbered_key_points(plan)],
    }
    text = json.dumps(layout, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def identity(plan: Plan, unit: Unit) -> dict[str, str]:
    """The identity written into a unit's workbook, as text (what survives every office suite)."""
    return {
        ID_KIND: FORM_KIND,
        ID_YEAR: str(plan.facts.year),
        ID_UNIT: unit.name,
        ID_VERSION: str(plan.facts.form_version),
        ID_DIGEST: layout_digest(plan),
    }
