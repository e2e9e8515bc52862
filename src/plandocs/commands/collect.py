"""The collect command as a library call: read every return, decide between them, consolidate, then write."""
from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import ExitCode, InputError, Location, ValidationFailed
from ..master.validate import check_master
from ..parallel import workers_for
from ..paths import Paths
from ..report import blocks, exit_code
from ..returns.consolidate import summary_line
from ..returns.decide import decide
from ..returns.read import find_files, reader
from ..returns.records import Collection, Finding
from ..returns.reference import Reference
from ..returns.write_report import COLLECT_FOLDER, render_outputs

ProgressDisplay = Callable[[list[Path]], contextlib.AbstractContextManager]


@dataclass
class CollectReport:
    collection: Collection
    problems: list[Finding]
    folder: Path  # where the outputs were written
    written: list[Path]
    artifacts: list

    @property
    def exit_code(self) -> ExitCode:
        return exit_code()  # problems in the returns are accounted for in the outputs; --strict stopped earlier

    @property
    def summary(self) -> str:
        return summary_line(self.collection, self.problems)


def collect(paths: Paths, returns_folder: Path, strict: bool = False,
            progress: ProgressDisplay = contextlib.nullcontext) -> CollectReport:
    """Read every file of the returns folder, check, merge and write the consolidated outputs.

    Nothing is written to the returns folder; with `strict`, any problem stops before anything is written.
    """
    plan = check_master(paths.source).require()  # --strict is about the returns, not the master's warnings
    if not plan.receiving_units():
        raise InputError("此計畫沒有調查表（或沒有單位填報），各單位沒有可寄回的填報表，無法彙整。",
                         Location(file=paths.source.name))
    output = paths.output / COLLECT_FOLDER
    if _inside(output, returns_folder):
        raise InputError("輸出資料夾不可位於回報資料夾內（彙整結果會被當成回報讀取）；請以 --output 指定其他位置。",
                         Location(file=str(paths.output)))
    reference = Reference(plan)
    files = find_files(returns_folder)
    with reader(reference, returns_folder, len(files)) as read_all, progress(files) as each:
        returns = [ret for _, ret in zip(each, read_all(files))]
    collection = decide(reference, returns)
    problems = collection.problems()
    if blocks([f.problem for f in problems], strict, errors_block=False):
        raise ValidationFailed([f.problem for f in problems])
    outputs = render_outputs(collection, problems, paths, in_parallel=workers_for(len(files)) > 0)
    written = outputs.write(output)
    return CollectReport(collection, problems, output, written, outputs.artifacts)


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True
