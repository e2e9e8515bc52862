"""Returns LibreOffice converts (.odt, .doc, .rtf): each file on its own under a time and a memory cap, so one
slow or huge file is only its own problem, and no conversion fetches anything from the network."""
from __future__ import annotations

import io
import re
import shutil
import socket
import threading
import zipfile
from pathlib import Path

import docx
import pytest

from helpers.project import make_project
from plandocs.commands.collect import collect
from plandocs.office import convert
from plandocs.paths import Paths
from plandocs.returns.records import Status

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")

NESTED_GROUPS = 9_000_000  # grew LibreOffice past 20 GB before its memory was capped


@pytest.fixture(scope="module")
def paths(tmp_path_factory) -> Paths:
    project = make_project(tmp_path_factory.mktemp("conversions") / "project")
    return Paths(project.source, project.templates, project.output)


def filled_odt(output: Path, tmp_path: Path, unit: str, measure: tuple[str, str]) -> bytes:
    (found,) = (output / "各單位").glob(f"{unit}/*.docx")
    document = docx.Document(found)
    document.tables[0].rows[1].cells[2].text, document.tables[0].rows[1].cells[3].text = measure
    buffer = io.BytesIO()
    document.save(buffer)
    (data,) = convert.convert([(".docx", buffer.getvalue())], "odt", convert.find_soffice()).outputs
    return data


def with_linked_image(odt: bytes, address: str) -> bytes:
    """The .odt with a picture linked, not embedded, from `address` in its first paragraph."""
    source = zipfile.ZipFile(io.BytesIO(odt))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "content.xml":
                frame = (f'<draw:frame svg:width="2cm" svg:height="2cm" text:anchor-type="as-char"><draw:image '
                         f'xlink:href="{address}" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/>'
                         '</draw:frame>').encode()
                data = re.sub(rb"(<text:p\b[^>]*?)(/?)>", lambda m: m.group(1) + b">" + frame
                              + (b"</text:p>" if m.group(2) else b""), data, count=1)
            target.writestr(item, data)
    return buffer.getvalue()


def nested_rtf(groups: int) -> bytes:
    return b"{\\rtf1 " + b"{" * groups + b"x" + b"}" * groups + b"}"


def run(paths: Paths, tmp_path: Path, files: dict[str, bytes]):
    folder = tmp_path / "returns"
    folder.mkdir()
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return collect(paths, folder)


def by_file(report) -> dict[str, object]:
    return {Path(ret.file).name: ret for ret in report.collection.returns}


def test_an_rtf_over_the_memory_cap_sorted_first_leaves_the_good_odt_after_it_consolidated(
        shipped_output, paths, tmp_path):
    odt = filled_odt(shipped_output, tmp_path, "大安分局", ("轉檔措施", "轉檔內容"))
    report = run(paths, tmp_path, {"中山分局_附表2.rtf": nested_rtf(NESTED_GROUPS), "大安分局.odt": odt})
    assert sorted(by_file(report)) == ["中山分局_附表2.rtf", "大安分局.odt"]  # the RTF is read first
    rtf, good = by_file(report)["中山分局_附表2.rtf"], by_file(report)["大安分局.odt"]
    assert rtf.status == Status.UNUSABLE_FORMAT
    assert "中山分局_附表2.rtf" in rtf.reason and f"記憶體上限 {convert.MEMORY_BYTES // 1024 ** 3} GB" in rtf.reason
    assert good.status == Status.RETURNED
    assert [(m.name, m.content) for m in good.measures] == [("轉檔措施", "轉檔內容")]


def test_a_conversion_over_its_time_cap_stops_alone_and_the_next_file_is_converted(shipped_output, tmp_path):
    odt = filled_odt(shipped_output, tmp_path, "大安分局", ("措施", "內容"))
    slow = b"{\\rtf1 " + b"\\par " * 3_000_000 + b"}"  # about 19 MB of paragraphs: ~17 s to convert here
    # a cap the slow file cannot meet, with room for LibreOffice to start on a busy machine for the next one
    first, second = convert.convert_each([(".rtf", slow), (".odt", odt)], "docx:MS Word 2007 XML",
                                         convert.find_soffice(), timeout=6)
    assert (first.finished, first.outputs) == (False, [None])
    assert second.finished and "內容" in docx.Document(io.BytesIO(second.outputs[0])).tables[0].rows[1].cells[3].text


@pytest.fixture
def listener():
    """A local HTTP address whose every connection is recorded."""
    server = socket.create_server(("127.0.0.1", 0))
    requests: list[bytes] = []

    def accept() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            with connection:
                requests.append(connection.recv(4096))

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/x.png", requests
    server.close()


def test_an_odt_linking_an_http_image_is_read_without_any_request_and_its_copy_keeps_no_address(
        shipped_output, paths, tmp_path, listener):
    address, requests = listener
    odt = with_linked_image(filled_odt(shipped_output, tmp_path, "大安分局", ("連結措施", "連結內容")), address)
    assert address.encode() in zipfile.ZipFile(io.BytesIO(odt)).read("content.xml")
    (converted,) = convert.convert_each([(".odt", odt)], "docx:MS Word 2007 XML", convert.find_soffice())
    copy = convert.without_external_targets(converted.outputs[0])
    package = zipfile.ZipFile(io.BytesIO(copy))
    assert not any(address.encode() in package.read(name) for name in package.namelist())
    (ret,) = run(paths, tmp_path, {"大安分局.odt": odt}).collection.returns
    assert ret.status == Status.RETURNED
    assert [(m.name, m.content) for m in ret.measures] == [("連結措施", "連結內容")]
    assert requests == []
