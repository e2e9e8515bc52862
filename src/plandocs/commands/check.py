"""The check command as a library call: the master's problems and every template's, all at once."""
from __future__ import annotations

from ..documents.template_check import check_templates
from ..documents.templates import BUILD_TEMPLATES, REPORT_TEMPLATE, ContextMaker
from ..errors import InputError, Problem
from ..master.validate import MasterCheck, check_master
from ..paths import Paths
from ..returns.reminders import REMINDER_TEMPLATE, reminder_context_without_returns
from ..returns.write_report import report_context_without_returns

# `check` also looks at the templates `collect` uses, so a broken report is found before the returns come in
COLLECT_TEMPLATES: dict[str, ContextMaker] = {REPORT_TEMPLATE: report_context_without_returns,
                                              REMINDER_TEMPLATE: reminder_context_without_returns}
TEMPLATE_CONTEXTS: dict[str, ContextMaker] = {**BUILD_TEMPLATES, **COLLECT_TEMPLATES}


def check_all(paths: Paths, render: bool = True,
              templates: dict[str, ContextMaker] = TEMPLATE_CONTEXTS) -> MasterCheck:
    """The master and the templates, every problem at once; the plan is None when it cannot be built."""
    try:
        result = check_master(paths.source)
    except InputError as error:
        result = MasterCheck(None, [Problem(error.message, error.location)])
    if result.plan is not None and (not result.plan.receiving_units() or result.plan.facts.due_date is None):
        # no unit fills in a form, so nothing comes back to collect: collect's templates are not used
        # (a survey without its due date is reported on the master; the report could not say the date)
        templates = {name: make for name, make in templates.items() if name not in COLLECT_TEMPLATES}
    # a plan with errors still has every name a template may use; only rendering needs it whole
    template_problems = check_templates(result.plan, paths, templates, render and not result.errors)
    return MasterCheck(result.plan, result.problems + template_problems)
