"""One job at a time per project: a second is answered at once with what runs; a failure is told, never raised."""
from __future__ import annotations

import threading
import time

import pytest

from plandocs.errors import ExitCode, InputError, Location, Problem, ValidationFailed
from plandocs.office.output import folder_lock
from plandocs.report import INTERNAL_ERROR
from plandocs.ui.jobs import Busy, Runner


def finished(job):
    deadline = time.monotonic() + 10
    while not job.finished and time.monotonic() < deadline:
        time.sleep(0.01)
    return job


def test_a_second_job_while_one_runs_is_refused_with_what_runs():
    runner, release = Runner(), threading.Event()
    first = runner.start("build", "產生文件", "plan", lambda job: release.wait(10))
    with pytest.raises(Busy) as refused:
        runner.start("check", "檢查", "plan", lambda job: [])
    assert refused.value.message == "目前正在執行「產生文件」，一個計畫一次只能執行一項工作；請等它完成後再「檢查」。"
    with pytest.raises(Busy):
        with runner.holding("加入回報"):
            pass
    release.set()
    finished(first)
    assert finished(runner.start("check", "檢查", "plan", lambda job: ["done"])).result == ["done"]


def test_a_plandocs_writing_the_output_folder_from_a_console_is_told_before_the_job_starts(tmp_path):
    runner = Runner()
    with folder_lock(tmp_path):  # as a `plandocs build` in a console holds it
        with pytest.raises(Exception) as refused:
            runner.start("build", "產生文件", "plan", lambda job: None, output_lock=tmp_path)
    assert "另一個 plandocs（build 或 collect）正在寫入此輸出資料夾" in str(refused.value)
    assert finished(runner.start("build", "產生文件", "plan", lambda job: "built", output_lock=tmp_path)).result == "built"


def test_a_failure_is_kept_for_the_page_with_its_problems_and_a_bug_without_its_details(capsys):
    runner = Runner()
    problem = Problem("此欄不可空白。", Location(file="plan_master.xlsx", sheet="計畫資料", row=2, column="B"))

    def invalid(job):
        raise ValidationFailed([problem])

    stopped = finished(runner.start("build", "產生文件", "plan", invalid)).failure
    assert stopped.problems == [problem] and stopped.message.startswith("發現 1 項錯誤，未產生任何檔案。")

    def missing(job):
        raise InputError("找不到計畫主檔。", Location(file="plan_master.xlsx"))

    assert finished(runner.start("check", "檢查", "plan", missing)).failure.message == "錯誤：plan_master.xlsx：找不到計畫主檔。"

    def bug(job):
        raise ZeroDivisionError

    failure = finished(runner.start("check", "檢查", "plan", bug)).failure
    assert failure.message == INTERNAL_ERROR and failure.exit_code is ExitCode.INTERNAL
    assert "ZeroDivisionError" in capsys.readouterr().err  # in the console, for a maintainer; not on the page


def test_collect_moves_the_bar_file_by_file():
    runner, seen = Runner(), []

    def read(job):
        with job.counted(["a", "b", "c"]) as each:
            for item in each:
                seen.append((item, job.done, job.total))
        return job.done

    assert finished(runner.start("collect", "彙整", "results", read)).result == 3
    assert seen == [("a", 0, 3), ("b", 1, 3), ("c", 2, 3)]
