"""The one rule every file plandocs writes keeps: a unit's or a user's text stays text, never a formula.

A cell starting with one of FORMULA_STARTS is run as a formula by Excel or LibreOffice when it is typed or a
.csv is opened (OWASP, "CSV Injection"). Each writer applies the rule its own way:
- XlsxWriter (the fill-in forms, the consolidated workbook): TEXT_ONLY_OPTIONS, and every string written with
  write_string, which stores a shared string whatever it starts with;
- openpyxl (the 補正 workbooks): set_text, since openpyxl turns any string starting with = into a formula;
- .csv (office/output.py): csv_cell writes such a cell with a leading apostrophe, which both show as text.
"""
from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# XlsxWriter's options for a workbook of text: never a formula, a link or a number made of a string by accident
TEXT_ONLY_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def starts_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def set_text(cell, value: object) -> None:
    """Put a value in an openpyxl cell; a string is stored as a string, so `=MKceq` stays what the unit typed."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
