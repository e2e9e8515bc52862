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
    optional: tuple[str, ...] = ()  # headings a plan that does not use them may leave out: their cells read blank


FACTS = SheetSpec("計畫資料", ("項目", "內容", "說明"))
BODY_TABLE = "表格"  # optional: a row that names the measures table's 標示 places the table there, among the paragraphs
BODY = SheetSpec("本文", ("層級", "內容", BODY_TABLE), optional=(BODY_TABLE,))
DIMENSIONS = SheetSpec("構面", ("構面名稱", "評核類別", "配分"))
SURVEY_REQUIRED = "調查表必填"  # optional: 是 makes a unit that proposes no measure for the item 內容不全
ITEMS = SheetSpec("評核項目", ("構面", "評核項目", SURVEY_REQUIRED), optional=(SURVEY_REQUIRED,))
MEASURES = SheetSpec("附表1", ("構面", "評核項目", "評核重點", "層級", "具體作法", "完成期限", "期限日期"),
                     repeat_prefix="承辦單位", optional=("構面", "評核項目", "層級", "完成期限", "期限日期"))
UNIT_EMAIL = "電子郵件"  # optional: where collect's 催報 drafts are addressed
UNITS = SheetSpec("單位", ("單位名稱", "類別", "別名", "群組涵蓋類別", "填報調查表"),
                  optional=("別名", "群組涵蓋類別", "填報調查表", UNIT_EMAIL))
ROSTER_ATTACHMENT = "附表"  # optional: the label of the roster a group is printed in, when the plan has several
ROSTER = SheetSpec("附表3", ("編組", "職務", "職稱", "姓名", "層級", "職掌", "備考", ROSTER_ATTACHMENT),
                   optional=(ROSTER_ATTACHMENT,))
# Optional sheets: a plan that does not have them leaves them out. Without 附表, the attachments are the
# 附表1/2/3名稱 facts that are filled in; without 表格欄位, the measures table has the columns it has data for.
ATTACHMENTS = SheetSpec("附表", ("標示", "種類", "名稱"))
TABLE_COLUMNS = SheetSpec("表格欄位", ("欄位", "標題", "寬度"), optional=("寬度",))
MASTER_GUIDE_SHEET = "說明"  # the master's own instructions; not read

DATA_SHEETS = (FACTS, ATTACHMENTS, TABLE_COLUMNS, BODY, DIMENSIONS, ITEMS, MEASURES, UNITS, ROSTER)
OPTIONAL_SHEETS = (ATTACHMENTS, TABLE_COLUMNS, DIMENSIONS, ITEMS, ROSTER)

GROUP_CATEGORY = "群組"
YES, NO = "是", "否"


class AttachmentKind(enum.Enum):
    """What an attachment of the circular is; the value is what the 附表 sheet's 種類 column says."""

    MEASURES = "具體作法表"
    SURVEY = "調查表"
    ROSTER = "名冊"


class Column(enum.Enum):
    """The columns the measures table can print; the value is the 欄位 name and the default heading."""

    DIMENSION = "構面"  # listed in 表格欄位: one table for every dimension, each merged down this column
    ITEM = "評核項目"
    KEY_POINT = "評核重點"
    PRACTICES = "具體作法"
    DEADLINE = "完成期限"
    UNITS = "承辦單位"


# The columns of a plan whose 表格欄位 sheet does not say: dimensions stand above their tables.
DEFAULT_COLUMNS = (Column.ITEM, Column.KEY_POINT, Column.PRACTICES, Column.DEADLINE, Column.UNITS)
# A 表格欄位 name that is none of these, nor another heading of 附表1, names a column the plan adds (備註,
# 預期效益 …): its text is 附表1's column of that heading, on each key point's first row.
ADDED_COLUMN_WIDTH = 10
# Relative widths of the table's columns when 表格欄位 gives none (those of the shipped template).
DEFAULT_WIDTHS = {Column.ITEM: 10, Column.KEY_POINT: 12, Column.PRACTICES: 60, Column.DEADLINE: 10, Column.UNITS: 10,
                  Column.DIMENSION: 10}


class DimensionLayout(enum.Enum):
    """Where the measures table shows a dimension, as the 構面呈現 fact says (a 構面 column is listed in 表格欄位)."""

    HEADING = "標題"  # a heading above the dimension's own table (the default)
    ROW = "表格列"  # one table; each dimension a row spanning it, under the header


class Fact(enum.Enum):
    """The plan facts of the 計畫資料 sheet; the value is the name in column A."""

    AGENCY = "機關名稱"
    SELF_REFERENCE = "機關自稱"
    YEAR = "計畫年度"
    PLAN_NAME = "計畫名稱"
    TITLE = "計畫標題"  # optional: the whole title as the plan writes it, e.g. 臺中市…106年提升服務品質實施計畫
    ISSUE_DATE = "函頒日期"
    DOCUMENT_NUMBER = "發文字號"
    MEASURES_TITLE = "附表1名稱"
    SURVEY_TITLE = "附表2名稱"
    ROSTER_TITLE = "附表3名稱"
    DUE_DATE = "填報期限"
    RECIPIENT = "收件單位"
    FORM_VERSION = "表單版本"
    ISSUE_WORD = "發文用語"  # 函頒, 函核備, 函發 …: the last word of the issue line
    TOTAL_POINTS = "配分合計"  # when given, the dimensions' points must add up to it
    DIMENSION_LAYOUT = "構面呈現"  # optional: 標題 (default) or 表格列
    DIMENSION_NUMBERING = "構面編號"  # optional: the label of the first dimension, e.g. 一、, or 不編號
    ITEM_NUMBERING = "評核項目編號"  # optional, likewise for the items in the table
    KEY_POINT_NUMBERING = "評核重點編號"  # optional, likewise for the key points, e.g. (一)
    OFFICE = "承辦單位"  # optional: the 承辦 line of collect's report and 催報
    OFFICER = "承辦人"  # optional


# The facts every plan has; the others are asked for only by what the plan uses (see builder._facts).
REQUIRED_FACTS = (Fact.AGENCY, Fact.YEAR, Fact.PLAN_NAME)
# The 附表1/2/3名稱 facts stand for a 附表 sheet that is not there: label, kind.
TITLE_FACTS = {
    Fact.MEASURES_TITLE: ("附表1", AttachmentKind.MEASURES),
    Fact.SURVEY_TITLE: ("附表2", AttachmentKind.SURVEY),
    Fact.ROSTER_TITLE: ("附表3", AttachmentKind.ROSTER),
}


# The numbering facts and the level of the measures table each numbers; 不編號 turns a level's numbers off.
NUMBERING_FACTS = {
    Fact.DIMENSION_NUMBERING: Column.DIMENSION,
    Fact.ITEM_NUMBERING: Column.ITEM,
    Fact.KEY_POINT_NUMBERING: Column.KEY_POINT,
}
NO_NUMBERS = "不編號"


FACT_KINDS: dict[Fact, Kind] = {
    Fact.YEAR: Kind.INTEGER,
    Fact.ISSUE_DATE: Kind.DATE,
    Fact.DUE_DATE: Kind.DATE,
    Fact.FORM_VERSION: Kind.INTEGER,
    Fact.TOTAL_POINTS: Kind.INTEGER,
}
