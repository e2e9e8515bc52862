"""The shipped project, copied where a test may change it; the originals are never touched."""
from __future__ import annotations

import shutil
from pathlib import Path

from plandocs.paths import Paths

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_MASTER = ROOT / "source" / "plan_master.xlsx"
SHIPPED_TEMPLATES = ROOT / "templates"

# The survey topics of the shipped plan, by dimension, as 附表2 lists them.
REFERENCE_TOPICS = [
    ("基礎服務", "服務一致及正確"), ("基礎服務", "服務友善"),
    ("服務遞送", "服務便捷"), ("服務遞送", "服務可近性"), ("服務遞送", "服務成長及優化"),
    ("服務量能", "內部作業簡化"), ("服務量能", "服務精進機制"),
    ("服務評價", "服務滿意情形"), ("服務評價", "意見回應處理情形"),
    ("開放創新", "開放參與"), ("開放創新", "創新性"),
]


def make_project(folder: Path) -> Paths:
    """A project folder with copies of the shipped master and templates; the originals are never touched."""
    (folder / "source").mkdir(parents=True)
    shutil.copy(SHIPPED_MASTER, folder / "source" / "plan_master.xlsx")
    shutil.copytree(SHIPPED_TEMPLATES, folder / "templates")
    return Paths.under(folder)
