"""The check command as a library call: the master's problems and the templates', all at once."""
from __future__ import annotations

from .build import Paths, template_path
from .errors import PlandocsError, Problem
from .model import Plan
from .render import (
    PLAN_TEMPLATE, ROSTER_TEMPLATE, SURVEY_TEMPLATE, plan_context, render_template, roster_context, survey_context,
)
from .validate import check_master


def check_templates(plan: Plan, paths: Paths) -> list[Problem]:
    """Render each template once in memory with the real plan; a template that fails says where and why."""
    renders = {
        ROSTER_TEMPLATE: lambda styles: roster_context(plan, styles),
        SURVEY_TEMPLATE: lambda styles: survey_context(plan, None),
    }
    problems: list[Problem] = []
    rendered: dict[str, bytes] = {}
    for name, make_context in renders.items():
        try:
            rendered[name] = render_template(template_path(paths, name), make_context)
        except PlandocsError as error:
            problems.append(Problem(error.message, error.location))
    if len(rendered) == len(renders):
        try:
            render_template(template_path(paths, PLAN_TEMPLATE), lambda styles: plan_context(plan, styles),
                            {"survey_form": rendered[SURVEY_TEMPLATE], "roster_form": rendered[ROSTER_TEMPLATE]})
        except PlandocsError as error:
            problems.append(Problem(error.message, error.location))
    return problems


def check_all(paths: Paths) -> list[Problem]:
    result = check_master(paths.source)
    problems = list(result.problems)
    if result.plan is not None and not result.errors:
        problems += check_templates(result.plan, paths)
    return problems
