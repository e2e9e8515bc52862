"""A build that fails leaves the previous outputs byte for byte; the master and templates are never written to."""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import load_workbook

from plandocs.office import output
from plandocs.commands.build import Paths, build
from plandocs.cli import main
from plandocs.errors import ExitCode, OutputError, PlandocsError

from helpers.project import make_project


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file under a folder, by relative path, with the SHA-256 of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Paths:
    """The shipped project built once; each test works on its own copy."""
    paths = make_project(tmp_path_factory.mktemp("atomic") / "project")
    build(paths)
    return paths


@pytest.fixture
def copy(built: Paths, tmp_path: Path) -> Paths:
    shutil.copytree(built.source.parent.parent, tmp_path / "project")
    return Paths.under(tmp_path / "project")


def inputs(paths: Paths) -> dict[str, str]:
    return fingerprint(paths.source.parent) | {f"templates/{k}": v for k, v in fingerprint(paths.templates).items()}


def change_agency(paths: Paths) -> None:
    """A valid edit that changes every output, so a half-written build would show."""
    workbook = load_workbook(paths.source)
    workbook["計畫資料"]["B2"] = "新北市政府警察局"
    workbook.save(paths.source)


def break_template(paths: Paths) -> None:
    document = Document(paths.templates / "roster.docx")
    paragraph = next(p for p in document.paragraphs if p.text == "{{ roster_title }}")
    paragraph.runs[-1].text = "{{ roster_title }"
    document.save(paths.templates / "roster.docx")


def test_the_build_writes_every_output(built: Paths) -> None:
    files = fingerprint(built.output)
    assert "manifest.csv" in files
    assert sum(name.endswith(".docx") for name in files) >= 3


def test_a_template_error_leaves_previous_outputs(copy: Paths) -> None:
    before = fingerprint(copy.output)
    change_agency(copy)
    break_template(copy)
    with pytest.raises(PlandocsError):
        build(copy)
    assert fingerprint(copy.output) == before


def test_a_master_error_leaves_previous_outputs(copy: Paths) -> None:
    before = fingerprint(copy.output)
    workbook = load_workbook(copy.source)
    workbook["附表1"]["J2"] = "保安課"
    workbook.save(copy.source)
    result = CliRunner().invoke(main, ["build", "--source", str(copy.source), "--templates", str(copy.templates),
                                       "--output", str(copy.output)])
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "未產生任何檔案" in result.output
    assert fingerprint(copy.output) == before


def fail_on_call(number: int):
    """An os.replace that fails the number-th time, as Windows does for a file open in Word."""
    calls = {"count": 0}
    real = os.replace

    def replace(source, target):
        calls["count"] += 1
        if calls["count"] == number:
            raise PermissionError(13, "The process cannot access the file", str(target))
        return real(source, target)

    return replace


def test_a_write_failing_midway_leaves_previous_outputs(copy: Paths, monkeypatch) -> None:
    before = fingerprint(copy.output)
    change_agency(copy)
    monkeypatch.setattr(output.os, "replace", fail_on_call(10))
    with pytest.raises(OutputError):
        build(copy)
    assert fingerprint(copy.output) == before


def test_a_failed_write_leaves_no_temporary_files(copy: Paths, monkeypatch) -> None:
    change_agency(copy)
    monkeypatch.setattr(output.os, "replace", fail_on_call(10))
    with pytest.raises(OutputError):
        build(copy)
    assert not [p for p in copy.output.rglob("*") if p.name.startswith(".plandocs-")]


def test_a_file_open_in_word_exits_with_cannot_write(copy: Paths, monkeypatch) -> None:
    monkeypatch.setattr(output.os, "replace", fail_on_call(1))
    result = CliRunner().invoke(main, ["build", "--source", str(copy.source), "--templates", str(copy.templates),
                                       "--output", str(copy.output)])
    assert result.exit_code == ExitCode.CANNOT_WRITE
    assert "無法寫入檔案：檔案可能正由 Word 或 Excel 開啟" in result.output
    assert "Traceback" not in result.output


def test_master_and_templates_are_never_written(copy: Paths, monkeypatch) -> None:
    before = inputs(copy)
    runner = CliRunner()
    inputs_options = ["--source", str(copy.source), "--templates", str(copy.templates)]
    options = [*inputs_options, "--output", str(copy.output)]
    assert runner.invoke(main, ["check", *inputs_options]).exit_code == ExitCode.OK
    assert runner.invoke(main, ["build", *options]).exit_code == ExitCode.OK
    monkeypatch.setattr(output.os, "replace", fail_on_call(3))
    assert runner.invoke(main, ["build", *options]).exit_code == ExitCode.CANNOT_WRITE
    assert inputs(copy) == before


def test_a_broken_template_is_not_touched_either(copy: Paths) -> None:
    break_template(copy)
    before = inputs(copy)
    with pytest.raises(PlandocsError):
        build(copy)
    assert inputs(copy) == before
