"""Render a user's docxtpl template, and the WordprocessingML of the paragraphs a context inserts.

Values are escaped (autoescape) and an unknown name in a template is an error (StrictUndefined), so
`R&D <研究>` in the master prints intact and a typo in a tag never prints as nothing.
"""
from __future__ import annotations

import datetime as dt
import gc
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from markupsafe import Markup

from ..errors import Location, TemplateError
from ..master.model import Facts, Paragraph
from ..numbering import number_outline, text_depths
from ..office.ooxml_order import normalize_docx
from .pagination import paginate
from .whole_numbers import set_numbers_as_latin

# Paragraph styles the generated paragraphs use, by their name in Word (ids may differ after Word saves).
BODY_STYLE = "計畫本文"
CELL_STYLE = "表格內文"
CENTRED_CELL_STYLE = "表格置中"

# How far each absolute outline depth (壹、 一、 (一) 1. (1) 甲、 (甲) 子、 (子)) moves the next level's label, in characters.
_LEVEL_STEP = {1: 2.0, 2: 2.0, 3: 2.0, 4: 1.0, 5: 1.5, 6: 2.0, 7: 2.0, 8: 2.0, 9: 2.0}
TWIPS_PER_CHAR = {BODY_STYLE: 280, CELL_STYLE: 240}  # 14 pt body, 12 pt tables, as the shipped styles
# Labels are set in the Kai face throughout: its half-width digits and brackets are exactly half a
# character wide, so the hanging indent can equal the label's width and wrapped lines align with the text.
LABEL_FONT = "標楷體"


@dataclass(frozen=True)
class Subdocument:
    """The place of a rendered sub-document (a form the circular embeds) in a list of a context: filled with
    the sub-document of that name when the template is rendered, as the top-level names are."""

    name: str


def with_subdocuments(context: dict, made: Callable[[str], object]) -> dict:
    """The context with each sub-document place in its lists of dicts filled by `made(name)`."""
    def filled(value: object) -> object:
        if isinstance(value, list) and any(isinstance(v, dict) for v in value):
            return [{k: made(v.name) if isinstance(v, Subdocument) else v for k, v in item.items()}
                    if isinstance(item, dict) else item for item in value]
        return value

    return {key: filled(value) for key, value in context.items()}


def label_width(label: str) -> float:
    """Width of a label in characters: full-width characters 1, ASCII half."""
    return sum(0.5 if ord(c) < 0x2E80 else 1.0 for c in label)


@dataclass(frozen=True)
class OutlineStyle:
    """How a family of outline paragraphs is written: its Word style id and where numbering starts."""

    style_id: str | None
    first_depth: int  # 1: the body starts at 壹、; 2: table cells start at 一、
    twips_per_char: int

    def paragraphs(self, paragraphs: list[Paragraph]) -> Markup:
        """WordprocessingML for numbered paragraphs with hanging indents; at least one <w:p>, as a cell needs."""
        return Markup("".join(self.paragraph_list(paragraphs)) or self._paragraph("", "", None, 0))

    def paragraph_list(self, paragraphs: list[Paragraph]) -> list[str]:
        """Each numbered paragraph's WordprocessingML, in order, so a table can be set between two of them."""
        levels = [p.level for p in paragraphs]
        labels = number_outline(levels, self.first_depth)
        depths = text_depths(levels)
        # a block whose shallowest level is 3 (1. 2. with nothing above) starts at the margin, not indented
        shallowest = min((level for level in levels if level is not None), default=1)
        return [self._paragraph(label, p.text, p.level, depth, shallowest)
                for label, p, depth in zip(labels, paragraphs, depths)]

    def lines(self, texts: list[str], centred_style: str | None) -> Markup:
        """One unnumbered paragraph per text, in a given style (e.g. the responsible units of a key point)."""
        style = OutlineStyle(centred_style, self.first_depth, self.twips_per_char)
        return Markup("".join(style._paragraph("", t, None, 0) for t in texts) or style._paragraph("", "", None, 0))

    def labelled(self, label: str, text: str, unlabelled_style: str | None) -> str:
        """A name in a table cell: in `unlabelled_style` (centred) as it is, or after its label with a hanging
        indent, so that its wrapped lines align with its text; an empty name has no label."""
        if not label or not text:
            return paragraph_xml(text, unlabelled_style)
        return self._paragraph(label, text, 1, 1)

    def _text_start(self, depth: int, shallowest: int) -> float:
        return sum(_LEVEL_STEP[d + self.first_depth - 1] for d in range(shallowest, depth + 1))

    def _paragraph(self, label: str, text: str, level: int | None, depth: int, shallowest: int = 1) -> str:
        indent = ""
        if level is not None:
            hanging = label_width(label)
            left = self._text_start(level - 1, shallowest) + hanging
        else:
            left, hanging = self._text_start(depth, shallowest), 0.0
        if left:
            indent = (
                f'<w:ind w:left="{round(left * self.twips_per_char)}" w:leftChars="{round(left * 100)}"'
                f' w:hanging="{round(hanging * self.twips_per_char)}" w:hangingChars="{round(hanging * 100)}"/>'
            )
        fonts = f'<w:rFonts w:ascii="{LABEL_FONT}" w:hAnsi="{LABEL_FONT}" w:eastAsia="{LABEL_FONT}"/>'
        return paragraph_xml(text, self.style_id, indent, lead=(label, fonts) if label else None)


def paragraph_xml(text: str, style_id: str | None, properties: str = "",
                  lead: tuple[str, str] | None = None) -> str:
    """One WordprocessingML paragraph for a {{p }} tag: its lines joined by line breaks, escaped.

    `lead` is a (text, run properties) run before the text: an outline label, a unit's name in bold.
    docxtpl marks texts xml:space="preserve" and lxml moves such attributes in quadratic time, so only a
    line with outer spaces gets it: a large report renders in seconds instead of tens of seconds.
    """
    style = f'<w:pStyle w:val="{_attribute(style_id)}"/>' if style_id else ""
    lead_run = f"<w:r><w:rPr>{lead[1]}</w:rPr>{_text(lead[0])}</w:r>" if lead else ""
    body = "<w:br/>".join(_text(line) for line in text.split("\n"))
    return f"<w:p><w:pPr>{style}{properties}</w:pPr>{lead_run}<w:r>{body}</w:r></w:p>"


def _text(text: str) -> str:
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f"<w:t{space}>{escape(text)}</w:t>"


def _attribute(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def style_ids(template) -> dict[str, str]:
    """Map style names to ids in a loaded template (Word renames ids of custom styles when it saves)."""
    return {style.name: style.style_id for style in template.get_docx().styles}


def _environment():
    from jinja2 import Environment, StrictUndefined

    return Environment(autoescape=True, undefined=StrictUndefined)


def render_template(path: Path, make_context: Callable[[dict[str, str]], dict],
                    subdocuments: dict[str, bytes] | None = None, names: frozenset[str] = frozenset(),
                    numbers_as_latin: bool = True, title_names: frozenset[str] = frozenset()) -> bytes:
    """Render one template to .docx bytes; template mistakes become a TemplateError naming the file.

    `make_context` receives the template's style ids by name, so generated paragraphs use its styles;
    `names` (the units') are kept whole on a line in the tables' columns that list them, and titles break
    inside none of them nor of `title_names`; with
    `numbers_as_latin`, numbers are set as Latin text (whole_numbers.py).
    """
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError as JinjaError

    where = Location(file=path.name)
    try:
        template = DocxTemplate(path)
        made = {name: template.new_subdoc(io.BytesIO(data)) for name, data in (subdocuments or {}).items()}
        full_context = with_subdocuments(make_context(style_ids(template)), made.__getitem__) | made
        templated = _templated_properties(template)
        try:
            template.render(full_context, _environment())
        except (ArithmeticError, TypeError) as error:  # an expression of the template, e.g. {{ year / 0 }}
            raise TemplateError(f"範本中的運算式無法計算（{type(error).__name__}：{error}）；請檢查範本中含運算的標籤。",
                                where) from error
        _unescape_properties(template, templated)
        paginate(template.docx.element, template.docx.styles.element, names, title_names)
        if numbers_as_latin:
            set_numbers_as_latin(template.docx.element)
        buffer = io.BytesIO()
        template.save(buffer)
    except JinjaError as error:
        raise TemplateError(describe_template_error(error), where) from error
    except (OSError, KeyError, ValueError) as error:
        raise TemplateError("無法開啟範本，請確認為 Word 文件（.docx）且未損毀。", where) from error
    # The rendered tree is let go before the saved file is parsed again: a report of 1,000 returns is a
    # 20 MB document, and holding both trees doubled the memory collect needs.
    del template, full_context
    gc.collect()  # python-docx's parts refer to each other: only the cycle collector frees them
    # docxtpl's {% vm %} and a restyled template leave properties out of schema order, which Word may repair
    return normalize_docx(buffer.getvalue())


_PROPERTY_FIELDS = ("title", "subject", "author", "keywords", "comments", "category", "last_modified_by")


def _templated_properties(template) -> list[str]:
    properties = template.get_docx().core_properties
    return [f for f in _PROPERTY_FIELDS if "{{" in (getattr(properties, f) or "") or "{%" in (getattr(properties, f) or "")]


def _unescape_properties(template, fields: list[str]) -> None:
    """docxtpl renders document properties with the body's autoescaping environment, and python-docx escapes
    them again when saving; undo the first escape so `R&D` stays `R&D` in the file's title."""
    properties = template.docx.core_properties  # get_docx() would reload the unrendered template
    for field in fields:
        setattr(properties, field, Markup(getattr(properties, field)).unescape())


def describe_template_error(error: Exception) -> str:
    from jinja2 import TemplateSyntaxError, UndefinedError

    if isinstance(error, UndefinedError):
        return f"範本使用了資料中沒有的名稱（{error.message}）；請檢查標籤拼寫，例如 {{{{ title }}}}。"
    if isinstance(error, TemplateSyntaxError):
        return f"範本標籤語法錯誤（{error.message}）；請檢查 {{% … %}} 與 {{{{ … }}}} 是否成對、迴圈是否以 endfor 結束。"
    return f"範本無法產生文件（{error}）。"


def document_time(facts: Facts) -> dt.datetime:
    """The fixed time stamped into outputs: the issue date, so that rebuilding gives identical bytes."""
    return dt.datetime.combine(facts.document_date, dt.time())
