"""A project holding a plan of another shape than the shipped one: a land office's 106年度提升服務工作計畫.

Four sections, one table with its own headings (工作要領 / 工作重點 / 業務單位), no dimensions, no survey,
no roster, no points, units of the category 課, issued 「…函核備」. Written with openpyxl from the rows below,
so a test reads what the master holds and can compare the outputs with it.
"""
from __future__ import annotations

import copy
import datetime as dt
import shutil
from pathlib import Path

from plandocs.paths import Paths

from .project import SHIPPED_TEMPLATES

AGENCY = "新竹縣竹北地政事務所"
PLAN_NAME = "提升服務工作計畫"
YEAR = 106
ISSUE_LINE = "新竹縣政府106年2月20日府地籍字第1060023456號函核備"
TABLE_HEADINGS = ["工作要領", "工作重點", "業務單位"]
ATTACHMENT_LABEL = "附表"
ATTACHMENT_TITLE = "提升服務工作要領表"

# Words of the shipped Taipei plan that no output of this plan may carry.
FIRST_PLAN_WORDS = ["臺北市政府警察局", "警察", "警政", "分局", "大隊", "提升服務品質", "各業務單位", "本局", "函頒",
                    "評核", "構面", "附表1", "附表2", "附表3", "秘書室", "1000分", "推動小組", "調查表", "105", "107"]

SHEETS: dict[str, list[list[object]]] = {
    "計畫資料": [
        ["項目", "內容", "說明"],
        ["機關名稱", AGENCY, None],
        ["機關自稱", "新竹縣政府", None],
        ["計畫年度", YEAR, None],
        ["計畫名稱", PLAN_NAME, None],
        ["函頒日期", dt.datetime(2017, 2, 20), None],
        ["發文字號", "府地籍字第1060023456號", None],
        ["發文用語", "函核備", None],
    ],
    "附表": [["標示", "種類", "名稱"], [ATTACHMENT_LABEL, "具體作法表", ATTACHMENT_TITLE]],
    "表格欄位": [["欄位", "標題", "寬度"], ["評核重點", "工作要領", 20], ["具體作法", "工作重點", 60],
               ["承辦單位", "業務單位", 20]],
    "本文": [
        ["層級", "內容"],
        [1, "依據"],
        [None, "新竹縣政府106年度為民服務工作實施要點。"],
        [1, "目標"],
        [None, "簡化地政業務流程，縮短案件處理時間，提供民眾便捷的地政服務。"],
        [1, "實施要領"],
        [None, "各課依附表所列工作要領及工作重點辦理。"],
        [1, "考核"],
        [2, "本計畫執行情形列入年終考核。"],
        [2, "本計畫經新竹縣政府核備後實施，修正時亦同。"],
    ],
    "附表1": [
        ["評核重點", "層級", "具體作法", "承辦單位1", "承辦單位2"],
        ["簡化作業流程", 1, "登記案件隨到隨辦，當日收件當日辦竣。", "登記課", None],
        [None, 2, "簡易案件設置快速窗口。", None, None],
        [None, 1, "測量案件以電話通知會同時間。", None, None],
        ["便民措施", 1, "設置跨所申辦地籍謄本服務。", "各課", None],
        [None, 1, "提供網路申辦地價查詢。", None, None],
        ["資訊公開", 1, "於網站公開各類案件處理進度。", "資訊課", "行政課"],
    ],
    "單位": [
        ["單位名稱", "類別", "別名", "群組涵蓋類別", "填報調查表"],
        ["登記課", "課", None, None, None],
        ["測量課", "課", None, None, None],
        ["地價課", "課", None, None, None],
        ["行政課", "課", None, None, None],
        ["資訊課", "課", None, None, None],
        ["各課", "群組", None, "課", None],
    ],
}


def write_land_office_master(path: Path, sheets: dict[str, list[list[object]]] = SHEETS) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)


def make_land_office_project(folder: Path, sheets: dict[str, list[list[object]]] = SHEETS) -> Paths:
    """The land office's master (or another written from the same documented sheets) with the shipped templates."""
    (folder / "source").mkdir(parents=True)
    write_land_office_master(folder / "source" / "plan_master.xlsx", sheets)
    shutil.copytree(SHIPPED_TEMPLATES, folder / "templates")
    return Paths.under(folder)


def sheets_with(**changes: list[list[object]]) -> dict[str, list[list[object]]]:
    """The land office's sheets with some replaced (a sheet given as None is left out); SHEETS itself is not changed."""
    sheets = copy.deepcopy(SHEETS) | changes
    return {name: rows for name, rows in sheets.items() if rows is not None}


def facts_with(**facts: object) -> list[list[object]]:
    """The 計畫資料 rows with the facts given by name set (added at the end when the sheet has no such row)."""
    rows = copy.deepcopy(SHEETS["計畫資料"])
    for name, value in facts.items():
        row = next((r for r in rows if r[0] == name), None)
        if row is None:
            rows.append([name, value, None])
        else:
            row[1] = value
    return rows
