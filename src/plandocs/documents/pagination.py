"""Tables that page like the issued plan, in Word and in LibreOffice, decided when the .docx is written.

Independent of how a table is produced (which columns, which template), on the rendered document:

- column widths follow content: a column is at least as wide as its longest unbreakable token (a number
  with its unit such as 「6月29日」 or 「107年」, a unit's name, a short column heading), taken from the
  widest columns;
- a row that fits on a page is never split (`w:cantSplit`): where the room left is too short it moves to
  the next page whole; the rows of a group of short rows (tied by a vertical merge of the first column,
  e.g. one roster group) that fit on a page are kept on one (`w:keepNext`, which both programs honour
  for table rows), and a table's last row never stands alone;
- a row taller than a page is split in two rows at a paragraph boundary where the page falls, as the
  page model estimates it, never leaving fewer than two lines on either side; the second row repeats the
  row's labels (the cells before the split cell, as the issued plan does) and restarts the vertical
  merges it continues with their label, so every page names the 評核項目 and 評核重點 (or group and
  duties) its text belongs to. The labels are repeated without a 「（續）」 mark: the issued plan has none,
  and text it does not have would lower the circular's fidelity to it;
- a centred title longer than a line is broken at a natural boundary (after the agency, before a year).

Header rows repeat (`w:tblHeader`) as the templates set them.
"""
from __future__ import annotations

import copy
import re

from .page_model import (
    NO_LINE_START, NUMBER_TOKEN, DEFAULT_CELL_MARGIN, ROW_BORDER, Page, Styles, paragraph_height, paragraph_lines,
    AUTOSPACE, HANGING, char_width, is_latin, section_pages, text_width, unit_width, units_of, w,
)

_SHORT_ROW = 3 * 360 + ROW_BORDER  # twips: rows this short (a roster's members) make a group kept on one page
# A row that fits on a page but not in the room left is split only where that room is at least this share
# of a page: a smaller gap costs less than a split (every split repeats labels the reader must skip).
_SPLIT_ROOM = 0.4
_WIDOW_LINES = 2  # no piece of a row, and no remainder, shorter than this
_SHORT_HEADING = 6  # a column heading of up to this many characters is kept on one line
_NAME_LENGTH = 6  # a column whose segments are all this short is a column of names (units, titles)
_LONGEST_WORD = 12  # a longer Latin run (a web address) may break: no column could hold it
_SLACK = 30  # twips: what rounding in either program may take from a line
_NARROW = 2500  # twips: columns in which numbers are kept off line ends
_EDGE = 0.1  # ems: a line filled this close to its end counts as full
_SEPARATORS = re.compile(r"[、，,／/\s]+")
# Where a title may break: after an agency's name, before a year, around a bracketed insertion, after the
# name of a form or plan (…調查表｜回報彙整).
_TITLE_BOUNDARY = re.compile(r"(?<=[局署府部院會處室所隊])(?=[^局署府部院會處室所隊（(）)])|(?<!\d)(?=\d+年)|(?<=[)）])|(?=[(（])|(?<=[表畫冊])(?=[^）)」』])")


def paginate(document_root, styles_root) -> None:
    """Apply every rule above to a rendered document's tree (w:document), in place."""
    styles = Styles(styles_root)
    body = document_root.find(w("body"))
    for elements, page in section_pages(body):
        for element in elements:
            if element.tag == w("tbl"):
                fit_columns(element, styles)
            elif element.tag == w("p"):
                break_title(element, styles, page)
        _Flow(styles, page).place(elements)


# ---------------------------------------------------------------- tables as grids

def _cells(row) -> list[tuple[int, int, object]]:
    """(first grid column, span, w:tc) of each cell of a row."""
    trpr = row.find(w("trPr"))
    before = trpr.find(w("gridBefore")) if trpr is not None else None
    column = int(before.get(w("val"))) if before is not None else 0
    cells = []
    for cell in row.findall(w("tc")):
        span_element = cell.find(f"{w('tcPr')}/{w('gridSpan')}")
        span = int(span_element.get(w("val"))) if span_element is not None else 1
        cells.append((column, span, cell))
        column += span
    return cells


def _vmerge(cell) -> str | None:
    element = cell.find(f"{w('tcPr')}/{w('vMerge')}")
    if element is None:
        return None
    return element.get(w("val"), "continue")


def _grid(table) -> list[int]:
    return [int(c.get(w("w"), 0)) for c in table.findall(f"{w('tblGrid')}/{w('gridCol')}")]


def _cell_margins(table) -> int:
    margins = table.find(f"{w('tblPr')}/{w('tblCellMar')}")
    if margins is None:
        return 2 * DEFAULT_CELL_MARGIN
    total = 0
    for names in (("left", "start"), ("right", "end")):
        found = next((margins.find(w(n)) for n in names if margins.find(w(n)) is not None), None)
        total += int(found.get(w("w"), DEFAULT_CELL_MARGIN)) if found is not None else DEFAULT_CELL_MARGIN
    return total


def _is_header(row) -> bool:
    trpr = row.find(w("trPr"))
    return trpr is not None and trpr.find(w("tblHeader")) is not None


def _set_row_property(row, name: str) -> None:
    trpr = row.find(w("trPr"))
    if trpr is None:
        trpr = row.makeelement(w("trPr"), {})
        row.insert(0, trpr)
    if trpr.find(w(name)) is None:
        trpr.append(trpr.makeelement(w(name), {}))  # ooxml_order puts it in its place


def _set_keep_next(row) -> None:
    for paragraph in row.iter(w("p")):
        ppr = paragraph.find(w("pPr"))
        if ppr is None:
            ppr = paragraph.makeelement(w("pPr"), {})
            paragraph.insert(0, ppr)
        keep = ppr.find(w("keepNext"))
        if keep is None:
            ppr.append(ppr.makeelement(w("keepNext"), {}))
        else:
            keep.attrib.pop(w("val"), None)


# ---------------------------------------------------------------- column widths

def _segments(paragraph) -> list[str]:
    return [s for s in _SEPARATORS.split("".join(paragraph_lines(paragraph))) if s]


def _column_cells(table, grid: list[int]):
    """(column, paragraph, in a header row) for every paragraph of a cell one grid column wide."""
    for row in table.findall(w("tr")):
        header = _is_header(row)
        for column, span, cell in _cells(row):
            if span == 1 and column < len(grid) and _vmerge(cell) != "continue":
                for paragraph in cell.findall(w("p")):
                    yield column, paragraph, header


def fit_columns(table, styles: Styles) -> None:
    """Widen each column to its longest unbreakable token, taking the width from the columns with most to spare.

    Unbreakable: a number with its unit (「6月29日」, 「107年」), a short Latin word, a short column heading,
    and in a column of names (every segment between 、 or spaces at most six characters: units, titles)
    each name. Numbers in a narrow column are then kept off line ends: LibreOffice breaks CJK text between
    any two characters, digits included, so the column grows until no number straddles a line.
    """
    grid = _grid(table)
    if not grid or not all(grid):
        return
    margins = _cell_margins(table)
    paragraphs = list(_column_cells(table, grid))
    names = [True] * len(grid)
    for column, paragraph, header in paragraphs:
        if not header and any(len(s) > _NAME_LENGTH for s in _segments(paragraph)):
            names[column] = False
    need = [0.0] * len(grid)
    for column, paragraph, header in paragraphs:
        text = "".join(paragraph_lines(paragraph)).strip()
        if not text:
            continue
        tokens = [u for u in units_of(text) if 1 < len(u) <= _LONGEST_WORD]
        if header and len(text) <= _SHORT_HEADING:
            tokens.append(text)
        if names[column] and not header:
            tokens += _segments(paragraph)
        fmt = styles.of(paragraph)
        for token in tokens:
            need[column] = max(need[column], unit_width(token) * fmt.size * 10 + margins + fmt.left + _SLACK)
    need = [round(n) for n in need]
    for column, width in enumerate(grid):
        if width <= _NARROW:
            need[column] = max(need[column], _no_straddle_width(
                [(p, styles.of(p)) for c, p, h in paragraphs if c == column and not h], max(width, need[column]),
                margins, names[column]))
    widths = _redistribute(grid, need)
    if widths == grid:
        return
    for element, width in zip(table.findall(f"{w('tblGrid')}/{w('gridCol')}"), widths):
        element.set(w("w"), str(width))
    for row in table.findall(w("tr")):
        for column, span, cell in _cells(row):
            cell_width = cell.find(f"{w('tcPr')}/{w('tcW')}")
            if cell_width is not None and cell_width.get(w("type"), "dxa") == "dxa":
                cell_width.set(w("w"), str(sum(widths[column:column + span])))


def _no_straddle_width(paragraphs, width: int, margins: int, names: bool) -> int:
    """The least width from `width` up (by quarter ems) at which no number (or name, in a column of names)
    of the paragraphs meets a line end."""
    if not paragraphs or not (names or any(NUMBER_TOKEN.search("".join(paragraph_lines(p))) for p, _ in paragraphs)):
        return width
    em = max(fmt.size for _, fmt in paragraphs) * 10
    for step in range(17):
        candidate = width + step * em // 4
        if not any(_straddles(line, (candidate - margins - fmt.left) / (fmt.size * 10), names)
                   for p, fmt in paragraphs for line in paragraph_lines(p)):
            return candidate
    return width


def _straddles(text: str, room: float, names: bool = False) -> bool:
    """Whether a number falls across a line end when text is broken between any two characters (LibreOffice's
    way with CJK) or between words (Word's way with digits), closing punctuation never starting a line."""
    spans = [(m.start(), m.end()) for m in NUMBER_TOKEN.finditer(text) if m.end() - m.start() > 1]
    if names:
        spans += [(m.start(), m.end()) for m in re.finditer(r"[^、，,／/\s]{2,}", text)]
    if not spans:
        return False
    for whole_digits in (False, True):
        ends, used, position = [], 0.0, 0
        while position < len(text):
            end = position + 1
            if whole_digits and text[position].isascii() and text[position].isalnum():
                while end < len(text) and text[end].isascii() and text[end].isalnum():
                    end += 1
            while end < len(text) and text[end] in NO_LINE_START:
                end += 1
            width = text_width(text[position:end])
            if position and ((is_latin(text[position - 1]) and not is_latin(text[position]))
                             or (is_latin(text[position]) and not is_latin(text[position - 1]))):
                width += AUTOSPACE
            hanging = char_width(text[end - 1]) if text[end - 1] in HANGING else 0.0
            if used and used + width - hanging > room - _EDGE:
                ends.append(position)
                used = 0.0
            used += width
            position = end
        if any(start < end_ < stop for end_ in ends for start, stop in spans):
            return True
    return False


def _redistribute(grid: list[int], need: list[int]) -> list[int]:
    """Grid widths with every column at least its need, the total kept, taken from the widest columns first."""
    widths = list(grid)
    deficit = sum(max(0, n - g) for g, n in zip(grid, need))
    if not deficit:
        return widths
    spare = {i: g - max(n, 0) for i, (g, n) in enumerate(zip(grid, need)) if g > n}
    if sum(spare.values()) < deficit:
        return widths  # the page is too narrow for every token: leave the author's widths
    for i, (g, n) in enumerate(zip(grid, need)):
        widths[i] = max(g, n)
    for i in sorted(spare, key=lambda i: (-spare[i], i)):
        taken = min(spare[i], deficit)
        widths[i] -= taken
        deficit -= taken
        if not deficit:
            break
    return widths


# ---------------------------------------------------------------- titles

def break_title(paragraph, styles: Styles, page: Page) -> None:
    """A centred paragraph of one line that does not fit: line breaks at natural boundaries only.

    Two lines, balanced, where both halves fit; else as few lines as fit, each ending at a boundary.
    A title that cannot be broken so is left to the office program.
    """
    fmt = styles.of(paragraph)
    if not fmt.centred or paragraph.find(f".//{w('br')}") is not None:
        return
    texts = paragraph.findall(f"{w('r')}/{w('t')}")
    text = "".join(t.text or "" for t in texts)
    room = (page.width - fmt.left) / (fmt.size * 10) - 0.5
    if not text or text_width(text) <= room or len(text) > 120:
        return
    boundaries = sorted({m.start() for m in _TITLE_BOUNDARY.finditer(text) if 0 < m.start() < len(text)})
    halves = [p for p in boundaries if text_width(text[:p]) <= room and text_width(text[p:]) <= room]
    if halves:
        breaks = [min(halves, key=lambda p: (abs(text_width(text[:p]) - text_width(text[p:])), p))]
    else:
        breaks, start = [], 0
        while text_width(text[start:]) > room:
            fitting = [p for p in boundaries if p > start and text_width(text[start:p]) <= room]
            if not fitting:
                return
            breaks.append(fitting[-1])
            start = fitting[-1]
    for position in reversed(breaks):
        _insert_break(texts, position)


def _insert_break(texts: list, position: int) -> None:
    """A line break at a character position of the paragraph's text, which runs over `texts` (w:t elements)."""
    offset = 0
    for element in texts:
        length = len(element.text or "")
        if offset <= position < offset + length:
            run = element.getparent()
            before, after = element.text[:position - offset], element.text[position - offset:]
            element.text = before
            second = copy.deepcopy(element)
            second.text = after
            index = list(run).index(element)
            run.insert(index + 1, run.makeelement(w("br"), {}))
            run.insert(index + 2, second)
            for t in (element, second):
                if t.text != t.text.strip():
                    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            return
        offset += length


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
        self.grid = _grid(table)
        self.margins = _cell_margins(table)
        rows = table.findall(w("tr"))
        self.headers = [r for r in rows if _is_header(r)]
        self.header_height = sum(self.row_height(r) for r in self.headers)
        self.room = flow.page.height - self.header_height  # a page's room for the body rows

    def cell_width(self, column: int, span: int) -> int:
        return sum(self.grid[column:column + span]) - self.margins

    def cell_height(self, column: int, span: int, cell) -> float:
        width = self.cell_width(column, span)
        return sum(paragraph_height(p, self.styles, width) for p in cell.findall(w("p")))

    def row_height(self, row) -> float:
        heights = [self.cell_height(c, s, cell) for c, s, cell in _cells(row) if _vmerge(cell) is None]
        trpr = row.find(w("trPr"))
        minimum = trpr.find(w("trHeight")) if trpr is not None else None
        floor = int(minimum.get(w("val"), 0)) if minimum is not None else 0
        return max(heights + [floor, 0]) + ROW_BORDER

    def groups(self) -> list[list]:
        groups: list[list] = []
        for row in self.table.findall(w("tr")):
            if _is_header(row):
                continue
            cells = _cells(row)
            first = _vmerge(cells[0][2]) if cells else None
            if first == "continue" and groups:
                groups[-1].append(row)
            else:
                groups.append([row])
        return groups

    def merged_height(self, group: list) -> float:
        """The tallest content of a merged cell of the group (it must fit beside the group's rows)."""
        tallest = 0.0
        for column, span, cell in _cells(group[0]):
            if _vmerge(cell) == "restart":
                tallest = max(tallest, self.cell_height(column, span, cell) + ROW_BORDER)
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

    def open_page(self, row, continued: bool = False) -> None:
        self.flow.new_page()
        self.flow.used = self.header_height
        if continued:
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
            rest = self.split(row, flow.page.height - flow.used)
            if rest is None:
                if flow.used > self.header_height:  # the row starts on the next page instead
                    self.open_page(row)
                    continue
                flow.used = min(flow.used + height, flow.page.height)  # one paragraph taller than a page
                return
            flow.used += self.row_height(row)
            self.open_page(rest, continued=True)
            row = rest

    def split(self, row, room: float):
        """Split `row` so that its first part fits `room`; the new row with the rest, or None where impossible."""
        cells = _cells(row)
        heights = [self.cell_height(c, s, cell) if _vmerge(cell) is None else 0.0 for c, s, cell in cells]
        tallest = max(range(len(cells)), key=lambda i: heights[i])
        line = self.styles.of(cells[tallest][2].find(w("p"))).line_height()
        room -= ROW_BORDER + line / 2  # half a line kept free for the model's error
        keep: dict[int, int] = {}
        for index, (column, span, cell) in enumerate(cells):
            if index < tallest or _vmerge(cell) == "continue":
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
        rest_lines = sum(paragraph_height(p, self.styles, width, False) for p in paragraphs[count:]) / line
        if rest_lines < _WIDOW_LINES and count > 1:
            count -= 1
        while count > 1 and _introduces(paragraphs[count - 1]):  # 「…如下：」 stays with what it introduces
            count -= 1
        first_lines = sum(paragraph_height(p, self.styles, width, False) for p in paragraphs[:count]) / line
        if count == 0 or first_lines < _WIDOW_LINES - 0.01:
            return None
        keep[tallest] = count
        rest = copy.deepcopy(row)
        for index, ((_, _, cell), (_, _, copied)) in enumerate(zip(cells, _cells(rest))):
            if index < tallest:
                _continue_label(cell, copied)
            elif index in keep:
                _move_paragraphs(cell, copied, keep[index])
            else:
                _empty(copied)
        row.addnext(rest)
        return rest

    def restart_merges(self, row) -> None:
        """A row continuing a split row on a new page: each merge it continues restarts here with its label."""
        rows = self.table.findall(w("tr"))
        position = rows.index(row)
        for column, _, cell in _cells(row):
            if _vmerge(cell) != "continue":
                continue
            for above in reversed(rows[:position]):
                start = next((c for col, _, c in _cells(above) if col == column), None)
                if start is not None and _vmerge(start) == "restart":
                    _restart_with_label(start, cell)
                    break
                if start is None or _vmerge(start) != "continue":
                    break


def _introduces(paragraph) -> bool:
    return "".join(paragraph_lines(paragraph)).rstrip().endswith(("：", ":"))


def _continue_label(cell, copied) -> None:
    """The second part of a split row: a label cell repeats its text as it is; a merge continues."""
    if _vmerge(cell) is not None:
        _set_vmerge(copied, "continue")
        _empty(copied)


def _restart_with_label(start, cell) -> None:
    for paragraph in cell.findall(w("p")):
        cell.remove(paragraph)
    for paragraph in start.findall(w("p")):
        cell.append(copy.deepcopy(paragraph))
    _set_vmerge(cell, "restart")


def _set_vmerge(cell, value: str) -> None:
    element = cell.find(f"{w('tcPr')}/{w('vMerge')}")
    if value == "continue":
        element.attrib.pop(w("val"), None)
    else:
        element.set(w("val"), value)


def _move_paragraphs(cell, copied, keep: int) -> None:
    """The first `keep` paragraphs stay in the row, the others go to its second part."""
    originals, copies = cell.findall(w("p")), copied.findall(w("p"))
    for paragraph in originals[keep:]:
        cell.remove(paragraph)
    if keep == 0:
        _empty_paragraph(cell, originals[0])
    for paragraph in copies[:keep]:
        copied.remove(paragraph)


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
