"""Tables of the built documents read as their content, whatever rows pagination split them into."""
from __future__ import annotations


def logical_rows(table, label_columns: int = 2) -> list[list[list[str]]]:
    """Each body row's cells as lists of paragraph texts, the parts of a row split across pages joined again.

    A row's second part repeats its labels (the first `label_columns` cells: 評核項目 and 評核重點); its
    other cells continue the first part's paragraphs. A merged label cell reads as the merge's first cell.
    """
    rows: list[list[list[str]]] = []
    for row in table.rows[1:]:
        cells = [[p.text for p in cell.paragraphs] for cell in row.cells]
        if rows and label_columns and cells[:label_columns] == rows[-1][:label_columns]:
            for joined, more in zip(rows[-1][label_columns:], cells[label_columns:]):
                joined += [text for text in more if text]
            continue
        rows.append(cells)
    return rows
