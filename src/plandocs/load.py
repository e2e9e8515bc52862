"""Stage 1: read the master workbook into rows of located cells, and report what is missing."""
from __future__ import annotations

import difflib
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.utils import get_column_letter

from .cleaning import is_blank
from .errors import InputError, Location, Problem, Severity
from .schema import DATA_SHEETS, GUIDE_SHEET, SheetSpec


@dataclass(frozen=True)
class Cell:
    value: object  # as the workbook holds it: str, int, float, datetime or None
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
        return self.cells[header]

    @property
    def blank(self) -> bool:
        return all(c.blank for c in self.cells.values()) and not self.repeated


@dataclass
class Sheet:
    spec: SheetSpec
    rows: list[Row]


@dataclass
class RawMaster:
    path: Path
    sheets: dict[str, Sheet] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def where(self, sheet: str | None = None, **kwargs) -> Location:
        return Location(file=self.path.name, sheet=sheet, **kwargs)


def lock_file(path: Path) -> Path:
    """Excel and LibreOffice leave ~$name (or .~lock.name#) beside a workbook they have open."""
    return path.with_name("~$" + path.name)


def _normal_heading(value: object) -> str:
    return re.sub(r"\s+", "", str(value)) if not is_blank(value) else ""


def _read_frames(path: Path) -> dict:
    import pandas as pd  # heavy: imported only when a workbook is read

    with warnings.catch_warnings():
        # openpyxl warns about Excel features it does not keep (data validation extensions)
        warnings.simplefilter("ignore")
        return pd.read_excel(path, sheet_name=None, header=None, dtype=object, engine="openpyxl")


def load_master(path: Path) -> RawMaster:
    """Read every sheet the schema knows; missing sheets and headings become problems, not exceptions."""
    master = RawMaster(path)
    if not path.exists():
        raise InputError("找不到計畫主檔，請確認檔案位置或以 --source 指定。", master.where())
    if lock_file(path).exists() or path.with_name(f".~lock.{path.name}#").exists():
        master.problems.append(
            Problem("此檔案似乎正由 Excel 開啟中；將讀取最後一次儲存的內容，尚未儲存的修改不會納入。",
                    master.where(), Severity.WARNING)
        )
    try:
        frames = _read_frames(path)
    except (zipfile.BadZipFile, ValueError, KeyError, OSError) as error:
        if isinstance(error, PermissionError):
            raise InputError("無法讀取檔案（權限不足或被其他程式鎖定），請關閉檔案後再試。", master.where()) from error
        raise InputError("這不是可讀取的 Excel 活頁簿（.xlsx），請以 Excel 另存為 .xlsx 後再試。", master.where()) from error
    known = {spec.name for spec in DATA_SHEETS} | {GUIDE_SHEET}
    for spec in DATA_SHEETS:
        if spec.name not in frames:
            suggestion = difflib.get_close_matches(spec.name, [n for n in frames if n not in known], n=1, cutoff=0.3)
            hint = f"（是否為「{suggestion[0]}」？請改回「{spec.name}」）" if suggestion else ""
            master.problems.append(Problem(f"缺少工作表「{spec.name}」{hint}。", master.where()))
            continue
        master.sheets[spec.name] = _read_sheet(master, spec, frames[spec.name])
    for name, frame in frames.items():
        if name not in known and frame.notna().to_numpy().any():
            master.problems.append(
                Problem("此工作表不屬於計畫主檔，內容不會使用。", master.where(name), Severity.WARNING)
            )
    return master


def _read_sheet(master: RawMaster, spec: SheetSpec, frame) -> Sheet:
    values = frame.to_numpy().tolist() if len(frame) else []
    headings = [_normal_heading(v) for v in values[0]] if values else []
    columns: dict[str, int] = {}
    repeated: list[int] = []
    unknown: list[int] = []
    for index, heading in enumerate(headings):
        if spec.repeat_prefix and heading.startswith(spec.repeat_prefix):
            repeated.append(index)
        elif any(c.header == heading for c in spec.columns) and heading not in columns:
            columns[heading] = index
        elif heading or any(not is_blank(row[index]) for row in values[1:]):
            unknown.append(index)
    for column in spec.columns:
        if column.header not in columns:
            unused = [headings[i] for i in unknown if headings[i]]
            suggestion = difflib.get_close_matches(column.header, unused, n=1, cutoff=0.3)
            hint = f"（是否為「{suggestion[0]}」？）" if suggestion else ""
            master.problems.append(
                Problem(f"第 1 列缺少欄位標題「{column.header}」{hint}。", master.where(spec.name, row=1))
            )
    if spec.repeat_prefix and not repeated:
        master.problems.append(
            Problem(f"第 1 列缺少欄位標題「{spec.repeat_prefix}1」。", master.where(spec.name, row=1))
        )
    for index in unknown:
        letter = get_column_letter(index + 1)
        master.problems.append(
            Problem("此欄標題不屬於本工作表，內容不會使用；請確認標題拼寫。",
                    master.where(spec.name, row=1, column=letter, header=headings[index] or None),
                    Severity.WARNING)
        )

    def cell(values_row: list, index: int, number: int, header: str) -> Cell:
        value = values_row[index] if index < len(values_row) else None
        return Cell(None if is_blank(value) else value,
                    master.where(spec.name, row=number, column=get_column_letter(index + 1), header=header))

    rows: list[Row] = []
    for offset, values_row in enumerate(values[1:], start=2):
        cells = {header: cell(values_row, index, offset, header) for header, index in columns.items()}
        extra = tuple(
            c for c in (cell(values_row, i, offset, headings[i]) for i in repeated) if not c.blank
        )
        row = Row(offset, cells, extra)
        if not row.blank:
            rows.append(row)
    return Sheet(spec, rows)
