"""Put the shipped templates' WordprocessingML into schema order, in place: python scripts/normalize_templates.py

Rendering orders every document it writes (office/ooxml_order.py); this applies the same function to
the templates themselves, so a user who opens one in Word gets a file Word need not repair. It only
moves and deduplicates property elements, so a template's content, styles and tags stay as they are.
Run it after editing a template; running it again changes nothing.
"""
from __future__ import annotations

import sys
from pathlib import Path

from plandocs.office.ooxml_order import normalize_docx

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def main(folder: Path = TEMPLATES) -> int:
    for path in sorted(folder.glob("*.docx")):
        data = path.read_bytes()
        normalized = normalize_docx(data)
        if normalized != data:
            path.write_bytes(normalized)
            print(f"normalized {path.name}")
        else:
            print(f"unchanged  {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATES))
