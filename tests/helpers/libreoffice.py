"""A LibreOffice a test session shares as the units' office suite: started once, driven through UNO by
uno_fill.py under Debian's /usr/bin/python3, stopped at the end by the process group it was started in."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

UNO_PYTHON = Path("/usr/bin/python3")  # python3-uno belongs to the system's interpreter, not to a venv
DRIVER = Path(__file__).with_name("uno_fill.py")


def unavailable() -> str | None:
    """Why a real-client test cannot run here, or None."""
    if shutil.which("soffice") is None:
        return "LibreOffice (soffice) is not installed"
    if not UNO_PYTHON.is_file():
        return f"{UNO_PYTHON} is missing: python3-uno needs the system's Python"
    probe = subprocess.run([str(UNO_PYTHON), "-c", "import uno"], capture_output=True, check=False)
    if probe.returncode:
        return "python3-uno is not installed (apt-get install python3-uno)"
    return None


class Office:
    """One headless soffice with a private profile, accepting UNO connections on a named pipe."""

    def __init__(self, work: Path):
        self.work = work
        self.pipe = f"plandocs_tests_{os.getpid()}"
        self.process = subprocess.Popen(
            ["soffice", "--headless", "--invisible", "--norestore", "--nologo",
             f"-env:UserInstallation={(work / 'profile').as_uri()}", f"--accept=pipe,name={self.pipe};urp;"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        self.jobs = 0

    def fill(self, jobs: list[dict], timeout: float = 300) -> None:
        """Run the jobs (see uno_fill.py) in this LibreOffice; every target file exists afterwards."""
        self.jobs += 1
        jobs_file = self.work / f"jobs{self.jobs}.json"
        jobs_file.write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
        done = subprocess.run([str(UNO_PYTHON), str(DRIVER), self.pipe, str(jobs_file)], capture_output=True,
                              timeout=timeout, check=False, text=True)
        if done.returncode:
            raise RuntimeError(f"the UNO driver failed: {done.stderr[-3000:]}")
        missing = [target for job in jobs for target, _ in job["targets"] if not Path(target).is_file()]
        if missing:
            raise RuntimeError(f"LibreOffice saved nothing to {missing}")

    def stop(self) -> None:
        """End the soffice this session started (its own process group: the launcher and soffice.bin)."""
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(20)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        time.sleep(0.2)
