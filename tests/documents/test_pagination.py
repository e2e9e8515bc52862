"""Pagination measured on the real PDF LibreOffice makes of the shipped build, compared with the .docx given.

pdftotext -raw writes a table cell's lines one after another (cell by cell, as LibreOffice draws them), so a
key point's name or a group's name is found whole on its page with white space removed, and each line of
the PDF is one line of a cell.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document

from helpers.project import make_project
from plandocs.commands.build import BuildReport, build
from plandocs.office import pdf
from plandocs.returns.write_report import REPORT_KIND

pytestmark = pytest.mark.skipif(
    pdf.find_soffice() is None or shutil.which("pdftotext") is None,
    reason="LibreOffice and poppler-utils are needed to measure pages: "
           "`apt-get install libreoffice-writer-nogui fonts-arphic-ukai poppler-utils`",
)
TITLE = "臺北市政府警察局107年度提升服務品質執行計畫"
DATE = re.compile(r"\d+月\d+日")


@pytest.fixture(scope="module")
def pdf_build(tmp_path_factory) -> BuildReport:
    report = build(make_project(tmp_path_factory.mktemp("pages") / "project"), pdf=True)
    assert report.pdf_problems == []
    return report


def output_of(report: BuildReport) -> Path:
    return report.written[0].parents[len(report.artifacts[0].path.parts) - 1]


def raw_pages(path: Path) -> list[list[str]]:
    """Each page's lines as pdftotext -raw gives them, white space removed."""
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [["".join(line.split()) for line in page.splitlines() if line.strip()] for page in text.split("\f")[:-1]]


def flat(text: str) -> str:
    return "".join(text.split())


def attachment_pages(pages: list[list[str]], label: str, following: str | None) -> list[str]:
    """The joined text of each page of an attachment of the circular, from its label to the next one's."""
    first = next(n for n, lines in enumerate(pages) if lines[0] == label)
    after = next((n for n, lines in enumerate(pages) if n > first and lines[0] == following), len(pages))
    return ["".join(lines) for lines in pages[first:after]]


@pytest.fixture(scope="module")
def circular_pages(pdf_build):
    return raw_pages(output_of(pdf_build) / f"{TITLE}.pdf")


@pytest.fixture(scope="module")
def table_1_rows(pdf_build):
    """(item name, key point name, practice paragraphs) of every row of 附表1 in the .docx the user receives."""
    document = Document(str(output_of(pdf_build) / f"{TITLE}.docx"))
    rows = []
    for table in document.tables:
        header = [c.text for c in table.rows[0].cells]
        if "具體作法" not in header or "評核重點" not in header:
            continue
        key, practice = header.index("評核重點"), header.index("具體作法")
        item = header.index("評核項目") if "評核項目" in header else None  # a dimension may have no items
        for row in table.rows[1:]:
            cells = row.cells  # a merged cell's text is its first row's
            rows.append((cells[item].text if item is not None else "", cells[key].text,
                         [p.text for p in cells[practice].paragraphs if flat(p.text)]))
    return rows


def pages_holding(pages: list[str], text: str) -> list[int]:
    return [n for n, page in enumerate(pages) if flat(text) in page]


def test_every_page_of_table_1_names_the_item_and_key_point_whose_text_is_there(pdf_build, circular_pages,
                                                                                 table_1_rows):
    pages = attachment_pages(circular_pages, "附表1", "附表2")
    key_points = {(item.name or "", kp.name) for d in pdf_build.plan.dimensions for item in d.items
                  for kp in item.key_points}
    checked = 0
    for item, name, paragraphs in table_1_rows:
        assert (item, name) in key_points
        for paragraph in paragraphs:  # whole: a row is split only between paragraphs
            head = paragraph[:14]
            found = pages_holding(pages, paragraph)
            assert found, head
            for page in found:
                assert flat(name) in pages[page], (name, head, page)
                assert flat(item) in pages[page], (item, head, page)
                checked += 1
    assert checked > 150
    continued = [name for (_, name, _), (_, before, _) in zip(table_1_rows[1:], table_1_rows) if name == before]
    assert len(continued) >= 2  # rows taller than a page continue with their label repeated


def test_no_row_of_table_1_is_broken_across_pages(circular_pages, table_1_rows):
    """A row lies on one page: LibreOffice leaves no line of a row alone at a page's foot or head."""
    pages = attachment_pages(circular_pages, "附表1", "附表2")
    for _, name, paragraphs in table_1_rows:
        if not paragraphs:
            continue
        first, last = pages_holding(pages, paragraphs[0]), pages_holding(pages, paragraphs[-1])
        assert set(first) & set(last), (name, paragraphs[0][:14], first, last)


def test_every_roster_group_is_named_on_the_page_of_its_first_member(pdf_build, circular_pages):
    roster = raw_pages(output_of(pdf_build) / f"附表3_{pdf_build.plan.facts.agency}{pdf_build.plan.facts.roster_title}.pdf")
    for pages in (["".join(lines) for lines in roster], attachment_pages(circular_pages, "附表3", None)):
        for group in pdf_build.plan.roster:
            first = group.members[0]
            found = pages_holding(pages, first.role + first.title + first.name)
            assert len(found) == 1, (group.name, first.name, found)
            assert flat(group.name) in pages[found[0]], (group.name, found[0])


def test_the_longest_unit_name_and_every_deadline_date_stand_whole_on_one_line(pdf_build, circular_pages):
    plan = pdf_build.plan
    key_points = [kp for d in plan.dimensions for item in d.items for kp in item.key_points]
    names = {name for kp in key_points for ref in kp.responsible for name in ref.written.split("、")}
    longest = max(sorted(names), key=len)  # as 承辦單位 prints them
    dates = {date for kp in key_points for date in DATE.findall(flat(kp.deadline))}
    assert "6月29日" in dates and len(longest) >= 5
    lines = [line for page in circular_pages for line in page]
    joined = "".join(lines)
    for token in sorted(dates) + [longest]:
        assert sum(line.count(token) for line in lines) == joined.count(token) > 0, token
    forms = [p for p in output_of(pdf_build).rglob("*附表2調查表.pdf")]
    longest_unit = max((u.name for u in plan.receiving_units()), key=len)
    (form,) = [p for p in forms if p.parent.name == longest_unit]
    assert any(longest_unit in line for page in raw_pages(form) for line in page)


def test_no_number_of_the_circular_is_broken_across_two_lines(circular_pages):
    """LibreOffice breaks Chinese text between any two characters, digits too, unless they are set as Latin."""
    lines = [line for page in circular_pages for line in page]
    broken = [(a[-8:], b[:8]) for a, b in zip(lines, lines[1:]) if a[-1:].isdigit() and b[:1].isdigit()]
    assert broken == []
    assert sum("107年" in line for line in lines) > 10


def test_a_long_title_breaks_between_the_agency_and_the_plan_name(pdf_build):
    document = Document(str(next(output_of(pdf_build).rglob("*附表2調查表.docx"))))
    title = next(p for p in document.paragraphs if "調查表" in p.text)
    first, *rest = title.text.split("\n")
    assert rest, title.text  # the form's title does not fit one line of the portrait page
    assert first.endswith(("局", ")", "）")) or re.match(r"\d+年", rest[0]), title.text


def test_collects_report_keeps_years_whole_and_breaks_its_title_at_boundaries(pdf_build, tmp_path):
    from helpers.returns_factory import filled
    from plandocs.commands.collect import collect
    from plandocs.paths import Paths

    output = output_of(pdf_build)
    returns = tmp_path / "returns"
    returns.mkdir()
    for unit in ("中正第一分局", "統計室", "勤務指揮中心"):
        filled(output, unit).save(returns / f"{unit}_回報.xlsx")
    project = output.parent
    report = collect(Paths(project / "source" / "plan_master.xlsx", project / "templates", tmp_path / "out"), returns)
    (document,) = [a for a in report.artifacts if a.kind == REPORT_KIND]
    (made,) = pdf.convert_to_pdf([pdf.Document(document.path.name, document.data)], dt.datetime(2018, 6, 30)).pdfs
    path = tmp_path / "report.pdf"
    path.write_bytes(made)
    pages = raw_pages(path)
    facts = pdf_build.plan.facts
    # the title does not fit a line: it breaks after the plan's title, not inside a word
    assert pages[0][:2] == [facts.title, "各單位辦理情形彙整報告"]
    lines = [line for page in pages for line in page]
    joined = "".join(lines)
    for token in ("106年", "107年"):  # in the counts of every progress report and in the headings
        assert sum(line.count(token) for line in lines) == joined.count(token) > 0, token
    # the list of units not reported breaks its lines between names, never inside one
    reported = {"中正第一分局", "統計室", "勤務指揮中心"}
    first = next(n for n, line in enumerate(lines) if line.startswith("一、尚未回報"))
    listing = lines[first:next(n for n, line in enumerate(lines) if line.startswith("二、"))]
    missing = [u.name for u in pdf_build.plan.receiving_units() if u.name not in reported]
    assert len(listing) > 3 and all(name in "".join(listing) for name in missing)
    assert [name for name in missing if not any(name in line for line in listing)] == []
