"""A returns folder as the staff officer finds it after the deadline: complete, incomplete, late, wrong, a Word
form, a return without a date, a complete one proposing measures for some survey items only, and units that sent
nothing (the office collecting, 秘書室, among them)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from helpers.project import REFERENCE_TOPICS
from helpers.returns_factory import SAVED, Filler, form_of

COMPLETE = "中正第一分局"
INCOMPLETE = "信義分局"  # leaves its 辦理情形 blank
LATE = "萬華分局"  # returns on 107年7月3日
WRONG = "大安分局"  # a case count that is not a number
WORD = "督察室"  # sends its form as a PDF, which nothing can consolidate
UNDATED = "刑事警察大隊"  # gives no 填報日期 (its workbook was saved in time)
SOME_TOPICS = "會計室"  # complete, with measures for the first SOME_TOPICS_COUNT survey items only, as the survey allows
SOME_TOPICS_COUNT = 3
SENDER = "秘書室"  # the 收件單位: sends nothing, is never chased
LATE_DATE = dt.date(2018, 7, 3)
BLANK_CODE = "1.1.1"  # the key point 信義分局 leaves blank (and every other)


def fill_complete(filler: Filler, topics=REFERENCE_TOPICS) -> None:
    for dimension, topic in topics:
        filler.measure(dimension, topic, f"{topic}措施", f"就「{topic}」辦理之作法。")
    filler.report_all("已辦理", {106: 120, 107: 56})


def make_returns(shipped_output: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)

    def complete(unit: str, contact: dt.date | None, modified: dt.datetime = SAVED, then=None,
                 topics=REFERENCE_TOPICS) -> None:
        filler = Filler(form_of(shipped_output, unit))
        fill_complete(filler, topics)
        if then:
            then(filler)
        filler.contact(contact)
        filler.save(folder / f"{unit}.xlsx", modified)

    def count_not_a_number(filler: Filler) -> None:
        filler.report("1.1.1", "已辦理（1.1.1）", {106: "約一百件", 107: 56})

    complete(COMPLETE, dt.date(2018, 6, 25))
    filler = Filler(form_of(shipped_output, INCOMPLETE))
    for dimension, topic in REFERENCE_TOPICS:
        filler.measure(dimension, topic, f"{topic}措施", "內容")
    filler.contact(dt.date(2018, 6, 28))
    filler.save(folder / f"{INCOMPLETE}.xlsx")
    complete(LATE, LATE_DATE, dt.datetime(2018, 7, 3, 2, 0))
    complete(WRONG, dt.date(2018, 6, 27), then=count_not_a_number)
    complete(UNDATED, None, dt.datetime(2018, 6, 26, 1, 0))
    complete(SOME_TOPICS, dt.date(2018, 6, 26), topics=REFERENCE_TOPICS[:SOME_TOPICS_COUNT])

    (folder / f"{WORD}調查表.pdf").write_bytes(b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    return folder
