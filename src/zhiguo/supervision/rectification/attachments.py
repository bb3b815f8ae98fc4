"""Checking a response's attachments before anything is kept: a safe file name, a known
document type, not empty, not over the size limit, not an executable in disguise.

Every attachment is checked before the first one is written anywhere, so one bad file
rejects the whole response and leaves no trace in the inbox or the database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from zhiguo.core.errors import Location

from .errors import AttachmentRejected, AttachmentTooLarge

__all__ = [
    "ALLOWED_EXTENSIONS",
    "ATTACHMENT_KINDS",
    "DEFAULT_MAX_BYTES",
    "CheckedAttachment",
    "check_attachments",
    "sanitise_file_name",
]

# Documents, spreadsheets, scans and archives a rectification plan or its evidence comes as
# (.ofd is China's fixed-layout e-document format, .wps/.et the WPS Office ones).
ALLOWED_EXTENSIONS: frozenset[str] = frozenset(
    {
        ".pdf", ".ofd", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et", ".csv", ".txt",
        ".png", ".jpg", ".jpeg", ".zip",
    }
)  # fmt: skip
ATTACHMENT_KINDS: tuple[str, ...] = ("plan", "evidence")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_MAX_NAME = 200
_EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")
_RESERVED = re.compile(r'[<>:"|?*\x00-\x1f]')

_KIND_ZH = {"plan": "整改方案", "evidence": "佐证材料"}


@dataclass(frozen=True)
class CheckedAttachment:
    """An attachment that passed every check, with its safe name."""

    file_name: str
    data: bytes
    kind: str


def sanitise_file_name(name: str) -> str:
    """The last path component of ``name`` without control or reserved characters, runs of
    white space collapsed, no leading dots, at most 200 characters (the suffix kept);
    ``""`` when nothing usable is left."""
    text = unicodedata.normalize("NFC", name)
    text = "".join(" " if c.isspace() else c for c in text)  # tabs, newlines → spaces
    text = "".join(c for c in text if unicodedata.category(c) not in {"Cc", "Cf"})
    text = re.split(r"[\\/]", text)[-1]
    text = _RESERVED.sub("_", text)
    text = " ".join(text.split()).strip(" .")
    if len(text) > _MAX_NAME:
        suffix = PurePosixPath(text).suffix[:16]
        text = text[: _MAX_NAME - len(suffix)].rstrip(" .") + suffix
    return text


def _reject(index: int, name: str, zh: str, en: str) -> AttachmentRejected:
    where = Location(file=name or None, field=f"attachments[{index}]")
    return AttachmentRejected(zh, en, location=where)


def check_attachments(
    attachments: Sequence[tuple[str, bytes, str]],
    *,
    max_bytes: int,
    allowed_extensions: frozenset[str] = ALLOWED_EXTENSIONS,
) -> list[CheckedAttachment]:
    """Every ``(name, data, kind)`` checked, or the first problem raised (named by file and
    position) — before anything is kept."""
    out: list[CheckedAttachment] = []
    allowed = "、".join(sorted(allowed_extensions))
    for i, (raw_name, data, kind) in enumerate(attachments, start=1):
        name = sanitise_file_name(raw_name)
        suffix = PurePosixPath(name).suffix.lower()
        if not name or not PurePosixPath(name).stem:
            raise _reject(
                i, raw_name, f"附件名称 {raw_name!r} 无效", f"Invalid attachment name {raw_name!r}"
            )
        if kind not in ATTACHMENT_KINDS:
            raise _reject(
                i,
                name,
                f"附件类型 {kind!r} 无效，应为 plan（整改方案）或 evidence（佐证材料）",
                f"Attachment kind {kind!r} is invalid; expected plan or evidence",
            )
        if suffix not in allowed_extensions:
            raise _reject(
                i,
                name,
                f"不接受 {suffix or '无扩展名'} 类型的附件，允许：{allowed}",
                f"Files of type {suffix or '(no extension)'} are not accepted; allowed: {allowed}",
            )
        if not data:
            raise _reject(i, name, "附件是空文件（0 字节）", "The attachment is empty (0 bytes)")
        if len(data) > max_bytes:
            raise AttachmentTooLarge(
                f"{_KIND_ZH[kind]} {name} 大小 {len(data)} 字节，超过上限 {max_bytes} 字节",
                f"{kind} {name} is {len(data)} bytes, over the limit of {max_bytes} bytes",
                location=Location(file=name, field=f"attachments[{i}]"),
            )
        if data.startswith(_EXECUTABLE_MAGIC):
            raise _reject(
                i,
                name,
                "附件内容是可执行程序，不予接受",
                "The attachment's content is an executable program; not accepted",
            )
        out.append(CheckedAttachment(file_name=name, data=data, kind=kind))
    return out
