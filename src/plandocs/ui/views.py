"""What each page shows, worked out from the library's reports: plain values for the templates, no I/O."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from ..errors import Location, Problem
from ..office.output import MANIFEST, Artifact
from ..paths import Paths
from ..returns.consolidate import LEDGER_HEADINGS, ledger_rows, state_counts
from ..returns.records import Collection, Finding, State, UnitState

FILTER_STATES = tuple(state.value for state in State)  # 已回報, 內容不全, 逾期, 需補正, 格式無法彙整, 未回報, 已被取代
_APPLICATIONS = {".xlsx": "Excel", ".xlsm": "Excel", ".xls": "Excel", ".docx": "Word", ".doc": "Word"}


def file_href(project: Path, path: Path) -> str:
    """The page's address of a file inside the project, e.g. /files/output/%E5%9B%9E....xlsx."""
    return "/files/" + quote(path.relative_to(project).as_posix())


@dataclass(frozen=True)
class ProblemRow:
    """One line of the problems table: 檔案, 工作表, 列, 欄, 說明, and where to fix it."""

    severity: str
    file: str
    sheet: str
    row: str
    column: str
    message: str
    hint: str  # 「在 Excel 開啟 plan_master.xlsx，到工作表「附表1」的 H2 儲存格（承辦單位1）修改。」
    target: str = ""  # the file to open, relative to the project; "" when it is not one of the project's


def project_file(paths: Paths, project: Path, name: str | None) -> Path | None:
    """The project's file a problem names: the master or a template by its name, or a path inside the project."""
    if not name:
        return None
    for candidate in (paths.source, paths.templates / name, project / name, Path(name)):
        if candidate.name == Path(name).name and candidate.is_file() and candidate.resolve().is_relative_to(project.resolve()):
            return candidate
    return None


def fix_hint(location: Location, file: Path | None) -> str:
    """Where the user goes to fix a problem, as a clerk would say it."""
    name = file.name if file else (location.file or "")
    application = _APPLICATIONS.get(Path(name).suffix.lower(), "")
    steps = [f"在 {application} 開啟 {name}" if application else f"開啟 {name}"] if name else []
    if location.sheet:
        cell = location.cell()
        place = f"的 {cell} 儲存格" if cell else (f"第 {location.row} 列" if location.row is not None else "")
        steps.append(f"到工作表「{location.sheet}」{place}" + (f"（{location.header}）" if location.header else ""))
    elif location.place:
        steps.append(f"到{location.place}")
    return ("，".join(steps) + "修改。") if steps else "依說明修改。"


def problem_rows(problems: list[Problem], paths: Paths, project: Path) -> list[ProblemRow]:
    rows = []
    for problem in problems:
        location = problem.location
        file = project_file(paths, project, location.file)
        column = location.column or ""
        if location.header:
            column = f"{column}（{location.header}）" if column else location.header
        rows.append(ProblemRow(problem.severity.value, Path(location.file).name if location.file else "",
                               location.sheet or "", "" if location.row is None else str(location.row), column,
                               problem.message, fix_hint(location, file),
                               file.relative_to(project).as_posix() if file else ""))
    return rows


@dataclass(frozen=True)
class Download:
    kind: str
    unit: str
    name: str
    href: str


def downloads(files: Iterable[tuple[PurePosixPath, str, str]], folder: Path, project: Path) -> list[Download]:
    """The files (path inside `folder`, kind, unit) a build or collect wrote, as links; the manifest is the
    program's, not the user's."""
    return [Download(kind, unit, path.name, file_href(project, folder.joinpath(*path.parts)))
            for path, kind, unit in files if path != PurePosixPath(MANIFEST)]


def by_unit(files: Iterable[Download]) -> list[tuple[str, list[Download]]]:
    """Each unit's files, the units in the order their files come (the master's)."""
    grouped: dict[str, list[Download]] = {}
    for file in files:
        grouped.setdefault(file.unit, []).append(file)
    return list(grouped.items())


def artifact_files(artifacts: list[Artifact]) -> list[tuple[PurePosixPath, str, str]]:
    return [(a.path, a.kind, a.unit) for a in artifacts]


@dataclass(frozen=True)
class CellProblem:
    sheet: str
    cell: str
    message: str


@dataclass(frozen=True)
class LedgerRow:
    """A line of the ledger: a unit and the file it is about, with the unit's problems and its files to send."""

    unit: str
    category: str
    status: str
    states: tuple[str, ...]
    file: str
    filed: str
    details: str
    problems: list[CellProblem] = field(default_factory=list)
    downloads: list[Download] = field(default_factory=list)


def _cell_problems(state: UnitState) -> list[CellProblem]:
    findings: list[Finding] = state.errors + state.blanks
    return [CellProblem(f.location.sheet or "", f.location.cell(), f.problem.message) for f in findings]


def ledger(collection: Collection, files: list[Download]) -> list[LedgerRow]:
    """collect's ledger (the 回報清單 sheet's rows); the unit's problems and files go on its first line that carries
    its states, the line of the return used."""
    column = {heading: index for index, heading in enumerate(LEDGER_HEADINGS)}
    states = {state.unit.name: state for state in collection.states()}
    by_unit: dict[str, list[Download]] = {}
    for download in files:
        if download.unit:
            by_unit.setdefault(download.unit, []).append(download)
    rows, placed = [], set()
    for values in ledger_rows(collection):
        unit, label = values[column["單位"]], values[column["回報情形"]]
        state = states.get(unit)
        carries = state is not None and label == state.label and unit not in placed
        if carries:
            placed.add(unit)
        rows.append(LedgerRow(unit, values[column["類別"]], values[column["狀態"]],
                              tuple(label.split("、")) if label else (), values[column["來源檔案"]],
                              values[column["填報日期"]], values[column["說明"]],
                              _cell_problems(state) if carries else [], by_unit.get(unit, []) if carries else []))
    return rows


def with_state(rows: list[LedgerRow], state: str | None) -> list[LedgerRow]:
    return [row for row in rows if state in row.states] if state else rows


def state_filters(rows: list[LedgerRow]) -> list[tuple[str, int]]:
    """Each state the ledger can be filtered by, with how many of its lines carry it."""
    return [(state, sum(state in row.states for row in rows)) for state in FILTER_STATES]


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    percent: float  # of the longest bar


def chart(collection: Collection) -> list[Bar]:
    """The units per state, as the consolidated workbook's chart counts them: every unit once."""
    counts = state_counts(collection)
    longest = max((count for _, count in counts), default=0) or 1
    return [Bar(state.value, count, 100 * count / longest) for state, count in counts]
