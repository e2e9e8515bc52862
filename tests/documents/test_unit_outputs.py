"""What every receiving unit is sent: its 附表2 .docx and its workbook, in its own folder, listed in the manifest."""
from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from pathlib import Path, PurePosixPath

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from plandocs.commands.build import UNITS_FOLDER, build
from plandocs.documents.docx_identity import with_identity
from plandocs.documents.fill_in_form import IDENTITY_SHEET, PROGRESS_SHEET, SURVEY_SHEET, identity
from plandocs.office.output import MANIFEST, reproducible
from plandocs.documents.contexts import survey_context
from plandocs.documents.render import document_time, render_template
from plandocs.documents.templates import SURVEY_TEMPLATE
from plandocs.documents.unit_copies import PLACEHOLDER, UnitPrototype, copies_per_unit
from plandocs.documents.fill_in_workbook import FILL_IN_WORKBOOK_KIND, fill_in_workbook

from helpers.project import make_project
from helpers.project import REFERENCE_TOPICS

SURVEY_KIND = "附表2調查表"
# the docx prints each dimension once, in the first cell of its vertically merged column
SURVEY_ITEMS = [(d if i == 0 or REFERENCE_TOPICS[i - 1][0] != d else "", t)
                for i, (d, t) in enumerate(REFERENCE_TOPICS)]
# Units added to the master by the edited build: no responsibilities, XML-special characters, a character
# Windows refuses, a reserved device name, a line break (rendered directly, not stamped in), a long name
# whose titles wrap onto more lines than the others'.
LONG_NAME = "中正第一分局交通分隊暨婦幼安全工作站"
ADDED_UNITS = [("研發&<測試>室", "室"), ("資訊/通訊室", "室"), ("CON", "室"), ("測試\t隊", "隊"), (LONG_NAME, "室")]
WINDOWS_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def manifest_rows(output: Path) -> list[dict[str, str]]:
    with (output / MANIFEST).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def unit_files(output: Path) -> dict[str, dict[str, Path]]:
    """unit → {kind: path} for every per-unit file of the manifest."""
    files: dict[str, dict[str, Path]] = {}
    for row in manifest_rows(output):
        if row["單位"]:
            files.setdefault(row["單位"], {})[row["類型"]] = output / row["檔案"]
    return files


def survey_rows(document) -> list[tuple[str, str]]:
    table = document.tables[0]
    return [(row.cells[0].text if vmerge(row, 0) != "continue" else "", row.cells[1].text) for row in table.rows[1:]]


def vmerge(row, column: int) -> str | None:
    properties = row._tr.tc_lst[column].tcPr
    merge = properties.find(qn("w:vMerge")) if properties is not None else None
    return None if merge is None else merge.get(qn("w:val"), "continue")


def title_of(document) -> str:
    return next(p.text for p in document.paragraphs if "調查表" in p.text)


def test_every_receiving_unit_gets_one_docx_and_one_workbook_in_its_folder(shipped_build, shipped_output):
    receiving = [u.name for u in shipped_build.plan.receiving_units()]
    files = unit_files(shipped_output)
    assert list(files) == receiving and len(receiving) == 38
    for unit, kinds in files.items():
        assert set(kinds) >= {SURVEY_KIND, FILL_IN_WORKBOOK_KIND}
        assert kinds[SURVEY_KIND] == shipped_output / UNITS_FOLDER / unit / f"{unit}_附表2調查表.docx"
        assert kinds[FILL_IN_WORKBOOK_KIND] == shipped_output / UNITS_FOLDER / unit / f"{unit}_{FILL_IN_WORKBOOK_KIND}.xlsx"
    for row in manifest_rows(shipped_output):
        data = (shipped_output / row["檔案"]).read_bytes()
        assert row["SHA-256"] == hashlib.sha256(data).hexdigest() and int(row["位元組"]) == len(data)
        assert bool(row["單位"]) == row["檔案"].startswith(UNITS_FOLDER + "/")


def test_the_survey_docx_has_the_units_title_items_merged_dimensions_and_note(shipped_output):
    document = Document(str(unit_files(shipped_output)["中正第一分局"][SURVEY_KIND]))
    assert title_of(document).replace("\n", "") == "臺北市政府警察局中正第一分局107年提升服務品質組織診斷具體作法措施調查表"
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["構面名稱", "項目", "措施名稱", "措施內容"]
    assert survey_rows(document) == SURVEY_ITEMS
    merges = [vmerge(row, 0) for row in table.rows[1:]]
    assert merges == ["restart", "continue", "restart", "continue", "continue", "restart", "continue",
                      "restart", "continue", "restart", "continue"]
    assert "(本表若不敷使用請自行擴充)" in [p.text.strip() for p in document.paragraphs]


def test_each_units_files_carry_that_units_name(shipped_build, shipped_output):
    """Units share renderings (unitcopies); each copy must still say whose it is."""
    for unit, kinds in unit_files(shipped_output).items():
        assert unit in title_of(Document(str(kinds[SURVEY_KIND]))), unit
        workbook = load_workbook(kinds[FILL_IN_WORKBOOK_KIND])
        assert workbook[SURVEY_SHEET]["A1"].value.startswith(f"臺北市政府警察局{unit}107年"), unit
        assert dict(workbook[IDENTITY_SHEET].iter_rows(values_only=True))["單位"] == unit
        assert {p.name: p.value for p in workbook.custom_doc_props.props}["plandocs.單位"] == unit


def test_rebuilding_gives_identical_bytes(shipped_output, tmp_path):
    again = build(make_project(tmp_path / "again"))
    assert again.written
    rebuilt = tmp_path / "again" / "output"
    for row in manifest_rows(shipped_output):
        assert (rebuilt / row["檔案"]).read_bytes() == (shipped_output / row["檔案"]).read_bytes(), row["檔案"]
    assert (rebuilt / MANIFEST).read_bytes() == (shipped_output / MANIFEST).read_bytes()


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    """A build of the shipped master with 各業務單位 taken off key point 1.1.1 and ADDED_UNITS appended."""
    paths = make_project(tmp_path_factory.mktemp("edited") / "project")
    workbook = load_workbook(paths.source)
    measures = workbook["附表1"]
    assert measures["I2"].value == "各業務單位"
    measures["I2"] = None
    units = workbook["單位"]
    for name, category in ADDED_UNITS:
        units.append([name, category, None, None, "是"])
    workbook.save(paths.source)
    return build(paths), paths.output


def test_a_unit_with_no_responsibilities_still_gets_its_survey(edited):
    report, output = edited
    assert any("「會計室」在「附表1」沒有任何承辦事項" in p.message for p in report.problems)
    files = unit_files(output)
    for unit in ("會計室", "研發&<測試>室"):
        assert unit in title_of(Document(str(files[unit][SURVEY_KIND])))
        workbook = load_workbook(files[unit][FILL_IN_WORKBOOK_KIND])
        progress = workbook[PROGRESS_SHEET]
        assert progress.max_row == 3 and "本表免填" in progress["A2"].value
        assert workbook[SURVEY_SHEET]["A1"].value == f"臺北市政府警察局{unit}107年提升服務品質組織診斷具體作法措施調查表"


def test_file_names_are_safe_on_windows_and_distinct_without_case(edited):
    _, output = edited
    paths = [PurePosixPath(row["檔案"]) for row in manifest_rows(output)]
    for path in paths:
        for part in path.parts:
            assert not WINDOWS_FORBIDDEN.search(part), part
            assert part.split(".")[0].upper() not in WINDOWS_RESERVED, part
            assert not part.endswith((".", " ")) and len(part) <= 150, part
    assert len({str(p).casefold() for p in paths}) == len(paths)
    folders = {row["單位"]: PurePosixPath(row["檔案"]).parent.name for row in manifest_rows(output) if row["單位"]}
    assert folders["資訊/通訊室"] == "資訊＿通訊室" and folders["CON"] == "＿CON"
    assert folders["測試\t隊"] == "測試＿隊"


def test_names_with_special_characters_are_written_intact(edited):
    report, output = edited
    files = unit_files(output)
    for unit in ("研發&<測試>室", "測試\t隊"):
        workbook = load_workbook(files[unit][FILL_IN_WORKBOOK_KIND])
        assert dict(workbook[IDENTITY_SHEET].iter_rows(values_only=True))["單位"] == unit
    document = Document(str(files["研發&<測試>室"][SURVEY_KIND]))
    assert title_of(document).replace("\n", "") == "臺北市政府警察局研發&<測試>室107年提升服務品質組織診斷具體作法措施調查表"
    # a control character in a name (check refuses line breaks) is kept in the title, and ＿ in the file name
    assert "臺北市政府警察局測試\t隊" in title_of(Document(str(files["測試\t隊"][SURVEY_KIND])))


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_stamped_copy_equals_a_direct_rendering_part_by_part(edited):
    """The prototype path and the direct path give the same content: only the zip framing may differ."""
    report, output = edited
    plan = report.plan
    unit = next(u for u in plan.units if u.name == "研發&<測試>室")
    files = unit_files(output)[unit.name]
    assert parts(files[FILL_IN_WORKBOOK_KIND].read_bytes()) == parts(fill_in_workbook(plan, unit))
    template = output.parent / "templates" / SURVEY_TEMPLATE
    rendered = render_template(template, lambda styles: survey_context(plan, unit))
    direct = reproducible(with_identity(rendered, identity(plan, unit)), document_time(plan.facts))
    copy = parts(files[SURVEY_KIND].read_bytes())
    assert "<dc:title>臺北市政府警察局研發&amp;&lt;測試&gt;室107年" in copy["docProps/core.xml"].decode()
    assert copy == parts(direct)


def test_a_long_name_gets_title_rows_as_tall_as_a_direct_rendering(edited):
    report, output = edited
    unit = next(u for u in report.plan.units if u.name == LONG_NAME)
    built = parts(unit_files(output)[unit.name][FILL_IN_WORKBOOK_KIND].read_bytes())
    assert built == parts(fill_in_workbook(report.plan, unit))


def test_copies_render_once_per_profile_and_directly_for_names_with_control_characters(shipped_build):
    units = shipped_build.plan.units[:4]
    calls: list[str] = []

    def render(unit, name: str) -> bytes:
        calls.append(name)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("part.xml", f"<t>{name}</t>")
        return buffer.getvalue()

    odd = [units[0], units[1], units[2].__class__(**{**units[2].__dict__, "name": "甲\t乙"}), units[3]]
    copies = copies_per_unit(odd, render, profile=lambda unit: unit.category)
    assert calls == [PLACEHOLDER, "甲\t乙"]  # one category among the four, plus the direct one
    assert [parts(copies[u.name])["part.xml"].decode() for u in odd] == [f"<t>{u.name}</t>" for u in odd]
    assert UnitPrototype(render(units[0], PLACEHOLDER)).copy("A&B") == UnitPrototype(
        render(units[0], PLACEHOLDER)).copy("A&B")
    assert parts(UnitPrototype(render(units[0], PLACEHOLDER)).copy("A&B"))["part.xml"] == b"<t>A&amp;B</t>"
