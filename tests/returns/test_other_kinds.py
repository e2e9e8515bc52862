"""Returns that are not the workbook: the Word 附表2 as units edit it, a .csv of one sheet, a PDF or a photo, an
.odt when LibreOffice is missing — each unit recognised, nothing typed lost, and what cannot be read named."""
from __future__ import annotations

import csv
import io
import shutil
import zipfile
from pathlib import Path

import docx
import pytest

from helpers.project import make_project
from plandocs.commands.collect import collect
from plandocs.documents.fill_in_form import PROGRESS_HEADERS, SURVEY_SHEET, case_count_header
from plandocs.office import convert
from plandocs.paths import Paths
from plandocs.returns.records import Recognition, State, Status


@pytest.fixture(scope="module")
def paths(tmp_path_factory) -> Paths:
    project = make_project(tmp_path_factory.mktemp("kinds") / "project")
    return Paths(project.source, project.templates, project.output)


def word_form(output: Path, unit: str) -> docx.Document:
    (found,) = (output / "各單位").glob(f"{unit}/*.docx")
    return docx.Document(found)


def set_paragraphs(cell, lines: list[str]) -> None:
    cell.paragraphs[0].text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def run(paths: Paths, tmp_path: Path, files: dict[str, object]):
    folder = tmp_path / "returns"
    folder.mkdir()
    for name, content in files.items():
        if isinstance(content, docx.document.Document):
            content.save(folder / name)
        else:
            (folder / name).write_bytes(content)
    return collect(paths, folder)


def only(report):
    (ret,) = report.collection.returns
    return ret


def without_identity(document: docx.document.Document) -> bytes:
    """The Word file as a copy into a new document leaves it: no custom properties."""
    buffer = io.BytesIO()
    document.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w") as target:
        for info in source.infolist():
            if info.filename != "docProps/custom.xml":
                target.writestr(info, source.read(info.filename))
    return target_buffer.getvalue()


def test_one_measure_per_paragraph_in_a_word_cell_each_becomes_a_measure(shipped_output, paths, tmp_path):
    document = word_form(shipped_output, "大安分局")
    row = document.tables[0].rows[1]
    set_paragraphs(row.cells[2], ["設置服務台", "", "線上預約"])
    set_paragraphs(row.cells[3], ["一樓設置服務台", "網路預約系統"])
    ret = only(run(paths, tmp_path, {"大安分局.docx": document}))
    assert ret.status is Status.RETURNED and ret.recognition is Recognition.PROPERTIES
    assert [(m.dimension, m.topic, m.name, m.content) for m in ret.measures] == [
        ("基礎服務", "服務一致及正確", "設置服務台", "一樓設置服務台"), ("基礎服務", "服務一致及正確", "線上預約", "網路預約系統")]
    assert {(e.sheet, e.cell) for m in ret.measures for e in m.entries} == {("表格1", "C2"), ("表格1", "D2")}


def test_a_word_form_is_not_asked_for_the_contact_cells_it_does_not_have(shipped_output, paths, tmp_path):
    document = word_form(shipped_output, "大安分局")
    set_paragraphs(document.tables[0].rows[1].cells[2], ["設置服務台"])
    set_paragraphs(document.tables[0].rows[1].cells[3], ["一樓設置服務台"])
    report = run(paths, tmp_path, {"大安分局.docx": document})
    (state,) = [s for s in report.collection.states() if s.unit.name == "大安分局"]
    assert state.ret is not None and state.blank_contact == []
    assert state.unproposed_topics  # the other survey items: information, not owed


def test_names_and_contents_that_do_not_pair_stay_one_measure_with_a_warning(shipped_output, paths, tmp_path):
    document = word_form(shipped_output, "大安分局")
    row = document.tables[0].rows[1]
    set_paragraphs(row.cells[2], ["1. 設置服務台", "2. 線上預約"])
    set_paragraphs(row.cells[3], ["兩項併同辦理。"])
    ret = only(run(paths, tmp_path, {"大安分局.docx": document}))
    assert [(m.name, m.content) for m in ret.measures] == [("1. 設置服務台\n2. 線上預約", "兩項併同辦理。")]
    assert any("無法逐項對應" in f.problem.message and f.location.cell() == "C2" for f in ret.findings)


def test_a_broken_merge_and_blank_rows_lose_nothing(shipped_output, paths, tmp_path):
    document = word_form(shipped_output, "大安分局")
    table = document.tables[0]
    # 基礎服務 spans rows 2–3; unmerge row 3's 構面 cell, as a unit splitting the cell does
    covered = table.rows[2]._tr.tc_lst[0]
    covered.tcPr.remove(covered.tcPr.vMerge)
    table.rows[2].cells[2].text, table.rows[2].cells[3].text = "友善措施", "友善的內容"
    ret = only(run(paths, tmp_path, {"大安分局.docx": document}))
    assert [(m.dimension, m.topic, m.name, m.content) for m in ret.measures] == [
        ("基礎服務", "服務友善", "友善措施", "友善的內容")]


def test_a_word_form_without_its_identity_is_recognised_by_its_title_saying_so(shipped_output, paths, tmp_path):
    ret = only(run(paths, tmp_path, {"回報.docx": without_identity(word_form(shipped_output, "北投分局"))}))
    assert (ret.unit.name, ret.recognition) == ("北投分局", Recognition.TITLE)
    assert any("依標題判定為「北投分局」" in f.problem.message for f in ret.findings)


def test_a_word_form_naming_another_unit_than_its_identity_is_not_guessed(shipped_output, paths, tmp_path):
    document = word_form(shipped_output, "北投分局")
    title = next(p for p in document.paragraphs if "北投分局" in p.text)
    retitled = title.text.replace("北投分局", "內湖分局")
    for piece in title.runs:
        piece.text = ""
    title.runs[0].text = retitled
    ret = only(run(paths, tmp_path, {"北投分局.docx": document}))
    assert ret.status is Status.UNIDENTIFIED and "內湖分局" in ret.reason


def test_a_csv_of_the_progress_sheet_is_read_by_its_headings_and_the_unit_by_its_name(paths, tmp_path):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*PROGRESS_HEADERS, case_count_header(106), case_count_header(107)])
    writer.writerow(["1.1.1", "基礎服務", "服務一致及正確", "申辦業務標準作業流程訂定情形", "", "", "", "已訂定SOP", "1200", "1,350"])
    ret = only(run(paths, tmp_path, {"捷運警察隊_辦理情形.csv": buffer.getvalue().encode("cp950")}))
    assert (ret.status, ret.unit.name, ret.recognition) == (Status.RETURNED, "捷運警察隊", Recognition.FILE_NAME)
    progress = ret.progress["1.1.1"]
    assert (progress.text, progress.counts) == ("已訂定SOP", {106: 1200, 107: 1350})
    assert not any(SURVEY_SHEET in f.problem.message for f in ret.findings)


def test_a_csv_without_the_forms_headings_is_reported_not_dropped(paths, tmp_path):
    ret = only(run(paths, tmp_path, {"捷運警察隊.csv": "甲,乙\n丙,丁\n".encode("utf-8-sig")}))
    assert ret.status is Status.RETURNED and not ret.measures
    assert any("找不到「調查表」或「辦理情形」的欄位標題" in f.problem.message for f in ret.findings)
    assert {f.content for f in ret.findings} >= {"甲", "乙", "丙", "丁"}


@pytest.mark.parametrize("name", ["大安分局_照片.jpg", "大安分局_回覆.pdf", "大安分局.zip"])
def test_a_file_nothing_can_read_is_unusable_with_its_unit_recognised(paths, tmp_path, name):
    report = run(paths, tmp_path, {name: b"\xff\xd8\xff\xe0 not a form"})
    ret = only(report)
    assert (ret.status, ret.unit.name) == (Status.UNUSABLE_FORMAT, "大安分局")
    assert ".xlsx 或 .docx" in ret.reason
    assert next(s for s in report.collection.states() if s.unit.name == "大安分局").primary is State.UNUSABLE


def test_without_libreoffice_an_odt_is_unusable_its_unit_recognised_and_the_ledger_says_what_to_install(
        paths, tmp_path, monkeypatch):
    monkeypatch.setattr(convert, "find_soffice", lambda: None)
    ret = only(run(paths, tmp_path, {"松山分局_附表2.odt": b"PK\x03\x04 an OpenDocument text"}))
    assert (ret.status, ret.unit.name) == (Status.UNUSABLE_FORMAT, "松山分局")
    assert "apt-get install libreoffice-writer-nogui" in ret.reason and "https://www.libreoffice.org" in ret.reason


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_an_odt_is_converted_by_libreoffice_and_read_as_the_word_form(shipped_output, paths, tmp_path):
    document = word_form(shipped_output, "大安分局")
    document.tables[0].rows[1].cells[2].text, document.tables[0].rows[1].cells[3].text = "轉檔措施", "轉檔內容"
    document.save(tmp_path / "大安分局.docx")
    converted = convert.convert([(".docx", (tmp_path / "大安分局.docx").read_bytes())], "odt", convert.find_soffice())
    (data,) = converted.outputs
    ret = only(run(paths, tmp_path, {"大安分局.odt": data}))
    assert (ret.status, ret.read_as, ret.recognition) == (Status.RETURNED, "經 LibreOffice 轉檔", Recognition.PROPERTIES)
    assert [(m.name, m.content) for m in ret.measures] == [("轉檔措施", "轉檔內容")]
