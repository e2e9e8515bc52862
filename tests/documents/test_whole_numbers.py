"""Numbers are set as Latin text: LibreOffice then breaks none of them across two lines, as Word does not."""
from __future__ import annotations

from docx import Document
from docx.oxml.ns import qn

from plandocs.documents.whole_numbers import LATIN_LANGUAGE, set_numbers_as_latin

SENTENCE = "依署函頒之「警察機關107年度提升服務品質實施計畫」，計1,200件、第3項。"


def language(run) -> str | None:
    found = run._r.find(f"{qn('w:rPr')}/{qn('w:lang')}")
    return None if found is None else found.get(qn("w:eastAsia"))


def test_a_runs_numbers_become_runs_of_their_own_marked_latin_and_the_text_is_unchanged():
    document = Document()
    paragraph = document.add_paragraph()
    run = paragraph.add_run(SENTENCE)
    run.bold = True
    set_numbers_as_latin(document.element)
    assert paragraph.text == SENTENCE
    runs = paragraph.runs
    assert [r.text for r in runs] == ["依署函頒之「警察機關", "107", "年度提升服務品質實施計畫」，計", "1,200", "件、第3項。"]
    assert [language(r) for r in runs] == [None, LATIN_LANGUAGE, None, LATIN_LANGUAGE, None]
    assert all(r.bold for r in runs)  # each piece keeps the run's properties


def test_a_run_with_a_tab_or_break_keeps_its_shape():
    document = Document()
    paragraph = document.add_paragraph()
    run = paragraph.add_run("107年")
    run.add_tab()
    set_numbers_as_latin(document.element)
    assert len(paragraph.runs) == 1 and language(paragraph.runs[0]) is None
