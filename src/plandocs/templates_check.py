"""Static checks of a Word template: every tag is found where Word shows it and checked before rendering.

docxtpl reports a broken tag by a line of its rewritten XML, which means nothing to a user. Here each
tag is read from the template's paragraphs and table cells (through python-docx's XML classes), so a
problem names the place as Word shows it — 「第 1 個表格第 2 列第 1 格」 or 「第 6 段」 — and every problem
of every template is reported at once:

- delimiters: a tag left open (`{{ title`) or a stray `}}` / `%}`;
- placement: what docxtpl cannot place (two `{%tr %}` in one row, `{%p %}` beside other text, `{% vm %}`
  outside a table, a block whose start and end sit at different levels of the document);
- blocks: a loop or condition never closed, an `endfor` without its `for`;
- syntax of each tag, through Jinja's own parser;
- names: every name and attribute a template uses, against the data it will be rendered with
  (top-level names as docxtpl's `get_undeclared_template_variables` finds them, and attributes such as
  `dimension.heading`, which it does not see).
"""
from __future__ import annotations

import difflib
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Location, Problem, Severity
from .paths import office_lock_files

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

_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
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
_CFB_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


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
        elif path.is_file() and path.read_bytes()[:8] == _CFB_SIGNATURE:
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

    folder, base = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", base + ".rels")
    if rels not in archive.namelist():
        return []
    targets = []
    for relationship in parse_xml(archive.read(rels)).iterchildren(f"{{{_RELS_NS}}}Relationship"):
        target = relationship.get("Target", "")
        if relationship.get("Type", "").endswith(kind) and relationship.get("TargetMode") != "External":
            resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            if resolved in archive.namelist():
                targets.append(resolved)
    return targets


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


def _syntax_environment():
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

    environment = _syntax_environment()
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


class _Unknown:
    """The shape of a value the static check cannot know (a loop over an empty list, a `set` of a filter)."""


UNKNOWN = _Unknown()


@dataclass
class _Fields:
    """The shape of a dict in the context: its keys and the shape of each value."""

    fields: dict[str, object]


@dataclass
class _Items:
    """The shape of a list in the context: the merged shape of its elements."""

    element: object


def shape_of(value: object) -> object:
    """Describe a context value by its structure; the elements of a list are merged into one shape."""
    if isinstance(value, dict):
        return _Fields({key: shape_of(item) for key, item in value.items()})
    if isinstance(value, (list, tuple)):
        merged: object = UNKNOWN
        for item in value:
            merged = _merge(merged, shape_of(item))
        return _Items(merged)
    return value


def _merge(first: object, second: object) -> object:
    if isinstance(first, _Unknown):
        return second
    if isinstance(first, _Fields) and isinstance(second, _Fields):
        keys = dict.fromkeys([*first.fields, *second.fields])
        return _Fields({k: _merge(first.fields.get(k, UNKNOWN), second.fields.get(k, UNKNOWN)) for k in keys})
    if isinstance(first, _Items) and isinstance(second, _Items):
        return _Items(_merge(first.element, second.element))
    return first


def check_names(scan: TemplateScan, context: dict) -> None:
    """Report every name and attribute the template uses that its data does not provide."""
    from jinja2 import TemplateSyntaxError

    tags = [t for t in scan.tags if t.delimiter != "{#"]
    environment = _syntax_environment()
    try:
        tree = environment.parse("\n".join(jinja_source(t) for t in tags))  # one tag per line: lineno finds it
    except TemplateSyntaxError:
        return  # reported tag by tag already
    _NameChecker(scan, tags, environment, context).visit_all(tree.body, {k: shape_of(v) for k, v in context.items()})


class _NameChecker:
    def __init__(self, scan: TemplateScan, tags: list[Tag], environment, context: dict):
        self.scan = scan
        self.tags = tags
        self.environment = environment
        self.top_level = sorted(context)
        self.reported: set[tuple[int, str]] = set()

    def report(self, node, name: str, known: list[str], owner: str = "") -> None:
        tag = self.tags[min(max(node.lineno, 1), len(self.tags)) - 1]
        if (node.lineno, name) in self.reported:
            return
        self.reported.add((node.lineno, name))
        close = difflib.get_close_matches(name.rsplit(".", 1)[-1], known, n=1, cutoff=0.5)
        hint = f"（是否為「{close[0]}」？）" if close else ""
        available = f"「{owner}」可用的名稱" if owner else "此範本可用的名稱"
        names = "、".join(known) if known else "（無）"
        self.scan.problem(f"「{shorten(tag.text)}」使用了資料中沒有的名稱「{name}」{hint}；{available}：{names}。",
                          tag.place)

    def visit_all(self, nodes, scope: dict) -> None:
        for node in nodes:
            self.visit(node, scope)

    def visit(self, node, scope: dict) -> object:
        """Check one node; for an expression, return the shape of its value."""
        from jinja2 import nodes as n

        if isinstance(node, n.For):
            element = self.visit(node.iter, scope)
            inner = dict(scope)
            _bind(node.target, element.element if isinstance(element, _Items) else UNKNOWN, inner)
            inner["loop"] = UNKNOWN
            if node.test is not None:
                self.visit(node.test, inner)
            self.visit_all(node.body, inner)
            self.visit_all(node.else_, scope)
            return None
        if isinstance(node, n.Assign):
            _bind(node.target, self.visit(node.node, scope), scope)
            return None
        if isinstance(node, (n.AssignBlock, n.Macro, n.CallBlock, n.With)):
            inner = dict(scope)
            for child in node.iter_child_nodes():
                if isinstance(child, n.Name) and child.ctx in ("store", "param"):
                    inner[child.name] = UNKNOWN
            if isinstance(node, (n.Macro, n.CallBlock)):
                inner.update(dict.fromkeys(("caller", "varargs", "kwargs"), UNKNOWN))
            if isinstance(node, n.With):
                for target, value in zip(node.targets, node.values):
                    _bind(target, self.visit(value, scope), inner)
                self.visit_all(node.body, inner)
                return None
            if isinstance(node, n.AssignBlock):
                _bind(node.target, UNKNOWN, scope)
            self.visit_all(node.body, inner)
            return None
        if isinstance(node, n.Name):
            if node.ctx != "load":
                return UNKNOWN
            if node.name in scope:
                return scope[node.name]
            if node.name not in self.environment.globals:
                self.report(node, node.name, self.top_level)
            return UNKNOWN
        if isinstance(node, n.Getattr):
            return self.attribute(node, node.node, node.attr, scope)
        if isinstance(node, n.Getitem) and isinstance(node.arg, n.Const) and isinstance(node.arg.value, str):
            return self.attribute(node, node.node, node.arg.value, scope)
        if isinstance(node, n.Filter) and node.name not in self.environment.filters:
            self.report(node, f"|{node.name}", sorted(self.environment.filters), "篩選器")
        if isinstance(node, n.Test) and node.name not in self.environment.tests:
            self.report(node, f"is {node.name}", sorted(self.environment.tests), "測試")
        if isinstance(node, n.Call) and isinstance(node.node, n.Getattr):
            self.visit(node.node.node, scope)  # a method call such as d.items(): the method itself is fine
            for child in node.iter_child_nodes():
                if child is not node.node:
                    self.visit(child, scope)
            return UNKNOWN
        for child in node.iter_child_nodes():
            self.visit(child, scope)
        return UNKNOWN

    def attribute(self, node, owner_node, name: str, scope: dict) -> object:
        owner = self.visit(owner_node, scope)
        owner_name = _dotted(owner_node)
        if isinstance(owner, _Fields):
            if name in owner.fields:
                return owner.fields[name]
            self.report(node, f"{owner_name}.{name}", list(owner.fields), owner_name)
        elif isinstance(owner, _Items):
            self.report(node, f"{owner_name}.{name}", [], f"{owner_name}（清單，須以 {{% for %}} 逐項取用）")
        elif not isinstance(owner, _Unknown) and owner is not None and not hasattr(owner, name):
            self.report(node, f"{owner_name}.{name}", [], owner_name)
        return UNKNOWN


def _bind(target, shape: object, scope: dict) -> None:
    """Give the names a `for` or `set` assigns their shape (each name of a tuple: unknown)."""
    from jinja2 import nodes as n

    if isinstance(target, n.Name):
        scope[target.name] = shape
    elif isinstance(target, n.Tuple):
        for item in target.items:
            _bind(item, UNKNOWN, scope)


def _dotted(node) -> str:
    """`dimension.assessment_items` for a chain of attributes, as the user typed it."""
    from jinja2 import nodes as n

    if isinstance(node, n.Name):
        return node.name
    if isinstance(node, n.Getattr):
        return f"{_dotted(node.node)}.{node.attr}"
    return "此值"


def locate_name(scan: TemplateScan, name: str) -> Place | None:
    """The first place whose tag uses a name, for an error found only while rendering."""
    pattern = re.compile(rf"(?<![\w.]){re.escape(name)}\b|\.{re.escape(name)}\b")
    return next((t.place for t in scan.tags if pattern.search(t.body)), None)
