"""Signed tree heads: the audit log's state, signed with SM2 and kept outside the database.

``<workspace>/audit/heads/<tree_size>.json`` holds ``{tree_size, root, last_hash, timestamp,
key_id, algorithm, signature}``; the signature (GB/T 32918.2 SM2 with SM3) covers the
canonical JSON of every other field. Whoever edits the database cannot make the root over
the first ``tree_size`` records match again without the key in ``<workspace>/keys/``.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from zhiguo.core.crypto import SM2KeyPair, SM2PublicKey, sm2_sign, sm2_verify, sm3
from zhiguo.core.errors import ZhiguoError
from zhiguo.core.settings import Settings

from .errors import AuditKeyMissing

__all__ = [
    "ALGORITHM",
    "TreeHead",
    "archive_dir",
    "heads_dir",
    "key_id",
    "load_heads",
    "signing_key",
    "write_json_atomic",
]

ALGORITHM = "SM2-with-SM3"


def heads_dir(settings: Settings) -> Path:
    return settings.workspace / "audit" / "heads"


def archive_dir(settings: Settings) -> Path:
    return settings.workspace / "audit" / "archive"


def _key_path(settings: Settings) -> Path:
    env = os.environ.get("ZHIGUO_AUDIT_KEY_FILE")
    raw = env or settings.audit.key_file
    return Path(raw) if raw else settings.workspace / "keys" / "audit-sm2.key"


def signing_key(settings: Settings) -> SM2KeyPair:
    """The workspace's audit signing key, created (0600) on first use."""
    path = _key_path(settings)
    try:
        return SM2KeyPair.load_or_create(path)
    except (ZhiguoError, OSError) as exc:
        raise AuditKeyMissing(
            f"审计签名密钥不可用：{path}（{exc}）", f"Audit signing key unusable: {path} ({exc})"
        ) from exc


def key_id(public_key: SM2PublicKey) -> str:
    """First 16 hex digits of SM3 over the uncompressed public key."""
    return sm3(public_key.to_bytes()).hex()[:16]


def write_json_atomic(path: Path, doc: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class TreeHead:
    """A signed statement: "the log had ``tree_size`` records with this Merkle root"."""

    tree_size: int
    root: str
    last_hash: str
    timestamp: str
    key_id: str
    algorithm: str = ALGORITHM
    signature: str = ""

    def signed_bytes(self) -> bytes:
        doc = {k: v for k, v in asdict(self).items() if k != "signature"}
        return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode("utf-8")

    @classmethod
    def create(
        cls, *, tree_size: int, root: bytes, last_hash: str, key: SM2KeyPair, tz: str
    ) -> TreeHead:
        unsigned = cls(
            tree_size=tree_size,
            root=root.hex(),
            last_hash=last_hash,
            timestamp=datetime.now(UTC).astimezone(ZoneInfo(tz)).isoformat(timespec="seconds"),
            key_id=key_id(key.public_key),
        )
        signature = sm2_sign(key, unsigned.signed_bytes()).hex()
        return cls(**{**asdict(unsigned), "signature": signature})

    def signature_ok(self, public_key: SM2PublicKey) -> bool:
        try:
            raw = bytes.fromhex(self.signature)
        except ValueError:
            return False
        return (
            self.algorithm == ALGORITHM
            and self.key_id == key_id(public_key)
            and sm2_verify(public_key, self.signed_bytes(), raw)
        )

    def write(self, directory: Path) -> Path:
        path = directory / f"{self.tree_size}.json"
        write_json_atomic(path, asdict(self))
        return path

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> TreeHead:
        return cls(
            tree_size=int(doc["tree_size"]),
            root=str(doc["root"]),
            last_hash=str(doc["last_hash"]),
            timestamp=str(doc["timestamp"]),
            key_id=str(doc["key_id"]),
            algorithm=str(doc["algorithm"]),
            signature=str(doc["signature"]),
        )


def load_heads(directory: Path) -> tuple[list[TreeHead], list[tuple[str, str]]]:
    """Every head in ``directory`` ordered by size, and ``(file, problem)`` for unreadable ones
    (a head file named for one size but holding another counts as unreadable)."""
    heads: list[TreeHead] = []
    bad: list[tuple[str, str]] = []
    if not directory.is_dir():
        return heads, bad
    for path in directory.glob("*.json"):
        if not path.stem.isdigit():
            continue
        try:
            head = TreeHead.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            bad.append((path.name, f"{type(exc).__name__}: {exc}"))
            continue
        if head.tree_size != int(path.stem):
            bad.append((path.name, f"tree_size {head.tree_size} ≠ file name"))
            continue
        heads.append(head)
    heads.sort(key=lambda h: h.tree_size)
    return heads, bad
