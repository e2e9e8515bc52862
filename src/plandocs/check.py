"""The check command as a library call: the master's problems and every template's, all at once."""
from __future__ import annotations

import re
from collections.abc import Callable

from .errors import InputError, Location, PlandocsError, Problem
from .model import Plan
from .paths import Paths
from .render import (
    PLAN_TEMPLATE, REPORT_TEMPLATE, ROSTER_TEMPLATE, SURVEY_TEMPLATE, plan_context, render_template, roster_context,
    survey_context,
)
from .templates_check import TemplateScan, check_names, locate_name, scan_template
from .validate import MasterCheck, check_master

# The forms of 附表2 and 附表3 that the circular embeds; a placeholder paragraph stands in for them when
# the circular is checked, so each template is checked on its own and a broken form does not hide the rest.
SUBDOCUMENTS = ("survey_form", "roster_form")
_PLACEHOLDER_XML = "<w:p/>"

ContextMaker = Callable[[Plan, dict[str, str]], dict]


def _plan_context_with_placeholders(plan: Plan, styles: dict[str, str]) -> dict:
    from markupsafe import Markup

    return plan_context(plan, styles) | dict.fromkeys(SUBDOCUMENTS, Markup(_PLACEHOLDER_XML))


def _report_context_without_returns(plan: Plan, styles: dict[str, str]) -> dict:
    from .collect import Collection
    from .consolidate import report_context

    return report_context(Collection(plan, [], {}), [], styles)


BUILD_TEMPLATES: dict[str, ContextMaker] = {
    PLAN_TEMPLATE: _plan_context_with_placeholders,
    SURVEY_TEMPLATE: lambda plan, styles: survey_context(plan, None),
    ROSTER_TEMPLATE: roster_context,
}
# `check` also looks at the template `collect` uses, so a broken report is found before the returns come in
TEMPLATE_CONTEXTS: dict[str, ContextMaker] = {**BUILD_TEMPLATES, REPORT_TEMPLATE: _report_context_without_returns}


def check_templates(plan: Plan | None, paths: Paths, render: bool = True,
                    templates: dict[str, ContextMaker] = TEMPLATE_CONTEXTS) -> list[Problem]:
    """Check templates statically; with a plan, also the names they use and (with `render`) a dry render.

    A template with an error found statically is not rendered: the render would only repeat it, less precisely.
    """
    problems: list[Problem] = []
    for name, make_context in templates.items():
        scan = scan_template(paths.templates / name)
        if plan is not None and not scan.has_errors:
            check_names(scan, make_context(plan, {}))
            if render and not scan.has_errors:
                _dry_render(scan, paths, name, lambda styles, make=make_context: make(plan, styles))
        problems += scan.problems
    return problems


def _dry_render(scan: TemplateScan, paths: Paths, name: str, make_context: Callable[[dict[str, str]], dict]) -> None:
    """Render in memory; what only rendering finds is reported at the tag that caused it when it can be found."""
    try:
        render_template(paths.templates / name, make_context)
    except PlandocsError as error:
        place = _place_of(scan, error.__cause__)
        scan.problems.append(Problem(error.message, Location(file=name, place=place.description if place else None)))
    except Exception as error:  # noqa: BLE001 - a template expression can fail in any way (e.g. {{ title + 1 }})
        scan.problems.append(Problem(f"範本無法產生文件（{type(error).__name__}：{error}）；請檢查範本中的運算與篩選器。",
                                     Location(file=name)))


def _place_of(scan: TemplateScan, cause: BaseException | None):
    message = str(cause or "")
    match = re.search(r"'([^']+)' is undefined|has no attribute '([^']+)'", message)
    return locate_name(scan, match.group(1) or match.group(2)) if match else None


def check_all(paths: Paths, render: bool = True,
              templates: dict[str, ContextMaker] = TEMPLATE_CONTEXTS) -> MasterCheck:
    """The master and the templates, every problem at once; the plan is None when it cannot be built."""
    try:
        result = check_master(paths.source)
    except InputError as error:
        result = MasterCheck(None, [Problem(error.message, error.location)])
    # a plan with errors still has every name a template may use; only rendering needs it whole
    template_problems = check_templates(result.plan, paths, render and not result.errors, templates)
    return MasterCheck(result.plan, result.problems + template_problems)
