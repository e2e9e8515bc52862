"""Find the files of a returns folder and read each into a Return; nothing a file does stops the batch."""
from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath

from ..documents.fill_in_form import SURVEY_SHEET
from ..errors import InputError, Location, Severity, os_error_text
from ..office.formats import is_lock_file
from ..office.spreadsheet_reader import read_spreadsheet
from ..office.workbook_data import WorkbookData
from ..office.xlsx_reader import MAX_FILE_BYTES, UnreadableWorkbook, read_workbook
from ..parallel import shared, worker_pool, workers_for
from ..text import clean_text, visible
from .accounting import bounded
from .identify import identify
from .read_csv import read_csv
from .read_docx import read_docx, read_docx_bytes
from .read_workbook import WorkbookReturnReader
from .records import Return, Status
from .reference import Reference

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xltx", ".xltm"}
SPREADSHEET_SUFFIXES = {".ods", ".xls", ".xlsb"}  # read natively too (python-calamine)
WORD_SUFFIXES = {".docx", ".docm", ".dotx"}
CONVERTED_SUFFIXES = {".odt", ".doc", ".rtf"}  # read as .docx after LibreOffice converts them
CSV_SUFFIXES = {".csv"}
_SYSTEM_FILES = {"thumbs.db", "desktop.ini", ".ds_store"}  # what Windows and macOS leave in any folder
KINDS = {
    ".xlsx": "Excel 活頁簿（.xlsx）", ".xlsm": "Excel 含巨集活頁簿（.xlsm）", ".xltx": "Excel 範本（.xltx）",
    ".xltm": "Excel 含巨集範本（.xltm）", ".ods": "OpenDocument 試算表（.ods）", ".xls": "Excel 97-2003 活頁簿（.xls）",
    ".xlsb": "Excel 二進位活頁簿（.xlsb）", ".docx": "Word 文件（.docx）", ".docm": "Word 含巨集文件（.docm）",
    ".dotx": "Word 範本（.dotx）", ".odt": "OpenDocument 文字文件（.odt）", ".doc": "Word 97-2003 文件（.doc）",
    ".rtf": "RTF 文件（.rtf）", ".csv": "CSV 文字檔（.csv）", ".pdf": "PDF 檔（.pdf）",
}
_IMAGES = {".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".heic", ".webp"}
READ_DIRECTLY = "直接讀取"
READ_CONVERTED = "經 LibreOffice 轉檔"
_ASK_FOR_FORM = "請該單位改寄回寄發的 Excel 填報表或 Word 附表2（.xlsx 或 .docx）。"


def kind_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in KINDS:
        return KINDS[suffix]
    if suffix in _IMAGES:
        return f"圖片（{suffix}）"
    return f"{suffix} 檔" if suffix else "無副檔名的檔案"


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
    if name.lower() in _SYSTEM_FILES:
        return "作業系統自動產生的檔案，不是回報。"
    return None


def _unusable_reason(path: Path) -> str:
    """Why a kind of file cannot be consolidated, and what to ask the unit for."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return "PDF 檔無法逐格讀取填寫的內容，未彙整；" + _ASK_FOR_FORM
    if suffix in _IMAGES:
        return "圖片（掃描或拍照）無法讀取填寫的內容，未彙整；" + _ASK_FOR_FORM
    return f"無法彙整{kind_of(path)}；" + _ASK_FOR_FORM


def read_return(reference: Reference, folder: Path, path: Path, converted: bytes | str | None = None) -> Return:
    """Read and check one file; whatever is wrong with it is recorded in the Return, never raised.

    `converted` is what LibreOffice made of an .odt/.doc (.docx bytes), or why it made nothing.
    """
    name = path.relative_to(folder).as_posix()
    ret = Return(visible(name), kind=kind_of(path))  # shown in console, ledger and report: no control may act there
    try:
        return _read(reference, path, clean_text(name).text, converted, ret)  # a file name may hold any character
    except Exception as error:  # noqa: BLE001 - one strange file must not stop a batch of hundreds; it is listed
        unread = Return(ret.file, file_time=ret.file_time, kind=ret.kind, read_as=ret.read_as)
        unread.set_aside(Status.UNREADABLE, "讀取此檔時發生未預期的問題（程式內部錯誤："
                                            f"{type(error).__name__}: {error}），未能讀取；"
                                            "請將此檔提供給維護人員，並請該單位以寄發的填報表重新填寫。")
        return unread


def _read(reference: Reference, path: Path, relative: str, converted: bytes | str | None, ret: Return) -> Return:
    skip = _skip_reason(path)
    if skip:
        ret.set_aside(Status.SKIPPED, skip)
        return ret
    suffix = path.suffix.lower()
    stem = PurePosixPath(relative).stem
    try:
        ret.file_time = dt.datetime.fromtimestamp(int(path.stat().st_mtime), dt.timezone.utc).replace(tzinfo=None)
        if suffix in CONVERTED_SUFFIXES and not isinstance(converted, bytes):
            return _unusable(reference, ret, stem, converted or _unusable_reason(path))
        ret.read_as = READ_CONVERTED if suffix in CONVERTED_SUFFIXES else READ_DIRECTLY
        if suffix in WORKBOOK_SUFFIXES:
            workbook = read_workbook(path, ret.file)
        elif suffix in SPREADSHEET_SUFFIXES:
            workbook = read_spreadsheet(path, ret.file)
        elif suffix in WORD_SUFFIXES:
            workbook = read_docx(path, ret.file)
        elif suffix in CONVERTED_SUFFIXES:
            workbook = read_docx_bytes(converted, ret.file)
        elif suffix in CSV_SUFFIXES:
            workbook = read_csv(path, ret.file)
        else:
            ret.read_as = ""
            return _unusable(reference, ret, stem, _unusable_reason(path), _pdf_text(path) if suffix == ".pdf" else [])
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
    identify(reference, ret, workbook, stem)
    WorkbookReturnReader(reference, ret, workbook).read()
    ret.findings = bounded(ret.findings)
    return ret


def _unusable(reference: Reference, ret: Return, stem: str, reason: str, titles: list[str] | None = None) -> Return:
    """A file whose content cannot be read cell by cell: the unit is recognised by its name (or a PDF's text),
    so that it is not chased as silent, and the file is listed with what to ask for."""
    identify(reference, ret, WorkbookData([], {}, None, False, titles=titles or []), stem)
    if ret.unit is None:
        reason += "（檔名也無法判定是哪個單位）"
    ret.findings.clear()  # what identify says of a form's identity does not apply to a file without one
    ret.set_aside(Status.UNUSABLE_FORMAT, reason)
    return ret


def _pdf_text(path: Path) -> list[str]:
    """The lines of the first pages of a PDF, where it has text and poppler's pdftotext is installed."""
    import shutil
    import subprocess

    tool = shutil.which("pdftotext")
    if tool is None or path.stat().st_size > MAX_FILE_BYTES:
        return []
    try:
        done = subprocess.run([tool, "-l", "2", "-enc", "UTF-8", str(path), "-"], capture_output=True, timeout=30,
                              stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return []
    lines = [line.strip() for line in done.stdout.decode("utf-8", "replace").splitlines() if line.strip()]
    # a title the PDF breaks over two or three lines
    return lines + ["".join(lines[i:i + 2]) for i in range(len(lines) - 1)] + ["".join(lines[i:i + 3]) for i in range(len(lines) - 2)]


def conversions(files: list[Path]) -> list[bytes | str | None]:
    """Convert every .odt/.doc/.rtf among the files to .docx, each in a LibreOffice run of its own under a time
    and memory cap: per file the .docx bytes, or why none was made; None for files that need no conversion."""
    from ..office.convert import (INSTALL_HINT_RETURNS, MEMORY_BYTES, convert_each, find_soffice,
                                  without_external_targets)

    wanted = [index for index, path in enumerate(files) if path.suffix.lower() in CONVERTED_SUFFIXES
              and not _skip_reason(path) and path.is_file()]
    results: list[bytes | str | None] = [None] * len(files)
    if not wanted:
        return results
    soffice = find_soffice()
    if soffice is None:
        for index in wanted:
            results[index] = INSTALL_HINT_RETURNS
        return results
    inputs, kept = [], []
    for index in wanted:
        try:
            if files[index].stat().st_size > MAX_FILE_BYTES:
                results[index] = f"檔案過大（上限 {MAX_FILE_BYTES // 1024 // 1024} MB），未轉檔；請刪除貼上的圖片後再試。"
                continue
            inputs.append((files[index].suffix.lower(), files[index].read_bytes()))
            kept.append(index)
        except OSError as error:
            results[index] = f"無法開啟檔案：{os_error_text(error)}。"
    if not inputs:
        return results
    try:
        converted = convert_each(inputs, "docx:MS Word 2007 XML", soffice)
    except OSError as error:
        for index in kept:
            results[index] = f"無法啟動 LibreOffice（{error.strerror or error}），未能轉檔讀取；請確認安裝完整或重新安裝。"
        return results
    for index, run in zip(kept, converted):
        data = run.outputs[0]
        if data:
            results[index] = without_external_targets(data)
        elif not run.finished:
            results[index] = (f"{files[index].name}：LibreOffice 在 {run.timeout:.0f} 秒內未完成轉檔（每檔上限），已停止；"
                              "請該單位另存為 .docx 後寄回。")
        else:
            results[index] = (f"{files[index].name}：LibreOffice 無法轉換此檔（可能已損毀、設有密碼，或超過每檔記憶體上限 "
                              f"{MEMORY_BYTES // 1024 ** 3} GB）；請該單位以 Word 開啟確認後另存為 .docx 再寄回。")
    return results


def _read_shared(path: Path, converted: bytes | str | None) -> Return:
    reference, folder = shared()
    return read_return(reference, folder, path, converted)
@contextlib.contextmanager
def reader(reference: Reference, folder: Path, count: int):
    """A function reading files into Returns in order: in worker processes, one per core, when there are many.

    The .odt/.doc files are converted by LibreOffice in a thread while the workers read the other files
    (LibreOffice runs in its own process; the thread only waits for it), then read in turn.
    """
    workers = workers_for(count)
    if not workers:
        yield lambda files: (read_return(reference, folder, path, converted)
                             for path, converted in zip(files, conversions(files)))
        return
    reference.is_form_text(SURVEY_SHEET, "", None)  # render the blank forms once, before the workers start
    reference.is_word_text("", None)
    chunk = max(1, min(32, count // (workers * 8)))
    with worker_pool(workers, reference, folder) as pool:

        def read_all(files: list[Path]):
            later = [index for index, path in enumerate(files) if path.suffix.lower() in CONVERTED_SUFFIXES]
            if not later:
                yield from pool.map(_read_shared, files, itertools.repeat(None), chunksize=chunk)
                return
            waiting = set(later)
            now = [path for index, path in enumerate(files) if index not in waiting]
            with ThreadPoolExecutor(1) as thread:
                converting = thread.submit(conversions, [files[index] for index in later])
                read_now = pool.map(_read_shared, now, itertools.repeat(None), chunksize=chunk)  # all queued now
                read_later = None
                for index in range(len(files)):
                    if index not in waiting:
                        yield next(read_now)
                        continue
                    if read_later is None:  # the workers keep reading the queued files meanwhile
                        read_later = pool.map(_read_shared, [files[i] for i in later], converting.result())
                    yield next(read_later)

        yield read_all
