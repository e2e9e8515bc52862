"""The project folder the page works on: where its master, returns and outputs are, and which of its files the
page may hand out. Every path the page is given is resolved and must stay inside the folder."""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import InputError, Location
from ..office.output import MANIFEST, csv_value
from ..paths import Paths
from ..returns.write_report import COLLECT_FOLDER
from ..returns.write_workbook import CONSOLIDATED_WORKBOOK_KIND
from .uploads import RETURNS_FOLDER, safe_relative_path

Listed = tuple[PurePosixPath, str, str]  # a file of an output folder: its path there, its kind and its unit


@dataclass(frozen=True)
class Project:
    folder: Path  # resolved

    @classmethod
    def at(cls, folder: Path) -> Project:
        return cls(folder.resolve())

    @property
    def paths(self) -> Paths:
        return Paths.under(self.folder)

    @property
    def returns(self) -> Path:
        return self.folder / RETURNS_FOLDER

    @property
    def collected(self) -> Path:
        return self.paths.output / COLLECT_FOLDER

    def file(self, relative: str) -> Path | None:
        """The project's file at `relative` (as the page's links give it), or None: outside, missing or a folder."""
        if "\\" in relative or "\x00" in relative:
            return None
        try:
            path = (self.folder / relative).resolve()
            return path if path.is_relative_to(self.folder) and path.is_file() else None
        except (OSError, ValueError):  # a name longer than the system takes is no file of the project either
            return None

    def inside(self, typed: str, what: str) -> Path:
        """A folder or file name the user typed, as a place inside the project; `what` names it in the message."""
        relative = safe_relative_path(typed) if typed.strip() else None
        if typed.strip() and relative is None:
            raise InputError(f"{what}「{typed}」不是可用的名稱。")
        path = self.folder.joinpath(*relative.parts) if relative else self.folder
        if not path.resolve().is_relative_to(self.folder):
            raise InputError(f"{what}必須位於此計畫資料夾內。", Location(file=str(self.folder)))
        return path

    def consolidated_workbook(self) -> Path | None:
        """The last collect's consolidated workbook, as its manifest lists it."""
        found = [path for path, kind, _ in listed(self.collected) if kind == CONSOLIDATED_WORKBOOK_KIND]
        return self.collected.joinpath(*found[0].parts) if found else None


def listed(folder: Path) -> list[Listed]:
    """The files the last build or collect wrote into `folder`, from the manifest it wrote beside them."""
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return []
    with manifest.open(encoding="utf-8-sig", newline="") as handle:
        rows = [[csv_value(cell) for cell in row] for row in csv.reader(handle)][1:]
    found = []
    for row in rows:
        if len(row) >= 3 and row[0]:
            path = PurePosixPath(row[0])
            if ".." not in path.parts and not path.is_absolute() and folder.joinpath(*path.parts).is_file():
                found.append((path, row[1], row[2]))
    return found


def open_in_application(path: Path) -> None:
    """Open the file in the application the computer opens it with (Excel, Word), for the user to edit it."""
    if os.name == "nt":
        os.startfile(path)  # noqa: S606 - a file inside the project, chosen from the page's own list
    else:
        subprocess.Popen(["open" if sys.platform == "darwin" else "xdg-open", str(path)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
