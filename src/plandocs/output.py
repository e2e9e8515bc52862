"""Writing outputs: reproducible Office files, atomic replacement, and the manifest of what was built.

Everything is rendered to bytes first; only then is anything written, each file through a temporary
name and an atomic rename, so a failure never leaves a half-written output or a half-updated folder.
"""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .errors import Location, OutputError

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
    both are replaced by fixed values, entry order and compression are kept.
    """
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(data))
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_TIME.sub(rb"\g<1>" + iso + rb"\g<2>", content)
            entry = zipfile.ZipInfo(info.filename, _FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content)
    return target_buffer.getvalue()


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
        """Write every artifact and the manifest as one change, then remove files the previous manifest listed
        that this build no longer makes (a unit deleted from the master), nothing else.

        All files are first written beside their targets under temporary names; only then is each renamed
        over its target, the previous file kept aside until every rename has succeeded. If anything fails
        (a full disk, a file open in Word), the files already replaced are put back: the folder holds
        either the whole new build or the whole previous one.
        """
        previous = _previous_outputs(folder)
        artifacts = [*self.artifacts, Artifact(PurePosixPath(MANIFEST), self.manifest(), "清單")]
        targets = [folder.joinpath(*a.path.parts) for a in artifacts]
        staged: list[Path] = []
        replaced: list[tuple[Path, Path | None]] = []  # each target renamed so far, with its previous file
        try:
            for artifact, target in zip(artifacts, targets):
                staged.append(_stage(target, artifact.data))
            for temporary, target in zip(staged, targets):
                kept = _set_aside(target)
                replaced.append((target, kept))
                with _output_errors(target):
                    os.replace(temporary, target)
        except BaseException:
            for target, kept in reversed(replaced):
                if kept is not None:
                    os.replace(kept, target)
                else:
                    target.unlink(missing_ok=True)
            for temporary in staged:
                temporary.unlink(missing_ok=True)
            raise
        for _, kept in replaced:
            if kept is not None:
                kept.unlink(missing_ok=True)
        current = {str(a.path) for a in self.artifacts}
        for stale in previous - current:
            path = folder.joinpath(*PurePosixPath(stale).parts)
            if path.is_file():
                path.unlink()
        return targets


def _previous_outputs(folder: Path) -> set[str]:
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return set()
    with manifest.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    return {row[0] for row in rows[1:] if row and ".." not in PurePosixPath(row[0]).parts}


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
        os.replace(target, kept)
    return Path(kept)


@contextlib.contextmanager
def _output_errors(target: Path):
    try:
        yield
    except PermissionError as error:
        raise OutputError("無法寫入檔案：檔案可能正由 Word 或 Excel 開啟，請關閉後再執行。",
                          Location(file=str(target))) from error
    except OSError as error:
        raise OutputError(f"無法寫入檔案（{error.strerror or error}）。", Location(file=str(target))) from error
