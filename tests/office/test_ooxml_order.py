"""Every Office file plandocs writes or ships is valid Office Open XML, checked by an independent validator."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from helpers.project import SHIPPED_TEMPLATES, make_project
from helpers.returns_factory import filled
from plandocs.commands.build import build
from plandocs.commands.collect import collect
from plandocs.paths import Paths
from plandocs.office.ooxml_order import normalize_docx, order_part, ordering_faults

openxml_audit = pytest.importorskip("openxml_audit", reason="the OOXML validator is a test dependency")

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def schema_violations(path: Path) -> list[str]:
    """What the validator finds, but the note on XlsxWriter's inline strings (valid OOXML that Excel converts
    on saving: the constant-memory mode that writes large workbooks fast)."""
    result = openxml_audit.OpenXmlValidator(max_errors=1000).validate(str(path))
    return [f"{e.error_type.name}: {e.description} @ {getattr(e, 'path', '')}" for e in result.errors
            if not (path.suffix == ".xlsx" and e.error_type.name == "SEMANTIC" and "inlineStr" in e.description)]


def test_cell_properties_are_put_in_schema_order_and_duplicates_dropped():
    xml = (f'<w:document {W}><w:body><w:tbl><w:tblPr><w:tblLayout w:type="autofit"/><w:tblW w:w="0" w:type="auto"/>'
           '<w:tblLayout w:type="fixed"/></w:tblPr><w:tr><w:tc><w:tcPr><w:tcW w:w="1" w:type="dxa"/>'
           '<w:vAlign w:val="top"/><w:shd w:fill="D9D9D9"/><w:vMerge w:val="restart"/></w:tcPr><w:p/></w:tc></w:tr>'
           '</w:tbl></w:body></w:document>').encode()
    assert set(ordering_faults(xml)) == {("tblPr", "tblW"), ("tblPr", "tblLayout"), ("tcPr", "shd"), ("tcPr", "vMerge")}
    ordered = order_part(xml)
    assert ordering_faults(ordered) == []
    text = ordered.decode()
    assert '<w:tblPr><w:tblW w:w="0" w:type="auto"/><w:tblLayout w:type="fixed"/></w:tblPr>' in text  # the last kept
    assert ('<w:tcPr><w:tcW w:w="1" w:type="dxa"/><w:vMerge w:val="restart"/><w:shd w:fill="D9D9D9"/>'
            '<w:vAlign w:val="top"/></w:tcPr>') in text
    assert order_part(ordered) == ordered  # nothing left to move: the same bytes


def test_an_unknown_extension_element_stays_after_its_predecessor():
    xml = (f'<w:document {W} xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"><w:body><w:p><w:r>'
           '<w:rPr><w:sz w:val="24"/><w14:ligatures w14:val="all"/><w:b/></w:rPr><w:t>x</w:t></w:r></w:p></w:body>'
           '</w:document>').encode()
    assert b'<w:rPr><w:b/><w:sz w:val="24"/><w14:ligatures w14:val="all"/></w:rPr>' in order_part(xml)


def test_normalizing_twice_gives_the_same_bytes():
    data = (SHIPPED_TEMPLATES / "plan.docx").read_bytes()
    once = normalize_docx(data)
    assert normalize_docx(once) == once
    with zipfile.ZipFile(io.BytesIO(once)) as package:
        assert "word/stylesWithEffects.xml" not in package.namelist()
        assert b"stylesWithEffects" not in package.read("word/_rels/document.xml.rels")


@pytest.mark.parametrize("name", sorted(p.name for p in SHIPPED_TEMPLATES.glob("*.docx")))
def test_shipped_templates_are_valid(name):
    assert schema_violations(SHIPPED_TEMPLATES / name) == []


def test_every_file_of_a_build_and_of_a_collect_is_valid(tmp_path):
    paths = make_project(tmp_path / "project")
    build(paths)
    returns = tmp_path / "returns"
    returns.mkdir()
    for unit in ("中正第一分局", "大同分局", "統計室"):
        filled(paths.output, unit).save(returns / f"{unit}_回報.xlsx")
    owing = filled(paths.output, "萬華分局")
    owing.report("1.1.1", None)  # a blank 辦理情形: the unit gets a 補正 workbook, written by openpyxl
    owing.save(returns / "萬華分局_回報.xlsx")
    collect(paths, returns)
    files = sorted(p for p in paths.output.rglob("*") if p.suffix in (".docx", ".xlsx"))
    kinds = {p.suffix for p in files}
    assert kinds == {".docx", ".xlsx"} and len(files) > 70  # the circular, roster, 38 forms and workbooks, collect's
    assert any("回報彙整" in p.parts[-2] for p in files)
    assert [p.name for p in files if "補正" in p.parts] == ["萬華分局_補正活頁簿.xlsx"]
    violations = {str(p.relative_to(paths.output)): schema_violations(p) for p in files}
    assert {name: found for name, found in violations.items() if found} == {}


def test_the_masters_new_and_rollover_write_are_valid(tmp_path):
    from plandocs.commands.new import new_project
    from plandocs.commands.rollover import rollover

    project = tmp_path / "新計畫"
    new_project(project)
    master = Paths.under(project).source
    rolled = rollover(master).target
    assert schema_violations(master) == [] and schema_violations(rolled) == []
