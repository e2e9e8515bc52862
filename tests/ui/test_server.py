"""`plandocs ui` as the user starts it: the URL on the first line, the page at once, Ctrl+C ending it cleanly."""
from __future__ import annotations

import http.cookiejar
import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from helpers.project import make_project

READY_SECONDS = 3  # about 0.3 s on an idle machine; the bound leaves room for a loaded test run


@pytest.mark.skipif(os.name == "nt", reason="Ctrl+C is sent as SIGINT")
def test_the_page_is_ready_at_once_and_ctrl_c_ends_it_cleanly(tmp_path):
    make_project(tmp_path / "project")
    started = time.monotonic()
    server = subprocess.Popen([sys.executable, "-m", "plandocs", "ui", "--no-browser", "--project", str(tmp_path / "project")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        url = server.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and "?token=" in url
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        with browser.open(url, timeout=READY_SECONDS) as answer:
            page = answer.read().decode("utf-8")
        assert time.monotonic() - started < READY_SECONDS
        assert answer.url.endswith("/plan") and "<h1>計畫</h1>" in page
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=20)
    assert server.returncode == 0, err
    assert out.splitlines()[-1] == "plandocs 網頁已結束。"
    assert "Traceback" not in err


def test_starting_the_page_loads_none_of_the_document_libraries():
    code = ("import sys\nimport plandocs.ui.server, plandocs.ui.app\n"
            "print(sorted(m for m in ('docxtpl', 'docx', 'openpyxl', 'xlsxwriter', 'lxml') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"  # they load with the first job, not before the page is ready


def test_a_port_in_use_is_told_in_chinese(tmp_path):
    from click.testing import CliRunner

    from plandocs.cli import main
    from plandocs.ui.server import listening_socket

    taken = listening_socket(0)
    try:
        result = CliRunner().invoke(main, ["ui", "--no-browser", "--project", str(tmp_path), "--port",
                                           str(taken.getsockname()[1])])
    finally:
        taken.close()
    assert result.exit_code == 3
    assert "已被其他程式使用；請以 --port 指定其他號碼" in result.output and "Traceback" not in result.output
