"""The catalogue of user mistakes: each broken input, built from the shipped project, gets a located zh-TW answer.

Every case breaks a copy of the shipped master or templates in one way and asserts the message and its
place (file, sheet, row, column — or the template's paragraph / table cell). The whole list is what the
README's table of checks is made from.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from click.testing import CliRunner
from docx import Document
from openpyxl import Workbook
from openpyxl.workbook.workbook import Workbook as WorkbookType

from plandocs.commands.build import Paths, build
from plandocs.commands.check import check_all
from plandocs.cli import main
from plandocs.errors import ExitCode, Problem, Severity, ValidationFailed

MASTER = "plan_master.xlsx"
WARNING = Severity.WARNING


@dataclass(frozen=True)
class Case:
    """One broken input: how to break the project, and the problem the check must report for it."""

    name: str
    breaks: Callable[[Paths], None]
    message: str  # a fragment of the zh-TW message
    file: str = MASTER
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    place: str | Callable[[Paths, str], str] | None = None  # a template's paragraph or table cell, in Word's terms
    severity: Severity = Severity.ERROR


# ---- ways to break a project copy -----------------------------------------------------------------------------

def cells(changes: dict[str, dict[str, object]]) -> Callable[[Paths], None]:
    """Set cells of the master: {"附表1": {"E3": None}}."""
    def apply(workbook: WorkbookType) -> None:
        for sheet, values in changes.items():
            for reference, value in values.items():
                workbook[sheet][reference] = value

    return workbook_edit(apply)


def workbook_edit(edit: Callable[[WorkbookType], None]) -> Callable[[Paths], None]:
    def apply(paths: Paths) -> None:
        from openpyxl import load_workbook

        workbook = load_workbook(paths.source)
        edit(workbook)
        workbook.save(paths.source)

    return apply


def replace_file(content: bytes | Callable[[], bytes], name: str | None = None) -> Callable[[Paths], None]:
    def apply(paths: Paths) -> None:
        target = paths.templates / name if name else paths.source
        target.write_bytes(content() if callable(content) else content)

    return apply


def empty_workbook() -> bytes:
    import io

    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def lock_beside(name: str) -> Callable[[Paths], None]:
    def apply(paths: Paths) -> None:
        folder = paths.source.parent if name == MASTER else paths.templates
        (folder / ("~$" + name)).write_bytes(b"\x00" * 162)  # what Excel and Word leave while a file is open

    return apply


def template_edit(name: str, edit: Callable) -> Callable[[Paths], None]:
    def apply(paths: Paths) -> None:
        document = Document(paths.templates / name)
        edit(document)
        document.save(paths.templates / name)

    return apply


def set_text(paragraph, text: str) -> None:
    """Replace a paragraph's text, keeping its first run's formatting."""
    runs = [r for r in paragraph.runs if r.text] or paragraph.runs
    for run in runs[1:]:
        run.text = ""
    runs[0].text = text


def paragraph_text(name: str, old: str, new: str) -> Callable[[Paths], None]:
    """Change the body paragraph whose text is `old`."""
    def edit(document) -> None:
        set_text(next(p for p in document.paragraphs if p.text == old), new)

    return template_edit(name, edit)


def cell_text(name: str, table: int, row: int, column: int, new: str, add: bool = False) -> Callable[[Paths], None]:
    """Change (or, with add, add a paragraph to) a table cell; indexes count from 0."""
    def edit(document) -> None:
        cell = document.tables[table].rows[row].cells[column]
        if add:
            cell.add_paragraph(new)
        else:
            set_text(cell.paragraphs[0], new)

    return template_edit(name, edit)


def paragraph_place(text: str) -> Callable[[Paths, str], str]:
    """「第 N 段「text」」, N counted by python-docx among the body paragraphs of the broken template."""
    def place(paths: Paths, file: str) -> str:
        paragraphs = [p.text for p in Document(paths.templates / file).paragraphs]
        return f"第 {paragraphs.index(text) + 1} 段「{text}」"

    return place


def set_title(title: str) -> Callable:
    def edit(document) -> None:
        document.core_properties.title = title

    return edit


def delete_sheet(name: str) -> Callable[[WorkbookType], None]:
    def edit(workbook: WorkbookType) -> None:
        del workbook[name]

    return edit


def rename_sheet(old: str, new: str) -> Callable[[WorkbookType], None]:
    def edit(workbook: WorkbookType) -> None:
        workbook[old].title = new

    return edit


def clear_sheet(name: str) -> Callable[[WorkbookType], None]:
    def edit(workbook: WorkbookType) -> None:
        index = workbook.sheetnames.index(name)
        del workbook[name]
        workbook.create_sheet(name, index)

    return edit


def insert_title_row(workbook: WorkbookType) -> None:
    sheet = workbook["附表3"]
    sheet.insert_rows(1)
    sheet["A1"] = "專案推動小組名冊"


def merge_levels(workbook: WorkbookType) -> None:
    workbook["附表1"].merge_cells("D4:D31")  # 28 practices of level 3, merged into one cell by the user


def add_sheet(workbook: WorkbookType) -> None:
    workbook.create_sheet("備忘")["A1"] = "明年要加的項目"


# the groups of the shipped master reach every unit: a new 中心 outside 各業務單位 (科、室 only) is reached by nothing
NEW_UNREACHED_UNIT = cells({"單位": {"A44": "新成立中心", "B44": "中心", "D41": "科、室"}})


# ---- the catalogue --------------------------------------------------------------------------------------------

MASTER_CASES = [
    Case("missing sheet", workbook_edit(delete_sheet("附表3")), "缺少工作表「附表3」"),
    Case("renamed sheet", workbook_edit(rename_sheet("附表3", "附表 3")),
         "缺少工作表「附表3」（是否為「附表 3」？請改回「附表3」）"),
    Case("renamed column", cells({"附表1": {"E1": "具體做法"}}), "欄位標題「具體做法」應為「具體作法」",
         sheet="附表1", row=1, column="E"),
    Case("missing column", workbook_edit(lambda wb: wb["附表1"].delete_cols(5)), "第 1 列缺少欄位標題「具體作法」",
         sheet="附表1", row=1),
    Case("repeated column", cells({"附表1": {"R1": "具體作法", "R5": "重複的欄"}}), "欄位標題「具體作法」重複（已在 E 欄）",
         sheet="附表1", row=1, column="R"),
    Case("header row moved down", workbook_edit(insert_title_row), "欄位標題應在第 1 列，此工作表在第 2 列",
         sheet="附表3", row=2, severity=WARNING),
    Case("cell above a moved header row", workbook_edit(insert_title_row), "此格在欄位標題列上方，內容「專案推動小組名冊」不會使用",
         sheet="附表3", row=1, column="A", severity=WARNING),
    Case("entirely empty sheet", workbook_edit(clear_sheet("附表3")), "工作表是空的；第 1 列應為欄位標題：編組、職務",
         sheet="附表3", row=1),
    Case("empty workbook", replace_file(empty_workbook), "活頁簿中沒有任何計畫主檔的工作表"),
    Case("file that is not a workbook", replace_file("單位,承辦事項\n保安科,測試\n".encode()), "不是 Excel 活頁簿"),
    Case("Excel 97-2003 workbook", replace_file(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504), "舊版 Excel 97-2003"),
    Case("workbook open in Excel", lock_beside(MASTER), "此檔案似乎正由 Excel 開啟中；將讀取最後一次儲存的內容",
         severity=WARNING),
    Case("sheet that is not part of the master", workbook_edit(add_sheet), "此工作表不屬於計畫主檔，內容不會使用",
         sheet="備忘", severity=WARNING),
    Case("data under no heading", cells({"附表3": {"H2": "另行通知"}}), "此欄沒有標題，內容（H2共 1 格）不會使用",
         sheet="附表3", row=1, column="H", severity=WARNING),
    Case("empty required cell", cells({"附表1": {"E3": None}}), "此欄不可空白", sheet="附表1", row=3, column="E"),
    Case("empty plan fact", cells({"計畫資料": {"B2": None}}), "此欄不可空白", sheet="計畫資料", row=2, column="B"),
    Case("plan fact without its name", cells({"計畫資料": {"B18": "第二版"}}), "此列有內容「第二版」但沒有項目名稱",
         sheet="計畫資料", row=18, column="A"),
    Case("text where a date is needed", cells({"附表1": {"G2": "六月底"}}), "「六月底」不是日期",
         sheet="附表1", row=2, column="G"),
    Case("text where a number is needed", cells({"構面": {"C2": "兩百"}}), "「兩百」不是整數", sheet="構面", row=2, column="C"),
    Case("level 2.5", cells({"附表1": {"D3": 2.5}}), "層級「2.5」不正確：須為 1 到 8 的整數", sheet="附表1", row=3, column="D"),
    Case("level 0", cells({"本文": {"A2": 0}}), "層級「0」不正確：須為 1 到 9 的整數", sheet="本文", row=2, column="A"),
    Case("western year as plan year", cells({"計畫資料": {"B4": 2018}}), "計畫年度請填民國年（例：107），不是西元年 2018",
         sheet="計畫資料", row=4, column="B"),
    Case("duplicate unit", cells({"單位": {"A44": "保安科", "B44": "科"}}), "「保安科」重複，已用於第 23 列的「保安科」",
         sheet="單位", row=44, column="A"),
    Case("duplicate alias", cells({"單位": {"C22": "犯防科"}}), "「犯防科」重複，已用於第 22 列的「行政科」",
         sheet="單位", row=25, column="C"),
    Case("duplicate dimension", cells({"構面": {"A7": "基礎服務", "B7": "個別評核構面", "C7": 0}}),
         "構面「基礎服務」重複，已於第 2 列定義", sheet="構面", row=7, column="A"),
    Case("duplicate item", cells({"評核項目": {"A11": "基礎服務", "B11": "服務友善"}}), "評核項目「服務友善」重複，已於第 3 列定義",
         sheet="評核項目", row=11, column="B"),
    Case("duplicate plan fact", cells({"計畫資料": {"A16": "計畫年度", "B16": 108}}), "「計畫年度」重複，已於第 4 列填寫",
         sheet="計畫資料", row=16, column="A"),
    Case("unknown unit", cells({"附表1": {"J2": "保安課"}}), "「保安課」不是「單位」工作表中的單位、別名或群組（是否為「保安科」",
         sheet="附表1", row=2, column="J"),
    Case("unknown group", cells({"附表1": {"H2": "各分局大隊"}}), "（是否為「各分局、大隊、隊」",
         sheet="附表1", row=2, column="H"),
    Case("unknown dimension", cells({"附表1": {"A2": "基本服務"}}), "「基本服務」不是已定義的構面（是否為「基礎服務」",
         sheet="附表1", row=2, column="A"),
    Case("merged headings", workbook_edit(lambda wb: wb["附表1"].merge_cells("A1:B1")), "標題列的儲存格 A1:B1 已合併",
         sheet="附表1", row=1, column="A"),
    Case("unknown item", cells({"附表1": {"B2": "服務一致"}}), "「服務一致」不是構面「基礎服務」的評核項目",
         sheet="附表1", row=2, column="B"),
    Case("unknown unit category of a group", cells({"單位": {"D40": "分局、大隊、警察隊"}}), "「警察隊」不是任何單位的類別，也不是單位名稱",
         sheet="單位", row=40, column="D"),
    Case("outline jump in the body", cells({"本文": {"A6": 3}}), "內容的層級從 1 跳到 3，中間缺少一層",
         sheet="本文", row=6, column="A"),
    Case("outline jump in practices", cells({"附表1": {"D3": 3}}), "具體作法的層級從 1 跳到 3", sheet="附表1", row=3, column="D"),
    Case("outline jump in duties", cells({"附表3": {"E7": 3}}), "職掌的層級從 1 跳到 3，中間缺少一層",
         sheet="附表3", row=7, column="E"),
    Case("item without key points", cells({"評核項目": {"A11": "基礎服務", "B11": "服務透明"}}),
         "評核項目「服務透明」在「附表1」沒有任何評核重點", sheet="評核項目", row=11, column="B"),
    Case("key point without practices", cells({"附表1": {"E46": None}}), "評核重點「其他服務作法」沒有具體作法",
         sheet="附表1", row=46, column="C"),
    Case("points not adding up to 1000", cells({"構面": {"C2": 250}}), "各構面配分合計為 1050 分，應為「配分合計」的 1000 分",
         sheet="構面", column="C"),
    Case("due date outside the plan year", cells({"附表1": {"G2": dt.datetime(2019, 6, 29)}}),
         "期限日期 108年6月29日 不在計畫年度 107 年內", sheet="附表1", row=2, column="G"),
    Case("unit that receives nothing", NEW_UNREACHED_UNIT, "單位「新成立中心」在「附表1」沒有任何承辦事項；仍會收到調查表",
         sheet="單位", row=44, column="A", severity=WARNING),
    Case("characters Word cannot hold", cells({"附表1": {"E3": "本局提供_x000B_民眾申辦業務"}}),
         "含有 Word 無法儲存的控制字元（U+000B），已刪除", sheet="附表1", row=3, column="E", severity=WARNING),
    Case("merged cells over a per-row column", workbook_edit(merge_levels), "儲存格 D4:D31 已合併：「層級」每一列各自讀取",
         sheet="附表1", row=4, column="D"),
    Case("formula never calculated", cells({"構面": {"C2": "=100*2"}}), "此格是公式，但檔案中沒有計算結果",
         sheet="構面", row=2, column="C", severity=WARNING),
    Case("formula error value", cells({"構面": {"C2": "#REF!"}}), "此格顯示錯誤值 #REF!", sheet="構面", row=2, column="C"),
    Case("date typed into a text column", cells({"附表1": {"F2": dt.datetime(2018, 6, 29)}}),
         "此格是 Excel 日期，文件中印為「107年6月29日」", sheet="附表1", row=2, column="F", severity=WARNING),
    Case("unit on a row without a key point", cells({"附表1": {"H3": "保安科"}}), "承辦單位只填在評核重點所在的列",
         sheet="附表1", row=3, column="H"),
    Case("first row without a dimension", cells({"附表1": {"A2": None}}), "尚未指定構面：請在此列填寫「構面」",
         sheet="附表1", row=2, column="A"),
    Case("台 in an official name", cells({"單位": {"A44": "台北科", "B44": "科"}}), "「台北科」中的「台」在公文中應寫作「臺」",
         sheet="單位", row=44, column="A", severity=WARNING),
    Case("台 in the agency's name", cells({"計畫資料": {"B2": "台北市政府警察局"}}),
         "「台北市政府警察局」中的「台」在公文中應寫作「臺」", sheet="計畫資料", row=2, column="B", severity=WARNING),
    Case("recipient that is no unit", cells({"計畫資料": {"B12": "秘書處"}}), "收件單位「秘書處」不是「單位」工作表中的單位（是否為「秘書室」",
         sheet="計畫資料", row=12, column="B", severity=WARNING),
    Case("a Gregorian plan year is reported once", cells({"計畫資料": {"B4": 2018}}), "計畫年度請填民國年",
         sheet="計畫資料", row=4, column="B"),
    Case("practices longer than an Excel cell", cells({"附表1": {"E2": "作" * 33000}}),
         "具體作法共 33", sheet="附表1", row=2, column="C", severity=WARNING),
    Case("enormous unit name", cells({"單位": {"A44": "科" * 30000, "B44": "科"}}), "單位名稱長 30000 字，超過 50 字",
         sheet="單位", row=44, column="A"),
    Case("two units with the same file name", cells({"單位": {"A44": "保安科?", "B44": "科", "A45": "保安科*", "B45": "科"}}),
         "與「保安科?」的檔名相同（保安科＿", sheet="單位", row=45, column="A"),
    Case("outline label typed by hand", cells({"附表1": {"E3": "一、本局提供民眾申辦業務"}}),
         "具體作法開頭的「一、」看似自行輸入的編號；編號由「層級」自動產生，請刪除，否則會印出兩次",
         sheet="附表1", row=3, column="E", severity=WARNING),
    Case("survey flag on a group", cells({"單位": {"E40": "是"}}), "群組本身不填報調查表", sheet="單位", row=40, column="E",
         severity=WARNING),
]

TEMPLATE_CASES = [
    Case("template tag left open", paragraph_text("plan.docx", "{{ title }}", "{{ title }"),
         "標籤「{{ title }」沒有結尾的「}}」", file="plan.docx", place=paragraph_place("{{ title }")),
    Case("Jinja syntax error", paragraph_text("plan.docx", "{{ issue_line }}", "{{ issue_line + }}"),
         "標籤「{{ issue_line + }}」語法錯誤（Jinja：", file="plan.docx", place=paragraph_place("{{ issue_line + }}")),
    Case("unclosed loop", template_edit("plan.docx", lambda document: set_text(
             [p for p in document.paragraphs if p.text == "{%p endfor %}"][-1], "")),
         "「{%p for attachment in attachments %}」沒有對應的結尾「{%p endfor %}」",
         file="plan.docx", place=paragraph_place("{%p for attachment in attachments %}")),
    Case("end of a loop never opened", paragraph_text("survey.docx", "(本表若不敷使用請自行擴充)", "{%p endfor %}"),
         "「{%p endfor %}」前面沒有對應的「for」標籤", file="survey.docx", place=paragraph_place("{%p endfor %}")),
    Case("name the data does not provide", paragraph_text("plan.docx", "{{ title }}", "{{ titel }}"),
         "使用了資料中沒有的名稱「titel」（是否為「title」？）；此範本可用的名稱：", file="plan.docx",
         place=paragraph_place("{{ titel }}")),
    Case("attribute the data does not provide", paragraph_text("plan.docx", "{{ dimension.heading }}", "{{ dimension.headng }}"),
         "使用了資料中沒有的名稱「dimension.headng」（是否為「heading」？）；「dimension」可用的名稱：name、heading",
         file="plan.docx", place=paragraph_place("{{ dimension.headng }}")),
    Case("dict method instead of data", cell_text("survey.docx", 0, 2, 0, "{%tr for topic in dimension.items %}"),
         "使用了資料中沒有的名稱「dimension.items」", file="survey.docx",
         place="第 1 個表格第 3 列第 1 格「{%tr for topic in dimension.items %}」"),
    Case("unknown filter", paragraph_text("roster.docx", "{{ roster_title }}", "{{ roster_title|upcase }}"),
         "使用了資料中沒有的名稱「|upcase」", file="roster.docx", place=paragraph_place("{{ roster_title|upcase }}")),
    Case("two {%tr %} tags in one row", cell_text("survey.docx", 0, 1, 0, "{%tr if dimension.topics %}", add=True),
         "同一表格列中有兩個 tr 標籤", file="survey.docx", place="第 1 個表格第 2 列第 1 格「{%tr if dimension.topics %}」"),
    Case("{%p %} beside other text", paragraph_text("plan.docx", "{%p else %}", "{%p else %}（整體評核構面）"),
         "同一段落中的「（整體評核構面）」會被刪除", file="plan.docx", place=paragraph_place("{%p else %}（整體評核構面）")),
    Case("{%tr %} outside a table", paragraph_text("plan.docx", "{{ attachment.title }}", "{{ attachment.title }}{%tr if true %}"),
         "「{%tr if true %}」只能放在表格列中", file="plan.docx", place=paragraph_place("{{ attachment.title }}{%tr if true %}")),
    Case("{% vm %} outside a table", paragraph_text("survey.docx", "{{ survey_label }}", "{% vm %}{{ survey_label }}"),
         "「{% vm %}」只能放在表格儲存格內", file="survey.docx", place=paragraph_place("{% vm %}{{ survey_label }}")),
    Case("loop ending at another level", cell_text("roster.docx", 0, 5, 0, "{% endfor %}"),
         "開頭是「{%tr for group in roster %}」（第 1 個表格第 2 列第 1 格「{%tr for group in roster %}」），此處也須寫成「{%tr endfor %}」",
         file="roster.docx", place="第 1 個表格第 6 列第 1 格「{% endfor %}」"),
    Case("space between {% and tr", cell_text("roster.docx", 0, 4, 0, "{% tr endfor %}"),
         "docxtpl 只認得緊接在「{%」之後的「tr」", file="roster.docx", place="第 1 個表格第 5 列第 1 格「{% tr endfor %}」"),
    Case("stray closing braces", paragraph_text("plan.docx", "{{ attachment.title }}", "attachment.title }}"),
         "「}}」前面沒有對應的「{{」，會照原樣印出", file="plan.docx", place=paragraph_place("attachment.title }}")),
    Case("name in the document properties", template_edit("survey.docx", set_title("{{ survey_titel }}")),
         "使用了資料中沒有的名稱「survey_titel」（是否為「survey_title」？）", file="survey.docx",
         place="文件摘要資訊的「標題」（檔案 > 資訊 > 內容）"),
    Case("full-width braces", paragraph_text("survey.docx", "{{ survey_title }}", "｛｛ survey_title ｝｝"),
         "「｛｛」「｝｝」看似範本標籤，但用了全形符號", file="survey.docx", place=paragraph_place("｛｛ survey_title ｝｝")),
    Case("template missing", lambda paths: (paths.templates / "roster.docx").unlink(), "找不到此範本", file="roster.docx"),
    Case("template that is not a .docx", replace_file(b"{{ title }}", "survey.docx"), "這不是可讀取的 Word 文件（.docx）",
         file="survey.docx"),
    Case("template open in Word", lock_beside("plan.docx"), "此範本似乎正由 Word 開啟中", file="plan.docx", severity=WARNING),
    Case("expression that fails only when rendered", paragraph_text("plan.docx", "{{ title }}", "{{ title + year }}"),
         "範本中的運算式無法計算（TypeError", file="plan.docx"),
]

CASES = MASTER_CASES + TEMPLATE_CASES


def matching(problems: list[Problem], case: Case) -> list[Problem]:
    return [p for p in problems if case.message in p.message]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_mistake_is_reported_with_its_place(case: Case, project: Paths) -> None:
    case.breaks(project)
    problems = check_all(project).problems
    found = matching(problems, case)
    assert len(found) == 1, "\n".join(p.format() for p in problems)
    where = found[0].location
    place = case.place(project, case.file) if callable(case.place) else case.place
    assert (where.file, where.sheet, where.row, where.column, where.place) == (
        case.file, case.sheet, case.row, case.column, place)
    assert found[0].severity is case.severity


def test_catalogue_is_large_enough() -> None:
    assert len(CASES) >= 25
    assert len({c.name for c in CASES}) == len(CASES)


# ---- one mistake, one message: what follows from it is not reported again ------------------------------------

@pytest.mark.parametrize("case", [c for c in CASES if c.name in {"unknown dimension", "unknown item", "unclosed loop"}],
                         ids=lambda c: c.name)
def test_a_mistake_does_not_cascade(case: Case, project: Paths) -> None:
    case.breaks(project)
    errors = [p for p in check_all(project).problems if p.is_error]
    assert len(errors) == 1, "\n".join(p.format() for p in errors)


def test_every_template_problem_is_reported_at_once(project: Paths) -> None:
    for name in ("template tag left open", "dict method instead of data", "loop ending at another level"):
        CASE[name].breaks(project)  # plan, survey and roster broken
    problems = check_all(project).problems
    assert {p.location.file for p in problems if p.is_error} == {"plan.docx", "survey.docx", "roster.docx"}


CASE = {c.name: c for c in CASES}


@pytest.mark.parametrize(("master_case", "template_case"), [
    ("missing sheet", "template tag left open"),  # no plan: the templates are still read tag by tag
    ("unknown unit", "name the data does not provide"),  # a plan with errors still says which names exist
])
def test_master_and_template_problems_are_reported_together(master_case: str, template_case: str,
                                                            project: Paths) -> None:
    CASE[master_case].breaks(project)
    CASE[template_case].breaks(project)
    problems = [p for p in check_all(project).problems if p.is_error]
    assert {p.location.file for p in problems} == {MASTER, "plan.docx"}


def test_build_reports_master_and_template_problems_before_writing(project: Paths) -> None:
    CASE["unknown unit"].breaks(project)
    CASE["template tag left open"].breaks(project)
    with pytest.raises(ValidationFailed) as failure:
        build(project)
    assert {p.location.file for p in failure.value.problems if p.is_error} == {MASTER, "plan.docx"}
    assert not project.output.exists()


# ---- what users type that is fine ----------------------------------------------------------------------------

def merged_dimension(workbook: WorkbookType) -> None:
    workbook["附表1"].merge_cells("A2:A86")  # 基礎服務 spans its rows: blank below means "as above"


TEXT_DATES = {"附表1": {"G2": "2018/6/29"}, "計畫資料": {"B11": "107年6月29日"}}
ACCEPTED = {
    "date typed as text": cells(TEXT_DATES),
    "full-width digits": cells({"附表1": {"D3": "２"}, "構面": {"C2": "２００"}}),
    "unit with spaces around it": cells({"附表1": {"J2": " 保安科 "}}),
    "unit written with full-width letters": cells({"單位": {"A44": "ＡＢ科", "B44": "科"}, "附表1": {"P2": "AB科"}}),
    "dimension merged down its rows": workbook_edit(merged_dimension),
}


@pytest.mark.parametrize("name", list(ACCEPTED))
def test_what_users_type_that_is_fine(name: str, project: Paths) -> None:
    ACCEPTED[name](project)
    report = check_all(project)
    assert not report.errors, "\n".join(p.format() for p in report.errors)


def test_curly_quotes_from_word_autocorrect_are_fine_in_tags(project: Paths) -> None:
    paragraph_text("plan.docx", "{{ title }}", "{{ title|default(“無”) }}")(project)
    assert not check_all(project).problems


def test_accepted_text_date_means_the_same_date(project: Paths) -> None:
    cells(TEXT_DATES)(project)
    plan = check_all(project).plan
    assert plan.dimensions[0].key_points[0].due_date == dt.date(2018, 6, 29)
    assert plan.facts.due_date == dt.date(2018, 6, 29)


def test_a_moved_header_row_still_reads_every_member(project: Paths) -> None:
    workbook_edit(insert_title_row)(project)
    report = check_all(project)
    assert not report.errors
    assert [m.name for m in report.plan.roster[0].members] == ["蔡耀坤"]
    assert report.plan.roster[0].location.row == 3


# ---- the command line: exit codes, messages, no traceback unless asked -----------------------------------------

def run(paths: Paths, *arguments: str):
    return CliRunner().invoke(main, ["check", "--source", str(paths.source), "--templates", str(paths.templates),
                                     *arguments])


def test_shipped_project_passes(project: Paths) -> None:
    result = run(project)
    assert result.exit_code == ExitCode.OK
    assert "檢查通過：plan_master.xlsx 與範本沒有錯誤。" in result.output


def test_an_error_exits_with_invalid_input_and_a_located_message(project: Paths) -> None:
    cells({"附表1": {"J2": "保安課"}})(project)
    result = run(project)
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "錯誤：plan_master.xlsx 工作表「附表1」 第 2 列 J 欄（承辦單位3）：「保安課」不是" in result.output
    assert "Traceback" not in result.output


def test_strict_turns_warnings_into_errors(project: Paths) -> None:
    NEW_UNREACHED_UNIT(project)
    assert run(project).exit_code == ExitCode.OK
    assert run(project, "--strict").exit_code == ExitCode.INVALID_INPUT


def test_an_unreadable_master_is_a_message_not_a_traceback(project: Paths) -> None:
    project.source.write_text("not a workbook")
    result = run(project)
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "plan_master.xlsx：這不是 Excel 活頁簿" in result.output
    assert "Traceback" not in result.output


def test_a_bug_is_an_internal_error_with_a_traceback_only_on_request(project: Paths, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("plandocs.commands.check.check_all", broken)
    quiet = run(project)
    assert quiet.exit_code == ExitCode.INTERNAL
    assert "內部錯誤" in quiet.output and "Traceback" not in quiet.output
    loud = run(project, "--traceback")
    assert loud.exit_code == ExitCode.INTERNAL
    assert "Traceback" in loud.output and "RuntimeError: a bug" in loud.output


def test_exit_codes_are_distinct() -> None:
    assert len({int(code) for code in ExitCode}) == len(ExitCode)
    assert ExitCode.OK == 0


def test_checking_writes_nothing(project: Paths) -> None:
    before = {p: p.read_bytes() for p in project.source.parent.parent.rglob("*") if p.is_file()}
    run(project)
    after = {p: p.read_bytes() for p in project.source.parent.parent.rglob("*") if p.is_file()}
    assert after == before


def test_a_gregorian_plan_year_does_not_flood_the_report_with_due_dates(project: Paths) -> None:
    cells({"計畫資料": {"B4": 2018}})(project)
    problems = check_all(project).problems
    assert [p for p in problems if "計畫年度請填民國年" in p.message]
    assert not [p for p in problems if "不在計畫年度" in p.message]


def test_a_broken_report_template_is_found_by_check_but_does_not_stop_build(project: Paths) -> None:
    report = project.templates / "report.docx"
    document = Document(str(report))
    document.add_paragraph("{{ 未結束的標籤")
    document.save(str(report))
    problems = check_all(project).problems
    assert [p for p in problems if p.is_error and p.location.file == "report.docx"]
    built = build(project)
    assert not [p for p in built.problems if p.location.file == "report.docx"]


def test_an_expression_that_cannot_be_computed_is_a_template_error_not_a_crash(project: Paths) -> None:
    roster = project.templates / "roster.docx"
    document = Document(str(roster))
    document.add_paragraph("{{ roster_title / 0 }}")
    document.save(str(roster))
    result = CliRunner().invoke(main, ["build", "--source", str(project.source), "--templates", str(project.templates),
                                       "--output", str(project.output)])
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "roster.docx：範本中的運算式無法計算" in result.output and "內部錯誤" not in result.output
    assert not project.output.exists()
