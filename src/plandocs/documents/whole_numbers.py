"""Numbers set as Latin text, so that LibreOffice, like Word, never breaks one across two lines.

Amid Chinese text LibreOffice takes digits for Chinese (their language is the paragraph's, zh-TW) and
breaks between any two of them: 「警察機關10｜7年度」 at a line's end of the shipped circular. A run of digits
marked as English is laid out as Latin text: in Times New Roman, as FORMAT and Word set digits, and broken
only where English would be, never inside a number. Word breaks numbers nowhere either way. The text
itself is unchanged: runs are only cut around the numbers.
"""
from __future__ import annotations

import copy
import re

from .page_model import w

_NUMBER = re.compile(r"\d[\d,.]*\d")  # two digits or more: a single digit cannot be broken
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
LATIN_LANGUAGE = "en-US"


def set_numbers_as_latin(root) -> None:
    """Cut every run of a rendered part (w:document) around its numbers and mark the numbers English."""
    for run in list(root.iter(w("r"))):
        texts = [child for child in run if child.tag != w("rPr")]
        if len(texts) != 1 or texts[0].tag != w("t") or not _NUMBER.search(texts[0].text or ""):
            continue  # a run with a break, a tab or a field keeps its shape
        for text, number in reversed(_pieces(texts[0].text)):
            run.addnext(_run_like(run, text, number))
        run.getparent().remove(run)


def _pieces(text: str) -> list[tuple[str, bool]]:
    pieces, position = [], 0
    for match in _NUMBER.finditer(text):
        if match.start() > position:
            pieces.append((text[position:match.start()], False))
        pieces.append((match.group(), True))
        position = match.end()
    if position < len(text):
        pieces.append((text[position:], False))
    return pieces


def _run_like(run, text: str, number: bool):
    """A run with `run`'s properties holding `text`, marked English when it is a number."""
    piece = run.makeelement(w("r"), run.attrib)
    properties = run.find(w("rPr"))
    if properties is not None:
        piece.append(copy.deepcopy(properties))
    if number:
        properties = piece.find(w("rPr"))
        if properties is None:
            properties = piece.makeelement(w("rPr"), {})
            piece.insert(0, properties)
        language = properties.find(w("lang"))
        if language is None:
            language = properties.makeelement(w("lang"), {})
            properties.append(language)  # schema order is restored when the document is saved
        language.set(w("val"), LATIN_LANGUAGE)
        language.set(w("eastAsia"), LATIN_LANGUAGE)
    element = piece.makeelement(w("t"), {})
    element.text = text
    if text != text.strip():
        element.set(_XML_SPACE, "preserve")
    piece.append(element)
    return piece
