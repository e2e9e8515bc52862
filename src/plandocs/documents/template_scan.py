"""Static checks of a Word template: every tag is found where Word shows it and checked before rendering.

docxtpl reports a broken tag by a line of its rewritten XML, which means nothing to a user. Here each
tag is read from the template's paragraphs and table cells (through python-docx's XML classes), so a
problem names the place as Word shows it — 「第 1 個表格第 2 列第 1 格」 or 「第 6 段」 — and every problem
of every template is reported at once:

- delimiters: a tag left open (`{{ title`) or a stray `}}` / `%}`;
- placement: what docxtpl cannot place (two `{%tr %}` in one row, `{%p %}` beside other text, `{% vm %}`
  outside a table, a block whose start and end sit at different levels of the document);
- blocks: a loop or condition never closed, an `endfor` without its `for`;
- syntax of each tag, through Jinja's own parser.

The names a template uses are checked against its data in template_names.py.
"""
from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Location, Problem, Severity
from ..office.formats import CFB_SIGNATURE, internal_relationships, office_lock_files, relationships_part

_SHOWN_TEXT = 40
_OPENERS = {"for": "endfor", "if": "endif", "with": "endwith", "macro": "endmacro", "call": "endcall",
            "filter": "endfilter", "block": "endblock", "raw": "endraw", "autoescape": "endautoescape",
            "trans": "endtrans"}
_CLOSERS = {end: start for start, end in _OPENERS.items()} | {"endset": "set"}
_MIDDLES = {"else": ("if", "for"), "elif": ("if",)}
_MERGES = {"vm", "hm"}  # docxtpl's vertical / horizontal merge of a table cell inside a loop
_CELL_ATTRIBUTES = {"colspan", "cellbg"}  # docxtpl tags that set a property of their table cell
_PREFIXES = ("tr", "tc", "p", "r")  # docxtpl's tags that replace a whole row, cell, paragraph or run
_LEVEL_NAMES = {"tr": "表格列", "tc": "儲存格", "p": "段落", "r": "文字", "": "文字"}

_OFFICE_DOCUMENT = "/officeDocument"
# Parts of a .docx that docxtpl renders; a tag anywhere else stays in the output as typed.
_RENDERED_PARTS = {"/header": "頁首", "/footer": "頁尾", "/footnotes": "註腳"}
_CORE_PROPERTIES = "/core-properties"
_RENDERED_PROPERTIES = {"title": "標題", "subject": "主旨", "creator": "作者", "description": "註解",
                        "identifier": "識別碼", "language": "語言"}
_UNRENDERED_PARTS = {"endnotes": "章節附註", "comments": "註解", "chart": "圖表", "diagram": "SmartArt 圖形"}

_DELIMITER = re.compile(r"\{\{|\{%|\{#")
_CLOSING = {"{{": "}}", "{%": "%}", "{#": "#}"}
_STRAY_CLOSER = re.compile(r"\}\}|%\}")
# What an input method or a slip of the space bar makes of a delimiter: printed as typed, never a tag
_LOOKALIKE = re.compile(r"[{｛]\s*[｛％]|｛\s*[{%]|[％｝]\s*[}｝]|[%}]\s*｝|\{\s+[{%]|[%}]\s+\}")
# Word's autocorrect turns quotes into curly ones; docxtpl turns them back inside tags
_CURLY_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


@dataclass(frozen=True)
class Place:
    """A paragraph of a template, with the table row and cell that hold it, described in Word's terms."""

    description: str
    paragraph: object  # the w:p element
    cell: object | None  # the w:tc element around it, if any
    row: object | None  # the w:tr element around it, if any


@dataclass(frozen=True)
class Tag:
    """One Jinja tag as typed in the template: `{%tr for item in dimension.assessment_items %}`."""

    text: str
    delimiter: str  # "{{", "{%" or "{#"
    prefix: str  # "", "tr", "tc", "p" or "r"
    body: str  # between the delimiters, without prefix and whitespace control
    place: Place

    @property
    def keyword(self) -> str:
        """The statement's first word (for, endfor, if, vm …); empty for an expression or a comment."""
        if self.delimiter != "{%":
            return ""
        return self.body.split(None, 1)[0] if self.body else ""

    def level(self) -> tuple[str, object]:
        """Where docxtpl puts this tag: its prefix and the element whose children it stands between."""
        if self.prefix == "tr":
            return "tr", self.place.row.getparent() if self.place.row is not None else None
        if self.prefix == "tc":
            return "tc", self.place.row
        return self.prefix, self.place.paragraph.getparent()


@dataclass
class TemplateScan:
    """The tags of one template in document order and the problems found reading them."""

    file: str
    tags: list[Tag] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, message: str, place: Place | None = None, severity: Severity = Severity.ERROR) -> None:
        where = Location(file=self.file, place=place.description if place else None)
        self.problems.append(Problem(message, where, severity))

    @property
    def has_errors(self) -> bool:
        return any(p.is_error for p in self.problems)


def shorten(text: str) -> str:
    text = text.replace("\n", " ").replace("\t", " ").strip()
    return text if len(text) <= _SHOWN_TEXT else text[:_SHOWN_TEXT] + "…"


def scan_template(path: Path) -> TemplateScan:
    """Read every tag of a template and check delimiters, placement, blocks and the syntax of each tag."""
    scan = TemplateScan(path.name)
    if any(lock.exists() for lock in office_lock_files(path)):
        scan.problem("此範本似乎正由 Word 開啟中；將讀取最後一次儲存的內容，尚未儲存的修改不會納入。",
                     severity=Severity.WARNING)
    try:
        with zipfile.ZipFile(path) as archive:
            parts = list(_template_parts(archive, scan))
            properties = list(_core_properties(archive))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, SyntaxError) as error:  # lxml's XMLSyntaxError too
        if isinstance(error, FileNotFoundError):
            scan.problem("找不到此範本，請確認範本資料夾或以 --templates 指定。")
        elif path.is_file() and path.read_bytes()[:8] == CFB_SIGNATURE:
            scan.problem("這是舊版 Word 97-2003（.doc）或設有密碼的檔案；請以 Word 另存為 .docx（不設密碼）。")
        else:
            scan.problem("這不是可讀取的 Word 文件（.docx）；請以 Word 開啟後另存為 .docx。")
        return scan
    for label, root in parts:
        for place in _places(label, root):
            _read_tags(scan, place, paragraph_text(place.paragraph))
    for place, text in properties:
        _read_tags(scan, place, text)
    _check_placement(scan)
    _check_blocks(scan)
    _check_syntax(scan)
    return scan


def _template_parts(archive: zipfile.ZipFile, scan: TemplateScan) -> Iterator[tuple[str, object]]:
    """(label, XML root) of the main document, then its headers, footers and footnotes, as docxtpl renders them.

    Parts docxtpl does not render (comments, endnotes, charts) are only searched for tags, which would
    be printed as typed.
    """
    from docx.oxml.parser import parse_xml

    main = _related(archive, "", _OFFICE_DOCUMENT) or ["word/document.xml"]
    root = parse_xml(archive.read(main[0]))
    if root.tag != _qn("w:document"):
        raise ValueError(f"{main[0]} is not a Word document")  # an .xlsx or .pptx renamed to .docx
    yield "", root
    rendered = {main[0]}
    for kind, label in _RENDERED_PARTS.items():
        for number, part in enumerate(_related(archive, main[0], kind), 1):
            rendered.add(part)
            yield f"{label}{number if number > 1 else ''}", parse_xml(archive.read(part))
    for name in archive.namelist():
        if name in rendered or not name.endswith(".xml") or name.startswith("customXml/"):
            continue
        label = next((label for key, label in _UNRENDERED_PARTS.items() if key in name), None)
        if label and _DELIMITER.search(archive.read(name).decode("utf-8", "replace")):
            scan.problem(f"{label}中有範本標籤，但{label}不會套用資料，標籤會照原樣印出；請移到本文。")


def _core_properties(archive: zipfile.ZipFile) -> Iterator[tuple[Place, str]]:
    """The document properties docxtpl renders (title, subject …), each as a place of its own."""
    from docx.oxml.parser import parse_xml

    part = (_related(archive, "", _CORE_PROPERTIES) or [None])[0]
    if part is None:
        return
    for element in parse_xml(archive.read(part)):
        label = _RENDERED_PROPERTIES.get(element.tag.rpartition("}")[2])
        if label and element.text:
            yield Place(f"文件摘要資訊的「{label}」（檔案 > 資訊 > 內容）", element, None, None), element.text


def _related(archive: zipfile.ZipFile, part: str, kind: str) -> list[str]:
    """The parts a part refers to with a relationship whose type ends with `kind`, in the order listed."""
    from docx.oxml.parser import parse_xml

    rels = relationships_part(part)
    if rels not in archive.namelist():
        return []
    return [r.target for r in internal_relationships(part, parse_xml(archive.read(rels)))
            if r.type.endswith(kind) and r.target in archive.namelist()]


def _places(label: str, root) -> Iterator[Place]:
    """Every paragraph of a part, in document order, with its place in Word's terms."""
    from docx.oxml.ns import qn

    tables = {table: number for number, table in enumerate(root.iter(qn("w:tbl")), 1)}
    outside = 0
    for paragraph in root.iter(qn("w:p")):
        text = paragraph_text(paragraph)
        cell = next(paragraph.iterancestors(qn("w:tc")), None)
        if cell is None:
            outside += 1
            where = f"{label}第 {outside} 段"
            yield Place(f"{where}「{shorten(text)}」" if text.strip() else where, paragraph, None, None)
            continue
        row = cell.getparent()
        table = row.getparent()
        row_number = table.findall(qn("w:tr")).index(row) + 1 if row.tag == qn("w:tr") else 0
        cell_number = row.findall(qn("w:tc")).index(cell) + 1
        where = f"{label}第 {tables.get(table, 0)} 個表格第 {row_number} 列第 {cell_number} 格"
        yield Place(f"{where}「{shorten(text)}」" if text.strip() else where, paragraph, cell,
                    row if row.tag == qn("w:tr") else None)


def paragraph_text(paragraph) -> str:
    """The text of a paragraph's own runs, as docxtpl sees it (a text box inside it is a paragraph of its own)."""
    from docx.oxml.ns import qn

    return "".join(t.text or "" for t in paragraph.iter(qn("w:t"))
                   if next(t.iterancestors(qn("w:p")), None) is paragraph)


def _read_tags(scan: TemplateScan, place: Place, text: str) -> None:
    """Split a paragraph's text into tags; a tag left open or a stray closing delimiter is a problem."""
    lookalikes = _LOOKALIKE.findall(text)
    if lookalikes:
        shown_marks = "".join(f"「{mark}」" for mark in dict.fromkeys(lookalikes))
        scan.problem(f"{shown_marks}看似範本標籤，但用了全形符號或中間有空白；docxtpl 只認得半形且相連的"
                     "「{{」「}}」「{%」「%}」，否則會照原樣印出。", place)
    position = 0
    while match := _DELIMITER.search(text, position):
        _report_stray_closers(scan, place, text[position:match.start()])
        opening = match.group()
        end = text.find(_CLOSING[opening], match.end())
        if end < 0:
            scan.problem(f"標籤「{shorten(text[match.start():])}」沒有結尾的「{_CLOSING[opening]}」；"
                         "一個標籤須完整寫在同一段落內。", place)
            return
        position = end + 2
        scan.tags.append(_tag(text[match.start():position], place))
    _report_stray_closers(scan, place, text[position:])


def _report_stray_closers(scan: TemplateScan, place: Place, text: str) -> None:
    for stray in _STRAY_CLOSER.findall(text):
        opening = "{{" if stray == "}}" else "{%"
        scan.problem(f"「{stray}」前面沒有對應的「{opening}」，會照原樣印出；請補上「{opening}」或刪除。", place)


def _tag(text: str, place: Place) -> Tag:
    delimiter, inner = text[:2], text[2:-2]
    prefix = next((p for p in _PREFIXES if inner.startswith(p + " ")), "")
    if prefix == "r" and delimiter == "{#":
        prefix = ""  # docxtpl has no run-level comment
    body = inner[len(prefix):].strip().removeprefix("-").removesuffix("-").strip().translate(_CURLY_QUOTES)
    return Tag(text, delimiter, prefix, body, place)


def _check_placement(scan: TemplateScan) -> None:
    """What docxtpl cannot place: it replaces the whole row/cell/paragraph of a prefixed tag, so one per
    row/cell/paragraph and nothing else beside it; merges and cell attributes only inside a table."""
    holders: dict[tuple[str, object], Tag] = {}
    for tag in scan.tags:
        place = tag.place
        if tag.delimiter == "{%" and re.match(r"\s+(tr|tc|p|r)\s", tag.text[2:]) and not tag.prefix:
            word = tag.text[2:].split()[0]
            scan.problem(f"「{shorten(tag.text)}」：docxtpl 只認得緊接在「{{%」之後的「{word}」，"
                         f"請寫成「{{%{word} …%}}」（% 與 {word} 之間不可有空白）。", place)
            continue
        if tag.prefix in ("tr", "tc", "p") and re.search(r"[%}]", tag.body):
            scan.problem(f"「{shorten(tag.text)}」：以 {tag.prefix} 開頭的標籤內不可含有「%」或「}}」"
                         "（docxtpl 無法辨識）；請改寫條件，例如先在資料中算好。", place)
        if tag.keyword in _MERGES | _CELL_ATTRIBUTES and place.cell is None:
            scan.problem(f"「{shorten(tag.text)}」只能放在表格儲存格內。", place)
        elif tag.keyword in _MERGES and place.cell.find(_qn("w:tcPr")) is None:
            scan.problem(f"「{shorten(tag.text)}」所在的儲存格沒有格式設定，docxtpl 無法合併；"
                         "請在 Word 中為此儲存格設定框線或寬度後再存檔。", place)
        if tag.prefix == "r" or not tag.prefix:
            continue
        holder = {"tr": place.row, "tc": place.cell, "p": place.paragraph}[tag.prefix]
        if holder is None:
            where = "表格列" if tag.prefix == "tr" else "表格儲存格"
            scan.problem(f"「{shorten(tag.text)}」只能放在{where}中。", place)
            continue
        level = _LEVEL_NAMES[tag.prefix]
        first = holders.setdefault((tag.prefix, holder), tag)
        if first is not tag:
            scan.problem(f"同一{level}中有兩個 {tag.prefix} 標籤（「{shorten(first.text)}」與「{shorten(tag.text)}」）；"
                         f"docxtpl 會以第一個取代整個{level}，第二個會消失。請把它移到另一個{level}。", place)
            continue
        others = _text_of(holder).replace(tag.text, "", 1).strip()
        if others:
            scan.problem(f"「{shorten(tag.text)}」會取代整個{level}，同一{level}中的「{shorten(others)}」會被刪除；"
                         f"請讓此標籤獨占一個{level}。", place)


def _qn(name: str) -> str:
    from docx.oxml.ns import qn

    return qn(name)


def _text_of(element) -> str:
    return "".join(paragraph_text(p) for p in element.iter(_qn("w:p")))


def _check_blocks(scan: TemplateScan) -> None:
    """Every block opened is closed, at the level it was opened: a `{%tr for %}` ends with a `{%tr endfor %}`
    in the same table, a `{%p if %}` with a `{%p endif %}` in the same cell (or both outside tables)."""
    stack: list[Tag] = []
    for tag in scan.tags:
        keyword = tag.keyword
        if keyword in _OPENERS or (keyword == "set" and "=" not in tag.body):
            stack.append(tag)
        elif keyword in _MIDDLES:
            if not stack or stack[-1].keyword not in _MIDDLES[keyword]:
                scan.problem(f"「{shorten(tag.text)}」前面沒有對應的 {' 或 '.join(_MIDDLES[keyword])}。", tag.place)
            else:
                _check_same_level(scan, stack[-1], tag)
        elif keyword in _CLOSERS:
            opener = _CLOSERS[keyword]
            if not any(open_tag.keyword == opener for open_tag in stack):
                scan.problem(f"「{shorten(tag.text)}」前面沒有對應的「{opener}」標籤；請刪除或補上開頭。", tag.place)
                continue
            while stack[-1].keyword != opener:
                _report_unclosed(scan, stack.pop())
            _check_same_level(scan, stack.pop(), tag)
        elif keyword in _MERGES and not any(open_tag.keyword == "for" for open_tag in stack):
            scan.problem(f"「{shorten(tag.text)}」只能用在迴圈（for）之內。", tag.place)
    for tag in stack:
        _report_unclosed(scan, tag)


def _report_unclosed(scan: TemplateScan, tag: Tag) -> None:
    end = _OPENERS.get(tag.keyword, "endset")
    closer = f"{{%{tag.prefix} {end} %}}" if tag.prefix else f"{{% {end} %}}"
    scan.problem(f"「{shorten(tag.text)}」沒有對應的結尾「{closer}」；請補上。", tag.place)


def _check_same_level(scan: TemplateScan, opener: Tag, tag: Tag) -> None:
    if opener.level() == tag.level():
        return
    prefix, _ = opener.level()
    if prefix != tag.level()[0]:
        form = f"{{%{prefix} {tag.keyword} %}}" if prefix else f"{{% {tag.keyword} %}}"
        message = f"開頭是「{shorten(opener.text)}」（{opener.place.description}），此處也須寫成「{form}」。"
    else:
        where = {"tr": "同一個表格內", "tc": "同一列內"}.get(prefix, "同一個儲存格內（或都在表格外）")
        message = f"與開頭「{shorten(opener.text)}」（{opener.place.description}）須在{where}。"
    scan.problem(f"「{shorten(tag.text)}」{message}docxtpl 無法安排跨層的區塊，產生的文件會損毀。", tag.place)


def syntax_environment():
    from jinja2 import Environment

    return Environment()


def jinja_source(tag: Tag) -> str:
    """The tag as plain Jinja, as docxtpl rewrites it: no prefix; merges and cell attributes as expressions."""
    if tag.keyword in _MERGES:
        return ""  # placement only; outside a loop it is reported by the block check
    if tag.keyword in _CELL_ATTRIBUTES:
        return "{{ " + tag.body.split(None, 1)[1] + " }}" if " " in tag.body else "{{ }}"
    return f"{tag.delimiter} {tag.body} {_CLOSING[tag.delimiter]}"


def _check_syntax(scan: TemplateScan) -> None:
    """Parse each tag on its own, completed into a whole block, so every broken tag is found, not only the first."""
    from jinja2 import TemplateSyntaxError

    environment = syntax_environment()
    for tag in scan.tags:
        keyword = tag.keyword
        if tag.delimiter == "{#" or keyword in _CLOSERS:
            continue
        source = jinja_source(tag)
        if keyword in _OPENERS:
            source += f"{{% {_OPENERS[keyword]} %}}"
        elif keyword == "set" and "=" not in tag.body:
            source += "{% endset %}"
        elif keyword in _MIDDLES:
            source = f"{{% if true %}}{source}{{% endif %}}"
        try:
            environment.parse(source)
        except TemplateSyntaxError as error:
            scan.problem(f"標籤「{shorten(tag.text)}」語法錯誤（Jinja：{error.message}）；"
                         "請檢查拼寫、括號與引號。", tag.place)


def locate_name(scan: TemplateScan, name: str) -> Place | None:
    """The first place whose tag uses a name, for an error found only while rendering."""
    pattern = re.compile(rf"(?<![\w.]){re.escape(name)}\b|\.{re.escape(name)}\b")
    return next((t.place for t in scan.tags if pattern.search(t.body)), None)
