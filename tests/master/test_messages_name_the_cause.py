"""A refusal names the real cause, where it is, and what may be written instead."""
from __future__ import annotations

from helpers.land_office import make_land_office_project, sheets_with
from plandocs.master.validate import check_master

MEASURES_WITH_ITEMS = [
    ["構面", "評核項目", "評核重點", "層級", "具體作法", "承辦單位1"],
    ["便民服務", "簡化流程", "簡化作業流程", 1, "登記案件隨到隨辦。", "登記課"],
]


def _problems(project) -> list[tuple[str, int | None, str | None, str]]:
    return [(p.location.sheet, p.location.row, p.location.header, p.message)
            for p in check_master(project.source).problems if p.is_error]


def test_an_item_whose_dimension_is_blank_is_reported_there_not_as_a_missing_item(tmp_path) -> None:
    project = make_land_office_project(tmp_path, sheets_with(
        構面=[["構面名稱", "評核類別", "配分"], ["便民服務", None, None], ["資訊公開", None, None]],
        評核項目=[["構面", "評核項目"], [None, "簡化流程"]],
        附表1=MEASURES_WITH_ITEMS))
    assert _problems(project) == [
        ("評核項目", 2, "構面", "「構面」空白，上方也沒有構面可沿用，評核項目「簡化流程」不屬於任何構面；"
                                "請填寫所屬構面（可填：「便民服務」、「資訊公開」）。"),
    ]


def test_a_refused_table_column_lists_the_columns_there_are(tmp_path) -> None:
    project = make_land_office_project(tmp_path, sheets_with(
        表格欄位=[["欄位", "標題"], ["評核重點", "工作要領"], ["具體作法", "工作重點"], ["備註", "備註"]]))
    assert _problems(project) == [
        ("表格欄位", 4, "欄位", "「備註」不是已定義的表格欄位，「附表1」工作表也沒有此欄；可填：「構面」、「評核項目」、"
                                "「評核重點」、「具體作法」、「完成期限」、「承辦單位」，或計畫自訂的欄位（在「附表1」新增同名的欄，"
                                "於評核重點所在列填寫）。"),
    ]


def test_a_refused_dimension_lists_the_dimensions_and_the_likely_one(tmp_path) -> None:
    project = make_land_office_project(tmp_path, sheets_with(
        構面=[["構面名稱", "評核類別", "配分"], ["便民服務", None, None]],
        評核項目=[["構面", "評核項目"], ["便民服務", "簡化流程"]],
        附表1=[MEASURES_WITH_ITEMS[0], ["便民服務務", *MEASURES_WITH_ITEMS[1][1:]]]))
    assert ("附表1", 2, "構面", "「便民服務務」不是已定義的構面（是否為「便民服務」？）；可填：「便民服務」。") in _problems(project)
