"""What an office file is, told from its bytes and its name: signatures, OOXML relationships, lock files."""
from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ZIP_SIGNATURE = b"PK\x03\x04"  # every OOXML and ODF document is a zip archive
CFB_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Office 97–2003 (.xls, .doc) and encrypted OOXML


@dataclass(frozen=True)
class Relationship:
    """One internal relationship of an OOXML part, its target resolved to a name in the archive."""

    id: str
    type: str
    target: str


def relationships_part(part: str) -> str:
    """Where a part's relationships are: word/document.xml → word/_rels/document.xml.rels; "" → _rels/.rels."""
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def internal_relationships(part: str, elements: Iterable) -> list[Relationship]:
    """The relationships among the children of a parsed .rels root that point inside the package, in order."""
    folder = posixpath.dirname(part)
    found = []
    for element in elements:
        target = element.get("Target", "")
        if not str(element.tag).endswith("Relationship") or element.get("TargetMode") == "External" or not target:
            continue
        resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        found.append(Relationship(element.get("Id", ""), element.get("Type", ""), resolved))
    return found


def office_lock_files(path: Path) -> list[Path]:
    """Where an office suite that has the file open leaves its lock file: Excel ~$name, Word ~$ with the first
    one or two characters of a long name dropped, LibreOffice .~lock.name#."""
    names = ["~$" + path.name, "~$" + path.name[1:], "~$" + path.name[2:], f".~lock.{path.name}#"]
    return [path.with_name(name) for name in dict.fromkeys(names)]


def is_lock_file(name: str) -> bool:
    """Whether a file is an office suite's lock file rather than a document."""
    return name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#"))
