"""Stage 1: read the master workbook into rows of located cells, and report what cannot be used as it is.

The workbook goes through office.xlsx_reader, the same guarded reader collect uses, which keeps each
formula's last calculated value and the merged ranges. Every cell the user typed ends up in a Row or
in a Problem that names it: nothing is dropped silently.
"""
from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, Location, Problem, Severity
from ..office.formats import office_lock_files
from ..office.workbook_data import CellData, SheetData, column_letter
from ..office.xlsx_reader import read_workbook
from ..text import clean_text, close_names, is_blank, text_key
from .schema import (
    DATA_SHEETS, ITEMS, MASTER_GUIDE_SHEET, MEASURES, OPTIONAL_SHEETS, ROSTER, ROSTER_ATTACHMENT, TABLE_COLUMNS, Column,
    SheetSpec,
)

# Headings are looked for in the first rows, so a title row inserted above them is found and reported.
# Columns where an empty cell means "as above" or "only on the first row": a vertical merge there reads
# the way the user meant it. Anywhere else a merge would silently turn the rows below into blanks.
CARRIED_DOWN = {
    ITEMS.name: {"構面"},
    MEASURES.name: {"構面", "評核項目", "評核重點", "完成期限", "期限日期"},
    ROSTER.name: {"編組", "備考", ROSTER_ATTACHMENT},
}
# Cells carried down that belong to one entry, the one named in the first column here: merged down its rows they
# are read once, but merged over the next entry's first row they would reach that entry as blank.
OWN_ROWS = {
    MEASURES.name: ("評核重點", {"完成期限", "期限日期"}),  # and the units, and the columns a plan adds
    ROSTER.name: ("編組", {"備考", ROSTER_ATTACHMENT}),
}
_SHOWN_TEXT = 30  # characters of a cell quoted in a message
# How alike a heading must be to an optional one missing beside it to be taken for it misspelt (填報調查 for
# 填報調查表 is 0.89); one less alike (附註 for 附表, 0.5) may be a column of the user's own, and is only asked about.
_MISSPELT = 0.6


def _likeness(first: str, second: str) -> float:
    return difflib.SequenceMatcher(None, first, second).ratio()


@dataclass(frozen=True)
class Cell:
    value: object  # as the workbook holds it: str, int, float, bool, datetime or None
    location: Location

    @property
    def blank(self) -> bool:
        return is_blank(self.value)


@dataclass(frozen=True)
class Row:
    number: int  # the Excel row number
    cells: dict[str, Cell]  # by column heading
    repeated: tuple[Cell, ...] = ()  # the non-blank cells of a repeated heading (承辦單位1, 承辦單位2 …)

    def __getitem__(self, header: str) -> Cell:
        if header not in self.cells:  # an optional heading the sheet leaves out: blank, placed beside the row
            first = next(iter(self.cells.values()))
            return Cell(None, Location(file=first.location.file, sheet=first.location.sheet, row=self.number,
                                       header=header))
        return self.cells[header]

    @property
    def blank(self) -> bool:
        return all(c.blank for c in self.cells.values()) and not self.repeated


@dataclass
class Sheet:
    spec: SheetSpec
    rows: list[Row]
    missing: tuple[str, ...] = ()  # headings not found: the rows cannot be read as the schema says
    headings: tuple[str, ...] = ()  # the headings found, in the sheet's order

    @property
    def usable(self) -> bool:
        return not self.missing


@dataclass
class RawMaster:
    path: Path
    sheets: dict[str, Sheet] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def where(self, sheet: str | None = None, **kwargs) -> Location:
        return Location(file=self.path.name, sheet=sheet, **kwargs)

    def problem(self, message: str, location: Location, severity: Severity = Severity.ERROR) -> None:
        self.problems.append(Problem(message, location, severity))


def shown(value: object) -> str:
    """A cell's text for a message, shortened so an enormous cell does not flood the report."""
    text = clean_text(value).text.replace("\n", " ")
    return text if len(text) <= _SHOWN_TEXT else text[:_SHOWN_TEXT] + "…"


def load_master(path: Path) -> RawMaster:
    """Read every sheet the schema knows; missing sheets and headings become problems, not exceptions."""
    master = RawMaster(path)
    if not path.exists():
        raise InputError("找不到計畫主檔，請確認檔案位置或以 --source 指定。", master.where())
    if path.is_dir():
        raise InputError("這是資料夾，不是計畫主檔；請以 --source 指定活頁簿檔案（.xlsx）。", master.where())
    if any(lock.exists() for lock in office_lock_files(path)):
        master.problem("此檔案似乎正由 Excel 開啟中；將讀取最後一次儲存的內容，尚未儲存的修改不會納入。",
                       master.where(), Severity.WARNING)
    try:
        workbook = read_workbook(path, path.name)
    except PermissionError as error:
        raise InputError("無法讀取檔案（權限不足或被其他程式鎖定），請關閉檔案後再試。", master.where()) from error
    sheets = {sheet.name: sheet for sheet in workbook.sheets}
    known = {spec.name for spec in DATA_SHEETS} | {MASTER_GUIDE_SHEET}
    if not any(spec.name in sheets for spec in DATA_SHEETS):
        expected = "、".join(spec.name for spec in DATA_SHEETS)
        found = "、".join(f"「{name}」" for name in sheets) or "沒有工作表"
        master.problem(f"活頁簿中沒有任何計畫主檔的工作表（應有：{expected}；此檔：{found}）；請確認選對檔案。",
                       master.where())
        return master
    for spec in DATA_SHEETS:
        if spec.name in sheets:
            if spec is MEASURES:  # its columns include those 表格欄位 adds, read before it
                spec = _with_added_columns(spec, master.sheets.get(TABLE_COLUMNS.name))
            master.sheets[spec.name] = _SheetReader(master, spec, sheets[spec.name]).read()
            continue
        unknown = [name for name in sheets if name not in known]
        close = close_names(spec.name, unknown, count=1)
        if spec in OPTIONAL_SHEETS and not close:
            continue  # a plan that has no such part leaves the sheet out; builder says when one is needed
        hint = f"（是否為「{close[0]}」？請改回「{spec.name}」）" if close else ""
        master.problem(f"缺少工作表「{spec.name}」{hint}。", master.where())
    for sheet in workbook.sheets:
        if sheet.name not in known and sheet.cells:
            master.problem("此工作表不屬於計畫主檔，內容不會使用。", master.where(sheet.name), Severity.WARNING)
    return master


def _with_added_columns(spec: SheetSpec, table_columns: Sheet | None) -> SheetSpec:
    """附表1 as it is read when 表格欄位 names columns the plan adds (備註 …): their headings are 附表1's too."""
    known = {c.value for c in Column} | set(spec.columns)
    rows = table_columns.rows if table_columns is not None and table_columns.usable else []
    added = tuple(dict.fromkeys(name for row in rows if (name := text_key(row["欄位"].value)) and name not in known
                                and not (spec.repeat_prefix and name.startswith(spec.repeat_prefix))))
    return dataclasses.replace(spec, columns=spec.columns + added, optional=spec.optional + added) if added else spec


class _SheetReader:
    """Turns one sheet's stored cells into Rows, reporting every cell it cannot use where it is."""

    def __init__(self, master: RawMaster, spec: SheetSpec, sheet: SheetData):
        self.master = master
        self.spec = spec
        self.sheet = sheet
        self.rows = sheet.rows()  # row number → column index → cell, stored cells only
        self.headings: dict[int, str] = {}  # column index → normalised heading
        # the columns a plan adds to 附表1 (see _with_added_columns): a key point's cells, as its deadline is
        self.added = set(spec.columns) - set(MEASURES.columns) if spec.name == MEASURES.name else set()

    def where(self, row: int, column: int | None = None, header: str | None = None) -> Location:
        letter = column_letter(column) if column else None
        if header is None and column is not None:
            header = self.headings.get(column) or None
        return self.master.where(self.spec.name, row=row, column=letter, header=header)

    def value(self, cell: CellData | None) -> object:
        """The value Excel shows; an error value or a formula never calculated is reported, not used."""
        if cell is None:
            return None
        if cell.error:
            self.master.problem(f"此格顯示錯誤值 {cell.error}（公式無法計算）；請修正公式或直接填入內容。",
                         self.where(cell.row, cell.column))
            return None
        if cell.formula is not None and is_blank(cell.value):
            self.master.problem("此格是公式，但檔案中沒有計算結果，視為空白；若應有內容，請以 Excel 開啟並儲存後再執行。",
                         self.where(cell.row, cell.column), Severity.WARNING)
            return None
        return cell.value

    def read(self) -> Sheet:
        if not self.rows:
            headings = "、".join(self._expected_headings())
            self.master.problem(f"工作表是空的；第 1 列應為欄位標題：{headings}。", self.where(1))
            return Sheet(self.spec, [], tuple(self._expected_headings()))
        header_row = self._find_header_row()
        self._report_cells_above(header_row)
        columns, repeated = self._columns(self.rows.get(header_row, {}), header_row)
        self._report_merges(header_row, set(columns.values()) | set(repeated))
        result: list[Row] = []
        for number, cells in self.rows.items():
            if number <= header_row:
                continue
            values = {index: self.value(cell) for index, cell in cells.items()}
            row = Row(
                number,
                {header: Cell(values.get(index), self.where(number, index, header)) for header, index in columns.items()},
                tuple(Cell(values[i], self.where(number, i)) for i in repeated if not is_blank(values.get(i))),
            )
            if not row.blank:
                result.append(row)
        missing = [c for c in self.spec.columns if c not in columns and c not in self.spec.optional]
        if self.spec.repeat_prefix and not repeated:
            missing.append(f"{self.spec.repeat_prefix}1")
        return Sheet(self.spec, result, tuple(missing), tuple(sorted(columns, key=columns.get)))

    def _expected_headings(self) -> list[str]:
        names = list(self.spec.columns)
        return names + [f"{self.spec.repeat_prefix}1"] if self.spec.repeat_prefix else names

    def _is_heading(self, text: str) -> bool:
        return text in self.spec.columns or text in self.spec.optional or bool(
            self.spec.repeat_prefix and text.startswith(self.spec.repeat_prefix))

    def _find_header_row(self) -> int:
        """Row 1, or the first row near the top with more headings, if rows were inserted above them."""
        found = self.sheet.heading_row(lambda value: text if self._is_heading(text := text_key(value)) else None)
        best = found[0] if found else 1
        if best != 1:
            self.master.problem(f"欄位標題應在第 1 列，此工作表在第 {best} 列；已從第 {best} 列讀取標題，"
                                "請刪除上方多出的列。", self.where(best), Severity.WARNING)
        return best

    def _report_cells_above(self, header_row: int) -> None:
        for number in (n for n in self.rows if n < header_row):
            for index, cell in self.rows[number].items():
                if not is_blank(cell.value):
                    self.master.problem(f"此格在欄位標題列上方，內容「{shown(cell.value)}」不會使用。",
                                 self.where(number, index), Severity.WARNING)

    def _columns(self, header_cells: dict[int, CellData], header_row: int) -> tuple[dict[str, int], list[int]]:
        """Map each known heading to its column; report missing, repeated and unknown headings."""
        columns: dict[str, int] = {}
        repeated: list[int] = []
        unknown: list[int] = []
        data_columns = {index for number, cells in self.rows.items() if number > header_row
                        for index, cell in cells.items() if not is_blank(cell.value)}
        for index in sorted(set(header_cells) | data_columns):
            heading = text_key(header_cells[index].value) if index in header_cells else ""
            self.headings[index] = heading
            if self.spec.repeat_prefix and heading.startswith(self.spec.repeat_prefix):
                repeated.append(index)
            elif heading in columns:
                self.master.problem(f"欄位標題「{heading}」重複（已在 {column_letter(columns[heading])} 欄）；"
                             "此欄內容不會使用，請刪除此欄或改正標題。", self.where(header_row, index))
            elif self._is_heading(heading):
                columns[heading] = index
            elif heading or index in data_columns:
                unknown.append(index)
        for column in self.spec.columns:
            if column not in columns:
                if column in self.spec.optional and not unknown:
                    continue
                unused = {self.headings[i]: i for i in unknown if self.headings[i]}
                suggestion = close_names(column, list(unused), count=1)
                if suggestion and column in self.spec.optional and _likeness(suggestion[0], column) < _MISSPELT:
                    # as unlike as 附註 and 附表: perhaps a column of the user's own, beside an optional heading
                    index = unused[suggestion[0]]
                    unknown.remove(index)
                    self.master.problem(f"欄位標題「{suggestion[0]}」是否應為「{column}」？若是，請改回「{column}」；"
                                        "否則此欄內容不會使用。", self.where(header_row, index), Severity.WARNING)
                elif suggestion:  # the misspelt heading is this problem's place, not an unknown column besides
                    index = unused[suggestion[0]]
                    unknown.remove(index)
                    self.master.problem(f"欄位標題「{suggestion[0]}」應為「{column}」；請改回「{column}」。",
                                 self.where(header_row, index))
                elif column not in self.spec.optional:
                    self.master.problem(f"第 {header_row} 列缺少欄位標題「{column}」。",
                                 self.where(header_row, header=column))
        if self.spec.repeat_prefix and not repeated:
            self.master.problem(f"第 {header_row} 列缺少欄位標題「{self.spec.repeat_prefix}1」。",
                         self.where(header_row, header=f"{self.spec.repeat_prefix}1"))
        for index in unknown:
            filled = [f"{column_letter(index)}{n}" for n, cells in self.rows.items()
                      if n > header_row and index in cells and not is_blank(cells[index].value)]
            cells = f"（{'、'.join(filled[:5])}{' 等' if len(filled) > 5 else ''}共 {len(filled)} 格）" if filled else ""
            what = "此欄沒有標題" if not self.headings[index] else "此欄標題不屬於本工作表"
            self.master.problem(f"{what}，內容{cells}不會使用；請確認標題拼寫。", self.where(header_row, index),
                         Severity.WARNING)
        return columns, repeated

    def _report_merges(self, header_row: int, used_columns: set[int]) -> None:
        carried = CARRIED_DOWN.get(self.spec.name, set()) | self.added
        for first_row, first_column, last_row, last_column in self.sheet.merged:
            if last_row < header_row:
                continue  # above the headings: those cells are reported as unused already
            span = f"{column_letter(first_column)}{first_row}:{column_letter(last_column)}{last_row}"
            where = self.where(first_row, first_column)
            if first_row <= header_row:
                self.master.problem(f"標題列的儲存格 {span} 已合併；請取消合併，讓每一欄都有自己的標題。", where)
                continue
            columns = range(first_column, last_column + 1)
            if last_row > first_row and any(
                index in used_columns and not self._carried_down(self.headings.get(index, ""), carried)
                for index in columns
            ):
                headers = "、".join(f"「{self.headings[i]}」" for i in columns if self.headings.get(i))
                self.master.problem(f"儲存格 {span} 已合併：{headers}每一列各自讀取，合併後只有第 {first_row} 列有值、"
                             "其餘各列視為空白；請取消合併並在每一列填寫。", where)
            elif last_column > first_column:
                self.master.problem(f"儲存格 {span} 跨欄合併：只讀取 {column_letter(first_column)}{first_row}，"
                             "其餘各欄視為空白；建議取消合併。", where, Severity.WARNING)
            if last_row > first_row:
                self._report_merge_over_entries(span, where, first_row, last_row, columns)

    def _report_merge_over_entries(self, span: str, where: Location, first_row: int, last_row: int,
                                   columns: range) -> None:
        """A deadline or a group's 備考 merged down over the next key point's or group's rows: read for the first."""
        if self.spec.name not in OWN_ROWS:
            return
        owner, own = OWN_ROWS[self.spec.name]
        own = own | self.added
        prefix = self.spec.repeat_prefix
        owner_index = next((i for i, heading in self.headings.items() if heading == owner), None)
        if owner_index is None or not any(
                (heading := self.headings.get(i, "")) in own or (prefix and heading.startswith(prefix)) for i in columns):
            return
        later = [number for number in range(first_row + 1, last_row + 1)
                 if not is_blank(getattr(self.rows.get(number, {}).get(owner_index), "value", None))]
        if later:
            self.master.problem(f"儲存格 {span} 已合併，跨到第 {later[0]} 列的另一個「{owner}」：合併後只有第 {first_row} 列的"
                                f"「{owner}」讀到此格，第 {later[0]} 列的視為空白；請取消合併，並在每個「{owner}」所在的列填寫。",
                                where)

    def _carried_down(self, heading: str, carried: set[str]) -> bool:
        return heading in carried or bool(self.spec.repeat_prefix and heading.startswith(self.spec.repeat_prefix))

