"""補正 workbooks: for each unit whose return has problems, its own fill-in workbook again, prefilled with what it
sent, each problem cell bordered in red with a note giving the message, and a 補正說明 sheet listing them.

The workbook is the unit's form as `build` makes it (documents/fill_in_workbook.py), identity included, so the
corrected return it sends back is recognised as the unit's and, being newer, supersedes the first one.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

from ..documents.fill_in_form import (
    GUIDE_INPUT_ROWS, GUIDE_SHEET, HEADER_ROW, PHONE, PROGRESS_CODE, PROGRESS_INPUT, PROGRESS_SHEET, REPORT_DATE,
    REPORTER, SURVEY_SHEET, case_count_header, progress_headers,
)
from ..documents.fill_in_workbook import fill_in_workbook
from ..documents.render import document_time
from ..master.model import Plan
from ..office.ooxml_order import saved_workbook
from ..office.output import Artifact, reproducible, safe_file_name
from ..office.text_cells import set_text
from ..office.xlsx_layout import BASE_FONT_SIZE, row_height
from ..parallel import shared, worker_pool, workers_for
from ..text import roc_date
from .consolidate import reply_date
from .records import Collection, Finding, Return, State, UnitState

CORRECTIONS_FOLDER = "補正"  # under the collect folder: 補正/<單位>/
CORRECTION_SHEET = "補正說明"
CORRECTION_KIND = "補正活頁簿"
MARK_COLOUR = "FFFF0000"
_CELL = re.compile(r"([A-Z]+)(\d+)")


@dataclass(frozen=True)
class Mark:
    """A cell of the 補正 workbook the unit must look at, and why."""

    sheet: str
    cell: str  # e.g. H5; "" when the problem has no cell (a deleted sheet)
    message: str
    content: str = ""  # what the unit had typed there


def without_correction_sheet(ret: Return) -> Return:
    """A 補正 workbook sent back still has the 補正說明 sheet: its text is collect's own, not the unit's, so what
    the reader found there (every cell of a sheet that is not the form's) is not a problem of the return."""
    ret.findings = [f for f in ret.findings if f.location.sheet != CORRECTION_SHEET]
    return ret


def needs_correction(state: UnitState) -> bool:
    """Units whose return must be corrected or completed; a late but complete return needs no workbook."""
    return state.ret is not None and state.primary in (State.NEEDS_CORRECTION, State.INCOMPLETE)


def correction_path(unit_name: str) -> PurePosixPath:
    name = safe_file_name(unit_name)
    return PurePosixPath(CORRECTIONS_FOLDER, name, f"{name}_{CORRECTION_KIND}.xlsx")


def correction_workbooks(collection: Collection) -> list[Artifact]:
    """One 補正 workbook per unit with problems in its return, in the master's order.

    Each takes about a quarter of a second (openpyxl reads and writes the whole form), so many are made in
    worker processes, one per core.
    """
    plan = collection.plan
    reply_by = reply_date(collection)
    states = [state for state in collection.states() if needs_correction(state)]
    workers = workers_for(len(states))
    if workers:
        with worker_pool(workers, plan, states, reply_by) as pool:
            made = list(pool.map(_shared_workbook, range(len(states)), chunksize=8))
    else:
        made = [_finished_workbook(plan, state, reply_by) for state in states]
    return [Artifact(correction_path(state.unit.name), data, CORRECTION_KIND, state.unit.name)
            for state, data in zip(states, made)]


def _finished_workbook(plan: Plan, state: UnitState, reply_by: dt.date) -> bytes:
    return reproducible(correction_workbook(plan, state, reply_by)[0], document_time(plan.facts))


def _shared_workbook(index: int) -> bytes:
    plan, states, reply_by = shared()
    return _finished_workbook(plan, states[index], reply_by)


def _text(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "year") and hasattr(value, "month"):
        return roc_date(value)
    return str(value)


class _Prefill:
    """The unit's fresh form, filled with what its return held, keeping where each value went."""

    def __init__(self, plan: Plan, state: UnitState, reply_by: dt.date):
        from openpyxl import load_workbook

        self.plan, self.state, self.ret, self.reply_by = plan, state, state.ret, reply_by
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl notes data-validation extensions it does not keep
            self.workbook = load_workbook(io.BytesIO(fill_in_workbook(plan, state.unit, reply_by=reply_by)))
        self.survey = self.workbook[SURVEY_SHEET]
        self.progress = self.workbook[PROGRESS_SHEET]
        self.guide = self.workbook[GUIDE_SHEET]
        self.headings = {heading: index for index, heading in enumerate(progress_headers(plan), 1)}
        self.code_rows = {self.progress.cell(r, self.headings[PROGRESS_CODE]).value: r
                          for r in range(HEADER_ROW + 1, self.progress.max_row + 1)}
        self.survey_rows: dict[int, int] = {}  # row in the return → row in this workbook
        self.spare = [r for r in range(HEADER_ROW + 1, self.survey.max_row + 1)
                      if not self.survey.cell(r, 1).value and not self.survey.cell(r, 2).value]
        self.marks: list[Mark] = []

    def fill(self) -> None:
        contact = self.ret.contact
        for label, value in ((REPORTER, contact.reporter), (PHONE, contact.phone)):
            set_text(self.guide.cell(GUIDE_INPUT_ROWS[label], 2), value or None)
        for measure in self.ret.measures:
            row = self._free_row(measure.dimension, measure.topic)
            for column, value in ((3, measure.name), (4, measure.content)):
                set_text(self.survey.cell(row, column), value or None)
            for entry in measure.entries:
                self.survey_rows[int(_CELL.fullmatch(entry.cell).group(2))] = row
        for code, progress in self.ret.progress.items():
            row = self.code_rows.get(code)
            if row is None:
                continue
            set_text(self.progress.cell(row, self.headings[PROGRESS_INPUT]), progress.text or None)
            for year, count in progress.counts.items():
                if case_count_header(year) in self.headings:
                    self.progress.cell(row, self.headings[case_count_header(year)]).value = count

    def _free_row(self, dimension: str, topic: str) -> int:
        for row in range(HEADER_ROW + 1, self.survey.max_row + 1):
            cells = [self.survey.cell(row, c).value for c in range(1, 5)]
            if cells[:2] == [dimension, topic] and not cells[2] and not cells[3]:
                return row
        if self.spare:
            row = self.spare.pop(0)
        else:  # more measures than the form has rows: one more row, formatted as the one above
            from copy import copy

            row = self.survey.max_row + 1
            for column in range(1, 5):
                self.survey.cell(row, column)._style = copy(self.survey.cell(row - 1, column)._style)
        set_text(self.survey.cell(row, 1), dimension)
        set_text(self.survey.cell(row, 2), topic)
        return row

    def mark_all(self) -> None:
        when = roc_date(self.state.filed) if self.state.filed else "未填"
        self.marks.append(Mark(GUIDE_SHEET, f"B{GUIDE_INPUT_ROWS[REPORT_DATE]}",
                               f"請填寫補正後寄出的日期（原回報日期：{when}）；以日期較晚的回報為準。"))
        for row in self.state.blank_key_points:
            line = self.code_rows.get(row.code)
            if line is None:
                continue
            progress = self.ret.progress.get(row.code)
            if progress is None or not progress.text:
                self.marks.append(Mark(PROGRESS_SHEET, self._cell(line, PROGRESS_INPUT),
                                       f"評核重點「{row.key_point.name}」未填辦理情形，請補填。"))
            for year in row.case_count_years:
                if progress is None or year not in progress.counts:
                    self.marks.append(Mark(PROGRESS_SHEET, self._cell(line, case_count_header(year)),
                                           f"評核重點「{row.key_point.name}」未填{case_count_header(year)}，"
                                           "請填 0 以上的整數。"))
        for dimension, topic in self.state.blank_topics:
            row = self._free_row(dimension, topic)
            self.marks.append(Mark(SURVEY_SHEET, f"C{row}", f"「{dimension}／{topic}」尚未提出措施，"
                                                            "請填寫措施名稱及措施內容。"))
        for finding in self.state.errors:
            self.marks.append(self._located(finding))

    def _cell(self, row: int, heading: str) -> str:
        from openpyxl.utils import get_column_letter

        return f"{get_column_letter(self.headings[heading])}{row}"

    def _located(self, finding: Finding) -> Mark:
        """Where a problem of the return is in this workbook; the unit's value is written back there."""
        location = finding.location
        content = _text(finding.content)
        sheet_name = {SURVEY_SHEET: SURVEY_SHEET, PROGRESS_SHEET: PROGRESS_SHEET, GUIDE_SHEET: GUIDE_SHEET}.get(
            location.sheet or "")
        if sheet_name is None or location.row is None or not location.column:
            return Mark(location.sheet or "", "", finding.problem.message, content)
        column = location.column
        if sheet_name == PROGRESS_SHEET:
            code = next((c for c, p in self.ret.progress.items() if p.row == location.row), None)
            row = self.code_rows.get(code)
            if location.header in self.headings:
                from openpyxl.utils import get_column_letter

                column = get_column_letter(self.headings[location.header])
        elif sheet_name == SURVEY_SHEET:
            row = self.survey_rows.get(location.row)
            if row is None and self.spare:
                row = self.spare.pop(0)
        else:
            row = location.row
        if row is None:
            return Mark(sheet_name, "", finding.problem.message, content)
        sheet = self.workbook[sheet_name]
        cell = sheet[f"{column}{row}"]
        if content and cell.value in (None, ""):
            set_text(cell, content)  # what the unit typed, to be corrected in place
        return Mark(sheet_name, f"{column}{row}", finding.problem.message, content)

    def draw(self) -> None:
        from openpyxl.comments import Comment
        from openpyxl.styles import Border, Side

        side = Side(style="medium", color=MARK_COLOUR)
        author = self.plan.facts.office or self.plan.facts.recipient
        notes: dict[tuple[str, str], list[str]] = {}
        for mark in self.marks:
            if mark.cell:
                notes.setdefault((mark.sheet, mark.cell), []).append(mark.message)
        for (sheet_name, coordinate), messages in notes.items():
            cell = self.workbook[sheet_name][coordinate]
            cell.border = Border(left=side, right=side, top=side, bottom=side)
            comment = Comment("\n".join(messages), author)
            comment.width, comment.height = 320, 90 + 30 * len(messages)
            cell.comment = comment
        self._sheet()

    def _sheet(self) -> None:
        from openpyxl.styles import Alignment, Font, PatternFill

        facts = self.plan.facts
        sheet = self.workbook.create_sheet(CORRECTION_SHEET, 0)
        self.workbook.active = 0
        for ws in self.workbook.worksheets:
            ws.sheet_view.tabSelected = ws is sheet
        widths = (6, 10, 10, 84, 30)
        for column, width in zip("ABCDE", widths):
            sheet.column_dimensions[column].width = width
        set_text(sheet["A1"], f"{self.state.unit.name}回報內容補正說明")
        sheet["A1"].font = Font(bold=True, size=14)
        set_text(sheet["A2"], f"下列各處請依說明修正（儲存格已以紅框標示，游標移至儲存格可看到說明），填妥「{GUIDE_SHEET}」工作表的"
                 f"填報日期後，於{roc_date(self.reply_by)}前將本檔案寄回{facts.recipient}。"
                 "本檔即為貴單位的填報表，請勿更改工作表名稱。")
        sheet["A2"].alignment = Alignment(wrap_text=True, vertical="top")
        sheet.merge_cells("A2:E2")
        sheet.row_dimensions[2].height = row_height([(sheet["A2"].value, sum(widths), BASE_FONT_SIZE)])
        fill = PatternFill("solid", fgColor="FFD9D9D9")
        for column, heading in enumerate(("序號", "工作表", "儲存格", "說明", "原填內容"), 1):
            cell = sheet.cell(4, column)
            set_text(cell, heading)
            cell.font, cell.fill = Font(bold=True), fill
        for number, mark in enumerate(self.marks, 1):
            values = (number, mark.sheet, mark.cell or "（整份）", mark.message, mark.content or None)
            for column, value in enumerate(values, 1):
                cell = sheet.cell(4 + number, column)
                set_text(cell, value)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            # Calc and Excel keep a wrapped row one line high when the file gives no height: text ran over the next
            sheet.row_dimensions[4 + number].height = row_height(
                [(_text(value), width, BASE_FONT_SIZE) for value, width in zip(values, widths)])
        sheet.freeze_panes = "A5"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True

    def save(self) -> bytes:
        return saved_workbook(self.workbook)


def correction_workbook(plan: Plan, state: UnitState, reply_by: dt.date) -> tuple[bytes, list[Mark]]:
    """The unit's 補正 workbook and the marks it carries; `reply_by` is the date it is asked back by."""
    prefill = _Prefill(plan, state, reply_by)
    prefill.fill()
    prefill.mark_all()
    prefill.draw()
    return prefill.save(), prefill.marks
