"""check reports every problem of every sheet in one run: no second round once the first ones are fixed."""
from __future__ import annotations

from plandocs.commands.check import check_all


def test_errors_in_several_sheets_are_all_listed_in_one_run(project, edit_master) -> None:
    def break_everything(workbook) -> None:
        facts = workbook["計畫資料"]
        facts.delete_rows(5)  # 計畫名稱, a fact every plan has
        workbook["本文"]["A6"] = 3  # 1 then 3: a level skipped
        workbook["構面"]["C2"] = "兩百"  # points that are not a number
        workbook["附表1"]["D3"] = 99  # no such level
        workbook["單位"]["B3"] = None  # a unit without its category
        workbook["附表3"]["D2"] = None  # a member without a name

    edit_master(break_everything)
    errors = [p for p in check_all(project).problems if p.is_error]
    places = sorted((p.location.sheet or "", p.location.row or 0, p.location.column or "") for p in errors)
    assert places == sorted([
        ("計畫資料", 0, ""), ("本文", 6, "A"), ("構面", 2, "C"), ("附表1", 3, "D"), ("單位", 3, "B"), ("附表3", 2, "D"),
    ]), "\n".join(p.format() for p in errors)
    assert len(errors) == 6


def test_a_missing_sheet_does_not_hide_the_others(project, edit_master) -> None:
    def break_two_sheets(workbook) -> None:
        del workbook["單位"]
        workbook["本文"]["A6"] = 3

    edit_master(break_two_sheets)
    errors = [p for p in check_all(project).problems if p.is_error]
    messages = [p.message for p in errors]
    assert "缺少工作表「單位」。" in messages
    assert any(p.location.sheet == "本文" and p.location.row == 6 for p in errors), "\n".join(p.format() for p in errors)
