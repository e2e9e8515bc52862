"""Plans shaped as two issued plans of other offices are, written only through the documented sheets:
a table standing in 肆、計畫內容 with its dimensions as rows across it (a land office's 提升服務工作計畫), and a
four-column table whose dimension is a merged column (a city office's 提升服務品質實施計畫); every level is
numbered from the master, in the plan's own styles."""
from __future__ import annotations

import re
import zipfile

import pytest

from helpers.land_office import (
    AGENCY, ATTACHMENT_LABEL, ISSUE_LINE, PLAN_NAME, SHEETS, TABLE_HEADINGS, YEAR, facts_with, make_land_office_project,
    sheets_with,
)
from plandocs.commands.build import build
from plandocs.commands.check import check_all

DIMENSIONS = [["構面名稱", "評核類別", "配分"], ["完備基礎服務", None, None], ["提升服務效能", None, None]]


def _document(project, title: str) -> str:
    with zipfile.ZipFile(project.output / f"{title}.docx") as docx:
        return docx.read("word/document.xml").decode()


def _paragraphs(xml: str) -> list[str]:
    return ["".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p)) for p in re.findall(r"<w:p[ >].*?</w:p>", xml)]


def _rows(xml: str) -> list[str]:
    return re.findall(r"<w:tr>.*?</w:tr>", re.search(r"<w:tbl>.*</w:tbl>", xml).group())


def _cells(xml: str) -> list[list[str]]:
    """Each row of the document's one table: the text of each of its cells, its paragraphs one a line."""
    assert xml.count("<w:tbl>") == 1
    return [["\n".join(t for t in _paragraphs(c) if t) for c in re.findall(r"<w:tc>.*?</w:tc>", row)]
            for row in _rows(xml)]


# 肆、計畫內容 holds the table, and the body's text after it follows it, as the land office's plan is issued.
LAND_OFFICE_BODY = [
    ["層級", "內容", "表格"],
    [1, "計畫依據", None],
    [2, "新竹縣政府106年度提升服務實施計畫。", None],
    [1, "計畫目標", None],
    [None, "以「用心服務」為理念，持續精進服務品質。", None],
    [1, "實施對象", None],
    [None, "本所各課全體同仁。", None],
    [1, "計畫內容", None],
    [None, None, ATTACHMENT_LABEL],
    [None, "各課應依上表按季檢討辦理情形。", None],
    [1, "考核", None],
    [2, "本計畫執行情形列入年終考核。", None],
]
# Its 工作重點 are paragraphs without numbers; its 工作要領 are numbered (一)(二) under each dimension.
LAND_OFFICE_MEASURES = [
    ["構面", "評核重點", "層級", "具體作法", "承辦單位1", "承辦單位2"],
    ["完備基礎服務", "訂定年度提升服務計畫。", None, "訂定本所年度計畫並公布於網站。", "登記課", "測量課"],
    [None, "簡化作業流程。", None, "登記案件隨到隨辦。", "登記課", None],
    [None, None, None, "測量案件電話通知會同時間。", None, None],
    ["提升服務效能", "公開案件處理進度。", None, "於網站公開各類案件處理進度。", "資訊課", None],
]


def test_a_table_in_section_four_with_dimension_rows_and_numbered_key_points(tmp_path) -> None:
    facts = facts_with(構面呈現="表格列", 評核重點編號="(一)")
    project = make_land_office_project(tmp_path, sheets_with(
        計畫資料=facts, 本文=LAND_OFFICE_BODY, 構面=DIMENSIONS, 附表1=LAND_OFFICE_MEASURES))
    assert [p.format() for p in check_all(project).problems] == [
        "警告：plan_master.xlsx 工作表「單位」 第 4 列 A 欄（單位名稱）：單位「地價課」在「附表1」沒有任何承辦事項。",
        "警告：plan_master.xlsx 工作表「單位」 第 5 列 A 欄（單位名稱）：單位「行政課」在「附表1」沒有任何承辦事項。",
    ]
    build(project)
    xml = _document(project, f"{AGENCY}{YEAR}年度{PLAN_NAME}")
    table = [
        *TABLE_HEADINGS,
        "一、完備基礎服務",
        "(一)訂定年度提升服務計畫。", "訂定本所年度計畫並公布於網站。", "登記課", "測量課",
        "(二)簡化作業流程。", "登記案件隨到隨辦。", "測量案件電話通知會同時間。", "登記課",
        "二、提升服務效能",
        "(一)公開案件處理進度。", "於網站公開各類案件處理進度。", "資訊課",
    ]
    assert [t for t in _paragraphs(xml) if t] == [
        f"{AGENCY}{YEAR}年度{PLAN_NAME}", ISSUE_LINE,
        "壹、計畫依據", "一、新竹縣政府106年度提升服務實施計畫。", "貳、計畫目標", "以「用心服務」為理念，持續精進服務品質。",
        "參、實施對象", "本所各課全體同仁。", "肆、計畫內容",
        *table,
        "各課應依上表按季檢討辦理情形。", "伍、考核", "一、本計畫執行情形列入年終考核。",
    ]
    body = xml[xml.index("<w:body>"):]
    assert body.index("肆、") < body.index("<w:tbl>") < body.index("</w:tbl>") < body.index("各課應依上表") < body.index("伍、")
    assert _cells(xml) == [
        TABLE_HEADINGS,
        ["一、完備基礎服務"],
        ["(一)訂定年度提升服務計畫。", "訂定本所年度計畫並公布於網站。", "登記課\n測量課"],
        ["(二)簡化作業流程。", "登記案件隨到隨辦。\n測量案件電話通知會同時間。", "登記課"],
        ["二、提升服務效能"],
        ["(一)公開案件處理進度。", "於網站公開各類案件處理進度。", "資訊課"],
    ]
    key_point = next(p for p in re.findall(r"<w:p[ >].*?</w:p>", xml) if "簡化作業流程" in p)
    # the label hangs: (一) is two characters of 12 pt, and the wrapped lines align with the text after it
    assert re.search(r'<w:ind w:left="(\d+)"[^>]* w:hanging="(\d+)"', key_point).groups() == ("480", "480")


# 實施要項 / 執行策略 / 執行方法 / 承辦單位: the dimension merged down its key points, each level numbered.
CITY_OFFICE_TITLE = f"{AGENCY}{YEAR}年提升服務品質實施計畫"
CITY_OFFICE_COLUMNS = [["欄位", "標題", "寬度"], ["構面", "實施要項", 15], ["評核重點", "執行策略", 25],
                       ["具體作法", "執行方法", 45], ["承辦單位", "承辦單位", 15]]
CITY_OFFICE_MEASURES = [
    ["構面", "評核重點", "層級", "具體作法", "承辦單位1"],
    ["完備基礎服務", "訂定年度執行計畫，規劃為民服務工作。", None, "針對業務特性訂定執行計畫。", "各組"],
    [None, "合宜改造服務場所及設施。", 3, "辦理洽公環境檢查。", "各組"],
    [None, None, 3, "辦理服務設施檢查。", None],
    [None, None, 3, "辦理洽公環境滿意度調查。", None],
    ["提升服務效能", "運用資訊科技提供線上服務。", 3, "持續擴充網路申辦項目。", "資訊課"],
]


def test_a_four_column_table_with_a_numbered_merged_dimension_column(tmp_path) -> None:
    facts = facts_with(計畫標題=CITY_OFFICE_TITLE, 構面編號="一、", 評核重點編號="（一）")  # typed full-width
    units = SHEETS["單位"] + [["各組", "群組", None, None, None]]
    project = make_land_office_project(tmp_path, sheets_with(
        計畫資料=facts, 表格欄位=CITY_OFFICE_COLUMNS, 構面=DIMENSIONS, 附表1=CITY_OFFICE_MEASURES, 單位=units))
    assert [p.message for p in check_all(project).problems] == [
        f"單位「{name}」在「附表1」沒有任何承辦事項。" for name in ("登記課", "測量課", "地價課", "行政課")]
    build(project)
    xml = _document(project, CITY_OFFICE_TITLE)
    assert _paragraphs(xml)[0] == CITY_OFFICE_TITLE
    assert _cells(xml) == [
        ["實施要項", "執行策略", "執行方法", "承辦單位"],
        ["一、完備基礎服務", "(一)訂定年度執行計畫，規劃為民服務工作。", "針對業務特性訂定執行計畫。", "各組"],
        ["", "(二)合宜改造服務場所及設施。", "1.辦理洽公環境檢查。\n2.辦理服務設施檢查。\n3.辦理洽公環境滿意度調查。", "各組"],
        ["二、提升服務效能", "(一)運用資訊科技提供線上服務。", "1.持續擴充網路申辦項目。", "資訊課"],
    ]
    first_cells = [re.search(r"<w:tc>.*?</w:tc>", row).group() for row in _rows(xml)[1:]]
    assert [re.search(r'w:vMerge w:val="(\w+)"', c).group(1) for c in first_cells] == ["restart", "continue", "restart"]
    assert [t for t in _paragraphs(xml[:xml.index("<w:tbl>")]) if "完備基礎服務" in t] == []  # no heading above it


def test_a_numbering_fact_names_the_styles_it_may_take_and_a_typed_label_is_caught(tmp_path) -> None:
    facts = facts_with(構面呈現="表格列", 評核重點編號="甲", 構面編號="不編號")
    measures = [row[:] for row in LAND_OFFICE_MEASURES]
    measures[1][0] = "一、完備基礎服務"  # a label typed into the dimension's name
    dimensions = [DIMENSIONS[0], ["一、完備基礎服務", None, None], DIMENSIONS[2]]
    project = make_land_office_project(tmp_path, sheets_with(
        計畫資料=facts, 本文=LAND_OFFICE_BODY, 構面=dimensions, 附表1=measures))
    problems = [(p.location.sheet, p.location.row, p.message) for p in check_all(project).problems if p.is_error]
    assert problems == [("計畫資料", len(facts) - 1, "「評核重點編號」不能是「甲」；請填第一個編號的寫法，可填：「壹、」、「一、」、"
                                                    "「(一)」、「1.」、「(1)」、「甲、」、「(甲)」、「子、」、「(子)」、「不編號」。")]
    project = make_land_office_project(tmp_path / "typed", sheets_with(
        計畫資料=facts_with(構面呈現="表格列", 評核重點編號="(一)"), 本文=LAND_OFFICE_BODY, 構面=dimensions, 附表1=measures))
    warnings = [(p.location.sheet, p.location.row, p.message) for p in check_all(project).problems if not p.is_error]
    assert warnings[0] == ("構面", 2, "構面開頭的「一、」看似自行輸入的編號；構面的編號由程式產生，請刪除，否則會印出兩次"
                                      "（不要編號時，計畫資料的「構面編號」填「不編號」）。")
    # with 構面編號 不編號 the name is printed as typed, and nothing warns
    project = make_land_office_project(tmp_path / "unnumbered", sheets_with(
        計畫資料=facts_with(構面呈現="表格列", 構面編號="不編號"), 本文=LAND_OFFICE_BODY, 構面=dimensions, 附表1=measures))
    assert [p for p in check_all(project).problems if "編號" in p.message] == []
    build(project)
    cells = _cells(_document(project, f"{AGENCY}{YEAR}年度{PLAN_NAME}"))
    assert [row for row in cells if len(row) == 1] == [["一、完備基礎服務"], ["提升服務效能"]]


@pytest.mark.parametrize(("typed", "label"), [(1, "1."), (-1, "(1)")])
def test_a_numbering_label_excel_stored_as_a_number_is_the_style_typed(tmp_path, typed, label) -> None:
    """Excel keeps 「1.」 typed in a General cell as the number 1, and 「(1)」 as -1."""
    project = make_land_office_project(tmp_path, sheets_with(
        計畫資料=facts_with(構面呈現="表格列", 評核重點編號=typed), 本文=LAND_OFFICE_BODY, 構面=DIMENSIONS,
        附表1=LAND_OFFICE_MEASURES))
    assert [p.format() for p in check_all(project).problems if p.is_error] == []
    build(project)
    cells = _cells(_document(project, f"{AGENCY}{YEAR}年度{PLAN_NAME}"))
    assert [row[0] for row in cells if len(row) == 3][1:3] == [f"{label}訂定年度提升服務計畫。", f"{label.replace('1', '2')}簡化作業流程。"]


# A fifth and sixth column the plan adds: 預期效益 and 備註, typed in 附表1 on each key point's first row.
ADDED_COLUMNS = CITY_OFFICE_COLUMNS + [["預期效益", "預期效益", 15], ["備註", "備註", 10]]
ADDED_MEASURES = [row + extra for row, extra in zip(CITY_OFFICE_MEASURES, [
    ["預期效益", "備註"], ["民眾滿意度達九成。", None], [None, "每季檢討。"], [None, None], [None, None],
    ["線上申辦率提升。", "與資訊課合辦"]])]


def test_columns_the_plan_adds_print_their_text_from_the_measures_sheet(tmp_path) -> None:
    units = SHEETS["單位"] + [["各組", "群組", None, None, None]]
    project = make_land_office_project(tmp_path, sheets_with(
        計畫資料=facts_with(計畫標題=CITY_OFFICE_TITLE, 評核重點編號="(一)"), 表格欄位=ADDED_COLUMNS, 構面=DIMENSIONS,
        附表1=ADDED_MEASURES, 單位=units))
    assert [p.message for p in check_all(project).problems if p.is_error or "不會使用" in p.message] == []
    build(project)
    assert _cells(_document(project, CITY_OFFICE_TITLE)) == [
        ["實施要項", "執行策略", "執行方法", "承辦單位", "預期效益", "備註"],
        ["完備基礎服務", "(一)訂定年度執行計畫，規劃為民服務工作。", "針對業務特性訂定執行計畫。", "各組", "民眾滿意度達九成。", ""],
        ["", "(二)合宜改造服務場所及設施。", "1.辦理洽公環境檢查。\n2.辦理服務設施檢查。\n3.辦理洽公環境滿意度調查。", "各組", "",
         "每季檢討。"],
        ["提升服務效能", "(一)運用資訊科技提供線上服務。", "1.持續擴充網路申辦項目。", "資訊課", "線上申辦率提升。", "與資訊課合辦"],
    ]


def test_an_added_column_missing_from_the_measures_sheet_or_typed_below_a_key_point_is_located(tmp_path) -> None:
    measures = [row[:] for row in ADDED_MEASURES]
    measures[3][6] = "第三列的備註"  # a row without its key point
    columns = ADDED_COLUMNS + [["績效指標", "績效指標", 10], ["層級", "層級", 5]]
    units = SHEETS["單位"] + [["各組", "群組", None, None, None]]
    project = make_land_office_project(tmp_path, sheets_with(
        計畫資料=facts_with(計畫標題=CITY_OFFICE_TITLE), 表格欄位=columns, 構面=DIMENSIONS, 附表1=measures, 單位=units))
    allowed = ("可填：「構面」、「評核項目」、「評核重點」、「具體作法」、「完成期限」、「承辦單位」、「預期效益」、「備註」，"
               "或計畫自訂的欄位（在「附表1」新增同名的欄，於評核重點所在列填寫）。")
    assert [(p.location.sheet, p.location.row, p.location.column, p.message)
            for p in check_all(project).problems if p.is_error] == [
        ("表格欄位", 8, "A", f"「績效指標」不是已定義的表格欄位，「附表1」工作表也沒有此欄；{allowed}"),
        ("表格欄位", 9, "A", f"「層級」是「附表1」工作表的欄位，不印成表格的一欄；{allowed}"),
        ("附表1", 4, "G", "「備註」只填在評核重點所在的列；此列沒有評核重點，請移到該評核重點的第一列。"),
    ]


def test_an_added_column_is_matched_as_headings_are_and_merged_down_its_key_point(tmp_path) -> None:
    columns = CITY_OFFICE_COLUMNS + [["預期 效益", "預期效益", 15], ["承辦單位聯絡人", "聯絡人", 10]]
    measures = [row[:5] + [row[5]] for row in ADDED_MEASURES]
    measures[0][5] = "預期效益"
    units = SHEETS["單位"] + [["各組", "群組", None, None, None]]
    sheets = sheets_with(計畫資料=facts_with(計畫標題=CITY_OFFICE_TITLE), 表格欄位=columns, 構面=DIMENSIONS, 附表1=measures,
                         單位=units)
    project = make_land_office_project(tmp_path, sheets)
    assert [(p.location.row, p.message) for p in check_all(project).problems if p.is_error] == [
        (7, "「承辦單位聯絡人」開頭為「承辦單位」：「附表1」中這樣開頭的欄都是承辦單位，表格以「承辦單位」一欄印出；"
            "自訂的欄位請另取名稱，可填：「構面」、「評核項目」、「評核重點」、「具體作法」、「完成期限」、「承辦單位」、"
            "「預期效益」，或計畫自訂的欄位（在「附表1」新增同名的欄，於評核重點所在列填寫）。")]
    from openpyxl import load_workbook

    workbook = load_workbook(project.source)
    workbook["表格欄位"].delete_rows(7)
    workbook["附表1"].merge_cells("F3:F5")  # one key point's 預期效益 over its three practice rows
    workbook["附表1"]["F3"] = "環境滿意度提升。"
    workbook.save(project.source)
    assert [p.format() for p in check_all(project).problems if p.is_error] == []
    build(project)
    assert [row[4] for row in _cells(_document(project, CITY_OFFICE_TITLE))] == [
        "預期效益", "民眾滿意度達九成。", "環境滿意度提升。", "線上申辦率提升。"]


def test_an_added_column_filled_under_one_dimension_is_printed_in_every_dimensions_table(tmp_path) -> None:
    columns = SHEETS["表格欄位"] + [["備註", "備註", 10]]
    measures = [row + [extra] for row, extra in zip(LAND_OFFICE_MEASURES, ["備註", "每季檢討。", None, None, None])]
    project = make_land_office_project(tmp_path, sheets_with(表格欄位=columns, 構面=DIMENSIONS, 附表1=measures))
    assert [p.format() for p in check_all(project).problems if p.is_error] == []
    build(project)
    xml = _document(project, f"{AGENCY}{YEAR}年度{PLAN_NAME}")
    tables = re.findall(r"<w:tbl>.*?</w:tbl>", xml)
    assert len(tables) == 2
    assert [_cells(table)[0] for table in tables] == [TABLE_HEADINGS + ["備註"]] * 2


def test_a_table_in_the_body_with_dimension_headings_prints_each_heading_above_its_table(tmp_path) -> None:
    project = make_land_office_project(tmp_path, sheets_with(本文=LAND_OFFICE_BODY, 構面=DIMENSIONS, 附表1=LAND_OFFICE_MEASURES))
    assert [p.format() for p in check_all(project).problems if p.is_error] == []
    build(project)
    xml = _document(project, f"{AGENCY}{YEAR}年度{PLAN_NAME}")
    assert "&lt;" not in xml  # the headings are paragraphs, not their markup escaped into the text
    body = xml[xml.index("<w:body>"):]
    texts = [t for t in _paragraphs(body) if t]
    first, second = texts.index("一、完備基礎服務"), texts.index("二、提升服務效能")
    assert texts[first - 1] == "肆、計畫內容" and texts[first + 1:first + 4] == TABLE_HEADINGS
    assert first < second < texts.index("各課應依上表按季檢討辦理情形。")
    assert body.index("一、完備基礎服務") < body.index("<w:tbl>") < body.index("二、提升服務效能") < body.rindex("<w:tbl>")


def test_an_added_column_merged_over_the_next_key_point_is_located(tmp_path) -> None:
    units = SHEETS["單位"] + [["各組", "群組", None, None, None]]
    project = make_land_office_project(tmp_path, sheets_with(
        計畫資料=facts_with(計畫標題=CITY_OFFICE_TITLE), 表格欄位=ADDED_COLUMNS, 構面=DIMENSIONS, 附表1=ADDED_MEASURES,
        單位=units))
    from openpyxl import load_workbook

    workbook = load_workbook(project.source)
    workbook["附表1"]["G3"] = None
    workbook["附表1"].merge_cells("G2:G3")  # 備註 of the first key point merged over the second's first row
    workbook.save(project.source)
    assert [(p.location.row, p.location.column, p.message) for p in check_all(project).problems if p.is_error] == [
        (2, "G", "儲存格 G2:G3 已合併，跨到第 3 列的另一個「評核重點」：合併後只有第 2 列的「評核重點」讀到此格，第 3 列的視為空白；"
                 "請取消合併，並在每個「評核重點」所在的列填寫。")]
