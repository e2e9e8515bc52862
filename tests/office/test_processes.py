"""Interrupted runs: LibreOffice ends with plandocs however plandocs ends, Ctrl+C prints no traceback from any
process, and no temporary file holding users' content stays behind."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from helpers.project import make_project
from helpers.returns_factory import filled
from plandocs.office import output

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX signals and a stand-in soffice script")
BIN = Path(sys.executable).parent

# Starts a grandchild as LibreOffice's launcher starts soffice.bin, notes both, and hangs.
HANGING_SOFFICE = textwrap.dedent('''\
    #!{python}
    import pathlib, subprocess, sys, time
    child = subprocess.Popen(["sleep", "120"])
    pathlib.Path({pids!r}).write_text(f"{{child.pid}} " + str(__import__("os").getpid()))
    time.sleep(120)
''')


def hanging_soffice(folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    script, pids = folder / "soffice", folder / "pids"
    script.write_text(HANGING_SOFFICE.format(python=sys.executable, pids=str(pids)))
    script.chmod(0o755)
    return script, pids


def wait_for(path: Path, seconds: float = 120) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.is_file() and path.read_text().strip():
            return path.read_text()
        time.sleep(0.05)
    raise AssertionError(f"{path} never appeared")


def ended(pid: int) -> bool:
    """True once the process is gone or a zombie (an orphan nobody reaps in a container); patient, since a
    loaded machine running the suite on every core may take seconds to deliver a signal's end."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if "\nState:\tZ" in Path(f"/proc/{pid}/status").read_text():
                return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def work_folders(temporary: Path) -> list[str]:
    return sorted(p.name for p in temporary.iterdir() if p.name.startswith(output.WORK_PREFIXES))


_CONVERT = textwrap.dedent("""
    import sys, datetime as dt
    from pathlib import Path
    from plandocs.office.pdf import Document, convert_to_pdf
    convert_to_pdf([Document("a.docx", b"docx")], dt.datetime(2018, 1, 1), soffice=Path(sys.argv[1]), timeout=300)
""")


def test_libreoffice_and_its_child_end_when_plandocs_is_killed_and_the_next_run_removes_the_folder(tmp_path,
                                                                                                  monkeypatch):
    script, pids = hanging_soffice(tmp_path / "fake")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    converting = subprocess.Popen([sys.executable, "-c", _CONVERT, str(script)], env={**os.environ, "TMPDIR": str(temporary)})
    child, launcher = (int(pid) for pid in wait_for(pids).split())
    converting.kill()
    converting.wait(timeout=30)
    assert ended(launcher) and ended(child)
    assert len(work_folders(temporary)) == 1  # a run killed outright cannot remove its folder...
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    output.remove_stale_work_folders()  # ...the next run does, first
    assert work_folders(temporary) == []


def test_a_work_folder_in_use_is_not_removed_by_another_run(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import sys
        from plandocs.office.output import work_folder
        with work_folder("plandocs-pdf-") as folder:
            (folder / "in.docx").write_bytes(b"content")
            print(folder, flush=True)
            sys.stdin.read()
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env={**os.environ, "TMPDIR": str(tmp_path)})
    folder = Path(holder.stdout.readline().strip())
    output.remove_stale_work_folders()
    assert (folder / "in.docx").read_bytes() == b"content"
    holder.stdin.close()
    holder.wait(timeout=30)
    assert not folder.exists()  # its own run removed it


def test_sigterm_during_build_pdf_ends_libreoffice_quietly_and_leaves_no_temporary_folder(tmp_path):
    paths = make_project(tmp_path / "project")
    script, pids = hanging_soffice(tmp_path / "fake")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    environment = {**os.environ, "TMPDIR": str(temporary), "PATH": f"{script.parent}{os.pathsep}{os.environ['PATH']}"}
    build = subprocess.Popen([str(BIN / "plandocs"), "build", "--pdf"], cwd=paths.source.parent.parent, env=environment,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    child, launcher = (int(pid) for pid in wait_for(pids).split())
    build.send_signal(signal.SIGTERM)
    _, errors = build.communicate(timeout=60)
    assert build.returncode == 130
    assert "已中斷" in errors and "Traceback" not in errors
    assert ended(launcher) and ended(child)
    assert list(temporary.iterdir()) == []
    assert not paths.output.exists()  # nothing was written: the conversion comes before the write


def test_ctrl_c_during_a_collect_with_workers_prints_no_traceback_and_leaves_no_temporary_file(
        shipped_build, shipped_output, tmp_path):
    project = shipped_build.written[0].parents[1]
    returns = tmp_path / "回報"
    returns.mkdir()
    form = tmp_path / "form.xlsx"
    filled(shipped_output, "保安科").save(form)
    for number in range(200):  # enough for worker processes, and for a while of reading
        shutil.copy(form, returns / f"保安科_{number:03d}.xlsx")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    collect = subprocess.Popen(
        [str(BIN / "plandocs"), "collect", str(returns), "--source", str(project / "source" / "plan_master.xlsx"),
         "--templates", str(project / "templates"), "--output", str(tmp_path / "out")],
        env={**os.environ, "TMPDIR": str(temporary)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    deadline = time.monotonic() + 120
    while not children(collect.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = children(collect.pid)
    assert workers
    time.sleep(0.5)
    os.killpg(collect.pid, signal.SIGINT)  # what the console does on Ctrl+C: every process of the group
    _, errors = collect.communicate(timeout=120)
    assert collect.returncode == 130, errors
    assert "Traceback" not in errors and "KeyboardInterrupt" not in errors
    assert errors.strip().endswith("已中斷，未完成的輸出沒有寫入。")
    assert all(ended(pid) for pid in workers)
    assert list(temporary.iterdir()) == []
    assert not (tmp_path / "out").exists()


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with open(task / "children") as handle:
            found += [int(p) for p in handle.read().split()]
    return found


# Ctrl+C at a chosen instant of a command's start, made certain: the import or call named raises
# KeyboardInterrupt, as the console's signal arriving at that moment does.
_INTERRUPT_AT = textwrap.dedent("""
    import builtins, sys
    where = sys.argv.pop(1)
    real_import = builtins.__import__

    def interrupting_import(name, *args, **kwargs):
        if name == where:
            raise KeyboardInterrupt
        return real_import(name, *args, **kwargs)

    builtins.__import__ = interrupting_import
    if where == "parsing":
        import plandocs.cli
        plandocs.cli._use_chinese_messages = lambda: (_ for _ in ()).throw(KeyboardInterrupt())
    sys.argv[0] = "plandocs"
    from plandocs.__main__ import run
    run()
""")


@pytest.mark.parametrize("where", ["cli", "click", "gettext", "difflib", "parsing"])
def test_ctrl_c_in_the_first_instant_of_a_command_prints_no_traceback(where, tmp_path):
    started = subprocess.run([sys.executable, "-c", _INTERRUPT_AT, where, "check"], cwd=tmp_path,
                             capture_output=True, text=True, timeout=60)
    assert "Traceback" not in started.stderr and "KeyboardInterrupt" not in started.stderr
    assert started.returncode == 130
    assert started.stderr.strip().endswith("已中斷，未完成的輸出沒有寫入。")
