"""Stage 2: the typed plan, built from the rows of the master; every conversion failure is a located problem."""
from __future__ import annotations

from ..errors import Location, Problem, Severity
from ..numbering import MAX_DEPTH, depth_of_label, first_labels
from ..text import suggestion, text_key
from .cells import CellReader, allowed
from .load import Cell, RawMaster, Row, shown
from .model import (
    Attachment, Dimension, Facts, Item, KeyPoint, Member, Paragraph, Plan, RosterGroup, TableColumn, UnitRef,
)
from .schema import (
    ATTACHMENTS, BODY, BODY_TABLE, DEFAULT_COLUMNS, DEFAULT_WIDTHS, DIMENSIONS, FACT_KINDS, FACTS, ITEMS, MEASURES, NO_NUMBERS,
    NUMBERING_FACTS, REQUIRED_FACTS, ROSTER, ROSTER_ATTACHMENT, SURVEY_REQUIRED, TABLE_COLUMNS, TITLE_FACTS, UNITS,
    ADDED_COLUMN_WIDTH, AttachmentKind, Column, DimensionLayout, Fact, Kind,
)
from .unit_sheet import read_units


def build_plan(master: RawMaster) -> tuple[Plan | None, list[Problem]]:
    """Build the plan from every sheet that can be read, so one run reports every sheet's problems.

    A sheet that is missing or lacks a heading reads as empty here (the loader has said why); the plan is
    None only when the workbook has none of the master's sheets.
    """
    builder = CellReader(master)
    if not master.sheets:
        return None, builder.problems

    def rows(spec) -> list[Row]:
        sheet = master.sheets.get(spec.name)
        return sheet.rows if sheet is not None and sheet.usable else []

    facts = _facts(builder, rows(FACTS), rows(ATTACHMENTS))
    units, groups = read_units(builder, rows(UNITS))
    body, table_in_body_at = _body(builder, rows(BODY), facts)
    columns = _table_columns(builder, rows(TABLE_COLUMNS), facts)
    dimensions = _dimensions(builder, rows(DIMENSIONS), rows(ITEMS), rows(MEASURES), columns)
    if facts.total_points is not None:  # a stated total needs every dimension's points
        for row in rows(DIMENSIONS):
            if row["配分"].blank and not row["構面名稱"].blank:
                builder.error(f"已填「{Fact.TOTAL_POINTS.value}」，各構面須填配分。", row["配分"].location)
    _dimension_columns(builder, facts, columns, dimensions)
    roster = _roster(builder, rows(ROSTER), [a.label for a in facts.attachments_of(AttachmentKind.ROSTER)])
    _needed_sheets(builder, facts)
    _unused_sheets(builder, facts, {ROSTER.name: rows(ROSTER), MEASURES.name: rows(MEASURES)})
    return Plan(facts, body, dimensions, units, groups, roster, columns, table_in_body_at), builder.problems


def _body(builder: CellReader, rows: list[Row], facts: Facts) -> tuple[list[Paragraph], int | None]:
    """The body's paragraphs, and where the measures table stands among them when a row's 表格 names it."""
    paragraphs: list[Paragraph] = []
    table_in_body_at, placed_row = None, 0
    measures = facts.attachment(AttachmentKind.MEASURES)
    labels = [measures.label] if measures else []
    for row in rows:
        if row[BODY_TABLE].blank:
            paragraphs.append(_paragraph(builder, row, "內容", MAX_DEPTH, required=True))
            continue
        label = builder.choice(row[BODY_TABLE], labels, "具體作法表標示")
        for header in ("層級", "內容"):
            if not row[header].blank:
                builder.error(f"此列以「{BODY_TABLE}」指定表格的位置，「{header}」不會印出；請將段落移到另一列。",
                              row[header].location)
        if label not in labels:
            continue
        if table_in_body_at is not None:
            builder.error(f"「{label}」已於第 {placed_row} 列放入本文；表格只能放在一處。", row[BODY_TABLE].location)
            continue
        table_in_body_at, placed_row = len(paragraphs), row.number
    return paragraphs, table_in_body_at


def _paragraph(builder: CellReader, row: Row, header: str, deepest: int, required: bool) -> Paragraph:
    level = builder.level(row["層級"], deepest)
    return Paragraph(level, builder.text(row[header], required), row[header].location,
                     row["層級"].location, level_unreadable=level is None and not row["層級"].blank)


def _facts(builder: CellReader, rows: list[Row], attachment_rows: list[Row]) -> Facts:
    """The plan facts; a fact the plan does not use may be left out, one it uses is asked for where it goes."""
    found: dict[Fact, Cell] = {}
    names = [f.value for f in Fact]
    for row in rows:
        name = builder.text(row["項目"])
        if not name:
            if not row["內容"].blank:
                builder.error(f"此列有內容「{shown(row['內容'].value)}」但沒有項目名稱；請填寫項目（例：機關名稱），"
                              "否則內容不會使用。", row["項目"].location)
            continue
        if name not in names:
            builder.error(f"「{shown(name)}」不是計畫資料的項目，內容不會使用{suggestion(name, names)}。",
                          row["項目"].location, Severity.WARNING)
            continue
        fact = Fact(name)
        if fact in found:
            builder.error(f"「{name}」重複，已於第 {found[fact].location.row} 列填寫。", row["項目"].location)
            continue
        found[fact] = row["內容"]
    values: dict[Fact, object] = {}
    for fact, cell in found.items():
        if cell.blank:
            if fact in REQUIRED_FACTS:
                builder.error("此欄不可空白。", cell.location)
            elif fact in TITLE_FACTS and not attachment_rows:  # the row says the plan has that attachment
                builder.error(f"此欄不可空白；計畫沒有{TITLE_FACTS[fact][0]}時，請刪除此列。", cell.location)
            continue  # an optional fact left empty: the plan does not have it
        match FACT_KINDS.get(fact, Kind.TEXT):
            case Kind.INTEGER:
                values[fact] = builder.integer(cell)
            case Kind.DATE:
                values[fact] = builder.date(cell)
            case _:
                values[fact] = builder.text(cell, required=True)
                builder.official_spelling(values[fact], cell)
    for fact in REQUIRED_FACTS:
        if fact not in found:
            builder.error(f"缺少項目「{fact.value}」，請新增一列並填寫內容。", builder.master.where(FACTS.name))
    locations = {f: c.location for f, c in found.items()}
    attachments = _attachments(builder, attachment_rows, values, locations)
    facts = Facts(
        agency=values.get(Fact.AGENCY) or "", self_reference=values.get(Fact.SELF_REFERENCE) or "",
        year=values.get(Fact.YEAR) or 0, plan_name=values.get(Fact.PLAN_NAME) or "",
        issue_date=values.get(Fact.ISSUE_DATE), document_number=values.get(Fact.DOCUMENT_NUMBER) or "",
        due_date=values.get(Fact.DUE_DATE), recipient=values.get(Fact.RECIPIENT) or "",
        form_version=values.get(Fact.FORM_VERSION) or 1, issue_word=values.get(Fact.ISSUE_WORD) or "",
        total_points=values.get(Fact.TOTAL_POINTS), attachments=attachments, locations=locations,
        office=values.get(Fact.OFFICE) or "", officer=values.get(Fact.OFFICER) or "",
        written_title=values.get(Fact.TITLE) or "",
        dimension_layout=_dimension_layout(builder, values.get(Fact.DIMENSION_LAYOUT), found.get(Fact.DIMENSION_LAYOUT)),
        numbering=_numbering(builder, values, found),
    )
    if facts.attachment(AttachmentKind.SURVEY) is not None:
        for fact in (Fact.DUE_DATE, Fact.RECIPIENT):  # the units' forms say by when and to whom
            if fact not in found:
                builder.error(f"計畫有調查表，須填寫「{fact.value}」：請新增一列並填寫內容。",
                              builder.master.where(FACTS.name))
            elif found[fact].blank:
                builder.error(f"計畫有調查表，「{fact.value}」不可空白。", found[fact].location)
    return facts


def _dimension_layout(builder: CellReader, text: str | None, cell: Cell | None) -> DimensionLayout:
    layouts = [layout.value for layout in DimensionLayout]
    if not text or cell is None:
        return DimensionLayout.HEADING
    if text not in layouts:
        builder.error(f"「{Fact.DIMENSION_LAYOUT.value}」不能是「{shown(text)}」；{allowed(layouts)}"
                      f"（構面印在表格的一欄時，請在「{TABLE_COLUMNS.name}」列出「{Column.DIMENSION.value}」）。", cell.location)
        return DimensionLayout.HEADING
    return DimensionLayout(text)


# Excel takes 「1.」 typed in a General cell for the number 1, and 「(1)」 for -1 (an accountant's negative)
_EXCEL_NUMBER_LABELS = {"1": "1.", "-1": "(1)"}


def _numbering(builder: CellReader, values: dict[Fact, object], found: dict[Fact, Cell]) -> dict[Column, int | None]:
    """The numbering facts given: each names its level's style by its first label (一、, (一), 1. …) or 不編號."""
    styles = [*first_labels(), NO_NUMBERS]
    numbering: dict[Column, int | None] = {}
    for fact, column in NUMBERING_FACTS.items():
        text = values.get(fact)
        if not text:
            continue
        text = _EXCEL_NUMBER_LABELS.get(str(text), text)
        depth = None if text == NO_NUMBERS else depth_of_label(text)
        if depth is None and text != NO_NUMBERS:
            builder.error(f"「{fact.value}」不能是「{shown(text)}」；請填第一個編號的寫法，{allowed(styles)}。",
                          found[fact].location)
            continue
        numbering[column] = depth
    return numbering


def _dimension_columns(builder: CellReader, facts: Facts, columns: list[TableColumn],
                       dimensions: list[Dimension]) -> None:
    """A 構面 column and 構面呈現 are two ways of showing the dimensions: only one is used."""
    if not any(c.column is Column.DIMENSION for c in columns):
        return
    if facts.dimension_layout is DimensionLayout.ROW:
        builder.error(f"「{TABLE_COLUMNS.name}」已列出「{Column.DIMENSION.value}」欄，構面印在該欄；"
                      f"「{Fact.DIMENSION_LAYOUT.value}」的「{DimensionLayout.ROW.value}」不會使用，請刪除其中之一。",
                      facts.locations[Fact.DIMENSION_LAYOUT])
    if not any(d.name for d in dimensions):
        builder.error(f"計畫沒有構面，「{TABLE_COLUMNS.name}」的「{Column.DIMENSION.value}」欄會是空白；請刪除該列。",
                      builder.master.where(TABLE_COLUMNS.name, header="欄位"), Severity.WARNING)


def _attachments(builder: CellReader, rows: list[Row], values: dict[Fact, object],
                 locations: dict[Fact, Location]) -> tuple[Attachment, ...]:
    """The 附表 sheet's rows, or, without one, the 附表1/2/3名稱 facts that are filled in."""
    if not rows:
        return tuple(Attachment(label, kind, values[fact], locations[fact])
                     for fact, (label, kind) in TITLE_FACTS.items() if values.get(fact))
    kinds = [k.value for k in AttachmentKind]
    result: list[Attachment] = []  # in the sheet's order: the circular prints them so
    for row in rows:
        label = builder.text(row["標示"], required=True)
        kind_name = builder.choice(row["種類"], kinds, "附表種類")
        title = builder.text(row["名稱"], required=True)
        builder.official_spelling(title, row["名稱"])
        if kind_name not in kinds:
            continue
        kind = AttachmentKind(kind_name)
        same_label = next((a for a in result if a.label == label), None)
        if label and same_label is not None:
            builder.error(f"標示「{shown(label)}」已於第 {same_label.location.row} 列使用；每份附表的標示須不同。",
                          row["標示"].location)
            continue
        first = next((a for a in result if a.kind is kind), None)
        if first is not None and kind in _ONE_OF_A_KIND:
            builder.error(f"「{kind_name}」已於第 {first.location.row} 列列出；{_ONE_OF_A_KIND[kind]}",
                          row["種類"].location)
            continue
        result.append(Attachment(label, kind, title, row["標示"].location))
    for fact in TITLE_FACTS:
        if fact in values:
            builder.error(f"已有「{ATTACHMENTS.name}」工作表，「{fact.value}」不會使用；請在「{ATTACHMENTS.name}」填寫附表名稱。",
                          locations[fact], Severity.WARNING)
    return tuple(result)


# The kinds a plan has once, and why; a plan may have several rosters (their groups name theirs in 附表3's 附表).
_ONE_OF_A_KIND = {
    AttachmentKind.MEASURES: f"具體作法表只能有一份：「{MEASURES.name}」工作表的內容印成這一份表格。",
    AttachmentKind.SURVEY: "調查表只能有一份：各單位填報的就是這一份表，回報依它辨認。",
}


def _table_columns(builder: CellReader, rows: list[Row], facts: Facts) -> list[TableColumn]:
    """The measures table's columns: the 表格欄位 sheet's, or all of them with their usual headings."""
    if not rows:
        return [TableColumn(c, c.value, DEFAULT_WIDTHS[c]) for c in DEFAULT_COLUMNS]
    names = [c.value for c in Column]
    measures = builder.master.sheets.get(MEASURES.name)
    added = [h for h in (measures.headings if measures else ()) if h not in MEASURES.columns
             and not h.startswith(MEASURES.repeat_prefix)]  # read as 附表1's because this sheet names them
    columns: dict[Column | str, TableColumn] = {}
    for row in rows:
        typed = builder.text(row["欄位"], required=True)
        name = text_key(typed)  # as 附表1's headings are read: 「預期 效益」 is 「預期效益」
        heading = builder.text(row["標題"], required=True)
        width = builder.integer(row["寬度"], required=False)
        if name not in names and name not in added:
            if name:
                builder.error(_unknown_column(typed, name, names, added), row["欄位"].location)
            continue
        key = Column(name) if name in names else name
        if key in columns:
            builder.error(f"欄位「{name}」重複。", row["欄位"].location)
            continue
        if width is not None and width <= 0:
            builder.error("寬度須為正整數（各欄的相對寬度）。", row["寬度"].location)
            width = None
        if isinstance(key, Column):
            columns[key] = TableColumn(key, heading or name, width or DEFAULT_WIDTHS[key])
        else:
            columns[key] = TableColumn(None, heading or name, width or ADDED_COLUMN_WIDTH, added=name)
    first = rows[0]["欄位"].location
    for needed in (Column.KEY_POINT, Column.PRACTICES):
        if needed not in columns:
            builder.error(f"表格須有「{needed.value}」欄。", Location(file=first.file, sheet=first.sheet, header="欄位"))
    return list(columns.values())


def _unknown_column(typed: str, name: str, names: list[str], added: list[str]) -> str:
    choices = f"{allowed(names + added)}，或計畫自訂的欄位（在「{MEASURES.name}」新增同名的欄，於評核重點所在列填寫）"
    if name in MEASURES.columns:
        return f"「{typed}」是「{MEASURES.name}」工作表的欄位，不印成表格的一欄；{choices}。"
    if name.startswith(MEASURES.repeat_prefix):
        return (f"「{shown(typed)}」開頭為「{MEASURES.repeat_prefix}」：「{MEASURES.name}」中這樣開頭的欄都是承辦單位，"
                f"表格以「{Column.UNITS.value}」一欄印出；自訂的欄位請另取名稱，{choices}。")
    return (f"「{shown(typed)}」不是已定義的表格欄位，「{MEASURES.name}」工作表也沒有此欄"
            f"{suggestion(name, names + added)}；{choices}。")


def _unused_sheets(builder: CellReader, facts: Facts, rows: dict[str, list[Row]]) -> None:
    """Rows of a sheet whose attachment the plan does not have would be lost without a word."""
    for sheet, kind in ((ROSTER.name, AttachmentKind.ROSTER), (MEASURES.name, AttachmentKind.MEASURES)):
        if rows[sheet] and facts.attachment(kind) is None:
            builder.error(f"計畫沒有{kind.value}（見「{ATTACHMENTS.name}」工作表或計畫資料的附表名稱），"
                          f"此工作表的內容不會印出；若計畫有此附表，請補上其名稱。", builder.master.where(sheet),
                          Severity.WARNING)


def _needed_sheets(builder: CellReader, facts: Facts) -> None:
    """A sheet the plan's attachments use but the workbook leaves out, said once, where it would go."""
    said = " ".join(p.message for p in builder.master.problems)
    if f"缺少工作表「{ROSTER.name}」" in said:
        return  # a renamed sheet, reported by the loader with the name it has
    rosters = "、".join(a.label for a in facts.attachments_of(AttachmentKind.ROSTER))
    if rosters and ROSTER.name not in builder.master.sheets:
        builder.error(f"計畫有名冊（{rosters}），缺少工作表「{ROSTER.name}」。",
                      builder.master.where())
    if facts.attachment(AttachmentKind.MEASURES) is not None and MEASURES.name not in builder.master.sheets:
        builder.error(f"計畫有具體作法表，缺少工作表「{MEASURES.name}」。", builder.master.where())


def _roster_attachment(builder: CellReader, cell: Cell, labels: list[str], above: list[RosterGroup]) -> str:
    if cell.blank:
        return above[-1].attachment if above else (labels[0] if labels else "")
    if not labels:
        return ""  # the whole sheet is pointed out as unused (_unused_sheets)
    typed = builder.text(cell)
    label = {text_key(label): label for label in labels}.get(text_key(typed))
    if label is not None:
        return label
    several = "" if len(labels) > 1 else f"；計畫有多份名冊時，請在「{ATTACHMENTS.name}」工作表逐一列出（種類填「名冊」）"
    builder.error(f"「{shown(typed)}」不是已定義的名冊標示{suggestion(typed, labels)}；{allowed(labels)}{several}。",
                  cell.location)
    return above[-1].attachment if above else labels[0]


def _dimensions(builder: CellReader, dimension_rows: list[Row], item_rows: list[Row], measure_rows: list[Row],
                columns: list[TableColumn]) -> list[Dimension]:
    """Dimensions → items → key points, as deep as the plan goes: a plan without dimensions has one table."""
    dimensions: dict[str, Dimension] = {}
    for row in dimension_rows:
        name = builder.text(row["構面名稱"], required=True)
        kind = builder.text(row["評核類別"])  # the assessment's own words, when it has kinds
        points = builder.integer(row["配分"], required=False)
        if name in dimensions:
            builder.error(f"構面「{shown(name)}」重複，已於第 {dimensions[name].location.row} 列定義。",
                          row["構面名稱"].location)
        elif name:
            dimensions[name] = Dimension(name, kind, points, row["構面名稱"].location,
                                         points_location=row["配分"].location)
    items: dict[tuple[str, str], Item] = {}
    unplaced: dict[str, Location] = {}  # items whose 構面 is blank with none above: 附表1 says where they are
    dimension = ""
    for row in item_rows:
        name = builder.text(row["評核項目"], required=True)
        if row["構面"].blank and not dimension:
            builder.error(f"「構面」空白，上方也沒有構面可沿用，評核項目「{shown(name)}」不屬於任何構面；"
                          f"請填寫所屬構面（{allowed(list(dimensions))}）。", row["構面"].location)
            unplaced.setdefault(name, row["評核項目"].location)
            continue
        if not row["構面"].blank:  # an empty 構面 means the one above
            dimension = builder.choice(row["構面"], list(dimensions), "構面")
        if dimension not in dimensions or not name:
            continue  # an unknown dimension is reported once, not for each of its items
        if (dimension, name) in items:
            builder.error(f"評核項目「{shown(name)}」重複，已於第 {items[dimension, name].location.row} 列定義。",
                          row["評核項目"].location)
            continue
        items[dimension, name] = Item(name, row["評核項目"].location,
                                      survey_required=builder.yes_no(row[SURVEY_REQUIRED], default=False))
        dimensions[dimension].items.append(items[dimension, name])
        dimensions[dimension].defined_items = True
    if not dimensions and measure_rows:  # one table without dimension headings
        dimensions[""] = Dimension("", "", None, measure_rows[0]["評核重點"].location)
    _measures(builder, measure_rows, dimensions, items, columns, unplaced)
    return list(dimensions.values())


class _Unknown:
    """Marks a 構面 or 評核項目 already reported as unknown: the rows under it need no message of their own."""


_UNKNOWN = _Unknown()


def _measures(builder: CellReader, rows: list[Row], dimensions: dict[str, Dimension],
              items: dict[tuple[str, str], Item], table: list[TableColumn], unplaced: dict[str, Location]) -> None:
    columns = {c.column for c in table}
    added = [c.added for c in table if c.added]
    dimension: Dimension | _Unknown | None = dimensions.get("")
    item: Item | _Unknown | None = None
    key_point: KeyPoint | None = None
    for row in rows:
        if not row["構面"].blank:
            name = builder.choice(row["構面"], list(dimensions), "構面")
            dimension, item, key_point = dimensions.get(name, _UNKNOWN), None, None
            if isinstance(dimension, Dimension) and not dimension.has_items:
                if not dimension.items:
                    dimension.items.append(Item(None, row["構面"].location))
                item = dimension.items[0]
        if dimension is None:
            builder.error("尚未指定構面：請在此列填寫「構面」。", row["構面"].location)
            dimension = _UNKNOWN
        if isinstance(dimension, _Unknown):
            continue
        if item is None and not dimension.has_items:  # a plan without dimensions: its one table
            if not dimension.items:
                dimension.items.append(Item(None, row["評核重點"].location))
            item = dimension.items[0]
        if not row["評核項目"].blank:
            name = builder.text(row["評核項目"])
            key_point = None
            if (dimension.name, name) not in items and name in unplaced:  # reported where its 構面 is blank
                item = _UNKNOWN
            elif not dimension.has_items:
                where = f"構面「{shown(dimension.name)}」" if dimension.name else "本計畫"
                builder.error(f"{where}在「{ITEMS.name}」工作表沒有評核項目，此格不會使用；"
                              f"請清空此格，或在「{ITEMS.name}」新增評核項目。", row["評核項目"].location)
            elif (dimension.name, name) not in items:
                known = [n for (d, n) in items if d == dimension.name]
                builder.error(f"「{shown(name)}」不是構面「{shown(dimension.name)}」的評核項目"
                              f"（請先在「評核項目」工作表新增）{suggestion(name, known)}。", row["評核項目"].location)
                item = _UNKNOWN
            else:
                item = items[dimension.name, name]
        if item is None:
            builder.error("尚未指定評核項目：請在此列填寫「評核項目」。", row["評核項目"].location)
            item = _UNKNOWN
        if isinstance(item, _Unknown):
            continue
        if not row["評核重點"].blank:
            key_point = _key_point(builder, row, dimension, columns)
            key_point.added = {heading: builder.text(row[heading]) for heading in added}
            item.key_points.append(key_point)
        else:
            _no_key_point_cells(builder, row, added)
        if row["具體作法"].blank and row["層級"].blank:
            continue  # nothing of a practice on this row; a key point without any is reported by validate
        if key_point is None:
            builder.error("尚未指定評核重點：請在此列填寫「評核重點」。", row["評核重點"].location)
            key_point = KeyPoint("", row["評核重點"].location)  # collects this key point's rows without more messages
        key_point.practices.append(_paragraph(builder, row, "具體作法", MAX_DEPTH - 1, required=True))


def _key_point(builder: CellReader, row: Row, dimension: Dimension, columns: set[Column]) -> KeyPoint:
    # a dimension with items has a deadline and units for each key point, when the table prints them;
    # one without items (an overall dimension, a plan without dimensions) prints only what is filled in
    deadline_required = dimension.has_items and Column.DEADLINE in columns
    units_required = dimension.has_items and Column.UNITS in columns
    key_point = KeyPoint(builder.text(row["評核重點"]), row["評核重點"].location,
                         due_date_location=row["期限日期"].location)
    key_point.deadline = builder.text(row["完成期限"], required=deadline_required)
    key_point.due_date = builder.date(row["期限日期"], required=deadline_required)
    refs = [ref for ref in (builder.unit_ref(cell) for cell in row.repeated) if ref]
    if units_required and not row.repeated:
        builder.error("評核重點須至少填一個承辦單位。", builder.master.where(
            MEASURES.name, row=row.number, header="承辦單位1"))
    seen: dict[str, UnitRef] = {}
    for ref in refs:
        if ref.written in seen:
            builder.error(f"承辦單位「{ref.written}」重複填寫（{seen[ref.written].location.cell()}）。",
                          ref.location, Severity.WARNING)
        seen.setdefault(ref.written, ref)
    key_point.responsible = tuple(seen.values())
    if Column.DEADLINE not in columns and not row["完成期限"].blank:
        builder.error(f"「{TABLE_COLUMNS.name}」沒有「{Column.DEADLINE.value}」欄，此格不會印在表格中。",
                      row["完成期限"].location, Severity.WARNING)
    if Column.UNITS not in columns:
        for cell in row.repeated:
            builder.error(f"「{TABLE_COLUMNS.name}」沒有「{Column.UNITS.value}」欄，此格不會印在表格中，"
                          "但該單位的填報表會列入此評核重點。", cell.location, Severity.WARNING)
    return key_point


def _no_key_point_cells(builder: CellReader, row: Row, added: list[str]) -> None:
    """Deadline, units and the columns a plan adds belong on a key point's first row; elsewhere they would be lost."""
    for header in ("完成期限", "期限日期", *added):
        if not row[header].blank:
            builder.error(f"「{header}」只填在評核重點所在的列；此列沒有評核重點，請移到該評核重點的第一列。",
                          row[header].location)
    for cell in row.repeated:
        builder.error("承辦單位只填在評核重點所在的列；此列沒有評核重點，請移到該評核重點的第一列。", cell.location)


def _roster(builder: CellReader, rows: list[Row], labels: list[str]) -> list[RosterGroup]:
    """The roster's groups; with several rosters, a group's 附表 names the one it is printed in, a blank one
    the same as the group above (the first group's, the plan's first roster)."""
    groups: list[RosterGroup] = []
    for row in rows:
        if not row["編組"].blank:
            attachment = _roster_attachment(builder, row[ROSTER_ATTACHMENT], labels, groups)
            groups.append(RosterGroup(builder.text(row["編組"]), row["編組"].location, attachment))
            if not row["備考"].blank:
                groups[-1].note = builder.unit_ref(row["備考"])
        else:
            for header in ("備考", ROSTER_ATTACHMENT):
                if not row[header].blank:
                    builder.error(f"「{header}」只填在編組的第一列。", row[header].location)
        if not groups:
            builder.error("尚未指定編組：請在此列填寫「編組」。", row["編組"].location)
            groups.append(RosterGroup("", row["編組"].location, labels[0] if labels else ""))  # collects the rows below
        group = groups[-1]
        if any(not row[h].blank for h in ("職務", "職稱", "姓名")):
            group.members.append(Member(builder.text(row["職務"], required=True), builder.text(row["職稱"]),
                                        builder.text(row["姓名"], required=True), row["姓名"].location))
        if not row["職掌"].blank or not row["層級"].blank:
            group.duties.append(_paragraph(builder, row, "職掌", MAX_DEPTH - 1, required=True))
    return groups
