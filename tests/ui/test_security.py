"""The page's door: no token, a foreign Host, a cross-site POST are refused; no name from the page reaches a
file outside the project folder."""
from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from helpers.project import make_project
from plandocs.ui.app import create_app
from plandocs.ui.security import FOREIGN_ORIGIN, NO_CSRF, NO_TOKEN, WRONG_HOST, Guard

PORT = 8765

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette's note that its TestClient will move to httpx2
    from starlette.testclient import TestClient


@pytest.fixture
def guard() -> Guard:
    return Guard.fresh(PORT)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    make_project(tmp_path / "project")
    return tmp_path / "project"


@pytest.fixture
def anonymous(folder: Path, guard: Guard) -> TestClient:
    """A client that has not visited the URL with the token."""
    return TestClient(create_app(folder, guard, open_file=lambda path: None), base_url=f"http://127.0.0.1:{PORT}")


@pytest.fixture
def client(anonymous: TestClient, guard: Guard) -> TestClient:
    """The user's browser: it opened the URL with the token and holds the cookie."""
    first = anonymous.get(guard.url(), follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/"
    return anonymous


def same_origin(guard: Guard) -> dict[str, str]:
    return {"origin": f"http://127.0.0.1:{PORT}", "x-csrf-token": guard.csrf_token}


def test_the_first_visit_puts_the_token_in_a_strict_http_only_cookie_and_out_of_the_address(anonymous, guard):
    first = anonymous.get(guard.url("/results"), follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/results"
    cookie = first.headers["set-cookie"]
    assert cookie.startswith(f"{guard.cookie_name}={guard.token};")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "彙整結果" in anonymous.get("/results").text


def test_a_request_without_the_token_or_with_a_wrong_one_is_refused_in_chinese(anonymous, guard):
    for response in (anonymous.get("/plan"), anonymous.get("/plan?token=guessed"),
                     anonymous.get("/files/source/plan_master.xlsx"), anonymous.get("/static/app.js")):
        assert response.status_code == 403
        assert NO_TOKEN.message in response.text
        assert guard.csrf_token not in response.text and "project" not in response.text


def test_a_foreign_host_header_is_refused_even_with_the_cookie(client):
    refused = client.get("/plan", headers={"host": f"attacker.example:{PORT}"})
    assert refused.status_code == 403 and WRONG_HOST.message in refused.text
    assert client.get("/plan", headers={"host": "127.0.0.1"}).status_code == 403  # another port's page
    assert client.get("/plan", headers={"host": f"localhost:{PORT}"}).status_code == 200


def test_a_cross_site_post_is_refused_and_starts_nothing(client, guard, folder):
    forged = client.post("/jobs/build", headers={"origin": "http://attacker.example", "x-csrf-token": guard.csrf_token})
    assert forged.status_code == 403 and FOREIGN_ORIGIN.message in forged.text
    without_origin = client.post("/jobs/build", headers={"x-csrf-token": guard.csrf_token})
    assert without_origin.status_code == 403
    without_csrf = client.post("/jobs/build", headers={"origin": f"http://127.0.0.1:{PORT}"})
    assert without_csrf.status_code == 403 and NO_CSRF.message in without_csrf.text
    assert client.get("/jobs/current").json() == {"number": 0}
    assert not (folder / "output").exists()
    started = client.post("/jobs/check", headers=same_origin(guard))
    assert started.status_code == 202 and started.json()["title"] == "檢查"


def upload(client: TestClient, guard: Guard, files: list[tuple[str, bytes]]) -> list[dict]:
    response = client.post("/returns/upload", headers=same_origin(guard), data={"first": "1"},
                           files=[("files", (name, data)) for name, data in files])
    assert response.status_code == 200, response.text
    return response.json()["stored"]


def test_an_upload_named_to_climb_out_stays_inside_the_returns_folder(client, guard, folder):
    stored = upload(client, guard, [("../x.xlsx", b"one"), ("..\\..\\y.xlsx", b"two"), ("/etc/z.xlsx", b"three"),
                                    ("分局/../../w.xlsx", b"four")])
    assert all(item["kept"] for item in stored)
    returns = folder / "returns"
    assert sorted(p.relative_to(returns).as_posix() for p in returns.rglob("*") if p.is_file()) == [
        "etc/z.xlsx", "x.xlsx", "y.xlsx", "分局/w.xlsx"]
    assert not (folder / "x.xlsx").exists() and not (folder.parent / "x.xlsx").exists()
    assert not (folder.parent / "y.xlsx").exists() and not (folder.parent / "w.xlsx").exists()
    assert (returns / "x.xlsx").read_bytes() == b"one"


def test_a_file_sent_again_is_kept_once_and_another_under_the_same_name_never_overwrites(client, guard, folder):
    first = upload(client, guard, [("信義分局.xlsx", b"first")])
    again = upload(client, guard, [("信義分局.xlsx", b"first"), ("信義分局.xlsx", b"second"),
                                   ("資料夾/信義分局.xlsx", b"third"), ("Thumbs.db", b"x"), ("報告<1>?.xlsx", b"odd")])
    assert first[0]["message"] == "已存放。"
    assert [item["message"] for item in again] == [
        "與已存放的「信義分局.xlsx」內容相同，未重複存放。", "已存放（已有同名檔案，存為「信義分局（2）.xlsx」）。",
        "已存放。", "不是回報檔案（系統檔或暫存檔），未存放。", "已存放。"]
    returns = folder / "returns"
    assert (returns / "信義分局.xlsx").read_bytes() == b"first"
    assert (returns / "信義分局（2）.xlsx").read_bytes() == b"second"
    assert (returns / "資料夾" / "信義分局.xlsx").read_bytes() == b"third"
    assert (returns / "報告＿1＿＿.xlsx").read_bytes() == b"odd"
    page = client.get("/returns").text
    assert "信義分局（2）.xlsx" in page and "回報資料夾中的檔案（4 個）" in page


def test_an_upload_over_the_limits_is_refused_before_it_is_read(client, guard, monkeypatch, folder):
    monkeypatch.setattr("plandocs.ui.app.MAX_REQUEST_BYTES", 1000)
    refused = client.post("/returns/upload", headers=same_origin(guard), files=[("files", ("a.xlsx", b"x" * 2000))])
    assert refused.status_code == 413 and "未存放" in refused.json()["message"]
    monkeypatch.setattr("plandocs.ui.app.MAX_FILES", 2)
    too_many = client.post("/returns/upload", headers=same_origin(guard),
                           files=[("files", (f"{n}.xlsx", bytes([n]))) for n in range(3)])
    assert too_many.status_code == 400 and too_many.json()["message"].startswith("一次最多加入 2 個檔案")
    monkeypatch.setattr("plandocs.ui.uploads.MAX_FILE_BYTES", 10)
    (item,) = upload(client, guard, [("big.xlsx", b"x" * 11)])
    assert not item["kept"] and "MB" in item["message"]
    assert not (folder / "returns" / "big.xlsx").exists()


@pytest.mark.parametrize("path", ["../outside.txt", "..%2Foutside.txt", "%2E%2E/outside.txt", "source/../../outside.txt",
                                  "/etc/passwd", "source"])
def test_no_download_leaves_the_project_folder(client, folder, path):
    (folder.parent / "outside.txt").write_text("secret")
    response = client.get(f"/files/{path}")
    assert response.status_code == 404 and "secret" not in response.text


def test_an_address_the_page_does_not_have_is_answered_in_chinese(client):
    missing = client.get("/nowhere")
    assert missing.status_code == 404 and "找不到此頁" in missing.text and "Not Found" not in missing.text


def test_a_download_is_the_project_file_itself(client, folder):
    response = client.get("/files/source/plan_master.xlsx")
    assert response.status_code == 200 and response.content == (folder / "source" / "plan_master.xlsx").read_bytes()
    assert response.headers["content-disposition"].startswith("attachment;")


def test_only_a_file_of_the_project_is_opened_for_editing(folder, guard):
    opened: list[Path] = []
    client = TestClient(create_app(folder, guard, open_file=opened.append), base_url=f"http://127.0.0.1:{PORT}")
    client.get(guard.url())
    (folder / "returns").mkdir(exist_ok=True)
    (folder / "returns" / "回報.bat").write_text("echo")
    answers = [client.post("/open", headers=same_origin(guard), data={"path": path})
               for path in ("../outside.txt", "returns/回報.bat", "x" * 5000 + ".xlsx", "source/plan_master.xlsx")]
    assert [answer.status_code for answer in answers] == [404, 403, 404, 200]
    assert answers[1].json()["message"] == "只開啟 Excel、Word 與 PDF 檔案；「回報.bat」請自行開啟。"
    assert opened == [(folder / "source" / "plan_master.xlsx").resolve()]


def test_a_path_longer_than_the_system_takes_is_a_missing_file_not_an_error(client):
    response = client.get("/files/" + "長" * 3000 + ".xlsx")
    assert response.status_code == 404 and "找不到此檔案" in response.text


def test_a_very_long_or_reserved_upload_name_is_stored_shortened_with_its_extension(client, guard, folder):
    stored = upload(client, guard, [("報" * 200 + ".xlsx", b"long"), ("CON .xlsx", b"device"),
                                    ("資料夾" * 60 + "/a.ods", b"deep")])
    assert all(item["kept"] for item in stored)
    names = {p.relative_to(folder / "returns").as_posix(): p.read_bytes() for p in (folder / "returns").rglob("*")
             if p.is_file()}
    long_name = next(name for name, data in names.items() if data == b"long")
    assert long_name.endswith(".xlsx") and long_name.startswith("報報") and len(long_name.encode()) <= 200
    assert names["＿CON.xlsx"] == b"device"
    deep = next(name for name, data in names.items() if data == b"deep")
    assert deep.endswith("/a.ods") and all(len(part.encode()) <= 200 for part in deep.split("/"))
