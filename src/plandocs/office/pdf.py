"""PDF copies of rendered .docx files, made by one headless LibreOffice process for the whole batch.

LibreOffice runs with a private profile (a user's open LibreOffice window would otherwise swallow the
job), under a time limit, and with the shipped fontconfig alias so 標楷體 is set in a free Kai face.
Each PDF is checked (not empty, a readable page count, the expected one where known) and reported per file;
one failed or hung conversion costs only the files it did not finish.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Location, Problem, Severity
from .convert import convert, find_soffice

INSTALL_HINT = (
    "找不到 LibreOffice，未產生 PDF（Word 檔已照常產生）。請安裝 LibreOffice 與楷書字型後再以 --pdf 執行："
    "Debian/Ubuntu 執行 sudo apt-get install libreoffice-writer-nogui fonts-arphic-ukai；"
    "Windows 請至 https://www.libreoffice.org 下載安裝 LibreOffice。"
)

_PAGE_TREE = re.compile(rb"/Type\s*/Pages\b(.*?)>>", re.DOTALL)
_PAGE_COUNT = re.compile(rb"/Count\s+(\d+)")
# LibreOffice stamps the wall-clock time, and in the trailer ids and a checksum derived from it (32 hex
# digits each); with TZ=UTC the date has this fixed form.
_CREATION_DATE = re.compile(rb"/CreationDate\(D:\d{14}Z'\)")
_TRAILER_DIGEST = re.compile(rb"[0-9A-F]{32}")


@dataclass(frozen=True)
class Document:
    """One .docx to convert, named as the user will find it (relative to the output folder)."""

    name: str
    data: bytes
    expected_pages: int | None = None


@dataclass
class Conversion:
    """The PDFs of a batch, in the order of its documents (None where none was made), and what went wrong."""

    pdfs: list[bytes | None]
    problems: list[Problem] = field(default_factory=list)


def convert_to_pdf(documents: list[Document], stamp: dt.datetime, timeout: float | None = None,
                   soffice: Path | None = None) -> Conversion:
    """Convert every document in one LibreOffice run; the PDFs are reproducible (dated `stamp`)."""
    soffice = soffice or find_soffice()
    if soffice is None:
        return Conversion([None] * len(documents), [Problem(INSTALL_HINT, Location())])
    try:
        converted = convert([(".docx", document.data) for document in documents], "pdf", soffice, timeout,
                            prefix="plandocs-pdf-")
    except OSError as error:
        return Conversion([None] * len(documents), [Problem(
            f"無法啟動 LibreOffice（{error.strerror or error}），未產生 PDF；請確認安裝完整或重新安裝。",
            Location(file=str(soffice)))])
    conversion = Conversion([])
    for document, data in zip(documents, converted.outputs):
        problem = _check(data, document, converted.finished, converted.exit_code, converted.timeout)
        if problem and problem.is_error:
            data = None
        conversion.pdfs.append(reproducible_pdf(data, stamp) if data else None)
        if problem:
            conversion.problems.append(problem)
    return conversion


def _check(data: bytes | None, document: Document, finished: bool, exit_code: int | None,
           timeout: float) -> Problem | None:
    where = Location(file=document.name)
    if data is None:
        if not finished:
            return Problem(f"LibreOffice 在 {timeout:.0f} 秒內未完成轉換，已停止；此檔未產生 PDF，請重新執行。", where)
        return Problem(f"LibreOffice 未能將此檔轉成 PDF（結束代碼 {exit_code}）；請以 Word 或 LibreOffice 開啟此檔確認。",
                       where)
    if not data:
        return Problem("LibreOffice 產生的 PDF 是空的，未寫入；請重新執行。", where)
    pages = page_count(data)
    if pages is None:
        return Problem("LibreOffice 產生的 PDF 不完整（讀不到頁數），未寫入；請重新執行。", where)
    if document.expected_pages is not None and pages != document.expected_pages:
        return Problem(f"PDF 有 {pages} 頁，應為 {document.expected_pages} 頁；請檢查內容是否過長或範本的版面。",
                       where, Severity.WARNING)
    return None


def page_count(data: bytes) -> int | None:
    """Pages of a PDF as LibreOffice writes it (plain page-tree objects); the root node counts them all."""
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        return None
    counts = [int(number) for tree in _PAGE_TREE.findall(data) for number in _PAGE_COUNT.findall(tree)]
    return max(counts, default=None)


def reproducible_pdf(data: bytes, stamp: dt.datetime) -> bytes:
    """Replace the conversion time and the ids made from it, keeping every byte offset of the file.

    The ids become a digest of the content, so the same document always gives the same bytes.
    """
    date = b"/CreationDate(D:" + stamp.strftime("%Y%m%d%H%M%S").encode() + b"Z')"
    trailer = data.rfind(b"trailer")
    if trailer < 0:
        return data
    body = _CREATION_DATE.sub(date, data[:trailer])
    digest = hashlib.md5(body + _TRAILER_DIGEST.sub(b"", data[trailer:]), usedforsecurity=False)
    return body + _TRAILER_DIGEST.sub(digest.hexdigest().upper().encode(), data[trailer:])
