"""Find the files of a returns folder and read each into a Return; nothing a file does stops the batch."""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import stat
from pathlib import Path, PurePosixPath

from ..documents.fill_in_form import SURVEY_SHEET
from ..errors import InputError, Location, Severity, os_error_text
from ..office.formats import is_lock_file
from ..office.xlsx_reader import UnreadableWorkbook, read_workbook
from ..parallel import shared, worker_pool, workers_for
from ..text import clean_text, visible
from .accounting import bounded
from .identify import identify
from .read_workbook import WorkbookReturnReader
from .records import Return, Status
from .reference import Reference

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm", ".xls"}


def find_files(folder: Path) -> list[Path]:
    """Every entry under the folder, recursively, in a stable order: files, and the symbolic links to folders,
    which are not followed but listed, so that each is accounted for (see _skip_reason)."""
    if not folder.is_dir():
        raise InputError("找不到回報資料夾，請確認路徑。", Location(file=str(folder)))
    found = []
    for root, folders, files in os.walk(folder, followlinks=False):
        linked = [name for name in folders if _is_link(Path(root) / name)]
        folders[:] = sorted(name for name in folders if name not in linked)
        found += [Path(root) / name for name in sorted(files + linked)]
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def _is_link(path: Path) -> bool:
    return path.is_symlink() or bool(getattr(os.path, "isjunction", lambda _: False)(path))


# What an entry that is not a regular file is; none is ever opened (a named pipe would block the reader forever).
_NOT_FILES = [
    (stat.S_ISDIR, "資料夾"), (stat.S_ISFIFO, "具名管道（FIFO）"), (stat.S_ISSOCK, "通訊端（socket）"),
    (stat.S_ISCHR, "字元裝置"), (stat.S_ISBLK, "區塊裝置"),
]


def _skip_reason(path: Path) -> str | None:
    name = path.name
    try:
        status = os.lstat(path)
    except OSError:
        return None  # gone since it was listed, or unreachable: reading it says why, as unreadable
    if stat.S_ISLNK(status.st_mode) or _is_link(path):
        what = "資料夾" if path.is_dir() else "檔案"
        return f"捷徑（符號連結）指向{what}，為安全起見未讀取；請將{what}本身放入回報資料夾。"
    if not stat.S_ISREG(status.st_mode):
        what = next((what for test, what in _NOT_FILES if test(status.st_mode)), "特殊項目")
        return f"這是{what}，不是一般檔案，未讀取。"
    if is_lock_file(name):
        return "Excel 或 LibreOffice 開啟檔案時留下的暫存鎖定檔，不是回報。"
    suffix = path.suffix.lower()
    if suffix in (".docx", ".doc", ".odt"):
        return "這是 Word 文件，不是填報用的 Excel 活頁簿；若單位以 Word 填寫，請其改用寄發的 Excel 填報表。"
    if suffix == ".pdf":
        return "這是 PDF 檔，不是填報用的 Excel 活頁簿。"
    if suffix not in WORKBOOK_SUFFIXES:
        return "不是 Excel 活頁簿（.xlsx），未讀取。"
    return None


def read_return(reference: Reference, folder: Path, path: Path) -> Return:
    """Read and check one file; whatever is wrong with it is recorded in the Return, never raised."""
    name = path.relative_to(folder).as_posix()
    relative = clean_text(name).text  # a file name may hold any character
    ret = Return(visible(name))  # shown in console, ledger and report: no control may act there
    skip = _skip_reason(path)
    if skip:
        ret.set_aside(Status.SKIPPED, skip)
        return ret
    try:
        ret.file_time = dt.datetime.fromtimestamp(int(path.stat().st_mtime), dt.timezone.utc).replace(tzinfo=None)
        workbook = read_workbook(path, ret.file)
    except UnreadableWorkbook as error:
        ret.set_aside(Status.UNREADABLE, error.message)
        return ret
    except OSError as error:
        ret.set_aside(Status.UNREADABLE, f"無法開啟檔案：{os_error_text(error)}。")
        return ret
    ret.modified = workbook.modified
    if workbook.has_macros:
        ret.find("此檔含有巨集（VBA）；彙整只讀取儲存格內容，不會執行巨集。建議請單位另存為 .xlsx。", Location(file=ret.file),
                 severity=Severity.WARNING)
    try:
        identify(reference, ret, workbook, PurePosixPath(relative).stem)
        WorkbookReturnReader(reference, ret, workbook).read()
        ret.findings = bounded(ret.findings)
    except Exception as error:  # noqa: BLE001 - one strange file must not stop a batch of hundreds; it is listed
        unread = Return(ret.file, file_time=ret.file_time)
        unread.set_aside(Status.UNREADABLE, "讀取此檔時發生未預期的問題（程式內部錯誤："
                                            f"{type(error).__name__}: {error}），未能讀取；"
                                            "請將此檔提供給維護人員，並請該單位以寄發的填報表重新填寫。")
        return unread
    return ret


def _read_shared(path: Path) -> Return:
    reference, folder = shared()
    return read_return(reference, folder, path)


@contextlib.contextmanager
def reader(reference: Reference, folder: Path, count: int):
    """A function reading files into Returns in order: in worker processes, one per core, when there are many."""
    workers = workers_for(count)
    if not workers:
        yield lambda files: (read_return(reference, folder, path) for path in files)
        return
    reference.is_form_text(SURVEY_SHEET, "", None)  # render the blank forms once, before the workers start
    with worker_pool(workers, reference, folder) as pool:
        yield lambda files: pool.map(_read_shared, files, chunksize=max(1, min(32, count // (workers * 8))))
