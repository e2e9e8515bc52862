import pytest

from plandocs.numbering import chinese_numeral, number_outline, outline_label, text_depths


@pytest.mark.parametrize(
    ("number", "expected"),
    [(1, "一"), (9, "九"), (10, "十"), (11, "十一"), (19, "十九"), (20, "二十"), (21, "二十一"), (99, "九十九"),
     (100, "一百"), (101, "一百零一"), (110, "一百一十"), (1001, "一千零一")],
)
def test_chinese_numerals_are_written_as_in_documents(number, expected):
    assert chinese_numeral(number) == expected


@pytest.mark.parametrize(("number", "expected"), [(1, "壹"), (2, "貳"), (3, "參"), (8, "捌"), (10, "拾"), (12, "拾貳")])
def test_financial_numerals_use_traditional_forms(number, expected):
    assert chinese_numeral(number, financial=True) == expected


@pytest.mark.parametrize(
    ("depth", "number", "expected"),
    [(1, 1, "壹、"), (1, 8, "捌、"), (2, 3, "三、"), (2, 11, "十一、"), (3, 2, "(二)"), (4, 28, "28."),
     (5, 3, "(3)"), (6, 1, "甲、"), (7, 2, "(乙)"), (8, 1, "子、"), (9, 12, "(亥)"), (6, 11, "十一、")],
)
def test_every_depth_has_its_label(depth, number, expected):
    assert outline_label(depth, number) == expected


def test_deeper_levels_restart_under_each_parent_and_unnumbered_paragraphs_get_no_label():
    levels = [1, None, 1, 2, 2, 3, 3, 2, 1, 2]
    assert number_outline(levels) == ["壹、", "", "貳、", "一、", "二、", "(一)", "(二)", "三、", "參、", "一、"]


def test_table_cells_start_numbering_at_the_second_depth():
    assert number_outline([1, 2, 3, 4, 1], first_depth=2) == ["一、", "(一)", "1.", "(1)", "二、"]


def test_inserting_a_point_renumbers_the_points_after_it():
    """The reference numbers the attachments 一、 二、 二、; generated numbers cannot repeat."""
    assert number_outline([2, 2, 2], first_depth=1) == ["一、", "二、", "三、"]


def test_unnumbered_paragraphs_align_with_the_text_of_the_point_above():
    assert text_depths([None, 1, None, 2, None, 1]) == [0, 1, 1, 2, 2, 1]


@pytest.mark.parametrize("depth", [0, 10])
def test_depth_outside_the_nine_levels_is_refused(depth):
    with pytest.raises(ValueError):
        outline_label(depth, 1)
