"""The plan's title: the rule (機關名稱＋計畫年度＋年度＋計畫名稱) by default, or 計畫標題 as the plan writes it."""
from __future__ import annotations

import re
import zipfile

from helpers.land_office import AGENCY, PLAN_NAME, YEAR, facts_with, make_land_office_project, sheets_with
from plandocs.commands.build import build
from plandocs.errors import Severity
from plandocs.master.validate import check_master

WRITTEN_TITLE = f"{AGENCY}{YEAR}年提升服務品質實施計畫"


def test_a_written_title_is_the_whole_title_of_the_circular(tmp_path) -> None:
    project = make_land_office_project(tmp_path, sheets_with(計畫資料=facts_with(計畫標題=WRITTEN_TITLE)))
    result = check_master(project.source)
    assert [p.format() for p in result.problems] == []
    assert result.plan.facts.title == WRITTEN_TITLE
    report = build(project)
    assert [a.path.name for a in report.artifacts] == [f"{WRITTEN_TITLE}.docx"]
    with zipfile.ZipFile(project.output / f"{WRITTEN_TITLE}.docx") as docx:
        xml = docx.read("word/document.xml").decode()
    first = re.search(r"<w:p[ >].*?</w:p>", xml).group()
    assert "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", first)) == WRITTEN_TITLE


def test_without_a_written_title_the_rule_makes_it() -> None:
    from plandocs.master.model import Facts

    facts = Facts(agency=AGENCY, self_reference="", year=YEAR, plan_name=PLAN_NAME, issue_date=None,
                  document_number="", due_date=None, recipient="", form_version=1, locations={})
    assert facts.title == f"{AGENCY}{YEAR}年度{PLAN_NAME}"


def test_a_plan_name_that_starts_with_its_year_is_warned_of_at_the_plan_name(tmp_path) -> None:
    rows = facts_with(計畫名稱=f"{YEAR}年提升服務品質實施計畫")
    project = make_land_office_project(tmp_path, sheets_with(計畫資料=rows))
    problems = check_master(project.source).problems
    assert [(p.severity, p.location.sheet, p.location.row, p.location.header, p.message) for p in problems] == [(
        Severity.WARNING, "計畫資料", 1 + [r[0] for r in rows].index("計畫名稱"), "內容",
        f"標題由「機關名稱＋計畫年度＋年度＋計畫名稱」組成，會印成「{AGENCY}106年度106年提升服務品質實施計畫」，"
        "年度重複（106年度106年）；請刪除「計畫名稱」開頭的年度，或新增「計畫標題」填寫計畫所寫的完整標題。")]


def test_a_written_title_that_repeats_the_year_is_warned_of_at_the_title(tmp_path) -> None:
    rows = facts_with(計畫標題=f"{AGENCY}106年度106年提升服務品質實施計畫")
    project = make_land_office_project(tmp_path, sheets_with(計畫資料=rows))
    problems = check_master(project.source).problems
    assert [(p.severity, p.location.row, p.message) for p in problems] == [(
        Severity.WARNING, len(rows),
        f"計畫標題「{AGENCY}106年度106年提升服務品質實施計畫」的年度重複（106年度106年）；請刪除重複的年度。")]

