"""The command line as a user meets it: messages in zh-TW, exit codes, no tracebacks, a light start-up."""
from __future__ import annotations

import os
import runpy
import subprocess
import sys

import pytest
from click.testing import CliRunner

from helpers.project import ROOT
from plandocs.cli import main
from plandocs.commands import build as build_module
from plandocs.errors import ExitCode


@pytest.fixture
def in_project(project, monkeypatch):
    monkeypatch.chdir(project.source.parent.parent)
    return project


# the web stack of `plandocs ui` among them: only that command loads it
HEAVY_MODULES = ("docxtpl", "docx", "openpyxl", "xlsxwriter", "jinja2", "lxml", "defusedxml", "docxcompose", "pandas",
                 "starlette", "uvicorn", "multipart", "python_multipart", "anyio", "plandocs.ui")


@pytest.mark.parametrize("arguments", [["--help"], ["build", "--help"], ["ui", "--help"]])
def test_help_loads_none_of_the_heavy_libraries(arguments):
    code = ("import sys\nfrom plandocs.cli import main\n"
            f"try:\n    main({arguments!r})\nexcept SystemExit:\n    pass\n"
            f"print('LOADED', sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "用法：" in result.stdout
    assert result.stdout.strip().endswith("LOADED []")


def test_importing_the_commands_loads_none_of_the_writers():
    code = ("import sys\nimport plandocs.commands.check, plandocs.commands.build, plandocs.commands.collect\n"
            f"print(sorted(m for m in {HEAVY_MODULES!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "['defusedxml']"  # the guarded workbook reader's parser, and nothing heavier


def test_the_message_catalogue_is_compiled_from_its_source():
    compiler = runpy.run_path(str(ROOT / "scripts" / "compile_messages.py"))
    for po in (ROOT / "src" / "plandocs" / "locale").glob("*/LC_MESSAGES/*.po"):
        entries = compiler["parse_po"](po.read_text(encoding="utf-8"))
        assert entries["Usage:"] == "用法："
        assert po.with_suffix(".mo").read_bytes() == compiler["mo_bytes"](entries), "run scripts/compile_messages.py"


def test_every_command_has_help_text():
    for name, command in main.commands.items():
        assert command.help, name
        result = CliRunner().invoke(main, [name, "--help"])
        assert result.exit_code == 0 and command.help.splitlines()[0] in result.output


def test_build_in_a_project_folder_writes_the_outputs_and_says_so(in_project):
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == ExitCode.OK, result.output
    assert "完成" in result.output and "38 個單位" in result.output
    assert (in_project.output / "臺北市政府警察局107年度提升服務品質執行計畫.docx").is_file()


def test_options_override_each_folder(project, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    result = CliRunner().invoke(main, ["build", "--source", str(project.source), "--templates", str(project.templates),
                                       "--output", str(elsewhere)])
    assert result.exit_code == ExitCode.OK, result.output
    assert (elsewhere / "manifest.csv").is_file()
    assert not project.output.exists()


def test_an_invalid_master_is_reported_with_its_place_and_nothing_is_written(in_project, edit_master):
    edit_master({"附表1": {"H2": "犯防課"}})
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "plan_master.xlsx 工作表「附表1」 第 2 列 H 欄（承辦單位1）" in result.output
    assert "「犯防課」不是「單位」工作表中的單位、別名或群組" in result.output and "犯防科" in result.output
    assert "Traceback" not in result.output
    assert not in_project.output.exists()


def test_a_missing_master_names_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "找不到計畫主檔" in result.output and "plan_master.xlsx" in result.output


def test_a_bug_shows_no_traceback_unless_asked(in_project, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(build_module, "build", broken)
    quiet = CliRunner().invoke(main, ["build"])
    assert quiet.exit_code == ExitCode.INTERNAL
    assert "內部錯誤" in quiet.output and "Traceback" not in quiet.output
    loud = CliRunner().invoke(main, ["build", "--traceback"])
    assert loud.exit_code == ExitCode.INTERNAL and "RuntimeError: boom" in loud.output


def test_check_gives_a_clean_bill_for_the_shipped_master(in_project):
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == ExitCode.OK, result.output
    assert "檢查通過" in result.output


@pytest.mark.skipif(os.name == "nt", reason="console script path differs on Windows")
def test_console_script_is_installed():
    result = subprocess.run(["plandocs", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("plandocs ")


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [(["bild"], "沒有「bild」這個指令。是否為「build」？"),
     (["build", "--sourc", "x"], "沒有「--sourc」這個選項。是否為「--source」"),
     (["build", "--source"], "選項「--source」後面需要填寫 1 個值。"),
     (["collect"], "缺少參數「回報資料夾」。")],
)
def test_a_mistyped_command_line_is_answered_in_chinese(arguments, expected):
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == ExitCode.USAGE
    assert expected in result.output and "Error" not in result.output and "Usage" not in result.output


def test_help_is_in_chinese():
    result = CliRunner().invoke(main, ["build", "--help"], prog_name="plandocs")
    assert result.output.startswith("用法：plandocs build [選項]")
    assert "選項：" in result.output and "顯示本說明後結束。" in result.output
    assert "Show this message" not in result.output and "Options" not in result.output
