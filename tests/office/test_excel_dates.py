"""The reader's own date rules agree with openpyxl's, and reading a workbook no longer imports openpyxl."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from openpyxl.styles.numbers import BUILTIN_FORMATS
from openpyxl.styles.numbers import is_date_format as openpyxl_is_date_format
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel

from plandocs.office.excel_dates import excel_date, is_date_format

CUSTOM_FORMATS = [
    'yyy/mm/dd', '[$-zh-TW]e/m/d', '"日期"0', '[Red]0.00', '[hh]:mm', '[mm]:ss', '[ss]', '0_m', r'0\d', '@',
    'General', '0;[Red]yyyy', '#,##0;"d"', '[$-404]aaa', 'hh:mm AM/PM', '"m"', '', '[DBNum1]0', 'ggge"年"m"月"d"日"',
]


@pytest.mark.parametrize("code", sorted(set(BUILTIN_FORMATS.values())) + CUSTOM_FORMATS)
def test_date_formats_are_told_as_openpyxl_tells_them(code):
    assert is_date_format(code) == openpyxl_is_date_format(code)


@pytest.mark.parametrize("serial", [1, 1.5, 59, 59.999, 60, 61, 43276, 43276.25, 43276.9999999, 2958465.99, -1.5,
                                    12345.678901])
@pytest.mark.parametrize("date1904", [False, True])
def test_serials_are_dates_as_openpyxl_reads_them(serial, date1904):
    try:
        expected = from_excel(serial, MAC_EPOCH if date1904 else WINDOWS_EPOCH)
    except OverflowError:  # past 9999-12-31 in the 1904 system: shown as ####, kept as the number typed
        expected = serial
    assert excel_date(serial, date1904) == expected


@pytest.mark.parametrize("serial", [0, 0.25, 0.999])
def test_a_time_of_day_stays_a_number(serial):
    assert excel_date(serial, False) == serial


def test_a_serial_no_calendar_holds_stays_a_number():
    assert excel_date(20180625 * 1000.0, False) == 20180625 * 1000.0


def test_the_shipped_date_of_a_form_is_read_as_a_date():
    assert excel_date(43276, False) == dt.datetime(2018, 6, 25)


def test_reading_a_workbook_imports_no_openpyxl(shipped_output):
    form = next(shipped_output.rglob("*.xlsx"))
    script = ("import sys; from pathlib import Path; from plandocs.office.xlsx_reader import read_workbook; "
              f"read_workbook(Path({str(form)!r}), 'form.xlsx'); print('openpyxl' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
