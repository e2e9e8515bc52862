"""The measures table of the circular as WordprocessingML: its columns and headings come from the master.

A docxtpl column loop cannot give each column its own width or merge the item column over its key points,
so the table is written here, in the template's paragraph styles, and the template places it with {{p }}.
"""
from __future__ import annotations

from markupsafe import Markup

from ..master.model import Dimension, KeyPoint, Plan, TableColumn
from ..master.schema import Column
from ..numbering import series_labels
from .render import CELL_STYLE, CENTRED_CELL_STYLE, OutlineStyle, paragraph_xml

HEADING_STYLE = "表格標題列"
HEADING_FILL = "D9D9D9"
# Text widths in twips of an A4 page with the template's 2.5 cm margins, across and upright.
LANDSCAPE_WIDTH = 14004
PORTRAIT_WIDTH = 9070


def table_columns(plan: Plan, dimensions: list[Dimension]) -> list[TableColumn]:
    """The plan's columns that a table of these dimensions prints: no item column without items, and no
    deadline, units or added column that every key point leaves empty."""
    key_points = [kp for dimension in dimensions for kp in dimension.key_points]
    filled = {
        Column.ITEM: any(dimension.has_items for dimension in dimensions),
        Column.DEADLINE: any(kp.deadline for kp in key_points),
        Column.UNITS: any(kp.responsible for kp in key_points),
    }
    # a column the plan adds is printed in every table when any key point of the plan fills it
    everywhere = [kp for dimension in plan.dimensions for kp in dimension.key_points]
    return [c for c in plan.columns
            if (any(kp.added.get(c.added) for kp in everywhere) if c.added else filled.get(c.column, True))]


def measures_table(plan: Plan, dimensions: list[Dimension], styles: dict[str, str], width: int,
                   headings: list[str] | None = None) -> Markup:
    """One table of the dimensions' key points. With `headings`, each dimension starts with a row that spans
    the table; a 構面 column merges each dimension down its key points, as the item column merges each item."""
    columns = table_columns(plan, dimensions)
    total = sum(c.width for c in columns) or 1
    widths = [round(width * c.width / total) for c in columns]
    cell = OutlineStyle(styles.get(CELL_STYLE), 2, 240)
    heading_style = styles.get(HEADING_STYLE)
    centred = styles.get(CENTRED_CELL_STYLE)
    rows = ["<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" + "".join(
        _cell(w, paragraph_xml(c.heading, heading_style), "center", f'<w:shd w:val="clear" w:color="auto" w:fill="{HEADING_FILL}"/>')
        for c, w in zip(columns, widths)) + "</w:tr>"]
    dimension_labels = series_labels(len(dimensions), plan.numbering(Column.DIMENSION))
    for position, dimension in enumerate(dimensions):
        if headings and headings[position]:  # a plan without dimensions has no heading to print
            rows.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>" + _cell(
                sum(widths), paragraph_xml(headings[position], cell.style_id), "center",
                f'<w:gridSpan w:val="{len(columns)}"/>' if len(columns) > 1 else "") + "</w:tr>")
        first_of_dimension = True
        item_labels = series_labels(len(dimension.items), plan.numbering(Column.ITEM))
        for item, item_label in zip(dimension.items, item_labels):
            key_point_labels = series_labels(len(item.key_points), plan.numbering(Column.KEY_POINT))
            for index, (key_point, key_point_label) in enumerate(zip(item.key_points, key_point_labels)):
                cells = []
                for column, w in zip(columns, widths):
                    merge = ""
                    if column.column is Column.DIMENSION:
                        merge = _merge(first_of_dimension)
                        content = (cell.labelled(dimension_labels[position], dimension.heading_name, centred)
                                   if first_of_dimension else paragraph_xml("", centred))
                    elif column.column is Column.ITEM:
                        merge = _merge(index == 0)
                        content = (cell.labelled(item_label, item.name or "", centred)
                                   if index == 0 else paragraph_xml("", centred))
                    elif column.column is Column.KEY_POINT:
                        content = cell.labelled(key_point_label, key_point.name, centred)
                    elif column.added:
                        content = paragraph_xml(key_point.added.get(column.added, ""), cell.style_id)
                    else:
                        content = _content(column.column, key_point, cell, centred)
                    cells.append(_cell(w, content, "top", merge))
                rows.append("<w:tr><w:trPr/>" + "".join(cells) + "</w:tr>")
                first_of_dimension = False
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    properties = ('<w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:type="auto" w:w="0"/><w:jc w:val="center"/>'
                  '<w:tblLayout w:type="fixed"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" '
                  'w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>')
    return Markup(f"<w:tbl>{properties}<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>")


def _merge(first: bool) -> str:
    return f'<w:vMerge w:val="{"restart" if first else "continue"}"/>'


def _content(column: Column, key_point: KeyPoint, cell: OutlineStyle, centred: str | None) -> str:
    match column:
        case Column.PRACTICES:
            return str(cell.paragraphs(key_point.practices))
        case Column.DEADLINE:
            return paragraph_xml(key_point.deadline, cell.style_id)
        case _:
            return str(cell.lines([ref.written for ref in key_point.responsible], centred))


def _cell(width: int, content: str, align: str, extra: str = "") -> str:
    return (f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/>{extra}<w:vAlign w:val="{align}"/></w:tcPr>'
            f"{content}</w:tc>")
