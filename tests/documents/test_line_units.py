"""The units a line may break between, as the page model cuts a text into them."""
from __future__ import annotations

import re

from hypothesis import given, strategies as st

from plandocs.documents.page_model import NO_LINE_START, NUMBER_TOKEN, units_of

OPENING = "（「『【〈《〔(‘“"
ALPHABET = "".join(sorted(NO_LINE_START)) + OPENING + "字服0123456789年月日號aZ@_-#/ \n"


def units_by_the_rule(text: str) -> list[str]:
    """The rule as stated: a number, a Latin word or one character is a piece; a piece joins the one before
    when it may not begin a line, or when the one before ends in opening punctuation."""
    units: list[str] = []
    for piece in re.findall(NUMBER_TOKEN.pattern + r"|[A-Za-z0-9@:_\-#]+[/.]*|.", text, re.DOTALL):
        if units and (piece[0] in NO_LINE_START or units[-1][-1] in OPENING):
            units[-1] += piece
        else:
            units.append(piece)
    return units


def test_dates_stay_whole_punctuation_holds_to_its_neighbours_and_addresses_break_after_slashes_and_dots():
    assert units_of("請於6月29日前（含）提供：https://km.gov.taipei/ESP。") == [
        "請", "於", "6月29日", "前", "（含）", "提", "供：", "https://", "km.", "gov.", "taipei/", "ESP。"]


@given(st.text(alphabet=ALPHABET, max_size=24))
def test_units_are_the_pieces_joined_by_the_rule(text):
    assert units_of(text) == units_by_the_rule(text)
