"""The forms of the page: what is typed is read as the commands read their options, and a mistake is told at once."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from helpers.project import make_project
from plandocs.errors import InputError
from plandocs.ui.actions import ACTIONS, typed_date, typed_year
from plandocs.ui.project import Project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    make_project(tmp_path / "project")
    return Project.at(tmp_path / "project")


def test_the_as_of_date_is_read_as_collect_reads_it():
    assert typed_date("2018-07-05") == typed_date("107/7/5") == dt.date(2018, 7, 5)
    assert typed_date("") is None
    with pytest.raises(InputError, match="日期「7月底」無法辨識；請寫成 107/7/5 或 2018-07-05。"):
        typed_date("7月底")


def test_the_year_of_a_new_project_is_an_roc_year():
    assert typed_year("108") == 108 and typed_year("") is None
    for typed in ("2019", "一〇八", "-1"):
        with pytest.raises(InputError, match="請填民國年"):
            typed_year(typed)


def test_collect_without_returns_and_proposals_without_a_collect_are_told_before_any_work(project):
    with pytest.raises(InputError, match="回報資料夾還沒有檔案"):
        ACTIONS["collect"].prepare(project, {})
    with pytest.raises(InputError, match="尚未彙整回報"):
        ACTIONS["rollover"].prepare(project, {"proposals": "on"})


def test_a_new_project_and_next_years_master_are_written_inside_the_project_folder(project):
    work, _ = ACTIONS["new"].prepare(project, {"folder": "../../別的機關", "year": "108"})
    written = work(None)
    assert written[0] == project.folder / "別的機關" / "source" / "plan_master.xlsx"
    work, _ = ACTIONS["rollover"].prepare(project, {"target": "../../明年"})
    result = work(None)
    assert result.target == project.folder / "source" / "明年.xlsx" and result.year == 108
