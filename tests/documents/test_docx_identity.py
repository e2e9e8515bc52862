"""Each unit's Word 附表2 carries the form's identity as custom properties, as its workbook does."""
from __future__ import annotations

import zipfile
from pathlib import Path

import docx
from defusedxml.ElementTree import fromstring

from plandocs.documents.fill_in_form import FORM_KIND, PROPERTY_PREFIX, layout_digest


def properties(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        root = fromstring(archive.read("docProps/custom.xml"))
        content_types = archive.read("[Content_Types].xml").decode()
        relationships = archive.read("_rels/.rels").decode()
    assert "/docProps/custom.xml" in content_types and "custom-properties" in relationships
    return {element.get("name"): element[0].text for element in root}


def test_every_units_word_form_names_its_unit_year_version_and_layout(shipped_build, shipped_output):
    plan = shipped_build.plan
    for unit in plan.receiving_units():
        (path,) = (shipped_output / "各單位").glob(f"{unit.name}/*.docx")
        assert properties(path) == {
            f"{PROPERTY_PREFIX}表單種類": FORM_KIND, f"{PROPERTY_PREFIX}計畫年度": str(plan.facts.year),
            f"{PROPERTY_PREFIX}單位": unit.name, f"{PROPERTY_PREFIX}表單版本": str(plan.facts.form_version),
            f"{PROPERTY_PREFIX}版面摘要": layout_digest(plan),
        }
        assert len(docx.Document(path).tables) == 1  # still the form Word opens
