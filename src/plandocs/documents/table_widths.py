"""Column widths and title breaks that follow content, on a rendered document.

- A column is at least as wide as its longest unbreakable token: a number with its unit such as
  「6月29日」 or 「107年」, a short Latin word, a short column heading, and in a column of names (units,
  titles) each name; the width is taken from the columns with most to spare. In a narrow column the width
  then grows until no number (or name) meets a line's end, since LibreOffice breaks CJK text between any
  two characters, digits included; a list of names no width can keep whole gets line breaks between names.
- A paragraph ending in a list of names (units) breaks its lines between the names, never inside one.
- A title (centred, bold, 14 pt or more) longer than a line is broken only at natural boundaries: after
  the agency's name, before a year, after the name of a form or plan.
"""
from __future__ import annotations

import copy
import functools
import re

from .page_model import (
    AUTOSPACE, HANGING, NUMBER_TOKEN, NO_LINE_START, Page, Styles, cell_margins, char_width, child_of, grid_widths,
    is_header, is_latin, paragraph_lines, row_cells, text_width, unit_width, units_of, vmerge, w,
)

_SHORT_HEADING = 6  # a column heading of up to this many characters is kept on one line
_NAME_LENGTH = 6  # a column whose segments are all this short is a column of names (units, titles)
_LONGEST_WORD = 12  # a longer Latin run (a web address) may break: no column could hold it
_SLACK = 30  # twips: what rounding in either program may take from a line
_NARROW = 2500  # twips: columns in which numbers are kept off line ends
_EDGE = 0.1  # ems: a line filled this close to its end counts as full
_TITLE_SIZE = 28  # half-points: a title is centred, bold and at least 14 pt (the issue line is not)
_SEPARATOR = r"、，,／/：\s"  # what stands between names in a list of them (「未回報：大同分局、中山分局」)
_SEPARATORS = re.compile(f"[{_SEPARATOR}]+")
_NAME = re.compile(f"[^{_SEPARATOR}]{{2,}}")
_LIST_PUNCTUATION = "、，,／/：。"  # stays on the line of the name it follows
_BREAK_ROOM = 0.5  # ems: a line broken at a name is kept this short of the column, for either program's measure
# Where a title may break: after an agency's name, before a year, after the name of a form or plan
# (…調查表｜回報彙整): where the parts a title is made of meet, so a name typed in the master stays whole.
_TITLE_BOUNDARY = re.compile(r"(?<=[局署府部院會處室所隊])(?=[^局署府部院會處室所隊（(）)])|(?<!\d)(?=\d+年)|(?<=[表畫冊])(?=[^）)」』])")


@functools.lru_cache(maxsize=65536)  # a table repeats its names and dates in every row
def _segments(text: str) -> tuple[str, ...]:
    return tuple(s for s in _SEPARATORS.split(text) if s)


@functools.lru_cache(maxsize=65536)
def _widest_word(text: str) -> float:
    """The width in ems of the text's widest unit of two to _LONGEST_WORD characters (0 if none)."""
    return max((unit_width(u) for u in units_of(text) if 1 < len(u) <= _LONGEST_WORD), default=0.0)


def _columnrow_cells(table, grid: list[int]):
    """(column, paragraph, in a header row) for every paragraph of a cell one grid column wide."""
    for row in table.findall(w("tr")):
        header = is_header(row)
        for column, span, cell in row_cells(row):
            if span == 1 and column < len(grid) and vmerge(cell) != "continue":
                for paragraph in cell.findall(w("p")):
                    yield column, paragraph, header


def fit_columns(table, styles: Styles, names: frozenset[str] = frozenset()) -> None:
    """Widen each column to its longest unbreakable token, taking the width from the columns with most to spare.

    Unbreakable: a number with its unit (「6月29日」, 「107年」), a short Latin word, a short column heading,
    and in a column of names (every segment between 、 or spaces at most six characters, or one of `names`:
    units, titles) each name. Numbers in a narrow column are then kept off line ends: LibreOffice breaks CJK text between
    any two characters, digits included, so the column grows until no number straddles a line.
    """
    grid = grid_widths(table)
    if not grid or not all(grid):
        return
    margins = cell_margins(table)
    paragraphs = [(column, paragraph, header, "\n".join(paragraph_lines(paragraph)))
                  for column, paragraph, header in _columnrow_cells(table, grid)]
    of_names = [True] * len(grid)
    for column, _, header, text in paragraphs:
        if not header and any(len(s) > _NAME_LENGTH and s not in names for s in _segments(text)):
            of_names[column] = False
    widths = _fitted(grid, paragraphs, styles, margins, of_names)
    for column, paragraph, header, _ in paragraphs:
        if of_names[column] and not header:
            fmt = styles.of(paragraph)
            _break_between_names(paragraph, (widths[column] - margins - fmt.left) / (fmt.size * 10))
    if widths == grid:
        return
    for element, width in zip(table.findall(f"{w('tblGrid')}/{w('gridCol')}"), widths):
        element.set(w("w"), str(width))
    for row in table.findall(w("tr")):
        for column, span, cell in row_cells(row):
            cell_width = cell.find(f"{w('tcPr')}/{w('tcW')}")
            if cell_width is not None and cell_width.get(w("type"), "dxa") == "dxa":
                cell_width.set(w("w"), str(sum(widths[column:column + span])))


_LIST_ITEM = re.compile(f"([^{_SEPARATOR}。]+)([{_SEPARATOR}。]*)")  # a name and what follows it (、 or 。)
_LIST_ROOM = 0.25  # ems: a name and its 、 end this short of a line's end, for either program's measure


def break_name_list(paragraph, styles: Styles, page: Page, names: frozenset[str]) -> None:
    """A paragraph that ends in a list of names (「尚未回報（38個單位）：大同分局、萬華分局…」) gets a line break
    before each name that would reach past a line's end, and nowhere else: the words before the list wrap as
    the office program sets them. It is then set flush left, as a line ended by a break would be stretched
    to the margin in a justified paragraph."""
    if not names or paragraph.getparent().tag != w("body") or paragraph.find(f".//{w('br')}") is not None:
        return
    texts = paragraph.findall(f"{w('r')}/{w('t')}")
    text = "".join(t.text or "" for t in texts)
    lead, colon, listed = text.rpartition("：")
    items = [(m.group(1), m.group(2), m.start() + len(lead) + 1) for m in _LIST_ITEM.finditer(listed)]
    if (not colon or len(items) < 2 or not all(name in names for name, _, _ in items)
            or text != "".join(paragraph_lines(paragraph))):  # a tab, a field, a hyperlink: text outside plain runs
        return
    fmt = styles.of(paragraph)
    em = fmt.size * 10
    rooms = ((page.width - fmt.left + fmt.hanging - fmt.first_line) / em, (page.width - fmt.left) / em)
    used, room = 0.0, rooms[0]
    for character in lead + colon:  # CJK text breaks between any two characters
        width = char_width(character)
        if used + width > room and character not in NO_LINE_START:
            used, room = 0.0, rooms[1]
        used += width
    breaks = []
    for name, after, position in items:
        width = text_width(name + after.strip())
        if used and used + width > room - _LIST_ROOM:
            breaks.append(position)
            used, room = 0.0, rooms[1]
        used += width
    for position in reversed(breaks):
        _insert_break(texts, position)
    if breaks:
        child_of(child_of(paragraph, "pPr", first=True), "jc").set(w("val"), "left")


def _fitted(grid: list[int], paragraphs, styles: Styles, margins: int, of_names: list[bool]) -> list[int]:
    """The widths that meet every column's need; where the page cannot (a long unit's name in one of many
    upright columns), the column of names that needs most beyond its width gives its names up, one column at a
    time, so numbers, dates and headings are kept whole. A column whose names fit the width it has keeps them:
    when no other column is left to give up, the widths stay as they are."""
    kept = list(of_names)
    while True:
        need = _needs(paragraphs, grid, styles, margins, kept)
        widths = _redistribute(grid, need)
        short = [c for c in range(len(grid)) if kept[c] and need[c] > grid[c]]
        if widths is not None or not short:
            return widths or grid
        kept[max(short, key=lambda c: (need[c] - grid[c], -c))] = False


def _needs(paragraphs, grid: list[int], styles: Styles, margins: int, of_names: list[bool]) -> list[int]:
    """Each column's least width: its longest unbreakable token, and in a column of names each name."""
    need = [0.0] * len(grid)
    for column, paragraph, header, text in paragraphs:
        text = text.strip()
        if not text:
            continue
        widest = _widest_word(text)
        if header and len(text) <= _SHORT_HEADING:
            widest = max(widest, unit_width(text))
        if of_names[column] and not header:
            widest = max([widest] + [unit_width(s) for s in _segments(text)])
        if widest:
            fmt = styles.of(paragraph)
            need[column] = max(need[column], widest * fmt.size * 10 + margins + fmt.left + _SLACK)
    need = [round(n) for n in need]
    for column, width in enumerate(grid):
        if width <= _NARROW:
            need[column] = max(need[column], _no_straddle_width(
                [(p, styles.of(p)) for c, p, h, _ in paragraphs if c == column and not h], max(width, need[column]),
                margins, of_names[column]))
    return need


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


def _break_between_names(paragraph, room: float) -> None:
    """Line breaks after the separators of a list of names too long for any width to keep every name whole
    on a line: each line holds whole names, whatever either program's measure."""
    if paragraph.find(f".//{w('tab')}") is not None:
        return
    texts = paragraph.findall(f"{w('r')}/{w('t')}")
    lines = paragraph_lines(paragraph)
    if sum(map(len, lines)) != sum(len(t.text or "") for t in texts):  # text outside plain runs (a hyperlink)
        return
    breaks, offset = [], 0
    for line in lines:
        if _straddles(line, room, True):
            start = end = 0
            for name in _NAME.finditer(line):
                stop = name.end() + len(line[name.end():]) - len(line[name.end():].lstrip(_LIST_PUNCTUATION))
                if end > start and text_width(line[start:stop]) > room - _BREAK_ROOM:
                    breaks.append(offset + end)
                    start = end
                end = stop
        offset += len(line)
    for position in reversed(breaks):
        _insert_break(texts, position)


def _straddles(text: str, room: float, names: bool = False) -> bool:
    """Whether a number falls across a line end when text is broken between any two characters (LibreOffice's
    way with CJK) or between words (Word's way with digits), closing punctuation never starting a line."""
    transitions = sum(1 for a, b in zip(text, text[1:]) if is_latin(a) != is_latin(b))
    if text_width(text) + AUTOSPACE * transitions <= room - _EDGE:  # the widest it can be set: one line
        return False
    spans = [(m.start(), m.end()) for m in NUMBER_TOKEN.finditer(text) if m.end() - m.start() > 1]
    if names:
        spans += [(m.start(), m.end()) for m in _NAME.finditer(text)]
    if not spans:
        return False
    # LibreOffice breaks digits apart and, in a table's cell, was seen not to hang 「、」 (「各分局、大｜隊、隊」);
    # Word keeps digits together and hangs it
    for whole_digits, hangs in ((False, False), (False, True), (True, True)):
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
            hanging = char_width(text[end - 1]) if hangs and text[end - 1] in HANGING else 0.0
            if used and used + width - hanging > room - _EDGE:
                ends.append(position)
                used = 0.0
            used += width
            position = end
        if any(start < end_ < stop for end_ in ends for start, stop in spans):
            return True
    return False


def _redistribute(grid: list[int], need: list[int]) -> list[int] | None:
    """Grid widths with every column at least its need, the total kept, taken from the widest columns first;
    None when the page is too narrow for every need."""
    widths = list(grid)
    deficit = sum(max(0, n - g) for g, n in zip(grid, need))
    if not deficit:
        return widths
    spare = {i: g - max(n, 0) for i, (g, n) in enumerate(zip(grid, need)) if g > n}
    if sum(spare.values()) < deficit:
        return None
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

def break_title(paragraph, styles: Styles, page: Page, names: frozenset[str] = frozenset()) -> None:
    """A centred paragraph of one line that does not fit: line breaks at natural boundaries only, never
    inside one of `names` (a name typed in the master may itself hold what looks like a boundary: 府, 表).

    Two lines, balanced, where both halves fit; else as few lines as fit, each ending at a boundary.
    A title that cannot be broken so is left to the office program.
    """
    fmt = styles.of(paragraph)
    if not (fmt.centred and fmt.bold and fmt.size >= _TITLE_SIZE) or paragraph.find(f".//{w('br')}") is not None:
        return
    texts = paragraph.findall(f"{w('r')}/{w('t')}")
    text = "".join(t.text or "" for t in texts)
    room = (page.width - fmt.left) / (fmt.size * 10) - 0.5
    if not text or text_width(text) <= room or len(text) > 120:
        return
    inside = {position for name in names for found in re.finditer(re.escape(name), text)
              for position in range(found.start() + 1, found.end())}
    boundaries = sorted({m.start() for m in _TITLE_BOUNDARY.finditer(text) if 0 < m.start() < len(text)} - inside)
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
