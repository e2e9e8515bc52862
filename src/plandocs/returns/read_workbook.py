"""Read the sheets of a returned fill-in workbook into its measures, progress and contact; account for every cell.

Cells that are the form's own text are recognised against the blank form (reference.py); anything else a
unit typed is either taken, with its cell, or reported with its content.
"""
from __future__ import annotations

import datetime as dt

from ..documents.fill_in_form import (
    GUIDE_INPUT_ROWS, GUIDE_SHEET, HEADER_ROW, IDENTITY_SHEET, LISTS_SHEET, PHONE, PROGRESS_CODE, PROGRESS_HEADERS,
    PROGRESS_INPUT, PROGRESS_KEY_POINT, PROGRESS_SHEET, REPORT_DATE, REPORTER, SURVEY_HEADERS, SURVEY_SHEET,
    ProgressRow, case_count_header, case_count_years,
)
from ..errors import Location, Severity
from ..office.xlsx_layout import EXCEL_CELL_CHARACTERS
from ..office.workbook_data import CellData, SheetData, WorkbookData, column_letter
from ..text import ROC_OFFSET, clean_text, date_cell, is_blank, listed_items, parse_date, roc_slash_date, text_key, whole_number
from .read_docx import OUTSIDE_TABLES_SHEET
from .records import Entry, Measure, Progress, Return, blank_contact_message
from .reference import Reference


def _find_header_row(sheet: SheetData, headings: tuple[str, ...]) -> tuple[int, dict[str, int]] | None:
    """The row near the top naming most of the headings, if it names two or more, with each heading's column."""
    wanted = {text_key(h): h for h in headings}
    found = sheet.heading_row(lambda value: wanted.get(text_key(value)))
    return found if found is not None and len(found[1]) >= 2 else None


class WorkbookReturnReader:
    """Reads the sheets of one return into its measures, progress and contact, and accounts for every cell."""

    def __init__(self, reference: Reference, ret: Return, workbook: WorkbookData):
        self.reference = reference
        self.ret = ret
        self.workbook = workbook
        self.unit = ret.unit
        self.count_headers = {case_count_header(y): y for y in case_count_years(reference.plan)}
        self.progress_columns: dict[str, int] = {}

    def where(self, sheet: SheetData, row: int | None = None, column: int | None = None) -> Location:
        letter = column_letter(column) if column else None
        return Location(file=self.ret.file, sheet=sheet.name, row=row, column=letter)

    def find(self, sheet: SheetData, cell: CellData | None, message: str, severity: Severity = Severity.ERROR) -> None:
        if cell is None:
            self.ret.find(message, self.where(sheet), severity=severity)
        else:
            self.ret.find(message, self.where(sheet, cell.row, cell.column), _content(cell), severity)

    def read(self) -> None:
        seen_kinds: set[str] = set()
        for sheet in self.workbook.sheets:
            self._too_long(sheet)
            kind = self._kind(sheet)
            seen_kinds.add(kind)
            if kind == SURVEY_SHEET:
                self._survey(sheet)
            elif kind == PROGRESS_SHEET:
                self._progress(sheet)
            elif kind == GUIDE_SHEET:
                self._guide(sheet)
            elif kind in (IDENTITY_SHEET, LISTS_SHEET):
                self._form_only(sheet, kind)
            elif kind == OUTSIDE_TABLES_SHEET:
                self._outside_tables(sheet)
            else:
                for cell in sheet.in_order():
                    self.find(sheet, cell, "此工作表不屬於填報表，內容未彙整；如需納入，請移到「調查表」或「辦理情形」。",
                              Severity.WARNING)
        if self.ret.used and self.workbook.partial:
            wanted = {SURVEY_SHEET} if self.workbook.word_form else {SURVEY_SHEET, PROGRESS_SHEET}
            if not wanted & seen_kinds:
                what = "調查表的表格" if self.workbook.word_form else "「調查表」或「辦理情形」的欄位標題"
                self.ret.find(f"找不到{what}（構面名稱、項目、措施名稱、措施內容…），內容未能彙整。", Location(file=self.ret.file))
        elif self.ret.used:
            for kind in (SURVEY_SHEET, PROGRESS_SHEET):
                if kind not in seen_kinds and (kind == SURVEY_SHEET or self.reference.unit_rows(self.unit)):
                    self.ret.find(f"找不到「{kind}」工作表（可能被刪除或改名），此部分未填報。", Location(file=self.ret.file))
        if self.ret.used and self.unit is not None:
            self._missing_progress()

    def _too_long(self, sheet: SheetData) -> None:
        """Excel cannot hold a cell this long (only a program writes one): the consolidated workbook shows its
        beginning, pointing here, and this row says so."""
        for cell in sheet.cells.values():
            if isinstance(cell.value, str) and len(cell.value) > EXCEL_CELL_CHARACTERS:
                self.find(sheet, cell, f"此格有 {len(cell.value):,} 字，超過 Excel 儲存格上限 {EXCEL_CELL_CHARACTERS:,} 字；"
                                       "彙整活頁簿中此格內容已截斷，只列前段，全文請見回報檔本身的此儲存格。", Severity.WARNING)

    def _kind(self, sheet: SheetData) -> str:
        """Which sheet of the form this is: by its name, else by its headings (a renamed or copied sheet)."""
        if self.workbook.word_form and sheet.name == OUTSIDE_TABLES_SHEET:
            return OUTSIDE_TABLES_SHEET
        name = text_key(sheet.name)
        for kind in (SURVEY_SHEET, PROGRESS_SHEET, GUIDE_SHEET, IDENTITY_SHEET, LISTS_SHEET):
            if name == text_key(kind):
                return kind
        survey = _find_header_row(sheet, SURVEY_HEADERS)
        progress = _find_header_row(sheet, PROGRESS_HEADERS)
        if progress and len(progress[1]) >= 4 and PROGRESS_CODE in progress[1]:
            return PROGRESS_SHEET
        if survey and len(survey[1]) >= 3:
            return SURVEY_SHEET
        return ""

    def _form_only(self, sheet: SheetData, kind: str) -> None:
        """A sheet holding only the form's own text (identity, drop-down lists): anything else is reported."""
        reported = {(f.location.sheet, f.location.cell()) for f in self.ret.findings}  # a wrong identity value
        for cell in sheet.in_order():
            if (sheet.name, cell.coordinate) in reported:
                continue
            if not self.reference.is_form_text(kind, cell.value, self.unit):
                self.find(sheet, cell, f"「{kind}」工作表供表單使用，此格內容不屬於表單，未彙整。", Severity.WARNING)

    def _outside_tables(self, sheet: SheetData) -> None:
        """Paragraphs of a Word return outside its tables: the form's own, or text a unit typed beside the table."""
        for cell in sheet.in_order():
            if not self.reference.is_word_text(cell.value, self.unit):
                self.find(sheet, cell, "此段文字在表格之外，內容未彙整；如為措施，請填入調查表的表格。", Severity.WARNING)

    def _heading_cells(self, sheet: SheetData, header_row: int, known_columns: set[int], kind: str) -> None:
        """Title, note and headings: the form's own text; a heading the unit added is reported with its column."""
        for cell in sheet.in_order():
            if cell.row > header_row:
                break
            if cell.row == header_row and cell.column in known_columns:
                continue
            if not self.reference.is_form_text(kind, cell.value, self.unit):
                self.find(sheet, cell, "此格不是表單原有的標題或說明文字，內容未彙整。", Severity.WARNING)

    def _text(self, sheet: SheetData, cell: CellData | None) -> str:
        """The cell's text; a formula's cached result is used and the cell reported."""
        if cell is None:
            return ""
        if cell.error is not None:
            self.find(sheet, cell, f"儲存格顯示錯誤值 {cell.error}，未彙整；請改填文字或數字。")
            return ""
        if cell.formula is not None:
            if is_blank(cell.value):
                self.find(sheet, cell, "此格是公式但沒有計算結果，未彙整；請改填文字，或在 Excel 開啟後重新儲存。")
                return ""
            self.find(sheet, cell, f"此格是公式（{_formula_text(cell)}），已採用其計算結果；建議改填文字。", Severity.WARNING)
        cleaned = clean_text(cell.value)
        if cleaned.removed:
            self.find(sheet, cell, "含有無法儲存的控制字元，已刪除。", Severity.WARNING)
        return cleaned.text

    def _unknown_columns(self, sheet: SheetData, cells: dict[int, CellData], known: set[int], what: str) -> None:
        for column, cell in cells.items():
            if column not in known:
                self.find(sheet, cell, f"此欄不是「{what}」的填寫欄位，內容未彙整；請移到正確的欄位。")

    # -- 調查表 -----------------------------------------------------------------------------------------------------

    def _survey(self, sheet: SheetData) -> None:
        header = _find_header_row(sheet, SURVEY_HEADERS)
        if header is None:
            self.find(sheet, None, "找不到欄位標題列（構面名稱、項目、措施名稱、措施內容），已依原始欄位位置讀取；請核對。",
                      Severity.WARNING)
            header = (HEADER_ROW, {h: i for i, h in enumerate(SURVEY_HEADERS, 1)})
        header_row, columns = header
        for heading in SURVEY_HEADERS:
            if heading not in columns:
                self.find(sheet, None, f"缺少欄位「{heading}」（可能被刪除或改名），此欄內容無法讀取。")
        self._heading_cells(sheet, header_row, set(columns.values()), SURVEY_SHEET)
        dimension_column, topic_column, name_column, content_column = (columns.get(h) for h in SURVEY_HEADERS)
        merged = sheet.merged_anchors((dimension_column, topic_column))
        dimension = topic = ""
        for row, cells in sheet.rows().items():
            if row <= header_row:
                continue
            self._unknown_columns(sheet, cells, set(columns.values()), SURVEY_SHEET)
            dimension_cell = cells.get(dimension_column) or merged.get((row, dimension_column))
            topic_cell = cells.get(topic_column) or merged.get((row, topic_column))
            if dimension_cell is not None:
                new_dimension = self._text(sheet, dimension_cell)
                if new_dimension != dimension:
                    topic = ""  # a new dimension starts; its topic is on this row or below
                dimension = new_dimension
            if topic_cell is not None:
                topic = self._text(sheet, topic_cell)
            name_cell, content_cell = cells.get(name_column), cells.get(content_column)
            name, content = self._text(sheet, name_cell), self._text(sheet, content_cell)
            typed_labels = [c for c in (cells.get(dimension_column), cells.get(topic_column)) if c is not None]
            resolved = self._topic(sheet, dimension, topic, typed_labels, has_measure=bool(name or content))
            if not (name or content):
                continue
            filled = [c for c in (name_cell, content_cell) if c is not None and not is_blank(c.value)]
            if resolved is None:
                for cell in filled:
                    self.find(sheet, cell, "此列的構面或項目無法辨識，措施未彙整；請選擇正確的構面名稱與項目。")
                continue
            if dimension_cell is None and topic_cell is None:
                # an inserted or spare row: its labels are taken from the rows above, which may not be what was meant
                self.find(sheet, self._blank(row, dimension_column),
                          f"構面名稱與項目空白，已沿用上方的「{resolved[0]}／{resolved[1]}」；請確認。", Severity.WARNING)
            if not name:
                self.find(sheet, self._blank(row, name_column), "已填措施內容但未填措施名稱；請補填。")
            if not content:
                self.find(sheet, self._blank(row, content_column), "已填措施名稱但未填措施內容；請補填。")
            for name_item, content_item in self._items(sheet, name_cell, name, content):
                entries = [Entry(sheet.name, cell.coordinate, text)
                           for cell, text in ((name_cell, name_item), (content_cell, content_item)) if text]
                self.ret.measures.append(Measure(resolved[0], resolved[1], name_item, content_item, entries))

    def _items(self, sheet: SheetData, name_cell: CellData | None, name: str, content: str) -> list[tuple[str, str]]:
        """The measures of one row: in the Word form a cell may list several (1. 2. … or one per paragraph), and
        the names pair with the contents; a workbook row is one measure."""
        if not self.workbook.word_form:
            return [(name, content)]
        names, contents = listed_items(name), listed_items(content)
        if len(names) > 1 and len(names) == len(contents):
            return list(zip(names, contents))
        if len(names) > 1:
            self.find(sheet, name_cell, f"此格列有 {len(names)} 項措施名稱，措施內容有 {len(contents)} 項，無法逐項對應，"
                                        "已合為一筆彙整；請確認。", Severity.WARNING)
        return [(name, content)]

    @staticmethod
    def _blank(row: int, column: int | None) -> CellData:
        """An empty cell, to point at where a required entry is missing."""
        return CellData(row, column or 1, None)

    def _topic(self, sheet: SheetData, dimension: str, topic: str, typed: list[CellData],
               has_measure: bool) -> tuple[str, str] | None:
        """The master's (dimension, topic) of a row; a topic under the wrong dimension is placed by the topic.

        A typed 構面名稱 or 項目 the master does not know is reported with its content, measure or not.
        """
        topics = self.reference.topics
        pair = topics.get((text_key(dimension), text_key(topic)))
        if pair is not None:
            return pair
        matches = [p for (_, t), p in topics.items() if topic and t == text_key(topic)]
        if len(matches) == 1:
            if has_measure:
                self.find(sheet, typed[0] if typed else None,
                          f"項目「{topic}」屬於構面「{matches[0][0]}」，不是「{dimension}」；已依項目歸入「{matches[0][0]}」。",
                          Severity.WARNING)
            return matches[0]
        known = set(self.reference.dimensions) | {t for _, t in topics}
        for cell in typed:
            if cell.formula is None and cell.error is None and text_key(cell.value) not in known:
                self.find(sheet, cell, f"「{clean_text(cell.value).text}」不是計畫中的構面名稱或項目；請由下拉選單選取。")
        return None

    # -- 辦理情形 ---------------------------------------------------------------------------------------------------

    def _progress(self, sheet: SheetData) -> None:
        header = _find_header_row(sheet, (*PROGRESS_HEADERS, *self.count_headers))
        if header is None:
            self.find(sheet, None, "找不到欄位標題列（編號、評核重點、辦理情形…），此工作表無法讀取。")
            for cell in sheet.in_order():
                if not self.reference.is_form_text(PROGRESS_SHEET, cell.value, self.unit):
                    self.find(sheet, cell, "此工作表找不到欄位標題列，內容未彙整。")
            return
        header_row, columns = header
        self.progress_columns = columns
        for heading in (PROGRESS_CODE, PROGRESS_KEY_POINT, PROGRESS_INPUT):
            if heading not in columns:
                self.find(sheet, None, f"缺少欄位「{heading}」（可能被刪除或改名），無法完整讀取辦理情形。")
        self._heading_cells(sheet, header_row, set(columns.values()), PROGRESS_SHEET)
        inputs = {columns[h] for h in (PROGRESS_INPUT, *self.count_headers) if h in columns}
        references = {c for h, c in columns.items() if c not in inputs}
        unit_rows = self.reference.unit_rows(self.unit)
        current: ProgressRow | None = None
        for row, cells in sheet.rows().items():
            if row <= header_row:
                continue
            self._unknown_columns(sheet, cells, set(columns.values()), PROGRESS_SHEET)
            reference_cells = [cells[c] for c in sorted(references) if c in cells]
            typed = [cells[c] for c in sorted(inputs) if c in cells]
            target = self._key_point(sheet, cells, columns, unit_rows)
            if target is None and any(columns.get(h) in cells for h in (PROGRESS_CODE, PROGRESS_KEY_POINT)):
                for cell in reference_cells + typed:
                    self.find(sheet, cell, "此列的編號與評核重點無法對應計畫中的評核重點，內容未彙整。")
                current = None
                continue
            if target is None and typed and current is not None:
                self.find(sheet, typed[0], f"此列沒有編號，已併入上方評核重點「{current.code} {current.key_point.name}」。",
                          Severity.WARNING)
                target = current
            for cell in reference_cells:
                if not self.reference.is_form_text(PROGRESS_SHEET, cell.value, self.unit):
                    self.find(sheet, cell, "此格為表單的參考文字，內容已被修改；修改的內容未彙整，如需說明請填於「辦理情形」欄。",
                              Severity.WARNING)
            if target is None:
                for cell in typed:
                    self.find(sheet, cell, "此列沒有編號與評核重點，無法判斷是哪個評核重點的辦理情形，內容未彙整。")
                continue
            current = target
            self._progress_inputs(sheet, target, row, cells, columns)

    def _key_point(self, sheet: SheetData, cells: dict[int, CellData], columns: dict[str, int],
                   unit_rows: dict[str, ProgressRow]) -> ProgressRow | None:
        """The key point of a row: by its code, checked against its name; by its name when the code is gone."""
        code_cell, name_cell = cells.get(columns.get(PROGRESS_CODE)), cells.get(columns.get(PROGRESS_KEY_POINT))
        code = text_key(code_cell.value) if code_cell else ""
        name = text_key(name_cell.value) if name_cell else ""
        by_name = self.reference.rows_by_name.get(name, [])
        by_name = [r for r in by_name if r.code in unit_rows] or by_name
        row = self.reference.rows.get(code)
        if row is not None and name and text_key(row.key_point.name) != name and by_name:
            row = next((r for r in by_name if r.code == code), by_name[0])
            self.find(sheet, code_cell, f"編號「{code}」與評核重點「{name_cell.value}」不一致；已依評核重點判定為 {row.code}。",
                      Severity.WARNING)
        elif row is None and len({r.code for r in by_name}) == 1:
            row = by_name[0]
            if code_cell is not None:
                self.find(sheet, code_cell, f"編號「{code}」不存在；已依評核重點判定為 {row.code}。", Severity.WARNING)
        if row is not None and unit_rows is not self.reference.rows and row.code not in unit_rows:
            self.find(sheet, code_cell or name_cell,
                      f"評核重點 {row.code}「{row.key_point.name}」不是本單位承辦的項目；仍納入彙整，請確認。", Severity.WARNING)
        return row

    def _progress_inputs(self, sheet: SheetData, target: ProgressRow, row: int, cells: dict[int, CellData],
                         columns: dict[str, int]) -> None:
        if target.code not in self.ret.progress:
            self.ret.progress[target.code] = Progress(target.code, sheet.name, row)
        progress = self.ret.progress[target.code]
        text_cell = cells.get(columns.get(PROGRESS_INPUT))
        text = self._text(sheet, text_cell)
        if text:
            progress.text = f"{progress.text}\n{text}" if progress.text else text
            progress.entries.append(Entry(sheet.name, text_cell.coordinate, text))
        for header, year in self.count_headers.items():
            cell = cells.get(columns.get(header))
            if cell is None:
                continue
            count = self._count(sheet, cell)
            if count is None:
                continue
            if year in progress.counts:
                self.find(sheet, cell, f"{header}已於同一評核重點的其他列填寫（{progress.counts[year]}），此格未彙整。")
                continue
            progress.counts[year] = count
            progress.entries.append(Entry(sheet.name, cell.coordinate, count))

    def _count(self, sheet: SheetData, cell: CellData) -> int | None:
        """A case count: a whole number ≥ 0; full-width digits, thousands separators and a trailing 件 accepted."""
        if cell.error is not None or cell.formula is not None:
            text = self._text(sheet, cell)
            value: object = cell.value if text else None
            if value is None:
                return None
        else:
            value = cell.value
        count = whole_number(value.strip().removesuffix("件") if isinstance(value, str) else value)
        if count is None or count < 0:
            self.find(sheet, cell, f"「{clean_text(cell.value).text}」不是件數；請填 0 以上的整數，例：120。")
            return None
        return count

    def _missing_progress(self) -> None:
        """Every key point of the unit must have its 辦理情形 and, where asked, its case counts."""
        sheet_name = next((s.name for s in self.workbook.sheets if self._kind(s) == PROGRESS_SHEET), None)
        if sheet_name is None:
            return
        for code, row in self.reference.unit_rows(self.unit).items():
            progress = self.ret.progress.get(code)
            label = f"評核重點 {code}「{row.key_point.name}」"
            if progress is None:
                self.ret.find(f"找不到{label}的列（可能被刪除），未填報辦理情形。",
                              Location(file=self.ret.file, sheet=sheet_name))
                continue
            if not progress.text:
                self.ret.find(f"{label}未填辦理情形。", self._beside(progress, PROGRESS_INPUT))
            for year in row.case_count_years:
                if year not in progress.counts:
                    self.ret.find(f"{label}未填{case_count_header(year)}。",
                                  self._beside(progress, case_count_header(year)))

    def _beside(self, progress: Progress, header: str) -> Location:
        """The cell of a heading on a key point's row, when the sheet has that column."""
        column = self.progress_columns.get(header)
        return Location(file=self.ret.file, sheet=progress.sheet, row=progress.row,
                        column=column_letter(column) if column else None, header=header)

    # -- 說明 -------------------------------------------------------------------------------------------------------

    def _guide(self, sheet: SheetData) -> None:
        """填報日期, 填報人 and 聯絡電話, found by their labels in column A; the rest is the form's text."""
        labels = {clean_text(c.value).text: c.row for c in sheet.in_order() if c.column == 1}
        rows = {label: labels.get(label, default) for label, default in GUIDE_INPUT_ROWS.items()}
        contact = self.ret.contact
        for cell in sheet.in_order():
            label = next((name for name, row in rows.items() if row == cell.row), None)
            if label is not None and cell.column == 2:
                self._contact(sheet, cell, label)
            elif not self.reference.is_form_text(GUIDE_SHEET, cell.value, self.unit):
                self.find(sheet, cell, "此格不是填寫欄位（「說明」工作表只填填報日期、填報人與聯絡電話），內容未彙整。",
                          Severity.WARNING)
        if self.ret.unit is not None:
            for label, value in ((REPORT_DATE, contact.date), (REPORTER, contact.reporter), (PHONE, contact.phone)):
                if not value:
                    self.find(sheet, self._blank(rows[label], 2), blank_contact_message(label), Severity.WARNING)

    def _contact(self, sheet: SheetData, cell: CellData, label: str) -> None:
        contact = self.ret.contact
        if label == REPORT_DATE:
            date = self._date(sheet, cell)
            if date is None:
                return
            contact.date = date
            contact.entries.append(Entry(sheet.name, cell.coordinate, date))
            return
        text = self._text(sheet, cell)
        if text:
            setattr(contact, "reporter" if label == REPORTER else "phone", text)
            contact.entries.append(Entry(sheet.name, cell.coordinate, text))

    def _date(self, sheet: SheetData, cell: CellData) -> dt.date | None:
        """The form's own date; one outside the plan's years (2081, a mistyped year) is reported with what was
        typed and not used, so that a typo cannot make an old return look like the newest."""
        facts = self.reference.plan.facts
        if isinstance(cell.value, (dt.datetime, dt.date)) and cell.error is None:
            if cell.formula is not None:
                self._text(sheet, cell)
            stored = cell.value.date() if isinstance(cell.value, dt.datetime) else cell.value
            date: dt.date | None = date_cell(stored)
            text = f"{stored.year}/{stored.month}/{stored.day}"  # as the cell shows it
        else:
            text = self._text(sheet, cell)
            date = parse_date(text) if text else None
        example = f"請填民國日期，例：{roc_slash_date(facts.due_date)}。"
        if text and date is None:
            self.find(sheet, cell, f"「{text}」不是日期；{example}")
        elif date is not None and abs(date.year - ROC_OFFSET - facts.year) > 1:
            self.find(sheet, cell, f"日期「{text}」與計畫年度 {facts.year} 年相差太多，不採用為填報日期（已依檔案時間判斷新舊）；"
                                   f"{example}", Severity.WARNING)
            return None
        return date


def _formula_text(cell: CellData) -> str:
    return f"={cell.formula}" if cell.formula else "共用公式"


def _content(cell: CellData) -> object:
    """What a cell holds, for the problems sheet: the value, and the formula beside it when there is one."""
    value = cell.error if cell.error is not None else cell.value
    if cell.formula is None:
        return clean_text(value).text if isinstance(value, str) else value
    shown = "" if is_blank(value) else f"{clean_text(value).text}　"
    return f"{shown}（公式 {clean_text(_formula_text(cell)).text}）"
