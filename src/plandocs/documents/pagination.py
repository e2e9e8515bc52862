"""Tables that page like the issued plan, in Word and in LibreOffice, decided when the .docx is written.

Independent of how a table is produced (which columns, which template), on the rendered document:

- column widths follow content and long titles break at natural boundaries (table_widths.py);
- every row is `w:cantSplit`, so neither program breaks a row on its own; the rows of a group of short
  rows (tied by a vertical merge of the first column, e.g. one roster group) that fit on a page are kept
  on one (`w:keepNext`, which both programs honour for table rows); a table's last row never stands alone;
- a row taller than the room left moves to the next page whole when it fits there and the room left is a
  small share of a page; otherwise (a row taller than a page, or much room left) it is split in two rows
  at a paragraph boundary where the page falls, as the page model estimates it, never leaving fewer than
  two lines on either side nor a paragraph that introduces a list (「…如下：」) at a page's foot;
- the second part repeats the row's labels (the cells before the split cell, as the issued plan does),
  and a row that begins a page, whole or as such a part, restarts there the vertical merges it continues
  with their label, so every page names the 評核項目 and 評核重點 (or group and duties, or a report's
  項目) its text belongs to, as the issued plan names its 評核項目 at the top of every page. The labels are
  repeated without a 「（續）」 mark: the issued plan has none, and text it does not have would lower the
  circular's fidelity to it.

Header rows repeat (`w:tblHeader`) as the templates set them.
"""
from __future__ import annotations

import copy

from .page_model import (
    ROW_BORDER, Page, Styles, cell_margins, child_of, grid_widths, is_header, paragraph_height, paragraph_lines,
    row_cells, section_pages, vmerge, w,
)
from .table_widths import break_name_list, break_title, fit_columns

_SHORT_ROW = 3 * 360 + ROW_BORDER  # twips: rows this short (a roster's members) make a group kept on one page
# A row that fits on a page but not in the room left is split only where that room is at least this share
# of a page: a smaller gap costs less than a split (every split repeats labels the reader must skip).
_SPLIT_ROOM = 0.4
_WIDOW_LINES = 2  # no piece of a row, and no remainder, shorter than this


def paginate(document_root, styles_root, names: frozenset[str] = frozenset(),
             title_names: frozenset[str] = frozenset()) -> None:
    """Apply every rule above to a rendered document's tree (w:document), in place; `names` (the units')
    are kept whole on a line in every column and paragraph that lists them, and a title breaks inside none of
    them nor of `title_names` (the agency's and the plan's)."""
    styles = Styles(styles_root)
    body = document_root.find(w("body"))
    for elements, page in section_pages(body):
        for element in elements:
            if element.tag == w("tbl"):
                fit_columns(element, styles, names)
            elif element.tag == w("p"):
                break_title(element, styles, page, names | title_names)
                break_name_list(element, styles, page, names)
        _Flow(styles, page).place(elements)


def _set_row_property(row, name: str) -> None:
    child_of(child_of(row, "trPr", first=True), name)


def _set_keep_next(row) -> None:
    for paragraph in row.iter(w("p")):
        child_of(child_of(paragraph, "pPr", first=True), "keepNext").attrib.pop(w("val"), None)


# ---------------------------------------------------------------- the flow of pages

class _Flow:
    """Walks a section's paragraphs and tables down its pages, deciding where rows go and splitting tall ones."""

    def __init__(self, styles: Styles, page: Page):
        self.styles = styles
        self.page = page
        self.used = 0.0

    def new_page(self) -> None:
        self.used = 0.0

    def place(self, elements: list) -> None:
        for element in elements:
            if element.tag == w("p"):
                self.paragraph(element)
            elif element.tag == w("tbl"):
                _TableFlow(self, element).place()

    def paragraph(self, paragraph) -> None:
        fmt = self.styles.of(paragraph)
        if fmt.page_break_before and self.used:
            self.new_page()
        height = paragraph_height(paragraph, self.styles, self.page.width)
        self.used += height
        while self.used > self.page.height:
            self.used -= self.page.height
        if any(br.get(w("type")) == "page" for br in paragraph.iter(w("br"))):
            self.new_page()


class _TableFlow:
    def __init__(self, flow: _Flow, table):
        self.flow = flow
        self.table = table
        self.styles = flow.styles
        self.grid = grid_widths(table)
        self.margins = cell_margins(table)
        rows = table.findall(w("tr"))
        self.headers = [r for r in rows if is_header(r)]
        self.heights: dict = {}  # row heights by w:tr, forgotten when a split or a restarted merge changes the row
        self.header_height = sum(self.row_height(r) for r in self.headers)
        self.room = flow.page.height - self.header_height  # a page's room for the body rows

    def cell_width(self, column: int, span: int) -> int:
        return sum(self.grid[column:column + span]) - self.margins

    def cell_height(self, column: int, span: int, cell, cap: float) -> float:
        """The height of a cell's text, counted only until it passes `cap` (so any height above `cap` may come
        back): a cell of a long table's row (every unit's reply) may hold thousands of paragraphs."""
        width = self.cell_width(column, span)
        height = 0.0
        for paragraph in cell.iterchildren(w("p")):
            height += paragraph_height(paragraph, self.styles, width)
            if height > cap:
                break
        return height

    def row_height(self, row) -> float:
        if row not in self.heights:
            self.heights[row] = self._row_height(row)
        return self.heights[row]

    def _row_height(self, row) -> float:
        cap = self.flow.page.height  # a row is only ever compared with the page
        heights = [self.cell_height(c, s, cell, cap) for c, s, cell in row_cells(row) if vmerge(cell) is None]
        trpr = row.find(w("trPr"))
        minimum = trpr.find(w("trHeight")) if trpr is not None else None
        floor = int(minimum.get(w("val"), 0)) if minimum is not None else 0
        return max(heights + [floor, 0]) + ROW_BORDER

    def groups(self) -> list[list]:
        groups: list[list] = []
        for row in self.table.findall(w("tr")):
            if is_header(row):
                continue
            cells = row_cells(row)
            first = vmerge(cells[0][2]) if cells else None
            if first == "continue" and groups:
                groups[-1].append(row)
            else:
                groups.append([row])
        return groups

    def merged_height(self, group: list) -> float:
        """The tallest content of a merged cell of the group (it must fit beside the group's rows)."""
        tallest = 0.0
        for column, span, cell in row_cells(group[0]):
            if vmerge(cell) == "restart":
                tallest = max(tallest, self.cell_height(column, span, cell, self.flow.page.height) + ROW_BORDER)
        return tallest

    def place(self) -> None:
        flow = self.flow
        if self.room <= 0 or not self.grid:
            return
        flow.used += self.header_height
        groups = self.groups()
        for index, group in enumerate(groups):
            heights = [self.row_height(r) for r in group]
            total = max(sum(heights), self.merged_height(group))
            fits_a_page = total <= self.room
            last_of_table = index == len(groups) - 1
            short_rows = all(h <= _SHORT_ROW for h in heights)
            if len(group) > 1 and fits_a_page and short_rows:
                for row in group[:-1]:
                    _set_keep_next(row)
                if flow.used + total > flow.page.height:
                    self.open_page(group[0])
            if last_of_table and index > 0 and fits_a_page and len(group) == 1:
                _set_keep_next(groups[index - 1][-1])  # the table's last row never alone on a page
            for row in group:
                self.place_row(row)

    def open_page(self, row) -> None:
        """`row` begins a new page: the merges it continues restart there with their label."""
        self.flow.new_page()
        self.flow.used = self.header_height
        self.restart_merges(row)

    def place_row(self, row) -> None:
        """A row that fits the room left stays; one that fits a page moves to the next whole; a taller one is
        split where the page falls (its labels repeated on the next), unless fewer than two lines would stand
        on either side of the split."""
        flow = self.flow
        _set_row_property(row, "cantSplit")
        while True:
            height = self.row_height(row)
            if flow.used + height <= flow.page.height:
                flow.used += height
                return
            left = flow.page.height - flow.used
            if height <= self.room and left < self.room * _SPLIT_ROOM:  # it moves to the next page whole
                self.open_page(row)
                flow.used += height
                return
            first = self.split(row, flow.page.height - flow.used)
            if first is None:
                if flow.used > self.header_height:  # the row starts on the next page instead
                    self.open_page(row)
                    continue
                flow.used = min(flow.used + height, flow.page.height)  # one paragraph taller than a page
                return
            flow.used += self.row_height(first)
            self.open_page(row)

    def split(self, row, room: float):
        """Split `row` so that its first part fits `room`: that part becomes a new row before it, and `row` keeps
        the rest. Returns the new row, or None where no split is possible."""
        cells = row_cells(row)
        # The cell split is the tallest; of cells more than two pages tall, the first (the ones before it are
        # labels, repeated on the next page): heights are counted to two pages and no further.
        cap = 2 * self.flow.page.height
        heights = [min(self.cell_height(c, s, cell, cap), cap) if vmerge(cell) is None else 0.0
                   for c, s, cell in cells]
        tallest = max(range(len(cells)), key=lambda i: heights[i])
        line = self.styles.of(cells[tallest][2].find(w("p"))).line_height()
        room -= ROW_BORDER + line / 2  # half a line kept free for the model's error
        keep: dict[int, int] = {}
        for index, (column, span, cell) in enumerate(cells):
            if index < tallest or vmerge(cell) == "continue":
                continue
            width = self.cell_width(column, span)
            used, count = 0.0, 0
            paragraphs = cell.findall(w("p"))
            for paragraph in paragraphs:
                height = paragraph_height(paragraph, self.styles, width)
                if used + height > room:
                    break
                used, count = used + height, count + 1
            if count < len(paragraphs):
                keep[index] = count
        if tallest not in keep:
            return None
        paragraphs = cells[tallest][2].findall(w("p"))
        width = self.cell_width(*cells[tallest][:2])
        count = keep[tallest]
        if self.lines_below(paragraphs[count:], width, line, _WIDOW_LINES) and count > 1:
            count -= 1
        while count > 1 and _introduces(paragraphs[count - 1]):  # 「…如下：」 stays with what it introduces
            count -= 1
        first_lines = sum(paragraph_height(p, self.styles, width, False) for p in paragraphs[:count]) / line
        if count == 0 or first_lines < _WIDOW_LINES - 0.01:
            return None
        keep[tallest] = count
        # The paragraphs of the first part move to a new row and the rest stay: a tall row (every unit's reply
        # to one key point) is split again on every page, so a split moves a page's worth of paragraphs, not
        # the rest of the row, and a moved paragraph keeps its measured height.
        first = row.makeelement(row.tag, row.attrib)
        index = 0
        for cell in row:
            if cell.tag != w("tc"):  # the row's properties
                first.append(copy.deepcopy(cell))
                continue
            if index < tallest or vmerge(cell) == "continue":
                first.append(copy.deepcopy(cell))
                _continue_label(cell)
            else:
                first.append(_first_part(cell, keep.get(index)))
            index += 1
        row.addprevious(first)
        self.heights.pop(row, None)
        return first

    def lines_below(self, paragraphs: list, width: int, line: float, lines: int) -> bool:
        """Whether the paragraphs take fewer than `lines` lines (counted no further than that)."""
        height = 0.0
        for paragraph in paragraphs:
            height += paragraph_height(paragraph, self.styles, width, False)
            if height / line >= lines:
                return False
        return True

    def restart_merges(self, row) -> None:
        """A row continuing a split row on a new page: each merge it continues restarts here with its label."""
        self.heights.pop(row, None)
        for column, _, cell in row_cells(row):
            if vmerge(cell) != "continue":
                continue
            for above in row.itersiblings(w("tr"), preceding=True):
                start = next((c for col, _, c in row_cells(above) if col == column), None)
                if start is not None and vmerge(start) == "restart":
                    _restart_with_label(start, cell)
                    break
                if start is None or vmerge(start) != "continue":
                    break


def _introduces(paragraph) -> bool:
    return "".join(paragraph_lines(paragraph)).rstrip().endswith(("：", ":"))


def _continue_label(cell) -> None:
    """The second part of a split row: a label cell repeats its text as it is; a merge continues."""
    if vmerge(cell) is not None:
        _setvmerge(cell, "continue")
        _empty(cell)


def _first_part(cell, keep: int | None):
    """A new cell with the content of `cell` up to its `keep`-th paragraph (all where None) taken out of it,
    in order, whatever else stands between the paragraphs (a table, a bookmark); what `cell` is left with
    continues on the next page, an empty paragraph where nothing is."""
    part = cell.makeelement(cell.tag, cell.attrib)
    properties = cell.find(w("tcPr"))
    if properties is not None:
        part.append(copy.deepcopy(properties))
    content = [child for child in cell if child.tag != w("tcPr")]
    model = cell.find(w("p"))
    taken, paragraphs = [], 0
    for child in content:
        if keep is not None and paragraphs == keep:
            break
        taken.append(child)
        paragraphs += child.tag == w("p")
    part.extend(taken)  # moves them
    if not paragraphs:
        _empty_paragraph(part, model)
    if len(taken) == len(content):
        _empty_paragraph(cell, model)
    return part


def _restart_with_label(start, cell) -> None:
    for paragraph in cell.findall(w("p")):
        cell.remove(paragraph)
    for paragraph in start.findall(w("p")):
        cell.append(copy.deepcopy(paragraph))
    _setvmerge(cell, "restart")


def _setvmerge(cell, value: str) -> None:
    element = cell.find(f"{w('tcPr')}/{w('vMerge')}")
    if value == "continue":
        element.attrib.pop(w("val"), None)
    else:
        element.set(w("val"), value)


def _empty(cell) -> None:
    paragraphs = cell.findall(w("p"))
    for paragraph in paragraphs:
        cell.remove(paragraph)
    _empty_paragraph(cell, paragraphs[0] if paragraphs else None)


def _empty_paragraph(cell, model) -> None:
    paragraph = cell.makeelement(w("p"), {})
    if model is not None and model.find(w("pPr")) is not None:
        paragraph.append(copy.deepcopy(model.find(w("pPr"))))
    cell.append(paragraph)
