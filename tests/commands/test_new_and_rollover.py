"""plandocs new starts a project that passes check; plandocs rollover writes next year's master beside this one."""
from __future__ import annotations

import hashlib
import io

import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import Workbook, load_workbook

from plandocs.cli import main
from plandocs.commands.build import build
from plandocs.commands.check import check_all
from plandocs.commands.new import new_project
from plandocs.commands.rollover import DRAFT_MARK, other_years, rollover, shift_years
from plandocs.documents.fill_in_form import progress_headers
from plandocs.errors import OutputError
from plandocs.master.schema import DATA_SHEETS
from plandocs.master.validate import check_master
from plandocs.paths import Paths

from helpers.project import SHIPPED_TEMPLATES


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_new_project_passes_check_as_created(tmp_path) -> None:
    folder = tmp_path / "新專案"
    written = new_project(folder, year=115)
    paths = Paths.under(folder)
    assert sorted(p.relative_to(folder).as_posix() for p in written) == [
        "README.txt", "source/plan_master.xlsx", "templates/plan.docx", "templates/reminder.docx", "templates/report.docx",
        "templates/roster.docx", "templates/survey.docx"]
    assert check_all(paths).problems == []
    workbook = load_workbook(paths.source)
    assert workbook.sheetnames == ["說明", "計畫資料", "附表", "表格欄位", "本文", "構面", "評核項目", "附表1", "單位", "附表3"]
    for sheet in workbook.worksheets[1:]:
        assert sheet.max_row == 2 or sheet.title in ("計畫資料", "附表", "表格欄位", "本文"), sheet.title
        assert sheet.freeze_panes == "A2"
    assert [str(v.sqref) for v in workbook["附表"].data_validations.dataValidation] == ["B2:B100"]
    guide = "\n".join(str(c.value) for c in workbook["說明"]["A"] if c.value)
    for spec in DATA_SHEETS:  # the guide explains every sheet and every column
        line = next(line for line in guide.splitlines() if line.startswith(f"{spec.name}："))
        assert [c for c in spec.columns if c not in line] == [], spec.name
    for name in ("plan.docx", "survey.docx", "roster.docx", "report.docx"):
        # the package's copy (src/plandocs/starter/) must follow templates/: copy it after changing a template
        assert (paths.templates / name).read_bytes() == (SHIPPED_TEMPLATES / name).read_bytes(), name
    report = build(paths)
    assert sorted(a.path.name for a in report.artifacts) == [
        "第一科_調查表及辦理情形填報.xlsx", "第一科_附表2調查表.docx", "範例機關115年度年度工作計畫.docx", "附表3_範例機關推動小組名冊.docx"]


def test_new_never_writes_over_a_project(tmp_path) -> None:
    new_project(tmp_path, year=115)
    before = {p: _digest(p) for p in tmp_path.rglob("*") if p.is_file()}
    with pytest.raises(OutputError, match="為免覆蓋未建立任何檔案"):
        new_project(tmp_path, year=116)
    assert {p: _digest(p) for p in tmp_path.rglob("*") if p.is_file()} == before


def test_years_in_texts_move_on_but_not_dates() -> None:
    assert shift_years("持續檢討辦理，並請於6月29日前提供106、107年申辦件數及辦理情形", 107) == \
        "持續檢討辦理，並請於6月29日前提供107、108年申辦件數及辦理情形"
    assert shift_years("警察機關107年度提升服務品質實施計畫", 107) == "警察機關108年度提升服務品質實施計畫"
    assert shift_years("內政部警政署107年3月1日函", 107) == "內政部警政署107年3月1日函"
    assert shift_years("北市警秘字第10733653600號；民國90年成立", 107) == "北市警秘字第10733653600號；民國90年成立"
    # a recent year named alone may be history: it stays, and is listed for review
    assert shift_years("自105年起推動，106年度擴大辦理", 107) == "自105年起推動，106年度擴大辦理"
    assert other_years("自105年起推動，106年度擴大辦理", 107) == ["105年", "106年"]


def test_rollover_writes_next_years_master_and_leaves_this_one(project) -> None:
    before = project.source.read_bytes()
    result = rollover(project.source)
    assert project.source.read_bytes() == before
    assert result.target == project.source.with_name("plan_master_108.xlsx")
    assert any("107年3月1日" in line for line in result.review)
    check = check_master(result.target)
    assert check.errors == [], "\n".join(p.format() for p in check.errors)
    plan = check.plan
    assert plan.facts.title == "臺北市政府警察局108年度提升服務品質執行計畫"
    assert plan.facts.issue_date is None and plan.facts.document_number == "" and plan.facts.issue_line == ""
    assert plan.facts.due_date.year == 2019
    assert progress_headers(plan)[-2:] == ("107年件數", "108年件數")
    assert "107、108年申辦件數" in plan.dimensions[0].key_points[0].deadline
    report = build(Paths(result.target, project.templates, project.output))
    circular = next(a for a in report.artifacts if a.kind == "函頒計畫")
    titles = [p.text for p in Document(io.BytesIO(circular.data)).paragraphs]
    assert "臺北市政府警察局108年度提升服務品質執行計畫" in titles
    with pytest.raises(OutputError, match="已存在"):
        rollover(project.source)
    assert project.source.read_bytes() == before


def _proposals(path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "措施彙整"
    sheet.append(["臺北市政府警察局107年度提升服務品質執行計畫 回報彙整"])
    sheet.append(["構面", "項目", "單位", "措施名稱", "措施內容", "來源"])
    sheet.append(["基礎服務", "服務友善", "督察室", "服務禮貌抽查", "每月電話抽查各單位服務禮貌。", "a.xlsx"])
    sheet.append(["開放創新", "創新性", "資訊室", "線上預約", None, "b.xlsx"])
    sheet.append(["服務遞送", "不存在的項目", "秘書室", "另一措施", "內容", "c.xlsx"])
    workbook.save(path)


def test_rollover_adds_the_units_proposals_as_draft_practices(project, tmp_path) -> None:
    proposals = tmp_path / "107年回報彙整.xlsx"
    _proposals(proposals)
    result = rollover(project.source, tmp_path / "next.xlsx", proposals)
    assert any("不存在的項目" in line and "未加入" in line for line in result.review)
    check = check_master(result.target)
    assert check.errors == [], "\n".join(p.format() for p in check.errors)
    dimensions = {d.name: d for d in check.plan.dimensions}
    friendly = next(i for i in dimensions["基礎服務"].items if i.name == "服務友善")
    assert friendly.key_points[-1].practices[-1].text == f"{DRAFT_MARK}服務禮貌抽查：每月電話抽查各單位服務禮貌。"
    innovation = next(kp for kp in dimensions["開放創新"].key_points if kp.name == "創新性")
    assert innovation.practices[-1].text == f"{DRAFT_MARK}線上預約"
    drafts = [p for d in check.plan.dimensions for kp in d.key_points for p in kp.practices if DRAFT_MARK in p.text]
    assert len(drafts) == 2
    sheet = load_workbook(result.target)["附表1"]
    marked = [c for c in sheet["E"] if isinstance(c.value, str) and c.value.startswith(DRAFT_MARK)]
    assert [c.fill.fgColor.rgb[-6:] for c in marked] == ["FFF2CC", "FFF2CC"]
    assert all("督察室" in c.comment.text or "資訊室" in c.comment.text for c in marked)


def test_the_commands_run_from_the_command_line(tmp_path) -> None:
    runner = CliRunner()
    folder = tmp_path / "x"
    result = runner.invoke(main, ["new", str(folder)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["rollover", "--source", str(folder / "source" / "plan_master.xlsx")])
    assert result.exit_code == 0, result.output
    assert "計畫年度：" in result.output
    again = runner.invoke(main, ["new", str(folder)])
    assert again.exit_code == 3 and "為免覆蓋" in again.output


def test_rollover_takes_the_proposals_of_collects_consolidated_workbook(project, tmp_path) -> None:
    from helpers.returns_factory import filled
    from plandocs.commands.collect import collect

    build(project)
    returns = tmp_path / "returns"
    returns.mkdir()
    form = filled(project.output, "督察室", measures=False)
    form.measure("基礎服務", "服務友善", "服務禮貌抽查", "每月電話抽查。")
    form.measure("開放創新", "創新性", "線上預約", "網路預約臨櫃時段。")
    form.save(returns / "督察室.xlsx")
    report = collect(project, returns)
    consolidated = next(a.path for a in report.artifacts if a.path.suffix == ".xlsx")
    result = rollover(project.source, tmp_path / "108.xlsx", report.folder / consolidated.name)
    drafts = [p.text for d in check_master(result.target).plan.dimensions for kp in d.key_points for p in kp.practices
              if p.text.startswith(DRAFT_MARK)]
    assert drafts == [f"{DRAFT_MARK}服務禮貌抽查：每月電話抽查。", f"{DRAFT_MARK}線上預約：網路預約臨櫃時段。"]
