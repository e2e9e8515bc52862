"""Shared fixtures: a throw-away copy of the project, a way to edit its master, and one shared build."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from helpers.project import make_project
from plandocs.commands.build import BuildReport, build
from plandocs.paths import Paths

@pytest.fixture
def project(tmp_path: Path) -> Paths:
    return make_project(tmp_path / "project")


EditMaster = Callable[..., None]


@pytest.fixture
def edit_master(project: Paths) -> EditMaster:
    """edit_master({"附表1": {"E2": "text"}}) or edit_master(callback) where callback(workbook) edits freely."""

    def edit(changes) -> None:
        workbook = load_workbook(project.source)
        if callable(changes):
            changes(workbook)
        else:
            for sheet, cells in changes.items():
                for ref, value in cells.items():
                    workbook[sheet][ref] = value
        workbook.save(project.source)

    return edit


@pytest.fixture(scope="session")
def shipped_build(tmp_path_factory) -> BuildReport:
    """The shipped master built once for every test that only reads the outputs."""
    paths = make_project(tmp_path_factory.mktemp("shipped") / "project")
    return build(paths)


@pytest.fixture(scope="session")
def shipped_output(shipped_build: BuildReport) -> Path:
    return shipped_build.written[0].parents[len(shipped_build.artifacts[0].path.parts) - 1]


@pytest.fixture(scope="session")
def office(tmp_path_factory):
    """LibreOffice as the units' office suite, started once for the session; the test skips without it."""
    from helpers.libreoffice import Office, unavailable

    reason = unavailable()
    if reason:
        pytest.skip(reason)
    started = Office(tmp_path_factory.mktemp("libreoffice"))
    yield started
    started.stop()
