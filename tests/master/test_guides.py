"""The guide of a new master and the shipped master's 說明 explain the optional entries a plan's shape needs."""
from __future__ import annotations

from pathlib import Path

import pytest

from plandocs.master.starter import GUIDE
from plandocs.paths import Paths


def _shipped_guide() -> str:
    from openpyxl import load_workbook

    sheet = load_workbook(Paths.under(Path(__file__).parents[2]).source)["說明"]
    return "\n".join(str(c.value) for c in sheet["A"] if c.value)


@pytest.mark.parametrize("guide", ["\n".join(GUIDE), _shipped_guide()], ids=["new", "shipped"])
@pytest.mark.parametrize(("sheet", "words"), [
    ("計畫資料", ["計畫標題", "機關名稱＋計畫年度＋", "構面呈現", "表格列", "構面編號", "評核項目編號", "評核重點編號",
              "不編號"]),
    ("本文", ["「表格」", "不印標示與名稱"]),
    ("表格欄位", ["構面", "合併儲存格", "計畫自訂的欄位", "新增同名的欄"]),
    ("單位", ["各組", "「群組涵蓋類別」留空"]),
    ("附表3", ["「附表」欄", "多份名冊", "上方編組的名冊"]),
])
def test_each_guide_documents_the_optional_entries(guide: str, sheet: str, words: list[str]) -> None:
    line = next(line for line in guide.splitlines() if line.startswith(f"{sheet}：") or line.startswith(f"{sheet}（"))
    assert [w for w in words if w not in line] == []
