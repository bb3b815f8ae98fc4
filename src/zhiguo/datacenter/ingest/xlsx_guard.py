"""A cheap structural guard for files that claim to be xlsx, run before any parser sees them.

Why: an xlsx is a zip of XML, and every spreadsheet parser trusts it. A renamed CSV or HTML
page, an encrypted or legacy workbook, a truncated upload, a zip bomb, a shared-strings
table of millions of entries or a sheet that declares ``A1:XFD1048576`` would otherwise
surface as an opaque parser exception — or as a worker that runs out of memory. The guard
answers from the first bytes of the file, the zip's central directory and the first few KB
of a handful of parts; it never decompresses a whole sheet.

It *returns* problems rather than raising: a rejected file is an ordinary outcome that the
ingest service reports next to any other finding (and wraps in ``ImportRejected``). An
empty list means "safe to hand to a parser". :func:`sheet_parts` and :func:`sheet_extent`
are shared with the reader and the validation report, which check the real extent of the
sheets they are about to parse (a sheet may omit its ``<dimension>``).
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree as ET
from xml.sax.saxutils import unescape

from zhiguo.core.errors import ImportRejected, Location, Problem
from zhiguo.datacenter.ingest.errors import problem

__all__ = [
    "MAX_CELLS",
    "MAX_UNCOMPRESSED_BYTES",
    "GuardLimits",
    "Inspection",
    "check_xlsx",
    "column_index",
    "column_letter",
    "corrupt_problem",
    "extent_over",
    "inspect_xlsx",
    "refuse_unsafe_xlsx",
    "sheet_extent",
    "sheet_parts",
]

MB = 1 << 20
MAX_CELLS = 5_000_000
MAX_UNCOMPRESSED_BYTES = 500 * MB

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_SNIFF = 4096
_OLE_SCAN_CHUNK = 1 << 20
_METADATA_MAX = 8 * MB  # workbook.xml and its rels are read whole; real ones are KBs

_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s[^>]*?ref\s*=\s*[\"']([^\"']+)[\"']")
_SST_ATTR = re.compile(rb"\b(count|uniqueCount)\s*=\s*[\"'](\d+)[\"']")
_SST_OPEN = re.compile(rb"<(?:\w+:)?sst\b[^>]*>")
# any attribute ending in "r" whose value is a cell reference: every cell's r="B7" (and, on the
# safe side, the odd look-alike); quotes and spaces as XML allows them
_CELL_REF = re.compile(rb"r\s*=\s*[\"']([A-Z]{1,3})(\d{1,7})[\"']")
_BIG_REF = re.compile(rb"r\s*=\s*[\"'](?:[A-Z]{2,3}\d|[A-Z]\d{4})")
_SMALL_CELLS = 26 * 999
_TAG = re.compile(rb"<(?:\w+:)?(sheet|Relationship)\s([^>]*)>")
_ATTR = re.compile(rb"([\w:]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


@cache
def column_letter(index: int) -> str:
    """1 -> ``A``, 28 -> ``AB``: the letters a spreadsheet shows for a 1-based column."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str | bytes) -> int:
    """``A`` -> 1, ``AB`` -> 28 (the inverse of :func:`column_letter`)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch if isinstance(ch, int) else ord(ch)) - 64
    return n


def _ref_cells(ref: str) -> tuple[int, int] | None:
    """``A1:XFD1048576`` -> (last row, last column) of the grid from A1 a parser would fill;
    None when it does not parse."""
    corners = []
    for part in ref.strip().split(":"):
        m = _REF.match(part)
        if not m:
            return None
        corners.append((int(m.group(2)), column_index(m.group(1))))
    if len(corners) == 1:
        corners.append(corners[0])
    if len(corners) != 2:
        return None
    return max(r for r, _c in corners), max(c for _r, c in corners)


def sheet_extent(xml: bytes) -> tuple[int, int]:
    """(last row, last column) of the cells in a sheet's XML, counted from A1.

    Parsers build a dense grid up to the last cell, so two cells far apart (``A1`` and
    ``XFD1048576``) cost as much as the whole rectangle, whatever ``<dimension>`` claims —
    calamine aborts the whole process when that allocation fails. Only cells with an
    explicit reference can be sparse; cells without one are bounded by the size limits
    because each costs bytes in the file.
    """
    refs = _CELL_REF.findall(xml)
    if not refs:
        return 0, 0
    letters, digits = zip(*refs, strict=True)
    return max(map(int, set(digits))), max(map(column_index, set(letters)))


def extent_over(xml: bytes, max_cells: int) -> tuple[int, int] | None:
    """The sheet's extent (see :func:`sheet_extent`) when it exceeds ``max_cells``, else None.

    Fast path: when no reference has two letters or four digits, the grid is at most
    Z999 (25,974 cells) and the references need not be collected one by one.
    """
    if max_cells >= _SMALL_CELLS and _BIG_REF.search(xml) is None:
        return None
    rows, cols = sheet_extent(xml)
    return (rows, cols) if rows * cols > max_cells else None


def _attrs(raw: bytes) -> dict[str, str]:
    """Attributes of one tag, namespace prefixes dropped, entities resolved."""
    out: dict[str, str] = {}
    for name, dq, sq in _ATTR.findall(raw):
        value = (dq or sq).decode()
        if "&" in value:
            value = unescape(value, {"&quot;": '"', "&apos;": "'"})
        out[name.decode().rsplit(":", 1)[-1]] = value
    return out


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> zip member of its XML, in workbook order (worksheets only).

    Reads ``xl/workbook.xml`` and its relationships with two small regular expressions
    (whatever namespace prefixes or OOXML flavour wrote them) — a tenth of the cost of a
    DOM; a malformed file surfaces when the parser opens it and is reported as damaged.
    """
    workbook = _read_small(zf, "xl/workbook.xml")
    rels = _read_small(zf, "xl/_rels/workbook.xml.rels")
    targets: dict[str, str] = {}
    for tag, raw in _TAG.findall(rels):
        attrs = _attrs(raw)
        if tag == b"Relationship" and attrs.get("Type", "").endswith("/worksheet"):
            target = attrs.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            targets[attrs.get("Id", "")] = str(PurePosixPath(path))
    out: dict[str, str] = {}
    for tag, raw in _TAG.findall(workbook):
        attrs = _attrs(raw)
        if tag == b"sheet" and attrs.get("id") in targets:
            out[attrs.get("name", "")] = targets[attrs["id"]]
    return out


def _read_small(zf: zipfile.ZipFile, name: str) -> bytes:
    info = zf.getinfo(name)
    if info.file_size > _METADATA_MAX:
        raise zipfile.BadZipFile(f"{name} is implausibly large ({info.file_size} bytes)")
    return zf.read(name)


def _head(zf: zipfile.ZipFile, name: str, size: int) -> bytes:
    with zf.open(name) as fh:
        return fh.read(size)


# -- what a non-zip file looks like ---------------------------------------------------------
def _looks_like(head: bytes) -> tuple[str, str]:
    """(zh, en) guess of what a non-zip, non-OLE file is, from its first KB."""
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    signatures: list[tuple[bool, tuple[str, str]]] = [
        (head.startswith(b"%PDF"), ("PDF 文档", "a PDF document")),
        (head.startswith(b"\x1f\x8b"), ("gzip 压缩文件", "a gzip archive")),
        (head.startswith(b"Rar!"), ("RAR 压缩包", "a RAR archive")),
        (head.startswith(b"7z\xbc\xaf\x27\x1c"), ("7z 压缩包", "a 7z archive")),
        (
            b"urn:schemas-microsoft-com:office:spreadsheet" in text,
            ("Excel 2003 XML 表格", "an Excel 2003 XML spreadsheet"),
        ),
        (
            text.startswith((b"<!doctype html", b"<html", b"<table", b"<meta", b"<head"))
            or b"<html" in text[:512],
            (
                "网页 (HTML)，常见于业务系统的“导出 Excel”功能",
                "a web page (HTML), as business systems' 'export to Excel' often produce",
            ),
        ),
        (text.startswith(b"<?xml") or text.startswith(b"<"), ("XML 文件", "an XML file")),
        (text.startswith((b"{", b"[")), ("JSON 文件", "a JSON file")),
    ]
    for hit, label in signatures:
        if hit:
            return label
    if b"\x00" not in head:
        for encoding in ("utf-8", "gb18030"):
            try:
                decoded = head.decode(encoding)
            except UnicodeDecodeError:
                # the sniffed block may cut a multi-byte character at its end
                try:
                    decoded = head[:-3].decode(encoding)
                except UnicodeDecodeError:
                    continue
            first = decoded.splitlines()[0] if decoded.splitlines() else ""
            name = "UTF-8" if encoding == "utf-8" else "GBK/GB18030"
            if "," in first or "\t" in first or "，" in first:
                return (f"CSV 或文本表格（{name} 编码）", f"a CSV or text table ({name} text)")
            return (f"文本文件（{name} 编码）", f"a text file ({name} text)")
    return ("无法识别的二进制文件", "an unrecognised binary file")


def _zip_not_workbook(names: set[str]) -> tuple[str, str]:
    if "xl/workbook.bin" in names:
        return (
            "Excel 二进制工作簿 (.xlsb)，不受支持",
            "an Excel binary workbook (.xlsb), which is not supported",
        )
    if "word/document.xml" in names:
        return ("Word 文档 (.docx)", "a Word document (.docx)")
    if "ppt/presentation.xml" in names:
        return ("PowerPoint 演示文稿 (.pptx)", "a PowerPoint presentation (.pptx)")
    if "content.xml" in names and "mimetype" in names:
        return ("OpenDocument 文件（如 WPS/LibreOffice .ods）", "an OpenDocument file (.ods)")
    return ("普通 ZIP 压缩包", "an ordinary zip archive")


_OLE_NAMES = {
    "encrypted": (_utf16("EncryptionInfo"), _utf16("EncryptedPackage")),
    "workbook": (_utf16("Workbook"), _utf16("Book")),
    "word": (_utf16("WordDocument"),),
    "ppt": (_utf16("PowerPoint Document"),),
}


def _scan_ole(chunks: Iterable[bytes]) -> set[str]:
    """Which kinds of OLE2 stream names occur in the file, scanned chunk by chunk.

    OLE2 directory entries hold stream names in UTF-16LE; they may sit anywhere, so the file
    is scanned (streamed, with overlap) rather than parsed.
    """
    found: set[str] = set()
    overlap = max(len(n) for names in _OLE_NAMES.values() for n in names)
    tail = b""
    for chunk in chunks:
        block = tail + chunk
        found.update(k for k, names in _OLE_NAMES.items() if any(n in block for n in names))
        tail = block[-overlap:]
    return found


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while chunk := fh.read(_OLE_SCAN_CHUNK):
            yield chunk


def _check_ole(found: set[str], loc: Location) -> list[Problem]:
    if "encrypted" in found:
        return [problem("xlsx.encrypted", loc)]
    if "workbook" in found:
        return [problem("xlsx.legacy_xls", loc)]
    if "word" in found:
        label = ("Word 97-2003 文档 (.doc)", "a Word 97-2003 document (.doc)")
    elif "ppt" in found:
        label = ("PowerPoint 97-2003 演示文稿 (.ppt)", "a PowerPoint 97-2003 file (.ppt)")
    else:
        label = ("Office 97-2003 复合文档", "an Office 97-2003 compound document")
    return [problem("xlsx.not_xlsx", loc, looks_like=label[0], looks_like_en=label[1])]


def _mb(n: int) -> str:
    return f"{n / MB:,.1f}"


@dataclass(frozen=True)
class GuardLimits:
    """The guard's limits (see :func:`check_xlsx` for what each bounds)."""

    max_uncompressed_bytes: int = MAX_UNCOMPRESSED_BYTES
    max_ratio: int = 200
    ratio_floor_bytes: int = 5 * MB
    max_members: int = 10_000
    max_shared_strings: int = 1_000_000
    max_shared_strings_bytes: int = 100 * MB
    max_cells: int = MAX_CELLS
    head_bytes: int = 4096


@dataclass
class Inspection:
    """What the guard found, and — when the file is a zip — the open archive and its sheet
    parts, so a reader that follows does not open and parse them a second time."""

    problems: list[Problem]
    zf: zipfile.ZipFile | None = None
    parts: dict[str, str] = field(default_factory=dict)


def check_xlsx(
    path: Path,
    *,
    file_label: str | None = None,
    max_uncompressed_bytes: int = MAX_UNCOMPRESSED_BYTES,
    max_ratio: int = 200,
    ratio_floor_bytes: int = 5 * MB,
    max_members: int = 10_000,
    max_shared_strings: int = 1_000_000,
    max_shared_strings_bytes: int = 100 * MB,
    max_cells: int = MAX_CELLS,
    head_bytes: int = 4096,
) -> list[Problem]:
    """Problems that make ``path`` unsafe or impossible to parse as xlsx; [] when it is fine.

    Limits: total unpacked size, per-part compression ratio (only for parts unpacking to
    more than ``ratio_floor_bytes``: small XML compresses well legitimately), number of
    parts, shared-strings size and declared count, and cells per sheet as declared by
    ``<dimension>`` (read from the first ``head_bytes`` of each sheet). All problems are
    errors located at the file (and sheet, for cell bombs). Reads the file's first KB, the
    zip directory and a few KB per part; an OLE2 file is scanned in 1 MiB chunks.
    """
    limits = GuardLimits(
        max_uncompressed_bytes=max_uncompressed_bytes,
        max_ratio=max_ratio,
        ratio_floor_bytes=ratio_floor_bytes,
        max_members=max_members,
        max_shared_strings=max_shared_strings,
        max_shared_strings_bytes=max_shared_strings_bytes,
        max_cells=max_cells,
        head_bytes=head_bytes,
    )
    with path.open("rb") as fh:
        head = fh.read(_SNIFF)
    inspection = _inspect(head, path, lambda: _file_chunks(path), file_label or path.name, limits)
    if inspection.zf is not None:
        inspection.zf.close()
    return inspection.problems


def inspect_xlsx(data: bytes, *, file_label: str, limits: GuardLimits | None = None) -> Inspection:
    """:func:`check_xlsx` over bytes already in memory, keeping the opened archive.

    For readers that need the whole file anyway (calamine parses from memory): one read,
    one zip directory parse, one ``workbook.xml`` parse for guard and reader together.
    """
    return _inspect(
        data[:_SNIFF], io.BytesIO(data), lambda: iter((data,)), file_label, limits or GuardLimits()
    )


def _inspect(
    head: bytes,
    source: Path | io.BytesIO,
    chunks: Callable[[], Iterable[bytes]],
    label: str,
    limits: GuardLimits,
) -> Inspection:
    loc = Location(file=label)
    if not head:
        return Inspection([problem("file.empty", loc)])
    if head.startswith(OLE2_MAGIC):
        return Inspection(_check_ole(_scan_ole(chunks()), loc))
    if not head.startswith(_ZIP_MAGICS):
        zh, en = _looks_like(head)
        return Inspection([problem("xlsx.not_xlsx", loc, looks_like=zh, looks_like_en=en)])
    zf: zipfile.ZipFile | None = None
    try:
        zf = zipfile.ZipFile(source)
        problems, parts = _check_zip(zf, label, limits)
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, ET.ParseError) as exc:
        if zf is not None:
            zf.close()
        return Inspection([corrupt_problem(exc, loc)])
    except NotImplementedError as exc:  # an exotic compression method
        if zf is not None:
            zf.close()
        detail = f"使用了不支持的压缩方式：{exc}"
        return Inspection(
            [
                problem(
                    "xlsx.corrupt", loc, detail=detail, detail_en=f"unsupported compression: {exc}"
                )
            ]
        )
    return Inspection(problems, zf, parts)


def corrupt_problem(exc: BaseException, loc: Location) -> Problem:
    """``xlsx.corrupt`` with a detail saying what broke (never a server path)."""
    text = str(exc)
    if isinstance(exc, zipfile.BadZipFile) and "CRC" in text:
        member = text.split("file", 1)[-1].strip(" '\"")
        zh, en = f"{member} 的 CRC 校验失败，内容已损坏", f"CRC check failed for {member}"
    elif isinstance(exc, zipfile.BadZipFile | EOFError) and (
        "not a zip file" in text.lower() or isinstance(exc, EOFError) or "truncated" in text
    ):
        zh = "找不到 ZIP 目录，文件可能在传输中被截断"
        en = "no zip central directory; the file was probably truncated in transfer"
    elif isinstance(exc, KeyError):
        zh, en = f"缺少必需的内部文件：{text}", f"a required part is missing: {text}"
    elif isinstance(exc, ET.ParseError):
        zh, en = f"内部 XML 无法解析：{exc}", f"an internal XML part does not parse: {exc}"
    elif isinstance(exc, zlib.error):
        zh, en = "压缩数据损坏", "compressed data is damaged"
    else:
        zh, en = f"{type(exc).__name__}: {text}", f"{type(exc).__name__}: {text}"
    return problem("xlsx.corrupt", loc, detail=zh, detail_en=en)


def _check_zip(
    zf: zipfile.ZipFile, label: str, limits: GuardLimits
) -> tuple[list[Problem], dict[str, str]]:
    loc = Location(file=label)
    infos = zf.infolist()
    # 1. the central directory alone: counts and sizes, nothing decompressed
    if len(infos) > limits.max_members:
        return [problem("xlsx.zip_members", loc, count=len(infos), limit=limits.max_members)], {}
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_bytes:
        too_large = problem(
            "xlsx.zip_too_large",
            loc,
            size_mb=_mb(total),
            limit_mb=_mb(limits.max_uncompressed_bytes),
        )
        return [too_large], {}
    names = {i.filename for i in infos}
    if any(i.flag_bits & 0x1 for i in infos):
        encrypted = problem(
            "xlsx.not_xlsx",
            loc,
            looks_like="设置了密码的 ZIP 压缩包",
            looks_like_en="a password-protected zip archive",
        )
        return [encrypted], {}
    if "xl/workbook.xml" not in names:
        zh, en = _zip_not_workbook(names)
        return [problem("xlsx.not_xlsx", loc, looks_like=zh, looks_like_en=en)], {}
    problems: list[Problem] = []
    sst = "xl/sharedStrings.xml"
    for info in infos:
        if info.filename == sst or info.file_size <= limits.ratio_floor_bytes:
            continue
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_ratio:
            problems.append(
                problem(
                    "xlsx.zip_ratio",
                    loc,
                    member=info.filename,
                    ratio=f"{ratio:,.0f}",
                    limit=limits.max_ratio,
                    size_mb=_mb(info.file_size),
                )
            )
    # 2. shared strings: unpacked size, then the declared counts in its first bytes
    if sst in names:
        size = zf.getinfo(sst).file_size
        if size > limits.max_shared_strings_bytes:
            problems.append(
                problem(
                    "xlsx.shared_strings_size",
                    loc,
                    size_mb=_mb(size),
                    limit_mb=_mb(limits.max_shared_strings_bytes),
                )
            )
        else:
            opening = _SST_OPEN.search(_head(zf, sst, limits.head_bytes))
            counts = [int(v) for _k, v in _SST_ATTR.findall(opening.group(0))] if opening else []
            if counts and max(counts) > limits.max_shared_strings:
                problems.append(
                    problem(
                        "xlsx.shared_strings_count",
                        loc,
                        count=f"{max(counts):,}",
                        limit=f"{limits.max_shared_strings:,}",
                    )
                )
    # 3. each sheet's declared dimension, from the first KB of its XML
    parts = sheet_parts(zf)
    for sheet, part in parts.items():
        if part not in names:
            raise zipfile.BadZipFile(f"sheet {sheet!r} points to a missing part {part}")
        m = _DIMENSION.search(_head(zf, part, limits.head_bytes))
        span = _ref_cells(m.group(1).decode()) if m else None
        if m and span and span[0] * span[1] > limits.max_cells:
            problems.append(
                problem(
                    "xlsx.cell_bomb",
                    Location(file=label, sheet=sheet),
                    sheet=sheet,
                    ref=m.group(1).decode(),
                    cells=f"{span[0] * span[1]:,}",
                    limit=f"{limits.max_cells:,}",
                )
            )
    return problems, parts


def refuse_unsafe_xlsx(path: Path, *, file_label: str | None = None) -> None:
    """Raise :class:`ImportRejected` when ``path`` (an .xlsx) is unsafe or impossible to
    parse — for every path that hands uploads to calamine (the registry import too): a
    cell-count bomb or a crafted far cell makes calamine abort the whole process."""
    if path.suffix.lower() != ".xlsx":
        return
    errors = [p for p in check_xlsx(path, file_label=file_label) if p.severity == "error"]
    if errors:
        raise ImportRejected(errors, file=file_label or path.name)
