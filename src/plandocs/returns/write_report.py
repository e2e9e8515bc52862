"""The consolidated report of collect (templates/report.docx), and both outputs of collect made in memory."""
from __future__ import annotations

import datetime as dt
from pathlib import Path, PurePosixPath

from markupsafe import Markup

from ..documents.fill_in_form import case_count_header, plan_progress_rows
from ..documents.render import (
    BODY_STYLE, CELL_STYLE, CENTRED_CELL_STYLE, TWIPS_PER_CHAR, OutlineStyle, document_time, paragraph_xml,
    render_template,
)
from ..documents.templates import REPORT_TEMPLATE
from ..errors import Location
from ..master.model import Paragraph, Plan
from ..numbering import number_outline
from ..office.output import Artifact, OutputSet, reproducible
from ..office.xlsx_rows import TableRows
from ..parallel import shared, worker_pool
from ..paths import Paths, template_path
from ..text import roc_date
from . import large_report
from .consolidate import measure_rows, progress_lines, reply_deadline, return_rate, status_by_category
from .records import Collection, Finding, Return, State, Status, UnitState
from .write_workbook import CONSOLIDATED_WORKBOOK_KIND, TablePlace, consolidated_workbook, measures_table_rows

COLLECT_FOLDER = "回報彙整"
REPORT_KIND = "回報彙整報告"
REPORT_ITEM_STYLE = "回報條列"  # the report template's paragraph style for one unit's progress



def paragraph(text: str, style_id: str | None, lead: str = "") -> Markup:
    """One paragraph of the report; `lead` (a unit's name) in bold before the text."""
    return Markup(paragraph_xml(text, style_id, lead=(lead, "<w:b/>") if lead else None))


def outline_labels(count: int, first_depth: int = 1) -> list[str]:
    """The labels of `count` headings of one level: none for a single one, as an officer writes no 一、 without 二、."""
    return number_outline([1] * count, first_depth=first_depth) if count > 1 else [""]


def body_outline(styles: dict[str, str], entries: list[tuple[int | None, str]]) -> Markup:
    """Body paragraphs numbered 一、 (一) … by the project's numbering, with hanging indents."""
    style = OutlineStyle(styles.get(BODY_STYLE), 2, TWIPS_PER_CHAR[BODY_STYLE])
    return style.paragraphs([Paragraph(level, text, Location()) for level, text in entries])


def file_kind(ret: Return) -> str:
    """What a unit sent that could not be merged, as a clerk would say it."""
    if ret.status is Status.REJECTED:
        return "舊版或他年度之填報表"
    suffix = PurePosixPath(ret.file).suffix.lower()
    if suffix in (".docx", ".doc", ".odt", ".rtf"):
        return "Word文件"
    if suffix == ".pdf":
        return "PDF檔"
    if suffix in (".ods", ".xls", ".csv"):
        return "非本次寄發之填報表格式"
    return "無法開啟之檔案"


LISTED_ABOVE = "（見上列）"  # the units not reported for an item are named beside its first key point
NAMED_AT_MOST = 3  # a long list is cut to its first names and 「等」: the 補正 workbook lists every one


def _some(names) -> str:
    names = list(names)
    return "、".join(names[:NAMED_AT_MOST]) + ("等" if len(names) > NAMED_AT_MOST else "")


def reasons_by_state(state: UnitState, due: dt.date) -> list[tuple[State, str]]:
    """Why a unit is written to, a phrase per state (內容不全 may have two), without the tool's words."""
    reasons: list[tuple[State, str]] = []
    if State.MISSING in state.states or State.UNUSABLE in state.states:
        kinds = "、".join(dict.fromkeys(file_kind(r) for r in state.unusable))
        reasons.append((State.UNUSABLE, f"來件為{kinds}，無法彙整，視同未回報") if kinds
                       else (State.MISSING, "尚未回報"))
    if state.blank_key_points:
        reasons.append((State.INCOMPLETE, f"{len(state.blank_key_points)}項評核重點未填辦理情形或件數（"
                        + _some(f"「{row.key_point.name}」" for row in state.blank_key_points) + "）"))
    if state.blank_topics and state.ret is not None and not state.ret.measures:
        reasons.append((State.INCOMPLETE, "調查表未提出任何措施"))
    elif state.blank_topics:
        reasons.append((State.INCOMPLETE, f"{len(state.blank_topics)}個必填項目未提出措施"
                                          f"（{_some(t for _, t in state.blank_topics)}）"))
    if state.blank_contact:
        reasons.append((State.INCOMPLETE, "未填" + "、".join(state.blank_contact)))
    if State.LATE in state.states:
        reasons.append((State.LATE, f"於{roc_date(state.filed)}回報，逾填報期限{roc_date(due)}"))
    if state.errors:
        reasons.append((State.NEEDS_CORRECTION, f"{len(state.errors)}處填寫內容有誤，須補正"))
    return reasons


def chase_reasons(state: UnitState, due: dt.date) -> list[str]:
    return [text for _, text in reasons_by_state(state, due)]


# How the report heads the units of each primary state it lists, in the order a clerk deals with them
_STATE_TITLES = ((State.MISSING, "尚未回報"), (State.UNUSABLE, "來件格式無法彙整，視同未回報"),
                 (State.NEEDS_CORRECTION, "填寫內容有誤，須補正"), (State.INCOMPLETE, "內容不全"))


def summary_paragraphs(collection: Collection, as_of: dt.date) -> list[tuple[int | None, str]]:
    """回報率 first, then the units by primary state (each unit once, so the counts add up), the late ones as
    information, and how many the 催報 writes to."""
    facts = collection.plan.facts
    returned, expected, rate = return_rate(collection)
    entries: list[tuple[int | None, str]] = [(None, (
        f"本計畫應回報單位{expected}個，截至中華民國{roc_date(as_of)}止已回報{returned}個，回報率{rate}"
        f"（填報期限為{roc_date(facts.due_date)}）。"))]
    states = [s for s in collection.states() if s.unit.receives_survey]
    for kind, title in _STATE_TITLES:
        units = [s for s in states if s.primary is kind]
        if not units:
            continue
        heading = f"{title}（{len(units)}個單位）："
        if kind is State.MISSING:
            entries.append((1, heading + "、".join(s.unit.name for s in units) + "。"))
            continue
        why = {s.unit.name: "；".join(text for state, text in reasons_by_state(s, facts.due_date)
                                     if state is not State.LATE) + "。" for s in units}
        if len(why) == 1:  # said in its heading's line: an officer numbers no (一) without a (二)
            entries += [(1, heading + "，".join(*why.items()))]
        else:
            entries += [(1, heading)] + [(2, f"{name}：{text}") for name, text in why.items()]
    late = [s for s in states if State.LATE in s.states]
    if late:
        entries.append((1, f"逾期回報（{len(late)}個單位，已列入彙整）：" + "、".join(
            f"{s.unit.name}（{roc_date(s.filed)}）" for s in late) + "。"))
    chased = [s for s in states if s.to_chase]
    senders = [s.unit.name for s in states if s.sender and s.primary is not State.RETURNED]
    if len(entries) == 1:
        entries.append((None, "各單位均已依限回報，內容完整。"))
    elif chased:
        entries.append((1, f"上列單位{'（' + '、'.join(senders) + '為收件單位，不另催報）' if senders else ''}"
                           f"計{len(chased)}個單位另以書函請其於{roc_date(reply_deadline(as_of))}前回報或補正；"
                           "須補正者，已將其填報內容標示待補正之處，請其補正後再送。"))
    return entries


def _reply_text(progress) -> str:
    counts = "；".join(f"{case_count_header(y)}：{c:,}" for y, c in sorted(progress.counts.items()))
    return "\n".join(t for t in (progress.text, counts) if t)


def progress_tables(collection: Collection, styles: dict[str, str]) -> list[dict]:
    """辦理情形彙整表 in the shape of 附表1: one table per dimension, 評核項目 merged over its key points, and
    under each key point every responsible unit's 辦理情形 and case counts; who has not reported is named once
    per 評核項目, beside its first key point (a cell merged over them all, taller than its rows, is set by
    LibreOffice across pages where the page model cannot follow it)."""
    item_style = styles.get(REPORT_ITEM_STYLE)
    cell_style = styles.get(CELL_STYLE)
    large = large_report.is_large(collection)
    lines: dict[str, list] = {}
    for line in progress_lines(collection):
        lines.setdefault(line.row.code, []).append(line)
    rows_by_item: dict[int, list] = {}
    for row in plan_progress_rows(collection.plan):
        rows_by_item.setdefault(id(row.item), []).append(row)
    unit_order = {unit.name: index for index, unit in enumerate(collection.plan.units)}
    tables = []
    labels = outline_labels(len(collection.plan.dimensions), first_depth=2)
    for label, dimension in zip(labels, collection.plan.dimensions):
        groups = []
        for item in dimension.items:
            table_rows, missing, blank = [], set(), set()
            for row in rows_by_item.get(id(item), []):
                answered = []
                for line in lines.get(row.code, []):
                    progress = line.progress
                    if progress and (progress.text or progress.counts):
                        answered.append(line)
                    else:
                        (missing if line.ret is None else blank).add(line.unit.name)
                if large:
                    reports = [paragraph(large_report.progress_digest(answered, case_count_header), item_style)
                               ] if answered else []
                else:
                    reports = [paragraph(_reply_text(line.progress), item_style, f"{line.unit.name}：")
                               for line in answered]
                nobody = not lines.get(row.code)  # no receiving unit answers for it
                table_rows.append({
                    "key_point": row.key_point.name,
                    "reports": Markup("").join(reports)
                               or paragraph("（未列承辦單位）" if nobody else "（尚無單位填報）", item_style),
                })
            if table_rows:
                named = large_report.units_named if large else "、".join
                unreported = [paragraph(f"{title}{named(sorted(names, key=unit_order.__getitem__))}", cell_style)
                              for title, names in (("未回報：", missing), ("已回報但未填：", blank)) if names]
                for row, table_row in zip(rows_by_item[id(item)], table_rows):
                    table_row["unreported"] = paragraph("—" if not lines.get(row.code) else "無", cell_style)
                if unreported:
                    table_rows[0]["unreported"] = Markup("").join(unreported)
                    for later in table_rows[1:]:
                        later["unreported"] = paragraph(LISTED_ABOVE, cell_style)
                groups.append({"name": item.name or dimension.name, "rows": table_rows})
        tables.append({"heading": label + dimension.heading_name, "groups": groups})
    return tables


def report_context(collection: Collection, problems: list[Finding], styles: dict[str, str]) -> dict:
    """What the report prints: the 回報率 and whom to chase, proposals by topic, and the 辦理情形彙整表."""
    plan = collection.plan
    facts = plan.facts
    as_of = collection.as_of or facts.due_date

    def text(value: str) -> Markup:
        return paragraph(value, styles.get(CELL_STYLE))

    def centred(value: str) -> Markup:
        return paragraph(value, styles.get(CENTRED_CELL_STYLE))

    by_topic: dict[tuple[str, str], dict[str, list[Markup]]] = {}
    for row in measure_rows(collection):  # in topic, then unit order
        proposals = by_topic.setdefault((row[0], row[1]), {})
        proposals.setdefault(row[2], []).append(paragraph(row[4], styles.get(CELL_STYLE), f"{row[3]}："))
    if large_report.is_large(collection):
        by_topic = {topic: {f"{len(proposals)}個單位": [text(large_report.measures_digest(proposals))]}
                    for topic, proposals in by_topic.items()}
    none_proposed = [{"unit": centred(""), "measures": text("（尚無單位提出）")}]
    headings = outline_labels(len(plan.dimensions), first_depth=2)
    dimensions = [{
        "heading": heading + dimension.name,
        "topics": [{"name": topic, "units": [{"unit": centred(unit), "measures": Markup("").join(measures)}
                                             for unit, measures in by_topic.get((dimension.name, topic), {}).items()]
                    or none_proposed} for topic in dimension.survey_topics],
    } for heading, dimension in zip(headings, plan.dimensions)]
    categories = status_by_category(collection)

    def rate(returned: int, expected: int) -> str:
        return f"{returned / expected:.1%}" if expected else "—"

    returned, expected, _ = return_rate(collection)
    office = "　".join(part for part in (f"承辦單位：{facts.office or facts.recipient}",
                                          f"承辦人：{facts.officer}" if facts.officer else "") if part)
    sections = number_outline([1, 1, 1])
    return {
        "title": f"{facts.title}各單位辦理情形彙整報告",
        "as_of": f"截至中華民國{roc_date(as_of)}止",
        "office_line": office,
        "headings": {"summary": sections[0] + "回報情形", "measures": sections[1] + "各單位提出之措施",
                     "progress": sections[2] + "評核重點辦理情形彙整表"},
        "summary": body_outline(styles, summary_paragraphs(collection, as_of)),
        "categories_title": "各類別單位回報情形",
        "categories": [{"name": c, "expected": r + m, "returned": r, "missing": m, "rate": rate(r, r + m)}
                       for c, r, m in categories]
                      + [{"name": "合計", "expected": expected, "returned": returned,
                          "missing": expected - returned, "rate": rate(returned, expected)}],
        "dimensions": dimensions,
        "progress_note": "各評核重點下列出承辦單位填報之辦理情形及件數；尚未回報或未填報之單位，每一評核項目列一次，"
                         "列於其第一個評核重點之「未填報單位」欄。",
        "progress_tables": progress_tables(collection, styles),
    }


def report_context_without_returns(plan: Plan, styles: dict[str, str]) -> dict:
    """The report's context before any return has come in: what `check` checks the report template with."""
    return report_context(Collection(plan, [], {}), [], styles)


def render_report(template: Path, collection: Collection, problems: list[Finding]) -> bytes:
    # The report of a large collect holds tens of thousands of numbers (counts, years): cutting a run around
    # each took a 1,000-return collect from 43 s to 62 s (and 464 to 778 MB). Its tables' widths keep numbers whole.
    return render_template(template, lambda styles: report_context(collection, problems, styles),
                           names=collection.plan.unit_names, numbers_as_latin=False,
                           title_names=collection.plan.facts.typed_names)


def _render_shared_report() -> bytes:
    return render_report(*shared())


def _shared_measures_table_rows(place: TablePlace) -> TableRows:
    _, collection, _ = shared()
    return measures_table_rows(collection, place)


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
            # the report takes less than half the workbook's time: the same worker then makes its largest table
            workbook = consolidated_workbook(collection, problems,
                                             lambda place: pool.submit(_shared_measures_table_rows, place))
            document = report.result()
    else:
        workbook = consolidated_workbook(collection, problems)
        document = render_report(template, collection, problems)
    name = f"{plan.facts.year}年回報彙整"
    outputs = OutputSet()
    outputs.add(Artifact(PurePosixPath(f"{name}.xlsx"), reproducible(workbook, stamp), CONSOLIDATED_WORKBOOK_KIND))
    outputs.add(Artifact(PurePosixPath(f"{name}報告.docx"), reproducible(document, stamp), REPORT_KIND))
    return outputs
