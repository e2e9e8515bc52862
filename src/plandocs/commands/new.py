"""plandocs new FOLDER: a project another office starts from — master, templates and a short README."""
from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path

from ..errors import Location, OutputError
from ..paths import Paths
from ..text import ROC_OFFSET, taiwan_time
from .check import TEMPLATE_CONTEXTS

TEMPLATE_FILES = tuple(TEMPLATE_CONTEXTS)  # every template a project uses, as check knows them
README = """plandocs 計畫專案

source/plan_master.xlsx  計畫主檔：請依「說明」工作表，以貴機關的計畫取代各工作表的範例列。
templates/               Word 範本：可直接在 Word 修改字型、間距與框線，請保留 {{{{ … }}}} 與 {{% … %}} 標籤。

在此資料夾執行：
  plandocs check        檢查主檔與範本，一次列出所有問題
  plandocs build        產生計畫、附表與各單位的調查表（輸出在 output/）
  plandocs collect 回報資料夾   彙整各單位寄回的填報表
  plandocs rollover     由今年的主檔產生明年的主檔（另存新檔，不修改原檔）
  plandocs ui           以瀏覽器操作以上各項（只在這台電腦開啟）

本專案建立於民國 {year} 年。
"""


def new_project(folder: Path, year: int | None = None) -> list[Path]:
    """Write the starter files into `folder`; nothing is written when any of them exists already."""
    from ..master.starter import starter_master

    year = year or taiwan_time(dt.datetime.now(dt.timezone.utc)).year - ROC_OFFSET
    paths = Paths.under(folder)
    files: dict[Path, bytes] = {paths.source: starter_master(year)}
    starter = resources.files("plandocs") / "starter"
    for name in TEMPLATE_FILES:
        files[paths.templates / name] = (starter / name).read_bytes()
    files[folder / "README.txt"] = README.format(year=year).encode("utf-8")
    existing = [path for path in files if path.exists()]
    if existing:
        shown = "、".join(str(p.relative_to(folder)) for p in existing)
        raise OutputError(f"資料夾中已有 {shown}，為免覆蓋未建立任何檔案；請指定新的資料夾。", Location(file=str(folder)))
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "xb") as handle:  # "x": never over a file that appeared meanwhile
                handle.write(data)
    except OSError as error:
        raise OutputError(f"無法建立檔案（{error.strerror}）；請確認資料夾可寫入。", Location(file=str(folder))) from error
    return list(files)
