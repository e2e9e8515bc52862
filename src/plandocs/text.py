"""Rules for the text users type, each spelt once: cleaning, comparing names, suggestions, numbers, ROC dates.

Every stage reads cells through these, so the master and the returns agree on what 「1,200」, 「107/6/25」
or 「臺北 市」 means. Standard library only: this module is on the start-up path of every command.
"""
from __future__ import annotations

import datetime as dt
import difflib
import functools
import math
import re
import unicodedata
from dataclasses import dataclass


# XML 1.0 allows tab, newline and carriage return among the C0 controls; everything else below U+0020,
# the surrogates and U+FFFE/U+FFFF cannot be stored in a .docx or .xlsx.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# How OOXML spells a character a workbook cannot hold as it is: _x000D_ for a carriage return.
_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")

ROC_OFFSET = 1911  # ROC year = Gregorian year − 1911
TAIWAN_TIME = dt.timedelta(hours=8)  # UTC+8 all year: Taiwan keeps no daylight saving time
SUGGESTION_CUTOFF = 0.4  # how alike a known name must be to be offered for a mistyped one (difflib's ratio)


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
    if type(value) is str and "_x" not in value and "\r" not in value and not _NOT_XML.search(value):
        return CleanText(value.strip())  # most texts, quickly: nothing to decode, normalise or remove
    if is_blank(value):
        return CleanText("")
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, dt.datetime):
        text = value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    else:
        text = str(value)
    if "_x" in text:
        text = _EXCEL_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    removed = tuple(dict.fromkeys(_NOT_XML.findall(text)))
    if removed:
        text = _NOT_XML.sub("", text)
    return CleanText(text.strip(), removed)


def describe_characters(characters: tuple[str, ...]) -> str:
    """Name invisible characters for a message: U+000B, U+0000 …"""
    return "、".join(f"U+{ord(c):04X}" for c in characters)


@functools.lru_cache(maxsize=65536, typed=True)  # headings and the forms' own texts recur in every return
def text_key(value: object) -> str:
    """Text compared the way a person reads it: width, spaces and line breaks do not matter (「承辦單位 １」 is
    「承辦單位1」)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", clean_text(value).text))


def name_key(name: str) -> str:
    """Unit names compare without spaces, invisible characters and width differences (full-width letters, 台/臺)."""
    visible = "".join(c for c in unicodedata.normalize("NFKC", name) if unicodedata.category(c) != "Cf")
    return re.sub(r"\s+", "", visible).replace("台", "臺")


def close_names(text: str, choices: list[str], count: int = 3) -> list[str]:
    """The known names most like a mistyped one, best first."""
    return difflib.get_close_matches(text, choices, n=count, cutoff=SUGGESTION_CUTOFF)


def suggestion(text: str, choices: list[str]) -> str:
    """'（是否為「犯罪預防科」？）' for the closest known names, or ''."""
    close = close_names(text, choices)
    return "（是否為" + "、".join(f"「{c}」" for c in close) + "？）" if close else ""


# A whole number as people type one: 1200, 1,200 (full-width ， folds to ,), +5, 12.0; 、 lists numbers and a
# comma that does not group thousands (1,20) is a typo, never a separator. 15 digits keep int() cheap.
_WHOLE_NUMBER = re.compile(r"[+]?(\d{1,3}(?:,\d{3}){1,4}|\d{1,15})(?:\.0+)?")


def whole_number(value: object) -> int | None:
    """An integer from a number cell or from digits typed as text (「２００」, 「1,000」); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        match = _WHOLE_NUMBER.fullmatch(re.sub(r"\s", "", unicodedata.normalize("NFKC", value)))
        return int(match.group(1).replace(",", "")) if match else None
    return None


def roc_date(date: dt.date) -> str:
    """2018-04-02 → 107年4月2日 (ROC calendar, half-width digits, no padding)."""
    return f"{date.year - ROC_OFFSET}年{date.month}月{date.day}日"


# 2018-06-29, 107/6/29, 107.6.29, 107年6月29日 (spaces allowed around the separators), and a time 00:00:00
# that a date cell's text may carry; 1070629 or 20180629 written without separators.
_DATE = re.compile(r"(\d{2,4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+00:00:00)?")
_DATE_DIGITS = re.compile(r"(\d{3}|\d{4})(\d{2})(\d{2})")


# A list item's number at the start of a line: 1. 1、 1) (1) （一） 一、 ① …
_ITEM_NUMBER = re.compile(r"^\s*(?:\(?\d{1,2}[.、)．]|\(\d{1,2}\)|[（(][一二三四五六七八九十]{1,3}[）)]|"
                          r"[一二三四五六七八九十]{1,3}、|[\u2460-\u2473])\s*")


def listed_items(text: str) -> list[str]:
    """The items one cell lists: numbered lines (1. 2. / 一、二、 / (1)(2)) each start an item and the lines
    under a number belong to it; without numbers, each line is an item. Numbers are removed."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    numbered = [bool(_ITEM_NUMBER.match(line)) for line in lines]
    if sum(numbered) < 2:
        return lines if sum(numbered) == 0 else [text.strip()]
    items: list[str] = []
    for line, is_new in zip(lines, numbered):
        if is_new or not items:
            items.append(_ITEM_NUMBER.sub("", line, count=1))
        else:
            items[-1] += "\n" + line
    return items


def roc_slash_date(date: dt.date) -> str:
    """2018-06-29 → 107/6/29: how a clerk types a date, and what the form's date cell asks for."""
    return f"{date.year - ROC_OFFSET}/{date.month}/{date.day}"


def parse_date(text: str) -> dt.date | None:
    """Read 2018-06-29, 2018/6/29, 107/6/29, 107.6.29, 107-6-29, 1070629, 20180629, 107年6月29日, 民國107年6月29日
    or 中華民國107年6月29日, in half- or full-width digits; a year below 1000 is an ROC year."""
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()
    text = text.removeprefix("中華").removeprefix("民國").strip()
    match = _DATE.fullmatch(text) or _DATE_DIGITS.fullmatch(text)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    if year < 1000:
        year += ROC_OFFSET
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def date_cell(value: dt.date) -> dt.date:
    """The date a unit meant by a date cell: Excel and Calc store a typed 107/6/25 as the year 107 AD, so a year
    before the ROC calendar began (1912) is read as an ROC year."""
    if value.year < ROC_OFFSET:
        try:
            return value.replace(year=value.year + ROC_OFFSET)
        except ValueError:  # 29 February of a year that is a leap year only in one of the two calendars
            return value
    return value


def taiwan_time(stamp: dt.datetime) -> dt.datetime:
    """A time as the user reads it: save and file times are kept in UTC to compare, and shown in Taiwan's time;
    a 填報日期 (midnight) is a date and stays as it is."""
    return stamp if stamp.time() == dt.time() else stamp + TAIWAN_TIME


def roc_time(stamp: dt.datetime) -> str:
    """107年6月25日 14:03:00 in Taiwan's time, or 不明 for an unknown time."""
    if stamp == dt.datetime.min:
        return "不明"
    local = taiwan_time(stamp)
    return roc_date(local.date()) + ("" if local.time() == dt.time() else f" {local:%H:%M:%S}")


def _is_invisible(character: str) -> bool:
    # Cc: controls (newline, ESC of a terminal sequence); Cf: format characters, among them the bidi overrides
    # (U+202E turns 「xlsx.exe」 into 「exe.xslx」); Zl/Zp: line and paragraph separators; Cs: bytes of a
    # file name that are not UTF-8, as Python decodes them.
    return unicodedata.category(character) in ("Cc", "Cf", "Zl", "Zp", "Cs")


def visible(name: str) -> str:
    """A name from outside (a file, a sheet) as it can be shown safely: every control, bidi or invisible
    character written as <U+202E>, so that it can neither forge a console line nor reverse the text around it."""
    if name.isprintable():  # the common case, quickly: no control or format character at all
        return name
    return "".join(f"<U+{ord(c):04X}>" if _is_invisible(c) else c for c in name)
