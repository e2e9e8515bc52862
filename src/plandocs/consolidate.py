"""Merge the returns used into the outputs of collect: the consolidated workbook and the consolidated report.

Pure functions of the Collection: the same returns folder gives the same bytes. Every value a unit typed
is written as data, never as a formula (XlsxWriter with strings_to_formulas off, and every string written
with write_string), so `=HYPERLINK(…)` in a return stays text in the consolidated workbook.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from markupsafe import Markup

from .collect import Collection, Finding, Return, Status, shared, shown_time, worker_pool
from .forms import ProgressRow, case_count_header, case_count_years, progress_rows
from .model import Plan, Unit, roc_date
from .numbering import number_outline
from .output import Artifact, OutputSet, reproducible
from .paths import Paths, template_path
from .render import CELL_STYLE, CENTRED_CELL_STYLE, REPORT_TEMPLATE, document_time, paragraph_xml, render_template
from .workbooks import text_lines, write_text

COLLECT_FOLDER = "回報彙整"
WORKBOOK_KIND = "回報彙整活頁簿"
REPORT_KIND = "回報彙整報告"
REPORT_ITEM_STYLE = "回報條列"  # the report template's paragraph style for one unit's progress

STATUS_SHEET = "回報狀態"
MEASURES_SHEET = "措施彙整"
PROGRESS_SHEET = "辦理情形彙整"
MATRIX_SHEET = "單位項目統計"
LEDGER_SHEET = "回報清單"
PROBLEMS_SHEET = "問題"
UNUSED_SHEET = "未採用內容"
SOURCE_HEADERS = ("來源檔案", "工作表", "儲存格")  # every row taken from a return says where it came from

FONT_SIZE = 11
LINE_HEIGHT = 15  # points per line of 11-point text
MAX_ROW_LINES = 27  # Excel's tallest row is 409 points
FONT = "標楷體"
HEADING_FILL = "#D9D9D9"
STATUS_FILLS = {Status.RETURNED: "#C6EFCE", Status.MISSING: "#FFC7CE", Status.SUPERSEDED: "#FFEB9C"}


@dataclass(frozen=True)
class Column:
    heading: str
    width: float
    wrap: bool = False


# ---------------------------------------------------------------------------------------------------------------
# Rows: what each sheet lists, as plain values


def _source(entries) -> tuple[str, str]:
    """The sheet and the cells the values came from, e.g. ("調查表", "C12、D12")."""
    sheets = list(dict.fromkeys(e.sheet for e in entries))
    return "、".join(sheets), "、".join(e.cell for e in entries)


def _unit_order(plan: Plan) -> dict[str, int]:
    return {unit.name: index for index, unit in enumerate(plan.units)}


def measure_rows(collection: Collection) -> list[list]:
    """All proposed measures, by dimension and topic in the master's order, then by unit."""
    plan = collection.plan
    topic_order = {(d.name, t): (i, j) for i, d in enumerate(plan.dimensions) for j, t in enumerate(d.survey_topics)}
    units = _unit_order(plan)
    listed = []
    for ret in collection.used():
        for index, measure in enumerate(ret.measures):
            sheet, cells = _source(measure.entries)
            key = (topic_order[measure.dimension, measure.topic], units[ret.unit.name], ret.file, index)
            listed.append((key, [measure.dimension, measure.topic, ret.unit.name, measure.name, measure.content,
                                 ret.file, sheet, cells]))
    return [row for _, row in sorted(listed, key=lambda pair: pair[0])]


@dataclass(frozen=True)
class ProgressLine:
    """One key point × unit: what was reported, or why nothing was."""

    row: ProgressRow
    unit: Unit
    state: str
    ret: Return | None

    @property
    def progress(self):
        return self.ret.progress.get(self.row.code) if self.ret else None


def progress_lines(collection: Collection) -> list[ProgressLine]:
    """Every key point × responsible unit in the master's order, and any key point a unit reported beyond its own."""
    plan = collection.plan
    used = collection.used_by_unit()
    expected: dict[str, list[Unit]] = {}
    rows: dict[str, ProgressRow] = {}
    for unit in plan.receiving_units():
        for row in progress_rows(plan, unit):
            rows.setdefault(row.code, row)
            expected.setdefault(row.code, []).append(unit)
    expected_names = {code: {unit.name for unit in units} for code, units in expected.items()}
    extra: dict[str, list[Unit]] = {}
    for ret in collection.used():
        for code in ret.progress:
            if ret.unit.name not in expected_names.get(code, ()):
                rows.setdefault(code, collection.rows[code])
                extra.setdefault(code, []).append(ret.unit)
    lines = []
    for code in sorted(rows, key=lambda c: tuple(int(part) for part in c.split("."))):
        for unit in expected.get(code, []) + extra.get(code, []):
            ret = used.get(unit.name)
            progress = ret.progress.get(code) if ret else None
            if ret is None:
                state = Status.MISSING.value
            elif progress is None:
                state = "缺列"
            elif progress.text:
                state = "已填"
            else:
                state = "未填"
            lines.append(ProgressLine(rows[code], unit, state, ret))
    return lines


def progress_table(collection: Collection, lines: list[ProgressLine]) -> list[list]:
    years = case_count_years(collection.plan)
    table = []
    for line in lines:
        progress = line.progress
        counts = [progress.counts.get(y) if progress else None for y in years]
        sheet, cells = _source(progress.entries) if progress else ("", "")
        table.append([line.row.code, line.row.dimension.name, line.row.item.name or "", line.row.key_point.name,
                      line.unit.name, line.state, progress.text if progress else "", *counts,
                      line.ret.file if line.ret and progress and progress.entries else "", sheet, cells])
    return table


def ledger_rows(collection: Collection) -> list[list]:
    """Every receiving unit with its return (or none), every other file of the folder, and why."""
    by_unit: dict[str, list[Return]] = {}
    unattached = []
    for ret in collection.returns:
        (by_unit.setdefault(ret.unit.name, []) if ret.unit else unattached).append(ret)
    units = collection.plan.receiving_units() + [u for u in collection.plan.units if not u.receives_survey]
    table = []
    for unit in units:
        returns = sorted(by_unit.get(unit.name, []), key=lambda r: not r.used)
        if unit.receives_survey and not any(r.used for r in returns):
            table.append([unit.name, unit.category, Status.MISSING.value] + [""] * 10)
        table += [_ledger_row(ret) for ret in returns]
    return table + [_ledger_row(ret) for ret in unattached]


def _ledger_row(ret: Return) -> list:
    when, by_what = ret.filed if ret.status not in (Status.SKIPPED, Status.UNREADABLE) else (None, "")
    contact = ret.contact
    sheet, cells = _source(contact.entries)
    return [ret.unit.name if ret.unit else "", ret.unit.category if ret.unit else "", ret.status.value, ret.file,
            shown_time(when) if when and when != dt.datetime.min else None, by_what, contact.reporter, contact.phone, ret.version,
            ret.recognition.value if ret.recognition else "", ret.reason, sheet, cells]


def problem_rows(problems: list[Finding], collection: Collection) -> list[list]:
    units = {ret.file: ret.unit.name for ret in collection.returns if ret.unit}
    return [[f.location.file or "", units.get(f.location.file or "", ""), f.location.sheet or "", f.location.cell(),
             f.problem.severity.value, f.problem.message, f.content] for f in problems]


def unused_rows(collection: Collection) -> list[list]:
    return [[ret.file, ret.unit.name if ret.unit else "", ret.status.value, entry.sheet, entry.cell, entry.value]
            for ret, entry in collection.unused()]


def matrix(collection: Collection) -> tuple[list[tuple[str, str]], list[tuple[Unit, list[int]]]]:
    """Measures per unit and survey topic: the topics (dimension, topic), and per unit its counts."""
    plan = collection.plan
    topics = [(d.name, t) for d in plan.dimensions for t in d.survey_topics]
    index = {topic: i for i, topic in enumerate(topics)}
    used = collection.used_by_unit()
    units = plan.receiving_units() + [r.unit for r in collection.used() if not r.unit.receives_survey]
    counts = []
    for unit in units:
        row = [0] * len(topics)
        for measure in used[unit.name].measures if unit.name in used else []:
            row[index[measure.dimension, measure.topic]] += 1
        counts.append((unit, row))
    return topics, counts


def status_by_category(collection: Collection) -> list[tuple[str, int, int]]:
    """(category, returned, missing) for each unit category of the master, in the master's order."""
    used = collection.used_by_unit()
    table: dict[str, list[int]] = {}
    for unit in collection.plan.receiving_units():
        counts = table.setdefault(unit.category, [0, 0])
        counts[0 if unit.name in used else 1] += 1
    return [(category, returned, missing) for category, (returned, missing) in table.items()]


def summary_line(collection: Collection, problems: list[Finding]) -> str:
    expected = len(collection.plan.receiving_units())
    received = expected - len(collection.missing())
    errors = sum(f.problem.is_error for f in problems)
    return (f"已收到 {received} / {expected} 個單位的回報（檔案 {len(collection.returns)} 個），"
            f"問題 {len(problems)} 項（錯誤 {errors}、警告 {len(problems) - errors}）。")


# ---------------------------------------------------------------------------------------------------------------
# The consolidated workbook


class _Writer:
    """Writes plain tables with XlsxWriter: text as text, numbers as numbers, dates as dates, never a formula."""

    def __init__(self, plan: Plan):
        import xlsxwriter  # heavy: only collect writes workbooks

        self.buffer = io.BytesIO()
        self.workbook = xlsxwriter.Workbook(self.buffer, {
            # rows go to temporary files as they are written, so a collect of 1,000 returns stays small in memory;
            # every row is therefore written in order, top to bottom
            "constant_memory": True,
            "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
            "default_format_properties": {"font_name": FONT, "font_size": FONT_SIZE},
        })
        add = self.workbook.add_format
        self.heading = add({"bold": True, "bg_color": HEADING_FILL, "border": 1, "text_wrap": True,
                            "align": "center", "valign": "vcenter"})
        self.wrap = add({"text_wrap": True, "valign": "top", "border": 1})
        self.plain = add({"valign": "top", "border": 1})
        self.date = add({"num_format": "yyyy/m/d", "valign": "top", "border": 1, "align": "left"})
        self.title = add({"bold": True, "font_size": 14})
        self.workbook.set_properties({"title": f"{plan.facts.title} 回報彙整", "author": plan.facts.agency,
                                      "created": document_time(plan.facts)})

    def value(self, sheet, row: int, column: int, value, cell_format) -> None:
        """Write one value; strings arrive cleaned (collect cleans what it reads), so they are written as they are."""
        if isinstance(value, str):
            write_text(sheet, row, column, value, cell_format)  # cut visibly at Excel's limit, never a formula
        elif value is None:
            sheet.write_blank(row, column, None, cell_format)
        elif isinstance(value, bool):
            sheet.write_boolean(row, column, value, cell_format)
        elif isinstance(value, (int, float)):
            sheet.write_number(row, column, value, cell_format)
        else:
            stamp = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
            sheet.write_datetime(row, column, stamp, self.date)

    def table(self, name: str, columns: list[Column], rows: list[list], intro: tuple[str, ...] = (),
              freeze: bool = True):
        """A sheet with the lines of `intro` on top, then the headings and the rows, filterable and printable."""
        sheet = self.workbook.add_worksheet(name)
        for number, line in enumerate(intro):
            sheet.write_string(number, 0, line, self.title if number == 0 else None)
        first_row = len(intro)
        for index, column in enumerate(columns):
            sheet.set_column(index, index, column.width)
            sheet.write_string(first_row, index, column.heading, self.heading)
        formats = [self.wrap if c.wrap else self.plain for c in columns]
        wrapped = [(index, column.width) for index, column in enumerate(columns) if column.wrap]
        for number, values in enumerate(rows, first_row + 1):
            lines = max((text_lines(values[index], width, FONT_SIZE) for index, width in wrapped
                         if isinstance(values[index], str)), default=1)
            if lines > 1:  # neither Excel nor LibreOffice grows a row for wrapped text written by a program
                sheet.set_row(number, LINE_HEIGHT * min(lines, MAX_ROW_LINES))
            for index, value in enumerate(values):
                self.value(sheet, number, index, value, formats[index])
        if freeze:
            sheet.freeze_panes(first_row + 1, 0)
        sheet.autofilter(first_row, 0, first_row + max(len(rows), 1), len(columns) - 1)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(first_row)
        sheet.set_footer("&C第 &P 頁，共 &N 頁")
        return sheet

    def close(self) -> bytes:
        self.workbook.close()
        return self.buffer.getvalue()


def consolidated_workbook(collection: Collection, problems: list[Finding]) -> bytes:
    plan = collection.plan
    writer = _Writer(plan)
    _status_sheet(writer, collection, problems)
    writer.table(MEASURES_SHEET, [Column("構面", 10), Column("項目", 16), Column("單位", 14), Column("措施名稱", 24, True),
                                  Column("措施內容", 60, True), *_source_columns()], measure_rows(collection))
    years = case_count_years(plan)
    writer.table(PROGRESS_SHEET, [
        Column("編號", 7), Column("構面", 10), Column("評核項目", 16), Column("評核重點", 20, True), Column("單位", 14),
        Column("狀態", 8), Column("辦理情形", 60, True), *(Column(case_count_header(y), 10) for y in years),
        *_source_columns()], progress_table(collection, progress_lines(collection)))
    _matrix_sheet(writer, collection)
    ledger_table = ledger_rows(collection)
    ledger = writer.table(LEDGER_SHEET, [
        Column("單位", 14), Column("類別", 6), Column("狀態", 10), Column("來源檔案", 30, True), Column("填報日期", 12),
        Column("日期依據", 16), Column("填報人", 10), Column("聯絡電話", 20), Column("表單版本", 8), Column("辨識方式", 22),
        Column("說明", 50, True), Column("工作表", 8), Column("儲存格", 10)], ledger_table)
    rows = len(ledger_table)
    for status, fill in STATUS_FILLS.items():
        ledger.conditional_format(1, 2, max(rows, 1), 2, {
            "type": "cell", "criteria": "==", "value": f'"{status.value}"',
            "format": writer.workbook.add_format({"bg_color": fill})})
    writer.table(PROBLEMS_SHEET, [Column("來源檔案", 30, True), Column("單位", 14), Column("工作表", 10), Column("儲存格", 8),
                                  Column("嚴重度", 6), Column("說明", 60, True), Column("儲存格內容", 40, True)],
                 problem_rows(problems, collection))
    writer.table(UNUSED_SHEET, [Column("來源檔案", 30, True), Column("單位", 14), Column("狀態", 10), Column("工作表", 10),
                                Column("儲存格", 8), Column("內容", 60, True)], unused_rows(collection))
    return writer.close()


def _source_columns() -> list[Column]:
    return [Column(SOURCE_HEADERS[0], 30, True), Column(SOURCE_HEADERS[1], 10), Column(SOURCE_HEADERS[2], 10)]


def _status_sheet(writer: _Writer, collection: Collection, problems: list[Finding]) -> None:
    """The overview: the summary, returned and missing units per category, and a stacked column chart of them."""
    categories = status_by_category(collection)
    sheet = writer.table(STATUS_SHEET, [Column("單位類別", 12), Column(Status.RETURNED.value, 10),
                                        Column(Status.MISSING.value, 10), Column("應回報", 10)],
                         [[c, r, m, r + m] for c, r, m in categories] +
                         [["合計", sum(r for _, r, _ in categories), sum(m for _, _, m in categories),
                           sum(r + m for _, r, m in categories)]],
                         intro=(collection.plan.facts.title + " 回報彙整", summary_line(collection, problems)), freeze=False)
    sheet.set_portrait()
    last = 2 + len(categories)
    chart = writer.workbook.add_chart({"type": "column", "subtype": "stacked"})
    for column, status in ((1, Status.RETURNED), (2, Status.MISSING)):
        chart.add_series({
            "name": [STATUS_SHEET, 2, column], "categories": [STATUS_SHEET, 3, 0, last, 0],
            "values": [STATUS_SHEET, 3, column, last, column], "fill": {"color": STATUS_FILLS[status]},
            "border": {"color": "#7F7F7F"}, "data_labels": {"value": True},
        })
    chart.set_title({"name": "各類別單位回報情形", "name_font": {"name": FONT, "size": 12}})
    chart.set_x_axis({"num_font": {"name": FONT}})
    chart.set_y_axis({"name": "單位數", "name_font": {"name": FONT}, "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom", "font": {"name": FONT}})
    sheet.insert_chart(last + 3, 0, chart, {"x_scale": 1.3, "y_scale": 1.2})


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
    for number, (unit, row) in enumerate(counts, 2):
        sheet.write_string(number, 0, unit.name, writer.plain)
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
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0, 1)


# ---------------------------------------------------------------------------------------------------------------
# The consolidated report


def paragraph(text: str, style_id: str | None, lead: str = "") -> Markup:
    """One paragraph of the report; `lead` (a unit's name) in bold before the text."""
    return Markup(paragraph_xml(text, style_id, lead=(lead, "<w:b/>") if lead else None))


def report_context(collection: Collection, problems: list[Finding], styles: dict[str, str]) -> dict:
    plan = collection.plan
    facts = plan.facts

    def text(value: str) -> Markup:
        return paragraph(value, styles.get(CELL_STYLE))

    def centred(value: str) -> Markup:
        return paragraph(value, styles.get(CENTRED_CELL_STYLE))

    by_topic: dict[tuple[str, str], dict[str, list[Markup]]] = {}
    for row in measure_rows(collection):  # in topic, then unit order
        proposals = by_topic.setdefault((row[0], row[1]), {})
        proposals.setdefault(row[2], []).append(paragraph(row[4], styles.get(CELL_STYLE), f"{row[3]}："))
    none_proposed = [{"unit": centred(""), "measures": text("（尚無單位提出）")}]
    headings = number_outline([1] * len(plan.dimensions), first_depth=2)
    dimensions = [{
        "heading": heading + dimension.name,
        "topics": [{"name": topic, "units": [{"unit": centred(unit), "measures": Markup("").join(measures)}
                                             for unit, measures in by_topic.get((dimension.name, topic), {}).items()]
                    or none_proposed} for topic in dimension.survey_topics],
    } for heading, dimension in zip(headings, plan.dimensions)]
    key_points: dict[str, dict] = {}
    for line in progress_lines(collection):
        row = line.row
        entry = key_points.setdefault(row.code, {
            "heading": f"{row.code} {row.key_point.name}",
            "context": "構面：" + row.dimension.name + (f"／評核項目：{row.item.name}" if row.item.name else "")
                       + (f"；完成期限：{row.key_point.deadline}" if row.key_point.deadline else ""),
            "reports": [], "unfilled": [],
        })
        progress = line.progress
        if progress and (progress.text or progress.counts):
            counts = "；".join(f"{case_count_header(y)}：{c:,}" for y, c in sorted(progress.counts.items()))
            entry["reports"].append(paragraph("\n".join(t for t in (progress.text, counts) if t),
                                              styles.get(REPORT_ITEM_STYLE), f"{line.unit.name}："))
        elif line.ret is not None:
            entry["unfilled"].append(line.unit.name)  # units that sent nothing are listed once, under 壹
    for entry in key_points.values():
        entry["reports"] = Markup("").join(entry["reports"]) or paragraph("（尚無單位填報）", styles.get(REPORT_ITEM_STYLE))
        entry["unfilled"] = "、".join(entry["unfilled"])
    missing = collection.missing()
    unused = [r for r in collection.returns if not r.used]
    categories = status_by_category(collection)
    return {
        "title": f"{facts.agency}{facts.year}年{facts.survey_title}回報彙整",
        "subtitle": f"{facts.title}（填報期限：{roc_date(facts.due_date)}）",
        "summary": summary_line(collection, problems) + f"問題明細請見彙整活頁簿的「{PROBLEMS_SHEET}」工作表。",
        "categories": [{"name": c, "expected": r + m, "returned": r, "missing": m} for c, r, m in categories]
                      + [{"name": "合計", "expected": sum(r + m for _, r, m in categories),
                          "returned": sum(r for _, r, _ in categories), "missing": sum(m for _, _, m in categories)}],
        "missing_units": "、".join(u.name for u in missing) or "無",
        "dimensions": dimensions,
        "key_points": list(key_points.values()),
        "unused_summary": (f"共 {len(unused)} 個檔案未採用，內容列於彙整活頁簿的「{UNUSED_SHEET}」工作表。" if unused
                           else "回報資料夾中的檔案均已採用。"),
        "unused_files": [{"name": r.file, "status": r.status.value, "reason": r.reason} for r in unused]
                        or [{"name": "", "status": "", "reason": "（無）"}],
    }


def render_report(template: Path, collection: Collection, problems: list[Finding]) -> bytes:
    return render_template(template, lambda styles: report_context(collection, problems, styles))


def _render_shared_report() -> bytes:
    return render_report(*shared())


def render_outputs(collection: Collection, problems: list[Finding], paths: Paths,
                   in_parallel: bool) -> OutputSet:
    """The consolidated workbook and report, in memory and reproducible; nothing is written here.

    For a large collection the report is rendered in a worker process while the workbook is written.
    """
    plan = collection.plan
    template = template_path(paths, REPORT_TEMPLATE)
    stamp = document_time(plan.facts)
    if in_parallel:
        with worker_pool(1, template, collection, problems) as pool:
            report = pool.submit(_render_shared_report)
            workbook = consolidated_workbook(collection, problems)
            document = report.result()
    else:
        workbook = consolidated_workbook(collection, problems)
        document = render_report(template, collection, problems)
    name = f"{plan.facts.year}年回報彙整"
    outputs = OutputSet()
    outputs.add(Artifact(PurePosixPath(f"{name}.xlsx"), reproducible(workbook, stamp), WORKBOOK_KIND))
    outputs.add(Artifact(PurePosixPath(f"{name}報告.docx"), reproducible(document, stamp), REPORT_KIND))
    return outputs
