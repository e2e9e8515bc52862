"""The root exception, located problems, and the exit codes users see.

Every message a user reads is Traditional Chinese and names the place: file, sheet, row and column
of a workbook, or the paragraph / table cell of a template.
"""
from __future__ import annotations

import enum
import errno
from dataclasses import dataclass

from .text import visible


class ExitCode(enum.IntEnum):
    """Process exit codes, documented in the README."""

    OK = 0
    INVALID_INPUT = 1  # the master, a template or the returns folder has errors
    USAGE = 2  # click's own code for a mistyped command line
    CANNOT_WRITE = 3  # an output could not be written (folder read-only, file open in Word)
    INTERNAL = 4  # a bug: please report it with --traceback
    INTERRUPTED = 130  # stopped with Ctrl+C (the shells' 128 + SIGINT); nothing half written


@dataclass(frozen=True)
class Location:
    """Where a problem is: a file, and inside it a sheet/row/column or a template place."""

    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None  # letter, e.g. "E"
    header: str | None = None  # the column's heading, e.g. "具體作法"
    place: str | None = None  # free description inside a file, e.g. "第 3 個表格第 2 列"

    def describe(self) -> str:
        """Return the location as a zh-TW phrase such as 「plan_master.xlsx 工作表「附表1」第 12 列 E 欄（具體作法）」."""
        parts: list[str] = []
        if self.file:
            parts.append(visible(self.file))
        if self.sheet:
            parts.append(f"工作表「{visible(self.sheet)}」")
        if self.row is not None:
            parts.append(f"第 {self.row} 列")
        if self.column:
            column = f"{self.column} 欄"
            if self.header:
                column += f"（{self.header}）"
            parts.append(column)
        elif self.header:
            parts.append(f"「{self.header}」欄")
        if self.place:
            parts.append(self.place)
        return " ".join(parts)

    def cell(self) -> str:
        """Return the cell reference such as E12, or an empty string when not a cell."""
        if self.column and self.row is not None:
            return f"{self.column}{self.row}"
        return ""


class Severity(enum.Enum):
    ERROR = "錯誤"
    WARNING = "警告"


@dataclass(frozen=True)
class Problem:
    """One finding of a check, with its place and a message that says how to fix it."""

    message: str
    location: Location
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def format(self) -> str:
        where = self.location.describe()
        return f"{self.severity.value}：{where}：{self.message}" if where else f"{self.severity.value}：{self.message}"


class PlandocsError(Exception):
    """Root of every error plandocs reports to a user; the message is zh-TW and located."""

    exit_code = ExitCode.INVALID_INPUT

    def __init__(self, message: str, location: Location | None = None):
        self.message = message
        self.location = location or Location()
        super().__init__(self.format())

    def format(self) -> str:
        where = self.location.describe()
        return f"{where}：{self.message}" if where else self.message


class InputError(PlandocsError):
    """Raised when a file the user gives (master, template, return) cannot be used as it is."""


class TemplateError(InputError):
    """Raised when a Word template has a broken tag or uses a name the data does not provide."""


class ValidationFailed(InputError):
    """Raised when checks found errors; carries every problem so all are reported at once."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = sum(p.is_error for p in problems)
        found = f"{errors} 項錯誤" if errors else f"{len(problems)} 項警告（--strict 視為錯誤）"
        super().__init__(f"發現 {found}，未產生任何檔案。請依上列說明修正後再執行。")


class OutputError(PlandocsError):
    """Raised when an output cannot be written, e.g. the file is open in Word or Excel."""

    exit_code = ExitCode.CANNOT_WRITE


# What the operating system said, in the user's language: Python's strerror is English (or the system's
# language on Windows), which would sit inside a Chinese sentence.
_OS_ERRORS = {
    errno.ENOENT: "找不到檔案或資料夾",
    errno.EACCES: "沒有存取權限",
    errno.EPERM: "作業系統不允許此操作",
    errno.EEXIST: "已有同名的檔案或資料夾",
    errno.ENOTDIR: "路徑中有一段不是資料夾",
    errno.EISDIR: "這是資料夾而不是檔案",
    errno.ENOSPC: "磁碟空間不足",
    errno.EROFS: "磁碟或資料夾為唯讀",
    errno.EBUSY: "檔案正被其他程式使用",
    errno.ELOOP: "捷徑（符號連結）形成迴圈",
    errno.ENAMETOOLONG: "檔名或路徑過長",
    errno.EMFILE: "同時開啟的檔案過多",
    errno.EIO: "磁碟讀寫錯誤",
    errno.EINVAL: "檔名或路徑不正確",
    errno.ENXIO: "這不是一般檔案（裝置或具名管道）",
    errno.EAGAIN: "資源暫時無法使用",
    errno.ETIMEDOUT: "網路磁碟機逾時未回應",
}
_WINDOWS_ERRORS = {32: "檔案正由其他程式（例如 Word 或 Excel）開啟", 33: "檔案有一部分被其他程式鎖定"}


def os_error_text(error: OSError) -> str:
    """The operating system's reason, in Traditional Chinese, with its code for a maintainer."""
    winerror = getattr(error, "winerror", None)
    if winerror in _WINDOWS_ERRORS:
        return f"{_WINDOWS_ERRORS[winerror]}（系統錯誤代碼 {winerror}）"
    reason = _OS_ERRORS.get(error.errno) if error.errno is not None else None
    if reason is None:
        return f"作業系統回報錯誤（系統錯誤代碼 {error.errno}）"
    return f"{reason}（系統錯誤代碼 {error.errno}）"
