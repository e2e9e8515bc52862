"""A plan of another shape goes into the master as it is, builds with nothing invented, and carries no word
of the shipped Taipei plan in any of its outputs."""
from __future__ import annotations

import re
import zipfile

import pytest

from helpers.land_office import (
    AGENCY, ATTACHMENT_LABEL, ATTACHMENT_TITLE, FIRST_PLAN_WORDS, ISSUE_LINE, PLAN_NAME, SHEETS, TABLE_HEADINGS, YEAR,
    make_land_office_project,
)
from plandocs.commands.build import build
from plandocs.commands.check import check_all
from plandocs.office.output import LOCK

TITLE = f"{AGENCY}{YEAR}年度{PLAN_NAME}"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = make_land_office_project(tmp_path_factory.mktemp("land_office"))
    report = build(project)
    return project, report


def test_the_plan_passes_check_without_a_problem(tmp_path) -> None:
    project = make_land_office_project(tmp_path)
    problems = check_all(project).problems
    assert problems == [], "\n".join(p.format() for p in problems)


def test_the_build_makes_the_circular_only(built) -> None:
    project, report = built
    files = sorted(p.relative_to(project.output).as_posix() for p in project.output.rglob("*")
                   if p.is_file() and p.name != LOCK)  # the lock that keeps a second run out stays
    assert files == sorted([f"{TITLE}.docx", "manifest.csv"])


def _paragraphs(xml: str) -> list[str]:
    return ["".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p)) for p in re.findall(r"<w:p[ >].*?</w:p>", xml)]


def test_the_circular_prints_the_master_and_nothing_else(built) -> None:
    project, _ = built
    with zipfile.ZipFile(project.output / f"{TITLE}.docx") as docx:
        xml = docx.read("word/document.xml").decode()
    texts = [t for t in _paragraphs(xml) if t]
    body = [row[1] for row in SHEETS["本文"][1:]]
    labels = ["壹、", "", "貳、", "", "參、", "", "肆、", "一、", "二、"]
    assert texts[:2] == [TITLE, ISSUE_LINE]
    assert texts[2:11] == [label + text for label, text in zip(labels, body)]
    assert texts[11:13] == [ATTACHMENT_LABEL, ATTACHMENT_TITLE]
    # one table, its own headings, then each key point's row: no dimension heading, no points, no other attachment
    assert xml.count("<w:tbl>") == 1
    assert texts[13:16] == TABLE_HEADINGS
    assert texts[16:] == [
        "簡化作業流程", "一、登記案件隨到隨辦，當日收件當日辦竣。", "(一)簡易案件設置快速窗口。", "二、測量案件以電話通知會同時間。", "登記課",
        "便民措施", "一、設置跨所申辦地籍謄本服務。", "二、提供網路申辦地價查詢。", "各課",
        "資訊公開", "一、於網站公開各類案件處理進度。", "資訊課", "行政課",
    ]


def test_no_output_carries_a_word_of_the_first_plan(built) -> None:
    project, _ = built
    texts = {}
    for path in project.output.rglob("*"):
        if not path.is_file():
            continue
        texts[path.name + " (file name)"] = path.name
        if path.suffix in (".docx", ".xlsx"):
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    if name.endswith(".xml"):
                        # the text of every part, and the names its attributes carry (style names, properties)
                        xml = archive.read(name).decode("utf-8")
                        texts[f"{path.name}:{name}"] = re.sub(r"<[^>]+>", " ", xml)
                        texts[f"{path.name}:{name} (names)"] = " ".join(re.findall(r'w:val="([^"0-9]*)"', xml))
        else:
            texts[path.name] = path.read_text(encoding="utf-8-sig")
    assert len(texts) >= 10  # the circular's parts, its name, the manifest
    found = [(where, word) for where, text in texts.items() for word in FIRST_PLAN_WORDS if word in text]
    assert found == []


def test_collect_says_a_plan_without_a_survey_has_nothing_to_collect(tmp_path) -> None:
    from plandocs.commands.collect import collect
    from plandocs.errors import InputError

    project = make_land_office_project(tmp_path / "project")
    (tmp_path / "returns").mkdir()
    with pytest.raises(InputError, match="此計畫沒有調查表"):
        collect(project, tmp_path / "returns")
    assert not project.output.exists()


def test_what_a_plan_uses_is_asked_for_where_it_goes(tmp_path) -> None:
    from openpyxl import load_workbook

    project = make_land_office_project(tmp_path)
    workbook = load_workbook(project.source)
    workbook["附表"].append(["附表二", "調查表", "措施調查表"])  # a survey needs a due date and a recipient
    workbook["計畫資料"].append(["配分合計", 100])  # a stated total needs dimensions with points
    workbook.create_sheet("構面").append(["構面名稱", "評核類別", "配分"])
    workbook["構面"].append(["便民", None, None])
    workbook.save(project.source)
    errors = [p for p in check_all(project).problems if p.is_error]
    messages = sorted(p.message for p in errors)
    assert "計畫有調查表，須填寫「填報期限」：請新增一列並填寫內容。" in messages
    assert "計畫有調查表，須填寫「收件單位」：請新增一列並填寫內容。" in messages
    assert any(p.message == "已填「配分合計」，各構面須填配分。" and p.location.sheet == "構面" and p.location.row == 2
               for p in errors)


# The table stands inside 參、實施要領, where the body's 表格 column places it, and the text after it stays after it.
BODY_WITH_TABLE = [
    ["層級", "內容", "表格"],
    [1, "依據", None],
    [None, "新竹縣政府106年度為民服務工作實施要點。", None],
    [1, "實施要領", None],
    [None, None, ATTACHMENT_LABEL],
    [None, "上表各項由業務單位按月檢討。", None],
    [1, "考核", None],
    [2, "本計畫執行情形列入年終考核。", None],
]


def test_a_table_placed_in_the_body_stands_there_without_label_or_title(tmp_path) -> None:
    from helpers.land_office import sheets_with

    project = make_land_office_project(tmp_path, sheets_with(本文=BODY_WITH_TABLE))
    assert [p.format() for p in check_all(project).problems] == []
    build(project)
    with zipfile.ZipFile(project.output / f"{TITLE}.docx") as docx:
        xml = docx.read("word/document.xml").decode()
    assert xml.count("<w:tbl>") == 1
    assert [t for t in _paragraphs(xml) if t] == [
        TITLE, ISSUE_LINE, "壹、依據", "新竹縣政府106年度為民服務工作實施要點。", "貳、實施要領",
        *TABLE_HEADINGS,
        "簡化作業流程", "一、登記案件隨到隨辦，當日收件當日辦竣。", "(一)簡易案件設置快速窗口。", "二、測量案件以電話通知會同時間。", "登記課",
        "便民措施", "一、設置跨所申辦地籍謄本服務。", "二、提供網路申辦地價查詢。", "各課",
        "資訊公開", "一、於網站公開各類案件處理進度。", "資訊課", "行政課",
        "上表各項由業務單位按月檢討。", "參、考核", "一、本計畫執行情形列入年終考核。",
    ]
    body = xml[xml.index("<w:body>"):]
    assert body.index("貳、") < body.index("<w:tbl>") < body.index("上表各項") < body.index("參、")


def test_a_table_row_names_a_measures_table_and_holds_nothing_else(tmp_path) -> None:
    from helpers.land_office import sheets_with

    rows = BODY_WITH_TABLE[:4] + [[1, "計畫內容", "附表一"], [None, "說明", ATTACHMENT_LABEL],
                                  [None, None, ATTACHMENT_LABEL]]
    project = make_land_office_project(tmp_path, sheets_with(本文=rows))
    assert [(p.location.row, p.location.header, p.message) for p in check_all(project).problems if p.is_error] == [
        (5, "層級", "此列以「表格」指定表格的位置，「層級」不會印出；請將段落移到另一列。"),
        (5, "內容", "此列以「表格」指定表格的位置，「內容」不會印出；請將段落移到另一列。"),
        (5, "表格", "「附表一」不是已定義的具體作法表標示（是否為「附表」？）；可填：「附表」。"),
        (6, "內容", "此列以「表格」指定表格的位置，「內容」不會印出；請將段落移到另一列。"),
        (7, "表格", "「附表」已於第 6 列放入本文；表格只能放在一處。"),
    ]


# Two dimensions of the land office's plan, for the shapes a table takes when the dimensions stand inside it.
DIMENSIONS = [["構面名稱", "評核類別", "配分"], ["完備基礎服務", None, None], ["提升服務效能", None, None]]
MEASURES_BY_DIMENSION = [
    ["構面", "評核重點", "層級", "具體作法", "承辦單位1"],
    ["完備基礎服務", "簡化作業流程", 1, "登記案件隨到隨辦。", "登記課"],
    [None, None, 1, "測量案件電話通知。", None],
    [None, "便民措施", 1, "設置跨所申辦服務。", "各課"],
    ["提升服務效能", "資訊公開", 1, "網站公開案件進度。", "資訊課"],
]


def _table_cells(project) -> list[list[str]]:
    """Each row of the circular's one table: the text of each of its cells."""
    with zipfile.ZipFile(project.output / f"{TITLE}.docx") as docx:
        xml = docx.read("word/document.xml").decode()
    assert xml.count("<w:tbl>") == 1
    table = re.search(r"<w:tbl>.*</w:tbl>", xml).group()
    return [["\n".join(t for t in _paragraphs(c) if t) for c in re.findall(r"<w:tc>.*?</w:tc>", row)]
            for row in re.findall(r"<w:tr>.*?</w:tr>", table)]


def test_a_four_column_table_prints_its_dimension_as_a_merged_column(tmp_path) -> None:
    from helpers.land_office import sheets_with

    columns = [["欄位", "標題", "寬度"], ["構面", "實施要項", 15], ["評核重點", "執行策略", 20], ["具體作法", "執行方法", 50],
               ["承辦單位", "承辦單位", 15]]
    project = make_land_office_project(tmp_path, sheets_with(
        表格欄位=columns, 構面=DIMENSIONS, 附表1=MEASURES_BY_DIMENSION))
    assert [p.format() for p in check_all(project).problems] == []
    build(project)
    assert _table_cells(project) == [
        ["實施要項", "執行策略", "執行方法", "承辦單位"],
        ["完備基礎服務", "簡化作業流程", "一、登記案件隨到隨辦。\n二、測量案件電話通知。", "登記課"],
        ["", "便民措施", "一、設置跨所申辦服務。", "各課"],
        ["提升服務效能", "資訊公開", "一、網站公開案件進度。", "資訊課"],
    ]
    with zipfile.ZipFile(project.output / f"{TITLE}.docx") as docx:
        xml = docx.read("word/document.xml").decode()
    first_cells = [re.search(r"<w:tc>.*?</w:tc>", row).group() for row in re.findall(r"<w:tr>.*?</w:tr>", xml)[1:]]
    assert [re.search(r'w:vMerge w:val="(\w+)"', c).group(1) for c in first_cells] == ["restart", "continue", "restart"]
    assert "完備基礎服務" not in [t for t in _paragraphs(xml[:xml.index("<w:tbl>")])]  # no heading above the table


def test_dimension_rows_span_the_table_under_its_header(tmp_path) -> None:
    from helpers.land_office import facts_with, sheets_with

    project = make_land_office_project(tmp_path, sheets_with(
        計畫資料=facts_with(構面呈現="表格列"), 構面=DIMENSIONS, 附表1=MEASURES_BY_DIMENSION))
    assert [p.format() for p in check_all(project).problems] == []
    build(project)
    assert _table_cells(project) == [
        TABLE_HEADINGS,
        ["一、完備基礎服務"],
        ["簡化作業流程", "一、登記案件隨到隨辦。\n二、測量案件電話通知。", "登記課"],
        ["便民措施", "一、設置跨所申辦服務。", "各課"],
        ["二、提升服務效能"],
        ["資訊公開", "一、網站公開案件進度。", "資訊課"],
    ]


def test_the_dimensions_are_shown_one_way_only(tmp_path) -> None:
    from helpers.land_office import facts_with, sheets_with

    rows = facts_with(構面呈現="表格欄")
    project = make_land_office_project(tmp_path, sheets_with(計畫資料=rows, 構面=DIMENSIONS, 附表1=MEASURES_BY_DIMENSION))
    assert [(p.location.row, p.message) for p in check_all(project).problems] == [
        (len(rows), "「構面呈現」不能是「表格欄」；可填：「標題」、「表格列」（構面印在表格的一欄時，請在「表格欄位」列出「構面」）。")]
    columns = SHEETS["表格欄位"] + [["構面", "構面", 10]]
    project = make_land_office_project(tmp_path / "both", sheets_with(
        計畫資料=facts_with(構面呈現="表格列"), 表格欄位=columns, 構面=DIMENSIONS, 附表1=MEASURES_BY_DIMENSION))
    assert [(p.location.row, p.message) for p in check_all(project).problems] == [
        (len(rows), "「表格欄位」已列出「構面」欄，構面印在該欄；「構面呈現」的「表格列」不會使用，請刪除其中之一。")]


def test_practices_numbered_1_2_with_nothing_above_start_at_level_3_without_a_problem(tmp_path) -> None:
    from helpers.land_office import sheets_with

    measures = [["評核重點", "層級", "具體作法", "承辦單位1"],
                ["簡化作業流程", 3, "登記案件隨到隨辦。", "各課"], [None, 4, "簡易案件快速窗口。", None],
                [None, 3, "測量案件電話通知。", None], [None, 2, "其他便民作法。", None]]
    project = make_land_office_project(tmp_path, sheets_with(附表1=measures))
    assert [p.format() for p in check_all(project).problems] == []
    build(project)
    assert _table_cells(project)[1] == ["簡化作業流程", "1.登記案件隨到隨辦。\n(1)簡易案件快速窗口。\n2.測量案件電話通知。\n(一)其他便民作法。",
                                        "各課"]
    with zipfile.ZipFile(project.output / f"{TITLE}.docx") as docx:
        xml = docx.read("word/document.xml").decode()
    first = next(p for p in re.findall(r"<w:p[ >].*?</w:p>", xml) if "登記案件隨到隨辦" in p)
    # the block's shallowest level (2) sits at the margin: 1. is indented by one step, its text after the label
    assert re.search(r'<w:ind w:left="(\d+)"[^>]* w:hanging="(\d+)"', first).groups() == ("720", "240")


def test_a_group_without_members_is_printed_as_written(tmp_path) -> None:
    from helpers.land_office import sheets_with

    units = SHEETS["單位"] + [["各組", "群組", None, None, None]]
    measures = [row[:] for row in SHEETS["附表1"]]
    measures[4][3] = "各組"  # 便民措施: 各組, a phrase of the plan whose members the 單位 sheet does not list
    project = make_land_office_project(tmp_path, sheets_with(單位=units, 附表1=measures))
    problems = check_all(project).problems
    assert [p.format() for p in problems] == [
        "警告：plan_master.xlsx 工作表「單位」 第 3 列 A 欄（單位名稱）：單位「測量課」在「附表1」沒有任何承辦事項。",
        "警告：plan_master.xlsx 工作表「單位」 第 4 列 A 欄（單位名稱）：單位「地價課」在「附表1」沒有任何承辦事項。",
    ]
    build(project)
    assert [row[-1] for row in _table_cells(project)] == [TABLE_HEADINGS[-1], "登記課", "各組", "資訊課\n行政課"]
