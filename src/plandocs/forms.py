"""The fill-in workbook each unit receives and returns: its layout and identity, shared by build and collect.

The identity (plan year, unit, form version, layout digest) is stored twice — in a very hidden sheet
and in custom document properties — because Excel, LibreOffice and WPS each keep at least one of them
when a unit renames or re-saves the file.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from .model import Dimension, Item, KeyPoint, Plan, Unit

SURVEY_SHEET = "調查表"
PROGRESS_SHEET = "辦理情形"
GUIDE_SHEET = "說明"
IDENTITY_SHEET = "表單識別"

HEADER_ROW = 3  # rows 1–2 hold the title and the unit; data starts below the heading row
SURVEY_HEADERS = ("構面名稱", "項目", "措施名稱", "措施內容")
PROGRESS_HEADERS = ("編號", "構面", "評核項目", "評核重點", "具體作法（參考）", "完成期限", "辦理情形")
CASE_COUNT_WORD = "件數"  # a deadline such as 「提供106、107年申辦件數及辦理情形」 asks for case counts

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


def progress_rows(plan: Plan, unit: Unit) -> list[ProgressRow]:
    """The key points of 附表1 this unit answers for, directly or through a group, in plan order."""
    rows = []
    for d, dimension in enumerate(plan.dimensions, 1):
        for i, item in enumerate(dimension.items, 1):
            for k, key_point in enumerate(item.key_points, 1):
                if unit in key_point.units:
                    years = (plan.facts.year - 1, plan.facts.year) if CASE_COUNT_WORD in key_point.deadline else ()
                    rows.append(ProgressRow(f"{d}.{i}.{k}", dimension, item, key_point, years))
    return rows


def case_count_header(year: int) -> str:
    return f"{year}年件數"


def layout_digest(plan: Plan) -> str:
    """A short digest of what the form asks: the survey topics and every key point's code and name.

    Two forms with the same digest can be merged row by row; a different digest means an old version.
    """
    layout = {
        "survey": [[d.name, d.survey_topics] for d in plan.dimensions],
        "progress": [[f"{d}.{i}.{k}", kp.name] for d, dim in enumerate(plan.dimensions, 1)
                     for i, item in enumerate(dim.items, 1) for k, kp in enumerate(item.key_points, 1)],
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
