"""Merged ranges cost what a sheet holds: the cells they cover are found among the stored rows only."""
from __future__ import annotations

import random

from plandocs.office.merges import covered_cells


def expanded(rows: list[int], ranges, columns) -> dict:
    """What expanding every range cell by cell gives (the first range covering a cell wins)."""
    found = {}
    for top, left, bottom, right in ranges:
        for row in range(top, bottom + 1):
            for column in range(left, right + 1):
                if row in rows and column in columns and (row, column) != (top, left):
                    found.setdefault((row, column), (top, left))
    return found


def test_small_sheets_agree_with_expanding_every_range():
    generator = random.Random(13)
    for _ in range(200):
        rows = sorted(generator.sample(range(1, 40), 12))
        ranges = []
        for _ in range(generator.randint(0, 6)):
            top, left = generator.randint(1, 35), generator.randint(1, 6)
            ranges.append((top, left, top + generator.randint(0, 10), left + generator.randint(0, 3)))
        columns = {1, 3}
        assert covered_cells(rows, ranges, columns) == expanded(rows, ranges, columns)


def test_a_range_declared_as_the_whole_sheet_gives_one_entry_per_stored_row():
    rows = [1, 5, 1_048_576]
    whole = [(1, 1, 1_048_576, 16_384)] * 5000  # repeated: each row is still visited once
    assert covered_cells(rows, whole, [1, 2, None]) == {
        (5, 1): (1, 1), (1_048_576, 1): (1, 1), (1, 2): (1, 1), (5, 2): (1, 1), (1_048_576, 2): (1, 1)}
