"""One bad file never stops collect: each trigger a hostile-input audit found stopped the whole run before;
now each is that file's own entry and every good return beside it is consolidated."""
from __future__ import annotations

import csv
import os
import random
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from helpers.ods import ods_bytes
from helpers.project import make_project
from helpers.returns_factory import filled
from plandocs.commands.build import build
from plandocs.commands.collect import collect
from plandocs.documents.fill_in_form import HEADER_ROW
from plandocs.returns.records import Status
from plandocs.returns.write_report import COLLECT_FOLDER
from plandocs.returns.write_workbook import LEDGER_SHEET, PROBLEMS_SHEET

YEAR_ONE = b"0001-01-01T00:00:00+08:00"
LONG_FIELD = "長" * 200_000


def _with_year_one(source: Path, target: Path, part: str, pattern: bytes) -> None:
    """A copy of a package whose saved (and created) time is year 1 at +08:00, as the audit's files had."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in original.infolist():
            data = original.read(item)
            if item.filename == part:
                data = re.sub(pattern, rb"\g<1>" + YEAR_ONE, data)
            copy.writestr(item, data)


def _progress_csv(form, target: Path, long_code: str) -> None:
    """The 辦理情形 sheet exported as a .csv, one 辦理情形 of 200,000 characters."""
    rows = [[cell.value for cell in row] for row in form.progress_sheet.iter_rows(min_row=HEADER_ROW)]
    code = rows[0].index("編號") if "編號" in rows[0] else 0
    for row in rows[1:]:
        if row[code] == long_code:
            row[form.column(form.progress_sheet, "辦理情形") - 1] = LONG_FIELD
    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)


def test_each_trigger_is_its_files_entry_and_the_good_returns_are_consolidated(tmp_path):
    paths = make_project(tmp_path / "project")
    build(paths)
    returns = tmp_path / "returns"
    returns.mkdir()
    for unit in ("中山分局", "大同分局"):
        filled(paths.output, unit).save(returns / f"{unit}_回報.xlsx")
    (word_form,) = (paths.output / "各單位" / "信義分局").glob("*.docx")
    _with_year_one(word_form, returns / "信義分局_回報.docx", "docProps/core.xml",
                   rb"(<dcterms:(?:modified|created)[^>]*>)[^<]*")
    stamp = YEAR_ONE.decode()  # an .ods saved, by its meta.xml, in year 1
    (returns / "萬華分局_回報.ods").write_bytes(ods_bytes(
        "<table:table-row><table:table-cell><text:p>x</text:p></table:table-cell></table:table-row>",
        meta=f"<meta:creation-date>{stamp}</meta:creation-date><dc:date>{stamp}</dc:date>"))
    form = filled(paths.output, "士林分局")
    form.save(tmp_path / "士林分局.xlsx")
    _progress_csv(form, returns / "士林分局_辦理情形.csv", "1.1.1")
    (returns / "北投分局_引號未關.csv").write_text('編號,辦理情形\n1.1.1,"未關的引號\n', encoding="utf-8")
    (returns / "內湖分局_一行.csv").write_text("甲" * (19 * 1024 * 1024 // 3), encoding="utf-8")

    collected = collect(paths, returns)

    entries = {r.file: r for r in collected.collection.returns}
    assert len(entries) == 7
    for entry in entries.values():
        assert "程式內部錯誤" not in entry.reason, (entry.file, entry.reason)
    for unit in ("中山分局", "大同分局"):
        assert entries[f"{unit}_回報.xlsx"].status is Status.RETURNED
    assert entries["信義分局_回報.docx"].status is not Status.UNREADABLE
    assert entries["信義分局_回報.docx"].modified is None  # the year-1 stamp is ignored, not an error
    assert entries["萬華分局_回報.ods"].modified is None
    assert entries["士林分局_辦理情形.csv"].status is not Status.UNREADABLE
    consolidated = load_workbook(next((paths.output / COLLECT_FOLDER).glob("*.xlsx")), read_only=True)
    texts = {cell for sheet in consolidated.worksheets for row in sheet.iter_rows(values_only=True)
             for cell in row if isinstance(cell, str)}
    assert {"中山分局已辦理（1.1.1）", "大同分局已辦理（1.1.1）", "士林分局已辦理（1.2.1）"} <= texts
    problems = list(consolidated[PROBLEMS_SHEET].iter_rows(values_only=True))
    cut = [row for row in problems if row[0] == "士林分局_辦理情形.csv" and "已截斷" in (row[5] or "")]
    assert cut, "the 200,000-character field was read and cut to a cell's 32,767 characters, with a note"


_COLLECT_UNDER_CAP = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv.pop(1)),) * 2)
sys.argv[0] = "plandocs"
from plandocs.cli import main
main()
"""


def _paragraph_bomb(form: Path, target: Path, megabytes: int) -> None:
    """The Word form with its document.xml padded by empty paragraphs, compressible enough to pass the archive
    checks (about 1 MB on disk), as the audit's 1.26 MB file with 95 MB of paragraphs was."""
    rng = random.Random(7)
    count = megabytes * 1024 * 1024 // 10  # paragraphs of 6 to 25 bytes
    padding = "".join(f'<w:p w:rsidR="{rng.getrandbits(32):08X}"/>' if i % 40 == 0 else "<w:p/>" for i in range(count))
    with zipfile.ZipFile(form) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in original.infolist():
            data = original.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + padding.encode(), 1)
            copy.writestr(item, data)


@pytest.mark.skipif(os.name == "nt", reason="the address-space cap is POSIX's")
def test_a_word_file_of_tens_of_megabytes_of_paragraphs_is_refused_under_a_600_mb_cap(tmp_path):
    paths = make_project(tmp_path / "project")
    build(paths)
    returns = tmp_path / "returns"
    returns.mkdir()
    filled(paths.output, "中山分局").save(returns / "中山分局_回報.xlsx")
    (word_form,) = (paths.output / "各單位" / "信義分局").glob("*.docx")
    _paragraph_bomb(word_form, returns / "信義分局_回報.docx", megabytes=95)
    assert (returns / "信義分局_回報.docx").stat().st_size < 4 * 1024 * 1024  # a small attachment to an e-mail

    finished = subprocess.run(
        [sys.executable, "-c", _COLLECT_UNDER_CAP, str(600 * 1024 * 1024), "collect", str(returns),
         "--source", str(paths.source), "--templates", str(paths.templates), "--output", str(paths.output)],
        capture_output=True, text=True, timeout=300)

    assert finished.returncode == 0, finished.stderr[-3000:]
    consolidated = load_workbook(next((paths.output / COLLECT_FOLDER).glob("*.xlsx")), read_only=True)
    ledger = {row[0]: row for row in consolidated[LEDGER_SHEET].iter_rows(values_only=True) if row and row[0]}
    assert "「信義分局_回報.docx」格式無法彙整（文件內容展開後過大" in " ".join(str(v) for v in ledger["信義分局"] if v)
    assert ledger["中山分局"][2] == "已回報"
    texts = {cell for sheet in consolidated.worksheets for row in sheet.iter_rows(values_only=True)
             for cell in row if isinstance(cell, str)}
    assert "中山分局已辦理（1.1.1）" in texts
