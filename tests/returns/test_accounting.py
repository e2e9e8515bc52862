"""Every problem accounted for: beyond a bound, one row per kind with the count and the cell ranges; no sheet
ever passes Excel's last row."""
from __future__ import annotations

import re

from openpyxl import load_workbook

from helpers.hostile import _rewrite_part, _rows
from helpers.returns_factory import filled, sheet_part
from plandocs.commands.collect import collect
from plandocs.documents.fill_in_form import SURVEY_SHEET
from plandocs.errors import Location, Problem, Severity
from plandocs.paths import Paths
from plandocs.returns import accounting, write_workbook
from plandocs.returns.accounting import PER_FILE, PER_KIND, bounded, cell_ranges
from plandocs.returns.records import Finding
from plandocs.returns.write_report import COLLECT_FOLDER
from plandocs.returns.write_workbook import PROBLEMS_SHEET


def finding(message: str, cell: str, sheet: str = "調查表") -> Finding:
    match = re.fullmatch(r"([A-Z]+)(\d+)", cell)
    return Finding(Problem(message, Location(file="a.xlsx", sheet=sheet, row=int(match[2]), column=match[1]),
                           Severity.WARNING), "x")


def summarised_count(rows: list[Finding]) -> int:
    return sum(int(re.search(r"另有 ([\d,]+) 項", f.problem.message)[1].replace(",", ""))
               for f in rows if "未逐一列出" in f.problem.message)


def test_a_kind_beyond_its_bound_is_one_row_with_its_count_and_ranges():
    findings = [finding("此欄不是填寫欄位", f"F{row}") for row in range(12, 5012)]
    findings += [finding("此欄不是填寫欄位", f"H{row}") for row in range(12, 20)]
    findings.append(finding("另一種問題", "B3"))
    rows = bounded(findings)
    assert len(rows) == PER_KIND + 2
    (summary,) = [f for f in rows if "未逐一列出" in f.problem.message]
    assert summary.problem.message.startswith("同類問題另有 4,908 項未逐一列出，位於 F112:F5011、H12:H19。")
    assert summary.problem.message.endswith("此類問題為：此欄不是填寫欄位")
    assert summary.location.sheet == "調查表" and summary.problem.severity is Severity.WARNING
    assert len(rows) - 1 + summarised_count(rows) == len(findings)  # every one accounted for


def test_many_different_problems_of_one_file_stop_at_the_files_bound():
    findings = [finding(f"公式 =A{row}", f"E{row}") for row in range(1, 3001)]
    rows = bounded(findings)
    assert len(rows) == PER_FILE + 1
    assert rows[-1].problem.message.startswith("此檔問題過多，另有 2,000 項警告未逐一列出，位於 E1001:E3000；")
    assert PER_FILE + summarised_count(rows) == 3000


def test_a_few_problems_are_listed_as_they_are():
    findings = [finding("x", f"A{row}") for row in range(1, PER_KIND + 1)]
    assert bounded(findings) == findings


def test_scattered_cells_name_their_ranges_up_to_a_bound():
    assert cell_ranges(["B2", "A1", "A2", "A3", "A5", "AA10"]) == "A1:A3、A5、B2、AA10"
    many = cell_ranges([f"C{row}" for row in range(1, 200, 2)])
    assert many.startswith("C1、C3、") and many.endswith(" 等 100 個範圍") and many.count("、") == accounting.SHOWN_RANGES - 1


def test_a_return_with_thousands_of_stray_cells_is_accounted_for_in_few_rows(shipped_build, shipped_output, tmp_path,
                                                                             monkeypatch):
    project = shipped_build.written[0].parents[1]
    base = tmp_path / "base.xlsx"
    filled(shipped_output, "保安科").save(base)
    returns = tmp_path / "回報"
    returns.mkdir()
    survey = sheet_part(base, SURVEY_SHEET)
    (returns / "保安科.xlsx").write_bytes(_rewrite_part(
        base.read_bytes(), survey, lambda d: d.replace(b"</sheetData>", _rows(3000, 2) + b"</sheetData>", 1)))
    monkeypatch.setattr(write_workbook, "MAX_SHEET_ROWS", 60)  # so that the continuation shows with few rows
    paths = Paths(project / "source" / "plan_master.xlsx", project / "templates", tmp_path / "out")
    report = collect(paths, returns)
    stray = [f for f in report.problems if f.location.file == "保安科.xlsx" and f.location.column in ("H", "I")
             or "未逐一列出" in f.problem.message]
    assert len(stray) <= PER_KIND + 1
    assert len([f for f in stray if "未逐一列出" not in f.problem.message]) + summarised_count(stray) == 6000
    workbook = load_workbook(next((tmp_path / "out" / COLLECT_FOLDER).glob("*.xlsx")), read_only=True)
    sheets = [name for name in workbook.sheetnames if name.startswith(PROBLEMS_SHEET)]
    rows = [row for name in sheets for row in list(workbook[name].iter_rows(values_only=True))[1:]]
    assert len(sheets) == -(-len(report.problems) // 59) > 1
    assert sheets[1] == f"{PROBLEMS_SHEET}（2）"
    assert len(rows) == len(report.problems)
    assert all(workbook[name].max_row <= 60 for name in sheets)
