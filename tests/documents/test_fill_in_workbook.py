"""Each unit's fill-in workbook, opened as its Excel would: layout, drop-downs, protection, identity, task list."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from helpers.project import REFERENCE_TOPICS
from plandocs.documents.fill_in_form import (
    GUIDE_INPUT_ROWS, GUIDE_SHEET, HEADER_ROW, IDENTITY_SHEET, LISTS_SHEET, PROGRESS_HEADERS, PROGRESS_SHEET,
    PROPERTY_PREFIX, REPORT_DATE, SURVEY_HEADERS, SURVEY_ROWS_PER_TOPIC, SURVEY_SHEET, SURVEY_SPARE_ROWS, identity,
    layout_digest, progress_headers, progress_rows,
)
from plandocs.master.model import Plan
from plandocs.documents.fill_in_workbook import FILL_IN_WORKBOOK_KIND, INPUT_FILL, fill_in_workbook, practice_reference
from plandocs.office.xlsx_layout import MAX_ROW_HEIGHT, text_lines, write_text

FIRST_ROW = HEADER_ROW + 1
FILL = INPUT_FILL.lstrip("#").upper()


@pytest.fixture(scope="module")
def plan(shipped_build) -> Plan:
    return shipped_build.plan


def workbook_path(output: Path, unit: str) -> Path:
    return output / "各單位" / unit / f"{unit}_{FILL_IN_WORKBOOK_KIND}.xlsx"


@pytest.fixture(scope="module")
def open_workbook(shipped_output: Path):
    cache = {}

    def open_(unit: str):
        if unit not in cache:
            cache[unit] = load_workbook(workbook_path(shipped_output, unit))
        return cache[unit]

    return open_


def rows_below_heading(sheet) -> list[tuple]:
    return list(sheet.iter_rows(min_row=FIRST_ROW, values_only=True))


def test_survey_sheet_is_the_printed_form_with_input_rows_per_item(open_workbook):
    sheet = open_workbook("中正第一分局")[SURVEY_SHEET]
    assert sheet["A1"].value == "臺北市政府警察局中正第一分局107年提升服務品質組織診斷具體作法措施調查表"
    assert "本表若不敷使用請自行擴充" in sheet["A2"].value
    assert [c.value for c in sheet[HEADER_ROW]] == list(SURVEY_HEADERS)
    rows = rows_below_heading(sheet)
    expected = [pair for pair in REFERENCE_TOPICS for _ in range(SURVEY_ROWS_PER_TOPIC)]
    assert [(a, b) for a, b, _, _ in rows] == expected + [(None, None)] * SURVEY_SPARE_ROWS
    assert all(c is None and d is None for _, _, c, d in rows)
    assert {str(r) for r in sheet.merged_cells.ranges} == {"A1:D1", "A2:D2"}  # nothing merged where units type


def test_survey_drop_downs_offer_the_dimensions_and_items_over_every_input_row(open_workbook, plan):
    workbook = open_workbook("中正第一分局")
    sheet = workbook[SURVEY_SHEET]
    last = sheet.max_row
    validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert set(validations) == {f"A{FIRST_ROW}:A{last}", f"B{FIRST_ROW}:B{last}"}
    lists = workbook[LISTS_SHEET]
    for column, choices in (("A", [d.name for d in plan.dimensions]), ("B", [t for _, t in REFERENCE_TOPICS])):
        validation = validations[f"{column}{FIRST_ROW}:{column}{last}"]
        assert validation.type == "list" and validation.showErrorMessage
        match = re.fullmatch(rf"'?{LISTS_SHEET}'?!\$({column})\$2:\$\1\$(\d+)", validation.formula1)
        assert match, validation.formula1
        offered = [lists[f"{column}{row}"].value for row in range(2, int(match.group(2)) + 1)]
        assert offered == choices
    assert lists.sheet_state == "hidden"


def test_sheets_are_protected_and_only_input_cells_are_open(open_workbook):
    workbook = open_workbook("中正第一分局")
    for sheet in workbook.worksheets:
        assert sheet.protection.sheet, sheet.title
        assert not sheet.protection.password, sheet.title  # no password: documented in 說明
    survey = workbook[SURVEY_SHEET]
    # units may resize and add rows in the input area; openpyxl's False means "not forbidden"
    for allowed in ("insertRows", "deleteRows", "formatRows", "formatColumns"):
        assert getattr(survey.protection, allowed) is False, allowed
    for cell in ("A1", "A2", "A3", "D3"):
        assert survey[cell].protection.locked, cell
    for row in survey.iter_rows(min_row=FIRST_ROW, max_row=survey.max_row):
        for cell in row:
            assert not cell.protection.locked and cell.fill.fgColor.rgb.endswith(FILL), cell.coordinate
    guide = workbook[GUIDE_SHEET]
    for label, row in GUIDE_INPUT_ROWS.items():
        assert guide[f"A{row}"].value == label and guide[f"A{row}"].protection.locked
        assert not guide[f"B{row}"].protection.locked and guide[f"B{row}"].fill.fgColor.rgb.endswith(FILL)
    progress = workbook[PROGRESS_SHEET]
    input_column = PROGRESS_HEADERS.index("辦理情形") + 1
    for row in progress.iter_rows(min_row=FIRST_ROW):
        assert [not c.protection.locked for c in row[:input_column]] == [False] * (input_column - 1) + [True]


def test_identity_is_in_a_very_hidden_sheet_and_in_custom_properties(open_workbook, plan):
    workbook = open_workbook("外事科")
    expected = identity(plan, next(u for u in plan.units if u.name == "外事科"))
    assert expected["單位"] == "外事科" and expected["版面摘要"] == layout_digest(plan)
    sheet = workbook[IDENTITY_SHEET]
    assert sheet.sheet_state == "veryHidden" and sheet.protection.sheet
    assert dict(sheet.iter_rows(values_only=True)) == expected
    properties = {p.name: p.value for p in workbook.custom_doc_props.props}
    assert properties == {PROPERTY_PREFIX + key: value for key, value in expected.items()}


def codes_addressed_to(plan: Plan, names: set[str]) -> list[str]:
    """Codes of the key points whose 承辦單位 cells name one of `names`, read from the plan's written refs."""
    codes = []
    for d, dimension in enumerate(plan.dimensions, 1):
        for i, item in enumerate(dimension.items, 1):
            for k, key_point in enumerate(item.key_points, 1):
                if names & {ref.written for ref in key_point.responsible}:
                    codes.append(f"{d}.{i}.{k}")
    return codes


def progress_codes(workbook) -> list[str]:
    return [row[0] for row in rows_below_heading(workbook[PROGRESS_SHEET])]


def test_a_precinct_reports_on_what_is_addressed_to_all_precincts(open_workbook, plan):
    codes = progress_codes(open_workbook("中正第一分局"))
    assert codes == codes_addressed_to(plan, {"各分局、大隊、隊", "各分局"})
    assert len(codes) == 22 and "1.2.5" in codes  # 1.2.5 is addressed to 各分局 with 交通大隊
    assert "1.1.4" not in codes  # 交通大隊 alone


def test_foreign_affairs_reports_on_what_names_it_and_what_all_business_units_do(open_workbook, plan):
    codes = progress_codes(open_workbook("外事科"))
    assert codes == codes_addressed_to(plan, {"外事科", "各業務單位"})
    assert codes == ["1.1.1", "1.1.2", "1.1.3", "1.2.1", "1.2.4", "2.1.2", "2.2.1", "3.1.1", "4.1.1"]


def test_every_unit_reports_on_its_key_points_in_plan_order(open_workbook, plan):
    for unit in plan.receiving_units():
        expected = [kp.name for d in plan.dimensions for kp in d.key_points if unit in kp.units]
        rows = rows_below_heading(open_workbook(unit.name)[PROGRESS_SHEET])
        assert [row[PROGRESS_HEADERS.index("評核重點")] for row in rows] == expected, unit.name
        assert open_workbook(unit.name)[PROGRESS_SHEET]["A1"].value.startswith(f"臺北市政府警察局{unit.name}107年度")


def test_progress_rows_carry_reference_text_due_date_and_case_counts_where_asked(open_workbook, plan):
    sheet = open_workbook("中正第一分局")[PROGRESS_SHEET]
    headings = PROGRESS_HEADERS + ("106年件數", "107年件數")
    assert tuple(c.value for c in sheet[HEADER_ROW]) == progress_headers(plan) == headings
    first = {h: c for h, c in zip(progress_headers(plan), sheet[FIRST_ROW])}
    assert first["評核重點"].value == "申辦業務標準作業流程訂定情形"
    assert first["具體作法（參考）"].value.startswith("一、本局現有提供民眾申辦之各項業務公布於「臺北市民e點通」網站")
    assert "1.集會遊行申請。 2.人民申請自衛槍枝執照。" in first["具體作法（參考）"].value
    assert first["完成期限"].value == "持續檢討辦理，並請於6月29日前提供106、107年申辦件數及辦理情形"
    assert first["期限日期"].value == "107年6月29日"
    for header in ("106年件數", "107年件數"):
        assert not first[header].protection.locked
        validation = next(v for v in sheet.data_validations.dataValidation if first[header].coordinate in v.sqref)
        assert validation.type == "whole" and validation.operator == "greaterThanOrEqual"
    second = dict(zip(progress_headers(plan), sheet[FIRST_ROW + 1]))
    assert second["評核重點"].value == "服務及時性"
    assert second["106年件數"].protection.locked and second["107年件數"].protection.locked
    heights = [sheet.row_dimensions[r].height for r in range(FIRST_ROW, sheet.max_row + 1)]
    assert all(0 < h <= MAX_ROW_HEIGHT for h in heights)
    assert heights[0] > heights[1]  # the row grows with the reference text


def test_guide_says_what_to_fill_when_and_where_to_send(open_workbook):
    sheet = open_workbook("中正第一分局")[GUIDE_SHEET]
    labels = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]}
    assert labels["填報單位"] == "中正第一分局"
    assert labels["填報期限"] == "107年6月29日前"
    assert labels["寄送單位"].startswith("秘書室")
    text = "\n".join(str(row[1]) for row in sheet.iter_rows(values_only=True) if row[1])
    assert "未設密碼" in text and "按右鍵「插入」" in text and "106、107年申辦件數" in text
    date_cell = f"B{GUIDE_INPUT_ROWS[REPORT_DATE]}"
    validation = next(v for v in sheet.data_validations.dataValidation if date_cell in v.sqref)
    # a text cell asking for an ROC date: a typed 107/6/29 stays as typed instead of becoming the year 107 AD
    assert sheet[date_cell].number_format == "@" and validation.prompt == "請填寫寄出日期（民國年），例：107/6/29。同一單位寄送兩次時，以日期較晚者為準。"


def test_no_cell_holds_a_formula(open_workbook, plan):
    for unit in ("中正第一分局", "外事科"):
        for sheet in open_workbook(unit).worksheets:
            assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"], sheet.title


def test_workbook_properties_are_fixed_for_reproducible_files(open_workbook):
    properties = open_workbook("外事科").properties
    assert properties.created == properties.modified
    assert properties.created.date().isoformat() == "2018-04-02"  # the issue date, not the build's
    assert properties.title == "臺北市政府警察局外事科107年提升服務品質組織診斷具體作法措施調查表"


def test_progress_rows_agree_with_the_model_for_every_unit(plan):
    for unit in plan.units:
        assert [r.key_point for r in progress_rows(plan, unit)] == [kp for d in plan.dimensions for kp in d.key_points if unit in kp.units]


def test_deep_practice_levels_run_on_in_their_line(plan):
    key_point = plan.dimensions[0].items[0].key_points[0]
    lines = practice_reference(key_point).split("\n")
    assert lines[0].startswith("一、本局現有") and lines[1].startswith("　(一)本局提供民眾申辦業務26項")
    assert "1.集會遊行申請。" in lines[1] and lines[1].endswith("28.交通大隊受理之違規申訴案件。")
    assert lines[2].startswith("　(二)") and lines[3].startswith("二、")


def test_text_lines_count_chinese_characters_double():
    assert text_lines("一" * 10, width=21) == 1
    assert text_lines("一" * 11, width=21) == 2
    assert text_lines("abc\n\nd", width=21) == 3


def test_text_shaped_like_rich_text_xml_is_written_as_plain_text():
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet()
    write_text(sheet, 0, 0, "<r>不是格式</r>")
    write_text(sheet, 1, 0, "=1+1")
    workbook.close()
    read = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert read["A1"].value == "<r>不是格式</r>"
    assert read["A2"].value == "=1+1" and read["A2"].data_type == "s"


def test_a_workbook_can_be_made_for_one_unit_directly(plan):
    unit = next(u for u in plan.units if u.name == "會計室")
    workbook = load_workbook(io.BytesIO(fill_in_workbook(plan, unit)))
    assert [s.title for s in workbook.worksheets] == [GUIDE_SHEET, SURVEY_SHEET, PROGRESS_SHEET, LISTS_SHEET,
                                                      IDENTITY_SHEET]
    assert workbook.active.title == GUIDE_SHEET
    assert progress_codes(workbook) == ["1.1.1"]  # 會計室 answers only through 各業務單位


def test_a_written_title_names_the_plan_in_the_units_workbook_as_written(project, edit_master):
    from plandocs.commands.build import build

    written = "臺北市政府警察局107年提升服務品質執行計畫"

    def add_title(workbook) -> None:
        facts = workbook["計畫資料"]
        facts.append(["計畫標題", written])

    edit_master(add_title)
    build(project)
    workbook = load_workbook(workbook_path(project.output, "中山分局"))
    texts = [str(cell) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)
             for cell in row if isinstance(cell, str)]
    assert "臺北市政府警察局中山分局107年提升服務品質執行計畫辦理情形" in texts
    assert any("本單位107年提升服務品質執行計畫之措施" in text for text in texts)
    assert not any("107年度" in text for text in texts if "提升服務品質執行計畫" in text)
