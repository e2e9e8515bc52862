"""Convert files with headless LibreOffice: a private profile that fetches nothing, a time and a memory limit,
its own process group.

Used for the PDFs of `build --pdf` (pdf.py, one batch of our own documents) and for the returns no native reader
reads (.odt, .doc, .rtf, read as .docx after conversion, each in a run of its own so one unit's file costs only
itself). A user's open LibreOffice window would otherwise swallow the job, so the process
gets its own profile; it runs in its own process group, killed whole on time-out, Ctrl-C or termination, and
by a watchdog or a parent-death signal when plandocs itself is killed. The files are
copied under numbered names first: LibreOffice is only ever given regular files of ours, and units' files
may share a name in different folders while --outdir is flat.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
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
# A return converted on its own: start-up plus one document; a file that needs more is refused, not waited for.
SECONDS_PER_RETURN = 60
# Address space of one conversion: LibreOffice converts an ordinary return in a few hundred MB; an RTF of
# millions of nested groups grew past 20 GB before this cap.
MEMORY_BYTES = 2 * 1024 ** 3
PARALLEL_CONVERSIONS = 2  # one soffice per file; two at a time keep a small machine responsive

# The profile every run starts from: links are never updated and nothing is fetched from the network, so a
# unit's file that links an http image makes no request from the office's network to whoever sent it.
_PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="BlockUntrustedRefererLinks" \
oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="UseLocking" oor:op="fuse"><value>false\
</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Content/Update"><prop oor:name="Link" oor:op="fuse">\
<value>2</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Content/Update"><prop oor:name="Link" oor:op="fuse">\
<value>2</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetProxyType" oor:op="fuse"><value>1\
</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetHTTPProxyName" oor:op="fuse">\
<value>0.0.0.0</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetHTTPProxyPort" oor:op="fuse">\
<value>9</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetHTTPSProxyName" oor:op="fuse">\
<value>0.0.0.0</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetHTTPSProxyPort" oor:op="fuse">\
<value>9</value></prop></item>
<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="ooInetNoProxy" oor:op="fuse"><value>\
</value></prop></item>
</oor:items>
"""


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
            prefix: str = "plandocs-work-", memory_bytes: int | None = MEMORY_BYTES) -> Converted:
    """Convert (suffix, bytes) inputs to `target` ("pdf", "docx:MS Word 2007 XML") in one LibreOffice run.

    Raises OSError when LibreOffice cannot be started.
    """
    if timeout is None:
        timeout = BASE_SECONDS + SECONDS_PER_DOCUMENT * len(inputs)
    with work_folder(prefix) as folder:  # removed at the end, or by the next run if this one is killed
        return _convert_in(folder, inputs, target, soffice, timeout, memory_bytes)


def convert_each(inputs: list[tuple[str, bytes]], target: str, soffice: Path, timeout: float | None = None,
                 memory_bytes: int | None = MEMORY_BYTES, prefix: str = "plandocs-work-") -> list[Converted]:
    """Convert every input in a LibreOffice run of its own, each under `timeout` and `memory_bytes`, so one
    slow or huge file costs only itself. Raises OSError when LibreOffice cannot be started."""
    each = SECONDS_PER_RETURN if timeout is None else timeout
    with work_folder(prefix) as folder, ThreadPoolExecutor(PARALLEL_CONVERSIONS) as pool:
        # One work folder with a subfolder per run: a work folder being made is not yet locked, so runs in
        # parallel making their own would take each other's for stale ones.
        return list(pool.map(lambda numbered: _convert_in(folder / f"{numbered[0]:04d}", [numbered[1]], target,
                                                          soffice, each, memory_bytes), enumerate(inputs)))


def _convert_in(folder: Path, inputs: list[tuple[str, bytes]], target: str, soffice: Path, timeout: float,
                memory_bytes: int | None) -> Converted:
    """One LibreOffice run in `folder`, with a profile of its own that fetches nothing."""
    extension = target.partition(":")[0]
    (folder / "in").mkdir(parents=True)
    (folder / "tmp").mkdir()
    (folder / "profile" / "user").mkdir(parents=True)
    (folder / "profile" / "user" / "registrymodifications.xcu").write_text(_PROFILE_SETTINGS, encoding="utf-8")
    sources = [folder / "in" / f"{index:04d}{suffix}" for index, (suffix, _) in enumerate(inputs)]
    for source, (_, data) in zip(sources, inputs):
        source.write_bytes(data)
    command = [
        str(soffice), "--headless", "--norestore",
        f"-env:UserInstallation={(folder / 'profile').as_uri()}",
        "--convert-to", target, "--outdir", str(folder / "out"), *map(str, sources),
    ]
    finished, exit_code = run_soffice(command, timeout, folder / "tmp", memory_bytes)
    outputs = []
    for source in sources:
        output = folder / "out" / f"{source.stem}.{extension}"
        outputs.append(output.read_bytes() if output.is_file() else None)
    return Converted(outputs, finished, exit_code, timeout)


_RELATIONSHIP = re.compile(rb"<Relationship\b[^>]*>")
_TARGET = re.compile(rb'Target="[^"]*"')


def without_external_targets(docx: bytes) -> bytes:
    """The .docx with every external relationship (linked image, hyperlink) pointing nowhere, so the converted
    copy of a unit's file carries no address that a later reader could fetch."""
    source = zipfile.ZipFile(io.BytesIO(docx))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.endswith(".rels"):
                data = _RELATIONSHIP.sub(_emptied_if_external, data)
            target.writestr(item, data)
    return buffer.getvalue()


def _emptied_if_external(relationship: re.Match) -> bytes:
    element = relationship.group()
    return _TARGET.sub(b'Target=""', element) if b'TargetMode="External"' in element else element


def run_soffice(command: list[str], timeout: float, temporary: Path | None = None,
                memory_bytes: int | None = None) -> tuple[bool, int | None]:
    """Run LibreOffice in its own process group; on time-out, interruption or termination kill the whole group,
    and if plandocs is killed outright, a watchdog does (see _watchdog). On POSIX each of its processes may
    use at most `memory_bytes` of address space; on Windows only the time limit holds (a Job object would be
    needed to cap memory there, and the time limit already ends a runaway conversion).

    LibreOffice's own temporary files go into `temporary` (the run's work folder), which is removed with it.
    """
    # TZ=UTC gives the creation date the fixed-length form that reproducible_pdf replaces.
    environment = {**os.environ, "FONTCONFIG_FILE": str(FONTS_CONF), "TZ": "UTC"}
    if temporary is not None:
        environment.update({name: str(temporary) for name in ("TMPDIR", "TEMP", "TMP")})
    if os.name == "nt":
        group = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    else:
        group = {"start_new_session": True, "preexec_fn": lambda: _prepare_child(memory_bytes)}
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


def _prepare_child(memory_bytes: int | None) -> None:
    """In the child, before LibreOffice starts: cap its address space (inherited by soffice.bin), and end it
    with plandocs."""
    if memory_bytes is not None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    _end_with_parent()


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
