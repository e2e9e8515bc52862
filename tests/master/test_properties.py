"""Arbitrary text through every text field of the master: printed intact, or reported where it was typed.

A small master (two units, one key point per dimension) is written for each example, checked and rendered
in memory. For every field the property is: the build succeeds and the text, as cleaned (characters XML
cannot hold removed, line ends normalised, outer spaces trimmed), is in the .docx and in the unit's form;
or the check reports a problem at a cell the text was typed in. Either way no exception escapes and every
error names its file, sheet, row and column.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from helpers.project import SHIPPED_TEMPLATES
from plandocs.commands.build import Paths, render_outputs
from plandocs.errors import PlandocsError, Problem
from plandocs.office.output import OutputSet
from plandocs.master.schema import DATA_SHEETS, Fact
from plandocs.master.validate import MasterCheck, check_master

# Characters an .xlsx or .docx cannot hold; Excel stores them as _xHHHH_, and so does the writer below.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
EXCEL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


@dataclass(frozen=True)
class Field:
    """A text field of the master: the cells that hold the same text, and where the text must appear."""

    name: str
    cells: tuple[tuple[str, str], ...]  # (sheet, cell); a key such as a unit name is typed in several places
    in_circular: bool = True
    in_form: bool = False  # also in the responsible unit's forms (its 附表2 .docx and its fill-in workbook)


def facts_field(fact: Fact, row: int, in_circular: bool = True, in_form: bool = False) -> Field:
    return Field(fact.value, (("計畫資料", f"B{row}"),), in_circular, in_form)


FIELDS = [
    facts_field(Fact.AGENCY, 2),
    facts_field(Fact.SELF_REFERENCE, 3),
    facts_field(Fact.PLAN_NAME, 5),
    facts_field(Fact.DOCUMENT_NUMBER, 7),
    facts_field(Fact.MEASURES_TITLE, 8),
    facts_field(Fact.SURVEY_TITLE, 9),
    facts_field(Fact.ROSTER_TITLE, 10),
    facts_field(Fact.RECIPIENT, 12, in_circular=False, in_form=True),
    Field("numbered body paragraph", (("本文", "B2"),)),
    Field("unnumbered body paragraph", (("本文", "B3"),)),
    Field("dimension", (("構面", "A2"), ("評核項目", "A2"), ("附表1", "A2")), in_form=True),
    Field("item", (("評核項目", "B2"), ("附表1", "B2")), in_form=True),
    Field("key point", (("附表1", "C2"),), in_form=True),
    Field("practice", (("附表1", "E2"),), in_form=True),
    Field("unnumbered practice", (("附表1", "E3"),), in_form=True),
    Field("deadline", (("附表1", "F2"),), in_form=True),
    Field("overall key point", (("附表1", "C4"),)),
    Field("unit", (("單位", "A2"), ("附表1", "H2"), ("附表3", "G2")), in_form=True),
    Field("alias", (("單位", "C2"), ("附表1", "I2"))),
    Field("roster group", (("附表3", "A2"),)),
    Field("role", (("附表3", "B2"),)),
    Field("title", (("附表3", "C2"),)),
    Field("member", (("附表3", "D2"),)),
    Field("duty", (("附表3", "F2"),)),
]
UNIT_NAME = "保安科"


def tiny_master() -> dict[str, list[list[object]]]:
    """The rows of a small valid master, headings first; the fields above point into it."""
    due = dt.datetime(2018, 6, 29)
    facts = [["機關名稱", "臺北市政府警察局"], ["機關自稱", "本局"], ["計畫年度", 107], ["計畫名稱", "提升服務品質執行計畫"],
             ["函頒日期", dt.datetime(2018, 4, 2)], ["發文字號", "北市警秘字第10733653600號"], ["附表1名稱", "具體作法表"],
             ["附表2名稱", "措施調查表"], ["附表3名稱", "推動小組名冊"], ["填報期限", due], ["收件單位", "秘書室"],
             ["表單版本", 1], ["發文用語", "函頒"]]
    return {
        "計畫資料": [["項目", "內容", "說明"], *facts],
        "本文": [["層級", "內容"], [1, "計畫依據"], [None, "內政部警政署函頒實施計畫。"]],
        "構面": [["構面名稱", "評核類別", "配分"], ["基礎服務", "個別評核構面", 900], ["開放創新", "整體評核構面", 100]],
        "評核項目": [["構面", "評核項目"], ["基礎服務", "服務友善"]],
        "附表1": [["構面", "評核項目", "評核重點", "層級", "具體作法", "完成期限", "期限日期", "承辦單位1", "承辦單位2"],
                 ["基礎服務", "服務友善", "服務及時性", 1, "檢視處理時限。", "賡續辦理", due, UNIT_NAME, "秘書室"],
                 [None, None, None, None, "每月分析。"],
                 ["開放創新", None, "創新作為", None, "推動創新服務。"]],
        "單位": [["單位名稱", "類別", "別名", "群組涵蓋類別", "填報調查表"], [UNIT_NAME, "科", "保安", None, "是"],
                ["秘書室", "室", None, None, "是"]],
        "附表3": [["編組", "職務", "職稱", "姓名", "層級", "職掌", "備考"],
                 ["業務組", "組長", "主任", "陳吉政", 1, "承辦全般事宜。", UNIT_NAME]],
    }


def as_excel_stores(text: str) -> str:
    """What Excel writes for a typed text: a literal _xHHHH_ escaped, characters XML cannot hold as _xHHHH_."""
    text = EXCEL_ESCAPE.sub(r"_x005F_\1", text)
    return NOT_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def write_master(path: Path, texts: dict[Field, str]) -> None:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for spec in (spec for spec in DATA_SHEETS if spec.name in tiny_master()):
        sheet = workbook.create_sheet(spec.name)
        for row in tiny_master()[spec.name]:
            sheet.append(row)
    for field, text in texts.items():
        for sheet, cell in field.cells:
            workbook[sheet][cell] = as_excel_stores(text)
    workbook.save(path)


def expected(text: str) -> str:
    """The text as the documents must print it."""
    return NOT_XML.sub("", text).replace("\r\n", "\n").replace("\r", "\n").strip()


def docx_text(data: bytes) -> str:
    """Every paragraph of the body (tables and embedded forms included), one per line of a NUL-joined string."""
    from docx.oxml.ns import qn
    from docx.oxml.parser import parse_xml
    from docx.text.paragraph import Paragraph

    root = parse_xml(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    return "\x00".join(Paragraph(p, None).text for p in root.iter(qn("w:p")))


def xlsx_text(data: bytes) -> str:
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    return "\x00".join(value for sheet in workbook for row in sheet.iter_rows(values_only=True)
                       for value in row if isinstance(value, str))  # openpyxl decodes _xHHHH_ itself


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("properties")
    shutil.copytree(SHIPPED_TEMPLATES, folder / "templates")
    (folder / "source").mkdir()
    return folder


def build_in_memory(folder: Path, texts: dict[Field, str]) -> tuple[MasterCheck, OutputSet | None]:
    paths = Paths.under(folder)
    write_master(paths.source, texts)
    check = check_master(paths.source)
    if check.errors:
        return check, None
    try:
        return check, render_outputs(check.plan, paths)
    except PlandocsError as error:  # allowed, if it says where: the text reached a template it broke
        assert error.location.file, error.format()
        return MasterCheck(check.plan, [*check.problems, Problem(error.message, error.location)]), None


def assert_printed_or_reported(check: MasterCheck, outputs: OutputSet | None, texts: dict[Field, str],
                               one_cause: bool = True) -> None:
    """Each error is located; each text is printed intact, or a problem names a cell it was typed in.

    With several fields changed at once (`one_cause` false) a failed build only has to say where.
    """
    for problem in check.errors:
        where = problem.location
        assert where.file and where.sheet and (where.row or where.column), problem.format()
    if outputs is None and not one_cause:
        assert check.errors
        return
    reported = {(p.location.sheet, p.location.cell()) for p in check.problems}
    circular = docx_text(outputs.artifacts[0].data) if outputs else ""
    unit = expected(texts.get(FIELD["unit"], UNIT_NAME))
    forms = [a for a in outputs.artifacts if a.unit == unit] if outputs else []  # the unit's survey and workbook
    form = "\x00".join(xlsx_text(a.data) if a.path.suffix == ".xlsx" else docx_text(a.data) for a in forms)
    for field, text in texts.items():
        if reported & set(field.cells) or not expected(text):
            continue  # the user is told about the cell, or there is nothing to print
        assert outputs is not None, f"{field.name}: build failed without a problem at its cells"
        if field.in_circular:
            assert expected(text) in circular, f"{field.name}: {expected(text)!r} not in the circular"
        if field.in_form:
            assert expected(text) in form, f"{field.name}: {expected(text)!r} not in the unit's form"


FIELD = {f.name: f for f in FIELDS}

SPECIAL = st.sampled_from([
    "&", "<", ">", "&amp;", "<w:p>", "]]>", "{{ title }}", "{% for x in y %}", "{%p if x %}", "{%tr endfor %}", "}}",
    "{#", "\n", "\r\n", "\r", "\t", "\x0b", "\x00", "\x07", "\x0c", "\ufffe", "_x000D_", "_x0041_", "台", "臺", "😀",
    "👨\u200d👩\u200d👧", "𠀋", "ㄅ", "=1+1", "'", '"', "\u200b", " ", "\u3000", "一、", "(一)", "1.", "、", "，", "；",
])
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
TEXT = st.lists(st.one_of(st.text(max_size=6), SPECIAL, st.text(alphabet=CJK, min_size=1, max_size=8)),
                min_size=1, max_size=8).map("".join)
LONG = st.builds(lambda piece, times: piece * times, st.text(alphabet=CJK, min_size=1, max_size=8),
                 st.integers(min_value=200, max_value=2000))  # up to 16,000 characters, Excel holds 32,767
TEXTS = st.one_of(TEXT, TEXT, TEXT, LONG)
# derandomized: the same examples on every run, so that a red run is the code's doing and can be repeated;
# a case found by exploring (derandomize=False) is kept as an @example below
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(field=st.sampled_from(FIELDS), text=TEXTS)
# a typed name holding what a title breaks after (表, 府): the title broke inside it
@example(field=FIELDS[0], text="亿乆0A⺀⺀0A⺀⺀6Ò\U000a2634\U0004617a\U0007c3bdR表格列例外格式")
@example(field=FIELDS[4], text="服務品質具體作法表格式之二")
def test_text_in_one_field_is_printed_intact_or_reported_where_typed(folder: Path, field: Field, text: str) -> None:
    check, outputs = build_in_memory(folder, {field: text})
    assert_printed_or_reported(check, outputs, {field: text})


@settings(SETTINGS, max_examples=30)
@given(texts=st.fixed_dictionaries({f: TEXT for f in FIELDS}))
def test_text_in_every_field_at_once(folder: Path, texts: dict[Field, str]) -> None:
    check, outputs = build_in_memory(folder, texts)
    assert_printed_or_reported(check, outputs, texts, one_cause=False)


def test_the_tiny_master_is_valid(folder: Path) -> None:
    check, outputs = build_in_memory(folder, {})
    assert not check.problems, [p.format() for p in check.problems]
    assert "檢視處理時限。" in docx_text(outputs.artifacts[0].data)


@pytest.mark.parametrize("text", ["R&D <研究> & \"引號\"", "{{ title }}{% if x %}", "a\x0bb\x00c", "😀𠀋台", "x" * 20000])
def test_known_awkward_texts_survive(folder: Path, text: str) -> None:
    texts = {FIELD["practice"]: text, FIELD["key point"]: text, FIELD["roster group"]: text}
    check, outputs = build_in_memory(folder, texts)
    assert not check.errors
    assert_printed_or_reported(check, outputs, texts)
