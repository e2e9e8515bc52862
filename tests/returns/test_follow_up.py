"""After collect: each unit's states, the 補正 workbooks, the 催報 notice and drafts, and a report one can forward."""
from __future__ import annotations

import datetime as dt
import email
import io
import re
import shutil
import subprocess
import warnings
from email import policy
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook

from helpers.project import make_project
from helpers.returns_factory import Filler
from helpers.project import REFERENCE_TOPICS
from helpers.scenario import (
    BLANK_CODE, COMPLETE, INCOMPLETE, LATE, SENDER, SOME_TOPICS, SOME_TOPICS_COUNT, UNDATED, WORD, WRONG, make_returns,
)
from plandocs.cli import main
from plandocs.commands.check import TEMPLATE_CONTEXTS, check_all
from plandocs.commands.collect import collect
from plandocs.documents.fill_in_form import IDENTITY_SHEET, PROGRESS_SHEET, SURVEY_SHEET
from plandocs.paths import Paths
from plandocs.returns.corrections import CORRECTION_SHEET, MARK_COLOUR, correction_workbook
from plandocs.returns.records import State, Status
from plandocs.returns.write_report import LISTED_ABOVE
from plandocs.returns.consolidate import reply_deadline
from plandocs.returns.reminders import REMINDER_TEMPLATE
from plandocs.returns.write_workbook import LEDGER_SHEET, MATRIX_SHEET, STATUS_SHEET

AS_OF = dt.date(2018, 7, 5)
EMAILS = {INCOMPLETE: "xinyi@police.gov.tw", WRONG: "daan@police.gov.tw", "南港分局": "nangang@police.gov.tw",
          COMPLETE: "zhongzheng1@police.gov.tw", LATE: "wanhua@police.gov.tw", SENDER: "secretariat@police.gov.tw",
          SOME_TOPICS: "accounting@police.gov.tw"}


@pytest.fixture(scope="module")
def setting(shipped_output: Path, tmp_path_factory):
    root = tmp_path_factory.mktemp("follow_up")
    paths = make_project(root / "project")
    workbook = load_workbook(paths.source)
    units = workbook["單位"]
    column = next(c.column for c in units[1] if c.value == "電子郵件")
    for row in range(2, units.max_row + 1):
        units.cell(row, column).value = EMAILS.get(units.cell(row, 1).value)
    facts = workbook["計畫資料"]
    officer = next(r for r in range(1, facts.max_row + 1) if facts.cell(r, 1).value == "承辦人")
    facts.cell(officer, 2).value = "王小明"
    workbook.save(paths.source)
    returns = make_returns(shipped_output, root / "returns")
    report = collect(Paths(paths.source, paths.templates, root / "out"), returns, as_of=AS_OF)
    return paths, returns, report


def states_of(report) -> dict[str, tuple[State, ...]]:
    return {s.unit.name: s.states for s in report.collection.states()}


def test_each_unit_gets_its_states(setting):
    _, _, report = setting
    states = states_of(report)
    assert states[COMPLETE] == (State.RETURNED,)
    assert states[INCOMPLETE] == (State.RETURNED, State.INCOMPLETE)
    assert states[LATE] == (State.RETURNED, State.LATE)
    assert states[WRONG] == (State.RETURNED, State.NEEDS_CORRECTION)
    assert states[UNDATED] == (State.RETURNED, State.INCOMPLETE)  # the 填報日期 is the unit's to give
    assert states[SOME_TOPICS] == (State.RETURNED,)  # survey items left blank are the unit's choice
    assert states[WORD] == (State.UNUSABLE,)  # it replied: asked again for a readable form, not chased as silent
    others = set(states) - {COMPLETE, INCOMPLETE, LATE, WRONG, UNDATED, WORD, SOME_TOPICS}
    assert others and all(states[name] == (State.MISSING,) for name in others)
    by_name = {s.unit.name: s for s in report.collection.states()}
    blank = by_name[INCOMPLETE]
    assert BLANK_CODE in [row.code for row in blank.blank_key_points] and not blank.blank_topics
    assert by_name[UNDATED].blank_contact == ["填報日期"] and by_name[UNDATED].to_chase
    partial = by_name[SOME_TOPICS]
    assert partial.unproposed_topics == REFERENCE_TOPICS[SOME_TOPICS_COUNT:] and not partial.blank_topics
    assert not partial.to_chase and partial.primary is State.RETURNED
    assert by_name[LATE].primary is State.RETURNED and by_name[LATE].flags == (State.LATE,)
    assert not by_name[LATE].to_chase  # late but complete: recorded, not chased
    assert by_name[SENDER].sender and by_name[SENDER].primary is State.MISSING and not by_name[SENDER].to_chase


def _load(path_or_bytes):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_workbook(io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes)


def _notes(workbook) -> dict[tuple[str, str], str]:
    return {(sheet.title, cell.coordinate): cell.comment.text for sheet in workbook.worksheets
            for row in sheet.iter_rows() for cell in row if cell.comment}


def test_every_unit_with_problems_has_a_correction_workbook_with_notes_on_its_problem_cells(setting):
    _, _, report = setting
    folder = report.folder / "補正"
    assert sorted(p.name for p in folder.iterdir()) == sorted([INCOMPLETE, WRONG, UNDATED])
    for state in report.collection.states():
        if state.unit.name not in (INCOMPLETE, WRONG, UNDATED):
            continue
        path = folder / state.unit.name / f"{state.unit.name}_補正活頁簿.xlsx"
        workbook = _load(path)
        _, marks = correction_workbook(report.collection.plan, state, reply_deadline(AS_OF))
        expected = {}
        for mark in marks:
            expected.setdefault((mark.sheet, mark.cell), []).append(mark.message)
        notes = _notes(workbook)
        assert set(notes) == set(expected)
        for place, messages in expected.items():
            assert all(m in notes[place] for m in messages)
            cell = workbook[place[0]][place[1]]
            assert cell.border.left.color.rgb == MARK_COLOUR and cell.border.bottom.style == "medium"
        listed = [row for row in workbook[CORRECTION_SHEET].iter_rows(min_row=5, values_only=True) if row[0]]
        assert [(r[1], r[2], r[3]) for r in listed] == [(m.sheet, m.cell, m.message) for m in marks]
        identity = {r[0]: r[1] for r in workbook[IDENTITY_SHEET].iter_rows(values_only=True)}
        assert identity["單位"] == state.unit.name
        assert workbook.sheetnames[0] == CORRECTION_SHEET


def _row_of(sheet, code: str) -> int:
    return next(c.row for c in sheet["A"] if c.value == code)


def test_the_notes_sit_on_the_blank_and_the_wrong_cells_with_what_was_sent(setting):
    _, _, report = setting
    blank = _load(report.folder / "補正" / INCOMPLETE / f"{INCOMPLETE}_補正活頁簿.xlsx")
    sheet = blank[PROGRESS_SHEET]
    row = _row_of(sheet, BLANK_CODE)
    assert "未填辦理情形" in sheet[f"H{row}"].comment.text
    assert blank[SURVEY_SHEET]["C4"].value == "服務一致及正確措施"  # prefilled with what it sent
    assert blank[SURVEY_SHEET]["D4"].value == "內容"
    wrong = _load(report.folder / "補正" / WRONG / f"{WRONG}_補正活頁簿.xlsx")
    sheet = wrong[PROGRESS_SHEET]
    row = _row_of(sheet, "1.1.1")
    assert sheet[f"I{row}"].value == "約一百件" and "不是件數" in sheet[f"I{row}"].comment.text
    assert sheet[f"J{row}"].value == 56 and sheet[f"J{row}"].comment is None
    assert sheet[f"H{row}"].value == "已辦理（1.1.1）"


def _texts(workbook) -> list[str]:
    return [str(cell.value) for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row
            if isinstance(cell.value, str)]


def test_a_correction_workbook_and_a_drafts_blank_form_give_the_reply_date_not_the_old_deadline(setting):
    _, _, report = setting
    reply_by = reply_deadline(AS_OF)
    new, old = f"{reply_by.year - 1911}年{reply_by.month}月{reply_by.day}日前", "107年6月29日前"
    correction = _texts(_load(report.folder / "補正" / INCOMPLETE / f"{INCOMPLETE}_補正活頁簿.xlsx"))
    message = email.message_from_bytes((report.folder / "催報" / "信稿" / "南港分局.eml").read_bytes(),
                                       policy=policy.default)
    (attachment,) = list(message.iter_attachments())
    blank = _texts(_load(attachment.get_content()))
    for texts in (correction, blank):
        assert not any(old in text for text in texts)
        assert sum(new in text for text in texts) >= 3  # 說明's 填報期限 and step 四, 辦理情形's note
    assert any(f"於{new}將本檔案寄回" in text for text in correction)  # the 補正說明 sheet


def test_no_row_of_the_correction_sheet_prints_over_the_next(setting):
    _, _, report = setting
    sheet = _load(report.folder / "補正" / INCOMPLETE / f"{INCOMPLETE}_補正活頁簿.xlsx")[CORRECTION_SHEET]
    rows = [r for r in range(5, sheet.max_row + 1) if sheet.cell(r, 1).value]
    heights = {r: sheet.row_dimensions[r].height for r in rows}
    assert all(heights.values())  # a wrapped row without a height stays one line high in Calc and Excel
    longest = max(rows, key=lambda r: len(sheet.cell(r, 4).value))
    shortest = min(rows, key=lambda r: len(sheet.cell(r, 4).value))
    assert heights[longest] > heights[shortest]  # the long message takes two lines


def test_a_corrected_return_supersedes_the_first(setting, tmp_path: Path):
    paths, returns, report = setting
    again = tmp_path / "returns"
    shutil.copytree(returns, again)
    filler = Filler(report.folder / "補正" / INCOMPLETE / f"{INCOMPLETE}_補正活頁簿.xlsx")
    filler.report_all("已補正", {106: 1, 107: 2})
    filler.contact(dt.date(2018, 7, 6))
    filler.save(again / f"{INCOMPLETE}_補正.xlsx", modified=dt.datetime(2018, 7, 6, 1, 0))
    second = collect(Paths(paths.source, paths.templates, tmp_path / "out"), again, as_of=dt.date(2018, 7, 6))
    assert states_of(second)[INCOMPLETE] == (State.RETURNED, State.LATE)
    statuses = {r.file: r.status for r in second.collection.returns if r.unit and r.unit.name == INCOMPLETE}
    assert statuses == {f"{INCOMPLETE}.xlsx": Status.SUPERSEDED, f"{INCOMPLETE}_補正.xlsx": Status.RETURNED}
    corrected = next(r for r in second.collection.returns if r.file == f"{INCOMPLETE}_補正.xlsx")
    assert corrected.findings == []  # the 補正說明 sheet and the notes it came back with are not the unit's


def test_the_reminder_lists_exactly_the_units_to_chase(setting):
    _, _, report = setting
    document = Document(report.folder / "催報" / "107年催報通知.docx")
    (table,) = document.tables
    listed = [row.cells[0].text for row in table.rows[1:]]
    chased = [s.unit.name for s in report.collection.states() if s.primary is not State.RETURNED and not s.sender]
    assert listed == chased and COMPLETE not in listed and UNDATED in listed
    for not_chased in (SENDER, LATE, SOME_TOPICS):
        assert not_chased not in listed
    reasons = {row.cells[0].text: row.cells[1].text for row in table.rows[1:]}
    assert reasons[UNDATED] == "未填填報日期。"
    assert "PDF" in reasons[WORD] and "無法彙整" in reasons[WORD] and "尚未回報" in reasons["南港分局"]
    assert "未填辦理情形" in reasons[INCOMPLETE] and "填寫內容有誤" in reasons[WRONG]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "發文日期：中華民國107年7月5日" in text
    assert f"請於107年{reply_deadline(AS_OF).month}月{reply_deadline(AS_OF).day}日前" in text
    assert not re.search(r"20\d\d", text)


def test_the_reminder_has_the_lines_of_an_official_letter_for_the_clerk_to_complete(setting):
    _, _, report = setting
    lines = [p.text for p in Document(report.folder / "催報" / "107年催報通知.docx").paragraphs]
    head = lines[:lines.index(next(line for line in lines if line.startswith("主旨：")))]
    assert head == ["臺北市政府警察局　書函", "聯絡人：王小明", "受文者：如正本", "發文日期：中華民國107年7月5日",
                    "發文字號：", "速別：", "密等及解密條件或保密期限：",
                    "附件：如附表；須補正單位另附其填報表"]


def test_a_blank_contact_fact_leaves_the_label_for_the_clerk(project: Paths, tmp_path: Path):
    (tmp_path / "returns").mkdir()
    report = collect(Paths(project.source, project.templates, tmp_path / "out"), tmp_path / "returns", as_of=AS_OF)
    assert report.collection.plan.facts.officer == ""  # the shipped master gives no 承辦人
    lines = [p.text for p in Document(report.folder / "催報" / "107年催報通知.docx").paragraphs]
    assert lines[1:3] == ["聯絡人：", "受文者：如正本"]


def test_the_drafts_parse_and_carry_their_attachment(setting):
    _, _, report = setting
    drafts = report.folder / "催報" / "信稿"
    assert sorted(p.stem for p in drafts.iterdir()) == sorted([INCOMPLETE, WRONG, "南港分局"])  # not the complete one
    for unit in (INCOMPLETE, "南港分局"):
        message = email.message_from_bytes((drafts / f"{unit}.eml").read_bytes(), policy=policy.default)
        assert message["To"] == EMAILS[unit] and message["X-Unsent"] == "1"
        assert unit in message["Subject"] and "催報" in message["Subject"]
        body = message.get_body(("plain",)).get_content()
        assert "107年6月29日" in body
        if unit == "南港分局":  # one reason, not numbered: no 一、 without a 二、
            assert "貴單位：\n尚未回報。\n" in body.replace("\r\n", "\n")
        (attachment,) = list(message.iter_attachments())
        data = attachment.get_content()
        if unit == INCOMPLETE:
            assert attachment.get_filename() == f"{INCOMPLETE}_補正活頁簿.xlsx"
            assert data == (report.folder / "補正" / INCOMPLETE / attachment.get_filename()).read_bytes()
        else:
            assert attachment.get_filename() == "南港分局_調查表及辦理情形填報.xlsx"
            identity = {r[0]: r[1] for r in _load(data)[IDENTITY_SHEET].iter_rows(values_only=True)}
            assert identity["單位"] == "南港分局"


def test_an_encoded_word_or_a_line_break_in_a_name_reaches_the_subject_as_typed(setting):
    import dataclasses

    from plandocs.returns.reminders import draft

    _, _, report = setting
    collection = report.collection
    state = next(s for s in collection.states() if s.unit.name == INCOMPLETE)
    for name in ("=?utf-8?q?=E5=B7=B2=E5=AE=8C=E6=88=90?=", "信義\n分局"):
        renamed = dataclasses.replace(state, unit=dataclasses.replace(state.unit, name=name))
        data = draft(collection, renamed, ("x.xlsx", b"PK"))
        headers = data.split(b"\r\n\r\n")[0]
        assert b"=?utf-8?q?" not in headers and b"\n\xe5" not in headers  # encoded, not written raw
        subject = email.message_from_bytes(data, policy=policy.default)["Subject"]
        # the name as typed, not what an encoded word in it stands for; a reader unfolds a line break to a space
        assert f"請{name.replace(chr(10), ' ')}於" in subject


def _report_text(document) -> str:
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_the_report_can_be_forwarded(setting):
    _, _, report = setting
    document = Document(report.folder / "107年回報彙整報告.docx")
    text = _report_text(document)
    assert "截至中華民國107年7月5日止" in text and "承辦單位：秘書室　承辦人：王小明" in text
    assert "回報率15.8%" in text  # 6 of 38 replied, one of them in a PDF
    headings = [p.text for p in document.paragraphs if p.text[:2] in ("壹、", "貳、", "參、")]
    assert headings == ["壹、回報情形", "貳、各單位提出之措施", "參、評核重點辦理情形彙整表"]
    assert not re.search(r"20\d\d|\d{4}/\d", text)  # no Gregorian date
    assert not any(re.match(r"\s*\d+\.\d+\.\d+", p.text) for p in document.paragraphs)
    for internal in ("彙整活頁簿", "問題", "工作表", " / ", ".xlsx", "錯誤", "警告", "plandocs"):
        assert internal not in text, internal
    summary = text.split("貳、")[0]
    for unit in (INCOMPLETE, LATE, WRONG, WORD, "南港分局"):
        assert unit in summary


def test_the_progress_table_has_the_shape_of_attachment_1(setting):
    _, _, report = setting
    document = Document(report.folder / "107年回報彙整報告.docx")
    assert document.sections[-1].orientation == 1  # landscape
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "評核項目")
    header = table.rows[0]._tr
    assert header.find(".//{*}tblHeader") is not None
    rows = table.rows[1:]
    first, second = rows[0], rows[1]
    # an item's cell spans its key points' rows, and names the item again on every page it reaches
    assert first.cells[0].text == second.cells[0].text == "服務一致及正確"
    assert any(above.cells[0]._tc is below.cells[0]._tc for above, below in zip(rows, rows[1:]))
    assert first.cells[1].text == "申辦業務標準作業流程訂定情形"
    assert f"{COMPLETE}：已辦理（1.1.1）\n106年件數：120；107年件數：56" in first.cells[2].text
    assert "南港分局" in first.cells[3].text.split("未回報：")[1]
    assert f"已回報但未填：{INCOMPLETE}" in first.cells[3].text


def test_the_units_not_reported_are_named_once_per_item_beside_its_first_key_point(setting):
    _, _, report = setting
    document = Document(report.folder / "107年回報彙整報告.docx")
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "評核項目")
    rows = [row for row in table.rows[1:] if row.cells[0].text == "服務一致及正確"]
    assert len(rows) > 2
    first, *later = [row.cells[3].text for row in rows]
    assert later and all(text == LISTED_ABOVE for text in later)
    not_reported = first.split("已回報但未填：")[0]
    names = "".join(not_reported.split()).removeprefix("未回報：").split("、")  # wrapped at names by line breaks
    # the item's every key point: 外事科 answers only for some of them
    assert len(names) == len(set(names)) and "南港分局" in names and "外事科" in names
    assert f"已回報但未填：{INCOMPLETE}" in first


def _numbered(paragraphs) -> list[str]:
    return [p for p in paragraphs if re.match(r"[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]", p)]


def test_the_report_numbers_no_lone_first_sub_point(setting):
    _, _, report = setting
    paragraphs = _numbered([p.text for p in Document(report.folder / "107年回報彙整報告.docx").paragraphs])
    subs = [i for i, p in enumerate(paragraphs) if re.match(r"[（(]一[）)]", p)]
    assert subs  # 內容不全 has two units
    for i in subs:
        assert i + 1 < len(paragraphs) and re.match(r"[（(]二[）)]", paragraphs[i + 1]), paragraphs[i]
    summary = " ".join(paragraphs)
    assert f"來件格式無法彙整，視同未回報（1個單位）：{WORD}，來件為PDF檔" in summary
    assert f"填寫內容有誤，須補正（1個單位）：{WRONG}，1處填寫內容有誤" in summary


def test_the_ledger_matrix_and_status_show_the_states(setting):
    _, _, report = setting
    workbook = load_workbook(report.folder / "107年回報彙整.xlsx")
    rows = list(workbook[LEDGER_SHEET].iter_rows(values_only=True))
    heads = rows[0]
    ledger = {r[0]: dict(zip(heads, r)) for r in rows[1:] if r[heads.index("狀態")] != Status.SUPERSEDED.value}
    assert ledger[INCOMPLETE]["回報情形"] == "內容不全" and "未填辦理情形或件數：1.1.1" in ledger[INCOMPLETE]["說明"]
    assert ledger[LATE]["回報情形"] == "已回報、逾期" and "107年7月3日" in ledger[LATE]["說明"]
    assert ledger[LATE]["填報日期"] == "107年7月3日"
    assert "未填填報日期" in ledger[UNDATED]["說明"] and ledger[UNDATED]["回報情形"] == "內容不全"
    unproposed = "、".join(topic for _, topic in REFERENCE_TOPICS[SOME_TOPICS_COUNT:])
    assert ledger[SOME_TOPICS]["回報情形"] == "已回報" and unproposed in ledger[SOME_TOPICS]["說明"]
    assert ledger["南港分局"]["回報情形"] == "未回報"
    assert ledger[SENDER]["回報情形"] == "未回報" and "不列入催報" in ledger[SENDER]["說明"]
    assert ledger[WORD]["填報日期"] is None and ledger[WORD]["日期依據"] is None  # a PDF gives no date
    for row in rows[1:]:
        assert not any(isinstance(v, dt.datetime) or re.search(r"20\d\d/", str(v or "")) for v in row)
    matrix = {r[0]: r for r in workbook[MATRIX_SHEET].iter_rows(min_row=3, values_only=True)}
    assert matrix["南港分局"][1] == "未回報" and matrix[COMPLETE][-1] == 11
    status = [v for r in workbook[STATUS_SHEET].iter_rows(values_only=True) for v in r if v is not None]
    assert "回報率 15.8%（應回報 38 個單位，已回報 6 個）" in status  # 督察室's PDF is not a return
    assert status_counts(workbook) == {"已回報": 3, "內容不全": 2, "需補正": 1, "格式無法彙整": 1, "未回報": 31}
    assert "其中逾期回報 1 個單位（已計入上列狀態）" in status


def test_an_item_the_master_marks_required_counts_when_left_blank(setting, project: Paths, edit_master, tmp_path):
    _, returns, _ = setting
    required = REFERENCE_TOPICS[SOME_TOPICS_COUNT]  # the first item 會計室 proposes nothing for

    def mark_required(workbook):
        items = workbook["評核項目"]
        items.cell(1, 3).value = "調查表必填"
        row = next(r for r in range(2, items.max_row + 1) if items.cell(r, 2).value == required[1])
        items.cell(row, 3).value = "是"
    edit_master(mark_required)
    assert not check_all(project).errors
    report = collect(Paths(project.source, project.templates, tmp_path), returns, as_of=AS_OF)
    state = next(s for s in report.collection.states() if s.unit.name == SOME_TOPICS)
    assert state.states == (State.RETURNED, State.INCOMPLETE) and state.blank_topics == [required]
    assert required not in state.unproposed_topics and state.to_chase
    (table,) = Document(report.folder / "催報" / "107年催報通知.docx").tables
    reasons = {row.cells[0].text: row.cells[1].text for row in table.rows[1:]}
    assert reasons[SOME_TOPICS] == f"1個必填項目未提出措施（{required[1]}）。"
    workbook = _load(report.folder / "補正" / SOME_TOPICS / f"{SOME_TOPICS}_補正活頁簿.xlsx")
    assert any(f"「{required[0]}／{required[1]}」尚未提出措施" in text for text in _notes(workbook).values())


def test_a_survey_without_any_measure_is_incomplete(shipped_output: Path, project: Paths, tmp_path: Path):
    from helpers.returns_factory import form_of

    filler = Filler(form_of(shipped_output, COMPLETE))
    filler.report_all("已辦理", {106: 1, 107: 2})
    filler.contact(dt.date(2018, 6, 25))
    filler.save(tmp_path / "returns" / f"{COMPLETE}.xlsx")
    report = collect(Paths(project.source, project.templates, tmp_path / "out"), tmp_path / "returns", as_of=AS_OF)
    state = next(s for s in report.collection.states() if s.unit.name == COMPLETE)
    assert state.primary is State.INCOMPLETE and state.blank_topics == REFERENCE_TOPICS
    assert not state.unproposed_topics


def status_counts(workbook) -> dict[str, int]:
    """The 回報狀態 sheet's table of units per state, which the chart draws."""
    rows = list(workbook[STATUS_SHEET].iter_rows(values_only=True))
    first = next(i for i, r in enumerate(rows) if r[:2] == ("狀態", "單位數"))
    return {r[0]: r[1] for r in rows[first + 1:] if isinstance(r[1], int)}


def test_the_report_chart_ledger_and_reminder_give_the_same_counts(setting):
    _, _, report = setting
    workbook = load_workbook(report.folder / "107年回報彙整.xlsx")
    chart = status_counts(workbook)
    assert sum(chart.values()) == 38  # every unit under one state
    rows = list(workbook[LEDGER_SHEET].iter_rows(values_only=True))
    heads = rows[0]
    labels = [r[heads.index("回報情形")] for r in rows[1:] if r[heads.index("回報情形")]]
    ledger = {state: sum(label.split("、")[0] == state for label in labels) for state in chart}
    assert ledger == chart
    summary = _report_text(Document(report.folder / "107年回報彙整報告.docx")).split("貳、")[0]
    returned = chart["已回報"] + chart["內容不全"] + chart["需補正"]
    assert f"已回報{returned}個，回報率{returned / 38:.1%}" in summary
    for state, title in (("未回報", "尚未回報"), ("格式無法彙整", "來件格式無法彙整，視同未回報"),
                         ("需補正", "填寫內容有誤，須補正"), ("內容不全", "內容不全")):
        assert f"{title}（{chart[state]}個單位）" in summary
    (table,) = Document(report.folder / "催報" / "107年催報通知.docx").tables
    chased = len(table.rows) - 1
    assert chased == 38 - chart["已回報"] - 1  # all but the complete ones and 秘書室, the office collecting
    assert f"（{SENDER}為收件單位，不另催報）計{chased}個單位另以書函" in summary
    assert "逾期回報（1個單位，已列入彙整）：萬華分局（107年7月3日）" in summary


def test_check_checks_the_reminder_template(project: Paths):
    assert REMINDER_TEMPLATE in TEMPLATE_CONTEXTS
    assert not check_all(project).problems
    document = Document(project.templates / REMINDER_TEMPLATE)
    document.paragraphs[0].runs[0].text = "{{ 沒有這個名稱 }}"
    document.save(project.templates / REMINDER_TEMPLATE)
    problems = check_all(project).problems
    assert any(p.location.file == REMINDER_TEMPLATE and "沒有這個名稱" in p.message for p in problems)


def test_the_command_takes_an_as_of_date_and_says_where_the_follow_up_is(setting, tmp_path: Path):
    paths, returns, _ = setting
    arguments = ["collect", str(returns), "--source", str(paths.source), "--templates", str(paths.templates),
                 "--output", str(tmp_path)]
    wrong = CliRunner().invoke(main, arguments + ["--as-of", "七月五日"])
    assert wrong.exit_code == 2 and "無法辨識" in wrong.output and "Traceback" not in wrong.output
    result = CliRunner().invoke(main, arguments + ["--as-of", "107/7/5"])
    assert result.exit_code == 0, result.output
    assert "補正：3 個單位的補正活頁簿" in result.output and "3 封電子郵件草稿（未寄出）" in result.output
    report = Document(tmp_path / "回報彙整" / "107年回報彙整報告.docx")
    assert "截至中華民國107年7月5日止" in _report_text(report)


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice makes the PDF; poppler's pdftotext reads it back")
def test_pdf_gives_the_report_and_the_reminder_as_pdf_too(setting, tmp_path: Path):
    from plandocs.office.pdf import page_count

    paths, returns, first = setting
    assert not (first.folder / "催報" / "107年催報通知.pdf").exists()  # only with --pdf
    assert not (first.folder / "107年回報彙整報告.pdf").exists()
    report = collect(Paths(paths.source, paths.templates, tmp_path), returns, as_of=AS_OF, pdf=True)
    assert not report.pdf_problems
    pdf = (report.folder / "催報" / "107年催報通知.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and page_count(pdf) >= 2  # the letter, then its table on a page of its own
    report_pdf = report.folder / "107年回報彙整報告.pdf"
    text = subprocess.run(["pdftotext", str(report_pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "截至中華民國107年7月5日止" in re.sub(r"\s+", "", text) and "各單位辦理情形彙整報告" in text
    kinds = {a.path.name: a.kind for a in report.artifacts if a.path.suffix == ".pdf"}
    assert kinds == {"107年催報通知.pdf": "催報通知（PDF）", "107年回報彙整報告.pdf": "回報彙整報告（PDF）"}
