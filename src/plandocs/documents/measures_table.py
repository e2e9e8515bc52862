"""The measures table of the circular as WordprocessingML: its columns and headings come from the master.

A docxtpl column loop cannot give each column its own width or merge the item column over its key points,
so the table is written here, in the template's paragraph styles, and the template places it with {{p }}.
"""
from __future__ import annotations

from markupsafe import Markup

from ..master.model import Dimension, KeyPoint, Plan, TableColumn
from ..master.schema import Column
from .render import CELL_STYLE, CENTRED_CELL_STYLE, OutlineStyle, paragraph_xml

HEADING_STYLE = "表格標題列"
HEADING_FILL = "D9D9D9"
# Text widths in twips of an A4 page with the template's 2.5 cm margins, across and upright.
LANDSCAPE_WIDTH = 14004
PORTRAIT_WIDTH = 9070


def dimension_columns(plan: Plan, dimension: Dimension) -> list[TableColumn]:
    """The plan's columns that this dimension's table prints: no item column without items, and no
    deadline or units column that every key point leaves empty."""
    key_points = dimension.key_points
    filled = {
        Column.ITEM: dimension.has_items,
        Column.DEADLINE: any(kp.deadline for kp in key_points),
        Column.UNITS: any(kp.responsible for kp in key_points),
    }
    return [c for c in plan.columns if filled.get(c.column, True)]


def measures_table(plan: Plan, dimension: Dimension, styles: dict[str, str], width: int) -> Markup:
    columns = dimension_columns(plan, dimension)
    total = sum(c.width for c in columns) or 1
    widths = [round(width * c.width / total) for c in columns]
    cell = OutlineStyle(styles.get(CELL_STYLE), 2, 240)
    heading_style = styles.get(HEADING_STYLE)
    centred = styles.get(CENTRED_CELL_STYLE)
    rows = ["<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" + "".join(
        _cell(w, paragraph_xml(c.heading, heading_style), "center", f'<w:shd w:val="clear" w:color="auto" w:fill="{HEADING_FILL}"/>')
        for c, w in zip(columns, widths)) + "</w:tr>"]
    for item in dimension.items:
        for index, key_point in enumerate(item.key_points):
            cells = []
            for column, w in zip(columns, widths):
                merge = ""
                if column.column is Column.ITEM:
                    merge = f'<w:vMerge w:val="{"restart" if index == 0 else "continue"}"/>'
                    content = paragraph_xml(item.name or "" if index == 0 else "", centred)
                else:
                    content = _content(column.column, key_point, cell, centred)
                cells.append(_cell(w, content, "top", merge))
            rows.append("<w:tr><w:trPr/>" + "".join(cells) + "</w:tr>")
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    properties = ('<w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:type="auto" w:w="0"/><w:jc w:val="center"/>'
                  '<w:tblLayout w:type="fixed"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" '
                  'w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>')
    return Markup(f"<w:tbl>{properties}<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>")


def _content(column: Column, key_point: KeyPoint, cell: OutlineStyle, centred: str | None) -> str:
    match column:
        case Column.KEY_POINT:
            return paragraph_xml(key_point.name, centred)
        case Column.PRACTICES:
            return str(cell.paragraphs(key_point.practices))
        case Column.DEADLINE:
            return paragraph_xml(key_point.deadline, cell.style_id)
        case _:
            return str(cell.lines([ref.written for ref in key_point.responsible], centred))


def _cell(width: int, content: str, align: str, extra: str = "") -> str:
    return (f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/>{extra}<w:vAlign w:val="{align}"/></w:tcPr>'
            f"{content}</w:tc>")
