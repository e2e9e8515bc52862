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

from .page_model import child_of, w

_NUMBER = re.compile(r"\d[\d,.]*\d")  # two digits or more: a single digit cannot be broken
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
LATIN_LANGUAGE = "en-US"


def set_numbers_as_latin(root) -> None:
    """Cut every run of a rendered part (w:document) around its numbers and mark the numbers English."""
    texts = [t for t in root.iter(w("t")) if t.text and _NUMBER.search(t.text)]
    for text in texts:
        run = text.getparent()
        shape = [child.tag for child in run]
        if run.tag != w("r") or shape.count(w("t")) != 1 or set(shape) - {w("rPr"), w("t")}:
            continue  # a run with a break, a tab or a field keeps its shape
        pieces = _pieces(text.text)
        plain, latin = _copy_with_text(run, ""), _latin(_copy_with_text(run, ""))
        _set_text(text, pieces[0][0])
        if pieces[0][1]:
            _latin(run)
        anchor = run
        for piece, number in pieces[1:]:
            following = copy.deepcopy(latin if number else plain)
            _set_text(following.find(w("t")), piece)
            anchor.addnext(following)
            anchor = following


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


def _copy_with_text(run, text: str):
    duplicate = copy.deepcopy(run)
    duplicate.tail = None
    _set_text(duplicate.find(w("t")), text)
    return duplicate


def _set_text(element, text: str) -> None:
    element.text = text
    if text != text.strip():
        element.set(_XML_SPACE, "preserve")
    else:
        element.attrib.pop(_XML_SPACE, None)


def _latin(run):
    """Mark a run English, in place; returns it."""
    language = child_of(child_of(run, "rPr", first=True), "lang")
    language.set(w("val"), LATIN_LANGUAGE)
    language.set(w("eastAsia"), LATIN_LANGUAGE)
    return run
