"""Writing outputs: reproducible Office files, atomic replacement, and the manifest of what was built.

Everything is rendered to bytes first; only then is anything written, each file through a temporary
name and an atomic rename, so a failure never leaves a half-written output or a half-updated folder.
"""
from __future__ import annotations

import contextlib
import csv
import errno
import datetime as dt
import hashlib
import io
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath

from ..errors import Location, OutputError

MANIFEST = "manifest.csv"
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_CORE_TIME = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")
# Windows refuses these in file names; the rest of a unit's name is kept as typed.
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_file_name(name: str) -> str:
    """A readable name Windows accepts: forbidden characters become ＿, no trailing dot or space."""
    cleaned = _WINDOWS_FORBIDDEN.sub("＿", name).strip().rstrip(". ")
    if cleaned.split(".")[0].upper() in _WINDOWS_RESERVED:
        cleaned = "＿" + cleaned
    return cleaned[:120] or "＿"


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
    if all(info.date_time == _FIXED_ZIP_TIME for info in entries) and _fixed_core(core, iso) == core:
        return data
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in entries:
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _fixed_core(content, iso)
            entry = zipfile.ZipInfo(info.filename, _FIXED_ZIP_TIME)
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
        """CSV with a BOM so that Excel on Windows opens it with the right encoding."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(["檔案", "類型", "單位", "SHA-256", "位元組"])
        for a in self.artifacts:
            writer.writerow([str(a.path), a.kind, a.unit, a.sha256, len(a.data)])
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")

    def write(self, folder: Path) -> list[Path]:
        """Write every artifact and the manifest as one change, removing the files the previous manifest listed
        that this build no longer makes (a unit deleted from the master), and nothing else.

        All files are first written beside their targets under temporary names; only then is each previous
        file (and each stale one) set aside and the new one renamed into place. If anything fails (a full
        disk, a file open in Word), everything set aside is put back: the folder holds either the whole new
        build or the whole previous one.
        """
        artifacts = [*self.artifacts, Artifact(PurePosixPath(MANIFEST), self.manifest(), "清單")]
        targets = [folder.joinpath(*a.path.parts) for a in artifacts]
        made = {a.path for a in artifacts}
        stale = [p for p in (folder.joinpath(*old.parts) for old in _previous_outputs(folder) - made) if p.is_file()]
        staged: list[Path] = []
        set_aside: list[tuple[Path, Path | None]] = []  # each path changed so far, with its previous file
        try:
            for artifact, target in zip(artifacts, targets):
                staged.append(_stage(target, artifact.data))
            for path in stale:
                set_aside.append((path, _set_aside(path)))
            for temporary, target in zip(staged, targets):
                set_aside.append((target, _set_aside(target)))
                with _output_errors(target):
                    os.replace(temporary, target)
        except BaseException:
            for path, kept in reversed(set_aside):
                if kept is not None:
                    os.replace(kept, path)
                else:
                    path.unlink(missing_ok=True)
            for temporary in staged:
                temporary.unlink(missing_ok=True)
            raise
        for _, kept in set_aside:
            if kept is not None:
                kept.unlink(missing_ok=True)
        _remove_empty_folders(stale, folder)
        return targets


def _previous_outputs(folder: Path) -> set[PurePosixPath]:
    """The files the previous build listed, as paths inside `folder`; a row pointing elsewhere is ignored,
    so an edited manifest can never make a build delete a file outside the output folder."""
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return set()
    with manifest.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
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


def _stage(target: Path, data: bytes) -> Path:
    """Write data to a temporary file beside the target (same folder, so the rename is atomic)."""
    with _output_errors(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".plandocs-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    return Path(temporary)


def _set_aside(target: Path) -> Path | None:
    """Rename an existing target to a temporary name beside it, so it can be put back; None if there is none.

    On Windows this is also where a file open in Word or Excel is found, before anything is replaced.
    """
    if not target.exists():
        return None
    with _output_errors(target):
        handle, kept = tempfile.mkstemp(dir=target.parent, prefix=".plandocs-", suffix=".old")
        os.close(handle)
        try:
            os.replace(target, kept)
        except BaseException:
            Path(kept).unlink(missing_ok=True)
            raise
    return Path(kept)


@contextlib.contextmanager
def _output_errors(target: Path):
    try:
        yield
    except OSError as error:
        raise OutputError(_WRITE_FAILURES.get(type(error)) or _WRITE_FAILURES.get(error.errno)
                          or f"無法寫入檔案（系統錯誤代碼 {error.errno}）。", Location(file=str(target))) from error


_WRITE_FAILURES: dict[object, str] = {
    PermissionError: "無法寫入檔案：檔案可能正由 Word 或 Excel 開啟，或沒有寫入權限；請關閉檔案後再執行。",
    FileExistsError: "輸出位置已有同名的檔案而不是資料夾；請以 --output 指定一個資料夾。",
    NotADirectoryError: "輸出位置已有同名的檔案而不是資料夾；請以 --output 指定一個資料夾。",
    IsADirectoryError: "輸出位置已有同名的資料夾，無法寫入檔案；請移除該資料夾。",
    errno.ENOSPC: "磁碟空間不足，無法寫入檔案；請清出空間後再執行。",
    errno.EROFS: "輸出資料夾為唯讀，無法寫入檔案；請以 --output 指定其他資料夾。",
}
