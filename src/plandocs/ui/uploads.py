"""Returns dropped on the page, stored in the project's returns folder: never over a file, identical files kept
once, names made safe, nothing outside the folder whatever name the browser sends."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import os_error_text
from ..office.output import safe_file_name

RETURNS_FOLDER = "returns"  # the project's returns folder, as the README's `plandocs collect returns/`
MAX_FILES = 2000  # per request; the page sends a large folder in several
MAX_FILE_BYTES = 50 * 1024 * 1024  # a unit's return is well under a megabyte; collect refuses larger ones too
MAX_REQUEST_BYTES = 200 * 1024 * 1024
MAX_DEPTH = 4  # subfolders kept of a dropped folder; deeper ones are flattened into the fourth
_IGNORED_NAMES = {"thumbs.db", "desktop.ini", ".ds_store"}  # what Windows and macOS leave in a folder


def safe_relative_path(sent_name: str) -> PurePosixPath | None:
    """Where inside the returns folder a file the browser named `sent_name` goes, or None when it is no file.

    A dropped folder's files come as 「分局/信義分局.xlsx」: the subfolders are kept (collect reads them), each
    part made safe for Windows; parts that would climb (「..」), absolute starts and drive letters are dropped.
    """
    parts = [part for part in sent_name.replace("\\", "/").split("/") if part.strip(" .")]
    if not parts or parts[-1].lower() in _IGNORED_NAMES or parts[-1].startswith("~$"):  # ~$: Office's lock file
        return None
    safe = [safe_file_name(part) for part in parts]
    folders = safe[:-1][:MAX_DEPTH]
    return PurePosixPath(*folders, safe[-1])


def numbered(path: PurePosixPath, number: int) -> PurePosixPath:
    """The name of the `number`th file sent under one name: 信義分局（2）.xlsx, as Windows numbers copies."""
    return path.with_name(f"{path.stem}（{number}）{path.suffix}") if number > 1 else path


@dataclass(frozen=True)
class Stored:
    """What became of one file sent: the message is the page's, the path relative to the returns folder."""

    sent_name: str
    message: str
    path: PurePosixPath | None = None
    kept: bool = False


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ReturnsFolder:
    """The project's returns folder, with the digests of the files in it to tell an identical file sent again."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._digests: dict[str, PurePosixPath] | None = None

    def files(self) -> list[PurePosixPath]:
        if not self.folder.is_dir():
            return []
        return sorted(PurePosixPath(path.relative_to(self.folder).as_posix())
                      for path in self.folder.rglob("*") if path.is_file() and not path.is_symlink())

    def _known(self) -> dict[str, PurePosixPath]:
        if self._digests is None:
            self._digests = {}
            for relative in self.files():
                self._digests.setdefault(_digest(self.folder.joinpath(*relative.parts).read_bytes()), relative)
        return self._digests

    def store(self, sent_name: str, data: bytes) -> Stored:
        relative = safe_relative_path(sent_name)
        if relative is None:
            return Stored(sent_name, "不是回報檔案（系統檔或暫存檔），未存放。")
        if len(data) > MAX_FILE_BYTES:
            return Stored(sent_name, f"檔案超過 {MAX_FILE_BYTES // 1024 // 1024} MB，未存放；請確認是否為填報表。")
        digest = _digest(data)
        same = self._known().get(digest)
        if same is not None:
            return Stored(sent_name, f"與已存放的「{same}」內容相同，未重複存放。", same)
        root = self.folder.resolve()
        for number in range(1, 10_000):
            candidate = numbered(relative, number)
            target = self.folder.joinpath(*candidate.parts)
            if not target.resolve().is_relative_to(root):  # a name the rules above missed: never outside
                return Stored(sent_name, "檔名不正確，未存放。")
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                with open(target, "xb") as handle:  # "x": never over a file, even one appearing meanwhile
                    handle.write(data)
            except FileExistsError:
                continue
            except OSError as error:
                return Stored(sent_name, f"無法存放：{os_error_text(error)}。")
            self._known()[digest] = candidate
            renamed = f"（已有同名檔案，存為「{candidate.name}」）" if candidate != relative else ""
            return Stored(sent_name, f"已存放{renamed}。", candidate, kept=True)
        return Stored(sent_name, "同名檔案過多，未存放；請先整理回報資料夾。")
