"""The build command as a library call: check the master, render every document in memory, then write."""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..documents.contexts import SURVEY_FORM, plan_context, roster_context, roster_form, survey_context
from ..documents.render import document_time, render_template
from ..documents.templates import BUILD_TEMPLATES, PLAN_TEMPLATE, ROSTER_TEMPLATE, SURVEY_TEMPLATE
from ..documents.docx_identity import with_identity
from ..documents.fill_in_form import identity
from ..documents.unit_copies import copies_per_unit
from ..documents.fill_in_workbook import FILL_IN_WORKBOOK_KIND, unit_workbooks
from ..errors import ExitCode, Problem
from ..master.model import Plan
from ..master.schema import AttachmentKind
from ..office.output import Artifact, OutputSet, reproducible, safe_file_name
from ..paths import Paths, template_path
from ..report import exit_code
from .check import check_all

UNITS_FOLDER = "各單位"
# A unit's form (kind 附表2調查表, after its label) is printed on one sheet; the other documents grow with the master.
SURVEY_KIND = "調查表"


@dataclass
class BuildReport:
    plan: Plan
    problems: list[Problem]
    written: list[Path] = field(default_factory=list)
    artifacts: list[Artifact] = field(default_factory=list)
    pdf_problems: list[Problem] = field(default_factory=list)
    pdfs_unmade: int = 0  # documents asked for as PDF that could not be converted

    @property
    def exit_code(self) -> ExitCode:
        return exit_code(unmade=self.pdfs_unmade)  # the master's problems did not block, or nothing was built


def render_outputs(plan: Plan, paths: Paths) -> OutputSet:
    """Every output of a build, in memory and reproducible; nothing is written here."""
    stamp = document_time(plan.facts)
    outputs = OutputSet()

    def add(path: str, data: bytes, kind: str, unit: str = "") -> None:
        outputs.add(Artifact(PurePosixPath(path), reproducible(data, stamp), kind, unit))

    subdocuments = {}
    rosters = {}
    for attachment in plan.facts.attachments_of(AttachmentKind.ROSTER):
        rosters[attachment] = render_template(
            template_path(paths, ROSTER_TEMPLATE), lambda styles, a=attachment: roster_context(plan, styles, a),
            names=plan.unit_names, title_names=plan.facts.typed_names)
        subdocuments[roster_form(plan, attachment)] = rosters[attachment]
    survey_template = template_path(paths, SURVEY_TEMPLATE)
    if plan.facts.attachment(AttachmentKind.SURVEY) is not None:
        subdocuments[SURVEY_FORM] = render_template(survey_template, lambda styles: survey_context(plan, None),
                                                    names=plan.unit_names, title_names=plan.facts.typed_names)
    circular = render_template(
        template_path(paths, PLAN_TEMPLATE), lambda styles: plan_context(plan, styles), subdocuments, plan.unit_names,
        title_names=plan.facts.typed_names)
    add(safe_file_name(plan.facts.title) + ".docx", circular, f"{plan.facts.issue_word}計畫")
    for attachment, roster in rosters.items():
        add(safe_file_name(f"{attachment.label}_{plan.facts.agency}{attachment.title}") + ".docx",
            roster, f"{attachment.label}名冊")
    units = plan.receiving_units()
    # per-unit files are rendered once per kind of unit and come out already reproducible (unitcopies)
    # each unit's 附表2 carries the form's identity, as its workbook does, so a Word return is recognised by it
    def survey(unit, name: str) -> bytes:
        named = dataclasses.replace(unit, name=name)
        document = render_template(survey_template, lambda styles: survey_context(plan, named), names=plan.unit_names,
                                   title_names=plan.facts.typed_names)
        return reproducible(with_identity(document, identity(plan, named)), stamp)

    surveys = copies_per_unit(units, survey)
    workbooks = unit_workbooks(plan, units)
    survey_kind = _label(plan, AttachmentKind.SURVEY) + SURVEY_KIND
    for unit in units:
        stem = safe_file_name(unit.name)  # validation has made sure no two units share one
        folder = PurePosixPath(UNITS_FOLDER, stem)
        outputs.add(Artifact(folder / f"{stem}_{survey_kind}.docx", surveys[unit.name], survey_kind, unit.name))
        outputs.add(Artifact(folder / f"{stem}_{FILL_IN_WORKBOOK_KIND}.xlsx", workbooks[unit.name], FILL_IN_WORKBOOK_KIND, unit.name))
    return outputs


def _label(plan: Plan, kind: AttachmentKind) -> str:
    attachment = plan.facts.attachment(kind)
    return attachment.label if attachment else ""


def add_pdfs(outputs: OutputSet, stamp: dt.datetime) -> tuple[list[Problem], int]:
    """Add a PDF beside every .docx of the set, all made in one LibreOffice run; failures are reported per file.

    Returns the problems and how many documents got no PDF. Converting before the set is written puts the
    PDFs in the manifest, so a PDF that a build no longer
    makes (a unit removed, a failed conversion, a build without --pdf) is removed like a stale .docx.
    """
    from ..office.pdf import Document, convert_to_pdf

    documents = [a for a in outputs.artifacts if a.path.suffix == ".docx"]
    conversion = convert_to_pdf(
        [Document(str(a.path), a.data, 1 if a.unit and a.kind.endswith(SURVEY_KIND) else None) for a in documents], stamp)
    for document, pdf in zip(documents, conversion.pdfs):
        if pdf is not None:
            outputs.add(Artifact(document.path.with_suffix(".pdf"), pdf, f"{document.kind}（PDF）", document.unit))
    return conversion.problems, sum(pdf is None for pdf in conversion.pdfs)


def build(paths: Paths, strict: bool = False, pdf: bool = False) -> BuildReport:
    """Check the master, render everything, and only then write; an error leaves `output/` as it was.

    With `pdf`, the .docx files are written even when LibreOffice is missing or fails; the report says why.
    """
    check = check_all(paths, render=False, templates=BUILD_TEMPLATES)  # all problems at once
    plan = check.require(strict)
    outputs = render_outputs(plan, paths)
    pdf_problems, unmade = add_pdfs(outputs, document_time(plan.facts)) if pdf else ([], 0)
    written = outputs.write(paths.output)
    return BuildReport(plan, check.problems, written, outputs.artifacts, pdf_problems, unmade)
