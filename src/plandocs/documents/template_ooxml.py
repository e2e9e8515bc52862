"""Warn of what in a restyled template Word may repair or refuse and rendering cannot put right itself.

Properties out of schema order or duplicated are ordered when a document is rendered (office/ooxml_order.py),
so they are not reported; a property the schema does not allow where it stands is, with the part of the
document and the element, so the author can find it (e.g. by re-applying the formatting in Word).
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from ..errors import Location, Problem, Severity
from ..office.ooxml_order import WORD_PART, unfixable_faults

_PART_NAMES = {"document": "文件本文", "styles": "樣式", "numbering": "編號", "footnotes": "註腳", "endnotes": "章節附註"}
# How Word names the property lists in its dialogs, so the warning points at something a user can open.
_LIST_NAMES = {"tcPr": "儲存格格式", "tblPr": "表格格式", "trPr": "表格列格式", "pPr": "段落格式", "rPr": "字型格式",
               "sectPr": "版面設定", "style": "樣式定義", "lvl": "編號層級", "tblPrEx": "表格列例外格式",
               "tblStylePr": "表格樣式條件格式", "docDefaults": "預設格式"}


def ooxml_problems(path: Path) -> list[Problem]:
    """Warnings for every kind of property a template holds where the schema does not allow it; none if unreadable."""
    problems: list[Problem] = []
    try:
        with zipfile.ZipFile(path) as archive:
            parts = [(name, archive.read(name)) for name in archive.namelist() if WORD_PART.fullmatch(name)]
            for name, xml in parts:
                for (parent, child), count in unfixable_faults(xml).items():
                    problems.append(Problem(
                        f"{_part_name(name)}的{_LIST_NAMES.get(parent, parent)}（w:{parent}）含有不應出現的設定 w:{child}"
                        f"（{count} 處）；Word 開啟產生的文件時可能要求修復。請在 Word 中重新套用該處格式或還原範本。",
                        Location(file=path.name, place=name), Severity.WARNING))
    except (zipfile.BadZipFile, OSError, ValueError, SyntaxError):  # reported by the scan of the tags already
        return []
    return problems


def _part_name(part: str) -> str:
    stem = part.removeprefix("word/").removesuffix(".xml")
    if stem.startswith("header"):
        return "頁首"
    if stem.startswith("footer"):
        return "頁尾"
    return _PART_NAMES.get(stem, stem)
