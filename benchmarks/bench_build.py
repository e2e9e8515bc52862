"""Time `plandocs build` end to end on a synthetic master with many units.

    python3 benchmarks/bench_build.py            # 1,000 extra units of category 分局
    python3 benchmarks/bench_build.py --units 200 --keep /tmp/bench

The synthetic master is the shipped one with N units appended to the 單位 sheet; they are of category
分局, so the group references of 附表1 (各分局、大隊、隊, 各分局) reach them and every one gets a
non-empty 辦理情形 list. The build runs in a fresh subprocess, as a user would run it; the script prints
the wall time, the peak resident memory of the build process (its largest process when it uses a pool;
the sum over its processes is sampled as well) and how many files were written.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UNITS_SHEET = "單位"
SYNTHETIC_CATEGORY = "分局"


def make_project(folder: Path, extra_units: int) -> Path:
    """A copy of the shipped project whose master has `extra_units` more units of category 分局."""
    from openpyxl import load_workbook

    (folder / "source").mkdir(parents=True)
    shutil.copytree(ROOT / "templates", folder / "templates")
    master = folder / "source" / "plan_master.xlsx"
    workbook = load_workbook(ROOT / "source" / "plan_master.xlsx")
    sheet = workbook[UNITS_SHEET]
    headings = [cell.value for cell in sheet[1]]
    for number in range(1, extra_units + 1):
        row = {"單位名稱": f"模擬第{number:04d}{SYNTHETIC_CATEGORY}", "類別": SYNTHETIC_CATEGORY, "填報調查表": "是"}
        sheet.append([row.get(heading) for heading in headings])
    workbook.save(master)
    return folder


def _tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and its descendants, from /proc (Linux), in KiB."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/status", encoding="ascii") as status:
                total += next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
            with open(f"/proc/{current}/task/{current}/children", encoding="ascii") as children:
                pending.extend(int(child) for child in children.read().split())
        except (OSError, StopIteration):
            continue
    return total


def run_build(project: Path) -> tuple[float, int, int, subprocess.CompletedProcess]:
    """Run the build; return wall seconds and the peak RSS (KiB) of its largest process and of its process tree."""
    command = [sys.executable, "-m", "plandocs", "build"]
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=project, env=environment, stdout=stdout, stderr=stderr)
        tree_peak = 0
        while process.poll() is None:
            tree_peak = max(tree_peak, _tree_rss_kib(process.pid))
            time.sleep(0.02)
        wall = time.perf_counter() - start
        stdout.seek(0)
        stderr.seek(0)
        output, errors = stdout.read().decode(), stderr.read().decode()
        result = subprocess.CompletedProcess(command, process.returncode, output, errors)
    # ru_maxrss of the children: the largest single process among the build and any workers it waited for
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, largest, tree_peak, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000, help="units added to the shipped master (default 1000)")
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it (default: a temporary folder)")
    arguments = parser.parse_args()
    folder = arguments.keep or Path(tempfile.mkdtemp(prefix="plandocs-bench-"))
    try:
        project = make_project(folder / "project", arguments.units)
        wall, largest, tree, result = run_build(project)
        if result.returncode != 0:
            print(result.stdout, result.stderr, sep="\n", file=sys.stderr)
            print(f"build failed with exit code {result.returncode}", file=sys.stderr)
            return 1
        files = sum(1 for path in (project / "output").rglob("*") if path.is_file())
        print(f"units added: {arguments.units}; files written: {files}")
        print(f"wall time: {wall:.2f} s")
        print(f"peak RSS: {largest / 1024:.0f} MB (largest process), {tree / 1024:.0f} MB (process tree, sampled)")
        return 0
    finally:
        if arguments.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
