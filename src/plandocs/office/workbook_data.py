"""What every reader of a return gives collect: sheets of stored cells with their merged ranges, and the
workbook's identity properties — the same for an .xlsx, an .ods/.xls/.xlsb, a Word 附表2 or a .csv."""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from .merges import covered_cells

# A saved time outside these years is a file's tampering or a program's placeholder (0001-01-01), not a save:
# it is ignored, since the saved time only orders a unit's returns when their reply dates tie.
_PLAUSIBLE_SAVE_YEARS = range(1990, 2200)


def saved_time(text: str | None) -> dt.datetime | None:
    """A package's last-saved time (ISO 8601, as core.xml and meta.xml write it) in UTC without its zone,
    or None where it is absent, unreadable or not a plausible save."""
    if not text:
        return None
    try:
        stamp = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        if stamp.tzinfo:
            stamp = stamp.astimezone(dt.timezone.utc).replace(tzinfo=None)
    except (ValueError, OverflowError):  # year 1 at +08:00 falls before the first representable instant
        return None
    return stamp if stamp.year in _PLAUSIBLE_SAVE_YEARS else None


HEADER_SEARCH_ROWS = 10  # how far down headings are looked for: a user may insert a few rows above them


@dataclass(slots=True)  # not frozen: a frozen dataclass is built markedly slower, and there are many
class CellData:
    """One stored cell: its value as the file holds it and, for a formula cell, the formula."""

    row: int
    column: int
    value: str | int | float | bool | dt.datetime | None
    formula: str | None = None  # "" for a cell sharing another cell's formula
    error: str | None = None  # an error result such as #DIV/0!

    @property
    def coordinate(self) -> str:
        return f"{column_letter(self.column)}{self.row}"


@dataclass
class SheetData:
    name: str
    cells: dict[tuple[int, int], CellData] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_row, min_col, max_row, max_col
    _rows: dict[int, dict[int, CellData]] | None = field(default=None, repr=False, compare=False)

    def value(self, row: int, column: int):
        cell = self.cells.get((row, column))
        return cell.value if cell else None

    def rows(self) -> dict[int, dict[int, CellData]]:
        """The stored cells grouped by row, rows and columns in order (computed once: the cells are read once)."""
        if self._rows is None:
            self._rows = {}
            for (row, column), cell in sorted(self.cells.items()):
                self._rows.setdefault(row, {})[column] = cell
        return self._rows

    def merged_anchors(self, columns) -> dict[tuple[int, int], CellData]:
        """For the stored rows and the given columns, each cell a merged range covers, as its top-left cell
        (which holds the value); it costs what the file holds, not what its ranges declare (see merges.py)."""
        ranges = [r for r in self.merged if (r[0], r[1]) in self.cells]  # a range with an empty corner gives nothing
        anchors = {}
        for (row, column), corner in covered_cells(sorted(self.rows()), ranges, columns).items():
            anchor = self.cells[corner]
            anchors[row, column] = CellData(row, column, anchor.value, anchor.formula, anchor.error)
        return anchors

    def in_order(self) -> list[CellData]:
        """The stored cells in reading order, row by row."""
        return [cell for cells in self.rows().values() for cell in cells.values()]

    def heading_row(self, heading_of: Callable[[object], str | None]) -> tuple[int, dict[str, int]] | None:
        """The row near the top that names the most headings (the first of equals), with the column of each
        heading it names; None when none of the first HEADER_SEARCH_ROWS rows names any.

        `heading_of` tells which heading a cell's value is, or None; a user may insert rows above the headings.
        """
        best: tuple[int, dict[str, int]] | None = None
        for row, cells in self.rows().items():
            if row > HEADER_SEARCH_ROWS:
                break
            found: dict[str, int] = {}
            for column, cell in cells.items():
                heading = heading_of(cell.value)
                if heading is not None and heading not in found:
                    found[heading] = column
            if found and (best is None or len(found) > len(best[1])):
                best = (row, found)
        return best


@dataclass
class WorkbookData:
    sheets: list[SheetData]
    custom_properties: dict[str, str]
    modified: dt.datetime | None  # docProps/core.xml, as the office suite last saved it
    has_macros: bool

    # The Word 附表2 read as a workbook: its texts outside the tables (the title naming the unit), and that it
    # holds only the survey, whose cells may each list several measures.
    titles: list[str] = field(default_factory=list)
    word_form: bool = False
    partial: bool = False  # holds only some sheets of the form (a Word form, a .csv): the others are not missing

    def sheet(self, name: str) -> SheetData | None:
        return next((s for s in self.sheets if s.name == name), None)


@functools.lru_cache(maxsize=4096)  # every finding and entry names its cell's column, mostly A to J
def column_letter(index: int) -> str:
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index
