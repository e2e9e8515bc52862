"""`plandocs check` warns of template faults Word may repair and rendering cannot fix; ordering faults it fixes."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from plandocs.commands.check import check_all
from plandocs.documents.contexts import roster_context
from plandocs.documents.render import render_template
from plandocs.master.validate import check_master
from plandocs.office.ooxml_order import ordering_faults


def rewrite_part(path: Path, part: str, change) -> None:
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info, change(data) if info.filename == part else data)
    path.write_bytes(buffer.getvalue())


def test_a_property_the_schema_does_not_allow_in_a_cell_is_warned_of_with_its_place(project):
    rewrite_part(project.templates / "roster.docx", "word/document.xml",
                 lambda xml: xml.replace(b"<w:tcPr>", b'<w:tcPr><w:jc w:val="center"/>', 2))
    warnings = [p for p in check_all(project).problems if "w:jc" in p.message]
    assert len(warnings) == 1 and not warnings[0].is_error
    assert warnings[0].location.file == "roster.docx" and warnings[0].location.place == "word/document.xml"
    assert "文件本文的儲存格格式（w:tcPr）含有不應出現的設定 w:jc（2 處）" in warnings[0].message


def test_properties_out_of_order_are_not_warned_of_and_rendered_in_order(project):
    template = project.templates / "roster.docx"
    shading = b'<w:shd w:val="clear" w:color="auto" w:fill="D9D9D9"/>'
    rewrite_part(template, "word/document.xml",  # as the template was before it was normalized
                 lambda xml: xml.replace(shading + b'<w:vAlign w:val="center"/>', b'<w:vAlign w:val="center"/>' + shading))
    with zipfile.ZipFile(template) as package:
        assert ("tcPr", "shd") in ordering_faults(package.read("word/document.xml"))
    assert [p for p in check_all(project, render=False).problems if "w:" in p.message] == []
    plan = check_master(project.source).plan
    rendered = render_template(template, lambda styles: roster_context(plan, styles))
    with zipfile.ZipFile(io.BytesIO(rendered)) as package:
        assert ordering_faults(package.read("word/document.xml")) == []
