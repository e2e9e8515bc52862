"""The entries collect added to the master are optional: a master made before them still builds."""
from __future__ import annotations

from plandocs.master.validate import check_master
from plandocs.paths import Paths


def test_a_master_without_the_new_facts_and_the_email_column_has_no_problems(project: Paths, edit_master):
    def remove(workbook):
        facts = workbook["計畫資料"]
        for row in range(facts.max_row, 1, -1):
            if facts.cell(row, 1).value in ("承辦單位", "承辦人"):
                facts.delete_rows(row)
        units = workbook["單位"]
        column = next(c.column for c in units[1] if c.value == "電子郵件")
        units.delete_cols(column)
    edit_master(remove)
    result = check_master(project.source)
    assert not result.problems
    assert (result.plan.facts.office, result.plan.facts.officer) == ("", "")
    assert all(unit.email == "" for unit in result.plan.units)


def test_the_shipped_master_names_its_office_and_documents_the_new_entries(project: Paths):
    from openpyxl import load_workbook

    plan = check_master(project.source).plan
    assert plan.facts.office == "秘書室" and plan.facts.officer == ""
    guide = "\n".join(str(c.value) for c in load_workbook(project.source)["說明"]["A"] if c.value)
    assert "「承辦單位」「承辦人」為選填" in guide and "「電子郵件」欄為選填" in guide
