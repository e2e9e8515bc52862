"""An estimate of how Word and LibreOffice lay a rendered document out: line widths, heights, page room.

Pagination decisions (where a tall row is split, which row opens a page) must be taken when the .docx is
written, without an office suite at hand, and the same way every time. The documents use fixed table
layouts, one CJK face whose characters are all one em wide and Times New Roman for Latin text, so a line's
width is a sum of known widths and a paragraph's height follows from its style's line spacing. The model
errs on the long side (a little less room per line), so a piece it sizes for a page fits in both programs;
the PDF tests measure the result with LibreOffice.
"""
from __future__ import annotations

import functools
import re
import string
import unicodedata
from dataclasses import dataclass

from ..office.ooxml_order import W

_W = "{" + W + "}"
TWIPS_PER_POINT = 20
DEFAULT_CELL_MARGIN = 108  # Word's default left and right cell margin (0.19 cm), as in Table Grid
ROW_BORDER = 15  # a single ½-pt border between rows, rounded up
_SAFETY_EM = 0.2  # line room kept free: kerning, kinsoku pushes, justification differences
NATURAL_LINE = 1.3  # a line of the Kai face without spacing rules, in ems

# Characters that may not begin a line (they hang on the previous one) and that may not end one.
NO_LINE_START = set("、，。．：；！？）」』】〉》〕,.;:!?)%’”")
_NO_LINE_END = set("（「『【〈《〔(‘“")
# Both programs let these hang past a line's end (w:overflowPunct, LibreOffice's hanging punctuation).
HANGING = set("、。，．")


def w(name: str) -> str:
    return _W + name


def child_of(parent, name: str, first: bool = False):
    """The parent's w:`name` child, made where it has none: first (properties) or last. Where a made child
    must stand in its parent's property list is left to schema ordering, when the document is saved."""
    found = parent.find(w(name))
    if found is None:
        found = parent.makeelement(w(name), {})
        if first:
            parent.insert(0, found)
        else:
            parent.append(found)
    return found


def char_width(c: str) -> float:
    """Width in ems: CJK and full-width forms 1, Latin as Times New Roman (capitals and digits measured)."""
    code = ord(c)
    if code >= 0x2E80 or 0xFF00 <= code <= 0xFFEF:
        return 1.0
    if c == " ":
        return 0.25
    if c.isupper() or c in "mwMW@%&":
        return 0.72
    if c.islower():
        return 0.46
    return 0.5


AUTOSPACE = 0.25  # ems both programs add between CJK and Latin letters or digits (w:autoSpaceDE/DN, on by default)


def is_latin(c: str) -> bool:
    return c.isascii() and c.isalnum()


def _cjk(c: str) -> bool:
    return ord(c) >= 0x2E80 and not unicodedata.category(c).startswith("P")


def text_width(text: str) -> float:
    """Width in ems of a run of text, with the space added where CJK meets Latin letters or digits."""
    if len(text) == 1:  # most units: one CJK character
        return char_width(text)
    width = sum(char_width(c) for c in text)
    meetings = sum(1 for a, b in zip(text, text[1:]) if (is_latin(a) and _cjk(b)) or (_cjk(a) and is_latin(b)))
    return width + AUTOSPACE * meetings


@functools.lru_cache(maxsize=65536)  # units and names recur in every row of a table
def unit_width(unit: str) -> float:
    """A unit's width in running text: Latin at either end meets CJK around it (counted, erring long)."""
    return text_width(unit) + AUTOSPACE * (is_latin(unit[0]) + is_latin(unit[-1]))


# A number with the date or counting unit written after it, an ASCII word: never broken by the model,
# and kept whole on a line by the column widths.
NUMBER_TOKEN = re.compile(r"\d[\d,.]*(?:[年月日時分秒]\d+)*[年月日時分秒號項件]?")
_LATIN_CHARACTERS = set(string.ascii_letters + string.digits + "@:_-#")


def _class(characters) -> str:
    return "[" + "".join(re.escape(c) for c in sorted(characters)) + "]"


_LATIN_WORD = _class(_LATIN_CHARACTERS) + "+[/.]*"  # web addresses break after / and .
# A piece that may not begin a line: such a character alone, or a Latin word that begins with one
# (「:8080」). A number begins with a digit, which may; and no character is both opening and closing.
_CLOSING_LATIN = NO_LINE_START & _LATIN_CHARACTERS
_CLOSING_PIECE = "|".join(
    [f"{_class(_CLOSING_LATIN)}{_class(_LATIN_CHARACTERS)}*[/.]*"] * bool(_CLOSING_LATIN)
    + [_class(NO_LINE_START - _CLOSING_LATIN)])
# A unit in one match: opening punctuation, a piece (a number, else a Latin word, else one character: the
# first that matches wins), then every following piece that may not begin a line. Only a piece of one
# opening character ends in one, so nothing else joins what follows.
_UNIT = re.compile(f"{_class(_NO_LINE_END)}*(?:{NUMBER_TOKEN.pattern}|{_LATIN_WORD}|.)(?:{_CLOSING_PIECE})*", re.DOTALL)


def units_of(text: str) -> list[str]:
    """The pieces a line may break between: CJK characters, numbers with their unit, Latin words;
    closing punctuation stays with what precedes it, opening punctuation with what follows."""
    return _UNIT.findall(text)


@functools.lru_cache(maxsize=65536)  # units recur: CJK characters, with or without their punctuation
def _measured_unit(unit: str) -> tuple[float, float]:
    """(width, width needed at a line's end) of a unit in ems: a hanging punctuation mark needs no room there."""
    width = unit_width(unit)
    return width, width - char_width(unit[-1]) if unit[-1] in HANGING else width


@functools.lru_cache(maxsize=65536)  # one text is wrapped in several column widths
def _measured_units(text: str) -> tuple[tuple[float, float], ...]:
    return tuple(map(_measured_unit, units_of(text)))


@functools.lru_cache(maxsize=65536)  # a row's height is asked for again at every place it could fall
def count_lines(text: str, first_room: float, room: float) -> int:
    """Lines a paragraph's text takes when wrapped greedily; rooms in ems for the first and later lines."""
    lines, used, limit = 1, 0.0, first_room - _SAFETY_EM
    for width, fitting in _measured_units(text):
        if used + fitting > limit and used > 0:
            lines, used, limit = lines + 1, 0.0, room - _SAFETY_EM
        while width > limit > 0:  # a unit longer than a line (a web address): it breaks where it must
            lines, width = lines + 1, width - limit
            limit = room - _SAFETY_EM
        used += width
    return lines


@dataclass
class ParagraphFormat:
    size: int = 22  # half-points
    line: int = 276
    line_rule: str = "auto"
    before: int = 0
    after: int = 0
    left: int = 0
    hanging: int = 0
    first_line: int = 0
    page_break_before: bool = False
    centred: bool = False
    bold: bool = False

    def line_height(self, size: int | None = None) -> float:
        natural = (size or self.size) * 10 * NATURAL_LINE
        if self.line_rule == "exact":
            return self.line
        if self.line_rule == "atLeast":
            return max(self.line, natural)
        return natural * self.line / 240


def _on(element) -> bool:
    return element is not None and element.get(w("val"), "true") not in ("0", "false", "off")


def _apply_ppr(fmt: ParagraphFormat, ppr) -> None:
    if ppr is None:
        return
    for child in ppr:
        tag = child.tag
        if tag == w("spacing"):
            for attribute, field in (("line", "line"), ("before", "before"), ("after", "after")):
                if child.get(w(attribute)) is not None:
                    setattr(fmt, field, int(child.get(w(attribute))))
            fmt.line_rule = child.get(w("lineRule"), fmt.line_rule)
        elif tag == w("ind"):
            for attribute, field in (("left", "left"), ("start", "left"), ("hanging", "hanging"),
                                     ("firstLine", "first_line")):
                if child.get(w(attribute)) is not None:
                    setattr(fmt, field, int(child.get(w(attribute))))
        elif tag == w("pageBreakBefore"):
            fmt.page_break_before = _on(child)
        elif tag == w("jc"):
            fmt.centred = child.get(w("val")) in ("center", "distribute")


def _apply_rpr(fmt: ParagraphFormat, rpr) -> None:
    if rpr is None:
        return
    size, bold = rpr.find(w("sz")), rpr.find(w("b"))
    if size is not None:
        fmt.size = int(size.get(w("val")))
    if bold is not None:
        fmt.bold = _on(bold)


class Styles:
    """Paragraph formats by style id, with the chain of basedOn styles and the document defaults applied."""

    def __init__(self, styles_root):
        self._styles = {s.get(w("styleId")): s for s in styles_root.iter(w("style"))
                        if s.get(w("type")) == "paragraph"}
        self._default = ParagraphFormat()
        defaults = styles_root.find(w("docDefaults"))
        if defaults is not None:
            _apply_ppr(self._default, defaults.find(f"{w('pPrDefault')}/{w('pPr')}"))
            _apply_rpr(self._default, defaults.find(f"{w('rPrDefault')}/{w('rPr')}"))
        self._default_style = next((i for i, s in self._styles.items() if s.get(w("default")) == "1"), None)
        self._cache: dict[str | None, ParagraphFormat] = {}
        # Paragraph heights by (w:p, width, with spacing): pagination asks again for a row at every place it
        # could fall. Paragraphs are measured once their text and style are final, and keep their height
        # when moved to another row; keeping the element as a key keeps its proxy, so identity is stable.
        self._heights: dict[tuple, float] = {}
        self._formats: dict = {}

    def format(self, style_id: str | None) -> ParagraphFormat:
        style_id = style_id if style_id in self._styles else self._default_style
        if style_id not in self._cache:
            chain, current = [], style_id
            while current in self._styles and current not in chain:
                chain.append(current)
                based = self._styles[current].find(w("basedOn"))
                current = based.get(w("val")) if based is not None else None
            fmt = ParagraphFormat(**vars(self._default))
            for sid in reversed(chain):
                _apply_ppr(fmt, self._styles[sid].find(w("pPr")))
                _apply_rpr(fmt, self._styles[sid].find(w("rPr")))
            self._cache[style_id] = fmt
        return ParagraphFormat(**vars(self._cache[style_id]))

    def of(self, paragraph) -> ParagraphFormat:
        """The paragraph's format (shared: not to be changed), read once per paragraph."""
        if paragraph not in self._formats:
            self._formats[paragraph] = self._paragraph_format(paragraph)
        return self._formats[paragraph]

    def _paragraph_format(self, paragraph) -> ParagraphFormat:
        ppr = paragraph.find(w("pPr"))
        style = ppr.find(w("pStyle")) if ppr is not None else None
        fmt = self.format(style.get(w("val")) if style is not None else None)
        _apply_ppr(fmt, ppr)
        sizes = [int(s.get(w("val"))) for s in paragraph.iter(w("sz")) if s.getparent().getparent().tag == w("r")]
        if sizes:
            fmt.size = max(sizes)
        return fmt


def paragraph_lines(paragraph) -> list[str]:
    """The paragraph's text, one string per line it is broken into by line breaks."""
    lines = [""]
    for element in paragraph.iter(w("t"), w("br"), w("tab")):
        if element.tag == w("t"):
            lines[-1] += element.text or ""
        elif element.tag == w("tab"):
            lines[-1] += "  "
        elif element.get(w("type"), "textWrapping") == "textWrapping":
            lines.append("")
    return lines


def paragraph_height(paragraph, styles: Styles, width: int, with_spacing: bool = True) -> float:
    """Height in twips of a paragraph set in a column `width` twips wide (a cell's text area or the page's)."""
    key = (paragraph, width, with_spacing)
    if key not in styles._heights:
        styles._heights[key] = _paragraph_height(paragraph, styles, width, with_spacing)
    return styles._heights[key]


def _paragraph_height(paragraph, styles: Styles, width: int, with_spacing: bool) -> float:
    fmt = styles.of(paragraph)
    em = fmt.size * 10
    room = (width - fmt.left) / em
    first_room = room + (fmt.hanging - fmt.first_line) / em
    lines = sum(count_lines(line, first_room if i == 0 else room, room)
                for i, line in enumerate(paragraph_lines(paragraph)))
    spacing = fmt.before + fmt.after if with_spacing else 0
    return lines * fmt.line_height() + spacing


@dataclass(frozen=True)
class Page:
    """The text area of a section's pages, in twips."""

    width: int
    height: int


def section_pages(body) -> list[tuple[list, Page]]:
    """The body's elements grouped by section, with each section's text area."""
    sections: list[tuple[list, Page]] = []
    current: list = []
    for element in body:
        if element.tag == w("sectPr"):
            sections.append((current, _page(element)))
            current = []
            continue
        current.append(element)
        sect = element.find(f"{w('pPr')}/{w('sectPr')}") if element.tag == w("p") else None
        if sect is not None:
            sections.append((current, _page(sect)))
            current = []
    if current:
        sections.append((current, sections[-1][1] if sections else Page(9070, 14002)))
    return sections


def _page(sect) -> Page:
    size, margins = sect.find(w("pgSz")), sect.find(w("pgMar"))
    width = int(size.get(w("w"), 11906)) if size is not None else 11906
    height = int(size.get(w("h"), 16838)) if size is not None else 16838
    if margins is None:
        return Page(width - 2 * 1440, height - 2 * 1440)
    get = lambda name: abs(int(margins.get(w(name), 1440)))  # noqa: E731
    return Page(width - get("left") - get("right"), height - get("top") - get("bottom"))


# ---------------------------------------------------------------- tables as grids

def row_cells(row) -> list[tuple[int, int, object]]:
    """(first grid column, span, w:tc) of each cell of a row."""
    trpr = row.find(w("trPr"))
    before = trpr.find(w("gridBefore")) if trpr is not None else None
    column = int(before.get(w("val"))) if before is not None else 0
    cells = []
    for cell in row.iterchildren(w("tc")):
        properties = cell.find(w("tcPr"))  # one tag at a time: lxml runs a path like "a/b" in Python
        span_element = properties.find(w("gridSpan")) if properties is not None else None
        span = int(span_element.get(w("val"))) if span_element is not None else 1
        cells.append((column, span, cell))
        column += span
    return cells


def vmerge(cell) -> str | None:
    properties = cell.find(w("tcPr"))
    element = properties.find(w("vMerge")) if properties is not None else None
    if element is None:
        return None
    return element.get(w("val"), "continue")


def grid_widths(table) -> list[int]:
    return [int(c.get(w("w"), 0)) for c in table.findall(f"{w('tblGrid')}/{w('gridCol')}")]


def cell_margins(table) -> int:
    margins = table.find(f"{w('tblPr')}/{w('tblCellMar')}")
    if margins is None:
        return 2 * DEFAULT_CELL_MARGIN
    total = 0
    for names in (("left", "start"), ("right", "end")):
        found = next((margins.find(w(n)) for n in names if margins.find(w(n)) is not None), None)
        total += int(found.get(w("w"), DEFAULT_CELL_MARGIN)) if found is not None else DEFAULT_CELL_MARGIN
    return total


def is_header(row) -> bool:
    trpr = row.find(w("trPr"))
    return trpr is not None and trpr.find(w("tblHeader")) is not None
