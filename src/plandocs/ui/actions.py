"""What each job of the page calls: the commands' own library functions, given what the form says.

A form is read here, in the request, so that a mistyped date is answered at once; the library call itself runs
later in the job's thread. The document libraries load with the first job, not before the page is ready.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..text import parse_date
from .jobs import Job
from .project import Project

Form = Mapping[str, object]
Work = Callable[[Job], object]


@dataclass(frozen=True)
class Action:
    title: str  # what the page calls it
    view: str  # the page showing its result
    prepare: Callable[[Project, Form], tuple[Work, Path | None]]  # the call, and the output folder it writes


def _text(form: Form, name: str) -> str:
    return str(form.get(name) or "").strip()


def _checked(form: Form, name: str) -> bool:
    return form.get(name) == "on"


def typed_date(typed: str) -> dt.date | None:
    """collect's --as-of, as the date field gives it (2018-07-05) or as typed (107/7/5)."""
    if not typed:
        return None
    day = parse_date(typed)
    if day is None:
        raise InputError(f"日期「{typed}」無法辨識；請寫成 107/7/5 或 2018-07-05。")
    return day


def typed_year(typed: str) -> int | None:
    """new's --year: an ROC year."""
    if not typed:
        return None
    if not typed.isdigit() or not 1 <= int(typed) <= 999:
        raise InputError(f"年度「{typed}」請填民國年，例：108。")
    return int(typed)


def _check(project: Project, form: Form) -> tuple[Work, Path | None]:
    from ..commands.check import check_all

    return lambda job: check_all(project.paths).problems, None


def _build(project: Project, form: Form) -> tuple[Work, Path | None]:
    from ..commands.build import build

    pdf = _checked(form, "pdf")
    return lambda job: build(project.paths, pdf=pdf), project.paths.output


def _collect(project: Project, form: Form) -> tuple[Work, Path | None]:
    from ..commands.collect import collect

    as_of, pdf = typed_date(_text(form, "as_of")), _checked(form, "pdf")
    if not project.returns.is_dir():
        raise InputError("回報資料夾還沒有檔案；請先在「回報」頁加入各單位寄回的檔案。")
    return (lambda job: collect(project.paths, project.returns, progress=job.counted, as_of=as_of, pdf=pdf),
            project.paths.output)


def _new(project: Project, form: Form) -> tuple[Work, Path | None]:
    from ..commands.new import new_project

    folder, year = project.inside(_text(form, "folder"), "資料夾"), typed_year(_text(form, "year"))
    return lambda job: new_project(folder, year), None


def _rollover(project: Project, form: Form) -> tuple[Work, Path | None]:
    from ..commands.rollover import rollover

    typed = _text(form, "target")
    target = project.inside(f"source/{typed}", "檔名") if typed else None  # beside the master, as rollover's default
    if target is not None and target.suffix.lower() != ".xlsx":
        target = target.with_name(target.name + ".xlsx")
    proposals = project.consolidated_workbook() if _checked(form, "proposals") else None
    if _checked(form, "proposals") and proposals is None:
        raise InputError("尚未彙整回報，沒有各單位提出的措施可加入；請先在「回報」頁彙整，或取消勾選。")
    return lambda job: rollover(project.paths.source, target, proposals), None


ACTIONS = {"check": Action("檢查", "plan", _check), "build": Action("產生文件", "plan", _build),
           "collect": Action("彙整", "results", _collect), "new": Action("建立新計畫", "new", _new),
           "rollover": Action("產生明年計畫", "new", _rollover)}
