"""The collect command as a library call: read every return, decide between them, consolidate, then write."""
from __future__ import annotations

import contextlib
from collections.abc import Callable
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..documents.templates import SURVEY_TEMPLATE
from ..documents.render import document_time
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
from ..returns.corrections import correction_workbooks, without_correction_sheet
from ..returns.reminders import add_reminders
from ..returns.write_report import COLLECT_FOLDER, render_outputs
from ..text import TAIWAN_TIME
from .build import add_pdfs

ProgressDisplay = Callable[[list[Path]], contextlib.AbstractContextManager]


@dataclass
class CollectReport:
    collection: Collection
    problems: list[Finding]
    folder: Path  # where the outputs were written
    written: list[Path]
    artifacts: list
    pdf_problems: list = field(default_factory=list)  # why a PDF could not be made (LibreOffice missing …)

    @property
    def exit_code(self) -> ExitCode:
        return exit_code()  # problems in the returns are accounted for in the outputs; --strict stopped earlier

    def follow_up(self) -> list[str]:
        """Where the 補正 workbooks, the 催報 notice and the drafts are, for the command's last lines."""
        from ..returns.corrections import CORRECTION_KIND, CORRECTIONS_FOLDER
        from ..returns.reminders import DRAFT_KIND, REMINDERS_FOLDER

        kinds = [a.kind for a in self.artifacts]
        lines = []
        if CORRECTION_KIND in kinds:
            lines.append(f"補正：{kinds.count(CORRECTION_KIND)} 個單位的補正活頁簿在 {self.folder / CORRECTIONS_FOLDER}")
        lines.append(f"催報：通知在 {self.folder / REMINDERS_FOLDER}"
                     + (f"，另有 {kinds.count(DRAFT_KIND)} 封電子郵件草稿（未寄出）" if DRAFT_KIND in kinds else ""))
        return lines

    @property
    def summary(self) -> str:
        return summary_line(self.collection, self.problems)


def collect(paths: Paths, returns_folder: Path, strict: bool = False,
            progress: ProgressDisplay = contextlib.nullcontext, as_of: dt.date | None = None,
            pdf: bool = False) -> CollectReport:
    """Read every file of the returns folder, check, merge and write the consolidated outputs, the 補正
    workbooks and the 催報 notice (with `pdf`, the report and the notice also as PDF, in one LibreOffice run).

    `as_of` is the day the report and the 催報 stand at (default: today in Taiwan). Nothing is written to the
    returns folder; with `strict`, any problem stops before anything is written.
    """
    plan = check_master(paths.source).require()  # --strict is about the returns, not the master's warnings
    if not plan.receiving_units():
        raise InputError("此計畫沒有調查表（或沒有單位填報），各單位沒有可寄回的填報表，無法彙整。",
                         Location(file=paths.source.name))
    output = paths.output / COLLECT_FOLDER
    if _inside(output, returns_folder):
        raise InputError("輸出資料夾不可位於回報資料夾內（彙整結果會被當成回報讀取）；請以 --output 指定其他位置。",
                         Location(file=str(paths.output)))
    survey_template = paths.templates / SURVEY_TEMPLATE  # its own text is told apart from what a unit typed
    reference = Reference(plan, survey_template if survey_template.is_file() else None)
    files = find_files(returns_folder)
    with reader(reference, returns_folder, len(files)) as read_all, progress(files) as each:
        returns = [without_correction_sheet(ret) for _, ret in zip(each, read_all(files))]
    collection = decide(reference, returns)
    collection.as_of = as_of or taiwan_today()
    problems = collection.problems()
    if blocks([f.problem for f in problems], strict, errors_block=False):
        raise ValidationFailed([f.problem for f in problems])
    outputs = render_outputs(collection, problems, paths, in_parallel=workers_for(len(files)) > 0)
    for artifact in correction_workbooks(collection):
        outputs.add(artifact)
    add_reminders(outputs, collection, paths)
    pdf_problems = add_pdfs(outputs, document_time(collection.plan.facts))[0] if pdf else []
    written = outputs.write(output, lock_folder=paths.output)  # never beside a build of the same folder
    return CollectReport(collection, problems, output, written, outputs.artifacts, pdf_problems)


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def taiwan_today() -> dt.date:
    return (dt.datetime.now(dt.timezone.utc) + TAIWAN_TIME).date()
