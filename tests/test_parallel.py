"""Worker processes end with the parent: stopped while a worker is sending its result, the parent still exits."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

# A worker sends a result large enough that its sending takes a while; the parent stops (as Ctrl+C or an
# error stops it) at moments spread over that sending, so a worker is ended halfway through a message.
_STOPPED_WHILE_SENDING = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from plandocs.parallel import worker_pool

    def large_result(marker):
        Path(marker).touch()
        return b"x" * (64 << 20)

    if __name__ == "__main__":
        marker, delay = Path(sys.argv[1]), float(sys.argv[2])
        try:
            with worker_pool(1) as pool:
                pool.submit(large_result, str(marker))
                while not marker.exists():
                    time.sleep(0.001)
                time.sleep(delay)
                raise RuntimeError("stopped")
        except RuntimeError:
            print("stopped")
""")


@pytest.mark.parametrize("delay", [0.0, 0.02, 0.05, 0.1, 0.2, 0.4])
def test_a_parent_stopped_while_a_worker_sends_its_result_exits(tmp_path, delay):
    script = tmp_path / "stopped.py"
    script.write_text(_STOPPED_WHILE_SENDING)
    finished = subprocess.run([sys.executable, str(script), str(tmp_path / "marker"), str(delay)],
                              capture_output=True, text=True, timeout=30)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip() == "stopped"
