"""The project's own corpus of hostile returns: files built to exhaust memory or time, to hang a reader, to forge
console lines or run as formulas. Each case names the file (or folder entry) and what collect must make of it."""
from __future__ import annotations

import io
import os
import socket
import zipfile
from dataclasses import dataclass
from pathlib import Path

from plandocs.documents.fill_in_form import SURVEY_SHEET
from plandocs.office.xlsx_reader import MAX_CELLS
from plandocs.returns.records import Status

from helpers.returns_factory import encrypted_file, filled, sheet_part, truncated, with_macros, zip_bomb

SURVEY_PART_KEY = "survey"


@dataclass(frozen=True)
class Case:
    name: str  # relative to the returns folder
    status: Status  # what the ledger must say of it
    reason: str = ""  # a phrase its reason or one of its problems must hold


def _rewrite_part(source: bytes, part: str, change) -> bytes:
    archive = zipfile.ZipFile(io.BytesIO(source))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in archive.infolist():
            data = archive.read(info.filename)
            target.writestr(info, change(data) if info.filename == part else data)
    return buffer.getvalue()


def _after_sheet_data(xml: str):
    return lambda data: data.replace(b"</sheetData>", b"</sheetData>" + xml.encode(), 1)


def _doctype(data: bytes, declarations: bytes) -> bytes:
    body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
    return b'<?xml version="1.0"?><!DOCTYPE worksheet [' + declarations + b"]>" + body


def _rows(count: int, columns: int = 1, first_row: int = 200) -> bytes:
    cells = []
    for row in range(first_row, first_row + count):
        cells.append(f'<row r="{row}">' + "".join(f'<c r="{chr(72 + c)}{row}" t="inlineStr"><is><t>x</t></is></c>'
                                                  for c in range(columns)) + "</row>")
    return "".join(cells).encode()


def make_corpus(output: Path, folder: Path) -> list[Case]:
    """Write every case into `folder` (built forms come from `output`); return what each must become."""
    folder.mkdir(parents=True, exist_ok=True)
    base_path = folder.parent / "hostile-base.xlsx"
    filled(output, "保安科").save(base_path)
    base = base_path.read_bytes()
    survey = sheet_part(base_path, SURVEY_SHEET)
    cases: list[Case] = []

    def variant(name: str, change, status: Status = Status.RETURNED, reason: str = "", source: bytes = base) -> None:
        (folder / name).write_bytes(_rewrite_part(source, survey, change))
        cases.append(Case(name, status, reason))

    # merged ranges and sizes declared far beyond what the file holds
    variant("合併整張工作表.xlsx", _after_sheet_data('<mergeCells><mergeCell ref="A1:XFD1048576"/></mergeCells>'),
            Status.RETURNED)
    variant("合併四欄到底.xlsx", _after_sheet_data('<mergeCells><mergeCell ref="A1:D1048576"/></mergeCells>'))
    variant("重疊合併五千處.xlsx", _after_sheet_data(
        "<mergeCells>" + '<mergeCell ref="A1:D1048576"/>' * 5000 + "</mergeCells>"))
    variant("合併一萬零一處.xlsx", _after_sheet_data(
        "<mergeCells>" + "".join(f'<mergeCell ref="Z{r}:Z{r + 1}"/>' for r in range(1, 20004, 2)) + "</mergeCells>"),
        Status.UNREADABLE, "合併儲存格超過")
    variant("宣告範圍極大.xlsx", lambda d: d.replace(b"<sheetData>", b'<dimension ref="A1:XFD1048576"/><sheetData>', 1))
    variant("最後一格.xlsx", lambda d: d.replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>end</t></is></c></row></sheetData>', 1))
    variant("列號超長.xlsx", lambda d: d.replace(b"</sheetData>", b'<row r="' + b"9" * 5000 + b'"/></sheetData>', 1),
            Status.UNREADABLE, "損毀")
    variant("儲存格參照錯誤.xlsx", lambda d: d.replace(
        b"</sheetData>", b'<row r="300"><c r="ZZZZ99999999999" t="inlineStr"><is><t>x</t></is></c></row></sheetData>', 1))
    variant("共用字串索引過大.xlsx", lambda d: d.replace(
        b"</sheetData>", b'<row r="301"><c r="E301" t="s"><v>99999999999999999999</v></c></row></sheetData>', 1))
    variant("樣式索引過大.xlsx", lambda d: d.replace(
        b"</sheetData>", b'<row r="302"><c r="E302" s="99999999999999"><v>1</v></c></row></sheetData>', 1))
    variant("無限大數值.xlsx", lambda d: d.replace(
        b"</sheetData>", b'<row r="303"><c r="E303"><v>1e400</v></c></row></sheetData>', 1))
    variant("日期格式錯誤.xlsx", lambda d: d.replace(
        b"</sheetData>", b'<row r="304"><c r="E304" t="d"><v>not a date</v></c></row></sheetData>', 1),
        Status.UNREADABLE, "損毀")
    variant("儲存格過多.xlsx", lambda d: d.replace(b"</sheetData>", _rows(MAX_CELLS // 2, 4) + b"</sheetData>", 1),
            Status.UNREADABLE, "儲存格超過")
    # just under the limit, every cell in a column no form has: read, its problems summarised
    variant("儲存格接近上限.xlsx", lambda d: d.replace(b"</sheetData>", _rows((MAX_CELLS - 2000) // 2, 2) + b"</sheetData>", 1),
            Status.RETURNED, "未逐一列出")
    # the only return of its unit, so that its problems are listed
    other = folder.parent / "hostile-other.xlsx"
    filled(output, "外事科").save(other)
    variant("十萬字儲存格.xlsx", lambda d: d.replace(
        b"</sheetData>", b'<row r="305"><c r="F305" t="inlineStr"><is><t>' + "長".encode() * 100_000
        + b"</t></is></c></row></sheetData>", 1), source=other.read_bytes())
    variant("外部實體.xlsx", lambda d: _doctype(d, b'<!ENTITY e SYSTEM "file:///etc/passwd">'), Status.UNREADABLE, "損毀")
    variant("實體炸彈.xlsx", lambda d: _doctype(d, b'<!ENTITY a "aaaaaaaaaa">' + b"".join(
        b'<!ENTITY %s "%s">' % (bytes([98 + i]), b"&%s;" % bytes([97 + i]) * 10) for i in range(8))),
        Status.UNREADABLE, "損毀")
    variant("深層巢狀.xlsx", lambda d: d.replace(b"</sheetData>", b"</sheetData>" + b"<x>" * 100_000 + b"</x>" * 100_000, 1))
    variant("公式注入.xlsx", lambda d: d.replace(
        b"</sheetData>", b'<row r="306"><c r="F306" t="inlineStr"><is><t>=HYPERLINK("http://x","y")</t></is></c>'
        b"</row></sheetData>", 1))
    variant("控制字元.xlsx", lambda d: d.replace(
        b"</sheetData>", b'<row r="307"><c r="F307" t="inlineStr"><is><t>a_x0007_b_x001B_[31m</t></is></c>'
        b"</row></sheetData>", 1))

    # whole files that are not what they claim
    zip_bomb(folder / "壓縮炸彈.xlsx", expanded_mb=150)
    cases.append(Case("壓縮炸彈.xlsx", Status.UNREADABLE, "過大"))
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as archive:
        for index in range(5001):
            archive.writestr(f"x/{index}", b"")
    (folder / "項目過多.xlsx").write_bytes(many.getvalue())
    cases.append(Case("項目過多.xlsx", Status.UNREADABLE, "過大"))
    truncated(base_path, folder / "下載中斷.xlsx")
    cases.append(Case("下載中斷.xlsx", Status.UNREADABLE, "損毀"))
    (folder / "空檔.xlsx").write_bytes(b"")
    cases.append(Case("空檔.xlsx", Status.UNREADABLE, "不是 Excel"))
    (folder / "亂碼.xlsx").write_bytes(os.urandom(4096).replace(b"PK", b"pk"))
    cases.append(Case("亂碼.xlsx", Status.UNREADABLE, "不是 Excel"))
    encrypted_file(folder / "加密.xlsx")
    cases.append(Case("加密.xlsx", Status.UNREADABLE, "密碼"))
    with_macros(base_path, folder / "巨集.xlsm")
    cases.append(Case("巨集.xlsm", Status.RETURNED, "巨集"))

    # entries that are not regular files: never opened, each listed with its reason
    os.mkfifo(folder / "pipe.xlsx")
    cases.append(Case("pipe.xlsx", Status.SKIPPED, "具名管道"))
    listening = socket.socket(socket.AF_UNIX)
    listening.bind(str(folder / "socket.xlsx"))
    listening.close()
    cases.append(Case("socket.xlsx", Status.SKIPPED, "通訊端"))
    os.symlink(base_path, folder / "連結.xlsx")
    cases.append(Case("連結.xlsx", Status.SKIPPED, "符號連結"))
    (folder.parent / "別處").mkdir(exist_ok=True)
    os.symlink(folder.parent / "別處", folder / "連結資料夾")
    cases.append(Case("連結資料夾", Status.SKIPPED, "符號連結"))
    os.symlink(folder / "不存在", folder / "斷掉的連結.xlsx")
    cases.append(Case("斷掉的連結.xlsx", Status.SKIPPED, "符號連結"))

    # names that would forge console lines or reverse text
    for name in ("\u202eslx.回報.xlsx", "第一行\n完成：已產生 0 個檔案.xlsx", "\x1b[2J清畫面.xlsx"):
        (folder / name).write_bytes(b"not a workbook")
        cases.append(Case(name, Status.UNREADABLE, "不是 Excel"))
    return cases
