"""Convert a batch of files with one headless LibreOffice process: a private profile, a time limit, own group.

Used for the PDFs of `build --pdf` (pdf.py) and for the returns no native reader reads (.odt, .doc, read as
.docx after conversion). A user's open LibreOffice window would otherwise swallow the job, so the process
gets its own profile; it runs in its own process group, killed whole on time-out, Ctrl-C or termination, and
by a watchdog or a parent-death signal when plandocs itself is killed. The files are
copied under numbered names first: LibreOffice is only ever given regular files of ours, and units' files
may share a name in different folders while --outdir is flat.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .output import work_folder

FONTS_CONF = Path(__file__).with_name("fonts.conf")
INSTALL_HINT_RETURNS = (
    "需要 LibreOffice 才能讀取此類檔案（.odt、.doc），但找不到 LibreOffice；請安裝後再執行彙整："
    "Debian/Ubuntu 執行 sudo apt-get install libreoffice-writer-nogui；Windows 請至 https://www.libreoffice.org "
    "下載安裝。或請該單位另存為 .docx 後寄回。"
)
# Start-up and a fresh profile take a few seconds; each small document well under one on a small machine.
BASE_SECONDS = 60
SECONDS_PER_DOCUMENT = 3


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


@dataclass
class Converted:
    """The converted bytes of each input, in order (None where none was made), and how the run ended."""

    outputs: list[bytes | None]
    finished: bool  # False: stopped at the time limit
    exit_code: int | None
    timeout: float


def convert(inputs: list[tuple[str, bytes]], target: str, soffice: Path, timeout: float | None = None,
            prefix: str = "plandocs-work-") -> Converted:
    """Convert (suffix, bytes) inputs to `target` ("pdf", "docx:MS Word 2007 XML") in one LibreOffice run.

    Raises OSError when LibreOffice cannot be started.
    """
    if timeout is None:
        timeout = BASE_SECONDS + SECONDS_PER_DOCUMENT * len(inputs)
    extension = target.partition(":")[0]
    with work_folder(prefix) as folder:  # removed at the end, or by the next run if this one is killed
        (folder / "in").mkdir()
        (folder / "tmp").mkdir()
        sources = [folder / "in" / f"{index:04d}{suffix}" for index, (suffix, _) in enumerate(inputs)]
        for source, (_, data) in zip(sources, inputs):
            source.write_bytes(data)
        command = [
            str(soffice), "--headless", "--norestore",
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--convert-to", target, "--outdir", str(folder / "out"), *map(str, sources),
        ]
        finished, exit_code = run_soffice(command, timeout, folder / "tmp")
        outputs = []
        for source in sources:
            output = folder / "out" / f"{source.stem}.{extension}"
            outputs.append(output.read_bytes() if output.is_file() else None)
    return Converted(outputs, finished, exit_code, timeout)


def run_soffice(command: list[str], timeout: float, temporary: Path | None = None) -> tuple[bool, int | None]:
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
