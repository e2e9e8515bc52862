"""Shared fixtures: a throw-away copy of the project, a way to edit its master, and one shared build."""
from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from plandocs.build import BuildReport, Paths, build

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_MASTER = ROOT / "source" / "plan_master.xlsx"
SHIPPED_TEMPLATES = ROOT / "templates"


def make_project(folder: Path) -> Paths:
    """A project folder with copies of the shipped master and templates; the originals are never touched."""
    (folder / "source").mkdir(parents=True)
    shutil.copy(SHIPPED_MASTER, folder / "source" / "plan_master.xlsx")
    shutil.copytree(SHIPPED_TEMPLATES, folder / "templates")
    return Paths.under(folder)


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
