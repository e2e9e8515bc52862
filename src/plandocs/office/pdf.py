"""PDF copies of rendered .docx files, made by one headless LibreOffice process for the whole batch.

LibreOffice runs with a private profile (a user's open LibreOffice window would otherwise swallow the
job), under a time limit, and with the shipped fontconfig alias so 標楷體 is set in a free Kai face.
Each PDF is checked (not empty, a readable page count, the expected one where known) and reported per file;
one failed or hung conversion costs only the files it did not finish.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Location, Problem, Severity
from .output import work_folder

FONTS_CONF = Path(__file__).with_name("fonts.conf")
INSTALL_HINT = (
    "找不到 LibreOffice，未產生 PDF（Word 檔已照常產生）。請安裝 LibreOffice 與楷書字型後再以 --pdf 執行："
    "Debian/Ubuntu 執行 sudo apt-get install libreoffice-writer-nogui fonts-arphic-ukai；"
    "Windows 請至 https://www.libreoffice.org 下載安裝 LibreOffice。"
)
# Start-up and a fresh profile take a few seconds; each document well under one on a small machine.
_BASE_SECONDS = 60
_SECONDS_PER_DOCUMENT = 3

_PAGE_TREE = re.compile(rb"/Type\s*/Pages\b(.*?)>>", re.DOTALL)
_PAGE_COUNT = re.compile(rb"/Count\s+(\d+)")
# LibreOffice stamps the wall-clock time, and in the trailer ids and a checksum derived from it (32 hex
# digits each); with TZ=UTC the date has this fixed form.
_CREATION_DATE = re.compile(rb"/CreationDate\(D:\d{14}Z'\)")
_TRAILER_DIGEST = re.compile(rb"[0-9A-F]{32}")


@dataclass(frozen=True)
class Document:
    """One .docx to convert, named as the user will find it (relative to the output folder)."""

    name: str
    data: bytes
    expected_pages: int | None = None


@dataclass
class Conversion:
    """The PDFs of a batch, in the order of its documents (None where none was made), and what went wrong."""

    pdfs: list[bytes | None]
    problems: list[Problem] = field(default_factory=list)


def find_soffice() -> Path | None:
    """LibreOffice on PATH, or where its installers put it on Windows and macOS."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return Path(found)
    candidates = [Path(os.environ[variable]) / "LibreOffice" / "program" / "soffice.exe"
                  for variable in ("ProgramFiles", "ProgramW6432", "ProgramFiles(x86)") if os.environ.get(variable)]
    candidates.append(Path("/Applications/LibreOffice.app/Contents/MacOS/soffice"))
    return next((path for path in candidates if path.is_file()), None)


def convert_to_pdf(documents: list[Document], stamp: dt.datetime, timeout: float | None = None,
                   soffice: Path | None = None) -> Conversion:
    """Convert every document in one LibreOffice run; the PDFs are reproducible (dated `stamp`)."""
    soffice = soffice or find_soffice()
    if soffice is None:
        return Conversion([None] * len(documents), [Problem(INSTALL_HINT, Location())])
    if timeout is None:
        timeout = _BASE_SECONDS + _SECONDS_PER_DOCUMENT * len(documents)
    with work_folder("plandocs-pdf-") as folder:  # removed at the end, or by the next run if this one is killed
        (folder / "in").mkdir()
        # Numbered names: units' files may share a name in different folders, and --outdir is flat.
        sources = [folder / "in" / f"{index:04d}.docx" for index in range(len(documents))]
        for source, document in zip(sources, documents):
            source.write_bytes(document.data)
        command = [
            str(soffice), "--headless", "--norestore",
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--convert-to", "pdf", "--outdir", str(folder / "out"), *map(str, sources),
        ]
        try:
            (folder / "tmp").mkdir()
            finished, exit_code = _run(command, timeout, folder / "tmp")
        except OSError as error:
            return Conversion([None] * len(documents), [Problem(
                f"無法啟動 LibreOffice（{error.strerror or error}），未產生 PDF；請確認安裝完整或重新安裝。",
                Location(file=str(soffice)))])
        conversion = Conversion([])
        for source, document in zip(sources, documents):
            pdf_path = folder / "out" / source.with_suffix(".pdf").name
            data = pdf_path.read_bytes() if pdf_path.is_file() else None
            problem = _check(data, document, finished, exit_code, timeout)
            if problem and problem.is_error:
                data = None
            conversion.pdfs.append(reproducible_pdf(data, stamp) if data else None)
            if problem:
                conversion.problems.append(problem)
    return conversion


def _run(command: list[str], timeout: float, temporary: Path | None = None) -> tuple[bool, int | None]:
    """Run LibreOffice in its own process group; on time-out, interruption or termination kill the whole group,
    and if plandocs is killed outright, a watchdog does (see _watchdog).

    LibreOffice's own temporary files go into `temporary` (the run's work folder), which is removed with it.
    """
    # TZ=UTC gives the creation date the fixed-length form that reproducible_pdf replaces.
    environment = {**os.environ, "FONTCONFIG_FILE": str(FONTS_CONF), "TZ": "UTC"}
    if temporary is not None:
        environment.update({name: str(temporary) for name in ("TMPDIR", "TEMP", "TMP")})
    if os.name == "nt":
        group = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    else:
        group = {"start_new_session": True, "preexec_fn": _end_with_parent}
    process = subprocess.Popen(command, env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, **group)
    watchdog = _watchdog(process.pid)
    try:
        return True, process.wait(timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        return False, None
    except BaseException:  # Ctrl-C: the new session does not receive the terminal's signal, so stop it here
        _kill_group(process)
        raise
    finally:
        if watchdog is not None:  # LibreOffice has ended or been stopped: the watchdog is not needed
            watchdog.kill()
            watchdog.wait()


# Waits for its standard input to close, which happens when plandocs ends however it ends, then kills the group.
_WATCHDOG = ("import os, signal, sys\nsys.stdin.buffer.read()\n"
             "try:\n    os.killpg(int(sys.argv[1]), signal.SIGKILL)\nexcept OSError:\n    pass\n")


def _watchdog(group: int) -> subprocess.Popen | None:
    """A small process that kills LibreOffice's group if plandocs is killed outright (SIGKILL, the task manager).

    LibreOffice's launcher starts soffice.bin as its own child, which a parent-death signal does not reach and
    which the launcher's death leaves running; the watchdog's end of a pipe closes when plandocs dies.
    """
    if os.name == "nt" or not sys.executable:
        return None
    try:
        return subprocess.Popen([sys.executable, "-c", _WATCHDOG, str(group)], stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        return None


_PR_SET_PDEATHSIG = 1


def _end_with_parent() -> None:
    """In the child, before LibreOffice starts (Linux): be killed when plandocs ends, even by SIGKILL, which
    leaves no chance to stop the group. Elsewhere the group is stopped on interrupt and termination only."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _kill_group(process: subprocess.Popen) -> None:
    if os.name == "nt":
        # soffice.exe starts soffice.bin; /T ends the tree, not just the launcher.
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(process.pid)], capture_output=True, check=False)
    else:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait()


def _check(data: bytes | None, document: Document, finished: bool, exit_code: int | None,
           timeout: float) -> Problem | None:
    where = Location(file=document.name)
    if data is None:
        if not finished:
            return Problem(f"LibreOffice 在 {timeout:.0f} 秒內未完成轉換，已停止；此檔未產生 PDF，請重新執行。", where)
        return Problem(f"LibreOffice 未能將此檔轉成 PDF（結束代碼 {exit_code}）；請以 Word 或 LibreOffice 開啟此檔確認。",
                       where)
    if not data:
        return Problem("LibreOffice 產生的 PDF 是空的，未寫入；請重新執行。", where)
    pages = page_count(data)
    if pages is None:
        return Problem("LibreOffice 產生的 PDF 不完整（讀不到頁數），未寫入；請重新執行。", where)
    if document.expected_pages is not None and pages != document.expected_pages:
        return Problem(f"PDF 有 {pages} 頁，應為 {document.expected_pages} 頁；請檢查內容是否過長或範本的版面。",
                       where, Severity.WARNING)
    return None


def page_count(data: bytes) -> int | None:
    """Pages of a PDF as LibreOffice writes it (plain page-tree objects); the root node counts them all."""
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        return None
    counts = [int(number) for tree in _PAGE_TREE.findall(data) for number in _PAGE_COUNT.findall(tree)]
    return max(counts, default=None)


def reproducible_pdf(data: bytes, stamp: dt.datetime) -> bytes:
    """Replace the conversion time and the ids made from it, keeping every byte offset of the file.

    The ids become a digest of the content, so the same document always gives the same bytes.
    """
    date = b"/CreationDate(D:" + stamp.strftime("%Y%m%d%H%M%S").encode() + b"Z')"
    trailer = data.rfind(b"trailer")
    if trailer < 0:
        return data
    body = _CREATION_DATE.sub(date, data[:trailer])
    digest = hashlib.md5(body + _TRAILER_DIGEST.sub(b"", data[trailer:]), usedforsecurity=False)
    return body + _TRAILER_DIGEST.sub(digest.hexdigest().upper().encode(), data[trailer:])
