"""Time `plandocs collect` on a folder of filled returns, as many as there are units.

    python3 benchmarks/bench_collect.py              # 1,000 returns
    python3 benchmarks/bench_collect.py --returns 200 --keep /tmp/bench

The project is bench_build's synthetic master (the shipped one with extra units of category 分局); its
forms are built in-process, then filled by editing their XML directly (openpyxl would take longer than
collect itself): two measures per survey topic, every key point's 辦理情形, the case counts, the contact
cells. collect then runs in a fresh subprocess, as a user would run it; the script prints the wall time,
the peak resident memory of that process and the summary line collect printed.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import ROOT, make_project  # noqa: E402  (the sibling benchmark script)

sys.path.insert(0, str(ROOT / "src"))
from plandocs.documents.fill_in_form import (  # noqa: E402
    GUIDE_INPUT_ROWS, GUIDE_SHEET, HEADER_ROW, PHONE, PROGRESS_SHEET, REPORT_DATE, REPORTER, SURVEY_ROWS_PER_TOPIC,
    SURVEY_SHEET,
)

_SHEET = re.compile(r'<sheet [^>]*name="([^"]+)"')


def _text_cell(reference: str, style: str, text: str) -> str:
    return f'<c r="{reference}"{style} t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def _number_cell(reference: str, style: str, number: int) -> str:
    return f'<c r="{reference}"{style}><v>{number}</v></c>'


def fill(form: bytes, unit: str, serial: int, topics: int) -> bytes:
    """The form with its input cells filled, written straight into the sheets' XML as a unit's Excel would."""
    source = zipfile.ZipFile(io.BytesIO(form))
    names = _SHEET.findall(source.read("xl/workbook.xml").decode())
    part = {name: f"xl/worksheets/sheet{index}.xml" for index, name in enumerate(names, 1)}
    reported = dt.date(2018, 6, 1) + dt.timedelta(days=serial % 28)

    def survey(match: re.Match) -> str:
        column, row, style = match.group(1), int(match.group(2)), match.group(3)
        in_topic_rows = HEADER_ROW < row <= HEADER_ROW + SURVEY_ROWS_PER_TOPIC * topics
        if not in_topic_rows or (row - HEADER_ROW) % SURVEY_ROWS_PER_TOPIC == 0:
            return match.group(0)  # two of the three rows of each topic are filled; the spare rows stay empty
        label = "措施名稱" if column == "C" else "措施內容"
        return _text_cell(f"{column}{row}", style, f"{unit}第{row}列{label}：簡化流程、縮短等候時間並公開進度。")

    def progress(match: re.Match) -> str:
        column, row, style = match.group(1), int(match.group(2)), match.group(3)
        if row <= HEADER_ROW:
            return match.group(0)
        if column == "H":
            return _text_cell(f"H{row}", style, f"{unit}於第{row}列所列評核重點已依具體作法辦理完成，並持續檢討改進。")
        return _number_cell(f"{column}{row}", style, 1000 + serial)

    def guide(match: re.Match) -> str:
        row, style = int(match.group(2)), match.group(3)
        values = {GUIDE_INPUT_ROWS[REPORT_DATE]: f"{reported:%Y/%m/%d}", GUIDE_INPUT_ROWS[REPORTER]: "王小明",
                  GUIDE_INPUT_ROWS[PHONE]: "(02)2381-8000"}
        return _text_cell(f"B{row}", style, values[row]) if row in values else match.group(0)

    patterns = {
        part[SURVEY_SHEET]: (re.compile(r'<c r="([CD])(\d+)"( s="\d+")?/>'), survey),
        part[PROGRESS_SHEET]: (re.compile(r'<c r="([HIJ])(\d+)"( s="\d+")?/>'), progress),
        part[GUIDE_SHEET]: (re.compile(r'<c r="(B)(\d+)"( s="\d+")?/>'), guide),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename in patterns:
                pattern, replace = patterns[info.filename]
                data = pattern.sub(replace, data.decode()).encode()
            target.writestr(info, data)
    return buffer.getvalue()


def make_returns(project: Path, count: int) -> Path:
    """Build the project's forms and fill the first `count` of them into project/returns/<unit>.xlsx."""
    from plandocs.commands.build import Paths, build

    report = build(Paths.under(project))
    topics = sum(len(dimension.survey_topics) for dimension in report.plan.dimensions)
    returns = project / "returns"
    returns.mkdir()
    forms = sorted((project / "output" / "各單位").glob("*/*.xlsx"))[:count]
    for serial, form in enumerate(forms):
        unit = form.parent.name
        (returns / f"{unit}.xlsx").write_bytes(fill(form.read_bytes(), unit, serial, topics))
    return returns


def run_collect(project: Path) -> tuple[float, int, subprocess.CompletedProcess]:
    """Run collect in a subprocess; return its wall seconds and its peak resident memory (KiB)."""
    command = [sys.executable, "-m", "plandocs", "collect", "returns"]
    environment = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}
    start = time.perf_counter()
    result = subprocess.run(command, cwd=project, env=environment, capture_output=True, text=True)
    wall = time.perf_counter() - start
    return wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--returns", type=int, default=1000, help="returns to collect (default 1000)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary folder)")
    arguments = parser.parse_args()
    with contextlib.ExitStack() as cleanup:
        folder = arguments.keep or Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="plandocs-bench-")))
        project = make_project(folder / "project", arguments.returns)
        make_returns(project, arguments.returns)
        wall, peak, result = run_collect(project)
    if result.returncode != 0:
        print(result.stdout, result.stderr, sep="\n", file=sys.stderr)
        print(f"collect failed with exit code {result.returncode}", file=sys.stderr)
        return 1
    summary = result.stdout.strip().splitlines()[0]
    print(f"returns: {arguments.returns}\n{summary}\nwall time: {wall:.2f} s\npeak RSS: {peak / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
