"""Each unit's copy of a form, made fast: render once with a placeholder name, then stamp in every name.

Rendering a .docx with docxtpl or a workbook with XlsxWriter costs 10–20 ms; a build for 1,000 units
cannot afford it per unit. The files of units that differ only by name (all units for the survey form,
units with the same responsibilities for the workbook) are rendered once with a placeholder where the
name goes; each copy then replaces the placeholder in the few XML parts that hold it and reuses the
already compressed bytes of every other part. A name the placeholder cannot stand for — one holding
control characters, which Word and Excel each encode in their own way — is rendered directly.
"""
from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape

from ..master.model import Unit

PLACEHOLDER = "\ue000單位名稱\ue001"  # private-use marks: text no master or template holds
_PLACEHOLDER_BYTES = PLACEHOLDER.encode("utf-8")
# Control characters become line breaks or tabs in Word and _xHHHH_ escapes in Excel; a literal _xHHHH_
# is itself escaped by Excel: names with either are rendered directly, not stamped in.
_ENCODED_BY_RENDERER = re.compile(r"[\x00-\x1f]|_x[0-9A-Fa-f]{4}_")
_XML_ESCAPES = {'"': "&quot;", "'": "&apos;"}  # valid in text and in attribute values alike

# Every entry gets the same time stamp, 1980-01-01 00:00 in MS-DOS form, so copies are reproducible.
_DOS_TIME, _DOS_DATE = 0, (0 << 9) | (1 << 5) | 1
_DEFLATED = 8
_VERSION = 20  # deflate, no zip64: every part of a form is far below 4 GB
_UTF8_NAME = 0x800  # general-purpose flag: the entry's name is UTF-8


@dataclass(frozen=True)
class _Entry:
    """One part of the zip: either fixed (already compressed) or split around the placeholder."""

    name: bytes
    pieces: tuple[bytes, ...]  # the content around each occurrence of the placeholder
    compressed: bytes | None  # None when the content holds the placeholder
    crc: int
    size: int


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)  # raw deflate stream, as zip stores it
    return compressor.compress(data) + compressor.flush()


class UnitPrototype:
    """An Office file rendered with PLACEHOLDER as the unit's name; `copy(name)` gives the file for a unit."""

    def __init__(self, data: bytes):
        self.entries: list[_Entry] = []
        with zipfile.ZipFile(io.BytesIO(data)) as source:
            for info in source.infolist():
                content = source.read(info.filename)
                name = info.filename.encode("utf-8")
                pieces = tuple(content.split(_PLACEHOLDER_BYTES))
                if len(pieces) == 1:
                    self.entries.append(_Entry(name, pieces, _deflate(content), zlib.crc32(content), len(content)))
                else:
                    self.entries.append(_Entry(name, pieces, None, 0, 0))

    def copy(self, unit_name: str) -> bytes:
        """The file with the unit's name, XML-escaped, in place of every placeholder."""
        name = escape(unit_name, _XML_ESCAPES).encode("utf-8")
        output = bytearray()
        directory = bytearray()
        for entry in self.entries:
            if entry.compressed is None:
                content = name.join(entry.pieces)
                compressed, crc, size = _deflate(content), zlib.crc32(content), len(content)
            else:
                compressed, crc, size = entry.compressed, entry.crc, entry.size
            flags = 0 if entry.name.isascii() else _UTF8_NAME
            fields = (_VERSION, flags, _DEFLATED, _DOS_TIME, _DOS_DATE, crc, len(compressed), size, len(entry.name))
            directory += struct.pack("<4s2B5H3L5H2L", b"PK\x01\x02", _VERSION, 3, *fields, 0, 0, 0, 0,
                                     0o600 << 16, len(output)) + entry.name
            output += struct.pack("<4s5H3L2H", b"PK\x03\x04", *fields, 0) + entry.name + compressed
        end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(self.entries), len(self.entries), len(directory),
                          len(output), 0)
        return bytes(output + directory + end)


def copies_per_unit(units: Iterable[Unit], render: Callable[[Unit, str], bytes],
                    profile: Callable[[Unit], Hashable] = lambda unit: None) -> dict[str, bytes]:
    """Each unit's file by unit name; `render(unit, name)` makes the unit's file with `name` written as its name.

    Units with the same `profile` get the same file but for the name, so it is rendered once per profile.
    """
    prototypes: dict[Hashable, UnitPrototype] = {}
    files: dict[str, bytes] = {}
    for unit in units:
        if _ENCODED_BY_RENDERER.search(unit.name):
            files[unit.name] = render(unit, unit.name)
            continue
        key = profile(unit)
        if key not in prototypes:
            prototypes[key] = UnitPrototype(render(unit, PLACEHOLDER))
        files[unit.name] = prototypes[key].copy(unit.name)
    return files
