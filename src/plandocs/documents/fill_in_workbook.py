"""The fill-in workbook a unit receives and returns (說明, 調查表, 辦理情形), as .xlsx bytes.

The layout — sheet names, heading row, columns, where the unit's entries go, the identity — is the
contract of documents/fill_in_form.py, which `collect` reads returns by; this module only draws it. Labels and
reference text are locked by sheet protection without a password; the shaded input cells stay open,
and rows can be resized, inserted and deleted, so a unit works normally but cannot overwrite the form.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import io

from ..master.model import KeyPoint, Plan, Unit
from ..master.schema import AttachmentKind
from ..numbering import number_outline, text_depths
from ..office.text_cells import TEXT_ONLY_OPTIONS
from ..office.xlsx_layout import (
    A4, BASE_FONT_SIZE, FONT, HEADING_FILL, PAGE_FOOTER, display_width, row_height, write_text,
)
from ..text import roc_date, roc_slash_date
from .fill_in_form import (
    GUIDE_INPUT_ROWS, GUIDE_SHEET, HEADER_ROW, IDENTITY_SHEET, LISTS_SHEET, PHONE, PROGRESS_HEADERS, PROGRESS_SHEET,
    PROPERTY_PREFIX, REPORT_DATE, REPORTER, SURVEY_HEADERS, SURVEY_ROWS_PER_TOPIC, SURVEY_SHEET, SURVEY_SPARE_ROWS,
    ProgressRow, case_count_years, identity, progress_headers, progress_rows,
)
from .render import document_time
from .unit_copies import copies_per_unit

FILL_IN_WORKBOOK_KIND = "調查表及辦理情形填報"  # what the manifest calls the file; also its name after the unit's
INPUT_FILL = "#FFF2CC"  # pale yellow: where the unit types
NOT_ASKED_FILL = "#F2F2F2"  # a case-count cell of a key point that asks for none
FIRST_DATA_ROW = HEADER_ROW  # 0-based index of the first row under the headings
# Allowed on a protected sheet: everything a unit needs to work in the input cells, nothing that edits labels.
PROTECTION = {
    "format_columns": True, "format_rows": True, "insert_rows": True, "delete_rows": True,
    "select_locked_cells": True, "select_unlocked_cells": True,
}
# Practice paragraphs from this depth on (1. (1) …) continue the line above: a cell taller than Excel's
# 409 points cannot be shown, and the longest key point has 32 paragraphs.
INLINE_DEPTH = 3


def unit_workbooks(plan: Plan, units: list[Unit]) -> dict[str, bytes]:
    """Each unit's workbook by unit name; units answering for the same key points share one rendering.

    Row heights of the titles follow the length of the unit's name, so names of another width get their own.
    """
    codes = {unit.name: tuple(row.code for row in progress_rows(plan, unit)) for unit in units}
    return copies_per_unit(units, lambda unit, name: fill_in_workbook(plan, unit, name),
                           profile=lambda unit: (codes[unit.name], display_width(unit.name)))


def fill_in_workbook(plan: Plan, unit: Unit, name: str | None = None, reply_by: dt.date | None = None) -> bytes:
    """The unit's workbook, with `name` written wherever the unit's name goes (by default its own), and `reply_by`
    wherever the deadline goes (by default the plan's 填報期限; a 催報 or 補正 gives its own)."""
    import xlsxwriter  # heavy: only a build writes workbooks

    named = dataclasses.replace(unit, name=name or unit.name)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {
        "in_memory": True,  # and with it fixed zip time stamps
        # every value is text the user typed in the master: never a formula, link or number by accident
        **TEXT_ONLY_OPTIONS,
        "default_format_properties": {"font_name": FONT, "font_size": BASE_FONT_SIZE},
    })
    sheets = _Sheets(workbook, plan, named, unit.name, reply_by or plan.facts.due_date)
    sheets.guide()
    sheets.survey()
    sheets.progress(progress_rows(plan, unit))
    sheets.lists()
    sheets.identity()
    workbook.close()
    return buffer.getvalue()


def practice_reference(key_point: KeyPoint) -> str:
    """The key point's practices as one cell's text, numbered from 一、; deep levels run on in their line."""
    levels = [p.level for p in key_point.practices]
    lines: list[str] = []
    for label, paragraph, depth in zip(number_outline(levels, 2), key_point.practices, text_depths(levels)):
        text = label + paragraph.text
        if lines and depth >= INLINE_DEPTH:
            lines[-1] += " " + text
        else:
            lines.append("　" * max(depth - 1, 0) + text)
    return "\n".join(lines)


class _Sheets:
    """Draws the sheets of one workbook with a shared set of cell formats."""

    def __init__(self, workbook, plan: Plan, unit: Unit, measured_name: str, due: dt.date | None):
        self.workbook = workbook
        self.plan = plan
        self.unit = unit
        # a prototype is written with a placeholder name but laid out for the real one (see unitcopies)
        self.measured_name = measured_name
        facts = plan.facts
        add = workbook.add_format
        boxed = {"border": 1, "text_wrap": True, "valign": "top"}
        self.title = add({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter", "text_wrap": True})
        self.note = add({"font_size": 11, "text_wrap": True, "valign": "top"})
        self.heading = add({**boxed, "bold": True, "align": "center", "valign": "vcenter", "bg_color": HEADING_FILL})
        self.label = add(boxed)
        self.bold_label = add({**boxed, "bold": True})
        self.reference = add({**boxed, "font_size": 10})
        self.centred = add({**boxed, "align": "center"})
        self.input = add({**boxed, "locked": False, "bg_color": INPUT_FILL})
        self.count = add({**boxed, "locked": False, "bg_color": INPUT_FILL, "num_format": "#,##0"})
        # a text cell: Excel and Calc would store a typed 107/6/29 as the year 107 AD and show 0107/6/29; as text it
        # stays the ROC date the clerk typed, and collect reads it (text.parse_date)
        self.date = add({**boxed, "locked": False, "bg_color": INPUT_FILL, "num_format": "@", "align": "left"})
        self.not_asked = add({**boxed, "bg_color": NOT_ASKED_FILL})
        self.due = roc_date(due) if due else ""
        self.measures_label = facts.attachment(AttachmentKind.MEASURES).label if facts.attachment(AttachmentKind.MEASURES) else "計畫"
        workbook.set_properties({
            "title": facts.unit_survey_title(unit.name), "subject": facts.title, "author": facts.agency,
            "company": facts.agency, "created": document_time(facts),
            "comments": f"填妥後請於{self.due}前寄送{facts.recipient}。",
        })

    def _sheet(self, name: str, widths: list[float], landscape: bool = False):
        sheet = self.workbook.add_worksheet(name)
        for column, width in enumerate(widths):
            sheet.set_column(column, column, width)
        sheet.set_paper(A4)
        if landscape:
            sheet.set_landscape()
        sheet.fit_to_pages(1, 0)  # one page wide, as many long as needed
        sheet.set_margins(left=0.6, right=0.6, top=0.8, bottom=0.8)
        sheet.center_horizontally()
        sheet.set_footer(PAGE_FOOTER)
        sheet.protect("", PROTECTION)
        return sheet

    def _measured(self, text: str) -> str:
        return text.replace(self.unit.name, self.measured_name)

    def _row(self, sheet, widths: list[float], row: int, cells: list[tuple[int, str, object]]) -> None:
        """Write a row's (column, text, format) cells and make the row tall enough to show them all."""
        for column, text, cell_format in cells:
            write_text(sheet, row, column, text, cell_format)
        sheet.set_row(row, row_height([(self._measured(text), widths[column], f.font_size)
                                       for column, text, f in cells]))

    def _across(self, sheet, widths: list[float], row: int, text: str, cell_format) -> None:
        """A title or note over the whole width of the sheet."""
        sheet.merge_range(row, 0, row, len(widths) - 1, text, cell_format)
        sheet.set_row(row, row_height([(self._measured(text), sum(widths), cell_format.font_size)]))

    def _heading(self, sheet, widths: list[float], title: str, note: str, headings: tuple[str, ...]) -> None:
        self._across(sheet, widths, 0, title, self.title)
        self._across(sheet, widths, 1, note, self.note)
        self._row(sheet, widths, HEADER_ROW - 1, [(column, text, self.heading) for column, text in enumerate(headings)])
        sheet.repeat_rows(HEADER_ROW - 1)
        sheet.freeze_panes(HEADER_ROW, 0)

    def guide(self) -> None:
        facts = self.plan.facts
        widths = [14, 84]
        sheet = self._sheet(GUIDE_SHEET, widths)
        self._across(sheet, widths, 0, f"{facts.title}　填報說明", self.title)
        entries = [("填報單位", self.unit.name), ("填報期限", f"{self.due}前"),
                   ("寄送單位", f"{facts.recipient}（請寄回本檔案；檔名可自行更改）")]
        for row, (label, text) in enumerate(entries, 1):
            self._row(sheet, widths, row, [(0, label, self.bold_label), (1, text, self.label)])
        hints = {REPORT_DATE: f"請填寫寄出日期（民國年），例：{roc_slash_date(facts.due_date)}。同一單位寄送兩次時，以日期較晚者為準。",
                 REPORTER: "請填寫承辦人姓名。", PHONE: "請填寫承辦人聯絡電話（含分機）。"}
        for label, number in GUIDE_INPUT_ROWS.items():
            self._row(sheet, widths, number - 1, [(0, label, self.bold_label)])
            sheet.write_blank(number - 1, 1, None, self.date if label == REPORT_DATE else self.input)
            sheet.data_validation(number - 1, 1, number - 1, 1,
                                  {"validate": "any", "input_title": label, "input_message": hints[label]})
        years = "、".join(str(y) for y in case_count_years(self.plan))
        groups = "".join(f"「{g.name}」" for g in self.plan.groups)
        through = f"（含{groups}等群組）" if groups else ""
        counts = f"；要求提供件數者，另請填寫{years}年申辦件數（半形數字）" if years else ""
        steps = [
            f"一、「{SURVEY_SHEET}」：請就各構面、項目填寫本單位{facts.title_after_agency}之措施（措施名稱、措施內容）。"
            f"每一項目預留 {SURVEY_ROWS_PER_TOPIC} 列，表末另有空白列；不敷使用時，選取黃色區域任一列的列號，按右鍵「插入」即可新增一列。"
            "構面名稱與項目請由下拉選單選取。",
            f"二、「{PROGRESS_SHEET}」：列出{self.measures_label}中本單位應辦理{through}的評核重點，"
            f"請於「辦理情形」欄填寫辦理情形{counts}。",
            "三、黃色儲存格供填寫；其餘儲存格已以工作表保護鎖定（未設密碼），以免誤改。請勿更改工作表名稱、欄位標題與順序，以免無法彙整。",
            f"四、請於{self.due}前填妥上方「{REPORT_DATE}」「{REPORTER}」「{PHONE}」，並將本檔案寄送{facts.recipient}。",
        ]
        first = max(GUIDE_INPUT_ROWS.values()) + 1
        for offset, step in enumerate(steps):
            label = [(0, "填寫方式", self.bold_label)] if offset == 0 else []
            self._row(sheet, widths, first + offset, label + [(1, step, self.label)])
        sheet.activate()

    def survey(self) -> None:
        topics = [(d.name, topic) for d in self.plan.dimensions for topic in d.survey_topics]
        widths = [12, 18, 26, 50]
        sheet = self._sheet(SURVEY_SHEET, widths)
        survey = self.plan.facts.attachment(AttachmentKind.SURVEY)
        if survey:
            sheet.set_header("&L" + survey.label.replace("&", "&&"))
        note = ("（本表若不敷使用請自行擴充：選取黃色區域任一列的列號，按右鍵「插入」即可新增一列；"
                "構面名稱、項目請由下拉選單選取）")
        self._heading(sheet, widths, self.plan.facts.unit_survey_title(self.unit.name), note, SURVEY_HEADERS)
        rows = [pair for pair in topics for _ in range(SURVEY_ROWS_PER_TOPIC)] + [("", "")] * SURVEY_SPARE_ROWS
        for row, (dimension, topic) in enumerate(rows, FIRST_DATA_ROW):
            # no set height: Excel and LibreOffice grow an input row as the unit types
            for column, text in enumerate((dimension, topic, "", "")):
                write_text(sheet, row, column, text, self.input)
        last = FIRST_DATA_ROW + len(rows) - 1
        dimensions = len(self.plan.dimensions)
        for column, (what, count) in enumerate([("構面名稱", dimensions), ("項目", len(topics))]):
            letter = "AB"[column]
            sheet.data_validation(FIRST_DATA_ROW, column, last, column, {
                "validate": "list", "source": f"='{LISTS_SHEET}'!${letter}$2:${letter}${count + 1}",
                "error_title": what, "error_message": f"請由下拉選單選擇{what}。",
            })

    def progress(self, rows: list[ProgressRow]) -> None:
        facts = self.plan.facts
        headings = progress_headers(self.plan)
        widths = [7, 8, 10, 14, 58, 16, 13, 40] + [9] * (len(headings) - len(PROGRESS_HEADERS))
        sheet = self._sheet(PROGRESS_SHEET, widths, landscape=True)
        title = f"{facts.agency}{self.unit.name}{facts.title_after_agency}辦理情形"
        if rows:
            note = f"請於黃色儲存格填寫各評核重點的辦理情形，並於{self.due}前寄送{facts.recipient}。"
        else:
            note = f"本單位在{self.measures_label}沒有承辦的評核重點，本表免填；「{SURVEY_SHEET}」仍請填寫。"
        self._heading(sheet, widths, title, note, headings)
        for number, row in enumerate(rows, FIRST_DATA_ROW):
            key_point = row.key_point
            due = roc_date(key_point.due_date) if key_point.due_date else ""
            self._row(sheet, widths, number, [
                (0, row.code, self.centred), (1, row.dimension.name, self.label), (2, row.item.name or "", self.label),
                (3, key_point.name, self.label), (4, practice_reference(key_point), self.reference),
                (5, key_point.deadline, self.label), (6, due, self.label), (7, "", self.input),
            ])
            for offset, year in enumerate(case_count_years(self.plan)):
                column = len(PROGRESS_HEADERS) + offset
                sheet.write_blank(number, column, None, self.count if year in row.case_count_years else self.not_asked)
                if year in row.case_count_years:
                    sheet.data_validation(number, column, number, column, {
                        "validate": "integer", "criteria": ">=", "value": 0, "error_title": headings[column],
                        "error_message": "請填入 0 以上的整數（半形數字）。",
                    })

    def lists(self) -> None:
        sheet = self.workbook.add_worksheet(LISTS_SHEET)
        sheet.write_string(0, 0, SURVEY_HEADERS[0])
        sheet.write_string(0, 1, SURVEY_HEADERS[1])
        topics = [topic for d in self.plan.dimensions for topic in d.survey_topics]
        for row, dimension in enumerate(self.plan.dimensions, 1):
            write_text(sheet, row, 0, dimension.name)
        for row, topic in enumerate(topics, 1):
            write_text(sheet, row, 1, topic)
        sheet.protect("")
        sheet.hide()

    def identity(self) -> None:
        sheet = self.workbook.add_worksheet(IDENTITY_SHEET)
        for row, (key, value) in enumerate(identity(self.plan, self.unit).items()):
            sheet.write_string(row, 0, key)
            write_text(sheet, row, 1, value)
            self.workbook.set_custom_property(PROPERTY_PREFIX + key, value, "text")
        sheet.protect("")
        sheet.very_hidden()
