"""The page flow on a document built here: a row many pages tall, a table's last row, as pagination leaves them."""
from __future__ import annotations

from docx import Document
from docx.oxml.ns import qn

from plandocs.documents.page_model import Styles, paragraph_height, section_pages
from plandocs.documents.pagination import paginate

REPLIES = [f"第{number}個單位：已依計畫辦理完成，並於期限前提供辦理情形。" for number in range(1, 401)]


def reply_table():
    """A heading row, one key point whose cell holds 400 replies (many pages), and a short last row."""
    document = Document()
    table = document.add_table(rows=3, cols=2)
    table.style = "Table Grid"
    heading, tall, last = table.rows
    heading.cells[0].text, heading.cells[1].text = "評核重點", "辦理情形"
    heading._tr.get_or_add_trPr().append(heading._tr.makeelement(qn("w:tblHeader"), {}))
    tall.cells[0].text = "服務及時性"
    cell = tall.cells[1]
    cell.text = REPLIES[0]
    for reply in REPLIES[1:]:
        cell.add_paragraph(reply)
    last.cells[0].text, last.cells[1].text = "其他服務作法", "無"
    return document


def text_width(table) -> int:
    """The second column's text width in twips, as pagination left it (Table Grid's cell margins: 108 each)."""
    return int(table._tbl.tblGrid.gridCol_lst[1].get(qn("w:w"))) - 2 * 108


def paginated(document):
    paginate(document.element, document.styles.element)
    return document.tables[0]


def test_a_row_many_pages_tall_is_split_into_pieces_that_each_fit_a_page_keeping_every_reply_in_order():
    document = reply_table()
    table = paginated(document)
    pieces = table.rows[1:-1]
    assert len(pieces) > 5
    assert [p.text for row in pieces for p in row.cells[1].paragraphs] == REPLIES
    assert [row.cells[0].text for row in pieces] == ["服務及時性"] * len(pieces)  # the label on every page
    styles = Styles(document.styles.element)
    page = section_pages(document.element.body)[0][1]
    width = text_width(document.tables[0])
    for row in pieces:
        height = sum(paragraph_height(p._p, styles, width) for p in row.cells[1].paragraphs)
        assert height <= page.height
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows[1:])


def test_the_last_row_is_kept_with_the_piece_just_before_it_not_with_an_earlier_one():
    table = paginated(reply_table())
    rows = table.rows

    def kept_with_next(row) -> bool:
        return row._tr.find(".//" + qn("w:keepNext")) is not None

    assert kept_with_next(rows[-2])
    assert not any(kept_with_next(row) for row in rows[1:-2])
    assert not kept_with_next(rows[-1])


def test_an_items_label_merged_down_many_pages_is_named_again_at_the_top_of_each():
    document = Document()
    table = document.add_table(rows=301, cols=2)
    table.style = "Table Grid"
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "項目", "辦理情形"
    table.rows[0]._tr.get_or_add_trPr().append(table.rows[0]._tr.makeelement(qn("w:tblHeader"), {}))
    for row, reply in zip(table.rows[1:], REPLIES):
        row.cells[1].text = reply
    label = table.cell(1, 0).merge(table.cell(300, 0))
    label.text = "服務一致及正確"
    paginate(document.element, document.styles.element)

    def merge_of(row) -> str | None:
        merge = row._tr.tc_lst[0].tcPr.find(qn("w:vMerge"))
        return None if merge is None else merge.get(qn("w:val"), "continue")

    rows = table.rows[1:]
    starts = [n for n, row in enumerate(rows) if merge_of(row) == "restart"]
    assert starts[0] == 0 and len(starts) >= 4  # 300 replies of two lines fill several pages
    assert all(rows[n]._tr.tc_lst[0].xpath("string(.)") == "服務一致及正確" for n in starts)
    assert all(merge_of(row) == "continue" for n, row in enumerate(rows) if n not in starts)
    styles = Styles(document.styles.element)
    page = section_pages(document.element.body)[0][1]
    width = text_width(table)
    heights = [sum(paragraph_height(p._p, styles, width) for p in row.cells[1].paragraphs) for row in rows]
    for start, end in zip(starts, starts[1:]):
        assert sum(heights[start:end]) <= page.height < sum(heights[start:end + 1]) + 15 * (end - start + 1)


LONG_NAMES = ["臺北市政府警察局中正第一分局", "臺北市政府警察局大安分局", "秘書室"]


def names_table(document):
    """A narrow column of unit names longer than six characters beside a wide column of text."""
    table = document.add_table(rows=len(LONG_NAMES) + 1, cols=2)
    table.style = "Table Grid"
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "單位", "辦理情形"
    for row, name in zip(table.rows[1:], LONG_NAMES):
        row.cells[0].text, row.cells[1].text = name, REPLIES[0] * 3
    grid = table._tbl.tblGrid.gridCol_lst
    grid[0].set(qn("w:w"), "1400")
    grid[1].set(qn("w:w"), "7240")
    return table


def first_column_width(table) -> int:
    return int(table._tbl.tblGrid.gridCol_lst[0].get(qn("w:w")))


def test_the_units_names_are_kept_whole_in_a_column_that_lists_them_however_long():
    document = Document()
    table = names_table(document)
    paginate(document.element, document.styles.element, frozenset(LONG_NAMES))
    em = Styles(document.styles.element).of(table.rows[1].cells[0].paragraphs[0]._p).size * 10  # twips
    longest = max(len(name) for name in LONG_NAMES) * em  # CJK characters are one em wide
    assert first_column_width(table) >= longest + 2 * 108
    assert sum(int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.gridCol_lst) == 1400 + 7240


def test_a_name_no_width_can_keep_whole_still_leaves_the_dates_beside_it_whole():
    """Six upright columns and a unit's name of 16 characters: the names must break, a date need not."""
    name = "新北市政府環境保護局環境稽查大隊"
    document = Document()
    table = document.add_table(rows=2, cols=6)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["評核重點", "具體作法", "完成期限", "承辦單位", "備註", "其他"]):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ["簡化流程", REPLIES[0] * 4, "108年12月31日前", name, "無", "無"]):
        cell.text = text
    for column, width in zip(table._tbl.tblGrid.gridCol_lst, [1000, 4200, 840, 1008, 1000, 1000]):
        column.set(qn("w:w"), str(width))
    paginate(document.element, document.styles.element, frozenset([name]))
    widths = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.gridCol_lst]
    em = Styles(document.styles.element).of(table.rows[1].cells[2].paragraphs[0]._p).size * 10
    assert sum(widths) == 9048 and widths[3] < len(name) * em  # the name cannot be kept on one line
    assert widths[2] >= 3.5 * em + 2 * 108 > 840  # 「12月31日」 is one unbreakable token, and the column grew to it


def test_the_column_of_names_that_cannot_fit_gives_up_its_names_alone():
    """Beside the 16-character name, a column of two 10-character names still keeps each whole."""
    long_name, others = "新北市政府環境保護局環境稽查大隊", ["中正第一分局交通分隊", "中正第二分局交通分隊"]
    document = Document()
    table = document.add_table(rows=2, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["評核重點", "具體作法", "完成期限", "承辦單位", "協辦"]):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ["簡化流程", REPLIES[0] * 4, "108年12月31日前", long_name, "、".join(others)]):
        cell.text = text
    for column, width in zip(table._tbl.tblGrid.gridCol_lst, [1000, 1700, 840, 1008, 2700]):
        column.set(qn("w:w"), str(width))
    paginate(document.element, document.styles.element, frozenset([long_name, *others]))
    widths = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.gridCol_lst]
    em = Styles(document.styles.element).of(table.rows[1].cells[2].paragraphs[0]._p).size * 10
    assert sum(widths) == 7248 and widths[3] < len(long_name) * em
    assert widths[4] >= 10 * em + 2 * 108


def test_names_the_plan_does_not_know_are_free_text_and_keep_the_templates_width():
    document = Document()
    table = names_table(document)
    paginate(document.element, document.styles.element)
    assert first_column_width(table) == 1400


def test_of_two_cells_many_pages_tall_the_first_is_split_and_the_cells_before_it_are_the_labels():
    """A report's row: the key point, every unit's reply, then the units that have not replied."""
    document = Document()
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    label, replies, missing = table.rows[0].cells
    label.text = "服務及時性"
    names = [f"第{number}分局" for number in range(1, 301)]
    for cell, texts in ((replies, REPLIES[:300]), (missing, names)):
        cell.text = texts[0]
        for text in texts[1:]:
            cell.add_paragraph(text)
    paginate(document.element, document.styles.element)
    pieces = table.rows
    assert len(pieces) > 3
    assert [row.cells[0].text for row in pieces] == ["服務及時性"] * len(pieces)
    assert [p.text for row in pieces for p in row.cells[1].paragraphs if p.text] == REPLIES[:300]
    assert [p.text for row in pieces for p in row.cells[2].paragraphs if p.text] == names


UNIT_NAMES = [f"{place}分局" for place in ("中正第一", "中正第二", "大同", "萬華", "中山", "大安", "信義", "松山", "士林",
                                          "北投", "內湖", "南港", "文山第一", "文山第二")]


def _name_list(document, lead: str, listed: list[str]):
    paragraph = document.add_paragraph(lead + "：" + "、".join(listed) + "。")
    paginate(document.element, document.styles.element, frozenset(UNIT_NAMES))
    lines = "".join(t.text or "\n" for t in paragraph._p.iter(qn("w:t"), qn("w:br")))
    return paragraph, lines.split("\n")


def test_a_list_of_names_breaks_before_a_name_that_would_reach_the_lines_end_and_is_set_flush_left():
    """Letter paper, 1 in margins and 11 pt: a line holds 42.5 characters."""
    paragraph, lines = _name_list(Document(), "截至本日尚未回報之單位", UNIT_NAMES)
    assert len(lines) == 3 and "".join(lines).endswith("文山第二分局。")
    assert all(line.startswith(tuple(UNIT_NAMES)) for line in lines[1:])  # every line after the first starts a name
    assert all(len(line) <= 42 for line in lines)
    assert paragraph._p.pPr.find(qn("w:jc")).get(qn("w:val")) == "left"


def test_a_list_that_fits_its_line_and_a_sentence_that_only_ends_in_names_keep_their_lines():
    paragraph, lines = _name_list(Document(), "尚未回報", UNIT_NAMES[:5])
    assert len(lines) == 1
    assert paragraph._p.pPr is None or paragraph._p.pPr.find(qn("w:jc")) is None
    lead = "為使本計畫各項工作確實推動，落實便民服務及提升為民服務品質，並定期檢討執行成效，本局指定下列單位負責督導考核"
    _, lines = _name_list(Document(), lead, UNIT_NAMES[:2])
    assert lines == [lead + "：中正第一分局、中正第二分局。"]  # the sentence wraps as the office program sets it
