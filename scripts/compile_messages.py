"""Compile the project's .po message catalogues into the .mo files gettext reads (GNU format, no plural logic
beyond one form), so that no gettext toolchain is needed: python3 scripts/compile_messages.py"""
from __future__ import annotations

import ast
import struct
import sys
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[1] / "src" / "plandocs" / "locale"


def parse_po(text: str) -> dict[str, str]:
    """msgid (with its plural joined by NUL, as gettext keys plurals) → msgstr (its forms joined by NUL)."""
    entries: dict[str, str] = {}
    fields: dict[str, list[str]] = {}
    last = ""

    def flush() -> None:
        if "msgid" in fields:
            key = "".join(fields["msgid"])
            if "msgid_plural" in fields:
                key += "\0" + "".join(fields["msgid_plural"])
            forms = [name for name in fields if name.startswith("msgstr")]
            entries[key] = "\0".join("".join(fields[name]) for name in sorted(forms))
        fields.clear()

    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            fields[last].append(ast.literal_eval(line))
            continue
        name, _, value = line.partition(" ")
        if name == "msgid":
            flush()
        last = name
        fields[name] = [ast.literal_eval(value)]
    flush()
    return entries


def mo_bytes(entries: dict[str, str]) -> bytes:
    """The GNU .mo layout: header, the tables of original and translated strings, then the strings."""
    keys = sorted(entries)
    ids = [key.encode() for key in keys]
    strs = [entries[key].encode() for key in keys]
    header = 7 * 4
    table = header + 2 * 8 * len(keys)
    offsets, data = [], b""
    for text in ids + strs:
        offsets.append((len(text), table + len(data)))
        data += text + b"\0"
    index = b"".join(struct.pack("<2I", *pair) for pair in offsets)
    return struct.pack("<7I", 0x950412DE, 0, len(keys), header, header + 8 * len(keys), 0, 0) + index + data


def main() -> int:
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        po.with_suffix(".mo").write_bytes(mo_bytes(parse_po(po.read_text(encoding="utf-8"))))
        print(f"compiled {po.relative_to(LOCALE)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
