"""Between several returns of one unit, which is used: the newest by the form's date, and why."""
from __future__ import annotations

import datetime as dt

from ..text import roc_time
from .records import Collection, Return, Status
from .reference import Reference


def decide(reference: Reference, returns: list[Return]) -> Collection:
    """Keep the newest return of each unit (by the form's date, else the workbook's, else the file's); the others
    are superseded, listed with the reason, never dropped. A return with nothing filled in (the blank form sent
    back, an empty workbook) never supersedes one that has content, however new it is."""
    by_unit: dict[str, list[Return]] = {}
    for ret in returns:
        if ret.used and ret.unit is not None:
            by_unit.setdefault(ret.unit.name, []).append(ret)
    for unit_returns in by_unit.values():
        ordered = sorted(unit_returns, key=lambda r: (r.has_content, r.filed[0], r.modified or dt.datetime.min,
                                                      r.file_time or dt.datetime.min, r.file))
        newest = ordered[-1]
        when, by_what = newest.filed
        for older in ordered[:-1]:
            older_when, older_by = older.filed
            # files of any kind compete on the same dates; a unit that sent a workbook and a Word form is told which
            kinds = (f"該檔為{newest.kind}，", f"本檔為{older.kind}，") if newest.kind != older.kind else ("", "")
            if older.has_content and (when, by_what) != (older_when, older_by):
                why = (f"同單位另有較新的回報「{newest.file}」（{kinds[0]}{by_what} {roc_time(when)}；"
                       f"{kinds[1]}{older_by} {roc_time(older_when)}）")
            elif older.has_content:
                why = (f"同單位另有回報「{newest.file}」，兩檔{by_what}同為 {roc_time(when)}，"
                       f"依{_tie_breaker(newest, older)}採用該檔；請確認兩檔內容")
            else:
                why = f"本檔沒有填寫任何內容，同單位另有回報「{newest.file}」"
            older.set_aside(Status.SUPERSEDED, why + "，本檔內容列於「未採用內容」工作表。")
    return Collection(reference.plan, returns, reference.rows)


def _tie_breaker(newest: Return, older: Return) -> str:
    """What decided between two returns whose dates are the same."""
    if newest.modified != older.modified:
        return f"活頁簿儲存時間（{roc_time(newest.modified or dt.datetime.min)}）"
    if newest.file_time != older.file_time:
        return f"檔案時間（{roc_time(newest.file_time or dt.datetime.min)}）"
    return "檔名排序"
