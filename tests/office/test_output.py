"""Writing outputs: only the output folder is ever touched, stale files go with their folders, failures undo."""
from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest

from plandocs.errors import OutputError
from plandocs.office.output import LOCK, MANIFEST, Artifact, OutputSet


def output_set(*files: str) -> OutputSet:
    return OutputSet([Artifact(PurePosixPath(f), f"content of {f}".encode(), "測試", "") for f in files])


def listing(folder: Path) -> dict[str, bytes]:
    """The files of an output folder, but its lock file (which stays, empty, so two runs always lock one file)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != LOCK}


def test_a_file_the_new_build_no_longer_makes_is_removed_with_its_empty_folder(tmp_path):
    out = tmp_path / "output"
    output_set("plan.docx", "各單位/外事科/form.xlsx", "各單位/統計室/form.xlsx").write(out)
    output_set("plan.docx", "各單位/統計室/form.xlsx").write(out)
    assert not (out / "各單位" / "外事科").exists()
    assert sorted(listing(out)) == [MANIFEST, "plan.docx", "各單位/統計室/form.xlsx"]


@pytest.mark.parametrize("row", ["{victim}", "../victim.txt", "C:\\\\victim.txt", "sub/../../victim.txt"])
def test_a_manifest_row_pointing_outside_the_output_folder_never_deletes_anything(tmp_path, row):
    out = tmp_path / "output"
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    output_set("plan.docx").write(out)
    with (out / MANIFEST).open("a", encoding="utf-8") as manifest:
        manifest.write(row.format(victim=victim) + ",x,,0,0\r\n")
    output_set("plan.docx").write(out)
    assert victim.read_text() == "keep me"


def test_a_stale_file_that_cannot_be_removed_leaves_the_previous_build_whole(tmp_path, monkeypatch):
    out = tmp_path / "output"
    output_set("plan.docx", "各單位/外事科/form.xlsx").write(out)
    before = listing(out)
    real_replace = os.replace

    def locked(source, target):
        if str(source).endswith("form.xlsx"):
            raise PermissionError(13, "in use")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", locked)
    changed = OutputSet([Artifact(PurePosixPath("plan.docx"), b"new", "測試")])
    with pytest.raises(OutputError) as raised:
        changed.write(out)
    assert "正由 Word 或 Excel 開啟" in raised.value.message
    assert raised.value.location.file.endswith("form.xlsx")
    assert listing(out) == before  # no new file, no temporary file, nothing removed


def test_an_output_path_that_is_a_file_gets_a_message_in_chinese(tmp_path):
    blocker = tmp_path / "output"
    blocker.write_text("not a folder")
    with pytest.raises(OutputError) as raised:
        output_set("plan.docx").write(blocker)
    assert "不是資料夾" in raised.value.message or "同名的檔案" in raised.value.message
