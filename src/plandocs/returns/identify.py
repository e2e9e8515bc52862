"""Which unit sent a return: the form's identity (hidden sheet, custom properties), else its titles and the file
name — saying which, and never guessing between two units."""
from __future__ import annotations

from dataclasses import dataclass

from ..documents.fill_in_form import (
    FORM_KIND, GUIDE_SHEET, ID_DIGEST, ID_KIND, ID_UNIT, ID_VERSION, ID_YEAR, IDENTITY_SHEET, PROGRESS_SHEET,
    PROPERTY_PREFIX, SURVEY_SHEET,
)
from ..errors import Location, Severity
from ..master.model import Unit
from ..office.workbook_data import HEADER_SEARCH_ROWS, WorkbookData
from ..text import clean_text, name_key
from .records import Recognition, Return, Status
from .reference import Reference

_TITLE_SHEETS = (GUIDE_SHEET, SURVEY_SHEET, PROGRESS_SHEET)  # sheets whose title carries the unit's name


@dataclass(frozen=True)
class _Identity:
    """The identity one place of a workbook holds, and where each value is, to report a wrong one there."""

    values: dict[str, str]
    places: dict[str, Location]
    recognition: Recognition

    def usable(self) -> bool:
        return self.values.get(ID_KIND) == FORM_KIND and bool(self.values.get(ID_UNIT))

    def report(self, ret: Return, key: str, message: str, severity: Severity = Severity.ERROR) -> None:
        ret.find(message, self.places[key], self.values[key], severity)


def _identities(workbook: WorkbookData, file: str) -> list[_Identity]:
    """The identity as the hidden sheet holds it (key in A, value in B), then as the custom properties hold it."""
    found = []
    sheet = workbook.sheet(IDENTITY_SHEET)
    if sheet is not None:
        values, places = {}, {}
        for (row, column), cell in sorted(sheet.cells.items()):
            key = clean_text(cell.value).text
            if column == 1 and key not in values:
                values[key] = clean_text(sheet.value(row, 2)).text
                places[key] = Location(file=file, sheet=sheet.name, row=row, column="B")
        found.append(_Identity(values, places, Recognition.IDENTITY_SHEET))
    properties = {name.removeprefix(PROPERTY_PREFIX): clean_text(value).text
                  for name, value in workbook.custom_properties.items() if name.startswith(PROPERTY_PREFIX)}
    if properties:
        places = {key: Location(file=file, place=f"文件自訂屬性「{PROPERTY_PREFIX}{key}」") for key in properties}
        found.append(_Identity(properties, places, Recognition.PROPERTIES))
    return found


def identify(reference: Reference, ret: Return, workbook: WorkbookData, stem: str) -> None:
    """Recognise the unit: the identity sheet, else the custom properties, else the titles and the file name."""
    where = Location(file=ret.file)
    candidates = [identity for identity in _identities(workbook, ret.file) if identity.usable()]
    if len({name_key(identity.values[ID_UNIT]) for identity in candidates}) > 1:
        names = "、".join(f"「{identity.values[ID_UNIT]}」" for identity in candidates)
        ret.set_aside(Status.UNIDENTIFIED, f"表單識別工作表與文件屬性記載的單位不同（{names}），無法判定是哪個單位的回報。")
        return
    if not candidates:
        _identify_by_text(reference, ret, workbook, stem)
        return
    identity = candidates[0]
    ret.recognition = identity.recognition
    unit = reference.units.get(name_key(identity.values[ID_UNIT]))
    if unit is None:
        message = f"表單記載的單位「{identity.values[ID_UNIT]}」不在計畫主檔的「單位」工作表中。"
        identity.report(ret, ID_UNIT, message)
        ret.set_aside(Status.REJECTED, message)
        return
    titled = _units_in_titles(reference, workbook)
    if titled and unit not in titled:
        # a unit filled in a copy of another unit's file and retitled it: its identity names the other unit
        names = "、".join(sorted(u.name for u in titled))
        ret.set_aside(Status.UNIDENTIFIED, f"表單識別為「{unit.name}」，但表單標題寫的是「{names}」，可能是以他單位的檔案"
                                           "填寫，不予猜測；請確認是哪個單位的回報，並請該單位以自己的填報表重新填寫。")
        return
    ret.unit = unit
    named = reference.units_named_in(stem)
    if named and unit not in named:
        ret.find(f"檔名提到「{'、'.join(u.name for u in named)}」，但表單識別為「{unit.name}」；以表單識別為準。",
                 where, severity=Severity.WARNING)
    if not unit.receives_survey:
        ret.find(f"單位「{unit.name}」在計畫主檔設定為不填報調查表，仍將其回報納入彙整。", where, severity=Severity.WARNING)
    _check_version(reference, ret, identity)


def _units_in_titles(reference: Reference, workbook: WorkbookData) -> set[Unit]:
    """The units the form's titles name (the unit's name is written into each sheet's title)."""
    found: set[Unit] = set()
    for kind in _TITLE_SHEETS:
        sheet = workbook.sheet(kind)
        for cell in sheet.in_order() if sheet is not None else []:
            if cell.row > HEADER_SEARCH_ROWS:
                continue
            name = reference.name_in_form_text(kind, cell.value, titles_only=True)
            if name is not None and name_key(name) in reference.units:
                found.add(reference.units[name_key(name)])
    for text in workbook.titles:  # the Word 附表2's title, a PDF's text: the survey's title names the unit
        name = reference.name_in_form_text(SURVEY_SHEET, text, titles_only=True)
        if name is not None and name_key(name) in reference.units:
            found.add(reference.units[name_key(name)])
    return found


def _identify_by_text(reference: Reference, ret: Return, workbook: WorkbookData, stem: str) -> None:
    """Without an identity: the unit's name where the form's titles write it, else the file name."""
    by_title = _units_in_titles(reference, workbook)
    by_name = reference.units_named_in(stem)
    where = Location(file=ret.file)
    if len(by_title) > 1 or (by_title and by_name and by_title != by_name):
        names = "、".join(sorted(u.name for u in by_title | by_name))
        ret.set_aside(Status.UNIDENTIFIED, f"表單識別資料遺失，標題與檔名指向不同單位（{names}），不予猜測；"
                                           "請確認是哪個單位的回報，並請該單位以寄發的填報表重新填寫。")
        return
    found, how = (by_title, Recognition.TITLE) if by_title else (by_name, Recognition.FILE_NAME)
    if len(found) != 1:
        detail = f"（可能是 {'、'.join(sorted(u.name for u in found))}）" if found else ""
        ret.set_aside(Status.UNIDENTIFIED, f"表單識別資料遺失，標題與檔名也無法判定單位{detail}，不予猜測；"
                                           "請確認是哪個單位的回報，並請該單位以寄發的填報表重新填寫。")
        return
    ret.unit, ret.recognition = next(iter(found)), how
    by = "標題" if how is Recognition.TITLE else "檔名"
    if workbook.partial and not workbook.word_form:  # a .csv holds no identity: nothing was lost
        ret.find(f".csv 檔沒有表單識別資料，依{by}判定為「{ret.unit.name}」的回報；請確認。", where, severity=Severity.WARNING)
        return
    ret.find(f"表單識別資料遺失或損毀，依{by}判定為「{ret.unit.name}」的回報；"
             "請確認（無法核對計畫年度與表單版本）。", where, severity=Severity.WARNING)


def _check_version(reference: Reference, ret: Return, identity: _Identity) -> None:
    """The plan year must match; another form version or layout is read by content, with a warning."""
    facts = reference.plan.facts
    values = identity.values
    if values.get(ID_YEAR, str(facts.year)) != str(facts.year):
        message = f"這是 {values[ID_YEAR]} 年的表單，本次彙整 {facts.year} 年；請該單位以今年寄發的填報表填寫。"
        identity.report(ret, ID_YEAR, message)
        ret.set_aside(Status.REJECTED, message)
        return
    ret.version = values.get(ID_VERSION, "")
    read_by_content = "已依欄位標題、編號與項目名稱讀取，請核對內容。"
    if ID_VERSION in values and ret.version != str(facts.form_version):
        identity.report(ret, ID_VERSION, f"表單版本為第 {ret.version} 版，目前為第 {facts.form_version} 版；{read_by_content}",
                        Severity.WARNING)
    if ID_DIGEST in values and values[ID_DIGEST] != reference.digest:
        identity.report(ret, ID_DIGEST, f"表單版面與目前的計畫主檔不同（評核重點或項目已變更）；{read_by_content}",
                        Severity.WARNING)
