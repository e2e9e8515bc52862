"""Hostile returns: each of the corpus's files is read within a memory cap, nothing hangs, and each is listed."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from openpyxl import load_workbook

from helpers.hostile import make_corpus
from plandocs.returns.records import Status
from plandocs.returns.write_report import COLLECT_FOLDER
from plandocs.returns.write_workbook import LEDGER_SHEET, PROBLEMS_SHEET
from plandocs.text import visible

pytestmark = pytest.mark.skipif(os.name == "nt", reason="pipes, sockets and memory caps of POSIX")
MEMORY_CAP = 1536 * 1024 * 1024  # address space of the whole process, interpreter and libraries included

# Reads every file of a folder as collect does, one by one, in a process whose address space is capped: a reader
# allocating what a file declares rather than what it holds fails here with MemoryError.
_READ_UNDER_CAP = textwrap.dedent("""
    import json, resource, sys, time
    from pathlib import Path
    resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[3]), int(sys.argv[3])))
    from plandocs.master.validate import check_master
    from plandocs.returns.read import find_files, read_return
    from plandocs.returns.reference import Reference
    reference = Reference(check_master(Path(sys.argv[1])).plan)
    folder = Path(sys.argv[2])
    results = {}
    for path in find_files(folder):
        ret = read_return(reference, folder, path)
        problems = [f.problem.message for f in ret.findings]
        shown = problems[:50] + [p for p in problems[50:] if "未逐一列出" in p]
        results[ret.file] = [ret.status.name, ret.reason, shown, len(problems)]
    print(json.dumps(results, ensure_ascii=False))
""")


@pytest.fixture(scope="module")
def corpus(shipped_output, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile") / "回報"
    return folder, make_corpus(shipped_output, folder)


@pytest.fixture(scope="module")
def read_results(corpus, shipped_build):
    folder, _ = corpus
    master = shipped_build.written[0].parents[1] / "source" / "plan_master.xlsx"
    finished = subprocess.run([sys.executable, "-c", _READ_UNDER_CAP, str(master), str(folder), str(MEMORY_CAP)],
                              capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr[-3000:]
    return json.loads(finished.stdout)


def test_the_corpus_has_at_least_25_cases(corpus):
    assert len(corpus[1]) >= 25


def test_every_hostile_file_is_read_under_the_memory_cap_and_gets_its_status(corpus, read_results):
    _, cases = corpus
    for case in cases:
        shown = visible(case.name)
        assert shown in read_results, shown
        status, reason, problems, _ = read_results[shown]
        assert status == case.status.name, (shown, status, reason, problems)
        assert "程式內部錯誤" not in reason, (shown, reason)
        if case.reason:
            assert case.reason in reason + " ".join(problems), (shown, reason, problems)


def test_a_merge_declared_as_the_whole_sheet_reads_as_the_plain_form(read_results):
    plain = read_results[visible("合併四欄到底.xlsx")]
    for name in ("合併整張工作表.xlsx", "重疊合併五千處.xlsx"):
        status, _, problems, count = read_results[name]
        assert status == Status.RETURNED.name
        # the merge repeats 說明's title down the form's rows: those rows are reported, never allocated
        assert count == plain[3]


def test_names_with_controls_are_shown_escaped(read_results):
    shown = [name for name in read_results if "U+" in name]
    assert "<U+202E>slx.回報.xlsx" in shown
    assert "第一行<U+000A>完成：已產生 0 個檔案.xlsx" in shown
    assert all("\n" not in name and "\u202e" not in name and "\x1b" not in name for name in read_results)


_COLLECT_UNDER_CAP = textwrap.dedent("""
    import resource, runpy, sys
    resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv.pop(1)),) * 2)
    sys.argv[0] = "plandocs"
    from plandocs.cli import main
    main()
""")


def test_collect_of_the_corpus_lists_every_entry_and_forges_no_line(corpus, shipped_build, tmp_path):
    folder, cases = corpus
    project = shipped_build.written[0].parents[1]
    finished = subprocess.run(
        [sys.executable, "-c", _COLLECT_UNDER_CAP, str(MEMORY_CAP), "collect", str(folder),
         "--source", str(project / "source" / "plan_master.xlsx"), "--templates", str(project / "templates"),
         "--output", str(tmp_path / "out")], capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr[-3000:]
    assert "Traceback" not in finished.stderr
    assert not any(line.startswith("完成：已產生 0 個檔案") for line in (finished.stdout + finished.stderr).splitlines())
    workbook = load_workbook(next((tmp_path / "out" / COLLECT_FOLDER).glob("*.xlsx")), read_only=True)
    ledger = [row for row in workbook[LEDGER_SHEET].iter_rows(values_only=True)]
    listed = {cell for row in ledger for cell in row if isinstance(cell, str)}
    for case in cases:
        assert visible(case.name) in listed, case.name
    problems = [row for row in workbook[PROBLEMS_SHEET].iter_rows(values_only=True)]
    assert any("十萬字儲存格.xlsx" == row[0] and "已截斷" in row[5] and row[3] == "F305" for row in problems)
    cut = next(row[6] for row in problems if row[0] == "十萬字儲存格.xlsx" and row[3] == "F305")
    assert len(cut) == 32_767 and cut.endswith("……（以下略，全文見回報檔「十萬字儲存格.xlsx」工作表「調查表」F305）")
    from docx import Document

    report = next((tmp_path / "out" / COLLECT_FOLDER).glob("*.docx"))
    text = "\n".join(p.text for p in Document(report).paragraphs) + "".join(
        cell.text for table in Document(report).tables for row in table.rows for cell in row.cells)
    assert "\u202e" not in text  # the report names units, not files; the ledger above shows each name escaped
