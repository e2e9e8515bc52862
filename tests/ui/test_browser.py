"""A staff officer's whole year on the page, in a real Chromium driven by Playwright: the master's problems
found and fixed, the documents built and the circular downloaded, the units' returns of several kinds dropped in,
collected, the ledger filtered to 內容不全, a 補正 workbook and a 催報 draft downloaded and read.

Each view is photographed at 1366×768 and at 1920×1080, as a screen shows it, and whole at 1366 wide; with
PLANDOCS_UI_SCREENSHOTS=docs/ui the pictures at 1366×768 are written where the README shows them, the others
stay in the test's temporary folder."""
from __future__ import annotations

import email
import os
import warnings
from dataclasses import dataclass
from email import policy
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook

from helpers.ods import ods_bytes
from helpers.project import ROOT, make_project
from helpers.returns_factory import filled
from helpers.scenario import COMPLETE, INCOMPLETE, WRONG, make_returns
from plandocs.returns.corrections import CORRECTION_SHEET

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package: `playwright install` would need the internet
LAUNCH_ARGUMENTS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                    "--no-first-run", "--disable-sync"]
SIZES = {"1366": (1366, 768), "1920": (1920, 1080)}
EMAILS = {INCOMPLETE: "xinyi@police.gov.tw", WRONG: "daan@police.gov.tw"}
WORD_UNIT = "中山分局"  # returns its 附表2 as a Word document
ODS_UNIT = "大同分局"  # returns an .ods of its own making
FOLDER_UNIT, SECOND_BATCH = "士林分局", "第二批"  # returns late, in a folder of its own
TITLE = "臺北市政府警察局107年度提升服務品質執行計畫"
FOLDER = "107年提升服務品質執行計畫"  # the project folder, as the pictures show its name


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); the page's browser test needs it")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (the test extra)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGUMENTS)
        yield launched
        launched.close()


@dataclass(frozen=True)
class Pictures:
    readme: Path  # the 1366×768 pictures
    others: Path


@pytest.fixture
def pictures(tmp_path: Path) -> Pictures:
    chosen = os.environ.get("PLANDOCS_UI_SCREENSHOTS")
    found = Pictures(ROOT / chosen if chosen else tmp_path / "pictures", tmp_path / "other_pictures")
    for folder in (found.readme, found.others):
        folder.mkdir(parents=True, exist_ok=True)
    return found


def photograph(page, pictures: Pictures, name: str) -> None:
    """The view as a 1366×768 and a 1920×1080 screen show it, and the whole page at 1366 wide."""
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=(pictures.readme / f"{name}.png") if size == "1366" else pictures.others / f"{name}-{size}.png")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.screenshot(path=pictures.others / f"{name}-whole.png", full_page=True)


def with_emails_and_a_mistake(source: Path) -> object:
    """Give two units an e-mail address (so that 催報 drafts are written) and type a unit that does not exist;
    return the value typed over, to put back as the officer would."""
    workbook = load_workbook(source)
    units = workbook["單位"]
    column = next(c.column for c in units[1] if c.value == "電子郵件")
    for row in range(2, units.max_row + 1):
        units.cell(row, column).value = EMAILS.get(units.cell(row, 1).value)
    typed_over = workbook["附表1"]["H2"].value
    workbook["附表1"]["H2"] = "犯防課"
    workbook.save(source)
    return typed_over


def put_back(source: Path, value: object) -> None:
    workbook = load_workbook(source)
    workbook["附表1"]["H2"] = value
    workbook.save(source)


def returns_of_several_kinds(output: Path, folder: Path) -> list[Path]:
    """The scenario's workbooks and PDF, a Word form, an .ods and one workbook sent twice under another name."""
    make_returns(output, folder)
    (form,) = (output / "各單位" / WORD_UNIT).glob("*.docx")
    document = docx.Document(form)
    row = document.tables[0].rows[1]
    row.cells[2].paragraphs[0].text, row.cells[3].paragraphs[0].text = "設置服務台", "一樓設置服務台"
    document.save(folder / f"{WORD_UNIT}_附表2.docx")
    (folder / f"{ODS_UNIT}_調查表.ods").write_bytes(ods_bytes(
        "<table:table-row><table:table-cell><text:p>措施</text:p></table:table-cell></table:table-row>"))
    (folder / f"{COMPLETE}（再寄一次）.xlsx").write_bytes((folder / f"{COMPLETE}.xlsx").read_bytes())
    return sorted(folder.iterdir())


def open_download(page, link) -> Path:
    with page.expect_download() as caught:
        link.click()
    download = caught.value
    target = Path(download.path()).with_name(download.suggested_filename)
    download.save_as(target)
    return target


def test_a_whole_year_on_the_page(browser, serve, tmp_path, pictures):
    folder = tmp_path / FOLDER
    project = make_project(folder)
    typed_over = with_emails_and_a_mistake(project.source)
    served = serve(folder)
    page = browser.new_page(viewport={"width": 1366, "height": 768}, accept_downloads=True, locale="zh-TW")

    page.goto(served.url)
    assert page.url == f"{served.origin}/plan"  # the token is in the cookie now, not in the address
    assert page.locator("h1").inner_text() == "計畫"

    # 檢查: the mistake in the master, where it is and how to fix it
    page.get_by_role("button", name="檢查").click()
    page.wait_for_selector("#check-result")
    result = page.locator("#check-result")
    assert "檢查未通過：1 項錯誤" in result.inner_text()
    cells = [c.inner_text() for c in result.locator("tbody tr").first.locator("td").all()]
    assert cells[:5] == ["錯誤", "plan_master.xlsx", "附表1", "2", "H（承辦單位1）"]
    assert "「犯防課」不是「單位」工作表中的單位" in cells[5]
    assert cells[6] == "在 Excel 開啟 plan_master.xlsx，到工作表「附表1」的 H2 儲存格（承辦單位1）修改。"
    photograph(page, pictures, "plan-check")
    result.get_by_role("link", name=cells[6]).click()
    page.wait_for_selector("#message:not([hidden])")
    assert served.opened == [project.source.resolve()]
    assert "修改並儲存後，再按「檢查」" in page.locator("#message").inner_text()

    # the officer fixes it in Excel; 產生文件 builds, and the circular comes down as the master titles it
    put_back(project.source, typed_over)
    page.get_by_role("button", name="產生文件").click()
    page.wait_for_selector("#outputs")
    assert "產生完成：已產生" in page.locator("#check-result").inner_text()
    circular = open_download(page, page.get_by_role("link", name=f"{TITLE}.docx"))
    assert docx.Document(circular).paragraphs[0].text == TITLE
    photograph(page, pictures, "plan")

    # 回報: returns of several kinds, the same workbook twice
    page.get_by_role("link", name="回報", exact=True).click()
    sent = returns_of_several_kinds(project.output, tmp_path / "from_units")
    with page.expect_event("load"):
        page.set_input_files("#file-input", [str(p) for p in sent])
    uploaded = page.locator("#uploaded").inner_text()
    assert f"存放 {len(sent) - 1} 個，未存放 1 個" in uploaded
    assert f"與已存放的「{COMPLETE}.xlsx」內容相同，未重複存放。" in uploaded
    stored = sorted(p.name for p in (folder / "returns").iterdir())
    assert stored == sorted(p.name for p in sent if "再寄一次" not in p.name)
    assert f"回報資料夾中的檔案（{len(sent) - 1} 個）" in page.locator("#returns-list").inner_text()
    photograph(page, pictures, "returns")

    # a whole folder, through the folder picker: its subfolder is kept in the returns folder
    batch = tmp_path / "second" / SECOND_BATCH
    filled(project.output, FOLDER_UNIT).save(batch / f"{FOLDER_UNIT}.xlsx")
    with page.expect_event("load"):  # the page shows what became of the files once all are sent
        page.set_input_files("#folder-input", str(batch))
    assert page.locator("#uploaded tbody tr").inner_text().split("\t") == [
        f"{SECOND_BATCH}/{FOLDER_UNIT}.xlsx", "已存放。", f"{SECOND_BATCH}/{FOLDER_UNIT}.xlsx"]
    assert (folder / "returns" / SECOND_BATCH / f"{FOLDER_UNIT}.xlsx").is_file()

    # a file dropped on the page: the same workbook again is kept once
    dropped = page.evaluate_handle("""bytes => { const dropped = new DataTransfer();
        dropped.items.add(new File([new Uint8Array(bytes)], "拖曳的檔案.xlsx"));
        return dropped; }""", list((batch / f"{FOLDER_UNIT}.xlsx").read_bytes()))
    with page.expect_event("load"):
        page.locator("#drop-zone").dispatch_event("drop", {"dataTransfer": dropped})
    assert page.locator("#uploaded tbody tr").inner_text().split("\t")[:2] == [
        "拖曳的檔案.xlsx", f"與已存放的「{SECOND_BATCH}/{FOLDER_UNIT}.xlsx」內容相同，未重複存放。"]

    # an empty folder dropped: nothing is sent, and the page says why
    page.locator("#drop-zone").dispatch_event("drop", {"dataTransfer": page.evaluate_handle("new DataTransfer()")})
    assert page.locator("#message").inner_text().startswith("沒有可加入的檔案：拖放的資料夾是空的。")

    # 彙整 as of 107/7/5: the ledger, the chart, the documents
    page.fill("input[name=as_of]", "2018-07-05")
    page.get_by_role("button", name="彙整").click()
    page.wait_for_selector("#ledger")
    assert "截至107年7月5日" in page.locator("h1").inner_text()
    assert page.locator(".summary").inner_text().startswith("已收到 9 / 38 個單位的回報（檔案 10 個")
    documents = page.locator(".documents").inner_text()
    assert "回報彙整活頁簿" in documents and "回報彙整報告" in documents and "催報通知" in documents
    assert page.locator(".chart-row").first.inner_text().split() == ["已回報", "4"]
    photograph(page, pictures, "results")

    page.locator(".filters").get_by_role("link", name="內容不全", exact=False).click()
    page.wait_for_url("**/results?state=*")
    rows = page.locator("table.ledger tbody tr")
    units = [rows.nth(i).locator("td").first.inner_text().splitlines()[0] for i in range(rows.count())]
    assert INCOMPLETE in units
    for i in range(rows.count()):
        assert "內容不全" in rows.nth(i).locator("td").nth(1).inner_text()
    page.locator("#ledger").evaluate("ledger => ledger.scrollIntoView()")  # the picture shows the filtered ledger
    photograph(page, pictures, "results-incomplete")

    row = rows.nth(units.index(INCOMPLETE))
    first_problem = row.locator("ul.cells li").first
    assert first_problem.locator(".cell").inner_text() == "辦理情形 H4"
    assert first_problem.inner_text().endswith("評核重點 1.1.1「申辦業務標準作業流程訂定情形」未填辦理情形。")
    workbook_path = open_download(page, row.get_by_role("link", name="補正活頁簿"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        correction = load_workbook(workbook_path)
    assert CORRECTION_SHEET in correction.sheetnames
    assert any(INCOMPLETE in str(cell.value) for line in correction[CORRECTION_SHEET].iter_rows() for cell in line)
    draft_path = open_download(page, row.get_by_role("link", name="催報信稿"))
    draft = email.message_from_bytes(draft_path.read_bytes(), policy=policy.default)
    assert draft["To"] == EMAILS[INCOMPLETE]
    assert draft["Subject"].startswith(f"【催報】{TITLE}：請{INCOMPLETE}")
    assert [part.get_filename() for part in draft.iter_attachments()] == [workbook_path.name]

    # 明年計畫, with the units' proposals
    page.get_by_role("link", name="新計畫／明年計畫").click()
    page.get_by_label("加入各單位在回報中提出的措施").check()
    page.get_by_role("button", name="產生明年計畫").click()
    page.wait_for_selector(".success")
    assert "已寫入 plan_master_108.xlsx（108年度）" in page.locator(".success").inner_text()
    assert (project.source.parent / "plan_master_108.xlsx").is_file()
    photograph(page, pictures, "new")
