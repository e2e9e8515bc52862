"""The switch of an output set: a kill at any instant leaves the previous set or the new one, whole and as its
manifest lists it; one writer at a time; every CSV cell that a spreadsheet would run is neutralised."""
from __future__ import annotations

import csv
import hashlib
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path, PurePosixPath

import pytest

from plandocs.errors import OutputError
from plandocs.office import output
from plandocs.office.output import LOCK, MANIFEST, STAGING, Artifact, OutputSet, csv_bytes, folder_lock, recover

from helpers.project import make_project

needs_posix = pytest.mark.skipif(os.name == "nt", reason="kills with SIGKILL")
ROOT = Path(__file__).resolve().parents[2]


def files_of(folder: Path) -> dict[str, str]:
    """Every file of an output folder but its lock, by relative path, with its SHA-256."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != LOCK}


def manifest_of(folder: Path) -> dict[str, str]:
    with (folder / MANIFEST).open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    return {output.csv_value(row[0]): row[3] for row in rows}


def assert_whole(folder: Path, *sets: dict[str, str]) -> dict[str, str]:
    """The folder holds exactly one of `sets`, every file but the manifest listed in it with its digest."""
    found = files_of(folder)
    assert found in sets, sorted(found)
    listed = manifest_of(folder)
    assert {k: v for k, v in found.items() if k != MANIFEST} == listed
    return found


# A small set whose every step is killed in turn; each generation changes every file, and the second drops a
# unit and adds another, so a mix of the two shows.
_WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path, PurePosixPath
    from plandocs.office.output import Artifact, OutputSet
    generation = sys.argv[2]
    names = ["計畫.docx", "各單位/甲科/表.xlsx", "各單位/乙科/表.xlsx"] if generation == "1" else \\
            ["計畫.docx", "各單位/乙科/表.xlsx", "各單位/丙科/表.xlsx", "附表3.docx"]
    OutputSet([Artifact(PurePosixPath(n), f"{n} v{generation}".encode(), "測試", "") for n in names]).write(Path(sys.argv[1]))
""")


def write_generation(folder: Path, generation: int, fault_step: int = 0) -> int:
    environment = {**os.environ, "PLANDOCS_FAULT_STEP": str(fault_step)}
    return subprocess.run([sys.executable, "-c", _WRITER, str(folder), str(generation)], env=environment,
                          capture_output=True, timeout=60).returncode


@needs_posix
def test_a_kill_at_every_step_of_the_switch_leaves_one_whole_set(tmp_path):
    reference = tmp_path / "reference"
    assert write_generation(reference, 1) == 0
    old = files_of(reference)
    assert write_generation(reference, 2) == 0
    new = files_of(reference)
    outcomes = set()
    for step in range(1, 30):
        folder = tmp_path / f"kill-{step}"
        assert write_generation(folder, 1) == 0
        code = write_generation(folder, 2, fault_step=step)
        if code == 0:  # past the last step: the switch finished
            assert files_of(folder) == new
            break
        assert code == -signal.SIGKILL
        recover(folder)  # what the next run does first
        outcomes.add("new" if assert_whole(folder, old, new) == new else "old")
        assert not (folder / STAGING).exists()
        assert not (folder / "各單位" / "甲科").exists() or files_of(folder) == old
    else:
        pytest.fail("the switch has more steps than the test kills")
    assert outcomes == {"old", "new"}  # kills fell on both sides of the moment of the change


def build_command(paths) -> list[str]:
    return [sys.executable, "-m", "plandocs", "build", "--source", str(paths.source), "--templates",
            str(paths.templates), "--output", str(paths.output)]


@needs_posix
def test_a_build_killed_during_its_write_is_finished_or_undone_by_the_next_run(tmp_path):
    from openpyxl import load_workbook

    paths = make_project(tmp_path / "project")
    subprocess.run(build_command(paths), check=True, capture_output=True, timeout=300)
    old = files_of(paths.output)
    workbook = load_workbook(paths.source)
    workbook["計畫資料"]["B2"] = "新北市政府警察局"  # changes every output
    workbook.save(paths.source)
    files = len(old)
    states = []
    # in the middle of staging the new files, then in the middle of moving them in (past the moment of the change)
    for step in (files // 2, files + 2 + files // 2):
        killed = subprocess.run(build_command(paths), env={**os.environ, "PLANDOCS_FAULT_STEP": str(step)},
                                capture_output=True, timeout=300)
        assert killed.returncode == -signal.SIGKILL
        assert (paths.output / STAGING).is_dir()
        recover(paths.output)  # what the next run does first
        states.append(files_of(paths.output))
        assert {k: v for k, v in states[-1].items() if k != MANIFEST} == manifest_of(paths.output)
    assert states[0] == old
    assert not set(states[1].items()) & set(old.items())  # every file is the new build's...
    finished = subprocess.run(build_command(paths), capture_output=True, timeout=300)
    assert finished.returncode == 0
    assert files_of(paths.output) == states[1]  # ...as a whole build makes it, byte for byte
    assert not [p for p in paths.output.rglob("*") if p.name.startswith(".plandocs-")]


def test_leftovers_of_an_interrupted_run_of_an_earlier_version_are_removed(tmp_path):
    folder = tmp_path / "output"
    OutputSet([Artifact(PurePosixPath("各單位/甲科/表.xlsx"), b"1", "測試")]).write(folder)
    (folder / "各單位" / "甲科" / ".plandocs-abc123.old").write_bytes(b"old copy of a form")
    (folder / ".plandocs-def456.tmp").write_bytes(b"half a file")
    (folder / STAGING / "new").mkdir(parents=True)
    (folder / STAGING / "new" / "計畫.docx").write_bytes(b"staged but never switched in")
    OutputSet([Artifact(PurePosixPath("各單位/甲科/表.xlsx"), b"2", "測試")]).write(folder)
    assert sorted(files_of(folder)) == [MANIFEST, "各單位/甲科/表.xlsx"]


def test_a_second_writer_is_told_in_chinese_that_another_run_is_writing(tmp_path):
    folder = tmp_path / "output"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import sys, time
        from pathlib import Path
        from plandocs.office.output import folder_lock
        with folder_lock(Path(sys.argv[1])):
            print("locked", flush=True)
            sys.stdin.read()
    """), str(folder)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(OutputError) as raised:
            OutputSet([Artifact(PurePosixPath("計畫.docx"), b"x", "測試")]).write(folder)
        assert "另一個 plandocs" in raised.value.message and "正在寫入此輸出資料夾" in raised.value.message
        assert not (folder / "計畫.docx").exists()
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    OutputSet([Artifact(PurePosixPath("計畫.docx"), b"x", "測試")]).write(folder)  # released when it ended
    assert (folder / "計畫.docx").read_bytes() == b"x"


def test_a_lock_is_released_when_its_holder_is_killed(tmp_path):
    folder = tmp_path / "output"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import sys, time
        from pathlib import Path
        from plandocs.office.output import folder_lock
        with folder_lock(Path(sys.argv[1])):
            print("locked", flush=True)
            time.sleep(60)
    """), str(folder)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    holder.kill()
    holder.wait(timeout=30)
    with folder_lock(folder):
        pass


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_csv_cell_a_spreadsheet_would_run_is_written_as_text(start):
    data = csv_bytes(["單位"], [[f"{start}HYPERLINK(\"http://x\")"], ["保安科"]])
    import io

    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    cells = [cell for row in rows for cell in row]
    assert f"'{start}HYPERLINK(\"http://x\")" in cells
    assert "保安科" in cells


def test_the_manifest_neutralises_unit_names_and_still_finds_its_files(tmp_path):
    folder = tmp_path / "output"
    names = ["=1+1", "+886", "-科", "@SUM(A1)"]
    OutputSet([Artifact(PurePosixPath(f"{n}.xlsx"), b"x", "測試", n) for n in names]).write(folder)
    with (folder / MANIFEST).open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    assert sorted(row[2] for row in rows) == sorted("'" + n for n in names)
    assert sorted(row[0] for row in rows) == sorted(f"'{n}.xlsx" for n in names)
    OutputSet([Artifact(PurePosixPath("=1+1.xlsx"), b"x", "測試")]).write(folder)  # the other three are stale
    assert sorted(files_of(folder)) == ["=1+1.xlsx", MANIFEST]


def test_two_builds_at_once_leave_one_whole_set_and_a_loser_says_why(tmp_path):
    paths = make_project(tmp_path / "project")
    # started together: whether the second reaches its write while the first holds the lock depends on the
    # machine, and either way the folder ends whole (the lock itself is tested with a holder above)
    runs = [subprocess.Popen(build_command(paths), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    results = [(run.wait(timeout=300), run.stderr.read()) for run in runs]
    assert all(code in (0, 3) for code, _ in results), results
    for code, errors in results:
        if code == 3:
            assert "另一個 plandocs（build 或 collect）正在寫入此輸出資料夾" in errors
            assert "系統錯誤代碼" not in errors
    found = files_of(paths.output)
    assert {k: v for k, v in found.items() if k != MANIFEST} == manifest_of(paths.output)
    assert not (paths.output / STAGING).exists()


def test_build_and_collect_take_one_lock_the_output_folders(tmp_path):
    from helpers.project import make_project
    from helpers.returns_factory import filled
    from plandocs.commands.build import build
    from plandocs.commands.collect import collect

    paths = make_project(tmp_path / "project")
    build(paths)
    returns = tmp_path / "returns"
    filled(paths.output, "中山分局").save(returns / "中山分局_回報.xlsx")
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import sys
        from pathlib import Path
        from plandocs.office.output import folder_lock
        with folder_lock(Path(sys.argv[1])):
            print("locked", flush=True)
            sys.stdin.read()
    """), str(paths.output)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"  # as a build writing output/ holds it
        with pytest.raises(OutputError) as raised:
            collect(paths, returns)
        assert "另一個 plandocs（build 或 collect）正在寫入此輸出資料夾" in raised.value.message
        assert not (paths.output / "回報彙整").exists()
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert collect(paths, returns).written  # released when the holder ended
