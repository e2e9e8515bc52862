"""What the master names goes into file names, e-mail headers and titles: check refuses what would break them."""
from __future__ import annotations

import pytest
from openpyxl import load_workbook

from plandocs.master.unit_sheet import mail_address
from plandocs.master.validate import check_master
from plandocs.office.output import safe_file_name
from plandocs.paths import Paths


@pytest.mark.parametrize("typed, why", [
    ('x"@evil.com', "不含姓名、引號"),
    ("王小明 <wang@police.gov.tw>", "不含姓名"),
    ("a@police.gov.tw, b@police.gov.tw", "逗號"),
    ("單位@警察局.tw", "「@」之前只能有英文字母"),
    ("unit@police", "網域名稱不完整"),
])
def test_an_address_the_parser_does_not_take_whole_is_refused_with_the_reason(typed: str, why: str):
    address, reason = mail_address(typed)
    assert address == "" and why in reason


def test_an_idn_domain_is_encoded_for_the_to_header():
    assert mail_address("unit@警察局.tw") == ("unit@xn--ldtsi660k.tw", "")
    assert mail_address("unit2@police.gov.tw") == ("unit2@police.gov.tw", "")


def test_a_refused_address_is_a_warning_at_its_cell_and_the_unit_gets_no_address(project: Paths, edit_master):
    def change(workbook):
        units = workbook["單位"]
        column = next(c.column for c in units[1] if c.value == "電子郵件")
        units.cell(2, column).value = "不是地址"
        units.cell(3, column).value = "unit@警察局.tw"
    edit_master(change)
    result = check_master(project.source)
    (problem,) = [p for p in result.problems if "電子郵件" in p.message]
    assert not problem.is_error and problem.location.row == 2 and "「不是地址」不是可用的電子郵件地址" in problem.message
    assert result.plan.units[0].email == "" and result.plan.units[1].email == "unit@xn--ldtsi660k.tw"


def _row_of(sheet, first_column_value: str) -> int:
    return next(c.row for c in sheet["A"] if c.value == first_column_value)


def test_check_refuses_line_breaks_in_the_plan_name_unit_names_and_titles_with_their_cell(project: Paths,
                                                                                           edit_master):
    def change(workbook):
        facts = workbook["計畫資料"]
        facts.cell(_row_of(facts, "計畫名稱"), 2).value = "提升服務品質\n執行計畫"
        workbook["單位"]["A3"] = "中正\r\n第二分局"
    edit_master(change)
    problems = [p for p in check_master(project.source).problems if "含換行" in p.message]
    places = {(p.location.sheet, p.location.row) for p in problems}
    facts_row = _row_of(load_workbook(project.source)["計畫資料"], "計畫名稱")
    assert places == {("計畫資料", facts_row), ("單位", 3)}
    assert all(p.is_error and "Alt+Enter" in p.message for p in problems)


def test_check_refuses_a_unit_named_like_a_lock_file(project: Paths, edit_master):
    edit_master({"單位": {"A3": "~$中正第二分局"}})
    (problem,) = [p for p in check_master(project.source).problems if "鎖定檔" in p.message]
    assert problem.is_error and (problem.location.sheet, problem.location.row) == ("單位", 3)


def test_bidirectional_controls_never_reach_a_file_name():
    name = safe_file_name("督察室\u202ecod.exe\u2066\u200f")
    assert name == "督察室cod.exe"


@pytest.mark.parametrize(("sent", "kept"), [
    ("報" * 1_000_000 + ".xlsx", "報" * 65 + ".xlsx"),  # 200 bytes at most, the extension kept
    ("a" * 300, "a" * 120),
    ("CON .xlsx", "＿CON.xlsx"),  # Windows' device name, whatever spaces stand before the extension
    ("分局. .docx", "分局.docx"),
    ("x.abcdefghij", "x.abcdefghij"),  # a long 'extension' is part of the name
])
def test_a_file_name_is_shortened_by_its_bytes_and_keeps_its_extension(sent, kept):
    assert safe_file_name(sent) == kept


def test_a_device_name_bared_by_shortening_is_still_refused():
    assert safe_file_name("CON" + " " * 200 + "x.pdf") == "＿CON.pdf"
    assert safe_file_name("\udcff回報.xlsx") == "回報.xlsx"  # half a character is no part of a file name
