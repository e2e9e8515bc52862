"""The attachments are the master's: which ones, their labels, titles and order."""
from __future__ import annotations

import io
import re
import zipfile

import pytest

from plandocs.commands.build import build
from plandocs.commands.check import check_all


def _texts(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as docx:
        xml = docx.read("word/document.xml").decode()
    return ["".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p)) for p in re.findall(r"<w:p[ >].*?</w:p>", xml)], xml


def test_the_attachments_sheet_decides_labels_titles_and_order(project, edit_master) -> None:
    def attachments(workbook) -> None:
        sheet = workbook.create_sheet("附表")
        for row in (["標示", "種類", "名稱"], ["附件一", "名冊", "小組名冊"], ["附件二", "具體作法表", "作法一覽表"]):
            sheet.append(row)

    edit_master(attachments)
    problems = check_all(project).problems
    assert not [p for p in problems if p.is_error]
    # the facts that named the attachments before are pointed out as unused, once each
    assert sorted(p.location.row for p in problems if "不會使用" in p.message and p.location.sheet == "計畫資料") == [8, 9, 10]
    report = build(project)
    assert [a.kind for a in report.artifacts] == ["函頒計畫", "附件一名冊"]  # no survey: no unit gets a form
    texts, xml = _texts(report.artifacts[0].data)
    first, second = texts.index("附件一"), texts.index("附件二")
    assert first < second
    assert texts[first + 1] == "臺北市政府警察局小組名冊" and texts[second + 1] == "作法一覽表"
    assert not any(t.startswith("附表") for t in texts)
    # the table comes last, so it is set upright: its columns fill the upright page's width
    grid = [int(w) for w in re.findall(r'<w:gridCol w:w="(\d+)"/>', xml.split("作法一覽表", 1)[1].split("</w:tbl>")[0])]
    assert abs(sum(grid) - 9070) <= len(grid)


ROSTERS = [["標示", "種類", "名稱"], ["附表1", "具體作法表", "提升服務品質組織診斷具體作法表"],
           ["附表2", "調查表", "提升服務品質組織診斷具體作法措施調查表"], ["附表3", "名冊", "提升服務品質專案推動小組名冊"],
           ["附表4", "名冊", "提升服務品質評審小組名冊"]]


def _two_rosters(workbook, second_from_row: int = 18) -> None:
    """The shipped plan with a second roster: 服務流程推動小組 (row 18) and the groups below it move to 附表4."""
    sheet = workbook.create_sheet("附表")
    for row in ROSTERS:
        sheet.append(row)
    roster = workbook["附表3"]
    roster["H1"] = "附表"
    roster[f"H{second_from_row}"] = "附表4"
    facts = workbook["計畫資料"]
    for row in sorted((c.row for c in facts["A"] if c.value in ("附表1名稱", "附表2名稱", "附表3名稱")), reverse=True):
        facts.delete_rows(row)  # the 附表 sheet names the attachments now


def _groups(texts: list[str], names: list[str]) -> list[str]:
    return [t for t in texts if t in names]


def test_a_plan_with_two_rosters_prints_each_with_its_own_groups(project, edit_master) -> None:
    edit_master(_two_rosters)
    assert [p.format() for p in check_all(project).problems if p.is_error or "名冊" in p.message] == []
    report = build(project)
    files = {a.kind: a for a in report.artifacts if a.kind.endswith("名冊")}
    assert sorted(files) == ["附表3名冊", "附表4名冊"]
    assert [a.path.name for a in files.values()] == ["附表3_臺北市政府警察局提升服務品質專案推動小組名冊.docx",
                                                    "附表4_臺北市政府警察局提升服務品質評審小組名冊.docx"]
    first = ["召集人", "副召集人", "專案諮詢委員", "機關形象推動小組（一）", "機關形象推動小組（二）",
             "顧客關係推動小組（一）", "顧客關係推動小組（二）"]
    second = ["服務流程推動小組", "資訊網路推動小組", "業務組"]
    texts, _ = _texts(files["附表3名冊"].data)
    assert texts[:2] == ["附表3", "臺北市政府警察局提升服務品質專案推動小組名冊"]
    assert list(dict.fromkeys(_groups(texts, first + second))) == first
    texts, _ = _texts(files["附表4名冊"].data)
    assert texts[:2] == ["附表4", "臺北市政府警察局提升服務品質評審小組名冊"]
    assert list(dict.fromkeys(_groups(texts, first + second))) == second
    assert "江遠欽" in texts and "蔡耀坤" not in texts
    # the circular prints each roster at its place, after the survey form, in the sheet's order
    texts, _ = _texts(report.artifacts[0].data)
    third, fourth = texts.index("附表3"), texts.index("附表4")
    assert texts.index("附表2") < third < fourth
    assert texts[fourth + 1] == "臺北市政府警察局提升服務品質評審小組名冊"
    assert list(dict.fromkeys(_groups(texts[third:fourth], first + second))) == first
    assert list(dict.fromkeys(_groups(texts[fourth:], first + second))) == second


def test_a_roster_no_group_names_and_an_unknown_roster_label_are_located(project, edit_master) -> None:
    def rosters(workbook) -> None:
        _two_rosters(workbook)
        workbook["附表3"]["H18"] = "附表5"  # no such roster: 附表4 gets no group
        workbook["附表3"]["H19"] = "附表4"  # not a group's first row

    edit_master(rosters)
    problems = [(p.location.sheet, p.location.row, p.location.column, p.message) for p in check_all(project).problems
                if p.location.sheet in ("附表", "附表3")]
    assert problems == [
        ("附表", 5, "A", "名冊「附表4」在「附表3」工作表沒有任何編組；請在其編組第一列的「附表」填「附表4」"
                         "（空白的編組屬於上方編組的名冊）。"),
        ("附表3", 18, "H", "「附表5」不是已定義的名冊標示（是否為「附表4」、「附表3」？）；可填：「附表3」、「附表4」。"),
        ("附表3", 19, "H", "「附表」只填在編組的第一列。"),
    ]


@pytest.mark.parametrize(("kind", "why"), [
    ("調查表", "調查表只能有一份：各單位填報的就是這一份表，回報依它辨認。"),
    ("具體作法表", "具體作法表只能有一份：「附表1」工作表的內容印成這一份表格。"),
])
def test_a_second_survey_or_measures_table_is_refused_with_the_reason(project, edit_master, kind, why) -> None:
    def attachments(workbook) -> None:
        _two_rosters(workbook)
        workbook["附表"].append(["附表5", kind, "另一份"])

    edit_master(attachments)
    problems = [p for p in check_all(project).problems if p.location.sheet == "附表"]
    assert [(p.location.row, p.location.column, p.message) for p in problems] == [
        (6, "B", f"「{kind}」已於第 {2 if kind == '具體作法表' else 3} 列列出；{why}")]


def test_an_old_circular_template_printing_roster_form_is_warned_of_with_several_rosters(project, edit_master) -> None:
    import docx

    path = project.templates / "plan.docx"
    document = docx.Document(path)
    for paragraph in document.paragraphs:
        if paragraph.text == "{{p attachment.form }}":
            paragraph.runs[0].text = "{{p roster_form }}"
    document.save(path)
    edit_master(_two_rosters)
    warnings = [p for p in check_all(project).problems if p.location.file == "plan.docx"]
    assert [(p.is_error, p.message) for p in warnings] == [(
        False, "計畫有 2 份名冊（附表3、附表4），範本的 roster_form 只印第一份，其他名冊的位置也會印成它；"
               "請改為 {{p attachment.form }}（印出各附表自己的表）。")]


def test_merged_roster_cells_and_a_column_of_the_users_own_in_the_roster_sheet(project, edit_master) -> None:
    def rosters(workbook) -> None:
        _two_rosters(workbook)
        workbook["附表3"].merge_cells("A18:A20")  # 服務流程推動小組 and its 附表 merged down its rows
        workbook["附表3"].merge_cells("H18:H20")
        workbook["附表3"]["I1"], workbook["附表3"]["I2"] = "附註", "兼任"  # a column of the user's own

    edit_master(rosters)
    problems = [(p.is_error, p.location.sheet, p.location.column, p.message) for p in check_all(project).problems
                if p.location.sheet == "附表3"]
    assert problems == [(False, "附表3", "I", "此欄標題不屬於本工作表，內容（I2共 1 格）不會使用；請確認標題拼寫。")]
    report = build(project)
    texts, _ = _texts(next(a for a in report.artifacts if a.kind == "附表4名冊").data)
    assert "服務流程推動小組" in texts and "召集人" not in texts


def test_a_column_of_the_users_own_near_the_optional_roster_heading_is_only_asked_about(project, edit_master) -> None:
    """A master of one roster with its own 附註 column builds as it did before rosters could be several."""
    def own_column(workbook) -> None:
        workbook["附表3"]["H1"], workbook["附表3"]["H2"] = "附註", "兼任"

    edit_master(own_column)
    problems = [(p.is_error, p.location.column, p.message) for p in check_all(project).problems
                if p.location.sheet == "附表3"]
    assert problems == [(False, "H", "欄位標題「附註」是否應為「附表」？若是，請改回「附表」；否則此欄內容不會使用。")]
    assert build(project).written


def test_a_misspelt_optional_heading_is_still_refused(project, edit_master) -> None:
    """填報調查 is 填報調查表 misspelt: read as unknown, the units marked 否 would get forms."""
    def misspelt(workbook) -> None:
        sheet = workbook["單位"]
        cell = next(c for c in sheet[1] if c.value == "填報調查表")
        cell.value = "填報調查"

    edit_master(misspelt)
    problems = [p for p in check_all(project).problems if p.location.sheet == "單位" and p.location.row == 1]
    assert [(p.is_error, p.message) for p in problems] == [(True, "欄位標題「填報調查」應為「填報調查表」；請改回「填報調查表」。")]
