"""Time and memory of reading each hostile return of the tests' corpus, each in a fresh process.

    python3 benchmarks/bench_hostile.py

Prints, per file, the status it gets, the time to read it (the interpreter's start and imports left out) and the
peak resident memory of the process; target (issue 13): every return in ≤ 2 s and ≤ 300 MB.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

_READ_ONE = """
import json, resource, sys, time
from pathlib import Path
from plandocs.master.validate import check_master
from plandocs.returns.read import read_return
from plandocs.returns.reference import Reference
reference = Reference(check_master(Path(sys.argv[1])).plan)
reference.is_form_text("調查表", "", None)  # the blank forms, rendered once per run, are not the file's cost
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
ret = read_return(reference, Path(sys.argv[2]).parent, Path(sys.argv[2]))
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps([ret.status.value, len(ret.findings), seconds, before / 1024, peak / 1024]))
"""


def main() -> None:
    from helpers.hostile import make_corpus
    from helpers.project import make_project
    from plandocs.commands.build import build

    with tempfile.TemporaryDirectory() as work:
        paths = make_project(Path(work) / "project")
        build(paths)
        folder = Path(work) / "回報"
        cases = make_corpus(paths.output, folder)
        print(f"{'file':<40} {'status':<8} {'problems':>8} {'seconds':>8} {'MB before':>9} {'MB peak':>8}")
        worst_time = worst_memory = 0.0
        for case in cases:
            path = folder / case.name
            if not path.is_file() or path.is_symlink():
                continue  # pipes, sockets and links are never opened
            finished = subprocess.run([sys.executable, "-c", _READ_ONE, str(paths.source), str(path)],
                                      capture_output=True, text=True, timeout=120)
            status, problems, seconds, before, peak = json.loads(finished.stdout)
            worst_time, worst_memory = max(worst_time, seconds), max(worst_memory, peak)
            print(f"{ascii(case.name)[1:-1][:40]:<40} {status:<8} {problems:>8} {seconds:>8.2f} {before:>9.0f} {peak:>8.0f}")
        print(f"slowest {worst_time:.2f} s, largest peak {worst_memory:.0f} MB")


if __name__ == "__main__":
    main()
