"""The layout of the master workbook: sheet names, column headings and plan-fact names.

The loader and the checks read from here, so a heading is spelt once. Which cells are required and what
type they hold is decided where they are converted (model.py), with the message that goes with it.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass


class Kind(enum.Enum):
    TEXT = "文字"
    INTEGER = "整數"
    DATE = "日期"


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[str, ...]  # the headings of row 1
    repeat_prefix: str | None = None  # headings such as 承辦單位1, 承辦單位2 … read as one list
    optional: tuple[str, ...] = ()  # headings a master may leave out (added after masters were in use)


FACTS = SheetSpec("計畫資料", ("項目", "內容", "說明"))
BODY = SheetSpec("本文", ("層級", "內容"))
DIMENSIONS = SheetSpec("構面", ("構面名稱", "評核類別", "配分"))
ITEMS = SheetSpec("評核項目", ("構面", "評核項目"))
MEASURES = SheetSpec("附表1", ("構面", "評核項目", "評核重點", "層級", "具體作法", "完成期限", "期限日期"),
                     repeat_prefix="承辦單位")
UNIT_EMAIL = "電子郵件"  # optional: where collect's 催報 drafts are addressed
UNITS = SheetSpec("單位", ("單位名稱", "類別", "別名", "群組涵蓋類別", "填報調查表"), optional=(UNIT_EMAIL,))
ROSTER = SheetSpec("附表3", ("編組", "職務", "職稱", "姓名", "層級", "職掌", "備考"))
MASTER_GUIDE_SHEET = "說明"  # the master's own instructions; not read

DATA_SHEETS = (FACTS, BODY, DIMENSIONS, ITEMS, MEASURES, UNITS, ROSTER)

INDIVIDUAL = "個別評核構面"
OVERALL = "整體評核構面"
DIMENSION_KINDS = (INDIVIDUAL, OVERALL)
GROUP_CATEGORY = "群組"
UNIT_CATEGORIES = ("分局", "大隊", "隊", "科", "室", "中心", GROUP_CATEGORY)
TOTAL_POINTS = 1000
YES, NO = "是", "否"


class Fact(enum.Enum):
    """The plan facts of the 計畫資料 sheet; the value is the name in column A."""

    AGENCY = "機關名稱"
    SELF_REFERENCE = "機關自稱"
    YEAR = "計畫年度"
    PLAN_NAME = "計畫名稱"
    ISSUE_DATE = "函頒日期"
    DOCUMENT_NUMBER = "發文字號"
    MEASURES_TITLE = "附表1名稱"
    SURVEY_TITLE = "附表2名稱"
    ROSTER_TITLE = "附表3名稱"
    DUE_DATE = "填報期限"
    RECIPIENT = "收件單位"
    FORM_VERSION = "表單版本"
    OFFICE = "承辦單位"  # optional: the 承辦 line of collect's report and 催報
    OFFICER = "承辦人"  # optional


OPTIONAL_FACTS = (Fact.OFFICE, Fact.OFFICER)


FACT_KINDS: dict[Fact, Kind] = {
    Fact.YEAR: Kind.INTEGER,
    Fact.ISSUE_DATE: Kind.DATE,
    Fact.DUE_DATE: Kind.DATE,
    Fact.FORM_VERSION: Kind.INTEGER,
}
