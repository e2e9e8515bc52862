"""Merged ranges of an untrusted sheet, at the cost of what the sheet holds rather than what its ranges declare.

One <mergeCell ref="A1:XFD1048576"/> declares 17 billion cells; expanding it exhausted memory. Here only rows
that hold a cell are visited, each at most once per column asked for, however many ranges cover it.
"""
from __future__ import annotations

import bisect


def covered_cells(rows: list[int], ranges, columns) -> dict[tuple[int, int], tuple[int, int]]:
    """For each stored row (sorted) and each column asked for, the top-left corner of the first range covering
    it, the corner itself excepted; ranges are (top, left, bottom, right)."""
    covered: dict[tuple[int, int], tuple[int, int]] = {}
    for column in {c for c in columns if c is not None}:
        following = list(range(len(rows) + 1))  # the first row index at or after i that no range covered yet

        def free(index: int) -> int:
            while following[index] != index:
                following[index] = following[following[index]]
                index = following[index]
            return index

        for top, left, bottom, right in ranges:
            if not left <= column <= right:
                continue
            index, end = free(bisect.bisect_left(rows, top)), bisect.bisect_right(rows, bottom)
            while index < end:
                if (rows[index], column) != (top, left):  # a range's own corner stays free for another range
                    covered[rows[index], column] = (top, left)
                    following[index] = index + 1
                index = free(index + 1)
    return covered
