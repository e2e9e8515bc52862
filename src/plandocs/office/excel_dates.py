"""Excel's number formats and date serials, as Excel reads them, for the guarded workbook reader.

Reading a workbook needs only these two rules; importing openpyxl for them costs a build ~0.15 s of start-up
(openpyxl pulls in numpy where it is installed). The rules are those of ECMA-376 §18.8.30–31, the same that
openpyxl applies, and the tests compare the two on every built-in format and on the edge serials.
"""
from __future__ import annotations

import datetime as dt
import re

# Parts of a format that show no date even if they hold d, m, y…: a quoted literal, a [locale] or [colour]
# bracket — but not an elapsed-time bracket [h] [mm] [ss], which is a time
_NOT_DATE_PARTS = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
_DATE_LETTER = re.compile(r"(?<![_\\])[dmhysDMHYS]")  # `_x` pads by x's width and `\x` shows x: neither is a date
WINDOWS_EPOCH = dt.datetime(1899, 12, 30)  # day 0 of the 1900 system, which counts 1900-02-29 as a day
MAC_EPOCH = dt.datetime(1904, 1, 1)
_LEAP_BUG_DAYS = 60  # serials below it fall before Excel's fictitious 1900-02-29


def is_date_format(code: str) -> bool:
    """Whether a number format shows a number as a date or a time; only its first section (positive) counts."""
    first_section = code.split(";")[0]
    return _DATE_LETTER.search(_NOT_DATE_PARTS.sub("", first_section)) is not None


def excel_date(serial: float, date1904: bool) -> dt.datetime | float:
    """A date-formatted number as a date, to the millisecond; a number under one day (a time of day) and one no
    calendar holds (20180625 typed into a date cell, which Excel shows as ####) stay numbers."""
    if 0 <= serial < 1:
        return serial
    epoch = MAC_EPOCH if date1904 else WINDOWS_EPOCH
    day, fraction = divmod(serial, 1)
    if 0 < serial < _LEAP_BUG_DAYS and not date1904:
        day += 1
    try:
        return epoch + dt.timedelta(days=day, milliseconds=round(fraction * 86_400_000))
    except OverflowError:
        return serial
