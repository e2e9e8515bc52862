"""The command line: parses, calls the library, prints a zh-TW report. Heavy modules load inside commands."""
from __future__ import annotations

import contextlib
import functools
import gettext
import os
import re
import sys
import traceback
from pathlib import Path

import click

from .errors import ExitCode, Problem

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
    from .report import failure

    stopped = failure(error)
    _print_problems(stopped.problems)
    click.echo(stopped.message + ("請以 --traceback 重新執行，並將訊息提供給維護人員。" if stopped.internal else ""), err=True)
    return stopped.exit_code


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


def _output_option(command):
    return click.option("--output", type=click.Path(path_type=Path), metavar="資料夾",
                        help="輸出資料夾（預設：./output）。")(command)


def _input_options(command):
    folder, file = click.Path(path_type=Path), click.Path(path_type=Path)
    command = click.option("--templates", type=folder, metavar="資料夾", help="範本資料夾（預設：./templates）。")(command)
    command = click.option("--source", type=file, metavar="檔案",
                           help="計畫主檔（預設：./source/plan_master.xlsx）。")(command)
    return command


def _paths(source: Path | None, templates: Path | None, output: Path | None):
    from .paths import Paths

    default = Paths.under(Path.cwd())
    return Paths(source or default.source, templates or default.templates, output or default.output)


LOCALE = Path(__file__).with_name("locale")
# click quotes names in ASCII quotes and joins phrases with spaces and commas, outside the catalogue's reach
_QUOTED = re.compile(r"'([^']*)'")
_SPACES_BESIDE_CHINESE = re.compile(r"(?<=[。？」，、])\s+|\s+(?=[「（])")


def _use_chinese_messages() -> None:
    """click's own messages (usage, help headings, mistyped command lines) from the project's zh_TW catalogue.

    click translates every message through gettext, which takes the language from the environment; the
    command line of plandocs is Chinese whatever the system's language is.
    """
    os.environ["LANGUAGE"] = "zh_TW"
    gettext.bindtextdomain("click", LOCALE)
    gettext.textdomain("click")


def usage_message(error: click.UsageError) -> str:
    """click's message for a mistyped command line, its quoted names in 「」 and its last period a 。."""
    message = _QUOTED.sub(r"「\1」", error.format_message()).replace("」, 「", "」、「").replace("」,「", "」、「")
    message = _SPACES_BESIDE_CHINESE.sub("", message).strip()
    return message[:-1] + "。" if message.endswith(".") else message


class _ChineseHelp(click.HelpFormatter):
    """Help laid out as Chinese is written: no space after 用法：, full-width colons, [選項] for [OPTIONS]."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = args.replace("[OPTIONS]", "[選項]").replace("COMMAND [ARGS]...", "指令 [參數]...")
        super().write_usage(prog, args, prefix=gettext.gettext("Usage:"))

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")


class _Context(click.Context):
    formatter_class = _ChineseHelp


class _Command(click.Command):
    context_class = _Context


class _Group(_Command, click.Group):
    command_class = _Command

    def main(self, *args, **kwargs):
        """Run the command line; a usage mistake is answered in Chinese with exit code 2."""
        _use_chinese_messages()
        try:
            return super().main(*args, standalone_mode=False, **kwargs)
        except click.UsageError as error:
            click.echo(f"錯誤：{usage_message(error)}請執行「plandocs --help」查看用法。", err=True)
            sys.exit(int(ExitCode.USAGE))
        except click.Abort:
            click.echo("已中斷。", err=True)
            sys.exit(int(ExitCode.INTERRUPTED))


@click.group(cls=_Group, context_settings=CONTEXT)
# the option's help is set when this module is imported, before the catalogue is bound: given here
@click.version_option(package_name="plandocs", message="plandocs %(version)s", help="顯示版本後結束。")
def main() -> None:
    """plandocs：由計畫主檔（Excel）產生函頒計畫、附表與各單位調查表，並彙整各單位回報。"""


@main.command(context_settings=CONTEXT)
@_input_options
@_output_option
@click.option("--strict", is_flag=True, help="警告也視為錯誤。")
@click.option("--pdf", is_flag=True, help="另以 LibreOffice 產生各 Word 檔的 PDF（計畫、名冊、各單位調查表）。")
@reports_errors
def build(source, templates, output, strict, pdf) -> None:
    """檢查計畫主檔並產生所有文件。"""
    from .commands.build import build as run_build

    paths = _paths(source, templates, output)
    report = run_build(paths, strict=strict, pdf=pdf)
    _print_problems(report.problems)
    click.echo(f"完成：已於 {paths.output} 產生 {len(report.artifacts)} 個檔案"
               f"（{len(report.plan.receiving_units())} 個單位的調查表）。")
    if pdf:
        _print_problems(report.pdf_problems)
        made = sum(a.path.suffix == ".pdf" for a in report.artifacts)
        failed = report.pdfs_unmade
        click.echo(f"PDF：已產生 {made} 個" + (f"，{failed} 個未能產生（見上方說明）。" if failed else "。"))
    sys.exit(int(report.exit_code))


@main.command(context_settings=CONTEXT)
@_input_options
@click.option("--strict", is_flag=True, help="警告也視為錯誤。")
@reports_errors
def check(source, templates, strict) -> None:
    """只檢查計畫主檔與範本，不產生檔案。"""
    from .commands.check import check_all
    from .report import exit_code

    paths = _paths(source, templates, None)
    problems = check_all(paths).problems
    _print_problems(problems)
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    code = exit_code(problems, strict)
    if code:
        click.echo(f"檢查未通過：{errors} 項錯誤、{warnings} 項警告。", err=True)
    else:
        click.echo(f"檢查通過：{paths.source.name} 與範本沒有錯誤" + (f"（{warnings} 項警告）。" if warnings else "。"))
    sys.exit(int(code))


def _date_option(context, parameter, value):
    """An ROC or ISO date (107/7/5, 中華民國107年7月5日, 2018-07-05); a mistyped one is a usage error."""
    if value is None:
        return None
    from .text import parse_date

    day = parse_date(value)
    if day is None:
        raise click.BadParameter(f"日期「{value}」無法辨識；請寫成 107/7/5 或 2018-07-05。", context, parameter)
    return day


PROGRESS_BAR_FILES = 20  # fewer files are read before a bar would be worth drawing
SHOWN_PROBLEMS = 20  # the rest are in the problems sheet of the consolidated workbook


def _progress_bar(files: list[Path]):
    if len(files) < PROGRESS_BAR_FILES:
        return contextlib.nullcontext(files)
    return click.progressbar(files, label="讀取回報", file=sys.stderr)


@main.command(context_settings=CONTEXT)
@click.argument("returns", type=click.Path(path_type=Path), metavar="回報資料夾")
@_input_options
@_output_option
@click.option("--strict", is_flag=True, help="回報有任何問題即停止，不產生彙整檔案。")
@click.option("--as-of", "as_of", metavar="日期", callback=_date_option,
              help="彙整報告與催報所載的「截至」日期，例：107/7/5 或 2018-07-05（預設：今天）。")
@click.option("--pdf", is_flag=True, help="另以 LibreOffice 產生彙整報告與催報通知的 PDF。")
@reports_errors
def collect(returns, source, templates, output, strict, as_of, pdf) -> None:
    """讀取回報資料夾中各單位寄回的填報表，檢查並彙整至輸出資料夾的「回報彙整」（不會修改回報資料夾）。"""
    from .commands.collect import collect as run_collect

    paths = _paths(source, templates, output)
    report = run_collect(paths, returns, strict=strict, progress=_progress_bar, as_of=as_of, pdf=pdf)
    shown = [f.problem for f in report.problems[:SHOWN_PROBLEMS]]
    _print_problems(shown)
    if len(report.problems) > len(shown):
        click.echo(f"……另有 {len(report.problems) - len(shown)} 項問題，請見彙整活頁簿的「問題」工作表。", err=True)
    click.echo(report.summary)
    click.echo(f"完成：已於 {report.folder} 產生 {len(report.artifacts)} 個檔案。")
    _print_problems(report.pdf_problems)
    for line in report.follow_up():
        click.echo(line)
    sys.exit(int(report.exit_code))


@main.command(context_settings=CONTEXT)
@click.argument("folder", type=click.Path(path_type=Path), metavar="資料夾")
@click.option("--year", type=click.IntRange(1, 999), metavar="民國年", help="計畫年度（預設：今年）。")
@reports_errors
def new(folder, year) -> None:
    """建立新的計畫專案：計畫主檔（含各工作表、標題、下拉選單、說明與範例列）、範本與簡短說明。"""
    from .commands.new import new_project

    written = new_project(folder, year)
    for path in written:
        click.echo(f"已建立：{path}")
    click.echo(f"完成：請依 {folder / 'source' / 'plan_master.xlsx'} 的「說明」工作表填寫，再於 {folder} 執行「plandocs check」。")


@main.command(context_settings=CONTEXT)
@click.option("--source", type=click.Path(path_type=Path), metavar="檔案",
              help="今年的計畫主檔（預設：./source/plan_master.xlsx）；只讀取，不會修改。")
@click.option("--to", "target", type=click.Path(path_type=Path), metavar="檔案",
              help="明年主檔的檔名（預設：與主檔同資料夾，檔名加上新年度）；不會覆蓋已有的檔案。")
@click.option("--proposals", type=click.Path(path_type=Path), metavar="活頁簿",
              help="今年 collect 產生的回報彙整活頁簿：各單位提出的措施加入附表1，標示待審。")
@reports_errors
def rollover(source, target, proposals) -> None:
    """由今年的計畫主檔產生明年的主檔（另存新檔）。"""
    from .commands.rollover import rollover as run_rollover

    result = run_rollover(source or _paths(None, None, None).source, target, proposals)
    click.echo(f"已寫入 {result.target}（{result.year}年度）。")
    for line in result.changes:
        click.echo(f"・{line}")
    if result.review:
        click.echo("請確認：")
        for line in result.review:
            click.echo(f"・{line}")
    click.echo(f"請檢查後以「plandocs check --source {result.target}」確認。")


@main.command(context_settings=CONTEXT)
@click.option("--project", type=click.Path(path_type=Path, file_okay=False), metavar="資料夾",
              help="計畫資料夾（含 source/、templates/；預設：目前資料夾）。")
@click.option("--port", type=click.IntRange(0, 65535), default=0, metavar="號碼", help="連接埠（預設：自動選擇空閒的）。")
@click.option("--no-browser", "no_browser", is_flag=True, help="不自動開啟瀏覽器，只顯示網址。")
@reports_errors
def ui(project, port, no_browser) -> None:
    """以本機網頁操作 plandocs：檢查、產生文件、加入回報、彙整與查看結果（只在這台電腦開啟）。"""
    from .ui.server import serve

    serve(project or Path.cwd(), port, not no_browser, click.echo)
