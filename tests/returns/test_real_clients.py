"""Returns filled and saved by a real office suite, as units send them: LibreOffice Calc and Writer, driven
through UNO, save the forms `build` wrote as .xlsx, .ods, .xls, .docx, .odt and .doc (and a PDF); every
value typed must reach the consolidated workbook's data sheets, and no unit that replied is 未回報."""
from __future__ import annotations

import csv
import datetime as dt
import warnings
from pathlib import Path

import pytest
from openpyxl import load_workbook

from helpers.project import REFERENCE_TOPICS, make_project
from helpers.returns_factory import form_of
from plandocs.commands.collect import collect
from plandocs.documents.fill_in_form import (
    GUIDE_INPUT_ROWS, GUIDE_SHEET, HEADER_ROW, PHONE, PROGRESS_CODE, PROGRESS_INPUT, PROGRESS_SHEET, REPORT_DATE,
    REPORTER, SURVEY_HEADERS, SURVEY_SHEET, case_count_header,
)
from plandocs.paths import Paths
from plandocs.returns.records import Recognition, State, Status
from plandocs.returns.write_workbook import LEDGER_SHEET, MEASURES_SHEET, PROBLEMS_SHEET, PROGRESS_SUMMARY_SHEET

CALC = {"xlsx": ("中山分局", "Calc MS Excel 2007 XML"), "ods": ("大同分局", "calc8"), "xls": ("萬華分局", "MS Excel 97")}
WRITER = {"docx": ("信義分局", "MS Word 2007 XML"), "odt": ("松山分局", "writer8"), "doc": ("士林分局", "MS Word 97")}
PDF_UNIT = "內湖分局"
CSV_UNIT = "北投分局"


def word_form_of(output: Path, unit: str) -> Path:
    (found,) = (output / "各單位").glob(f"{unit}/*.docx")
    return found


def _columns(sheet) -> dict[str, str]:
    return {c.value: c.column_letter for c in sheet[HEADER_ROW] if c.value}


# Contents a clerk may type that a careless reader or writer alters: a line break inside the cell, runs of
# spaces, and text beginning as a formula would (stored as text, as a leading apostrophe makes it).
AWKWARD = ("第一行\n第二行", "兩個  空格與全形　空格", "=MKceq", "+886-2-2381", "-減號開頭", "@提及")


def _content(unit: str, topic: str, number: int, awkward: bool) -> str:
    return f"{AWKWARD[number]}（{unit}）" if awkward and number < len(AWKWARD) else f"{unit}就{topic}的作法，第{number + 1}項。"


def calc_job(output: Path, unit: str, target: Path, filter_name: str, awkward: bool = False) -> tuple[dict, dict]:
    """Type into a unit's workbook as its clerk would; return the job and what was typed, to look for.

    With `awkward`, the first measures' contents are AWKWARD's, typed as text, and a case count is =1/0."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        form = load_workbook(form_of(output, unit))
    survey, progress = form[SURVEY_SHEET], form[PROGRESS_SHEET]
    first_rows: dict[tuple[str, str], int] = {}
    for row in range(HEADER_ROW + 1, survey.max_row + 1):
        first_rows.setdefault((survey.cell(row, 1).value, survey.cell(row, 2).value), row)
    edits, measures = [], []
    for number, (dimension, topic) in enumerate(REFERENCE_TOPICS):
        row = first_rows[dimension, topic]
        name, content = f"{unit}{topic}措施", _content(unit, topic, number, awkward)
        edits += [{"cell": [SURVEY_SHEET, f"C{row}"], "text": name}, {"cell": [SURVEY_SHEET, f"D{row}"], "string": content}]
        measures.append((dimension, topic, name, content))
    # a row inserted under the first measure, as the guide tells: labels left empty, taken from above
    inserted = first_rows[REFERENCE_TOPICS[0]] + 1
    edits += [{"insert_rows": [SURVEY_SHEET, inserted - 1, 1]},
              {"cell": [SURVEY_SHEET, f"C{inserted}"], "text": f"{unit}插入列措施"},
              {"cell": [SURVEY_SHEET, f"D{inserted}"], "text": f"{unit}插入列的內容"}]
    measures.append((*REFERENCE_TOPICS[0], f"{unit}插入列措施", f"{unit}插入列的內容"))
    columns = _columns(progress)
    reports = {}
    for row in range(HEADER_ROW + 1, progress.max_row + 1):
        code = progress[f"{columns[PROGRESS_CODE]}{row}"].value
        if code:
            reports[code] = f"{unit}辦理{code}情形"
            edits.append({"cell": [PROGRESS_SHEET, f"{columns[PROGRESS_INPUT]}{row}"], "text": reports[code]})
            if code == "1.1.1":  # the key point asking for case counts; a formula's error stands in one
                error_cell = f"{columns[case_count_header(106)]}{row}"
                edits += [{"cell": [PROGRESS_SHEET, error_cell], "text": "=1/0" if awkward else "1,238"},
                          {"cell": [PROGRESS_SHEET, f"{columns[case_count_header(107)]}{row}"], "text": "１２７５"}]
    for label, text in ((REPORT_DATE, "107/6/25"), (REPORTER, "王小明"), (PHONE, "(02)2381-8000#1234")):
        edits.append({"cell": [GUIDE_SHEET, f"B{GUIDE_INPUT_ROWS[label]}"], "text": text})
    job = {"source": str(form_of(output, unit)), "targets": [[str(target), filter_name]], "edits": edits}
    typed = {"measures": measures, "reports": reports, "counts": {106: 1238, 107: 1275}}
    if awkward:
        typed["error_cell"] = error_cell
    return job, typed


def writer_job(output: Path, unit: str, target: Path, filter_name: str, awkward: bool = False) -> tuple[dict, dict]:
    """Type into a unit's Word 附表2: table row n+2 is topic n (row 1 holds the headings); with `awkward`, the
    first measures' contents are AWKWARD's (a line break is a new paragraph of the cell)."""
    edits, measures = [], []
    for number, (dimension, topic) in enumerate(REFERENCE_TOPICS):
        row = number + 2
        if topic == "服務便捷":  # several measures in one cell, numbered
            names, contents = [f"{unit}便捷甲", f"{unit}便捷乙"], [f"{unit}甲的內容", f"{unit}乙的內容"]
            edits += [{"table_cell": [0, f"C{row}"], "text": f"1. {names[0]}\n2. {names[1]}"},
                      {"table_cell": [0, f"D{row}"], "text": f"1. {contents[0]}\n2. {contents[1]}"}]
            measures += [(dimension, topic, n, c) for n, c in zip(names, contents)]
        else:
            name, content = f"{unit}{topic}措施", _content(unit, topic, number, awkward)
            edits += [{"table_cell": [0, f"C{row}"], "text": name}, {"table_cell": [0, f"D{row}"], "text": content}]
            measures.append((dimension, topic, name, content))
    # rows inserted at the end of the table: one with its own labels, one under it with the 構面 merge extended
    last = len(REFERENCE_TOPICS) + 1
    dimension, topic = REFERENCE_TOPICS[-1]
    edits += [{"insert_table_rows": [0, last, 2]},
              {"table_cell": [0, f"A{last + 1}"], "text": dimension}, {"table_cell": [0, f"B{last + 1}"], "text": topic},
              {"table_cell": [0, f"C{last + 1}"], "text": f"{unit}新增列措施"},
              {"table_cell": [0, f"D{last + 1}"], "text": f"{unit}新增列的內容"},
              {"table_cell": [0, f"C{last + 2}"], "text": f"{unit}合併列措施"},
              {"table_cell": [0, f"D{last + 2}"], "text": f"{unit}合併列的內容"},
              {"merge": [0, f"A{last + 1}", 1]},
              {"paragraph": f"{unit}補充：表格外的說明文字"}]
    measures += [(dimension, topic, f"{unit}新增列措施", f"{unit}新增列的內容"),
                 (dimension, topic, f"{unit}合併列措施", f"{unit}合併列的內容")]
    job = {"source": str(word_form_of(output, unit)), "targets": [[str(target), filter_name]], "edits": edits}
    return job, {"measures": measures, "reports": {}, "beside": f"{unit}補充：表格外的說明文字"}


@pytest.fixture(scope="module")
def sent(office, shipped_output: Path, tmp_path_factory):
    """The returns folder: each unit's file saved by LibreOffice, its name starting with the unit's name."""
    folder = tmp_path_factory.mktemp("real_returns") / "returns"
    folder.mkdir()
    jobs, typed = [], {}
    for suffix, (unit, filter_name) in CALC.items():
        job, typed[unit] = calc_job(shipped_output, unit, folder / f"{unit}_回報.{suffix}", filter_name)
        jobs.append(job)
    for suffix, (unit, filter_name) in WRITER.items():
        job, typed[unit] = writer_job(shipped_output, unit, folder / f"{unit}_附表2.{suffix}", filter_name)
        jobs.append(job)
    jobs.append({"source": str(word_form_of(shipped_output, PDF_UNIT)), "edits": [],
                 "targets": [[str(folder / f"{PDF_UNIT}_掃描.pdf"), "writer_pdf_Export"]]})
    office.fill(jobs)
    # the 調查表 sheet exported as .csv (Big5, as Excel on a Taiwanese Windows saves it)
    rows = [list(SURVEY_HEADERS)] + [[d, t, f"{CSV_UNIT}{t}措施", f"{CSV_UNIT}{t}內容"] for d, t in REFERENCE_TOPICS]
    with (folder / f"{CSV_UNIT}_調查表.csv").open("w", encoding="cp950", newline="") as handle:
        csv.writer(handle).writerows(rows)
    typed[CSV_UNIT] = {"measures": [tuple(r) for r in rows[1:]], "reports": {}}
    return folder, typed


@pytest.fixture(scope="module")
def report(sent, tmp_path_factory):
    folder, _ = sent
    project = make_project(tmp_path_factory.mktemp("real_collect") / "project")
    return collect(Paths(project.source, project.templates, project.output), folder)


@pytest.fixture(scope="module")
def consolidated(report):
    (path,) = [p for p in report.written if p.suffix == ".xlsx" and p.parent == report.folder]  # not 補正 or 催報
    return load_workbook(path)


def table(workbook, sheet: str) -> list[dict]:
    rows = list(workbook[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def test_every_measure_typed_in_every_kind_reaches_the_measures_sheet(sent, consolidated):
    _, typed = sent
    listed = {(r["單位"], r["構面"], r["項目"], r["措施名稱"], r["措施內容"]) for r in table(consolidated, MEASURES_SHEET)}
    for unit, values in typed.items():
        expected = {(unit, *measure) for measure in values["measures"]}
        assert expected <= listed, (unit, sorted(expected - listed))


def test_every_progress_report_and_case_count_reaches_the_progress_sheet(sent, consolidated):
    _, typed = sent
    rows = {(r["單位"], r["編號"]): r for r in table(consolidated, PROGRESS_SUMMARY_SHEET)}
    for unit, values in typed.items():
        for code, text in values["reports"].items():
            assert rows[unit, code]["辦理情形"] == text and rows[unit, code]["狀態"] == "已填"
        if values["reports"]:
            assert (rows[unit, "1.1.1"][case_count_header(106)], rows[unit, "1.1.1"][case_count_header(107)]) == (1238, 1275)


def test_every_unit_that_sent_a_file_has_a_state_and_the_kind_and_reading_are_named(sent, consolidated, report):
    folder, typed = sent
    ledger = {r["來源檔案"]: r for r in table(consolidated, LEDGER_SHEET) if r["來源檔案"]}
    senders = {p.name.split("_")[0] for p in folder.iterdir()}
    states = {r["單位"]: r["狀態"] for r in table(consolidated, LEDGER_SHEET)}
    assert all(states[unit] != Status.MISSING.value for unit in senders)
    assert all(s.primary is not State.MISSING for s in report.collection.states() if s.unit.name in senders)
    for unit in typed:
        (row,) = [r for name, r in ledger.items() if name.startswith(unit)]
        assert row["狀態"] == Status.RETURNED.value, row
    kinds = {name.rpartition(".")[2]: (r["檔案類型"], r["讀取方式"]) for name, r in ledger.items()}
    assert kinds == {
        "xlsx": ("Excel 活頁簿（.xlsx）", "直接讀取"), "ods": ("OpenDocument 試算表（.ods）", "直接讀取"),
        "xls": ("Excel 97-2003 活頁簿（.xls）", "直接讀取"), "docx": ("Word 文件（.docx）", "直接讀取"),
        "odt": ("OpenDocument 文字文件（.odt）", "經 LibreOffice 轉檔"), "doc": ("Word 97-2003 文件（.doc）", "經 LibreOffice 轉檔"),
        "csv": ("CSV 文字檔（.csv）", "直接讀取"), "pdf": ("PDF 檔（.pdf）", None),  # an empty cell: it was not read
    }
    pdf = next(r for name, r in ledger.items() if name.endswith(".pdf"))
    assert (pdf["單位"], pdf["狀態"]) == (PDF_UNIT, Status.UNUSABLE_FORMAT.value) and ".docx" in pdf["說明"]
    assert pdf["辨識方式"] == Recognition.TITLE.value  # the PDF's text holds the form's title


def test_word_returns_are_recognised_by_the_identity_stamped_at_build(report):
    for unit, _ in WRITER.values():
        (ret,) = [r for r in report.collection.returns if r.file.startswith(unit)]
        assert (ret.unit.name, ret.recognition.value) == (unit, "文件自訂屬性")


def test_the_roc_date_typed_in_calc_is_the_report_date(report):
    for unit, _ in CALC.values():
        (ret,) = [r for r in report.collection.returns if r.file.startswith(unit)]
        assert ret.contact.date == dt.date(2018, 6, 25) and ret.filed[1] == REPORT_DATE


def test_text_typed_beside_the_word_table_is_kept_with_its_place(sent, consolidated):
    _, typed = sent
    problems = table(consolidated, PROBLEMS_SHEET)
    for unit, _ in WRITER.values():
        assert any(r["單位"] == unit and r["儲存格內容"] == typed[unit]["beside"] for r in problems), unit


@pytest.fixture(scope="module")
def awkward_collect(office, shipped_build, shipped_output: Path, tmp_path_factory):
    """Returns whose contents begin as formulas, hold line breaks and runs of spaces, and one =1/0 count,
    saved by LibreOffice in every kind it writes; collected into a project of their own."""
    folder = tmp_path_factory.mktemp("awkward_returns") / "returns"
    folder.mkdir()
    jobs, typed = [], {}
    for suffix, (unit, filter_name) in CALC.items():
        job, typed[unit] = calc_job(shipped_output, unit, folder / f"{unit}_回報.{suffix}", filter_name, awkward=True)
        jobs.append(job)
    for suffix, (unit, filter_name) in WRITER.items():
        job, typed[unit] = writer_job(shipped_output, unit, folder / f"{unit}_附表2.{suffix}", filter_name, awkward=True)
        jobs.append(job)
    office.fill(jobs)
    project = make_project(tmp_path_factory.mktemp("awkward_collect") / "project")
    return typed, collect(Paths(project.source, project.templates, project.output), folder)


def test_awkward_text_reaches_the_workbook_character_for_character_from_every_kind(awkward_collect):
    typed, report = awkward_collect
    (path,) = [p for p in report.written if p.suffix == ".xlsx" and p.parent == report.folder]
    listed = {(r["單位"], r["措施名稱"], r["措施內容"]) for r in table(load_workbook(path), MEASURES_SHEET)}
    for unit, values in typed.items():
        expected = {(unit, name, content) for _, _, name, content in values["measures"]}
        assert expected <= listed, (unit, sorted(expected - listed))


def test_an_error_result_is_a_located_problem_of_its_cell(awkward_collect):
    typed, report = awkward_collect
    (path,) = [p for p in report.written if p.suffix == ".xlsx" and p.parent == report.folder]
    problems = table(load_workbook(path), PROBLEMS_SHEET)
    # .xlsx and .ods store the result; the .xls reader (python-calamine) gives an error result as an empty cell
    for unit in (CALC["xlsx"][0], CALC["ods"][0]):
        cell = typed[unit]["error_cell"]
        assert any(r["單位"] == unit and r["儲存格"] == cell and "錯誤值" in r["說明"] for r in problems), (unit, cell)


def test_no_cell_of_any_workbook_built_or_collected_is_a_formula(awkward_collect, shipped_output):
    _, report = awkward_collect
    workbooks = [p for p in report.written if p.suffix == ".xlsx"] + sorted(shipped_output.rglob("*.xlsx"))
    assert any("補正" in p.parts for p in workbooks) and len(workbooks) > 40
    formulas = [(p.name, sheet.title, cell.coordinate) for p in workbooks for sheet in load_workbook(p).worksheets
                for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    assert formulas == []
