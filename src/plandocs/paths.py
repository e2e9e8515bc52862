"""Where plandocs reads and writes: the master, the templates folder and the output folder."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, Location


@dataclass(frozen=True)
class Paths:
    """Where build reads and writes; by default `source/`, `templates/` and `output/` of the current folder."""

    source: Path
    templates: Path
    output: Path

    @classmethod
    def under(cls, folder: Path) -> Paths:
        return cls(folder / "source" / "plan_master.xlsx", folder / "templates", folder / "output")


def template_path(paths: Paths, name: str) -> Path:
    path = paths.templates / name
    if not path.is_file():
        raise InputError(f"找不到範本「{name}」，請確認範本資料夾或以 --templates 指定。", Location(file=str(path)))
    return path
