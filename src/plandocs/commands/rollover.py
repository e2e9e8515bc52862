"""plandocs rollover: next year's master written from this year's, into a new file; the original is only read.

The year moves on in the facts and in every text that names the plan year or the year before (「107年度」,
「106、107年申辦件數」), due dates move a year, the issue date and document number are left blank for the
user. A text date such as 「107年3月1日」 may cite another office's letter, so it is listed for review, not
changed. With the units' proposals (collect's consolidated workbook), each proposed measure is added under
its dimension and item as a draft practice, shaded and marked 〔待審〕 for review.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, Location, OutputError
from ..office.ooxml_order import saved_workbook
from ..master.schema import DATA_SHEETS, FACTS, MEASURES, Fact
from ..text import clean_text, text_key, whole_number

PROPOSALS_SHEET = "措施彙整"  # collect's consolidated workbook
PROPOSAL_COLUMNS = ("構面", "項目", "單位", "措施名稱", "措施內容")
DRAFT_MARK = "〔待審〕"
DRAFT_FILL = "FFF2CC"
# A run of ROC years before 年 (「107年度」, 「106、107年」) that is not a date (「107年3月1日」).
_YEAR_RUN = re.compile(r"(?<!\d)((?:\d{2,3}\s*[、，,及與和至-]\s*)*\d{2,3})(\s*年)(?!\s*\d{1,2}\s*月)")
_TEXT_DATE = re.compile(r"(?<!\d)(\d{2,3})\s*年\s*\d{1,2}\s*月")


@dataclass
class Rollover:
    source: Path
    target: Path
    year: int
    changes: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)


def default_target(source: Path, year: int) -> Path:
    return source.with_name(f"{source.stem}_{year}{source.suffix}")


def _years(run: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d{2,3}", run)]


def shift_years(text: str, year: int) -> str:
    """Move every mention of the plan year on by one, with the years named beside it (「106、107年」).

    A year named alone (「105年起」) may be history, not the plan's: it stays, and other_years finds it.
    """
    def shift(match: re.Match) -> str:
        if year not in _years(match.group(1)):
            return match.group()
        numbers = re.sub(r"\d{2,3}", lambda n: str(int(n.group()) + 1) if year - 3 <= int(n.group()) <= year
                         else n.group(), match.group(1))
        return numbers + match.group(2)

    return _YEAR_RUN.sub(shift, text)


def other_years(text: str, year: int) -> list[str]:
    """Mentions of a recent year that shift_years left as they are, for the user to review."""
    return [m.group() for m in _YEAR_RUN.finditer(text)
            if year not in _years(m.group(1)) and any(year - 3 <= y <= year for y in _years(m.group(1)))]


def _next_year(value: dt.datetime) -> dt.datetime:
    try:
        return value.replace(year=value.year + 1)
    except ValueError:  # 29 February
        return value.replace(year=value.year + 1, day=28)


def rollover(source: Path, target: Path | None = None, proposals: Path | None = None) -> Rollover:
    from openpyxl import load_workbook

    if not source.is_file():
        raise InputError("找不到計畫主檔，請確認檔案位置或以 --source 指定。", Location(file=source.name))
    data = source.read_bytes()  # read once: the original is never opened for writing
    workbook = load_workbook(io.BytesIO(data))
    if FACTS.name not in workbook.sheetnames:
        raise InputError(f"缺少工作表「{FACTS.name}」，無法得知計畫年度。", Location(file=source.name))
    facts = {text_key(row[0].value): row[1] for row in workbook[FACTS.name].iter_rows(min_row=2, max_col=2)
             if len(row) > 1}
    year = whole_number(facts[Fact.YEAR.value].value) if Fact.YEAR.value in facts else None
    if year is None:
        raise InputError("「計畫年度」沒有填寫整數，無法推算下一年度。", Location(file=source.name, sheet=FACTS.name))
    target = target or default_target(source, year + 1)
    if target.exists():
        raise OutputError("此檔案已存在，為免覆蓋未寫入；請以 --to 指定新的檔名。", Location(file=str(target)))
    result = Rollover(source, target, year + 1)
    facts[Fact.YEAR.value].value = year + 1
    result.changes.append(f"計畫年度：{year} → {year + 1}")
    for fact in (Fact.ISSUE_DATE, Fact.DOCUMENT_NUMBER):
        if fact.value in facts and facts[fact.value].value is not None:
            facts[fact.value].value = None
            result.changes.append(f"「{fact.value}」已清空：發文後請填寫。")
    _move_texts_and_dates(workbook, result, year, skip={facts[Fact.YEAR.value].coordinate})
    if proposals is not None:
        _add_proposals(workbook, proposals, result)
    next_master = saved_workbook(workbook)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as handle:
            handle.write(next_master)
    except FileExistsError as error:
        raise OutputError("此檔案已存在，為免覆蓋未寫入；請以 --to 指定新的檔名。", Location(file=str(target))) from error
    except OSError as error:
        raise OutputError(f"無法寫入（{error.strerror}）。", Location(file=str(target))) from error
    return result


def _move_texts_and_dates(workbook, result: Rollover, year: int, skip: set[str]) -> None:
    texts = dates = 0
    data_sheets = {spec.name for spec in DATA_SHEETS}
    for sheet in (workbook[name] for name in workbook.sheetnames if name in data_sheets):
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if sheet.title == FACTS.name and cell.column == 3:
                    continue  # the sheet's own notes
                if isinstance(cell.value, dt.datetime) and cell.coordinate not in skip:
                    cell.value = _next_year(cell.value)
                    dates += 1
                elif isinstance(cell.value, str):
                    moved = shift_years(cell.value, year)
                    if moved != cell.value:
                        cell.value = moved
                        texts += 1
                    if any(year - 3 <= int(m.group(1)) <= year for m in _TEXT_DATE.finditer(moved)):
                        result.review.append(f"工作表「{sheet.title}」{cell.coordinate}：含有日期「{_first_date(moved)}」，"
                                             "是否應改為新年度的日期，請確認。")
                    for mention in other_years(cell.value, year):
                        result.review.append(f"工作表「{sheet.title}」{cell.coordinate}：「{mention}」未更動，"
                                             "若指計畫年度或前一年，請自行修改。")
    result.changes.append(f"{texts} 格文字中的年度已改為新年度（例：{year}年度 → {year + 1}年度）。")
    result.changes.append(f"{dates} 個日期（填報期限、期限日期等）已延後一年。")


def _first_date(text: str) -> str:
    match = re.search(r"\d{2,3}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?", text)
    return match.group() if match else ""


def _add_proposals(workbook, path: Path, result: Rollover) -> None:
    """Insert each proposed measure under the last row of its dimension and item (or overall key point)."""
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    if not path.is_file():
        raise InputError("找不到回報彙整活頁簿。", Location(file=path.name))
    try:
        source = load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - any unreadable file is the user's to fix
        raise InputError("無法開啟回報彙整活頁簿，請確認為 .xlsx 檔案。", Location(file=path.name)) from error
    if PROPOSALS_SHEET not in source.sheetnames:
        raise InputError(f"活頁簿中沒有「{PROPOSALS_SHEET}」工作表；請指定 collect 產生的回報彙整活頁簿。",
                         Location(file=path.name))
    rows = list(source[PROPOSALS_SHEET].iter_rows(values_only=True))
    header_index = next((i for i, row in enumerate(rows[:10]) if all(c in [text_key(v) for v in row] for c in PROPOSAL_COLUMNS)), None)
    if header_index is None:
        raise InputError(f"「{PROPOSALS_SHEET}」找不到欄位標題：{'、'.join(PROPOSAL_COLUMNS)}。",
                         Location(file=path.name, sheet=PROPOSALS_SHEET))
    columns = {text_key(v): i for i, v in enumerate(rows[header_index])}
    proposals = []
    for number, row in enumerate(rows[header_index + 1:], header_index + 2):
        values = {c: clean_text(row[columns[c]] if columns[c] < len(row) else None).text for c in PROPOSAL_COLUMNS}
        if values["措施名稱"] or values["措施內容"]:
            proposals.append((number, values))
    sheet = workbook[MEASURES.name]
    headings = {text_key(c.value): c.column for c in sheet[1]}
    places = _topic_rows(sheet, headings)
    inserts: dict[int, list[dict]] = {}
    for number, values in proposals:
        last = places.get((values["構面"], values["項目"]))
        if last is None:
            result.review.append(f"{path.name} 第 {number} 列：構面「{values['構面']}」項目「{values['項目']}」不在附表1，"
                                 f"{values['單位']}提出的「{values['措施名稱']}」未加入，請自行判斷。")
            continue
        inserts.setdefault(last, []).append(values)
    fill = PatternFill("solid", fgColor=DRAFT_FILL)
    added = 0
    for last in sorted(inserts, reverse=True):  # from the bottom, so the rows above keep their numbers
        sheet.insert_rows(last + 1, len(inserts[last]))
        for offset, values in enumerate(inserts[last], 1):
            text = f"{DRAFT_MARK}{values['措施名稱']}" + (f"：{values['措施內容']}" if values["措施內容"] else "")
            cell = sheet.cell(last + offset, headings["具體作法"], text)
            cell.fill = fill
            cell.comment = Comment(f"{values['單位']}提出的措施（由回報彙整加入）；請審查後修改或刪除，並刪除「{DRAFT_MARK}」。", "plandocs")
            if "層級" in headings:
                sheet.cell(last + offset, headings["層級"], 1)
            added += 1
    result.changes.append(f"已加入 {added} 項各單位提出的措施，作為附表1 的待審具體作法（標示「{DRAFT_MARK}」、黃色底）。")
    if added:
        result.review.append(f"附表1 中標示「{DRAFT_MARK}」的 {added} 列：請逐一審查，修改後刪除標示，不採用者刪除該列。")


def _topic_rows(sheet, headings: dict[str, int]) -> dict[tuple[str, str], int]:
    """The last row of each (dimension, item) and of each (dimension, key point): where a proposal goes."""
    last: dict[tuple[str, str], int] = {}
    dimension = item = key_point = ""
    for row in range(2, sheet.max_row + 1):
        def value(name: str) -> str:
            return clean_text(sheet.cell(row, headings[name]).value).text if name in headings else ""
        if value("構面"):
            dimension, item, key_point = value("構面"), "", ""
        if value("評核項目"):
            item = value("評核項目")
        if value("評核重點"):
            key_point = value("評核重點")
        if not any(sheet.cell(row, c).value is not None for c in headings.values()):
            continue
        if item:
            last[dimension, item] = row
        if key_point:
            last.setdefault((dimension, key_point), row)
            if not item:
                last[dimension, key_point] = row
    return last
