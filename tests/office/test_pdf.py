"""PDF output: one LibreOffice run per build, per-file checks, and the layout of the PDFs themselves.

The layout tests read the PDFs with poppler-utils (pdftotext, pdffonts) and are skipped, with the reason
shown, only where LibreOffice is not installed. The batch mechanics (time-out, per-file reports, the
command line LibreOffice gets) are tested with a stand-in `soffice` script, so they run everywhere but
Windows.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from click.testing import CliRunner

from plandocs.office import pdf
from plandocs.office.convert import FONTS_CONF
from plandocs.commands.build import BuildReport, build
from plandocs.cli import main
from plandocs.errors import ExitCode, Severity
from plandocs.office.output import MANIFEST

from helpers.project import make_project
from helpers.scenario import make_returns
from plandocs.commands.collect import collect
from plandocs.paths import Paths

STAMP = dt.datetime(2018, 4, 2)
UNIT_FORM = "附表2調查表"

needs_libreoffice = pytest.mark.skipif(
    pdf.find_soffice() is None,
    reason="LibreOffice (soffice) is not installed: PDF layout tests need "
           "`apt-get install libreoffice-writer-nogui fonts-arphic-ukai poppler-utils`",
)
needs_posix = pytest.mark.skipif(os.name == "nt", reason="the stand-in soffice is a POSIX script")


# --- the real conversion of the shipped master -------------------------------------------------------------

@pytest.fixture(scope="module")
def pdf_build(tmp_path_factory) -> BuildReport:
    for tool in ("pdftotext", "pdffonts"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: install poppler-utils to check the PDFs LibreOffice made")
    return build(make_project(tmp_path_factory.mktemp("pdf") / "project"), pdf=True)


def written(report: BuildReport, kind: str) -> list[Path]:
    """The files on disk of one kind of artifact, e.g. 「函頒計畫（PDF）」."""
    return [path for artifact, path in zip(report.artifacts, report.written) if artifact.kind == kind]


def page_lines(path: Path) -> list[list[str]]:
    """The non-blank lines of each page, with spaces removed (pdftotext spaces out CJK and digits)."""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")[:-1]  # pdftotext ends every page, the last one too, with a form feed
    return [["".join(line.split()) for line in page.splitlines() if line.strip()] for page in pages]


def embedded_fonts(path: Path) -> list[tuple[str, str]]:
    """(font name without the subset prefix, embedded yes/no) of every font pdffonts lists."""
    output = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in output.splitlines()[2:]]
    return [(row[0].split("+")[-1], row[-5]) for row in rows]


def assert_numbered_footer(pages: list[list[str]]) -> None:
    for number, lines in enumerate(pages, start=1):
        assert lines[-1] == f"第{number}頁，共{len(pages)}頁"


@needs_libreoffice
def test_build_writes_a_checked_pdf_beside_every_docx(pdf_build):
    documents = [a for a in pdf_build.artifacts if a.path.suffix == ".docx"]
    pdfs = {a.path: a for a in pdf_build.artifacts if a.path.suffix == ".pdf"}
    assert pdf_build.pdf_problems == []
    assert len(documents) == 2 + len(pdf_build.plan.receiving_units())
    for document in documents:
        made = pdfs[document.path.with_suffix(".pdf")]
        assert (made.kind, made.unit) == (f"{document.kind}（PDF）", document.unit)
        assert made.data.startswith(b"%PDF-")
    output = pdf_build.written[-1].parent
    manifest = (output / MANIFEST).read_text(encoding="utf-8-sig")
    for path, artifact in pdfs.items():
        assert (output / path).read_bytes() == artifact.data
        assert str(path) in manifest


@needs_libreoffice
def test_circular_has_its_title_on_page_one_and_numbered_pages(pdf_build):
    pages = page_lines(written(pdf_build, "函頒計畫（PDF）")[0])
    assert pages[0][0] == pdf_build.plan.facts.title
    assert_numbered_footer(pages)


@needs_libreoffice
def test_each_attached_table_starts_a_page_with_its_label_at_the_top(pdf_build):
    pages = page_lines(written(pdf_build, "函頒計畫（PDF）")[0])
    starts = {label: [n for n, lines in enumerate(pages) if lines[0] == label] for label in ("附表1", "附表2", "附表3")}
    assert all(len(found) == 1 for found in starts.values()), starts
    first_1, first_2, first_3 = starts["附表1"][0], starts["附表2"][0], starts["附表3"][0]
    assert 0 < first_1 < first_2 < first_3
    assert pages[first_1][1] == pdf_build.plan.facts.measures_title
    assert pages[first_3][1] == pdf_build.plan.facts.agency + pdf_build.plan.facts.roster_title


@needs_libreoffice
def test_attachment_1_repeats_its_table_header_on_every_page(pdf_build):
    pages = page_lines(written(pdf_build, "函頒計畫（PDF）")[0])
    first = next(n for n, lines in enumerate(pages) if lines[0] == "附表1")
    after = next(n for n, lines in enumerate(pages) if lines[0] == "附表2")
    attachment = pages[first:after]
    assert len(attachment) > len(pdf_build.plan.dimensions)  # some dimension's table runs over a page
    for lines in attachment:
        # under the label, the title or a dimension's heading; the last dimension has no 評核項目 column
        assert any("評核重點具體作法" in line for line in lines[:4]), lines[:4]
    assert sum(any(line.startswith("評核項目評核重點具體作法") for line in lines[:4]) for lines in attachment) \
        >= len(attachment) - 1


def raw_lines(path: Path) -> list[str]:
    """Every line as pdftotext -raw gives them, a table cell's lines one after another, spaces removed."""
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return ["".join(line.split()) for line in text.splitlines() if line.strip()]


def split_names(lines: list[str], names: set[str]) -> list[tuple[str, str]]:
    """The names that end a line of a list of names (「未回報：大同分局、中山」) and go on at the start of the next;
    running text, which breaks as prose does, is not such a list."""
    def listed(line: str, whole: slice) -> bool:
        segments = [segment for segment in line.split("：")[-1].split("、")[whole] if segment]
        return all(segment in names for segment in segments) and (bool(segments) or whole.start is not None)

    return [(a[-8:], b[:8]) for a, b in zip(lines, lines[1:]) for name in names
            for cut in range(1, len(name)) if a.endswith(name[:cut]) and b.startswith(name[cut:])
            and listed(a, slice(None, -1)) and listed(b, slice(1, None))]


@needs_libreoffice
def test_no_unit_name_of_the_circular_is_broken_across_two_lines(pdf_build):
    plan = pdf_build.plan
    responsible = {name for d in plan.dimensions for item in d.items for kp in item.key_points
                   for ref in kp.responsible for name in ref.written.split("、")}
    assert {"各分局", "大隊", "隊"} <= responsible  # 「各分局、大隊、隊」, 附表1's most frequent phrase
    lines = raw_lines(written(pdf_build, "函頒計畫（PDF）")[0])
    assert split_names(lines, responsible | plan.unit_names) == []


@needs_libreoffice
def test_no_unit_name_of_the_reports_tables_is_broken_across_two_lines(shipped_output, tmp_path):
    project = make_project(tmp_path / "project")
    returns = make_returns(shipped_output, tmp_path / "returns")
    report = collect(Paths(project.source, project.templates, tmp_path / "out"), returns, as_of=dt.date(2018, 7, 5))
    document = report.folder / "107年回報彙整報告.docx"
    (converted,) = pdf.convert_to_pdf([pdf.Document(str(document), document.read_bytes())], STAMP).pdfs
    (tmp_path / "report.pdf").write_bytes(converted)
    names = report.collection.plan.unit_names
    lines = raw_lines(tmp_path / "report.pdf")
    lines = lines[lines.index("參、評核重點辦理情形彙整表"):]  # its tables: the summary lists names as running text
    not_reported = next(line for line in lines if line.startswith("未回報："))
    assert len(not_reported) < len("、".join(names)) / 2  # the list of 30 names takes several lines
    assert split_names(lines, names) == []


@needs_libreoffice
def test_roster_starts_with_its_label_and_numbers_its_pages(pdf_build):
    pages = page_lines(written(pdf_build, "附表3名冊（PDF）")[0])
    assert pages[0][:2] == ["附表3", pdf_build.plan.facts.agency + pdf_build.plan.facts.roster_title]
    assert_numbered_footer(pages)


@needs_libreoffice
def test_every_unit_form_is_one_page_titled_with_its_unit(pdf_build):
    forms = written(pdf_build, f"{UNIT_FORM}（PDF）")
    assert len(forms) == len(pdf_build.plan.receiving_units())
    for path, unit in zip(forms, pdf_build.plan.receiving_units()):
        pages = page_lines(path)
        assert len(pages) == 1
        assert pages[0][0] == "附表2"
        assert unit.name in pages[0][1] + pages[0][2]  # the title may wrap
        assert pages[0][-1] == "第1頁，共1頁"


@needs_libreoffice
def test_pdfs_embed_the_taiwan_kai_face_and_no_dejavu(pdf_build):
    samples = [*written(pdf_build, "函頒計畫（PDF）"), *written(pdf_build, "附表3名冊（PDF）"),
               written(pdf_build, f"{UNIT_FORM}（PDF）")[0]]
    for path in samples:
        fonts = embedded_fonts(path)
        assert all(embedded == "yes" for _, embedded in fonts), fonts
        assert not [name for name, _ in fonts if "DejaVu" in name], fonts
        kai = {name for name, _ in fonts if "Kai" in name}
        assert kai and all(name == "UKaiTW" or name.startswith("TW-Kai") for name in kai), fonts  # not UKaiCN


@needs_libreoffice
def test_the_same_document_converts_to_the_same_bytes(pdf_build):
    form = next(a for a in pdf_build.artifacts if a.kind == UNIT_FORM)
    built = next(a for a in pdf_build.artifacts if a.path == form.path.with_suffix(".pdf"))
    again = pdf.convert_to_pdf([pdf.Document(str(form.path), form.data, 1)], STAMP)
    assert again.problems == []
    assert again.pdfs == [built.data]


@needs_libreoffice
def test_shipped_fontconfig_maps_the_kai_names_to_a_free_kai_face():
    if shutil.which("fc-match") is None:
        pytest.skip("fc-match (fontconfig) is not installed")
    environment = {**os.environ, "FONTCONFIG_FILE": str(FONTS_CONF)}
    for family in ("標楷體", "DFKai\\-SB"):  # a bare '-' would start fc-match's size field
        found = subprocess.run(["fc-match", "-f", "%{family}", family], env=environment,
                               capture_output=True, text=True, check=True).stdout
        assert "AR PL UKai TW" in found or "TW-Kai" in found, found


# --- the shipped fontconfig file ---------------------------------------------------------------------------

def test_fontconfig_file_keeps_the_system_fonts_and_aliases_both_kai_names():
    root = ElementTree.parse(FONTS_CONF).getroot()
    assert [include.text for include in root.iter("include")] == ["/etc/fonts/fonts.conf"]
    aliases = {alias.findtext("family"): [f.text for f in alias.find("prefer")] for alias in root.iter("alias")}
    assert aliases == {name: ["TW-Kai", "AR PL UKai TW"] for name in ("標楷體", "DFKai-SB")}


# --- the batch, with a stand-in soffice ----------------------------------------------------------------------

def tiny_pdf(pages: int) -> bytes:
    """The smallest PDF page_count reads: a page tree that says how many pages it has."""
    return (b"%PDF-1.4\n1 0 obj\n<</Type/Pages/Kids[]/Count " + str(pages).encode() + b">>\nendobj\n"
            b"trailer\n<</Root 1 0 R/ID [ <" + b"A" * 32 + b"> <" + b"A" * 32 + b"> ]>>\n%%EOF\n")


FAKE_SOFFICE = '''#!{python}
"""Stand-in for soffice: acts on each input as told by OUTCOMES, and logs how it was called."""
import json, os, pathlib, subprocess, sys, time
OUTCOMES = {outcomes!r}
arguments = sys.argv[1:]
log = pathlib.Path({log!r})
log.write_text(json.dumps({{"argv": arguments, "fontconfig": os.environ.get("FONTCONFIG_FILE")}}))
outdir = pathlib.Path(arguments[arguments.index("--outdir") + 1])
outdir.mkdir(parents=True, exist_ok=True)
for source, outcome in zip([a for a in arguments if a.endswith(".docx")], OUTCOMES):
    target = outdir / (pathlib.Path(source).stem + ".pdf")
    if outcome == "hang":
        child = subprocess.Popen(["sleep", "60"])
        pathlib.Path({child_pid!r}).write_text(str(child.pid))
        time.sleep(60)
    elif outcome == "empty":
        target.write_bytes(b"")
    elif outcome == "garbage":
        target.write_bytes(b"not a pdf")
    elif outcome != "missing":
        target.write_bytes({pdf_1!r} if outcome == "pdf" else {pdf_2!r})
'''


@pytest.fixture
def fake_soffice(tmp_path):
    """Make a stand-in soffice for the given outcomes; returns (path, log path, child-pid path)."""

    def make(outcomes: list[str]) -> tuple[Path, Path, Path]:
        script, log, child = tmp_path / "soffice", tmp_path / "calls.json", tmp_path / "child.pid"
        script.write_text(FAKE_SOFFICE.format(python=sys.executable, outcomes=outcomes, log=str(log),
                                              child_pid=str(child), pdf_1=tiny_pdf(1), pdf_2=tiny_pdf(2)))
        script.chmod(0o755)
        return script, log, child

    return make


def documents(count: int, expected_pages: int | None = 1) -> list[pdf.Document]:
    return [pdf.Document(f"各單位/單位{n}/單位{n}_{UNIT_FORM}.docx", b"docx", expected_pages) for n in range(count)]


@needs_posix
def test_one_soffice_run_converts_the_batch_with_a_private_profile_and_the_kai_alias(fake_soffice):
    script, log, _ = fake_soffice(["pdf", "pdf", "pdf"])
    conversion = pdf.convert_to_pdf(documents(3), STAMP, soffice=script)
    assert conversion.problems == []
    assert all(made and pdf.page_count(made) == 1 for made in conversion.pdfs)
    call = json.loads(log.read_text())
    arguments = call["argv"]
    assert arguments[:2] == ["--headless", "--norestore"]
    assert arguments[2].startswith("-env:UserInstallation=file:///") and "plandocs-pdf-" in arguments[2]
    assert arguments[3:5] == ["--convert-to", "pdf"]
    assert len([a for a in arguments if a.endswith(".docx")]) == 3
    assert call["fontconfig"] == str(FONTS_CONF)


@needs_posix
def test_missing_empty_broken_and_overlong_pdfs_are_reported_per_file(fake_soffice):
    script, _, _ = fake_soffice(["pdf", "missing", "empty", "garbage", "pdf2", "pdf"])
    conversion = pdf.convert_to_pdf(documents(6), STAMP, soffice=script)
    assert [made is not None for made in conversion.pdfs] == [True, False, False, False, True, True]
    by_file = {problem.location.file: problem for problem in conversion.problems}
    names = [d.name for d in documents(6)]
    assert set(by_file) == set(names[1:5])
    assert "未能將此檔轉成 PDF" in by_file[names[1]].message
    assert "PDF 是空的" in by_file[names[2]].message
    assert "讀不到頁數" in by_file[names[3]].message
    assert by_file[names[4]].message.startswith("PDF 有 2 頁，應為 1 頁")
    assert by_file[names[4]].severity is Severity.WARNING


@needs_posix
def test_a_hung_conversion_is_stopped_with_its_children_and_keeps_the_finished_pdfs(fake_soffice):
    script, _, child_pid = fake_soffice(["pdf", "hang", "pdf"])
    started = time.monotonic()
    conversion = pdf.convert_to_pdf(documents(3), STAMP, timeout=3, soffice=script)
    assert time.monotonic() - started < 30
    assert conversion.pdfs[0] is not None and conversion.pdfs[1:] == [None, None]
    assert [p.location.file for p in conversion.problems] == [d.name for d in documents(3)][1:]
    assert all("3 秒內未完成轉換" in p.message for p in conversion.problems)
    assert process_ended(int(child_pid.read_text()))


def process_ended(pid: int) -> bool:
    """True once the process is gone or a zombie (an orphan nobody reaps in a container)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            return True
        if "\nState:\tZ" in status:
            return True
        time.sleep(0.1)
    return False


@needs_posix
def test_a_libreoffice_that_cannot_start_is_reported_not_raised(tmp_path):
    not_executable = tmp_path / "soffice"
    not_executable.write_text("")
    conversion = pdf.convert_to_pdf(documents(2), STAMP, soffice=not_executable)
    assert conversion.pdfs == [None, None]
    assert [p.location.file for p in conversion.problems] == [str(not_executable)]
    assert conversion.problems[0].message.startswith("無法啟動 LibreOffice")


def test_pdfs_are_dated_by_the_plan_and_their_ids_follow_the_content():
    def converted(when: bytes, identifier: bytes) -> bytes:
        return (b"%PDF-1.4\n1 0 obj\n<</Type/Pages/Kids[]/Count 1>>\nendobj\n2 0 obj\n<</CreationDate(D:" + when
                + b"Z')>>\nendobj\ntrailer\n<</Info 2 0 R/ID [ <" + identifier + b">\n<" + identifier
                + b"> ]\n/DocChecksum /" + identifier + b"\n>>\n%%EOF\n")

    first = pdf.reproducible_pdf(converted(b"20261126093613", b"E828CF28760840AA7488FF8058331D60"), STAMP)
    second = pdf.reproducible_pdf(converted(b"20261126093615", b"E37CCAEE989D9D5BF1857BDFD968668D"), STAMP)
    assert first == second
    assert len(first) == len(converted(b"20261126093613", b"E828CF28760840AA7488FF8058331D60"))
    assert b"/CreationDate(D:20180402000000Z')" in first
    assert pdf.reproducible_pdf(converted(b"20261126093613", b"0" * 32).replace(b"Kids[]", b"Kids[ ]"), STAMP) != first


def test_page_count_reads_the_page_tree_not_the_outline():
    with_outline = tiny_pdf(3).replace(b"trailer", b"2 0 obj\n<</Type/Outlines/Count 9>>\nendobj\ntrailer")
    assert pdf.page_count(with_outline) == 3
    assert pdf.page_count(b"%PDF-1.4\ntruncated") is None


def test_soffice_is_found_in_program_files_on_windows(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    installed = tmp_path / "Program Files" / "LibreOffice" / "program" / "soffice.exe"
    installed.parent.mkdir(parents=True)
    installed.write_bytes(b"")
    monkeypatch.setenv("ProgramFiles", str(tmp_path / "Program Files"))
    assert pdf.find_soffice() == installed


# --- the build command --------------------------------------------------------------------------------------

@pytest.fixture
def in_project(project, monkeypatch):
    monkeypatch.chdir(project.source.parent.parent)
    return project


def run_build(*arguments: str):
    return CliRunner().invoke(main, ["build", *arguments])


def test_without_libreoffice_the_word_files_are_built_and_the_user_is_told_what_to_install(in_project, monkeypatch):
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    result = run_build("--pdf")
    assert result.exit_code == ExitCode.CANNOT_WRITE
    assert "sudo apt-get install libreoffice-writer-nogui fonts-arphic-ukai" in result.output
    assert "https://www.libreoffice.org" in result.output
    assert "Traceback" not in result.output
    built = sorted(p.suffix for p in in_project.output.rglob("*.*"))
    assert ".pdf" not in built and built.count(".docx") > 2


@needs_posix
def test_a_build_without_pdf_removes_the_pdfs_of_an_earlier_build(in_project, monkeypatch, fake_soffice):
    script, _, _ = fake_soffice(["pdf"] * 100)
    monkeypatch.setattr(pdf, "find_soffice", lambda: script)
    with_pdf = run_build("--pdf")
    assert with_pdf.exit_code == ExitCode.OK, with_pdf.output
    made = list(in_project.output.rglob("*.pdf"))
    assert f"PDF：已產生 {len(made)} 個。" in with_pdf.output
    assert len(made) == len(list(in_project.output.rglob("*.docx")))
    assert run_build().exit_code == ExitCode.OK
    assert not list(in_project.output.rglob("*.pdf"))
