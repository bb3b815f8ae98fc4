"""The xlsx guard names what a file really is and refuses bombs from the zip directory and
the first KB of each part — never by decompressing them."""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from zhiguo.datacenter.flashreport.items import items_for_year
from zhiguo.datacenter.flashreport.template import write_template
from zhiguo.datacenter.ingest import xlsx_guard
from zhiguo.datacenter.ingest.xlsx_guard import (
    OLE2_MAGIC,
    check_xlsx,
    column_index,
    column_letter,
    extent_over,
    inspect_xlsx,
    sheet_extent,
    sheet_parts,
)

USCC = "91440300MA5DEMO001"
DATA_PART = "xl/worksheets/sheet2.xml"


def _values(year: int = 2025) -> dict[tuple[str, str], float]:
    return {
        (code, cal): float(100 + i)
        for i, (code, item) in enumerate(items_for_year(year).items())
        for cal in item.calibers
    }


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write_template(
        tmp_path / "good.xlsx", year=2025, uscc=USCC, period="2025-03", values=_values()
    )


def _rewrite(src: Path, dst: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    out = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            content = change(info.filename, zin.read(info.filename))
            if content is not None:
                zout.writestr(info.filename, content)
    dst.write_bytes(out.getvalue())
    return dst


def _add(src: Path, dst: Path, extra: dict[str, bytes]) -> Path:
    _rewrite(src, dst, lambda _n, c: c)
    with zipfile.ZipFile(dst, "a", zipfile.ZIP_DEFLATED) as z:
        for name, content in extra.items():
            z.writestr(name, content)
    return dst


@pytest.fixture
def bytes_read(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Decompressed bytes handed out per zip member while the test runs."""
    seen: Counter[str] = Counter()
    original = zipfile.ZipExtFile.read

    def counting(self: zipfile.ZipExtFile, n: int = -1) -> bytes:
        data = original(self, n)
        seen[self.name] += len(data)
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting)
    return seen


def _codes(problems: list) -> list[str]:  # type: ignore[type-arg]
    return [p.code for p in problems]


def test_the_template_passes(good: Path) -> None:
    assert check_xlsx(good) == []


def test_an_empty_file_says_so(tmp_path: Path) -> None:
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    assert _codes(check_xlsx(empty)) == ["ZG-INGEST-003"]


@pytest.mark.parametrize(
    ("content", "zh", "en"),
    [
        (b"<!DOCTYPE html><html><body><table><tr><td>1</td></tr></table>", "HTML", "web page"),
        (b"uscc,period,value\n9144,2025-03,1\n", "CSV", "CSV"),
        ("统一社会信用代码,期间\n9144,2025-03\n".encode("gbk"), "GBK", "GBK/GB18030"),
        (b"%PDF-1.4\n%\xe2\xe3", "PDF", "PDF"),
        (
            b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">',
            "Excel 2003 XML",
            "Excel 2003 XML",
        ),
        (bytes(range(256)) * 4, "二进制", "unrecognised binary"),
    ],
)
def test_a_renamed_file_is_named_for_what_it_is(
    tmp_path: Path, content: bytes, zh: str, en: str
) -> None:
    path = tmp_path / "report.xlsx"
    path.write_bytes(content)
    (found,) = check_xlsx(path, file_label="报表.xlsx")
    assert found.code == "ZG-INGEST-014"
    assert zh in found.message_zh and en in found.message_en
    assert found.location.file == "报表.xlsx"


def test_a_password_protected_workbook_is_not_called_legacy(good: Path, tmp_path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    locked = tmp_path / "locked.xlsx"
    with good.open("rb") as fh, locked.open("wb") as out:
        OOXMLFile(fh).encrypt("demo", out)
    assert locked.read_bytes().startswith(OLE2_MAGIC)
    (found,) = check_xlsx(locked)
    assert found.code == "ZG-INGEST-015"
    assert "密码" in found.message_zh and "password" in found.message_en


def _ole(*streams: str, pad: int = 512) -> bytes:
    body = b"".join(s.encode("utf-16-le") + b"\x00" * 32 for s in streams)
    return OLE2_MAGIC + b"\x00" * pad + body


def test_a_legacy_xls_and_a_word_doc_get_their_own_messages(tmp_path: Path) -> None:
    xls = tmp_path / "old.xlsx"
    xls.write_bytes(_ole("Root Entry", "Workbook", "SummaryInformation"))
    assert _codes(check_xlsx(xls)) == ["ZG-INGEST-016"]
    doc = tmp_path / "letter.xlsx"
    doc.write_bytes(_ole("Root Entry", "WordDocument"))
    (found,) = check_xlsx(doc)
    assert found.code == "ZG-INGEST-014" and "Word" in found.message_en


def test_an_ole_stream_name_across_a_chunk_boundary_is_found(tmp_path: Path) -> None:
    name = "EncryptionInfo".encode("utf-16-le")
    cut = xlsx_guard._OLE_SCAN_CHUNK - len(name) // 2
    data = OLE2_MAGIC + b"\x00" * (cut - len(OLE2_MAGIC)) + name + b"\x00" * 100
    path = tmp_path / "split.xlsx"
    path.write_bytes(data)
    assert _codes(check_xlsx(path)) == ["ZG-INGEST-015"]


def test_a_truncated_upload_is_corrupt_and_says_truncated(good: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.xlsx"
    data = good.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    (found,) = check_xlsx(cut)
    assert found.code == "ZG-INGEST-017"
    assert "截断" in found.message_zh and "truncated" in found.message_en


def test_a_docx_is_a_zip_but_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "memo.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    (found,) = check_xlsx(path)
    assert found.code == "ZG-INGEST-014" and "Word" in found.message_en


def test_a_zip_bomb_is_refused_from_the_directory_alone(
    good: Path, tmp_path: Path, bytes_read: Counter[str]
) -> None:
    bomb = _add(good, tmp_path / "bomb.xlsx", {"xl/media/filler.bin": b"\x00" * (3 << 20)})
    bytes_read.clear()
    (found,) = check_xlsx(bomb, max_uncompressed_bytes=2 << 20)
    assert found.code == "ZG-INGEST-018"
    assert "2.0 MB" in found.message_en
    assert sum(bytes_read.values()) == 0  # nothing decompressed at all


def test_an_absurd_compression_ratio_names_the_part(
    good: Path, tmp_path: Path, bytes_read: Counter[str]
) -> None:
    bomb = _add(good, tmp_path / "ratio.xlsx", {"xl/media/zeros.bin": b"\x00" * (6 << 20)})
    bytes_read.clear()
    codes = check_xlsx(bomb)
    assert [p.code for p in codes] == ["ZG-INGEST-019"]
    assert "xl/media/zeros.bin" in codes[0].message_en
    assert bytes_read["xl/media/zeros.bin"] == 0


def test_too_many_parts(good: Path) -> None:
    (found,) = check_xlsx(good, max_members=5)
    assert found.code == "ZG-INGEST-020"


def _sst(count: int, real: int) -> bytes:
    return (
        b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        + f'2006/main" count="{count}" uniqueCount="{count}">'.encode()
        + b"<si><t>x</t></si>" * real
        + b"</sst>"
    )


def test_a_shared_strings_explosion_is_refused_from_its_first_bytes(
    good: Path, tmp_path: Path, bytes_read: Counter[str]
) -> None:
    bomb = _add(good, tmp_path / "sst.xlsx", {"xl/sharedStrings.xml": _sst(1_200_000, 1_200_000)})
    bytes_read.clear()
    (found,) = check_xlsx(bomb)
    assert found.code == "ZG-INGEST-022"
    assert "1,200,000" in found.message_en
    assert 0 < bytes_read["xl/sharedStrings.xml"] <= 8192  # a head, not 20 MB


def test_a_large_shared_strings_table_is_refused_by_size(good: Path, tmp_path: Path) -> None:
    bomb = _add(good, tmp_path / "sst.xlsx", {"xl/sharedStrings.xml": _sst(10, 200_000)})
    (found,) = check_xlsx(bomb, max_shared_strings_bytes=1 << 20)
    assert found.code == "ZG-INGEST-021"


def test_a_declared_cell_count_bomb_is_refused_without_reading_the_sheet(
    good: Path, tmp_path: Path, bytes_read: Counter[str]
) -> None:
    # the sheet's tail is megabytes of filler: reading it whole would show in the counter
    filler = b"<!--" + b"x" * (8 << 20) + b"-->"

    def declare(name: str, content: bytes) -> bytes:
        if name != DATA_PART:
            return content
        head, _sep, tail = content.partition(b"<dimension ref=")
        return head + b'<dimension ref="A1:XFD1048576"/>' + tail.split(b"/>", 1)[1] + filler

    bomb = _rewrite(good, tmp_path / "cells.xlsx", declare)
    bytes_read.clear()
    problems = check_xlsx(bomb, max_ratio=10_000)
    assert _codes(problems) == ["ZG-INGEST-023"]
    assert problems[0].location.sheet == "快报"
    assert "A1:XFD1048576" in problems[0].message_en
    assert bytes_read[DATA_PART] <= 4096


def test_inspect_keeps_the_archive_and_the_sheet_parts(good: Path) -> None:
    found = inspect_xlsx(good.read_bytes(), file_label="good.xlsx")
    assert found.problems == []
    assert found.zf is not None
    assert found.parts == {
        "封面": "xl/worksheets/sheet1.xml",
        "快报": DATA_PART,
        "填报说明": "xl/worksheets/sheet3.xml",
    }
    assert sheet_parts(found.zf) == found.parts


def test_sheet_extent_reads_every_reference_in_any_quoting() -> None:
    xml = b'<row r="1"><c r="A1"/><c s="2" r = \'XFD1048576\' t="n"/></row><c r="C3"/>'
    assert sheet_extent(xml) == (1_048_576, 16_384)
    assert sheet_extent(b"<sheetData/>") == (0, 0)
    assert extent_over(b'<c r="G54"/>', 5_000_000) is None
    assert extent_over(b'<c r="A1"/><c r="ZZ200000"/>', 5_000_000) == (200_000, 702)
    # the fast path must not hide a small limit
    assert extent_over(b'<c r="G54"/>', 100) == (54, 7)


@pytest.mark.parametrize(("index", "letters"), [(1, "A"), (26, "Z"), (27, "AA"), (16384, "XFD")])
def test_column_letters_round_trip(index: int, letters: str) -> None:
    assert column_letter(index) == letters
    assert column_index(letters) == index
