"""The circular built from the shipped master: its text, tables, merges, layout and reproducibility."""
from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from helpers.tables import logical_rows
from plandocs.commands.build import build, render_outputs
from plandocs.errors import ValidationFailed
from plandocs.master.validate import check_master

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TITLE = "臺北市政府警察局107年度提升服務品質執行計畫"


@pytest.fixture(scope="module")
def circular(shipped_output: Path):
    return Document(str(shipped_output / f"{TITLE}.docx"))


def body_texts(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.text.strip()]


def cell_texts(cell) -> list[str]:
    return [p.text for p in cell.paragraphs]


def vmerge(row, column: int) -> str | None:
    """The vertical-merge state of a row's cell, read from the XML (python-docx hides continued cells)."""
    properties = row._tr.tc_lst[column].tcPr
    merge = properties.find(qn("w:vMerge")) if properties is not None else None
    return None if merge is None else merge.get(qn("w:val"), "continue")


def test_title_and_issue_line_open_the_circular(circular):
    texts = body_texts(circular)
    assert texts[0] == TITLE
    assert texts[1] == "本局107年4月2日北市警秘字第10733653600號函頒"


def test_body_sections_are_numbered_from_their_levels(circular):
    texts = body_texts(circular)
    headings = [t for t in texts if t[:2] in {f"{n}、" for n in "壹貳參肆伍陸柒捌"}]
    assert headings == ["壹、計畫依據", "貳、計畫目標", "參、執行對象", "肆、執行期程", "伍、計畫內容", "陸、執行步驟",
                        "柒、考核獎懲", "捌、附件"]
    assert "(一)內政部警政署將針對各警察機關推動、執行情形，實施不定期考核，並針對缺失隨時輔導改進，俾作為年度績效評核及推薦參獎之依據。" in texts
    # the reference numbers the attachments 一、 二、 二、; generated numbers cannot repeat
    attachments = texts[texts.index("捌、附件") + 1: texts.index("捌、附件") + 4]
    assert [t[:2] for t in attachments] == ["一、", "二、", "三、"]
    assert attachments[2] == "三、提升服務品質專案推動小組編組名冊（附表3）。"


def test_each_dimension_has_its_heading_and_table(circular):
    texts = body_texts(circular)
    headings = ["一、個別評核構面-基礎服務（200分）", "二、個別評核構面-服務遞送（300分）", "三、個別評核構面-服務量能（200分）",
                "四、個別評核構面-服務評價（200分）", "五、整體評核構面-開放創新（100分）"]
    assert [t for t in texts if "評核構面-" in t] == headings
    tables = circular.tables
    assert len(tables) == 7  # five dimensions, the blank 附表2 and 附表3
    assert [c.text for c in tables[0].rows[0].cells] == ["評核項目", "評核重點", "具體作法", "完成期限", "承辦單位"]
    assert [c.text for c in tables[4].rows[0].cells] == ["評核重點", "具體作法"]
    assert [r.cells[0].text for r in tables[4].rows[1:]] == ["開放參與", "創新性"]


def test_header_rows_repeat_on_every_page_and_form_rows_do_not_split(circular):
    for table in circular.tables:
        header = table.rows[0]._tr.trPr
        assert header is not None and header.find(qn("w:tblHeader")) is not None
    # 附表1 rows run over pages as in the issued plan; the rows of 附表2 and 附表3 stay whole
    for table in circular.tables[5:]:
        for row in table.rows[1:]:
            assert row._tr.trPr.find(qn("w:cantSplit")) is not None


def test_item_cells_are_merged_vertically_over_their_key_points(circular):
    basic = circular.tables[0]
    rows = logical_rows(basic)  # a merge restarts, with its label, on a page a split row continues onto
    assert len(rows) == 9  # 4 key points of 服務一致及正確, 5 of 服務友善
    assert vmerge(basic.rows[1], 0) == "restart"
    assert [r[0] for r in rows] == [["服務一致及正確"]] * 4 + [["服務友善"]] * 5
    assert [r[1] for r in rows[:4]] == [["申辦業務標準作業流程訂定情形"], ["服務及時性"], ["服務人員專業度"], ["其他服務作法"]]


def test_practices_keep_their_outline_and_the_28_services(circular):
    practices = logical_rows(circular.tables[0])[0][2]
    assert practices[0].startswith("一、本局現有提供民眾申辦之各項業務公布於「臺北市民e點通」網站")
    assert practices[1].startswith("(一)本局提供民眾申辦業務26項")
    services = [p for p in practices if p[:1].isdigit()]
    assert len(services) == 28
    assert services[0] == "1.集會遊行申請。" and services[27] == "28.交通大隊受理之違規申訴案件。"
    assert practices[-1].startswith("二、檢討民眾申辦案件標準作業流程有無需新增或修正")


def test_deadline_and_responsible_units_are_printed_as_written(circular):
    first = logical_rows(circular.tables[0])[0]
    assert first[3] == ["持續檢討辦理，並請於6月29日前提供106、107年申辦件數及辦理情形"]
    assert first[4] == ["各分局、大隊、隊", "各業務單位", "保安科", "外事科", "犯防科", "行政科",
                                          "刑警大隊", "交通大隊"]


def test_blank_survey_form_and_roster_are_attached(circular):
    texts = body_texts(circular)
    assert "附表2" in texts and "附表3" in texts
    # the title breaks between the agency's part and the form's name
    assert "臺北市政府警察局(單位名稱)107年提升服務品質組織診斷具體作法措施調查表" in [t.replace("\n", "") for t in texts]
    survey = circular.tables[5]
    topics = [r.cells[1].text for r in survey.rows[1:]]
    assert topics == ["服務一致及正確", "服務友善", "服務便捷", "服務可近性", "服務成長及優化", "內部作業簡化",
                      "服務精進機制", "服務滿意情形", "意見回應處理情形", "開放參與", "創新性"]
    assert [vmerge(r, 0) for r in survey.rows[1:4]] == ["restart", "continue", "restart"]
    roster = circular.tables[6]
    assert [c.text for c in roster.rows[1].cells[:4]] == ["召集人", "召集人", "副局長", "蔡耀坤"]
    names = [r.cells[3].text for r in roster.rows[1:]]
    assert len(names) == 19 and names[-2:] == ["柯巧心", "許能全"]


def test_each_attached_table_starts_on_a_new_page(circular):
    labels = [p for p in circular.paragraphs if p.text in {"附表1", "附表2", "附表3"}]
    assert [p.text for p in labels] == ["附表1", "附表2", "附表3"]
    assert all(p.style.paragraph_format.page_break_before for p in labels)


def test_page_is_a4_with_official_margins_and_page_numbers(circular):
    section = circular.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert section.left_margin.cm >= 2.5
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "NUMPAGES" in footer_xml and "頁，共" in footer_xml


def test_east_asian_text_is_set_in_kai_with_latin_in_times(circular):
    defaults = circular.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = defaults.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "標楷體" and fonts.get(qn("w:ascii")) == "Times New Roman"
    assert fonts.get(qn("w:eastAsiaTheme")) is None
    assert defaults.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-TW"


def test_markup_characters_and_template_tags_in_the_master_print_intact(project, edit_master):
    edit_master({"附表1": {"E2": "R&D <研究> {{ title }} {% if x %}"}, "計畫資料": {"B5": "R&D <研究>計畫"}})
    report = build(project)
    document = Document(str(report.written[0]))
    texts = [p.text for p in document.paragraphs]
    assert any("R&D <研究>計畫" in t for t in texts)
    practices = logical_rows(document.tables[0])[0][2]
    assert practices[0] == "一、R&D <研究> {{ title }} {% if x %}"


def test_excel_escapes_and_line_ends_are_decoded(project, edit_master):
    edit_master({"附表1": {"E2": "第一行_x000D_\n第二行\r\n第三行"}})
    plan = check_master(project.source).require()
    assert plan.dimensions[0].key_points[0].practices[0].text == "第一行\n第二行\n第三行"


def test_building_twice_gives_byte_identical_files(project):
    plan = check_master(project.source).require()
    first = render_outputs(plan, project)
    second = render_outputs(plan, project)
    assert [a.path for a in first.artifacts] == [a.path for a in second.artifacts]
    assert [a.data for a in first.artifacts] == [a.data for a in second.artifacts]
    assert first.manifest() == second.manifest()


def test_a_failed_build_leaves_previous_outputs_untouched(project, edit_master):
    build(project)
    before = {p: p.read_bytes() for p in project.output.rglob("*") if p.is_file()}
    edit_master({"附表1": {"H2": "不存在的單位"}})
    with pytest.raises(ValidationFailed) as raised:
        build(project)
    assert [(p.location.sheet, p.location.cell()) for p in raised.value.problems if p.is_error] == [("附表1", "H2")]
    after = {p: p.read_bytes() for p in project.output.rglob("*") if p.is_file()}
    assert after == before


def test_document_xml_has_no_control_characters(shipped_output: Path):
    import zipfile

    with zipfile.ZipFile(shipped_output / f"{TITLE}.docx") as package:
        xml = package.read("word/document.xml").decode("utf-8")
    assert not any(ord(c) < 32 and c not in "\t\n\r" for c in xml)
