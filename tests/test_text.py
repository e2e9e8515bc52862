"""The rules for what users type, shared by the master and the returns: one reading of a number or a name."""
from __future__ import annotations

import pytest

from plandocs.text import close_names, name_key, suggestion, text_key, whole_number


@pytest.mark.parametrize(("typed", "number"), [
    (120, 120), (120.0, 120), ("120", 120), ("１２０", 120), ("1,200", 1200), ("1，200", 1200), (" 1 200 ", 1200),
    ("+5", 5), ("12.0", 12), ("1,234,567", 1234567),
])
def test_a_whole_number_is_read_however_it_is_typed(typed, number):
    assert whole_number(typed) == number


@pytest.mark.parametrize("typed", ["1,20", "12,0000", "120、150", "12.5", 12.5, True, "", "一百", "9" * 16, None])
def test_what_is_not_one_whole_number_is_refused(typed):
    assert whole_number(typed) is None


def test_the_master_and_the_returns_read_the_comma_alike():
    """A comma that does not group thousands is a typo in both places, never a separator to drop."""
    from plandocs.master.cells import whole_number as master_rule
    from plandocs.returns.read_workbook import whole_number as returns_rule

    assert master_rule is returns_rule is whole_number


def test_headings_and_names_compare_as_a_person_reads_them():
    assert text_key("承辦單位 １") == text_key("承辦單位1") == "承辦單位1"
    assert name_key("台北 市\u200b") == name_key("臺北市")


def test_a_suggestion_names_the_closest_known_names():
    assert close_names("犯防課", ["犯防科", "督察室"]) == ["犯防科"]
    assert suggestion("犯防課", ["犯防科", "督察室"]) == "（是否為「犯防科」？）"
    assert suggestion("完全不同", ["犯防科"]) == ""
