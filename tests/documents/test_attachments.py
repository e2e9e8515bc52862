"""The attachments are the master's: which ones, their labels, titles and order."""
from __future__ import annotations

import io
import re
import zipfile

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
