"""Time `plandocs collect` on a folder of returns of every kind units send: .xlsx, Word .docx, .ods, .xls, .doc.

    python3 benchmarks/bench_collect_mixed.py                # 600 .xlsx, 200 .docx, 100 .ods, 50 .xls, 50 .doc
    python3 benchmarks/bench_collect_mixed.py --scale 0.1 --keep /tmp/mixed

The workbooks are filled as bench_collect fills them; the Word 附表2 forms get one measure per survey topic
(python-docx); the .ods, .xls and .doc files are the filled .xlsx and .docx converted by one LibreOffice run
(the preparation takes a few minutes and is not timed). collect then runs in a fresh subprocess; the
script prints the wall time, the peak resident memory and collect's summary line.
"""
from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import ROOT, make_project  # noqa: E402  (the sibling benchmark scripts)
from bench_collect import fill, run_collect  # noqa: E402

sys.path.insert(0, str(ROOT / "src"))

MIX = {".xlsx": 600, ".docx": 200, ".ods": 100, ".xls": 50, ".doc": 50}
_CONVERTED = {".ods": ("xlsx", "ods"), ".xls": ("xlsx", "xls:MS Excel 97"), ".doc": ("docx", "doc:MS Word 97")}


def fill_word(form: Path, unit: str) -> bytes:
    import io

    import docx

    document = docx.Document(form)
    for number, row in enumerate(document.tables[0].rows[1:], 1):
        row.cells[2].text = f"{unit}第{number}項措施"
        row.cells[3].text = f"{unit}第{number}項措施的內容：簡化流程、縮短等候時間並公開進度。"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_returns(project: Path, scale: float) -> tuple[Path, dict[str, int]]:
    from plandocs.commands.build import Paths, build
    from plandocs.office.convert import convert, find_soffice

    report = build(Paths.under(project))
    topics = sum(len(dimension.survey_topics) for dimension in report.plan.dimensions)
    returns = project / "returns"
    returns.mkdir()
    units = sorted((project / "output" / "各單位").iterdir())
    counts = {suffix: round(count * scale) for suffix, count in MIX.items()}
    pending: dict[str, list[tuple[str, bytes]]] = {}
    start = 0
    for suffix, count in counts.items():
        for serial, folder in enumerate(units[start:start + count], start):
            unit = folder.name
            source = suffix if suffix not in _CONVERTED else "." + _CONVERTED[suffix][0]
            if source == ".xlsx":
                data = fill(next(folder.glob("*.xlsx")).read_bytes(), unit, serial, topics)
            else:
                data = fill_word(next(folder.glob("*.docx")), unit)
            if suffix in _CONVERTED:
                pending.setdefault(suffix, []).append((unit, data))
            else:
                (returns / f"{unit}{suffix}").write_bytes(data)
        start += count
    soffice = find_soffice()
    for suffix, files in pending.items():
        source, target = _CONVERTED[suffix]
        converted = convert([("." + source, data) for _, data in files], target, soffice, timeout=3600)
        for (unit, _), data in zip(files, converted.outputs):
            if data is None:
                raise SystemExit(f"LibreOffice did not convert {unit} to {suffix}")
            (returns / f"{unit}{suffix}").write_bytes(data)
    return returns, counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the 1,000-file mix (default 1)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary folder)")
    arguments = parser.parse_args()
    with contextlib.ExitStack() as cleanup:
        folder = arguments.keep or Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="plandocs-bench-")))
        total = round(sum(MIX.values()) * arguments.scale)
        project = make_project(folder / "project", total)
        _, counts = make_returns(project, arguments.scale)
        wall, peak, result = run_collect(project)
    if result.returncode != 0:
        print(result.stdout, result.stderr, sep="\n", file=sys.stderr)
        print(f"collect failed with exit code {result.returncode}", file=sys.stderr)
        return 1
    summary = result.stdout.strip().splitlines()[0]
    mix = "、".join(f"{count} {suffix}" for suffix, count in counts.items())
    print(f"returns: {mix}\n{summary}\nwall time: {wall:.2f} s\npeak RSS: {peak / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
