"""What returns are checked against, prepared once per collect: the master's units, key points and the blank
forms' own text (titles, headings, reference columns, as `build` draws them)."""
from __future__ import annotations

import re
from pathlib import Path

from ..documents.fill_in_form import ProgressRow, layout_digest, plan_progress_rows, progress_rows
from ..master.model import Plan, Unit
from ..text import name_key, text_key

# Stands for the unit's name in the blank forms rendered as the reference of the form's own text.
_NAME_MARK = "\ue010"
# Stands for any ROC date in the form's own text: a 補正 or 催報 form says its own reply date where the deadline was
_DATE_MARK = "\ue011"
_ROC_DATE = re.compile(r"\d{2,3}年\d{1,2}月\d{1,2}日")


def _form_key(value: object) -> str:
    """A text of the form compared as text_key does, whatever date it gives."""
    return _ROC_DATE.sub(_DATE_MARK, text_key(value))


class _Answers:
    """What a question about a cell's value answered, kept for the values that recur in every return (the form's
    own texts): up to a number of answers and for texts up to a length, so that the long texts a unit writes are
    worked out each time and no file can fill memory with them."""

    ENTRIES = 8192
    TEXT_LENGTH = 1000

    def __init__(self):
        self._kept: dict[tuple, object] = {}

    def get(self, question: tuple, value: object, work_out):
        key = (*question, type(value), value)  # the type too: 1, 1.0 and True are equal keys but distinct texts
        try:
            return self._kept[key]
        except KeyError:
            answer = work_out()
        if len(self._kept) < self.ENTRIES and not (isinstance(value, str) and len(value) > self.TEXT_LENGTH):
            self._kept[key] = answer
        return answer


class Reference:
    """What returns are checked against, prepared once per collect: units, key points and the form's own text."""

    def __init__(self, plan: Plan, survey_template: Path | None = None):
        self.plan = plan
        self.survey_template = survey_template  # the Word 附表2 units may return instead of the workbook
        self._word_text: tuple[set[str], list[tuple[str, str]]] | None = None
        self.digest = layout_digest(plan)
        self.units: dict[str, Unit] = {}
        for unit in plan.units:
            for name in (unit.name, *unit.aliases):
                self.units.setdefault(name_key(name), unit)
        self.rows: dict[str, ProgressRow] = {row.code: row for row in plan_progress_rows(plan)}
        self.rows_by_name: dict[str, list[ProgressRow]] = {}
        for row in self.rows.values():
            self.rows_by_name.setdefault(text_key(row.key_point.name), []).append(row)
        self.topics = {(text_key(d.name), text_key(t)): (d.name, t) for d in plan.dimensions for t in d.survey_topics}
        self.dimensions = {text_key(d.name): d.name for d in plan.dimensions}
        self._unit_rows: dict[str, dict[str, ProgressRow]] = {}
        self._form_text: dict[str, tuple[set[str], list[tuple[str, str]]]] | None = None
        self._form_keys = _Answers()
        self._names_in_form_text = _Answers()
        self._longest_name = max(map(len, self.units), default=0)

    def unit_rows(self, unit: Unit | None) -> dict[str, ProgressRow]:
        """The key points the unit reports on, by code; every key point when the unit is not known."""
        if unit is None:
            return self.rows
        if unit.name not in self._unit_rows:
            self._unit_rows[unit.name] = {row.code: row for row in progress_rows(self.plan, unit)}
        return self._unit_rows[unit.name]

    def _blank(self, sheet_kind: str) -> tuple[set[str], list[tuple[str, str]]]:
        if self._form_text is None:
            self._form_text = _blank_form_text(self.plan)
        return self._form_text.get(sheet_kind, (set(), []))

    def name_in_form_text(self, sheet_kind: str, value: object, titles_only: bool = False) -> str | None:
        """The unit name in a text the blank form writes with the unit's name, or None.

        With `titles_only`, a cell that holds nothing but the name (說明's 填報單位) is not read: any cell a unit
        types a unit's name into (填報人, say) would match it.
        """
        return self._names_in_form_text.get((sheet_kind, titles_only), value,
                                            lambda: self._name_in_form_key(sheet_kind, self._form_key(value), titles_only))

    def _name_in_form_key(self, sheet_kind: str, key: str, titles_only: bool) -> str | None:
        for before, after in self._blank(sheet_kind)[1]:
            if titles_only and not (before or after):
                continue
            if key.startswith(before) and key.endswith(after) and len(key) > len(before) + len(after):
                return key[len(before):len(key) - len(after)]
        return None

    def _form_key(self, value: object) -> str:
        return self._form_keys.get((), value, lambda: _form_key(value))

    def is_form_text(self, sheet_kind: str, value: object, unit: Unit | None) -> bool:
        """Whether a cell holds text the blank form itself has on this sheet (the unit's name in its place)."""
        if self._form_key(value) in self._blank(sheet_kind)[0]:
            return True
        name = self.name_in_form_text(sheet_kind, value)
        if name is None:
            return False
        return name_key(name) == name_key(unit.name) if unit is not None else name_key(name) in self.units

    def is_word_text(self, value: object, unit: Unit | None) -> bool:
        """Whether a paragraph outside the tables is the Word 附表2's own text (its title with the unit's name)."""
        if self._word_text is None:
            self._word_text = _blank_word_text(self.plan, self.survey_template)
        exact, named = self._word_text
        key = text_key(value)
        if key in exact:
            return True
        for before, after in named:
            if key.startswith(before) and key.endswith(after) and len(key) > len(before) + len(after):
                name = name_key(key[len(before):len(key) - len(after)])
                return name == name_key(unit.name) if unit is not None else name in self.units
        return False

    def units_named_in(self, text: str) -> set[Unit]:
        """Units whose name or alias the text contains; a name inside a longer one found there does not count."""
        key = name_key(text)
        # each piece of the text up to the longest name is looked up: a file name is short, the units many
        pieces = (key[start:end] for start in range(len(key))
                  for end in range(start + 1, min(len(key), start + self._longest_name) + 1))
        found = {piece: self.units[piece] for piece in pieces if piece in self.units}
        return {unit for name, unit in found.items()
                if not any(name != other and name in other and found[other] is not unit for other in found)}


def _blank_form_text(plan: Plan) -> dict[str, tuple[set[str], list[tuple[str, str]]]]:
    """Render each distinct blank form once (units with the same key points share one) and gather its text:
    per sheet, the texts as keys, and the texts holding the unit's name split around it."""
    from ..documents.fill_in_workbook import fill_in_workbook
    from ..office.xlsx_reader import read_workbook_bytes

    profiles: dict[tuple[str, ...], Unit] = {}
    for unit in plan.receiving_units():
        profiles.setdefault(tuple(row.code for row in progress_rows(plan, unit)), unit)
    texts: dict[str, tuple[set[str], list[tuple[str, str]]]] = {}
    for unit in profiles.values():
        blank = read_workbook_bytes(fill_in_workbook(plan, unit, _NAME_MARK), "blank")
        for sheet in blank.sheets:
            exact, named = texts.setdefault(sheet.name, (set(), []))
            for cell in sheet.cells.values():
                key = _form_key(cell.value)
                if _NAME_MARK in key:
                    before, _, after = key.partition(_NAME_MARK)
                    if (before, after) not in named:
                        named.append((before, after))
                elif key:
                    exact.add(key)
    return texts


def _blank_word_text(plan: Plan, template: Path | None) -> tuple[set[str], list[tuple[str, str]]]:
    """The paragraphs of the blank Word 附表2 outside its table, as keys, and those holding the unit's name split
    around it; nothing when there is no template or it cannot be rendered (its text is then only reported)."""
    import dataclasses

    from ..documents.contexts import survey_context
    from ..documents.render import render_template
    from ..errors import InputError
    from .read_docx import OUTSIDE_TABLES_SHEET, read_docx_bytes

    units = plan.receiving_units()
    if template is None or not units:
        return set(), []
    try:
        data = render_template(template, lambda styles: survey_context(plan, dataclasses.replace(units[0], name=_NAME_MARK)))
        blank = read_docx_bytes(data, template.name)
    except InputError:
        return set(), []
    exact: set[str] = set()
    named: list[tuple[str, str]] = []
    for text in [*blank.titles, *(c.value for s in blank.sheets if s.name == OUTSIDE_TABLES_SHEET for c in s.in_order())]:
        key = text_key(text)
        if _NAME_MARK in key:
            before, _, after = key.partition(_NAME_MARK)
            named.append((before, after))
        elif key:
            exact.add(key)
    return exact, named
