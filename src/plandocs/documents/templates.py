"""The Word templates a project has, and the context each of the plan's templates is checked and rendered with."""
from __future__ import annotations

from collections.abc import Callable

from ..master.model import Plan
from .contexts import plan_context, roster_context, survey_context
from .render import with_subdocuments

PLAN_TEMPLATE = "plan.docx"
SURVEY_TEMPLATE = "survey.docx"
ROSTER_TEMPLATE = "roster.docx"
REPORT_TEMPLATE = "report.docx"  # collect's; its context is made from the returns (returns/write_report.py)

# The forms of 附表2 and 附表3 that the circular embeds; a placeholder paragraph stands in for them when
# the circular is checked, so each template is checked on its own and a broken form does not hide the rest.
SUBDOCUMENTS = ("survey_form", "roster_form")
_PLACEHOLDER_XML = "<w:p/>"

ContextMaker = Callable[[Plan, dict[str, str]], dict]


def _plan_context_with_placeholders(plan: Plan, styles: dict[str, str]) -> dict:
    from markupsafe import Markup

    placeholder = Markup(_PLACEHOLDER_XML)
    context = with_subdocuments(plan_context(plan, styles), lambda name: placeholder)
    return context | dict.fromkeys(SUBDOCUMENTS, placeholder)


BUILD_TEMPLATES: dict[str, ContextMaker] = {
    PLAN_TEMPLATE: _plan_context_with_placeholders,
    SURVEY_TEMPLATE: lambda plan, styles: survey_context(plan, None),
    ROSTER_TEMPLATE: roster_context,
}
