"""Hand-written OpenDocument spreadsheets for the readers' tests: one 調查表 sheet of the given rows."""
from __future__ import annotations

import io
import zipfile

NAMESPACES = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
              'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
              'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
              'xmlns:xlink="http://www.w3.org/1999/xlink" '
              'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" '
              'xmlns:dc="http://purl.org/dc/elements/1.1/" '
              'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"')
_MANIFEST = ('<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
             '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
             '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')


def ods_bytes(rows: str, meta: str = "") -> bytes:
    """An .ods whose 調查表 holds `rows` (table:table-row elements); `meta` goes into meta.xml's office:meta."""
    content = (f'<?xml version="1.0"?><office:document-content {NAMESPACES}><office:body><office:spreadsheet>'
               f'<table:table table:name="調查表">{rows}</table:table></office:spreadsheet></office:body>'
               "</office:document-content>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", _MANIFEST)
        if meta:
            archive.writestr("meta.xml", f'<office:document-meta {NAMESPACES}><office:meta>{meta}</office:meta>'
                                         "</office:document-meta>")
    return buffer.getvalue()
