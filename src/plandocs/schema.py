"""The layout of the master workbook: sheet names, column headings and plan-fact names.

The loader, the checks and the instructions sheet all read from here, so a heading is spelt once.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass


class Kind(enum.Enum):
    TEXT = "文字"
    INTEGER = "整數"
    DATE = "日期"
    LEVEL = "層級（1–9）"
    YES_NO = "是／否"


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = Kind.TEXT
    required: bool = False
    hint: str = ""


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[Column, ...]
    repeat_prefix: str | None = None  # headings such as 承辦單位1, 承辦單位2 … read as one list

    def column(self, header: str) -> Column:
        return next(c for c in self.columns if c.header == header)


FACTS = SheetSpec("計畫資料", (Column("項目", required=True), Column("內容"), Column("說明")))
BODY = SheetSpec("本文", (Column("層級", Kind.LEVEL), Column("內容", required=True)))
DIMENSIONS = SheetSpec(
    "構面",
    (
        Column("構面名稱", required=True),
        Column("評核類別", required=True, hint="個別評核構面 或 整體評核構面"),
        Column("配分", Kind.INTEGER, required=True),
    ),
)
ITEMS = SheetSpec("評核項目", (Column("構面", required=True), Column("評核項目", required=True)))
MEASURES = SheetSpec(
    "附表1",
    (
        Column("構面"),
        Column("評核項目"),
        Column("評核重點"),
        Column("層級", Kind.LEVEL),
        Column("具體作法", required=True),
        Column("完成期限"),
        Column("期限日期", Kind.DATE),
    ),
    repeat_prefix="承辦單位",
)
UNITS = SheetSpec(
    "單位",
    (
        Column("單位名稱", required=True),
        Column("類別", required=True),
        Column("別名", hint="以「、」分隔"),
        Column("群組涵蓋類別", hint="僅群組填寫，以「、」分隔"),
        Column("填報調查表", Kind.YES_NO),
    ),
)
ROSTER = SheetSpec(
    "附表3",
    (
        Column("編組"),
        Column("職務"),
        Column("職稱"),
        Column("姓名"),
        Column("層級", Kind.LEVEL),
        Column("職掌"),
        Column("備考"),
    ),
)
GUIDE_SHEET = "說明"

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


FACT_KINDS: dict[Fact, Kind] = {
    Fact.YEAR: Kind.INTEGER,
    Fact.ISSUE_DATE: Kind.DATE,
    Fact.DUE_DATE: Kind.DATE,
    Fact.FORM_VERSION: Kind.INTEGER,
}

FACT_HINTS: dict[Fact, str] = {
    Fact.AGENCY: "全銜，例：臺北市政府警察局",
    Fact.SELF_REFERENCE: "函頒字號前的自稱，例：本局",
    Fact.YEAR: "民國年，例：107",
    Fact.PLAN_NAME: "標題為「機關名稱＋年度＋年度＋計畫名稱」",
    Fact.ISSUE_DATE: "Excel 日期格式",
    Fact.DOCUMENT_NUMBER: "例：北市警秘字第10733653600號",
    Fact.MEASURES_TITLE: "附表1 標題",
    Fact.SURVEY_TITLE: "附表2 標題（前面自動加上機關、單位名稱與年度）",
    Fact.ROSTER_TITLE: "附表3 標題（前面自動加上機關名稱）",
    Fact.DUE_DATE: "各單位回報期限，Excel 日期格式",
    Fact.RECIPIENT: "調查表與辦理情形寄回的單位",
    Fact.FORM_VERSION: "調查表格式變更時加 1",
}
