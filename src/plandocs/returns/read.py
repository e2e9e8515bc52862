"""Find the files of a returns folder and read each into a Return; nothing a file does stops the batch."""
from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path, PurePosixPath

from ..documents.fill_in_form import SURVEY_SHEET
from ..errors import InputError, Location, Severity
from ..office.formats import is_lock_file
from ..office.xlsx_reader import UnreadableWorkbook, read_workbook
from ..parallel import shared, worker_pool, workers_for
from ..text import clean_text
from .identify import identify
from .read_workbook import WorkbookReturnReader
from .records import Return, Status
from .reference import Reference

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm", ".xls"}


def find_files(folder: Path) -> list[Path]:
    """Every file under the folder, recursively, in a stable order; symbolic links are not followed."""
    if not folder.is_dir():
        raise InputError("找不到回報資料夾，請確認路徑。", Location(file=str(folder)))
    found = []
    for root, folders, files in os.walk(folder, followlinks=False):
        folders.sort()
        found += [Path(root) / name for name in sorted(files)]
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def _skip_reason(path: Path) -> str | None:
    name = path.name
    if is_lock_file(name):
        return "Excel 或 LibreOffice 開啟檔案時留下的暫存鎖定檔，不是回報。"
    if path.is_symlink():
        return "捷徑（符號連結），未讀取；請將檔案本身放入回報資料夾。"
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
    relative = clean_text(path.relative_to(folder).as_posix()).text  # a file name may hold any character
    ret = Return(relative)
    skip = _skip_reason(path)
    if skip:
        ret.set_aside(Status.SKIPPED, skip)
        return ret
    try:
        ret.file_time = dt.datetime.fromtimestamp(int(path.stat().st_mtime), dt.timezone.utc).replace(tzinfo=None)
        workbook = read_workbook(path, relative)
    except UnreadableWorkbook as error:
        ret.set_aside(Status.UNREADABLE, error.message)
        return ret
    except OSError as error:
        ret.set_aside(Status.UNREADABLE, f"無法開啟檔案（{error.strerror or error}）。")
        return ret
    ret.modified = workbook.modified
    if workbook.has_macros:
        ret.find("此檔含有巨集（VBA）；彙整只讀取儲存格內容，不會執行巨集。建議請單位另存為 .xlsx。", Location(file=relative),
                 severity=Severity.WARNING)
    try:
        identify(reference, ret, workbook, PurePosixPath(relative).stem)
        WorkbookReturnReader(reference, ret, workbook).read()
    except Exception as error:  # noqa: BLE001 - one strange file must not stop a batch of hundreds; it is listed
        unread = Return(relative, file_time=ret.file_time)
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
