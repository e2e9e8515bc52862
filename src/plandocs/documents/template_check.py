"""Check templates before anything is rendered for real: statically, against their data, and by a dry render."""
from __future__ import annotations

import re
from collections.abc import Callable

from ..errors import Location, PlandocsError, Problem, Severity
from ..master.model import Plan
from ..master.schema import AttachmentKind
from ..paths import Paths
from .render import render_template
from .template_names import check_names
from .template_ooxml import ooxml_problems
from .template_scan import TemplateScan, locate_name, scan_template
from .templates import ContextMaker


def check_templates(plan: Plan | None, paths: Paths, templates: dict[str, ContextMaker],
                    render: bool = True) -> list[Problem]:
    """Check templates statically; with a plan, also the names they use and (with `render`) a dry render.

    A template with an error found statically is not rendered: the render would only repeat it, less precisely.
    """
    problems: list[Problem] = []
    for name, make_context in templates.items():
        scan = scan_template(paths.templates / name)
        scan.problems += ooxml_problems(paths.templates / name)
        if plan is not None and not scan.has_errors:
            check_names(scan, make_context(plan, {}))
            scan.problems += _single_roster_problems(scan, plan, name)
            if render and not scan.has_errors:
                _dry_render(scan, paths, name, lambda styles, make=make_context: make(plan, styles))
        problems += scan.problems
    return problems


def _single_roster_problems(scan: TemplateScan, plan: Plan, name: str) -> list[Problem]:
    """A circular made before a plan could have several rosters prints roster_form, the first, for each."""
    rosters = plan.facts.attachments_of(AttachmentKind.ROSTER)
    place = locate_name(scan, "roster_form") if len(rosters) > 1 else None
    if place is None:
        return []
    return [Problem(f"計畫有 {len(rosters)} 份名冊（{'、'.join(r.label for r in rosters)}），範本的 roster_form 只印第一份，"
                    "其他名冊的位置也會印成它；請改為 {{p attachment.form }}（印出各附表自己的表）。",
                    Location(file=name, place=place.description), Severity.WARNING)]


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
