"""The consolidated workbook and report: written as data, never as formulas, the same bytes every time."""
from __future__ import annotations

import datetime as dt
import io
import shutil
import zipfile
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

import plandocs.parallel as parallel_module
from helpers.project import SHIPPED_MASTER, SHIPPED_TEMPLATES, make_project
from plandocs.commands.build import Paths
from plandocs.commands.collect import collect
from plandocs.documents.templates import REPORT_TEMPLATE
from plandocs.returns.decide import decide
from plandocs.returns.records import Collection, Entry, Finding, Measure, Progress, Return, Status
from plandocs.returns.reference import Reference
from plandocs.returns.write_report import paragraph, render_report
from plandocs.returns.write_workbook import (
    LEDGER_SHEET, MATRIX_SHEET, MEASURES_SHEET, PROBLEMS_SHEET, PROGRESS_SUMMARY_SHEET, STATUS_SHEET, UNUSED_SHEET,
    consolidated_workbook,
)
from plandocs.errors import InputError, Location, Problem, Severity
from plandocs.master.validate import check_master
from helpers.returns_factory import Filler, form_of

PLAN = check_master(SHIPPED_MASTER).plan
REFERENCE = Reference(PLAN)
UNITS = {u.name: u for u in PLAN.units}
HOSTILE = ['=HYPERLINK("http://example.com","點我")', "+1+1", "-2+3", "@SUM(A1)", "<r><t>不是格式</t></r>",
           "R&D <研究> \"引號\"", "第一行\n第二行"]


def used_return(unit: str, file: str, measures: list[tuple[str, str, str, str]], progress: dict[str, str]) -> Return:
    ret = Return(file, unit=UNITS[unit], version="1")
    for number, (dimension, topic, name, content) in enumerate(measures, 4):
        ret.measures.append(Measure(dimension, topic, name, content,
                                    [Entry("調查表", f"C{number}", name), Entry("調查表", f"D{number}", content)]))
    for number, (code, text) in enumerate(progress.items(), 4):
        ret.progress[code] = Progress(code, "辦理情形", number, text, {}, [Entry("辦理情形", f"H{number}", text)])
    return ret


@pytest.fixture(scope="module")
def hostile() -> tuple[Collection, list[Finding]]:
    """A collection whose every text is one a spreadsheet or Word would misread if written carelessly."""
    first = used_return("外事科", "外事科.xlsx", [("基礎服務", "服務友善", text, text) for text in HOSTILE],
                        {"1.1.1": HOSTILE[0], "1.2.1": HOSTILE[5]})
    first.contact.reporter = "=1+1"
    first.findings.append(Finding(Problem("測試問題", Location(file="外事科.xlsx", sheet="調查表", row=9, column="E")),
                                  "=cmd|' /C calc'!A0"))
    superseded = used_return("外事科", "外事科_舊.xlsx", [("基礎服務", "服務友善", "@舊", "-舊內容")], {})
    superseded.contact.date = dt.date(2018, 6, 1)
    first.contact.date = dt.date(2018, 6, 20)
    collection = decide(REFERENCE, [first, superseded])
    return collection, collection.problems()


@pytest.fixture(scope="module")
def hostile_workbook(hostile) -> bytes:
    return consolidated_workbook(*hostile)


def test_text_that_looks_like_a_formula_is_stored_as_text(hostile_workbook: bytes):
    with zipfile.ZipFile(io.BytesIO(hostile_workbook)) as archive:
        sheets = {n: archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/sheet")}
    assert sheets and not any(b"<f>" in xml or b"<f " in xml for xml in sheets.values())
    workbook = load_workbook(io.BytesIO(hostile_workbook))
    names = [row[3] for row in workbook[MEASURES_SHEET].iter_rows(min_row=2, values_only=True)]
    assert names == HOSTILE  # each exactly as typed, rich-text look-alike and line break included
    values = {v for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for v in row}
    assert {"=1+1", "=cmd|' /C calc'!A0", "@舊", "-舊內容"} <= values


def test_every_sheet_is_there_in_order(hostile_workbook: bytes):
    workbook = load_workbook(io.BytesIO(hostile_workbook))
    assert workbook.sheetnames == [STATUS_SHEET, MEASURES_SHEET, PROGRESS_SUMMARY_SHEET, MATRIX_SHEET, LEDGER_SHEET,
                                   PROBLEMS_SHEET, UNUSED_SHEET]


def test_the_superseded_return_is_in_the_ledger_and_its_content_in_the_unused_sheet(hostile_workbook: bytes):
    workbook = load_workbook(io.BytesIO(hostile_workbook))
    ledger = [row for row in workbook[LEDGER_SHEET].iter_rows(min_row=2, values_only=True) if row[0] == "外事科"]
    assert [(row[2], row[4]) for row in ledger] == [(Status.RETURNED.value, "外事科.xlsx"),
                                                    (Status.SUPERSEDED.value, "外事科_舊.xlsx")]
    assert ledger[0][3] == "需補正、內容不全" and ledger[1][3] == Status.SUPERSEDED.value  # primary state first
    unused = [row for row in workbook[UNUSED_SHEET].iter_rows(min_row=2, values_only=True)]
    assert [(row[0], row[3], row[4], row[5]) for row in unused] == [
        ("外事科_舊.xlsx", "調查表", "C4", "@舊"), ("外事科_舊.xlsx", "調查表", "D4", "-舊內容")]


def test_the_progress_sheet_has_every_key_point_of_every_receiving_unit(hostile_workbook: bytes):
    from plandocs.documents.fill_in_form import progress_rows

    workbook = load_workbook(io.BytesIO(hostile_workbook))
    rows = list(workbook[PROGRESS_SUMMARY_SHEET].iter_rows(min_row=2, values_only=True))
    expected = sum(len(progress_rows(PLAN, unit)) for unit in PLAN.receiving_units())
    assert len(rows) == expected
    states = {(row[0], row[4]): row[5] for row in rows}
    assert states["1.1.1", "外事科"] == "已填"
    assert states["1.1.2", "外事科"] == "缺列"
    assert states["1.1.1", "中正第一分局"] == Status.MISSING.value


def test_the_workbook_is_the_same_bytes_each_time(hostile):
    from plandocs.office.output import reproducible

    stamp = dt.datetime(2018, 4, 2)
    assert reproducible(consolidated_workbook(*hostile), stamp) == reproducible(consolidated_workbook(*hostile), stamp)


def test_report_paragraphs_escape_text_and_mark_space_only_where_needed():
    plain = paragraph("R&D <研究>\n第二行", "表格內文", "單位：")
    assert "R&amp;D &lt;研究&gt;</w:t><w:br/><w:t>第二行" in plain
    assert "xml:space" not in plain and "<w:b/>" in plain
    assert 'xml:space="preserve"> 前有空白' in paragraph(" 前有空白", None)


def test_the_report_renders_hostile_text_intact(hostile, tmp_path: Path):
    document = Document(io.BytesIO(render_report(SHIPPED_TEMPLATES / REPORT_TEMPLATE, *hostile)))
    cells = "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    text = "\n".join(p.text for p in document.paragraphs)
    assert 'R&D <研究> "引號"：R&D <研究> "引號"' in cells
    assert "<r><t>不是格式</t></r>：<r><t>不是格式</t></r>" in cells
    assert "外事科：R&D <研究> \"引號\"" in cells  # its 辦理情形, in the 辦理情形彙整表
    assert "尚未回報（37個單位）：中正第一分局、" in text


def test_the_report_says_when_nothing_was_proposed_or_reported():
    collection = decide(REFERENCE, [])
    document = Document(io.BytesIO(render_report(SHIPPED_TEMPLATES / REPORT_TEMPLATE, collection, [])))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert cells.count("（尚無單位提出）") == sum(len(d.survey_topics) for d in PLAN.dimensions)
    from plandocs.documents.fill_in_form import progress_rows

    answered = {row.code for unit in PLAN.receiving_units() for row in progress_rows(PLAN, unit)}
    # every key point of the 辦理情形彙整表: waiting for its units, or answered by none
    assert cells.count("（尚無單位填報）") == len(answered)
    assert cells.count("（未列承辦單位）") == len(REFERENCE.rows) - len(answered)


def test_workers_give_the_same_outputs_as_one_process(shipped_output: Path, tmp_path: Path, monkeypatch):
    """Reading in worker processes and rendering the report beside the workbook changes nothing in the files."""
    returns = tmp_path / "returns"
    for number, unit in enumerate(PLAN.receiving_units()[:6]):
        filler = Filler(form_of(shipped_output, unit.name))
        filler.measure("基礎服務", "服務友善", f"措施{number}", "內容")
        filler.report_all("已辦理", {106: 1, 107: 2})
        filler.contact(dt.date(2018, 6, 1 + number), reporter="")  # a blank 填報人: each gets a 補正 workbook
        filler.save(returns / f"{unit.name}.xlsx")
    (returns / "壞檔.xlsx").write_bytes(b"PK\x03\x04 broken")
    project = make_project(tmp_path / "project")
    alone = collect(Paths(project.source, project.templates, tmp_path / "alone"), returns)
    monkeypatch.setattr(parallel_module, "PARALLEL_FILES", 2)
    monkeypatch.setattr(parallel_module.os, "cpu_count", lambda: 2)
    together = collect(Paths(project.source, project.templates, tmp_path / "together"), returns)
    assert [p.read_bytes() for p in alone.written] == [p.read_bytes() for p in together.written]
    assert len(together.collection.used()) == 6
    assert sum(p.parent.parent.name == "補正" for p in together.written) == 6  # made by the workers too


def test_a_missing_report_template_is_a_clear_error(tmp_path: Path):
    project = make_project(tmp_path / "project")
    (project.templates / REPORT_TEMPLATE).unlink()
    (tmp_path / "returns").mkdir()
    with pytest.raises(InputError) as raised:
        collect(project, tmp_path / "returns")
    assert "找不到範本「report.docx」" in raised.value.message
    assert raised.value.location.file.endswith("report.docx")
    assert not (project.output / "回報彙整").exists()


def test_problems_are_listed_with_their_place_and_content(hostile_workbook: bytes):
    workbook = load_workbook(io.BytesIO(hostile_workbook))
    rows = list(workbook[PROBLEMS_SHEET].iter_rows(min_row=2, values_only=True))
    assert ("外事科.xlsx", "外事科", "調查表", "E9", Severity.ERROR.value, "測試問題", "=cmd|' /C calc'!A0") in rows
    superseded = [row for row in rows if row[0] == "外事科_舊.xlsx"]
    assert superseded and superseded[0][4] == Severity.WARNING.value and "外事科.xlsx" in superseded[0][5]


def test_the_matrix_has_a_colour_scale_and_the_status_sheet_a_chart(hostile_workbook: bytes):
    with zipfile.ZipFile(io.BytesIO(hostile_workbook)) as archive:
        names = archive.namelist()
        matrix_xml = archive.read("xl/worksheets/sheet4.xml")
        chart = archive.read(next(n for n in names if n.startswith("xl/charts/chart")))
    assert matrix_xml.count(b"<colorScale>") == 2
    # the states, one bar each, labelled with their names (not a legend of series)
    assert b"<c:barChart>" in chart and b'<c:barDir val="bar"/>' in chart and b"<c:dLbls>" in chart
    workbook = load_workbook(io.BytesIO(hostile_workbook))
    row = next(r for r in workbook[MATRIX_SHEET].iter_rows(values_only=True) if r[0] == "外事科")
    assert row[-1] == len(HOSTILE)


def test_copied_folder_gives_the_same_outputs(tmp_path: Path, shipped_output: Path):
    """Byte-identical outputs do not depend on when the files were copied (file times)."""
    returns = tmp_path / "returns"
    filler = Filler(form_of(shipped_output, "外事科"))
    filler.measure("基礎服務", "服務友善", "措施", "內容")
    filler.contact(dt.date(2018, 6, 1))
    filler.save(returns / "外事科.xlsx")
    copy = tmp_path / "copy"
    shutil.copytree(returns, copy, copy_function=shutil.copy)  # new file times
    project = make_project(tmp_path / "project")
    first = collect(Paths(project.source, project.templates, tmp_path / "a"), returns)
    second = collect(Paths(project.source, project.templates, tmp_path / "b"), copy)
    assert [p.read_bytes() for p in first.written] == [p.read_bytes() for p in second.written]


def test_a_large_collection_reports_figures_and_leaves_the_replies_to_the_workbook(monkeypatch):
    import plandocs.returns.large_report as large_report

    monkeypatch.setattr(large_report, "LARGE_COLLECTION_UNITS", 10)  # the shipped plan's 38 units count as many
    first = used_return("外事科", "外事科.xlsx", [("基礎服務", "服務友善", "甲措施", "甲內容")], {"1.1.1": "甲辦理情形"})
    second = used_return("交通警察大隊", "交通警察大隊.xlsx",
                         [("基礎服務", "服務友善", "乙措施", "乙內容"), ("基礎服務", "服務友善", "丙措施", "丙內容")],
                         {"1.1.1": "乙辦理情形"})
    first.progress["1.1.1"].counts = {106: 1200, 107: 30}
    second.progress["1.1.1"].counts = {107: 5}
    collection = decide(REFERENCE, [first, second])
    document = Document(io.BytesIO(render_report(SHIPPED_TEMPLATES / REPORT_TEMPLATE, collection, [])))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    text = "\n".join(cells)
    assert "甲辦理情形" not in text and "甲內容" not in text  # the replies themselves stay in the workbook
    assert f"計2個單位提出3項措施；各單位措施內容詳回報彙整工作簿「{MEASURES_SHEET}」工作表。" in cells
    digest = next(cell for cell in cells if cell.startswith("計2個單位填報辦理情形"))
    assert "合計：1,200" in digest and "合計：35" in digest and f"「{PROGRESS_SUMMARY_SHEET}」" in digest
    lines = [line for cell in cells for line in cell.splitlines()]  # an item's cell: 未回報 and 已回報但未填
    assert "未回報：36個單位（中正第一分局、中正第二分局、大同分局等）" in lines
    assert "已回報但未填：2個單位（交通警察大隊、外事科）" in lines
