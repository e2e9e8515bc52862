"""Turning raw cell values into text a Word document can hold, without losing what the user typed."""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from openpyxl.utils.escape import unescape

# XML 1.0 allows tab, newline and carriage return among the C0 controls; everything else below U+0020,
# the surrogates and U+FFFE/U+FFFF cannot be stored in a .docx or .xlsx.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_EXCEL_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")


@dataclass(frozen=True)
class CleanText:
    text: str
    removed: tuple[str, ...] = ()  # characters dropped because XML cannot hold them, for a warning


def is_blank(value: object) -> bool:
    """True for an empty cell as a workbook reader hands it over (None, NaN, "", spaces)."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def clean_text(value: object) -> CleanText:
    """Return the cell's text, trimmed, with Excel escapes decoded and line ends normalised."""
    if is_blank(value):
        return CleanText("")
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, dt.datetime):
        text = value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    else:
        text = str(value)
    if _EXCEL_ESCAPE.search(text):
        text = unescape(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    removed = tuple(dict.fromkeys(_NOT_XML.findall(text)))
    if removed:
        text = _NOT_XML.sub("", text)
    return CleanText(text.strip(), removed)


def describe_characters(characters: tuple[str, ...]) -> str:
    """Name invisible characters for a message: U+000B, U+0000 …"""
    return "、".join(f"U+{ord(c):04X}" for c in characters)
