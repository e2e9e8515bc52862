"""Outline labels of Taiwanese official documents: 壹、 → 一、 → (一) → 1. → (1) → 甲、 → (甲) → 子、 → (子).

Labels are generated from the outline depth; a user never types them. Existing libraries do not fit:
they give simplified characters (贰, 叁) and cannot write 參.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

MAX_DEPTH = 9

_DIGITS = "零一二三四五六七八九"
_FINANCIAL_DIGITS = "零壹貳參肆伍陸柒捌玖"
_HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
_EARTHLY_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"


def chinese_numeral(number: int, *, financial: bool = False) -> str:
    """Write 1–9999 as a Chinese numeral: 1 → 一, 10 → 十, 11 → 十一, 20 → 二十, 105 → 一百零五."""
    if not 1 <= number <= 9999:
        raise ValueError(f"number out of range: {number}")
    digits = _FINANCIAL_DIGITS if financial else _DIGITS
    units = ("", "拾", "佰", "仟") if financial else ("", "十", "百", "千")
    text = ""
    pending_zero = False
    for power in range(3, -1, -1):
        digit = number // 10**power % 10
        if digit == 0:
            pending_zero = bool(text)
            continue
        if pending_zero:
            text += digits[0]
            pending_zero = False
        text += digits[digit] + units[power]
    # 一十 → 十 for 10–19, as written in documents (十一、 not 一十一、)
    ten = units[1]
    if 10 <= number <= 19:
        text = text[len(digits[1]):] if text.startswith(digits[1] + ten) else text
    return text


def _cyclic(symbols: str, number: int) -> str:
    """甲乙… and 子丑… have no numerals beyond their cycle; after the last one they continue with numerals."""
    return symbols[number - 1] if number <= len(symbols) else chinese_numeral(number)


def outline_label(depth: int, number: int) -> str:
    """Return the label of the number-th point at an absolute outline depth (1 = 壹、 … 9 = (子))."""
    if not 1 <= depth <= MAX_DEPTH:
        raise ValueError(f"depth out of range: {depth}")
    if number < 1:
        raise ValueError(f"number must be positive: {number}")
    match depth:
        case 1:
            return chinese_numeral(number, financial=True) + "、"
        case 2:
            return chinese_numeral(number) + "、"
        case 3:
            return f"({chinese_numeral(number)})"
        case 4:
            return f"{number}."
        case 5:
            return f"({number})"
        case 6:
            return _cyclic(_HEAVENLY_STEMS, number) + "、"
        case 7:
            return f"({_cyclic(_HEAVENLY_STEMS, number)})"
        case 8:
            return _cyclic(_EARTHLY_BRANCHES, number) + "、"
        case _:
            return f"({_cyclic(_EARTHLY_BRANCHES, number)})"


def number_outline(levels: Sequence[int | None], first_depth: int = 1) -> list[str]:
    """Label a sequence of outline levels; None marks an unnumbered paragraph and gets "".

    Level 1 is printed at `first_depth` (1 for the plan body, 2 for table cells that start at 一、).
    A deeper level restarts its count under each new parent, so inserting a point renumbers the rest.
    """
    counters = [0] * (MAX_DEPTH + 1)
    labels: list[str] = []
    for level in levels:
        if level is None:
            labels.append("")
            continue
        counters[level] += 1
        for deeper in range(level + 1, len(counters)):
            counters[deeper] = 0
        labels.append(outline_label(level + first_depth - 1, counters[level]))
    return labels


def first_labels() -> dict[str, int]:
    """Each outline style by the label of its first point (壹、 一、 (一) 1. …): how a user names a style."""
    return {outline_label(depth, 1): depth for depth in range(1, MAX_DEPTH + 1)}


def depth_of_label(label: str) -> int | None:
    """The depth whose first label is `label`, typed full-width or not (（一） is (一), １． is 1.); None if none."""
    return first_labels().get(unicodedata.normalize("NFKC", label).replace(" ", ""))


def series_labels(count: int, depth: int | None) -> list[str]:
    """The labels of `count` points side by side at a depth, or no labels where the level is not numbered."""
    return number_outline([1] * count, first_depth=depth) if depth is not None else [""] * count


def text_depths(levels: Iterable[int | None]) -> list[int]:
    """Return, for each paragraph, the level whose text column it aligns with.

    A numbered paragraph aligns with its own level; an unnumbered one continues the text of the last
    numbered paragraph above it (0 before any).
    """
    current = 0
    depths: list[int] = []
    for level in levels:
        if level is not None:
            current = level
        depths.append(current)
    return depths
