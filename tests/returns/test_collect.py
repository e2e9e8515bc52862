"""collect reads a realistic returns folder — every kind of mess units send — and loses nothing."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import shutil
import unicodedata
import warnings
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from helpers.project import SHIPPED_MASTER, make_project
from plandocs.commands.build import Paths
from plandocs.cli import main
from plandocs.commands.collect import collect
from plandocs.returns.records import Recognition, State, Status
from plandocs.text import text_key
from plandocs.returns.write_report import COLLECT_FOLDER
from plandocs.returns.write_workbook import (
    LEDGER_SHEET, MEASURES_SHEET, PROBLEMS_SHEET, PROGRESS_SUMMARY_SHEET, SOURCE_HEADERS, UNUSED_SHEET,
)
from plandocs.documents.fill_in_form import GUIDE_SHEET, HEADER_ROW, ID_DIGEST, ID_UNIT, ID_VERSION, ID_YEAR, PROGRESS_SHEET
from plandocs.documents.fill_in_form import SURVEY_SHEET, case_count_header
from plandocs.text import parse_date
from plandocs.master.validate import check_master
from helpers.returns_factory import (
    Filler, as_text, cache_formula_results, encrypted_file, filled, form_of, libreoffice_resave, oversized,
    set_identity,
    sheet_part, strip_identity, truncated, with_macros, zip_bomb,
)

PLAN = check_master(SHIPPED_MASTER).plan
UNREADABLE = {"損毀.xlsx", "加密.xlsx", "炸彈.xlsx", "過大.xlsx", "舊格式.xls"}
SKIPPED = {"~$中正一分局_回報.xlsx", "Thumbs.db"}
HAS_SOFFICE = shutil.which("soffice") is not None


def make_returns(output: Path, folder: Path, work: Path) -> None:
    """One folder with every kind of return the issue lists; see the comments for what each file tests."""
    # renamed, clean, named by the unit's alias; its lock file and its blank Word form beside it (read, and
    # superseded: a file with nothing filled in never replaces one with content)
    filled(output, "中正第一分局").save(folder / "中正一分局_回報.xlsx")
    (folder / "~$中正一分局_回報.xlsx").write_bytes(b"\x00lock")
    shutil.copy(next((output / "各單位" / "中正第一分局").glob("*.docx")), folder / "中正第一分局_附表2調查表.docx")
    # two returns from one unit, told apart by their 填報日期; the older one is saved last
    newer = filled(output, "中正第二分局", date=dt.date(2018, 6, 25))
    newer.measure("基礎服務", "服務友善", "新版措施", "第二次寄送的內容")
    newer.save(folder / "中正第二分局_第2次.xlsx")
    older = filled(output, "中正第二分局", date=dt.date(2018, 6, 10))
    older.measure("基礎服務", "服務友善", "舊版措施", "第一次寄送的內容")
    older.save(folder / "中正第二分局_第1次.xlsx", modified=dt.datetime(2018, 6, 28))
    # two returns without a date: the workbook's own last-saved time decides
    filled(output, "大同分局", date=None).save(folder / "大同分局_a.xlsx", modified=dt.datetime(2018, 6, 21, 8))
    late = filled(output, "大同分局", date=None)
    late.measure("服務評價", "服務滿意情形", "較晚儲存的措施", "依儲存時間採用")
    late.save(folder / "大同分局_b.xlsx", modified=dt.datetime(2018, 6, 21, 17))
    # rows added (a measure between rows, blank rows) and deleted (a key point), a continuation row
    wanhua = filled(output, "萬華分局")
    wanhua.survey.insert_rows(HEADER_ROW + 2, 3)
    wanhua.survey.cell(HEADER_ROW + 3, 3).value = "插入列的措施"
    wanhua.survey.cell(HEADER_ROW + 3, 4).value = "在兩列之間插入一列填寫"
    deleted = wanhua.progress_row("1.2.2")
    wanhua.progress_sheet.delete_rows(deleted)
    below = wanhua.progress_row("1.1.2") + 1
    wanhua.progress_sheet.insert_rows(below)
    wanhua.progress_sheet.cell(below, 8).value = "續上列：另於各派出所張貼流程"
    wanhua.save(folder / "萬華分局.xlsx")
    # merged cells, text in the wrong column, a heading the unit added, reference text overwritten
    zhongshan = filled(output, "中山分局")
    zhongshan.survey.merge_cells(start_row=HEADER_ROW + 1, start_column=1, end_row=HEADER_ROW + 6, end_column=1)
    zhongshan.survey.cell(HEADER_ROW + 1, 5).value = "備註：本項另案辦理"
    zhongshan.survey.cell(HEADER_ROW + 2, 3).value = "合併儲存格的措施"
    zhongshan.survey.cell(HEADER_ROW + 2, 4).value = "內容跨兩列"
    zhongshan.survey.merge_cells(start_row=HEADER_ROW + 2, start_column=4, end_row=HEADER_ROW + 3, end_column=4)
    row = zhongshan.progress_row("1.1.3")
    zhongshan.progress_sheet.cell(row, 5).value = "誤將辦理情形寫在參考欄"
    zhongshan.progress_sheet.cell(HEADER_ROW, 11).value = "備註"
    zhongshan.progress_sheet.cell(row, 11).value = "另附照片三張"
    zhongshan.save(folder / "中山分局.xlsx")
    # numbers as text: full-width digits, thousands separators, a trailing 件; and a count that is not one
    daan = filled(output, "大安分局")
    daan.report("1.1.1", "大安分局已辦理（1.1.1）", {106: "１,２３４", 107: "56件"})
    daan.report("1.1.2", "大安分局已辦理（1.1.2）", {106: "約100", 107: -3})
    daan.save(folder / "大安分局.xlsx")
    # formulas, saved with their results as Excel does; one never calculated; one showing an error
    xinyi = filled(output, "信義分局")
    xinyi.survey.cell(HEADER_ROW + 2, 3).value = '="公式"&"措施"'
    xinyi.survey.cell(HEADER_ROW + 2, 4).value = "公式算出的措施名稱"
    xinyi.report("1.1.1", "信義分局已辦理（1.1.1）", {106: "=1000+200", 107: "=A1/0"})
    xinyi.survey.cell(HEADER_ROW + 3, 3).value = "=C4"
    xinyi.survey.cell(HEADER_ROW + 3, 4).value = "沒有計算結果的公式"
    xinyi.save(folder / "信義分局.xlsx")
    part = sheet_part(folder / "信義分局.xlsx", SURVEY_SHEET)
    cache_formula_results(folder / "信義分局.xlsx", part, {f"C{HEADER_ROW + 2}": "公式措施"})
    progress_part = sheet_part(folder / "信義分局.xlsx", PROGRESS_SHEET)
    cache_formula_results(folder / "信義分局.xlsx", progress_part, {"I4": "1200", "J4": "#DIV/0!"})
    # extra sheets, and a copy of 調查表 used to add more measures
    songshan = filled(output, "松山分局")
    extra = songshan.workbook.create_sheet("備註")
    extra["A1"], extra["B3"] = "本分局補充說明", "如附件"
    copy = songshan.workbook.copy_worksheet(songshan.survey)
    copy.title = "調查表 (2)"
    for row in range(HEADER_ROW + 1, copy.max_row + 1):
        copy.cell(row, 3).value = copy.cell(row, 4).value = None
    copy.cell(HEADER_ROW + 1, 3).value, copy.cell(HEADER_ROW + 1, 4).value = "複製工作表的措施", "在第二張調查表填寫"
    songshan.save(folder / "松山分局.xlsx")
    # an old version of the form: other version and digest, and a key point since renamed
    shilin = filled(output, "士林分局")
    shilin.progress_sheet.cell(shilin.progress_row("1.1.2"), 4).value = "服務即時性"
    shilin.save(folder / "士林分局_舊版.xlsx")
    set_identity(folder / "士林分局_舊版.xlsx", **{ID_VERSION: "0", ID_DIGEST: "0123456789abcdef"})
    # identity lost (copied into a new workbook): the title says who it is
    filled(output, "北投分局").save(folder / "回報(1).xlsx")
    strip_identity(folder / "回報(1).xlsx")
    # identity and titles lost: only the file name (an alias-free name) says who it is
    neihu = filled(output, "內湖分局")
    neihu.clear_titles()
    neihu.save(folder / "內湖分局.xlsx")
    strip_identity(folder / "內湖分局.xlsx")
    # ambiguous: no identity, no title, a file name naming two units — reported, never guessed
    nangang = filled(output, "南港分局")
    nangang.clear_titles()
    nangang.save(folder / "南港分局與文山第一分局.xlsx")
    strip_identity(folder / "南港分局與文山第一分局.xlsx")
    # last year's form
    filled(output, "文山第二分局").save(folder / "文山第二分局.xlsx")
    set_identity(folder / "文山第二分局.xlsx", **{ID_YEAR: "106"})
    # a unit the master does not know
    filled(output, "少年警察隊").save(folder / "少年隊.xlsx")
    set_identity(folder / "少年隊.xlsx", **{ID_UNIT: "少年警察大隊"})
    # text that a spreadsheet would take for a formula, typed as text
    criminal = filled(output, "刑事警察大隊")
    as_text(criminal.measure("基礎服務", "服務友善", "x", "y"), '=HYPERLINK("http://example.com","點我")')
    as_text(criminal.measure("基礎服務", "服務友善", "x", "y"), "+886 電話預約服務")
    as_text(criminal.measure("服務遞送", "服務便捷", "x", "y"), "-減少等候時間")
    as_text(criminal.measure("服務遞送", "服務便捷", "x", "y"), "@全體同仁")
    criminal.contact(dt.date(2018, 6, 22), phone="+886-2-2381-8000")
    as_text(criminal.guide.cell(6, 2), "=1+1")
    criminal.progress_sheet["H4"].value = '=cmd|"/c calc"!A0'
    criminal.progress_sheet["H4"].data_type = "s"
    # and a count that is not a number, so that its 補正 workbook carries the texts back
    criminal.progress_sheet.cell(4, criminal.column(criminal.progress_sheet, case_count_header(106))).value = "約百件"
    criminal.save(folder / "刑大.xlsx")
    # .xlsm with a macro project: read, never run
    filled(output, "交通警察大隊").save(work / "交大.xlsx")
    with_macros(work / "交大.xlsx", folder / "交大.xlsm")
    # 說明 with a ROC date as text and a note typed beside the inputs
    security = filled(output, "保安警察大隊", date="107/6/22")
    security.guide.cell(5, 3).value = "下週補送照片"
    security.save(folder / "保大.xlsx")
    # sent back unfilled
    Filler(form_of(output, "婦幼警察隊")).save(folder / "婦幼隊.xlsx")
    # sheets renamed; a topic chosen under the wrong dimension; a topic the plan does not have
    metro = filled(output, "捷運警察隊")
    metro.survey.title = "工作表1"
    metro.progress_sheet.title = "辦理情形(修)"
    spare = metro.survey.max_row
    metro.survey.cell(spare, 1).value, metro.survey.cell(spare, 2).value = "服務遞送", "服務友善"
    metro.survey.cell(spare, 3).value, metro.survey.cell(spare, 4).value = "構面選錯的措施", "項目屬於基礎服務"
    spare -= 1
    metro.survey.cell(spare, 1).value, metro.survey.cell(spare, 2).value = "基礎服務", "其他"
    metro.survey.cell(spare, 3).value, metro.survey.cell(spare, 4).value = "自訂項目的措施", "項目不在計畫中"
    metro.save(folder / "捷運隊.xlsx")
    # in a subfolder: the folder is read recursively
    filled(output, "外事科").save(folder / "科室" / "外事科.xlsx")
    # re-saved by LibreOffice, with a formula it calculates
    if HAS_SOFFICE:
        wenshan = filled(output, "文山第一分局")
        wenshan.report("1.1.1", "文山第一分局已辦理（1.1.1）", {106: "=600*2", 107: 1300})
        wenshan.save(work / "文山一分局.xlsx")
        libreoffice_resave(work / "文山一分局.xlsx", work / "lo")
        shutil.move(work / "文山一分局.xlsx", folder / "文山一分局.xlsx")
    # not returns at all
    truncated(folder / "大安分局.xlsx", folder / "損毀.xlsx")
    encrypted_file(folder / "加密.xlsx")
    zip_bomb(folder / "炸彈.xlsx", expanded_mb=120)
    oversized(folder / "過大.xlsx", 25)
    (folder / "舊格式.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2048))
    (folder / "填報說明.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (folder / "Thumbs.db").write_bytes(b"\x00" * 16)


def folder_state(folder: Path) -> dict[str, tuple[str, int]]:
    return {p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def returns(shipped_output: Path, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("returns")
    folder = root / "returns"
    folder.mkdir()
    make_returns(shipped_output, folder, root / "work")
    return folder


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Paths:
    paths = make_project(tmp_path_factory.mktemp("collect") / "project")
    return Paths(paths.source, paths.templates, paths.output.parent / "out")


@pytest.fixture(scope="module")
def collected(project: Paths, returns: Path):
    before = folder_state(returns)
    report = collect(project, returns)
    assert folder_state(returns) == before, "collect must not touch the returns folder"
    return report


@pytest.fixture(scope="module")
def consolidated(collected):
    (path,) = [p for p in collected.written if p.suffix == ".xlsx" and p.parent == collected.folder]  # not the 補正 or 催報 files
    return load_workbook(path)


def table(workbook, sheet: str) -> list[dict]:
    rows = list(workbook[sheet].iter_rows(values_only=True))
    header_index = next(i for i, r in enumerate(rows) if SOURCE_HEADERS[0] in r or "單位類別" in r)
    headers = rows[header_index]
    return [dict(zip(headers, r)) for r in rows[header_index + 1:]]


def by_file(collected) -> dict:
    return {r.file: r for r in collected.collection.returns}


# ---------------------------------------------------------------------------------------------------------------
# Nothing lost


def variants(value) -> set[str]:
    """Ways a value may be written after collect read it: as typed, as text, as a number, as a date."""
    if isinstance(value, dt.datetime):
        return {value.date().isoformat()}
    if isinstance(value, str) and parse_date(value):
        return {value, parse_date(value).isoformat()}
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
    return {text, text.replace(",", "").removesuffix("件")}


def located_values(workbook) -> dict[tuple[str, str, str], list]:
    """(file, sheet, cell) → values of the consolidated rows that name that source."""
    index: dict[tuple[str, str, str], list] = {}
    for sheet in (MEASURES_SHEET, PROGRESS_SUMMARY_SHEET, LEDGER_SHEET, PROBLEMS_SHEET, UNUSED_SHEET):
        for row in table(workbook, sheet):
            sheets = (row["工作表"] or "").split("、")
            for cell in (row["儲存格"] or "").split("、"):
                for sheet_name in sheets:
                    index.setdefault((row["來源檔案"], sheet_name, cell), []).extend(row.values())
    return index


def blank_form_texts(output: Path) -> set[str]:
    texts = set()
    for form in (output / "各單位").glob("*/*.xlsx"):
        workbook = load_workbook(form, read_only=True)
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows(values_only=True):
                texts.update(text_key(v) for v in row if v is not None)
    return texts


def test_every_value_in_every_return_is_in_the_consolidated_workbook_with_its_location(
        returns, collected, consolidated, shipped_output):
    form_texts = blank_form_texts(shipped_output)
    located = located_values(consolidated)
    readable = [p for p in sorted(returns.rglob("*.xls[xm]")) if p.name not in UNREADABLE | SKIPPED]
    checked = 0
    lost = []
    for path in readable:
        file = path.relative_to(returns).as_posix()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            formulas, values = load_workbook(path), load_workbook(path, data_only=True)
        for sheet in formulas.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()):
                        continue
                    typed = {cell.value, values[sheet.title][cell.coordinate].value} - {None}
                    if any(text_key(v) in form_texts for v in typed if isinstance(v, str)):
                        continue  # the form's own text, as build wrote it
                    checked += 1
                    found = [str(v) for v in located.get((file, sheet.title, cell.coordinate), []) if v is not None]
                    found_variants = {x for v in found for x in variants(v)}
                    if not any(t in f for v in typed for t in variants(v) for f in found_variants):
                        lost.append(f"{file} {sheet.title}!{cell.coordinate} = {cell.value!r}")
    assert checked > 900
    assert lost == [], "\n".join(lost)


def test_no_formula_reaches_the_consolidated_workbook(collected, consolidated):
    (path,) = [p for p in collected.written if p.suffix == ".xlsx" and p.parent == collected.folder]  # not the 補正 or 催報 files
    with zipfile.ZipFile(path) as archive:
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
    assert sheets and not any(b"<f>" in xml or b"<f " in xml for xml in sheets)
    measures = [r["措施名稱"] for r in table(consolidated, MEASURES_SHEET) if r["單位"] == "刑事警察大隊"]
    assert {'=HYPERLINK("http://example.com","點我")', "+886 電話預約服務", "-減少等候時間", "@全體同仁"} <= set(measures)
    ledger = {r["來源檔案"]: r for r in table(consolidated, LEDGER_SHEET)}
    assert ledger["刑大.xlsx"]["填報人"] == "=1+1"
    assert ledger["刑大.xlsx"]["聯絡電話"] == "+886-2-2381-8000"
    progress = {(r["編號"], r["單位"]): r for r in table(consolidated, PROGRESS_SUMMARY_SHEET)}
    assert progress["1.1.1", "刑事警察大隊"]["辦理情形"] == '=cmd|"/c calc"!A0'


def test_no_cell_of_any_workbook_collect_writes_is_a_formula(collected):
    workbooks = [p for p in collected.written if p.suffix == ".xlsx"]
    assert any("補正" in p.parts for p in workbooks)
    texts = set()
    for path in workbooks:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(path)
        for sheet in workbook.worksheets:
            cells = [c for row in sheet.iter_rows() for c in row]
            assert not [c.coordinate for c in cells if c.data_type == "f"], (path.name, sheet.title)
            texts |= {c.value for c in cells if isinstance(c.value, str)}
    # the unit's own text, written back into its 補正 workbook as it typed it
    (correction,) = [p for p in workbooks if p.parent.name == "刑事警察大隊"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        written = load_workbook(correction)
    values = {c.value: c.data_type for sheet in written.worksheets for row in sheet.iter_rows() for c in row}
    assert values['=HYPERLINK("http://example.com","點我")'] == "s" and values["=1+1"] == "s"


# ---------------------------------------------------------------------------------------------------------------
# The ledger


def test_ledger_lists_every_receiving_unit_and_every_file(returns, collected, consolidated):
    ledger = table(consolidated, LEDGER_SHEET)
    statuses = {(r["單位"], r["來源檔案"]): r["狀態"] for r in ledger}
    returned = {u for (u, _), s in statuses.items() if s == Status.RETURNED.value}
    expected_returned = {"中正第一分局", "中正第二分局", "大同分局", "萬華分局", "中山分局", "大安分局", "信義分局",
                         "松山分局", "士林分局", "北投分局", "內湖分局", "刑事警察大隊", "交通警察大隊", "保安警察大隊",
                         "婦幼警察隊", "捷運警察隊", "外事科"} | ({"文山第一分局"} if HAS_SOFFICE else set())
    assert returned == expected_returned
    missing = {u for (u, _), s in statuses.items() if s == Status.MISSING.value}
    assert missing == {u.name for u in PLAN.receiving_units()} - expected_returned
    assert statuses["中正第二分局", "中正第二分局_第1次.xlsx"] == Status.SUPERSEDED.value
    assert statuses["中正第二分局", "中正第二分局_第2次.xlsx"] == Status.RETURNED.value
    assert statuses["大同分局", "大同分局_a.xlsx"] == Status.SUPERSEDED.value
    assert statuses["大同分局", "大同分局_b.xlsx"] == Status.RETURNED.value
    assert statuses["文山第二分局", "文山第二分局.xlsx"] == Status.REJECTED.value
    assert statuses[None, "少年隊.xlsx"] == Status.REJECTED.value
    assert statuses[None, "南港分局與文山第一分局.xlsx"] == Status.UNIDENTIFIED.value
    assert {f for (u, f), s in statuses.items() if s == Status.UNREADABLE.value} == UNREADABLE
    assert {f for (u, f), s in statuses.items() if s == Status.SKIPPED.value} == SKIPPED
    assert statuses["中正第一分局", "中正第一分局_附表2調查表.docx"] == Status.SUPERSEDED.value
    assert statuses[None, "填報說明.pdf"] == Status.UNUSABLE_FORMAT.value
    assert {f for (_, f) in statuses if f} == {p.relative_to(returns).as_posix() for p in returns.rglob("*") if p.is_file()}
    assert all(r["說明"] for r in ledger if r["狀態"] not in (Status.RETURNED.value, Status.MISSING.value))


def test_the_newer_return_is_used_and_the_older_listed_as_superseded_with_its_content(consolidated):
    measures = {r["措施名稱"]: r for r in table(consolidated, MEASURES_SHEET)}
    assert measures["新版措施"]["來源檔案"] == "中正第二分局_第2次.xlsx"
    assert "舊版措施" not in measures
    assert measures["較晚儲存的措施"]["來源檔案"] == "大同分局_b.xlsx"
    unused = [r for r in table(consolidated, UNUSED_SHEET) if r["內容"] == "舊版措施"]
    assert [(r["來源檔案"], r["狀態"], r["工作表"]) for r in unused] == [
        ("中正第二分局_第1次.xlsx", Status.SUPERSEDED.value, SURVEY_SHEET)]
    ledger = {r["來源檔案"]: r for r in table(consolidated, LEDGER_SHEET)}
    assert "中正第二分局_第2次.xlsx" in ledger["中正第二分局_第1次.xlsx"]["說明"]
    assert ledger["中正第二分局_第2次.xlsx"]["日期依據"] == "填報日期"
    assert ledger["大同分局_b.xlsx"]["日期依據"] == "活頁簿儲存時間"


def test_unreadable_and_stray_files_are_reported_with_the_reason(collected):
    reasons = {r.file: r.reason for r in collected.collection.returns}
    assert "密碼" in reasons["加密.xlsx"]
    assert "展開後過大" in reasons["炸彈.xlsx"]
    assert "檔案過大" in reasons["過大.xlsx"]
    assert "損毀" in reasons["損毀.xlsx"]
    assert ".xls" in reasons["舊格式.xls"] and "另存為 .xlsx" in reasons["舊格式.xls"]
    assert "鎖定檔" in reasons["~$中正一分局_回報.xlsx"]
    assert "沒有填寫任何內容" in reasons["中正第一分局_附表2調查表.docx"]
    assert "PDF 檔無法逐格讀取" in reasons["填報說明.pdf"] and "檔名也無法判定" in reasons["填報說明.pdf"]


# ---------------------------------------------------------------------------------------------------------------
# Recognising the unit


def test_the_unit_is_recognised_from_the_identity_then_the_title_then_the_file_name(collected):
    returns = by_file(collected)
    assert returns["中正一分局_回報.xlsx"].recognition is Recognition.IDENTITY_SHEET
    assert returns["回報(1).xlsx"].unit.name == "北投分局"
    assert returns["回報(1).xlsx"].recognition is Recognition.TITLE
    assert returns["內湖分局.xlsx"].unit.name == "內湖分局"
    assert returns["內湖分局.xlsx"].recognition is Recognition.FILE_NAME
    said = [f.problem.message for f in returns["內湖分局.xlsx"].findings]
    assert any("依檔名判定為「內湖分局」" in m for m in said)
    ambiguous = returns["南港分局與文山第一分局.xlsx"]
    assert ambiguous.unit is None and "南港分局" in ambiguous.reason and "文山第一分局" in ambiguous.reason


def test_an_old_form_version_is_merged_by_code_and_name_with_a_warning(collected):
    old = by_file(collected)["士林分局_舊版.xlsx"]
    assert old.used
    assert any("表單版本為第 0 版" in f.problem.message for f in old.findings)
    modified = [f for f in old.findings if f.content == "服務即時性"]
    assert modified and modified[0].location.cell().startswith("D")


# ---------------------------------------------------------------------------------------------------------------
# Cells


def problems_at(collected, file: str) -> dict[str, list]:
    found: dict[str, list] = {}
    for finding in collected.problems:
        if finding.location.file == file:
            found.setdefault(f"{finding.location.sheet}!{finding.location.cell()}", []).append(finding)
    return found


def test_numbers_typed_as_text_and_in_full_width_digits_are_read_and_non_numbers_reported(collected):
    daan = by_file(collected)["大安分局.xlsx"]
    assert daan.progress["1.1.1"].counts == {106: 1234, 107: 56}
    assert daan.progress["1.1.2"].counts == {}
    problems = problems_at(collected, "大安分局.xlsx")
    row = daan.progress["1.1.2"].row
    assert "不是件數" in problems[f"{PROGRESS_SHEET}!I{row}"][0].problem.message
    assert problems[f"{PROGRESS_SHEET}!I{row}"][0].content == "約100"
    assert problems[f"{PROGRESS_SHEET}!J{row}"][0].content == -3


def test_formulas_use_their_cached_result_and_are_reported(collected):
    xinyi = by_file(collected)["信義分局.xlsx"]
    problems = problems_at(collected, "信義分局.xlsx")
    assert "公式措施" in [m.name for m in xinyi.measures]
    assert "已採用其計算結果" in problems[f"{SURVEY_SHEET}!C{HEADER_ROW + 2}"][0].problem.message
    assert "沒有計算結果" in problems[f"{SURVEY_SHEET}!C{HEADER_ROW + 3}"][0].problem.message
    assert xinyi.progress["1.1.1"].counts == {106: 1200}
    assert "#DIV/0!" in problems[f"{PROGRESS_SHEET}!J4"][0].problem.message


@pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice is not installed")
def test_a_workbook_resaved_by_libreoffice_is_read_with_its_identity_and_results(collected):
    wenshan = by_file(collected)["文山一分局.xlsx"]
    assert wenshan.used and wenshan.unit.name == "文山第一分局"
    assert wenshan.progress["1.1.1"].counts == {106: 1200, 107: 1300}
    assert len(wenshan.measures) == sum(len(d.survey_topics) for d in PLAN.dimensions)


def test_rows_added_deleted_and_merged_are_read_by_content(collected):
    returns = by_file(collected)
    wanhua = returns["萬華分局.xlsx"]
    assert "插入列的措施" in [m.name for m in wanhua.measures]
    assert "續上列：另於各派出所張貼流程" in wanhua.progress["1.1.2"].text
    assert any("1.2.2" in f.problem.message and "可能被刪除" in f.problem.message for f in wanhua.findings)
    zhongshan = returns["中山分局.xlsx"]
    merged = next(m for m in zhongshan.measures if m.name == "合併儲存格的措施")
    assert (merged.dimension, merged.content) == ("基礎服務", "內容跨兩列")
    problems = problems_at(collected, "中山分局.xlsx")
    assert problems[f"{SURVEY_SHEET}!E{HEADER_ROW + 1}"][0].content == "備註：本項另案辦理"
    assert not [f for f in zhongshan.findings if "措施" in f.problem.message]  # merged rows are whole measures
    metro = returns["捷運隊.xlsx"]
    wrong = next(m for m in metro.measures if m.name == "構面選錯的措施")
    assert (wrong.dimension, wrong.topic) == ("基礎服務", "服務友善")
    assert "自訂項目的措施" not in [m.name for m in metro.measures]
    assert metro.progress  # the renamed 辦理情形 sheet is found by its headings


def test_a_copied_survey_sheet_is_read_and_an_extra_sheet_reported(collected):
    songshan = by_file(collected)["松山分局.xlsx"]
    copied = next(m for m in songshan.measures if m.name == "複製工作表的措施")
    assert copied.entries[0].sheet == "調查表 (2)"
    problems = problems_at(collected, "松山分局.xlsx")
    assert problems["備註!A1"][0].content == "本分局補充說明"


def test_a_workbook_with_macros_is_read_and_its_macros_never_run(collected):
    macros = by_file(collected)["交大.xlsm"]
    assert macros.used and macros.progress
    assert any("巨集" in f.problem.message and "不會執行" in f.problem.message for f in macros.findings)


def test_the_guide_sheet_gives_the_date_reporter_and_phone(collected):
    security = by_file(collected)["保大.xlsx"]
    assert security.contact.date == dt.date(2018, 6, 22)
    assert problems_at(collected, "保大.xlsx")[f"{GUIDE_SHEET}!C5"][0].content == "下週補送照片"


def test_an_unfilled_return_is_used_and_every_missing_entry_reported_at_its_cell(collected):
    empty = by_file(collected)["婦幼隊.xlsx"]
    assert empty.used and not empty.measures
    missing = [f for f in empty.findings if "未填辦理情形" in f.problem.message]
    assert len(missing) == len(empty.progress) > 0
    assert all(f.location.column == "H" for f in missing)


# ---------------------------------------------------------------------------------------------------------------
# Outputs


def test_the_matrix_counts_measures_per_unit_and_topic_and_the_status_has_a_chart(collected, consolidated):
    from plandocs.returns.write_workbook import MATRIX_SHEET

    rows = list(consolidated[MATRIX_SHEET].iter_rows(values_only=True))
    topics = [topic or heading for topic, heading in zip(rows[1], rows[0])]  # 合計 spans both heading rows
    counts = {r[0]: dict(zip(topics[1:], r[1:])) for r in rows[2:]}
    assert counts["中正第一分局"]["服務友善"] == 1
    assert counts["中正第二分局"]["服務友善"] == 2  # its own measure and the one added in the newer return
    # not a 0: nothing came in to count; one 未回報 merged over the row
    assert list(counts["南港分局"].values()) == ["未回報"] + [None] * (len(topics) - 2)
    merged = {str(r) for r in consolidated[MATRIX_SHEET].merged_cells.ranges}
    row = next(r for r in range(3, len(rows) + 1) if rows[r - 1][0] == "南港分局")
    assert f"B{row}:{get_column_letter(len(topics))}{row}" in merged
    (path,) = [p for p in collected.written if p.suffix == ".xlsx" and p.parent == collected.folder]  # not the 補正 or 催報 files
    with zipfile.ZipFile(path) as archive:
        assert any(n.startswith("xl/charts/chart") for n in archive.namelist())
        assert b"colorScale" in b"".join(archive.read(n) for n in archive.namelist() if "worksheets/sheet" in n)


def test_the_report_lists_measures_by_topic_progress_by_key_point_and_missing_units(collected):
    from docx import Document

    (path,) = [p for p in collected.written if p.suffix == ".docx" and p.parent == collected.folder]  # not the 補正 or 催報 files
    document = Document(path)
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    text = "\n".join(p.text for p in document.paragraphs)
    assert "中正第一分局服務友善措施1：中正第一分局就「服務友善」辦理第1項作法。" in cells
    proposed = "\n".join(cells)
    assert "插入列的措施：在兩列之間插入一列填寫" in proposed
    assert '=HYPERLINK("http://example.com","點我")：y\n+886 電話預約服務：y' in proposed  # one unit, one cell
    assert "申辦業務標準作業流程訂定情形" in cells  # a row of the 辦理情形彙整表, not a 「1.1.1」 heading
    assert "大安分局：大安分局已辦理（1.1.1）\n106年件數：1,234；107年件數：56" in proposed
    assert "南港分局" in text.split("尚未回報（")[1].split("\n")[0]
    assert "已回報但未填：" in proposed and "婦幼警察隊" in proposed  # returned, but left its key points empty


def test_collecting_the_same_folder_twice_gives_identical_files(project: Paths, returns: Path, collected, tmp_path):
    again = collect(Paths(project.source, project.templates, tmp_path / "again"), returns)
    first = {p.name: p.read_bytes() for p in collected.written}
    second = {p.name: p.read_bytes() for p in again.written}
    assert first == second


# ---------------------------------------------------------------------------------------------------------------
# The command


def test_the_command_prints_the_summary_and_exits_0(project: Paths, returns: Path, tmp_path):
    result = CliRunner().invoke(main, ["collect", str(returns), "--source", str(project.source),
                                       "--templates", str(project.templates), "--output", str(tmp_path)])
    assert result.exit_code == 0, result.output
    expected = len(PLAN.receiving_units())
    assert re.search(rf"已收到 \d+ / {expected} 個單位的回報", result.output)
    assert (tmp_path / COLLECT_FOLDER / "107年回報彙整.xlsx").is_file()


def test_strict_makes_problems_fatal_and_writes_nothing(project: Paths, returns: Path, tmp_path):
    result = CliRunner().invoke(main, ["collect", str(returns), "--strict", "--source", str(project.source),
                                       "--templates", str(project.templates), "--output", str(tmp_path)])
    assert result.exit_code == 1
    assert "未產生任何檔案" in result.output
    assert not any(tmp_path.iterdir())


def test_a_missing_returns_folder_is_a_clear_error(project: Paths, tmp_path):
    result = CliRunner().invoke(main, ["collect", str(tmp_path / "沒有這個資料夾"), "--source", str(project.source),
                                       "--templates", str(project.templates), "--output", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "找不到回報資料夾" in result.output and "Traceback" not in result.output


def test_an_empty_folder_lists_every_unit_as_missing(project: Paths, tmp_path):
    (tmp_path / "returns").mkdir()
    report = collect(Paths(project.source, project.templates, tmp_path / "out"), tmp_path / "returns")
    assert [s.primary for s in report.collection.states()] == [State.MISSING] * len(PLAN.receiving_units())
    workbook = load_workbook(report.folder / "107年回報彙整.xlsx")
    assert {r["狀態"] for r in table(workbook, LEDGER_SHEET)} == {Status.MISSING.value}


def test_the_output_folder_may_not_be_inside_the_returns_folder(project: Paths, tmp_path):
    (tmp_path / "returns").mkdir()
    result = CliRunner().invoke(main, ["collect", str(tmp_path / "returns"), "--source", str(project.source),
                                       "--templates", str(project.templates), "--output", str(tmp_path / "returns")])
    assert result.exit_code == 1 and "不可位於回報資料夾內" in result.output


def test_the_progress_bar_shows_for_many_files(project: Paths, shipped_output: Path, tmp_path):
    folder = tmp_path / "returns"
    for unit in PLAN.receiving_units()[:25]:
        (folder / unit.name).mkdir(parents=True)
        shutil.copy(form_of(shipped_output, unit.name), folder / unit.name)
    result = CliRunner().invoke(main, ["collect", str(folder), "--source", str(project.source),
                                       "--templates", str(project.templates), "--output", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert "讀取回報" in result.output
    assert "已收到 25 / " in result.output


def test_helpers_build_files_as_described(returns):
    # the fixture's damaged files really are what their names say (guards the factory itself)
    assert (returns / "加密.xlsx").read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    assert sum(i.file_size for i in zipfile.ZipFile(returns / "炸彈.xlsx").infolist()) > 100 * 1024 * 1024
    assert os.path.getsize(returns / "過大.xlsx") > 20 * 1024 * 1024
    assert "xl/vbaProject.bin" in zipfile.ZipFile(returns / "交大.xlsm").namelist()


# ---------------------------------------------------------------------------------------------------------------
# Reading untrusted workbooks


def minimal_workbook(sheet_xml: str, shared_strings: str | None = None, date1904: bool = False) -> bytes:
    """A workbook of the bare parts Excel needs, with the given sheet XML (the inside of <sheetData>…)."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "_rels/.rels": f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                       f'<Relationship Id="r1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{rel}"><workbookPr date1904="{int(date1904)}"/>'
                           f'<sheets><sheet name="工作表" sheetId="1" r:id="r1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels":
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="r1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="r2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="r3" Type="{rel}/styles" Target="styles.xml"/></Relationships>',
        "xl/styles.xml": f'<styleSheet xmlns="{main}"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/>'
                         f'</cellXfs></styleSheet>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><sheetData>{sheet_xml}</sheetData></worksheet>',
    }
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_cells_of_every_kind_are_read_as_the_file_stores_them():
    from plandocs.office.xlsx_reader import read_workbook_bytes

    strings = ('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               '<si><t>共用</t></si><si><r><t>漢</t></r><r><t>字</t></r><rPh><t>かんじ</t></rPh></si></sst>')
    sheet = ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
             '<c r="C1" t="inlineStr"><is><t>行內</t></is></c><c r="D1" s="1"><v>43280</v></c></row>'
             '<row r="2"><c t="b"><v>1</v></c><c><v>12.5</v></c><c t="e"><f>1/0</f><v>#DIV/0!</v></c>'
             '<c t="str"><f t="shared" si="0"/><v>結果</v></c><c><v>NaN</v></c></row>')
    workbook = read_workbook_bytes(minimal_workbook(sheet, strings), "x.xlsx")
    cells = workbook.sheets[0].cells
    assert [cells[1, c].value for c in (1, 2, 3)] == ["共用", "漢字", "行內"]
    assert cells[1, 4].value == dt.datetime(2018, 6, 29)
    assert [cells[2, c].value for c in (1, 2)] == [True, 12.5]
    assert (cells[2, 3].error, cells[2, 3].formula) == ("#DIV/0!", "1/0")
    assert (cells[2, 4].value, cells[2, 4].formula) == ("結果", "")
    assert cells[2, 5].value == "NaN"
    dates = ('<row r="1"><c r="A1" s="1"><v>1</v></c><c r="B1" s="1"><v>0.5</v></c></row>')
    cells = read_workbook_bytes(minimal_workbook(dates, date1904=True), "y.xlsx").sheets[0].cells
    assert (cells[1, 1].value, cells[1, 2].value) == (dt.datetime(1904, 1, 2), 0.5)


@pytest.mark.parametrize("hostile", [
    '<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&b;</t></si></sst>',
    '<!DOCTYPE sst [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&x;</t></si></sst>',
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>未結束',
])
def test_hostile_or_broken_xml_is_refused_not_expanded(hostile: str):
    from plandocs.office.xlsx_reader import UnreadableWorkbook, read_workbook_bytes

    with pytest.raises(UnreadableWorkbook) as raised:
        read_workbook_bytes(minimal_workbook('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', hostile), "惡意.xlsx")
    assert raised.value.location.file == "惡意.xlsx" and "無法讀取" in raised.value.message


def test_a_sheet_with_too_many_cells_is_refused(monkeypatch):
    import plandocs.office.xlsx_reader as reader

    monkeypatch.setattr(reader, "MAX_CELLS", 10)
    row = "".join(f'<c r="A{n}"><v>{n}</v></c>' for n in range(1, 12))
    with pytest.raises(reader.UnreadableWorkbook, match="儲存格超過"):
        reader.read_workbook_bytes(minimal_workbook(f'<row r="1">{row}</row>'), "大.xlsx")


def test_damaged_copies_of_a_form_are_listed_never_raised(shipped_output: Path, tmp_path: Path):
    """Flip bytes all over a real form: every copy is read or reported, none stops collect."""
    import random

    from plandocs.returns.read import read_return
    from plandocs.returns.reference import Reference

    reference = Reference(PLAN)
    original = form_of(shipped_output, "外事科").read_bytes()
    generator = random.Random(4)
    for number in range(60):
        damaged = bytearray(original)
        for _ in range(generator.randint(1, 8)):
            damaged[generator.randrange(len(damaged))] = generator.randrange(256)
        path = tmp_path / f"{number}.xlsx"
        path.write_bytes(bytes(damaged))
        ret = read_return(reference, tmp_path, path)
        assert ret.used or ret.reason
