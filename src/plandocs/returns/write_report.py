"""The consolidated report of collect (templates/report.docx), and both outputs of collect made in memory."""
from __future__ import annotations

from pathlib import Path, PurePosixPath

from markupsafe import Markup

from ..documents.fill_in_form import case_count_header
from ..documents.render import CELL_STYLE, CENTRED_CELL_STYLE, document_time, paragraph_xml, render_template
from ..documents.templates import REPORT_TEMPLATE
from ..master.model import Plan
from ..numbering import number_outline
from ..office.output import Artifact, OutputSet, reproducible
from ..parallel import shared, worker_pool
from ..paths import Paths, template_path
from ..text import roc_date
from .consolidate import measure_rows, progress_lines, status_by_category, summary_line
from .records import Collection, Finding
from .write_workbook import CONSOLIDATED_WORKBOOK_KIND, PROBLEMS_SHEET, UNUSED_SHEET, consolidated_workbook

COLLECT_FOLDER = "回報彙整"
REPORT_KIND = "回報彙整報告"
REPORT_ITEM_STYLE = "回報條列"  # the report template's paragraph style for one unit's progress



def paragraph(text: str, style_id: str | None, lead: str = "") -> Markup:
    """One paragraph of the report; `lead` (a unit's name) in bold before the text."""
    return Markup(paragraph_xml(text, style_id, lead=(lead, "<w:b/>") if lead else None))


def report_context(collection: Collection, problems: list[Finding], styles: dict[str, str]) -> dict:
    """What the report prints: proposals by dimension and topic, progress by key point, missing and unused files."""
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


def report_context_without_returns(plan: Plan, styles: dict[str, str]) -> dict:
    """The report's context before any return has come in: what `check` checks the report template with."""
    return report_context(Collection(plan, [], {}), [], styles)


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
    outputs.add(Artifact(PurePosixPath(f"{name}.xlsx"), reproducible(workbook, stamp), CONSOLIDATED_WORKBOOK_KIND))
    outputs.add(Artifact(PurePosixPath(f"{name}報告.docx"), reproducible(document, stamp), REPORT_KIND))
    return outputs
