"""The contexts of the plan's documents: what the circular, the 附表2 form and the 附表3 roster print."""
from __future__ import annotations

from markupsafe import Markup

from ..master.model import Attachment, KeyPoint, Plan, Unit
from ..master.schema import AttachmentKind, Column, DimensionLayout
from ..numbering import series_labels
from .measures_table import LANDSCAPE_WIDTH, PORTRAIT_WIDTH, measures_table
from .render import BODY_STYLE, CELL_STYLE, CENTRED_CELL_STYLE, TWIPS_PER_CHAR, OutlineStyle, Subdocument, paragraph_xml

GROUP_HEADING_STYLE = "分組標題"  # the template's style of a dimension's heading above its table


def _label(plan: Plan, kind: AttachmentKind) -> str:
    attachment = plan.facts.attachment(kind)
    return attachment.label if attachment else ""


SURVEY_FORM = "survey_form"


def roster_form(plan: Plan, attachment: Attachment) -> str:
    """The name of a roster's form among the circular's sub-documents: roster_form for the first, as templates
    made before a plan could have several print it, then roster_form_附表4 …"""
    first = plan.facts.attachment(AttachmentKind.ROSTER)
    return "roster_form" if attachment == first else f"roster_form_{attachment.label}"


def attachments_context(plan: Plan) -> list[dict]:
    """The attachments in the master's order; the measures table is set across the page unless it comes last
    (a landscape section needs a section after it). A form's place is filled when the circular is rendered."""
    attachments = plan.attached

    def form(attachment: Attachment) -> Subdocument | str:
        match attachment.kind:
            case AttachmentKind.SURVEY:
                return Subdocument(SURVEY_FORM)
            case AttachmentKind.ROSTER:
                return Subdocument(roster_form(plan, attachment))
        return ""

    return [{"label": a.label, "title": a.title, "measures": a.kind is AttachmentKind.MEASURES,
             "survey": a.kind is AttachmentKind.SURVEY, "roster": a.kind is AttachmentKind.ROSTER,
             "across": a.kind is AttachmentKind.MEASURES and index < len(attachments) - 1, "form": form(a)}
            for index, a in enumerate(attachments)]


BLANK_UNIT = "(單位名稱)"


def survey_context(plan: Plan, unit: Unit | None) -> dict:
    """Context of the 附表2 form, for one unit or blank with (單位名稱)."""
    return {
        "survey_title": plan.facts.unit_survey_title(unit.name if unit else BLANK_UNIT),
        "survey_label": _label(plan, AttachmentKind.SURVEY),
        "unit_name": unit.name if unit else BLANK_UNIT,
        "survey": [{"name": d.name, "topics": d.survey_topics} for d in plan.dimensions],
    }


def roster_context(plan: Plan, styles: dict[str, str], attachment: Attachment | None = None) -> dict:
    """Context of one roster attachment's form: the plan's first roster unless said."""
    attachment = attachment or plan.facts.attachment(AttachmentKind.ROSTER)
    cell = OutlineStyle(styles.get(CELL_STYLE), 2, TWIPS_PER_CHAR[CELL_STYLE])
    groups = []
    for group in plan.roster_of(attachment) if attachment else []:
        duties = cell.paragraphs(group.duties)
        members = [
            {"role": m.role, "title": m.title, "name": m.name, "duties": duties if i == 0 else cell.paragraphs([])}
            for i, m in enumerate(group.members)
        ]
        groups.append({"name": group.name, "note": group.note.written if group.note else "", "members": members})
    return {"roster_title": plan.facts.agency + attachment.title if attachment else "", "roster": groups,
            "roster_label": attachment.label if attachment else ""}


def _body(plan: Plan, style: OutlineStyle, dimensions: list[dict], styles: dict[str, str]) -> Markup:
    """The body's paragraphs, with the measures tables (each under its dimension's heading) where the body
    places them; the numbering runs on across them."""
    if plan.table_in_body_at is None:
        return style.paragraphs(plan.body)
    # paragraph_xml is markup already: a str added to Markup would be escaped into the text
    tables = [Markup(paragraph_xml(d["heading"], styles.get(GROUP_HEADING_STYLE)) if d["heading"] else "") + d["table"]
              for d in dimensions]
    paragraphs = style.paragraph_list(plan.body)
    paragraphs[plan.table_in_body_at:plan.table_in_body_at] = tables
    return Markup("".join(paragraphs))


def _one_table(plan: Plan) -> bool:
    """The dimensions are a column of the table or rows across it, not headings above tables of their own."""
    return (plan.facts.dimension_layout is DimensionLayout.ROW
            or any(c.column is Column.DIMENSION for c in plan.columns))


def plan_context(plan: Plan, styles: dict[str, str]) -> dict:
    """Context of the circular (body and 附表1); the forms of 附表2 and 附表3 are added as sub-documents."""
    body = OutlineStyle(styles.get(BODY_STYLE), 1, TWIPS_PER_CHAR[BODY_STYLE])
    cell = OutlineStyle(styles.get(CELL_STYLE), 2, TWIPS_PER_CHAR[CELL_STYLE])

    def key_point_context(key_point: KeyPoint) -> dict:
        return {
            "name": key_point.name,
            "practices": cell.paragraphs(key_point.practices),
            "deadline": key_point.deadline,
            "due_date": key_point.due_date,
            "units": cell.lines([ref.written for ref in key_point.responsible], styles.get(CENTRED_CELL_STYLE)),
        }

    attachments = attachments_context(plan)
    width = LANDSCAPE_WIDTH if any(a["across"] for a in attachments) else PORTRAIT_WIDTH  # the body is upright
    labels = series_labels(len(plan.dimensions), plan.dimension_numbering)
    headings = [label + d.heading_name if d.heading_name else "" for label, d in zip(labels, plan.dimensions)]
    one_table = _one_table(plan)
    dimensions = []
    for heading, dimension in zip(headings, plan.dimensions):
        items = [{"name": item.name or "", "key_points": [key_point_context(kp) for kp in item.key_points]}
                 for item in dimension.items]
        dimensions.append({
            "name": dimension.name,
            "heading": heading,
            "table": "" if one_table else measures_table(plan, [dimension], styles, width),
            "has_items": dimension.has_items,
            "assessment_items": items,  # not "items": Jinja would find the dict method
            "key_points": [kp for item in items for kp in item["key_points"]],
        })
    if one_table:  # the dimensions stand inside it: the template prints one table without a heading
        dimensions = [{
            "name": "", "heading": "", "has_items": any(d.has_items for d in plan.dimensions),
            "table": measures_table(plan, plan.dimensions, styles, width,
                                    headings if plan.facts.dimension_layout is DimensionLayout.ROW else None),
            "assessment_items": [item for d in dimensions for item in d["assessment_items"]],
            "key_points": [kp for d in dimensions for kp in d["key_points"]],
        }]
    return {
        "title": plan.facts.title,
        "issue_line": plan.facts.issue_line,
        "agency": plan.facts.agency,
        "year": plan.facts.year,
        "body": _body(plan, body, dimensions, styles),
        "measures_title": plan.facts.measures_title,  # templates made before attachments were data print it
        "dimensions": dimensions,
        "attachments": attachments,
        "has_attachments": bool(attachments),
    }
