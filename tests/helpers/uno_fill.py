"""Fill forms in a running LibreOffice the way a unit does, and save them in the kinds units send back.

Run by Debian's own /usr/bin/python3 (python3-uno belongs to it, not to a virtual environment):

    /usr/bin/python3 uno_fill.py PIPE_NAME JOBS.json

JOBS.json is a list of jobs, each {"source": path, "targets": [[path, filter], ...], "edits": [...]}.
Edits of a spreadsheet: {"cell": [sheet, "C4"], "text": "..."} (typed through FormulaLocal, so 107/6/25
becomes a date and 1,238 a number, as typing does), {"cell": [sheet, "C4"], "string": "..."} (stored as text
whatever it begins with, as a clerk's leading apostrophe does; \n is a line break in the cell),
{"insert_rows": [sheet, row_index, count]}.
Edits of a text document: {"table_cell": [table_index, "C2"], "text": "..."} (paragraphs split on \\n),
{"insert_table_rows": [table_index, row_index, count]}, {"merge": [table_index, "A3", rows_down]},
{"paragraph": "..."} (typed after the table, at the end of the document).

The dispatcher (.uno:EnterString, .uno:InsertRows) aborts LibreOffice when headless; the API calls used
here do not. No interactive window is opened; the document is closed after it is saved.
"""
from __future__ import annotations

import json
import pathlib
import sys
import time

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.text.ControlCharacter import PARAGRAPH_BREAK


def _property(name, value):
    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


def connect(pipe: str):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(120):
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        except Exception:  # noqa: BLE001 - LibreOffice is still starting
            time.sleep(0.5)
    raise SystemExit("LibreOffice did not accept a connection")


def _sheet_edit(document, edit):
    if "cell" in edit:
        sheet_name, address = edit["cell"]
        cell = document.Sheets.getByName(sheet_name).getCellRangeByName(address)
        if "string" in edit:
            cell.setString(edit["string"])
        else:
            cell.FormulaLocal = edit["text"]
    elif "insert_rows" in edit:
        sheet_name, index, count = edit["insert_rows"]
        document.Sheets.getByName(sheet_name).Rows.insertByIndex(index, count)
    else:
        raise ValueError(edit)


def _set_cell_text(document, cell, text: str) -> None:
    cell.setString("")
    body = cell.getText()
    cursor = body.createTextCursor()
    for number, line in enumerate(text.split("\n")):
        if number:
            body.insertControlCharacter(cursor, PARAGRAPH_BREAK, False)
        body.insertString(cursor, line, False)


def _text_edit(document, edit):
    tables = document.TextTables
    if "table_cell" in edit:
        index, name = edit["table_cell"]
        _set_cell_text(document, tables.getByIndex(index).getCellByName(name), edit["text"])
    elif "insert_table_rows" in edit:
        index, row, count = edit["insert_table_rows"]
        tables.getByIndex(index).Rows.insertByIndex(row, count)
    elif "merge" in edit:
        index, name, down = edit["merge"]
        cursor = tables.getByIndex(index).createCursorByCellName(name)
        cursor.goDown(down, True)
        cursor.mergeRange()
    elif "paragraph" in edit:
        body = document.Text
        cursor = body.createTextCursor()
        cursor.gotoEnd(False)
        body.insertControlCharacter(cursor, PARAGRAPH_BREAK, False)
        body.insertString(cursor, edit["paragraph"], False)
    else:
        raise ValueError(edit)


def run(desktop, job):
    url = pathlib.Path(job["source"]).resolve().as_uri()
    document = desktop.loadComponentFromURL(url, "_blank", 0, (_property("Hidden", True),))
    try:
        spreadsheet = document.supportsService("com.sun.star.sheet.SpreadsheetDocument")
        for edit in job["edits"]:
            (_sheet_edit if spreadsheet else _text_edit)(document, edit)
        if spreadsheet:
            document.calculateAll()
        for target, filter_name in job["targets"]:
            document.storeToURL(pathlib.Path(target).resolve().as_uri(), (_property("FilterName", filter_name),))
    finally:
        document.close(True)


def main() -> None:
    pipe, jobs_file = sys.argv[1], sys.argv[2]
    desktop = connect(pipe)
    for job in json.loads(pathlib.Path(jobs_file).read_text(encoding="utf-8")):
        run(desktop, job)


if __name__ == "__main__":
    main()
