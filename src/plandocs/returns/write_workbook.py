"""The consolidated workbook of collect, written with XlsxWriter from the tables of consolidate.py.

Every value a unit typed is written as data, never as a formula (office/text_cells.py: XlsxWriter with strings_to_formulas off,
and every string written with write_string), so `=HYPERLINK(…)` in a return stays text in the workbook.
"""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from ..documents.fill_in_form import case_count_header, case_count_years
from ..documents.render import document_time
from ..master.model import Plan
from ..office.output import work_folder
from ..office.text_cells import TEXT_ONLY_OPTIONS
from ..office.xlsx_layout import EXCEL_CELL_CHARACTERS, A4, FONT, HEADING_FILL, PAGE_FOOTER, cut_note, fit_to_cell, text_lines, write_text
from ..office.xlsx_rows import TableRows, splice_rows
from ..text import roc_time
from .consolidate import (
    LEDGER_HEADINGS, late_count, ledger_rows, matrix, measure_rows, problem_rows, progress_lines, progress_table,
    return_rate, state_counts, status_by_category, summary_line, unused_rows,
)
from .records import PRIMARY_STATES, Collection, Finding, State, Status

CONSOLIDATED_WORKBOOK_KIND = "回報彙整活頁簿"
STATUS_SHEET = "回報狀態"
MEASURES_SHEET = "措施彙整"
PROGRESS_SUMMARY_SHEET = "辦理情形彙整"
MATRIX_SHEET = "單位項目統計"
LEDGER_SHEET = "回報清單"
PROBLEMS_SHEET = "問題"
UNUSED_SHEET = "未採用內容"
SOURCE_HEADERS = ("來源檔案", "工作表", "儲存格")
MAX_SHEET_ROWS = 1_048_576  # Excel's; the problems continue on 問題（2）…  # every row taken from a return says where it came from

FONT_SIZE = 11
ROW_LINE_POINTS = 15  # the height of one line of 11-point text, in points
MAX_ROW_LINES = 27  # Excel's tallest row is 409 points
STATUS_FILLS = {Status.RETURNED: "#C6EFCE", Status.MISSING: "#FFC7CE", Status.SUPERSEDED: "#FFEB9C",
                Status.UNUSABLE_FORMAT: "#D9D2E9"}
# The states of a unit, as the ledger's 回報情形 column and the status chart colour them
STATE_FILLS = {State.RETURNED: "#C6EFCE", State.INCOMPLETE: "#FFEB9C", State.LATE: "#F4B183",
               State.NEEDS_CORRECTION: "#F8CBAD", State.UNUSABLE: "#D9D2E9", State.MISSING: "#FFC7CE"}
NOT_RETURNED_FILL = "#EDEDED"


@dataclass(frozen=True)
class Column:
    heading: str
    width: float
    wrap: bool = False


def _source_columns() -> list[Column]:
    return [Column(SOURCE_HEADERS[0], 30, True), Column(SOURCE_HEADERS[1], 10), Column(SOURCE_HEADERS[2], 10)]


MEASURE_COLUMNS = [Column("構面", 10), Column("項目", 16), Column("單位", 14), Column("措施名稱", 24, True),
                   Column("措施內容", 60, True), *_source_columns()]


class _Writer:
    """Writes plain tables with XlsxWriter: text as text, numbers as numbers, dates as dates, never a formula.

    A table's rows, which make nearly all of a large collection's cells, are written as worksheet XML by
    office/xlsx_rows.py and spliced in when the workbook is closed; XlsxWriter writes everything else.
    """

    def __init__(self, plan: Plan, work: Path):
        import xlsxwriter  # heavy: only collect writes workbooks

        self.buffer = io.BytesIO()
        self.workbook = xlsxwriter.Workbook(self.buffer, {
            "tmpdir": str(work),  # the rows hold units' content: in a folder removed even after an interrupt
            # rows go to temporary files as they are written, so a collect of 1,000 returns stays small in memory;
            # every row is therefore written in order, top to bottom
            "constant_memory": True,
            **TEXT_ONLY_OPTIONS,
            "default_format_properties": {"font_name": FONT, "font_size": FONT_SIZE},
        })
        add = self.workbook.add_format
        self.heading = add({"bold": True, "bg_color": HEADING_FILL, "border": 1, "text_wrap": True,
                            "align": "center", "valign": "vcenter"})
        self.wrap = add({"text_wrap": True, "valign": "top", "border": 1})
        self.plain = add({"valign": "top", "border": 1})
        self.title = add({"bold": True, "font_size": 14})
        self.bold = add({"bold": True})
        self.tables: list[TableRows] = []
        self.workbook.set_properties({"title": f"{plan.facts.title} 回報彙整", "author": plan.facts.agency,
                                      "created": document_time(plan.facts)})

    def value(self, sheet, row: int, column: int, value, cell_format) -> None:
        """Write one value of the overview sheets; strings arrive cleaned (collect cleans what it reads)."""
        if isinstance(value, str):
            write_text(sheet, row, column, value, cell_format, cut_note("原回報檔"))
        elif isinstance(value, (int, float)):
            sheet.write_number(row, column, value, cell_format)
        else:
            sheet.write_blank(row, column, None, cell_format)

    def table(self, name: str, columns: list[Column], rows: list[list] | None, intro: tuple[str, ...] = (),
              freeze: bool = True, rows_elsewhere: RowsElsewhere | None = None):
        """A sheet with the lines of `intro` on top, then the headings and the rows, filterable and printable.

        With `rows_elsewhere`, the rows' XML is made by another process, given the sheet's place and formats.
        """
        sheet = self.workbook.add_worksheet(name)
        for number, line in enumerate(intro):
            sheet.write_string(number, 0, line, self.title if number == 0 else None)
        first_row = len(intro)
        for index, column in enumerate(columns):
            sheet.set_column(index, index, column.width)
            sheet.write_string(first_row, index, column.heading, self.heading)
        # The formats' numbers in styles.xml: XlsxWriter gives a format its number when a cell first uses it
        place = TablePlace(len(self.workbook.worksheets()), first_row,
                           [(self.wrap if c.wrap else self.plain)._get_xf_index() for c in columns])
        made = rows_elsewhere(place) if rows_elsewhere is not None else table_rows(place, columns, rows)
        self.tables.append((sheet, place, len(columns), made))
        if freeze:
            sheet.freeze_panes(first_row + 1, 0)
        sheet.set_landscape()
        sheet.set_paper(A4)
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(first_row)
        sheet.set_footer(PAGE_FOOTER)
        return sheet

    def close(self) -> bytes:
        tables = []
        for sheet, place, width, made in self.tables:
            rows = made.result() if isinstance(made, Future) else made
            # the filter covers the rows, known only once they are made
            sheet.autofilter(place.first_row, 0, place.first_row + max(len(rows.parts), 1), width - 1)
            tables.append(rows)
        self.workbook.close()
        return splice_rows(self.buffer.getvalue(), tables)


@dataclass(frozen=True)
class TablePlace:
    """Where a table's rows go: its sheet (1 for the workbook's first), the row of its headings, each column's
    cell format as XlsxWriter numbered it."""
    sheet_position: int
    first_row: int
    styles: list[int]


RowsElsewhere = Callable[[TablePlace], "Future[TableRows]"]


def table_rows(place: TablePlace, columns: list[Column], rows: list[list]) -> TableRows:
    """The rows of a table below its headings, as worksheet XML: a pure function, so a worker can make them."""
    table = TableRows(place.sheet_position, place.first_row + 1, place.styles)
    wrapped = [(index, column.width) for index, column in enumerate(columns) if column.wrap]
    headings = [c.heading for c in columns]
    for values in rows:
        lines = max((text_lines(values[index], width, FONT_SIZE) for index, width in wrapped
                     if isinstance(values[index], str)), default=1)
        # neither Excel nor LibreOffice grows a row for wrapped text written by a program
        height = ROW_LINE_POINTS * min(lines, MAX_ROW_LINES) if lines > 1 else None
        long = any(isinstance(value, str) and len(value) * 2 > EXCEL_CELL_CHARACTERS for value in values)
        note = cut_note(_source_of(values, headings)) if long else ""
        table.add([_cell_value(value, note) for value in values], height)
    return table


def measures_table_rows(collection: Collection, place: TablePlace) -> TableRows:
    """措施彙整's rows, the workbook's largest table (a row per measure of every return)."""
    return table_rows(place, MEASURE_COLUMNS, measure_rows(collection))


def _cell_value(value, note: str):
    """A table's value as a cell holds it: text cut visibly at Excel's limit, pointing to the return's cell
    (`note`), and a date a unit typed in the ROC calendar, as every date of collect's outputs."""
    if isinstance(value, str):
        return fit_to_cell(value, note)
    if isinstance(value, (dt.date, dt.datetime)):
        return roc_time(value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time()))
    return value


def consolidated_workbook(collection: Collection, problems: list[Finding],
                          measures_elsewhere: RowsElsewhere | None = None) -> bytes:
    """The workbook's bytes; with `measures_elsewhere`, 措施彙整's rows are made by another process meanwhile."""
    with work_folder("plandocs-work-") as work:
        return _consolidated_workbook(collection, problems, work, measures_elsewhere)


def _consolidated_workbook(collection: Collection, problems: list[Finding], work: Path,
                           measures_elsewhere: RowsElsewhere | None) -> bytes:
    plan = collection.plan
    writer = _Writer(plan, work)
    _status_sheet(writer, collection, problems)
    if measures_elsewhere is None:
        writer.table(MEASURES_SHEET, MEASURE_COLUMNS, measure_rows(collection))
    else:
        writer.table(MEASURES_SHEET, MEASURE_COLUMNS, None, rows_elsewhere=measures_elsewhere)
    years = case_count_years(plan)
    writer.table(PROGRESS_SUMMARY_SHEET, [
        Column("編號", 7), Column("構面", 10), Column("評核項目", 16), Column("評核重點", 20, True), Column("單位", 14),
        Column("狀態", 8), Column("辦理情形", 60, True), *(Column(case_count_header(y), 10) for y in years),
        *_source_columns()], progress_table(collection, progress_lines(collection)))
    _matrix_sheet(writer, collection)
    ledger_table = ledger_rows(collection)
    widths = {"單位": 14, "類別": 6, "狀態": 10, "回報情形": 16, "來源檔案": 30, "填報日期": 14, "日期依據": 16, "填報人": 10,
              "聯絡電話": 20, "表單版本": 8, "辨識方式": 22, "說明": 60, "工作表": 8, "儲存格": 10, "檔案類型": 28,
              "讀取方式": 16}
    ledger = writer.table(LEDGER_SHEET, [Column(h, widths[h], h in ("來源檔案", "說明", "回報情形"))
                                         for h in LEDGER_HEADINGS], ledger_table)
    rows = len(ledger_table)
    for status, fill in STATUS_FILLS.items():
        ledger.conditional_format(1, 2, max(rows, 1), 2, {
            "type": "cell", "criteria": "==", "value": f'"{status.value}"',
            "format": writer.workbook.add_format({"bg_color": fill})})
    for state in PRIMARY_STATES:  # 回報情形 begins with the unit's primary state
        ledger.conditional_format(1, 3, max(rows, 1), 3, {
            "type": "text", "criteria": "begins with", "value": state.value, "stop_if_true": True,
            "format": writer.workbook.add_format({"bg_color": STATE_FILLS[state]})})
    _long_table(writer, PROBLEMS_SHEET, [
        Column("來源檔案", 30, True), Column("單位", 14), Column("工作表", 10), Column("儲存格", 8), Column("嚴重度", 6),
        Column("說明", 60, True), Column("儲存格內容", 40, True)], problem_rows(problems, collection))
    _long_table(writer, UNUSED_SHEET, [Column("來源檔案", 30, True), Column("單位", 14), Column("狀態", 10),
                                       Column("工作表", 10), Column("儲存格", 8), Column("內容", 60, True)],
                unused_rows(collection))
    return writer.close()


def _long_table(writer: _Writer, name: str, columns: list[Column], rows: list[list]) -> None:
    """A table that may pass a sheet's last row: it goes on in 問題（2）, 問題（3）…, never cut silently."""
    per_sheet = MAX_SHEET_ROWS - 1  # below the headings
    for part, start in enumerate(range(0, max(len(rows), 1), per_sheet), 1):
        writer.table(name if part == 1 else f"{name}（{part}）", columns, rows[start:start + per_sheet])


def _source_of(values: list, headings: list[str]) -> str:
    """Where a row's values came from, for the note of a cut cell: 回報檔「a.xlsx」工作表「調查表」D12."""
    found = dict(zip(headings, values))
    file, sheet, cells = (found.get(heading) or "" for heading in SOURCE_HEADERS)
    if not file:
        return "原回報檔"
    return f"回報檔「{file}」" + (f"工作表「{sheet}」" if sheet else "") + (f"{cells}" if cells else "")


def _status_sheet(writer: _Writer, collection: Collection, problems: list[Finding]) -> None:
    """The overview: 回報率, units per category, units per state, and a chart of the states."""
    categories = status_by_category(collection)
    returned, expected, rate = return_rate(collection)
    sheet = writer.workbook.add_worksheet(STATUS_SHEET)  # written top to bottom (constant memory)
    for column, width in enumerate((16, 10, 10, 10, 10)):
        sheet.set_column(column, column, width)
    sheet.write_string(0, 0, collection.plan.facts.title + " 回報彙整", writer.title)
    sheet.write_string(1, 0, f"回報率 {rate}（應回報 {expected} 個單位，已回報 {returned} 個）", writer.bold)
    sheet.write_string(2, 0, summary_line(collection, problems))
    headings = ("單位類別", "應回報", Status.RETURNED.value, Status.MISSING.value, "回報率")
    for column, heading in enumerate(headings):
        sheet.write_string(4, column, heading, writer.heading)
    totals = ["合計", sum(r + m for _, r, m in categories), sum(r for _, r, _ in categories),
              sum(m for _, _, m in categories)]
    for number, values in enumerate([[c, r + m, r, m] for c, r, m in categories] + [totals], 5):
        for column, value in enumerate(values):
            writer.value(sheet, number, column, value, writer.plain)
        sheet.write_string(number, 4, f"{values[2] / values[1]:.1%}" if values[1] else "—", writer.plain)
    first = 5 + len(categories) + 3
    sheet.write_string(first - 1, 0, "各狀態單位數（每個單位計入一種狀態）", writer.bold)
    sheet.write_string(first, 0, "狀態", writer.heading)
    sheet.write_string(first, 1, "單位數", writer.heading)
    counts = state_counts(collection)
    for number, (state, count) in enumerate(counts, first + 1):
        sheet.write_string(number, 0, state.value, writer.plain)
        sheet.write_number(number, 1, count, writer.plain)
    last = first + len(counts)
    sheet.write_string(last + 1, 0, f"其中逾期回報 {late_count(collection)} 個單位（已計入上列狀態）")
    chart = writer.workbook.add_chart({"type": "bar"})
    chart.add_series({
        "name": "單位數", "categories": [STATUS_SHEET, first + 1, 0, last, 0],
        "values": [STATUS_SHEET, first + 1, 1, last, 1], "border": {"color": "#7F7F7F"},
        "points": [{"fill": {"color": STATE_FILLS[state]}} for state, _ in counts],
        "data_labels": {"value": True, "font": {"name": FONT}},
    })
    chart.set_title({"name": f"各單位回報情形（回報率 {rate}）", "name_font": {"name": FONT, "size": 12}})
    chart.set_x_axis({"name": "單位數", "name_font": {"name": FONT}, "num_font": {"name": FONT},
                      "major_gridlines": {"visible": True}})
    chart.set_y_axis({"num_font": {"name": FONT, "size": 11}, "reverse": True})
    chart.set_legend({"none": True})
    sheet.insert_chart(last + 3, 0, chart, {"x_scale": 1.3, "y_scale": 1.1})
    sheet.set_portrait()
    sheet.set_paper(A4)
    sheet.fit_to_pages(1, 0)
    sheet.set_footer(PAGE_FOOTER)


def _matrix_sheet(writer: _Writer, collection: Collection) -> None:
    """Units down, survey topics across (under their dimension), the count of measures in each cell, colour-scaled."""
    topics, counts = matrix(collection)
    sheet = writer.workbook.add_worksheet(MATRIX_SHEET)
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, len(topics) + 1, 9)
    total_column = len(topics) + 1
    sheet.write_string(0, 0, "構面", writer.heading)
    start = 1
    for dimension in dict.fromkeys(d for d, _ in topics):
        span = sum(1 for d, _ in topics if d == dimension)
        if span > 1:
            sheet.merge_range(0, start, 0, start + span - 1, dimension, writer.heading)
        else:
            sheet.write_string(0, start, dimension, writer.heading)
        start += span
    sheet.merge_range(0, total_column, 1, total_column, "合計", writer.heading)
    sheet.write_string(1, 0, "單位＼項目", writer.heading)
    for column, (_, topic) in enumerate(topics, 1):
        sheet.write_string(1, column, topic, writer.heading)
    not_returned = writer.workbook.add_format({"border": 1, "align": "center", "bg_color": NOT_RETURNED_FILL,
                                               "font_color": "#7F7F7F"})
    for number, (unit, row) in enumerate(counts, 2):
        sheet.write_string(number, 0, unit.name, writer.plain)
        if row is None:  # not a 0: nothing came in to count
            sheet.merge_range(number, 1, number, total_column, Status.MISSING.value, not_returned)
            continue
        for column, count in enumerate(row, 1):
            sheet.write_number(number, column, count, writer.plain)
        sheet.write_number(number, total_column, sum(row), writer.plain)
    last = 1 + len(counts)
    if counts:
        sheet.conditional_format(2, 1, last, len(topics), {
            "type": "2_color_scale", "min_color": "#FFFFFF", "max_color": "#63BE7B"})
        sheet.conditional_format(2, total_column, last, total_column, {
            "type": "3_color_scale", "min_color": "#F8696B", "mid_color": "#FFEB84", "max_color": "#63BE7B"})
    sheet.freeze_panes(2, 1)
    sheet.set_landscape()
    sheet.set_paper(A4)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0, 1)
