"""Convert a batch of files with one headless LibreOffice process: a private profile, a time limit, own group.

Used for the PDFs of `build --pdf` (pdf.py) and for the returns no native reader reads (.odt, .doc, read as
.docx after conversion). A user's open LibreOffice window would otherwise swallow the job, so the process
gets its own profile; it runs in its own process group, killed whole on time-out or Ctrl-C. The files are
copied under numbered names first: LibreOffice is only ever given regular files of ours, and units' files
may share a name in different folders while --outdir is flat.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

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
            prefix: str = "plandocs-convert-") -> Converted:
    """Convert (suffix, bytes) inputs to `target` ("pdf", "docx:MS Word 2007 XML") in one LibreOffice run.

    Raises OSError when LibreOffice cannot be started.
    """
    if timeout is None:
        timeout = BASE_SECONDS + SECONDS_PER_DOCUMENT * len(inputs)
    extension = target.partition(":")[0]
    with tempfile.TemporaryDirectory(prefix=prefix, ignore_cleanup_errors=True) as work:
        folder = Path(work)
        (folder / "in").mkdir()
        sources = [folder / "in" / f"{index:04d}{suffix}" for index, (suffix, _) in enumerate(inputs)]
        for source, (_, data) in zip(sources, inputs):
            source.write_bytes(data)
        command = [
            str(soffice), "--headless", "--norestore",
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--convert-to", target, "--outdir", str(folder / "out"), *map(str, sources),
        ]
        finished, exit_code = run_soffice(command, timeout)
        outputs = []
        for source in sources:
            output = folder / "out" / f"{source.stem}.{extension}"
            outputs.append(output.read_bytes() if output.is_file() else None)
    return Converted(outputs, finished, exit_code, timeout)


def run_soffice(command: list[str], timeout: float) -> tuple[bool, int | None]:
    """Run LibreOffice in its own process group; on time-out or interruption kill the whole group."""
    # TZ=UTC gives a PDF's creation date the fixed-length form that pdf.reproducible_pdf replaces.
    environment = {**os.environ, "FONTCONFIG_FILE": str(FONTS_CONF), "TZ": "UTC"}
    if os.name == "nt":
        group = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    else:
        group = {"start_new_session": True}
    process = subprocess.Popen(command, env=environment, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, **group)
    try:
        return True, process.wait(timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        return False, None
    except BaseException:  # Ctrl-C: the new session does not receive the terminal's signal, so stop it here
        _kill_group(process)
        raise


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
