"""The entries of a returns folder that are not plain workbooks, and the operating system's reasons, in Chinese."""
from __future__ import annotations

import errno
import os

import pytest

from plandocs.errors import os_error_text
from plandocs.master.validate import check_master
from plandocs.returns.read import find_files, read_return
from plandocs.returns.records import Status
from plandocs.returns.reference import Reference

from helpers.project import SHIPPED_MASTER

REFERENCE = Reference(check_master(SHIPPED_MASTER).plan)


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need rights on Windows")
def test_a_linked_folder_is_listed_not_followed(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "回報.xlsx").write_bytes(b"x")
    returns = tmp_path / "returns"
    (returns / "sub").mkdir(parents=True)
    os.symlink(elsewhere, returns / "sub" / "連結資料夾")
    (found,) = find_files(returns)
    assert found == returns / "sub" / "連結資料夾"
    ret = read_return(REFERENCE, returns, found)
    assert ret.status is Status.SKIPPED
    assert ret.reason.startswith("捷徑（符號連結）指向資料夾")


def test_a_file_gone_since_it_was_listed_is_unreadable_with_a_chinese_reason(tmp_path):
    ret = read_return(REFERENCE, tmp_path, tmp_path / "已刪除.xlsx")
    assert ret.status is Status.UNREADABLE
    assert ret.reason == "無法開啟檔案：找不到檔案或資料夾（系統錯誤代碼 2）。"


@pytest.mark.parametrize("error, text", [
    (FileNotFoundError(errno.ENOENT, "No such file or directory"), "找不到檔案或資料夾（系統錯誤代碼 2）"),
    (PermissionError(errno.EACCES, "Permission denied"), "沒有存取權限（系統錯誤代碼 13）"),
    (OSError(errno.ENOSPC, "No space left on device"), "磁碟空間不足（系統錯誤代碼 28）"),
    (OSError(9999, "Something new"), "作業系統回報錯誤（系統錯誤代碼 9999）"),
])
def test_os_errors_are_told_in_chinese(error, text):
    assert os_error_text(error) == text
    assert not any("a" <= c.lower() <= "z" for c in os_error_text(error))
