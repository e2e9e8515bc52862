"""How the report of a large collection is laid out: figures per key point and topic instead of every reply.

Measured (1,000 returns): the report holding every reply was a 528 KB .docx with one table of thousands of
paragraphs per 構面; rendering and paginating it took ~30 s and LibreOffice had not converted it to PDF after
6 min 40 s. Above LARGE_COLLECTION_UNITS receiving units the report keeps the summary, the per-unit states and
per-item figures, and says that the full replies are in the consolidated workbook, which holds every one.
"""
from __future__ import annotations

from .consolidate import ProgressLine
from .records import Collection
from .write_workbook import MEASURES_SHEET, PROGRESS_SUMMARY_SHEET

LARGE_COLLECTION_UNITS = 100  # the shipped plan has 38; a report of a few dozen replies per key point stays readable
NAMED_UNITS = 3  # a list of units left out is cut to its first names: the workbook names every one
WORKBOOK = "回報彙整工作簿"


def is_large(collection: Collection) -> bool:
    return len(collection.plan.receiving_units()) > LARGE_COLLECTION_UNITS


def units_named(names: list[str]) -> str:
    """`names` counted and cut to the first few, e.g. 「25個單位（甲、乙、丙等）」."""
    shown = "、".join(names[:NAMED_UNITS]) + ("等" if len(names) > NAMED_UNITS else "")
    return f"{len(names)}個單位（{shown}）"


def progress_digest(answered: list[ProgressLine], count_header) -> str:
    """What a key point's replies add up to: how many units answered and the sum of each year's case counts."""
    totals: dict[int, int] = {}
    for line in answered:
        for year, count in line.progress.counts.items():
            totals[year] = totals.get(year, 0) + count
    counts = "；".join(f"{count_header(year)}合計：{total:,}" for year, total in sorted(totals.items()))
    return (f"計{len(answered)}個單位填報辦理情形" + (f"，{counts}" if counts else "")
            + f"；各單位填報內容詳{WORKBOOK}「{PROGRESS_SUMMARY_SHEET}」工作表。")


def measures_digest(measures_by_unit: dict[str, list]) -> str:
    """What a survey topic's proposals add up to."""
    measures = sum(len(listed) for listed in measures_by_unit.values())
    return (f"計{len(measures_by_unit)}個單位提出{measures}項措施；"
            f"各單位措施內容詳{WORKBOOK}「{MEASURES_SHEET}」工作表。")
