"""Stamp the form's identity into a unit's Word 附表2 as custom document properties, as the workbook carries it.

Word and LibreOffice Writer keep custom properties through a save (.docx, .odt's meta.xml, .doc), so collect
recognises a Word return by its identity before falling back to its title or file name.
"""
from __future__ import annotations

import io
import re
import zipfile
from xml.sax.saxutils import escape, quoteattr

from .fill_in_form import PROPERTY_PREFIX

CUSTOM_PART = "docProps/custom.xml"
_CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_CUSTOM_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
_PROPERTY_SET = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the format id Office gives user-defined properties


def custom_properties_xml(properties: dict[str, str]) -> bytes:
    entries = "".join(
        f'<property fmtid="{_PROPERTY_SET}" pid="{pid}" name={quoteattr(PROPERTY_PREFIX + name)}>'
        f"<vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(properties.items(), 2))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            f"{entries}</Properties>").encode("utf-8")


def with_identity(data: bytes, properties: dict[str, str]) -> bytes:
    """The .docx with `properties` (identity key → text) as its custom properties, each named plandocs.<key>."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename == CUSTOM_PART:
                continue  # the template's own custom properties give way to the identity
            content = source.read(info.filename)
            if info.filename == "[Content_Types].xml" and b'"/docProps/custom.xml"' not in content:
                content = content.replace(b"</Types>", f'<Override PartName="/{CUSTOM_PART}" ContentType="{_CUSTOM_TYPE}"/>'
                                          "</Types>".encode())
            elif info.filename == "_rels/.rels" and _CUSTOM_RELATIONSHIP.encode() not in content:
                ids = {int(n) for n in re.findall(rb'Id="rId(\d+)"', content)}
                new_id = f"rId{max(ids, default=0) + 1}"
                content = content.replace(b"</Relationships>", (
                    f'<Relationship Id="{new_id}" Type="{_CUSTOM_RELATIONSHIP}" Target="{CUSTOM_PART}"/>'
                    "</Relationships>").encode())
            target.writestr(info, content)
        entry = zipfile.ZipInfo(CUSTOM_PART, source.infolist()[0].date_time)
        entry.compress_type = zipfile.ZIP_DEFLATED
        target.writestr(entry, custom_properties_xml(properties))
    return buffer.getvalue()
