"""The build command as a library call: check the master, render every document in memory, then write."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .errors import InputError, Location, Problem
from .model import Plan
from .output import Artifact, OutputSet, reproducible, safe_file_name
from .render import (
    PLAN_TEMPLATE, ROSTER_TEMPLATE, SURVEY_TEMPLATE, document_time, plan_context, render_template, roster_context,
    survey_context,
)
from .validate import check_master

UNITS_FOLDER = "各單位"


@dataclass(frozen=True)
class Paths:
    """Where build reads and writes; by default `source/`, `templates/` and `output/` of the current folder."""

    source: Path
    templates: Path
    output: Path

    @classmethod
    def under(cls, folder: Path) -> Paths:
        return cls(folder / "source" / "plan_master.xlsx", folder / "templates", folder / "output")


@dataclass
class BuildReport:
    plan: Plan
    problems: list[Problem]
    written: list[Path] = field(default_factory=list)
    artifacts: list[Artifact] = field(default_factory=list)


def template_path(paths: Paths, name: str) -> Path:
    path = paths.templates / name
    if not path.is_file():
        raise InputError(f"找不到範本「{name}」，請確認範本資料夾或以 --templates 指定。", Location(file=str(path)))
    return path


def render_outputs(plan: Plan, paths: Paths) -> OutputSet:
    """Every output of a build, in memory and reproducible; nothing is written here."""
    stamp = document_time(plan.facts)
    outputs = OutputSet()

    def add(path: str, data: bytes, kind: str, unit: str = "") -> None:
        outputs.add(Artifact(PurePosixPath(path), reproducible(data, stamp), kind, unit))

    roster = render_template(template_path(paths, ROSTER_TEMPLATE), lambda styles: roster_context(plan, styles))
    survey_template = template_path(paths, SURVEY_TEMPLATE)
    blank_survey = render_template(survey_template, lambda styles: survey_context(plan, None))
    circular = render_template(
        template_path(paths, PLAN_TEMPLATE), lambda styles: plan_context(plan, styles),
        {"survey_form": blank_survey, "roster_form": roster},
    )
    add(safe_file_name(plan.facts.title) + ".docx", circular, "函頒計畫")
    add(safe_file_name("附表3_" + plan.facts.agency + plan.facts.roster_title) + ".docx", roster, "附表3名冊")
    for unit in plan.receiving_units():
        folder = f"{UNITS_FOLDER}/{safe_file_name(unit.name)}"
        survey = render_template(survey_template, lambda styles, unit=unit: survey_context(plan, unit))
        add(f"{folder}/{safe_file_name(unit.name)}_附表2調查表.docx", survey, "附表2調查表", unit.name)
    return outputs


def build(paths: Paths, strict: bool = False) -> BuildReport:
    """Check the master, render everything, and only then write; an error leaves `output/` as it was."""
    check = check_master(paths.source)
    plan = check.require(strict)
    outputs = render_outputs(plan, paths)
    written = outputs.write(paths.output)
    return BuildReport(plan, check.problems, written, outputs.artifacts)
