"""Fill the forms `build` makes the way units do, mess included, to give `collect` a realistic returns folder.

A Filler opens a unit's built workbook with openpyxl (as a unit's Excel would) and types into it; the
functions below damage files the ways real returns arrive: formulas with their cached results, stripped
identity, LibreOffice re-saves, encryption, truncation, zip bombs, macros.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import warnings
import zipfile
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.cell.cell import Cell

from helpers.project import SHIPPED_MASTER
from plandocs.documents.fill_in_form import (
    GUIDE_INPUT_ROWS, GUIDE_SHEET, HEADER_ROW, IDENTITY_SHEET, PHONE, PROGRESS_CODE, PROGRESS_INPUT, PROGRESS_SHEET,
    PROPERTY_PREFIX, REPORT_DATE, REPORTER, SURVEY_SHEET, case_count_header,
)
from plandocs.master.validate import check_master


SAVED = dt.datetime(2018, 6, 20, 9, 0)  # a return's last-saved time, before the deadline, unless a test says


def form_of(output: Path, unit: str) -> Path:
    """The fill-in workbook `build` wrote for a unit."""
    (found,) = (output / "各單位").glob(f"{unit}/*.xlsx")
    return found


def as_text(cell: Cell, text: str) -> None:
    """Store text exactly as typed, even when it starts with = (what Excel does after a leading apostrophe)."""
    cell.value = text
    cell.data_type = "s"


class Filler:
    """A unit's form opened for typing; columns are found by their headings, as a person reads them."""

    def __init__(self, form: Path):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl notes data-validation extensions it does not keep
            self.workbook = load_workbook(form)
        self.survey = self.workbook[SURVEY_SHEET]
        self.progress_sheet = self.workbook[PROGRESS_SHEET]
        self.guide = self.workbook[GUIDE_SHEET]

    def column(self, sheet, heading: str) -> int:
        return next(c.column for c in sheet[HEADER_ROW] if c.value == heading)

    def measure(self, dimension: str, topic: str, name: str, content: str) -> Cell:
        """Type a measure into the first free row of its topic; return the 措施名稱 cell."""
        for row in range(HEADER_ROW + 1, self.survey.max_row + 1):
            cells = [self.survey.cell(row, c) for c in range(1, 5)]
            if [c.value for c in cells[:2]] == [dimension, topic] and cells[2].value is None and cells[3].value is None:
                cells[2].value, cells[3].value = name, content
                return cells[2]
        raise LookupError(f"no free row for {dimension}/{topic}")

    def progress_row(self, code: str) -> int:
        column = self.column(self.progress_sheet, PROGRESS_CODE)
        return next(r for r in range(HEADER_ROW + 1, self.progress_sheet.max_row + 1)
                    if self.progress_sheet.cell(r, column).value == code)

    def report(self, code: str, text, counts: dict[int, object] | None = None) -> None:
        row = self.progress_row(code)
        self.progress_sheet.cell(row, self.column(self.progress_sheet, PROGRESS_INPUT)).value = text
        for year, value in (counts or {}).items():
            self.progress_sheet.cell(row, self.column(self.progress_sheet, case_count_header(year))).value = value

    def report_all(self, text: str, counts: dict[int, object]) -> None:
        """Fill every key point of the sheet: the same text with the code, and the counts where asked."""
        code_column = self.column(self.progress_sheet, PROGRESS_CODE)
        for row in range(HEADER_ROW + 1, self.progress_sheet.max_row + 1):
            code = self.progress_sheet.cell(row, code_column).value
            if code:
                self.report(code, f"{text}（{code}）")
        first = self.progress_sheet.cell(HEADER_ROW + 1, code_column).value
        if first == "1.1.1":
            self.report("1.1.1", f"{text}（1.1.1）", counts)

    def contact(self, date: dt.date | str | None, reporter: str = "王小明", phone: str = "(02)2381-8000#1234") -> None:
        for label, value in ((REPORT_DATE, date), (REPORTER, reporter), (PHONE, phone)):
            self.guide.cell(GUIDE_INPUT_ROWS[label], 2).value = value

    def clear_titles(self) -> None:
        """Remove every place the form names the unit: the sheets' titles and 說明's 填報單位."""
        for sheet in (self.survey, self.progress_sheet):
            sheet.unmerge_cells(start_row=1, start_column=1, end_row=1, end_column=sheet.max_column)
            sheet.cell(1, 1).value = None
        self.guide.cell(2, 2).value = None

    def save(self, path: Path, modified: dt.datetime = SAVED) -> Path:
        """Save as the unit's Excel would, with `modified` as the workbook's last-saved time (openpyxl stamps
        the present time, so it is set in docProps/core.xml afterwards)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.workbook.save(path)
        stamp = modified.strftime("%Y-%m-%dT%H:%M:%SZ").encode()

        def change(name: str, data: bytes) -> bytes:
            if name != "docProps/core.xml":
                return data
            return re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, data)

        _rewrite(path, change)
        return path


# ---------------------------------------------------------------------------------------------------------------
# Damage done to whole files


def _rewrite(path: Path, change) -> None:
    """Rewrite the zip entries of a workbook through change(name, bytes) -> bytes | None (None drops the entry)."""
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = change(info.filename, source.read(info.filename))
            if data is not None:
                target.writestr(info, data)
    path.write_bytes(buffer.getvalue())


def cache_formula_results(path: Path, sheet_part: str, results: dict[str, str]) -> None:
    """Give formula cells the results Excel would have cached: openpyxl itself saves formulas without one."""
    def change(name: str, data: bytes) -> bytes:
        if name != sheet_part:
            return data
        text = data.decode("utf-8")
        for coordinate, value in results.items():
            numeric = re.fullmatch(r"-?\d+(\.\d+)?", value)
            kind = "" if numeric else ' t="e"' if value.startswith("#") else ' t="str"'
            text = re.sub(rf'<c r="{coordinate}"([^>]*?)(?: t="\w+")?>(<f>.*?</f>)<v\s*/?>(?:</v>)?',
                          rf'<c r="{coordinate}"\1{kind}>\2<v>{value}</v>', text)
        return text.encode("utf-8")

    _rewrite(path, change)


def sheet_part(path: Path, sheet: str) -> str:
    """The zip entry of a sheet, e.g. xl/worksheets/sheet3.xml (openpyxl numbers them in sheet order)."""
    names = load_workbook(path, read_only=True).sheetnames
    return f"xl/worksheets/sheet{names.index(sheet) + 1}.xml"


def strip_identity(path: Path) -> None:
    """What a copy into a new workbook does: no identity sheet, no custom properties."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = load_workbook(path)
    del workbook[IDENTITY_SHEET]
    for name in [p.name for p in workbook.custom_doc_props.props if p.name.startswith(PROPERTY_PREFIX)]:
        del workbook.custom_doc_props[name]
    workbook.save(path)


def set_identity(path: Path, **values: str) -> None:
    """Change identity values (key of the fill-in form → text) in both the hidden sheet and the properties."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = load_workbook(path)
    sheet = workbook[IDENTITY_SHEET]
    for row in sheet.iter_rows():
        if row[0].value in values:
            row[1].value = values[row[0].value]
    for prop in workbook.custom_doc_props.props:
        key = prop.name.removeprefix(PROPERTY_PREFIX)
        if key in values:
            prop.value = values[key]
    workbook.save(path)


def libreoffice_resave(path: Path, work: Path) -> Path:
    """Open and save the workbook in LibreOffice (formulas get their results, the file its own XML)."""
    work.mkdir(parents=True, exist_ok=True)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{work}/profile", "--convert-to",
                    "xlsx:Calc MS Excel 2007 XML", "--outdir", str(work / "out"), str(path)],
                   check=True, capture_output=True, timeout=120)
    shutil.move(work / "out" / (path.stem + ".xlsx"), path)
    return path


def encrypted_file(path: Path) -> Path:
    """The head of a password-protected .xlsx: a Compound File holding an EncryptedPackage stream."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    path.write_bytes(header + "EncryptedPackage".encode("utf-16-le") + bytes(4096))
    return path


def zip_bomb(path: Path, expanded_mb: int = 200) -> Path:
    """A small zip whose one entry expands to `expanded_mb` megabytes of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry:
            chunk = bytes(1024 * 1024)
            for _ in range(expanded_mb):
                entry.write(chunk)
    path.write_bytes(buffer.getvalue())
    return path


def truncated(source: Path, path: Path) -> Path:
    """A download cut short: the first half of a workbook."""
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def with_macros(source: Path, path: Path) -> Path:
    """The workbook saved as .xlsm with a (harmless, never run) VBA project inside."""
    shutil.copy(source, path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 Sub AutoOpen(): Shell \"calc\" End Sub")
    return path


def oversized(path: Path, megabytes: int) -> Path:
    """A sparse file larger than the limit: its size alone must refuse it."""
    with path.open("wb") as handle:
        handle.write(b"PK\x03\x04")
        handle.truncate(megabytes * 1024 * 1024)
    return path


def fill_measures(filler: Filler, unit: str, per_topic: int = 1) -> None:
    """One measure (or `per_topic`) under every survey topic of the shipped plan."""
    for dimension in check_master(SHIPPED_MASTER).plan.dimensions:
        for topic in dimension.survey_topics:
            for n in range(per_topic):
                filler.measure(dimension.name, topic, f"{unit}{topic}措施{n + 1}", f"{unit}就「{topic}」辦理第{n + 1}項作法。")


def filled(output: Path, unit: str, date=dt.date(2018, 6, 20), measures: bool = True) -> Filler:
    """A unit's form filled as a diligent unit would: measures, every 辦理情形 with its counts, the contact."""
    filler = Filler(form_of(output, unit))
    if measures:
        fill_measures(filler, unit)
    filler.report_all(f"{unit}已辦理", {106: 1200, 107: 1350})
    filler.contact(date)
    return filler
