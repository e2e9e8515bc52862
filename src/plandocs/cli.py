"""The command line: parses, calls the library, prints a zh-TW report. Heavy modules load inside commands."""
from __future__ import annotations

import functools
import sys
import traceback
from pathlib import Path

import click

from .errors import ExitCode, PlandocsError, Problem, ValidationFailed

CONTEXT = {"help_option_names": ["-h", "--help"]}


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
        try:
            return command(*args, **kwargs)
        except KeyboardInterrupt:
            click.echo("已中斷，未完成的輸出沒有寫入。", err=True)
            code = ExitCode.INVALID_INPUT
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
    from .build import Paths

    default = Paths.under(Path.cwd())
    return Paths(source or default.source, templates or default.templates, output or default.output)


@click.group(context_settings=CONTEXT)
@click.version_option(package_name="plandocs", message="plandocs %(version)s")
def main() -> None:
    """plandocs：由計畫主檔（Excel）產生函頒計畫、附表與各單位調查表，並彙整各單位回報。"""


@main.command(context_settings=CONTEXT)
@_folder_options
@click.option("--strict", is_flag=True, help="警告也視為錯誤。")
@reports_errors
def build(source, templates, output, strict) -> None:
    """檢查計畫主檔並產生所有文件。"""
    from .build import build as run_build

    paths = _paths(source, templates, output)
    report = run_build(paths, strict=strict)
    _print_problems(report.problems)
    click.echo(f"完成：已於 {paths.output} 產生 {len(report.artifacts)} 個檔案"
               f"（{len(report.plan.receiving_units())} 個單位的調查表）。")


@main.command(context_settings=CONTEXT)
@_folder_options
@click.option("--strict", is_flag=True, help="警告也視為錯誤。")
@reports_errors
def check(source, templates, output, strict) -> None:
    """只檢查計畫主檔與範本，不產生檔案。"""
    from .check import check_all

    paths = _paths(source, templates, output)
    problems = check_all(paths)
    _print_problems(problems)
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    if errors or (strict and warnings):
        click.echo(f"檢查未通過：{errors} 項錯誤、{warnings} 項警告。", err=True)
        sys.exit(int(ExitCode.INVALID_INPUT))
    click.echo(f"檢查通過：{paths.source.name} 與範本沒有錯誤" + (f"（{warnings} 項警告）。" if warnings else "。"))
