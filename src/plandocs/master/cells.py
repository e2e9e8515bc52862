"""Cell conversion for the plan builder: located cells to typed values, each failure a located problem."""
from __future__ import annotations

import datetime as dt

from ..errors import Location, Problem, Severity
from ..text import clean_text, describe_characters, name_key, parse_date, roc_date, suggestion, whole_number
from .load import Cell, RawMaster, shown
from .model import Group, Unit, UnitRef
from .schema import NO, YES


_LISTED_CHOICES = 10  # a longer list is cut, so the message stays readable


def allowed(choices: list[str]) -> str:
    """'可填：基礎服務、服務精進' — what a cell may hold, so the user need not look it up."""
    if not choices:
        return "目前沒有可填的名稱"
    listed = "、".join(f"「{shown(c)}」" for c in choices[:_LISTED_CHOICES])
    return f"可填：{listed}" + (f" 等 {len(choices)} 個" if len(choices) > _LISTED_CHOICES else "")


class CellReader:
    """Converts located cells to typed values; each failure is recorded and a neutral value returned."""

    def __init__(self, master: RawMaster):
        self.master = master
        self.problems: list[Problem] = []
        self.directory: dict[str, Unit | Group] = {}

    def error(self, message: str, location: Location, severity: Severity = Severity.ERROR) -> None:
        self.problems.append(Problem(message, location, severity))

    def text(self, cell: Cell, required: bool = False) -> str:
        if isinstance(cell.value, dt.datetime):
            # Excel turns 6/29 typed in a text column into a date; print it the way official documents do
            printed = roc_date(cell.value.date())
            self.error(f"此格是 Excel 日期，文件中印為「{printed}」；若要照原樣印出，請將儲存格格式設為「文字」後重新輸入。",
                       cell.location, Severity.WARNING)
            return printed
        cleaned = clean_text(cell.value)
        if cleaned.removed:
            self.error(f"含有 Word 無法儲存的控制字元（{describe_characters(cleaned.removed)}），已刪除。",
                       cell.location, Severity.WARNING)
        if required and not cleaned.text:
            self.error("此欄不可空白。", cell.location)
        return cleaned.text

    def integer(self, cell: Cell, required: bool = True) -> int | None:
        if cell.blank:
            if required:
                self.error("此欄不可空白，請填入整數。", cell.location)
            return None
        value = whole_number(cell.value)
        if value is None:
            self.error(f"「{shown(cell.value)}」不是整數，請填入數字。", cell.location)
        return value

    def level(self, cell: Cell, deepest: int) -> int | None:
        if cell.blank:
            return None
        value = whole_number(cell.value)
        if value is None or not 1 <= value <= deepest:
            self.error(f"層級「{shown(cell.value)}」不正確：須為 1 到 {deepest} 的整數，"
                       "或空白表示不編號的段落。", cell.location)
            return None
        return value

    def date(self, cell: Cell, required: bool = True) -> dt.date | None:
        if cell.blank:
            if required:
                self.error("此欄不可空白，請填入日期（例：2018/6/29）。", cell.location)
            return None
        value = cell.value
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        parsed = parse_date(clean_text(value).text)
        if parsed is None:
            self.error(f"「{shown(value)}」不是日期，請填入 Excel 日期（例：2018/6/29）。", cell.location)
        return parsed

    def yes_no(self, cell: Cell, default: bool) -> bool:
        text = self.text(cell)
        if not text:
            return default
        if text not in (YES, NO):
            self.error(f"請填「{YES}」或「{NO}」。", cell.location)
            return default
        return text == YES

    def choice(self, cell: Cell, choices: list[str], what: str) -> str:
        text = self.text(cell, required=True)
        if text and text not in choices:
            self.error(f"「{text}」不是已定義的{what}{suggestion(text, choices)}；{allowed(choices)}。", cell.location)
        return text

    def unit_ref(self, cell: Cell) -> UnitRef | None:
        written = self.text(cell)
        if not written:
            return None
        target = self.directory.get(name_key(written))
        if target is None:
            self.error(f"「{shown(written)}」不是「單位」工作表中的單位、別名或群組"
                       f"{suggestion(written, self.directory_names())}。", cell.location)
            return None
        self.official_spelling(written, cell)
        if isinstance(target, Group):
            members = tuple(u for u in self.units if target.covers(u))
            return UnitRef(written, members, cell.location, target)
        return UnitRef(written, (target,), cell.location)

    def official_spelling(self, name: str, cell: Cell) -> None:
        """Official names are written with 臺; a name or title is printed as typed, so 台 is pointed out."""
        if "台" in name:
            self.error(f"「{shown(name)}」中的「台」在公文中應寫作「臺」；文件照填寫文字印出，請改正。",
                       cell.location, Severity.WARNING)

    def directory_names(self) -> list[str]:
        names: list[str] = []
        for entry in dict.fromkeys(self.directory.values()):
            names.append(entry.name)
            names.extend(entry.aliases)
        return names

    @property
    def units(self) -> list[Unit]:
        return [e for e in dict.fromkeys(self.directory.values()) if isinstance(e, Unit)]
