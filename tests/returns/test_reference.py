"""What the reference answers about a return's texts: the units a file name names, and answers kept per value."""
from __future__ import annotations

import pytest

from plandocs.master.validate import check_master
from plandocs.returns.reference import Reference, _Answers

from helpers.project import SHIPPED_MASTER

REFERENCE = Reference(check_master(SHIPPED_MASTER).plan)


@pytest.mark.parametrize("stem, names", [
    ("中正第一分局", {"中正第一分局"}),
    ("107年中正一分局回報（最終版）", {"中正第一分局"}),  # by its alias, inside a longer name
    ("大同分局與萬華分局", {"大同分局", "萬華分局"}),
    ("回報_刑大", {"刑事警察大隊"}),  # a short alias at the very end
    ("ｆｉｎａｌ 勤務指揮中心", {"勤務指揮中心"}),
    ("無從判斷", set()),
    ("", set()),
])
def test_the_units_a_file_name_names_are_found_wherever_they_are_in_it(stem, names):
    assert {unit.name for unit in REFERENCE.units_named_in(stem)} == names


def test_an_answer_is_kept_per_type_and_value_and_never_for_a_long_text():
    answers, asked = _Answers(), []

    def ask(value):
        return answers.get(("question",), value, lambda: asked.append(value) or type(value).__name__)

    # 1, 1.0 and True are equal as keys, but a cell holding each reads as a different text
    assert [ask(1), ask(True), ask(1.0), ask(1), ask(True)] == ["int", "bool", "float", "int", "bool"]
    assert asked == [1, True, 1.0]
    long = "字" * (_Answers.TEXT_LENGTH + 1)
    ask(long)
    ask(long)
    assert asked[3:] == [long, long]
