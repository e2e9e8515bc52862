"""Put WordprocessingML properties, and SpreadsheetML font properties, into the order the schema prescribes,
and drop duplicated ones.

Word reads a property element only where the schema sequence allows it and may "repair" or refuse a
file that has `w:vMerge` after `w:vAlign` in a cell's properties, or `w:tblLayout` twice in a table's.
docxtpl itself appends `w:vMerge` at the end of `w:tcPr` for `{% vm %}`, and a template saved by some
editors carries such faults too; LibreOffice forgives them, Word may not. Ordering changes no meaning:
every property keeps its value, only its place moves. Of two copies of one property the last is kept,
since what rendering adds comes after what the template held.

openpyxl writes a font's properties as `name, charset, family, b, i, …, color, sz` in a workbook's
styles.xml, while the schema Excel validates against (and writes itself) has `b, i, …, sz, color, name,
family, charset, scheme`: every workbook plandocs saves through openpyxl is put in that order.

Pure functions on bytes: the same input always gives the same output.
"""
from __future__ import annotations

import io
import re
import zipfile

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = "{" + W + "}"
_S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"

# Sequences of ECMA-376 (transitional) wml.xsd, by the local name of the parent element.
_RPR = ("ins", "del", "moveFrom", "moveTo",  # only in a paragraph mark's properties (CT_ParaRPr)
        "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline", "shadow",
        "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w", "kern",
        "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs",
        "em", "lang", "eastAsianLayout", "specVanish", "oMath", "rPrChange")
_PPR = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
        "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct",
        "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind",
        "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection", "textAlignment",
        "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange")
_TBLPR = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize", "tblW",
          "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption",
          "tblDescription", "tblPrChange")
_TRPR = ("cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter", "cantSplit", "trHeight", "tblHeader",
         "tblCellSpacing", "jc", "hidden", "ins", "del", "trPrChange")
_TCPR = ("cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar", "textDirection",
         "tcFitText", "vAlign", "hideMark", "headers", "cellIns", "cellDel", "cellMerge", "tcPrChange")
_SECTPR = ("headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar", "paperSrc",
           "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote", "titlePg",
           "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings", "sectPrChange")
_STYLE = ("name", "aliases", "basedOn", "next", "link", "autoRedefine", "hidden", "uiPriority", "semiHidden",
          "unhideWhenUsed", "qFormat", "locked", "personal", "personalCompose", "personalReply", "rsid", "pPr", "rPr",
          "tblPr", "trPr", "tcPr", "tblStylePr")
_LVL = ("start", "numFmt", "lvlRestart", "pStyle", "isLgl", "suff", "lvlText", "lvlPicBulletId", "legacy", "lvlJc",
        "pPr", "rPr")
_BORDERS = ("top", "start", "left", "bottom", "end", "right", "insideH", "insideV", "tl2br", "tr2bl", "between", "bar")

_SEQUENCES = {
    "rPr": _RPR, "pPr": _PPR, "tblPr": _TBLPR, "trPr": _TRPR, "tcPr": _TCPR, "sectPr": _SECTPR, "style": _STYLE,
    "lvl": _LVL, "tblBorders": _BORDERS, "tcBorders": _BORDERS, "pBdr": _BORDERS, "tcMar": _BORDERS,
    "tblCellMar": _BORDERS, "tblPrEx": _TBLPR, "tblStylePr": ("pPr", "rPr", "tblPr", "trPr", "tcPr"),
    "docDefaults": ("rPrDefault", "pPrDefault"),
}
# CT_Font of the SpreadsheetML schema as Office validates it.
_FONT = ("b", "i", "strike", "condense", "extend", "outline", "shadow", "u", "vertAlign", "sz", "color", "name",
         "family", "charset", "scheme")
_FONT_RANK = {name: index for index, name in enumerate(_FONT)}
_RANKS = {parent: {name: index for index, name in enumerate(sequence)} for parent, sequence in _SEQUENCES.items()}
# Properties a sequence may hold more than once.
_REPEATABLE = {"headerReference", "footerReference"}
# Elements whose own properties come first, before content whose order is meaning.
_LEADING = {"p": ("pPr",), "r": ("rPr",), "tc": ("tcPr",), "tr": ("tblPrEx", "trPr"), "tbl": ("tblPr", "tblGrid")}
_ORDERED_TAGS = [_W + name for name in (*_SEQUENCES, *_LEADING)]

# The parts of a .docx made of WordprocessingML that Word validates.
WORD_PART = re.compile(r"word/(document|styles|numbering|header\d*|footer\d*|footnotes|endnotes|glossary/document)\.xml")
# Word 2010's copy of the styles, which nothing reads now and which goes stale when another program edits
# styles.xml (validators report the difference as content Word may treat as unreadable).
_STYLES_WITH_EFFECTS = "word/stylesWithEffects.xml"
_STYLES_WITH_EFFECTS_TYPE = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"


def _local(element) -> str | None:
    """The local name of a WordprocessingML or SpreadsheetML element (a part holds only one of the two)."""
    tag = element.tag
    if not isinstance(tag, str):
        return None
    for namespace in (_W, _S):
        if tag.startswith(namespace):
            return tag[len(namespace):]
    return None


def order_element(root) -> int:
    """Reorder every property list under `root` (an lxml element) in place; returns how many lists changed."""
    changed = 0
    for element in list(root.iter(*_ORDERED_TAGS)):  # a list: reordering while iterating would skip elements
        name = _local(element)
        if name in _SEQUENCES:
            changed += _order_sequence(element, _RANKS[name])
        elif name in _LEADING:
            changed += _lead(element, _LEADING[name])
    return changed


def _misplaced(children, rank: dict[str, int]):
    """The names of the listed children that stand after a later one of the sequence, or a second time."""
    best, seen = -1, set()
    for child in children:
        name = _local(child)
        if name not in rank:
            continue
        if rank[name] < best or (name in seen and name not in _REPEATABLE):
            yield name
        best = max(best, rank[name])
        seen.add(name)


def _in_order(children: list, rank: dict[str, int]) -> bool:
    """Whether the listed children already follow the sequence, none of them twice (the common case)."""
    return next(_misplaced(children, rank), None) is None


def _order_sequence(element, rank: dict[str, int]) -> int:
    children = list(element)
    if _in_order(children, rank):
        return 0
    last_of: dict[str, object] = {}
    for child in children:
        name = _local(child)
        if name in rank and name not in _REPEATABLE:
            last_of[name] = child
    kept, removed = [], 0
    key = -1.0
    for position, child in enumerate(children):
        name = _local(child)
        if name in rank:
            if name not in _REPEATABLE and last_of[name] is not child:
                removed += 1
                continue
            key = rank[name]
        # an element the schema does not list here (an extension) stays right after its predecessor
        kept.append((key, position, child))
    ordered = [child for _, _, child in sorted(kept, key=lambda item: (item[0], item[1]))]
    if not removed and ordered == children:
        return 0
    for child in children:
        element.remove(child)
    element.extend(ordered)
    return 1


def _lead(element, leading: tuple[str, ...]) -> int:
    if len(leading) == 1:  # most elements: a run or a paragraph with its properties first, or none
        found = element.findall(_W + leading[0])
        if not found or (len(found) == 1 and element[0] is found[0]):
            return 0
    children = list(element)
    first = [c for name in leading for c in children if _local(c) == name]
    if children[:len(first)] == first:
        return 0
    for child in first:
        element.remove(child)
    for index, child in enumerate(first):
        element.insert(index, child)
    return 1


def order_part(xml: bytes) -> bytes:
    """One WordprocessingML part in schema order; the bytes unchanged when nothing needed to move."""
    from lxml import etree

    root = etree.fromstring(xml, etree.XMLParser(remove_blank_text=False, resolve_entities=False, huge_tree=True))
    if not order_element(root):
        return xml
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def normalize_docx(data: bytes) -> bytes:
    """A .docx with its WordprocessingML parts in schema order and without the stale stylesWithEffects copy.

    Entries keep their order, names, times and compression; a package needing nothing is returned as is.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    contents: dict[str, bytes] = {}
    for name in names:
        content = source.read(name)
        if WORD_PART.fullmatch(name):
            content = order_part(content)
        contents[name] = content
    if _STYLES_WITH_EFFECTS in contents:
        del contents[_STYLES_WITH_EFFECTS]
        contents["word/_rels/document.xml.rels"] = re.sub(
            rb'<Relationship [^>]*Type="' + re.escape(_STYLES_WITH_EFFECTS_TYPE.encode()) + rb'"[^>]*/>', b"",
            contents["word/_rels/document.xml.rels"])
        contents["[Content_Types].xml"] = re.sub(
            rb'<Override [^>]*PartName="/word/stylesWithEffects\.xml"[^>]*/>', b"", contents["[Content_Types].xml"])
    if all(contents.get(name) == source.read(name) for name in names):
        return data
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename not in contents:
                continue
            entry = zipfile.ZipInfo(info.filename, info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, contents[info.filename])
    return buffer.getvalue()


def normalize_xlsx(data: bytes) -> bytes:
    """An .xlsx whose styles.xml has every font's properties in schema order; other entries untouched."""
    from lxml import etree

    source = zipfile.ZipFile(io.BytesIO(data))
    styles = source.read("xl/styles.xml")
    root = etree.fromstring(styles, etree.XMLParser(remove_blank_text=False, resolve_entities=False))
    if not sum(_order_sequence(font, _FONT_RANK) for font in root.iter(_S + "font")):
        return data
    ordered = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, ordered if info.filename == "xl/styles.xml" else source.read(info.filename))
    return buffer.getvalue()


def saved_workbook(workbook) -> bytes:
    """An openpyxl workbook saved as .xlsx bytes, valid by the schema Office checks."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return normalize_xlsx(buffer.getvalue())


def ordering_faults(xml: bytes) -> list[tuple[str, str]]:
    """(parent, child) names of properties out of schema order or duplicated in one part, each once, for a check."""
    from lxml import etree

    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, huge_tree=True))
    faults: dict[tuple[str, str], None] = {}
    for element in root.iter(*(_W + name for name in _SEQUENCES)):
        for name in _misplaced(element, _RANKS[_local(element)]):
            faults[(_local(element), name)] = None
    return list(faults)


def unfixable_faults(xml: bytes) -> dict[tuple[str, str], int]:
    """Properties the schema does not allow in their list at all (so ordering cannot place them), with counts.

    E.g. a `w:jc` inside a cell's `w:tcPr`: Word may drop it or refuse the file; only the template's author
    knows what was meant.
    """
    from lxml import etree

    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, huge_tree=True))
    faults: dict[tuple[str, str], int] = {}
    for element in root.iter(_W + "*"):
        parent = _local(element)
        sequence = _SEQUENCES.get(parent)
        if not sequence or parent in ("tblBorders", "tcBorders", "pBdr", "tcMar", "tblCellMar"):
            continue
        for child in element:
            name = _local(child)
            if name is not None and name not in sequence:
                faults[(parent, name)] = faults.get((parent, name), 0) + 1
    return faults
