"""Writing outputs: reproducible Office files, the switch of a whole output set, and the manifest of what was built.

Everything is rendered to bytes first; only then is anything written: into a staging folder, then switched in
under a journal, so a failure or a kill at any instant leaves the folder with the whole previous set or,
once the next run has finished the switch, the whole new one — never a mix.
"""
from __future__ import annotations

import contextlib
import csv
import errno
import datetime as dt
import hashlib
import io
import os
import json
import re
import shutil
import signal
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath

from ..errors import Location, OutputError, os_error_text
from .text_cells import starts_like_formula

MANIFEST = "manifest.csv"
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CORE_TIME = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")
# Windows refuses these in file names; the rest of a unit's name is kept as typed.
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
# Bidirectional controls make a name read otherwise than it is (「報告‮xslx.exe」): never in a file name.
_SURROGATES = re.compile("[\ud800-\udfff]")  # half a character: no file system takes it
_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


MAX_NAME_CHARACTERS = 120
MAX_NAME_BYTES = 200
MAX_EXTENSION = 8


def safe_file_name(name: str) -> str:
    """A readable name Windows accepts: forbidden characters become ＿, no bidirectional control, no trailing dot
    or space."""
    cleaned = _WINDOWS_FORBIDDEN.sub("＿", _BIDI_CONTROLS.sub("", _SURROGATES.sub("", name))).strip().rstrip(". ")
    stem, dot, extension = cleaned.rpartition(".")
    if not dot or not stem or len(extension) > MAX_EXTENSION:
        stem, extension = cleaned, ""
    # Disks count a name's bytes (255 at most), Windows its characters: the stem is shortened so that both
    # hold with room for the folder's own name, and the extension that tells the file's kind is kept.
    suffix = f".{extension}" if extension else ""
    stem = stem[:max(MAX_NAME_CHARACTERS - len(suffix), 0)]  # at once: a sent name may be a megabyte long
    while stem and len((stem + suffix).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    stem = stem.rstrip(". ")
    # Windows ignores spaces before the extension: 「CON .xlsx」 is the device CON too (checked once shortened)
    if stem.split(".")[0].rstrip(" ").upper() in _WINDOWS_RESERVED:
        stem = "＿" + stem
    return (stem + suffix) if stem else "＿" + suffix


def reproducible(data: bytes, stamp: dt.datetime) -> bytes:
    """Rewrite an Office zip so the same content always gives the same bytes.

    python-docx and openpyxl stamp the current time into docProps/core.xml and into every zip entry;
    both are replaced by fixed values, entry order and compression are kept. A file that already has them
    (XlsxWriter writes fixed times) is returned as it is, which spares recompressing a large workbook.
    """
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(data))
    entries = source.infolist()
    core = source.read("docProps/core.xml") if "docProps/core.xml" in source.namelist() else b""
    if all(info.date_time == FIXED_ZIP_TIME for info in entries) and _fixed_core(core, iso) == core:
        return data
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in entries:
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _fixed_core(content, iso)
            entry = zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content)
    return target_buffer.getvalue()


def _fixed_core(core: bytes, iso: bytes) -> bytes:
    return _CORE_TIME.sub(rb"\g<1>" + iso + rb"\g<2>", core)


@dataclass(frozen=True)
class Artifact:
    """One output file held in memory until the whole set is ready."""

    path: PurePosixPath  # relative to the output folder
    data: bytes
    kind: str  # what it is, for the manifest, e.g. 「函頒計畫」
    unit: str = ""  # the unit it is for, if any

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class OutputSet:
    artifacts: list[Artifact] = field(default_factory=list)

    def add(self, artifact: Artifact) -> None:
        self.artifacts.append(artifact)

    def manifest(self) -> bytes:
        """CSV with a BOM so that Excel on Windows opens it with the right encoding; no cell runs as a formula."""
        rows = [[str(a.path), a.kind, a.unit, a.sha256, len(a.data)] for a in self.artifacts]
        return csv_bytes(["檔案", "類型", "單位", "SHA-256", "位元組"], rows)

    def write(self, folder: Path, lock_folder: Path | None = None) -> list[Path]:
        """Replace the previous set in `folder` by this one as one change; see the module's switch functions.

        The files the previous manifest listed that this set no longer makes (a unit deleted from the master)
        are removed, and nothing else. One writer at a time per output folder (a lock file in `lock_folder`,
        by default `folder`: collect writes a folder inside build's and takes build's lock); leftovers of an
        interrupted run are completed or undone first.
        """
        artifacts = [*self.artifacts, Artifact(PurePosixPath(MANIFEST), self.manifest(), "清單")]
        remove_stale_work_folders()
        with folder_lock(lock_folder or folder):
            recover(folder)
            stale = sorted(old for old in _previous_outputs(folder) - {a.path for a in artifacts}
                           if folder.joinpath(*old.parts).is_file())
            _switch(folder, artifacts, stale)
        return [folder.joinpath(*a.path.parts) for a in artifacts]


# --- CSV ---------------------------------------------------------------------------------------------------

def csv_cell(value: object) -> str:
    """A cell that would run as a formula (office/text_cells.py) is written with a leading apostrophe."""
    text = str(value)
    return "'" + text if starts_like_formula(text) else text


def csv_value(cell: str) -> str:
    """What csv_cell was given, from what it wrote."""
    return cell[1:] if cell.startswith("'") and starts_like_formula(cell[1:]) else cell


def csv_bytes(headings: list[str], rows: list[list]) -> bytes:
    """Every CSV plandocs writes: UTF-8 with a BOM for Excel, CRLF lines, each cell neutralised by csv_cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headings)
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# --- The switch ------------------------------------------------------------------------------------------
#
# 1. Every new file is written, and flushed to disk, into <folder>/.plandocs-staging/new/.
# 2. The journal (the list of files to put in place and of stale files to remove) is written beside it under
#    a temporary name and renamed to JOURNAL: this rename is the moment of the change.
# 3. Every previous file of the set is moved into .plandocs-staging/old/, then every new file into place.
# 4. The staging folder is removed.
# A run stopped before 2 (a kill, a power cut) leaves the previous set untouched and a staging folder the next
# run deletes; stopped after 2, the next run finds the journal and finishes 3 and 4. A failure in 3 (a file
# open in Word) moves everything back and marks the journal so, so that a run stopped while undoing is undone.

STAGING = ".plandocs-staging"
LOCK = ".plandocs.lock"
JOURNAL = "journal.json"
_UNDO = "undo.json"
_FAULT_STEP = "PLANDOCS_FAULT_STEP"  # tests: the writer kills itself at this step of the switch
_LEFTOVER = re.compile(r"\.plandocs-[^/\\]*\.(?:tmp|old)")  # earlier versions' temporary names beside targets


def _switch(folder: Path, artifacts: list[Artifact], stale: list[PurePosixPath]) -> None:
    staging = folder / STAGING
    faults = _Faults()
    with _output_errors(folder):
        folder.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
        (staging / "new").mkdir(parents=True)
    try:
        for artifact in artifacts:
            target = staging.joinpath("new", *artifact.path.parts)
            with _output_errors(folder.joinpath(*artifact.path.parts)):
                _write_durably(target, artifact.data)
            faults.step()
        plan = {"files": [a.path.as_posix() for a in artifacts], "stale": [p.as_posix() for p in stale]}
        with _output_errors(folder):
            _write_durably(staging / (JOURNAL + ".tmp"), json.dumps(plan, ensure_ascii=False).encode())
            faults.step()
            os.replace(staging / (JOURNAL + ".tmp"), staging / JOURNAL)  # the moment of the change
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _sync_folder(staging)
    faults.step()
    _complete(folder, plan, faults)


def recover(folder: Path) -> None:
    """Finish or undo what an interrupted run left in `folder`, so it holds exactly one whole set again."""
    staging = folder / STAGING
    if staging.is_dir():
        if (staging / _UNDO).is_file():
            _undo(folder, _read_plan(staging / _UNDO))
        elif (staging / JOURNAL).is_file():
            _complete(folder, _read_plan(staging / JOURNAL), _Faults())
        else:  # stopped before the change: the previous set was never touched
            shutil.rmtree(staging, ignore_errors=True)
    if folder.is_dir():
        for root, _, names in os.walk(folder):
            for name in names:
                if _LEFTOVER.fullmatch(name):
                    Path(root, name).unlink(missing_ok=True)


def _complete(folder: Path, plan: dict, faults: "_Faults") -> None:
    """Step 3 and 4, from wherever a run stopped: each move is done once whatever was done before."""
    staging = folder / STAGING
    moves = [*plan["stale"], *plan["files"]]
    try:
        for relative in moves:
            current, kept = folder / relative, staging / "old" / relative
            if current.exists() and not kept.exists() and (relative in plan["stale"] or (staging / "new" / relative).exists()):
                with _output_errors(current):
                    kept.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(current, kept)
                faults.step()
        for relative in plan["files"]:
            new, current = staging / "new" / relative, folder / relative
            if new.exists():
                with _output_errors(current):
                    current.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(new, current)
                faults.step()
    except BaseException:
        os.replace(staging / JOURNAL, staging / _UNDO)
        _undo(folder, plan)
        raise
    _sync_folder(folder)
    shutil.rmtree(staging, ignore_errors=True)
    _remove_empty_folders([folder / relative for relative in plan["stale"]], folder)


def _undo(folder: Path, plan: dict) -> None:
    """Put every previous file back and remove every new one moved in; then the staging folder."""
    staging = folder / STAGING
    for relative in plan["files"]:
        current, kept, new = folder / relative, staging / "old" / relative, staging / "new" / relative
        if not kept.exists() and not new.exists():
            current.unlink(missing_ok=True)  # a new file with no previous one, already in place
    for relative in [*plan["stale"], *plan["files"]]:
        kept = staging / "old" / relative
        if kept.exists():
            os.replace(kept, folder / relative)
    shutil.rmtree(staging, ignore_errors=True)


def _read_plan(journal: Path) -> dict:
    plan = json.loads(journal.read_text(encoding="utf-8"))
    inside = [p for p in [*plan["files"], *plan["stale"]] if not _unsafe(p)]
    return {"files": [p for p in plan["files"] if p in inside], "stale": [p for p in plan["stale"] if p in inside]}


def _unsafe(relative: str) -> bool:
    path = PurePosixPath(relative)
    return path.is_absolute() or bool(PureWindowsPath(relative).anchor) or ".." in path.parts


class _Faults:
    """Counts the steps of a switch; with PLANDOCS_FAULT_STEP set, the process kills itself at that step, as a
    power cut or the task manager would, so tests can check every instant of the switch."""

    def __init__(self):
        self.count = 0
        self.at = int(os.environ.get(_FAULT_STEP) or 0)

    def step(self) -> None:
        self.count += 1
        if self.count == self.at:
            os.kill(os.getpid(), signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)


def _write_durably(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())


def _sync_folder(folder: Path) -> None:
    """Make the renames in a folder durable (POSIX; Windows has no handle on a folder for this)."""
    if os.name == "nt":
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


# --- One writer per folder ----------------------------------------------------------------------------------

@contextlib.contextmanager
def folder_lock(folder: Path):
    """Hold the folder's lock file for the time of a write; another plandocs holding it is told to the user.

    The operating system drops the lock when the process ends, however it ends, so a killed run never
    leaves the folder locked. The lock file stays (removing it would let two runs lock two different files).
    """
    with _output_errors(folder):
        folder.mkdir(parents=True, exist_ok=True)
        handle = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not _try_lock(handle):
            raise OutputError("另一個 plandocs（build 或 collect）正在寫入此輸出資料夾；請等它完成後再執行，"
                              "或以 --output 指定其他資料夾。", Location(file=str(folder)))
        yield
    finally:
        os.close(handle)  # closing releases the lock


# --- Private work folders in the temporary folder -----------------------------------------------------------

WORK_PREFIXES = ("plandocs-pdf-", "plandocs-work-")
_UNLOCKED_GRACE_SECONDS = 600  # a folder without its lock file yet is being created, unless it is this old


@contextlib.contextmanager
def work_folder(prefix: str):
    """A private folder in the system's temporary folder for files holding users' content while a run needs
    them (LibreOffice's input and output, XlsxWriter's rows), removed when the run ends however it ends.

    A run killed outright cannot remove its folder: the folder holds a locked file while in use, and the next
    run removes every folder whose lock is free.
    """
    remove_stale_work_folders()
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    handle = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        _try_lock(handle)
        yield folder
    finally:
        os.close(handle)
        shutil.rmtree(folder, ignore_errors=True)


def remove_stale_work_folders() -> None:
    """Remove the work folders that runs killed outright left behind; a running one's folder is locked."""
    import time

    try:
        entries = list(os.scandir(tempfile.gettempdir()))
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(WORK_PREFIXES) or not entry.is_dir(follow_symlinks=False):
            continue
        lock = Path(entry.path, LOCK)
        try:
            handle = os.open(lock, os.O_RDWR)
        except FileNotFoundError:
            with contextlib.suppress(OSError):
                if time.time() - entry.stat(follow_symlinks=False).st_mtime > _UNLOCKED_GRACE_SECONDS:
                    shutil.rmtree(entry.path, ignore_errors=True)
            continue
        except OSError:
            continue  # another user's, or not ours to judge
        try:
            free = _try_lock(handle)
        finally:
            os.close(handle)
        if free:
            shutil.rmtree(entry.path, ignore_errors=True)


def _try_lock(handle: int) -> bool:
    if os.name == "nt":
        import msvcrt

        try:
            msvcrt.locking(handle, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _previous_outputs(folder: Path) -> set[PurePosixPath]:
    """The files the previous build listed, as paths inside `folder`; a row pointing elsewhere is ignored,
    so an edited manifest can never make a build delete a file outside the output folder."""
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return set()
    with manifest.open(encoding="utf-8-sig", newline="") as handle:
        rows = [[csv_value(cell) for cell in row] for row in csv.reader(handle)]
    inside = set()
    root = folder.resolve()
    for row in rows[1:]:
        if not row or not row[0]:
            continue
        relative = PurePosixPath(row[0])
        if relative.is_absolute() or PureWindowsPath(row[0]).anchor or ".." in relative.parts:
            continue
        if folder.joinpath(*relative.parts).resolve().is_relative_to(root):
            inside.add(relative)
    return inside


def _remove_empty_folders(removed: list[Path], folder: Path) -> None:
    """A unit removed from the master leaves no empty folder behind in the output."""
    root = folder.resolve()
    for path in removed:
        parent = path.parent
        while parent.resolve() != root and parent.resolve().is_relative_to(root):
            try:
                parent.rmdir()
            except OSError:  # not empty, or in use: leave it
                break
            parent = parent.parent


@contextlib.contextmanager
def _output_errors(target: Path):
    try:
        yield
    except OSError as error:
        raise OutputError(_WRITE_FAILURES.get(type(error)) or _WRITE_FAILURES.get(error.errno)
                          or f"無法寫入檔案：{os_error_text(error)}。", Location(file=str(target))) from error


_WRITE_FAILURES: dict[object, str] = {
    PermissionError: "無法寫入檔案：檔案可能正由 Word 或 Excel 開啟，或沒有寫入權限；請關閉檔案後再執行。",
    FileExistsError: "輸出位置已有同名的檔案而不是資料夾；請以 --output 指定一個資料夾。",
    NotADirectoryError: "輸出位置已有同名的檔案而不是資料夾；請以 --output 指定一個資料夾。",
    IsADirectoryError: "輸出位置已有同名的資料夾，無法寫入檔案；請移除該資料夾。",
    errno.ENOSPC: "磁碟空間不足，無法寫入檔案；請清出空間後再執行。",
    errno.EROFS: "輸出資料夾為唯讀，無法寫入檔案；請以 --output 指定其他資料夾。",
}
