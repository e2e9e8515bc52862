"""The master of a new project: every sheet, heading, drop-down and 說明, with one example row per sheet.

The rows are an example any office replaces; they name no real agency, and the workbook passes check as made.
"""
from __future__ import annotations

import datetime as dt

from ..office.ooxml_order import saved_workbook
from ..text import ROC_OFFSET
from .schema import (
    ATTACHMENTS, BODY, DEFAULT_COLUMNS, DEFAULT_WIDTHS, DIMENSIONS, FACTS, ITEMS, MASTER_GUIDE_SHEET, MEASURES, ROSTER, TABLE_COLUMNS,
    UNITS, AttachmentKind, Column, Fact,
)

UNIT = "第一科"
REPEATED_UNITS = 5  # 承辦單位1 … 承辦單位5; more can be added as 承辦單位6 …

GUIDE = [
    "計畫主檔填寫說明",
    "",
    "本活頁簿是計畫的唯一資料來源：修改後執行「plandocs check」檢查，「plandocs build」產生文件。",
    "請勿更改工作表名稱與第 1 列標題；可新增、刪除、搬移資料列。空白的「構面」「評核項目」「評核重點」「編組」表示「同上」。",
    "",
    "工作表一覽",
    "計畫資料：「項目」填項目名稱、「內容」填值、「說明」供備註（不使用）。每列一個項目。必填：機關名稱、計畫年度（民國年）、計畫名稱。其他依計畫需要：計畫標題（計畫所寫的完整標題；未填時為「機關名稱＋計畫年度＋年度＋計畫名稱」）、機關自稱、函頒日期、發文字號、"
    "發文用語（例：函頒、函核備）組成標題下的發文字號行；有調查表時須填填報期限與收件單位；表單版本（調查表格式變更時加 1）；"
    "配分合計（填寫時檢查各構面配分合計）；構面呈現（「標題」：各構面的表格上方印構面標題，為預設；「表格列」：各構面合為一個表格，"
    "構面印成標題列下橫跨全表的一列）；構面編號、評核項目編號、評核重點編號（具體作法表中各層的編號樣式，填第一個編號的寫法："
    "一、　(一)　1.　(1) 等，或「不編號」；未填時構面標題與構面列編「一、」，構面欄、評核項目與評核重點不編號）。",
    "附表：計畫的附表，依列的順序。標示（例：附表1、附表）、種類（具體作法表、調查表、名冊）、名稱（附表標題）。沒有的附表請刪除該列。"
    "名冊可有多份（例：附表3 推動小組、附表4 評審小組），見「附表3」的「附表」欄；具體作法表與調查表各一份。",
    "表格欄位：具體作法表印出的欄位與順序。欄位（評核項目、評核重點、具體作法、完成期限、承辦單位，以及選用的構面）、"
    "標題（印在表格的標題，例：工作要領）、寬度（相對寬度，可空白）。列出「構面」時，各構面合為一個表格，構面印在該欄（同一構面合併儲存格）。計畫自訂的欄位（例：備註、預期效益）：在此列出其名稱，並在「附表1」新增同名的欄，於評核重點所在列填寫。",
    "本文：計畫本文，每列一段，「內容」填段落文字。「層級」決定編號（由程式產生，請勿自行輸入「壹、」「一、」），空白為不編號段落。"
    "「表格」欄（選用，可新增）：填具體作法表的標示（例：附表1）的列，表格即印在本文此處（不印標示與名稱，其後的段落接在表格之後），"
    "該列「層級」「內容」須空白；未填時具體作法表為附表。",
    "構面：構面名稱、評核類別、配分（評核類別與配分可空白）。沒有構面的計畫可刪除此工作表與「評核項目」，具體作法表即為一個表格。",
    "評核項目：「構面」與其下的「評核項目」；沒有評核項目的構面，以評核重點作為調查表項目。"
    "「調查表必填」（是／否，可空白）：填「是」的項目，單位未提出措施即列為內容不全並催報；其他項目由單位視需要提出，"
    "未提出者僅在回報清單的說明欄列出，不催報。",
    "附表1：具體作法表的內容。構面、評核項目、評核重點只填在開始的一列；評核重點所在列填完成期限、期限日期與承辦單位"
    "（承辦單位1、承辦單位2 …，可填單位名稱、別名或群組）；「具體作法」每列一段，「層級」決定編號，其下各列為同一評核重點的具體作法。"
    "沒有構面或評核項目的計畫可刪除那些欄。",
    "單位：單位名稱、類別（可自訂，例：科、室、課、股）、別名（以「、」分隔）、群組涵蓋類別、填報調查表（是／否）。"
    "群組的類別填「群組」，並在「群組涵蓋類別」填所涵蓋的類別或單位名稱；計畫只寫群組名稱而不列其成員時（例：各組），"
    "「群組涵蓋類別」留空：表格照填寫文字印出，不發給任何單位。",
    "附表3：名冊（計畫有名冊時使用）。編組、職務、職稱、姓名，每位成員一列；「職掌」可分多列，「層級」決定編號；"
    "「備考」可填承辦單位（填在編組的第一列）。「附表」欄（選用，可新增）：計畫有多份名冊時，在編組的第一列填該編組所屬名冊的標示（例：附表4），"
    "空白的編組屬於上方編組的名冊，第一個編組空白時屬於第一份名冊。",
    "",
    "層級與編號",
    "本文：1＝壹、　2＝一、　3＝(一)　4＝1.　5＝(1)　6＝甲、　7＝(甲)　8＝子、　9＝(子)",
    "附表1 具體作法、附表3 職掌：1＝一、　2＝(一)　3＝1.　4＝(1)　5＝甲、　6＝(甲)　7＝子、　8＝(子)",
    "第一個編號段落可從任何層級開始（例：具體作法只編 1. 2. 時層級填 3），其後每次最多深一層。",
]


def starter_rows(year: int) -> dict[str, list[list[object]]]:
    due = dt.datetime(year + ROC_OFFSET, 6, 30)
    return {
        FACTS.name: [list(FACTS.columns),
                     [Fact.AGENCY.value, "範例機關", "全銜"],
                     [Fact.SELF_REFERENCE.value, "本機關", "發文字號前的自稱"],
                     [Fact.YEAR.value, year, "民國年"],
                     [Fact.PLAN_NAME.value, "年度工作計畫", "標題為「機關名稱＋計畫年度＋年度＋計畫名稱」"],
                     [Fact.ISSUE_DATE.value, None, "發文後填寫（Excel 日期）"],
                     [Fact.DOCUMENT_NUMBER.value, None, "發文後填寫"],
                     [Fact.ISSUE_WORD.value, "函頒", "發文字號行最後的用語，例：函頒、函核備、函發"],
                     [Fact.DUE_DATE.value, due, "各單位回報期限（有調查表時必填）"],
                     [Fact.RECIPIENT.value, UNIT, "調查表寄回的單位（有調查表時必填）"],
                     [Fact.FORM_VERSION.value, 1, "調查表格式變更時加 1"]],
        ATTACHMENTS.name: [list(ATTACHMENTS.columns), ["附表1", AttachmentKind.MEASURES.value, "具體作法表"],
                           ["附表2", AttachmentKind.SURVEY.value, "措施調查表"],
                           ["附表3", AttachmentKind.ROSTER.value, "推動小組名冊"]],
        TABLE_COLUMNS.name: [list(TABLE_COLUMNS.columns)] + [[c.value, c.value, DEFAULT_WIDTHS[c]] for c in DEFAULT_COLUMNS],
        BODY.name: [[c for c in BODY.columns if c not in BODY.optional], [1, "計畫依據"], [None, "請填寫計畫依據。"]],
        DIMENSIONS.name: [list(DIMENSIONS.columns), ["構面一", None, None]],
        ITEMS.name: [list(ITEMS.columns), ["構面一", "項目一", "否"]],
        MEASURES.name: [list(MEASURES.columns) + [f"{MEASURES.repeat_prefix}{n}" for n in range(1, REPEATED_UNITS + 1)],
                        ["構面一", "項目一", "重點一", 1, "請填寫具體作法。", "賡續辦理", due, UNIT]],
        UNITS.name: [list(UNITS.columns), [UNIT, "科", None, None, "是"]],
        ROSTER.name: [[c for c in ROSTER.columns if c not in ROSTER.optional],  # a new plan has one roster
                      ["召集人", "召集人", "首長", "請填姓名", None, "綜理全般事宜。", None]],
    }


# Drop-downs: sheet → (cell range, list or range formula, free entry allowed)
_LISTS = {
    ATTACHMENTS.name: [("B2:B100", '"' + ",".join(k.value for k in AttachmentKind) + '"', False)],
    TABLE_COLUMNS.name: [("A2:A20", '"' + ",".join(c.value for c in Column) + '"', False)],
    BODY.name: [("A2:A3000", '"1,2,3,4,5,6,7,8,9"', False)],
    ITEMS.name: [("A2:A500", f"={DIMENSIONS.name}!$A$2:$A$100", False), ("C2:C500", '"是,否"', False)],
    MEASURES.name: [("A2:A3000", f"={DIMENSIONS.name}!$A$2:$A$100", False),
                    ("B2:B3000", f"={ITEMS.name}!$B$2:$B$500", False), ("D2:D3000", '"1,2,3,4,5,6,7,8"', False),
                    ("H2:L3000", f"={UNITS.name}!$A$2:$A$1000", True)],
    UNITS.name: [("B2:B1000", '"科,室,課,股,中心,群組"', True), ("E2:E1000", '"是,否"', False)],
    ROSTER.name: [("E2:E1000", '"1,2,3,4,5,6,7,8"', False), ("G2:G1000", f"={UNITS.name}!$A$2:$A$1000", True)],
}
_WIDTHS = {FACTS.name: [16, 40, 50], ATTACHMENTS.name: [10, 14, 40], TABLE_COLUMNS.name: [14, 20, 8],
           BODY.name: [8, 100], DIMENSIONS.name: [16, 18, 8], ITEMS.name: [16, 24, 12],
           MEASURES.name: [12, 14, 18, 6, 70, 22, 12] + [14] * REPEATED_UNITS, UNITS.name: [20, 8, 24, 18, 12],
           ROSTER.name: [22, 10, 12, 10, 6, 60, 14]}


def starter_master(year: int) -> bytes:
    """The new project's master as .xlsx bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    guide = workbook.active
    guide.title = MASTER_GUIDE_SHEET
    guide.column_dimensions["A"].width = 120
    for line in GUIDE:
        guide.append([line or None])
        guide.cell(guide.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
    guide["A1"].font = Font(bold=True, size=14)
    heading_fill = PatternFill("solid", fgColor="D9D9D9")
    for name, rows in starter_rows(year).items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = heading_fill
        for cell in (c for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, dt.datetime)):
            cell.number_format = "yyyy/m/d"
        for index, width in enumerate(_WIDTHS[name], 1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        for cells, formula, free in _LISTS.get(name, []):
            validation = DataValidation(type="list", formula1=formula, allow_blank=True,
                                        errorStyle="information" if free else "stop")
            validation.add(cells)
            sheet.add_data_validation(validation)
    return saved_workbook(workbook)
