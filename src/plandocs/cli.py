"""The command line: parses, calls the library, prints a zh-TW report. Heavy modules load inside commands."""
from __future__ import annotations

import contextlib
import functools
import sys
import traceback
from pathlib import Path

import click

from .errors import ExitCode, PlandocsError, Problem, ValidationFailed

CONTEXT = {"help_option_names": ["-h", "--help"]}


def _tolerate_narrow_consoles() -> None:
    """A message quotes the user's text; a console that cannot show a character (cp950 and an emoji)
    must print a replacement, not fail with a traceback while reporting."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        click.echo(problem.format(), err=True)


def _report(error: Exception) -> ExitCode:
    """Print what went wrong for a user; return the exit code."""
    if isinstance(error, ValidationFailed):
        _print_problems(error.problems)
        click.echo(error.format(), err=True)
        return error.exit_code
    if isinstance(error, PlandocsError):
        click.echo(f"錯誤：{error.format()}", err=True)
        return error.exit_code
    click.echo("內部錯誤：plandocs 發生未預期的問題，已停止且未寫入不完整的檔案。"
               "請以 --traceback 重新執行，並將訊息提供給維護人員。", err=True)
    return ExitCode.INTERNAL


def reports_errors(command):
    """Turn every failure into a located zh-TW message and an exit code; a traceback only on request."""

    @click.option("--traceback", "show_traceback", is_flag=True, help="發生錯誤時顯示 Python 追蹤訊息（回報問題用）。")
    @functools.wraps(command)
    def wrapper(*args, show_traceback: bool, **kwargs):
        _tolerate_narrow_consoles()
        try:
            return command(*args, **kwargs)
        except KeyboardInterrupt:
            click.echo("已中斷，未完成的輸出沒有寫入。", err=True)
            code = ExitCode.INTERRUPTED
        except Exception as error:  # noqa: BLE001 - the last line of defence: a bug must not show a traceback
            code = _report(error)
            if show_traceback:
                traceback.print_exc()
        sys.exit(int(code))

    return wrapper


def _folder_options(command):
    command = click.option("--output", type=click.Path(path_type=Path), help="輸出資料夾（預設：./output）。")(command)
    command = click.option("--templates", type=click.Path(path_type=Path), help="範本資料夾（預設：./templates）。")(command)
    command = click.option("--source", type=click.Path(path_type=Path),
                           help="計畫主檔（預設：./source/plan_master.xlsx）。")(command)
    return command


def _paths(source: Path | None, templates: Path | None, output: Path | None):
    from .paths import Paths

    default = Paths.under(Path.cwd())
    return Paths(source or default.source, templates or default.templates, output or default.output)


@click.group(context_settings=CONTEXT)
@click.version_option(package_name="plandocs", message="plandocs %(version)s")
def main() -> None:
    """plandocs：由計畫主檔（Excel）產生函頒計畫、附表與各單位調查表，並彙整各單位回報。"""


@main.command(context_settings=CONTEXT)
@_folder_options
@click.option("--strict", is_flag=True, help="警告也視為錯誤。")
@click.option("--pdf", is_flag=True, help="另以 LibreOffice 產生各 Word 檔的 PDF（函頒計畫、附表3名冊、各單位調查表）。")
@reports_errors
def build(source, templates, output, strict, pdf) -> None:
    """檢查計畫主檔並產生所有文件。"""
    from .build import build as run_build

    paths = _paths(source, templates, output)
    report = run_build(paths, strict=strict, pdf=pdf)
    _print_problems(report.problems)
    click.echo(f"完成：已於 {paths.output} 產生 {len(report.artifacts)} 個檔案"
               f"（{len(report.plan.receiving_units())} 個單位的調查表）。")
    if pdf:
        _print_problems(report.pdf_problems)
        made = sum(a.path.suffix == ".pdf" for a in report.artifacts)
        failed = sum(a.path.suffix == ".docx" for a in report.artifacts) - made
        click.echo(f"PDF：已產生 {made} 個" + (f"，{failed} 個未能產生（見上方說明）。" if failed else "。"))
        if failed:
            sys.exit(int(ExitCode.CANNOT_WRITE))


@main.command(context_settings=CONTEXT)
@_folder_options
@click.option("--strict", is_flag=True, help="警告也視為錯誤。")
@reports_errors
def check(source, templates, output, strict) -> None:
    """只檢查計畫主檔與範本，不產生檔案。"""
    from .check import check_all

    paths = _paths(source, templates, output)
    problems = check_all(paths).problems
    _print_problems(problems)
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    if errors or (strict and warnings):
        click.echo(f"檢查未通過：{errors} 項錯誤、{warnings} 項警告。", err=True)
        sys.exit(int(ExitCode.INVALID_INPUT))
    click.echo(f"檢查通過：{paths.source.name} 與範本沒有錯誤" + (f"（{warnings} 項警告）。" if warnings else "。"))


PROGRESS_BAR_FILES = 20  # fewer files are read before a bar would be worth drawing
SHOWN_PROBLEMS = 20  # the rest are in the problems sheet of the consolidated workbook


def _progress_bar(files: list[Path]):
    if len(files) < PROGRESS_BAR_FILES:
        return contextlib.nullcontext(files)
    return click.progressbar(files, label="讀取回報", file=sys.stderr)


@main.command(context_settings=CONTEXT)
@click.argument("returns", type=click.Path(path_type=Path))
@_folder_options
@click.option("--strict", is_flag=True, help="回報有任何問題即停止，不產生彙整檔案。")
@reports_errors
def collect(returns, source, templates, output, strict) -> None:
    """讀取 RETURNS 資料夾中各單位寄回的填報表，檢查並彙整（不會修改回報資料夾）。"""
    from .collect import collect as run_collect

    paths = _paths(source, templates, output)
    report = run_collect(paths, returns, strict=strict, progress=_progress_bar)
    shown = [f.problem for f in report.problems[:SHOWN_PROBLEMS]]
    _print_problems(shown)
    if len(report.problems) > len(shown):
        click.echo(f"……另有 {len(report.problems) - len(shown)} 項問題，請見彙整活頁簿的「問題」工作表。", err=True)
    click.echo(report.summary)
    click.echo(f"完成：已於 {report.folder} 產生 {len(report.artifacts)} 個檔案。")
