"""Integrity of classification labels (安全标记完整性, GB/T 22239-2019 §8.1.4).

Each ``catalog_datasets`` row carries ``label_mac`` = HMAC-SM3(key, canonical labels), the
labels being the dataset name, its effective classification and every field's
classification and personal-information type. A database edit that downgrades a label (or
removes a field's personal-information type) no longer verifies: the access decision then
denies (:class:`~zhiguo.security.classification.LabelsTampered`) and ``zhiguo catalog
verify-labels`` names the dataset.

The key is ``<workspace>/keys/label-hmac.key`` (32 random bytes, hex, mode 0600, created on
first use) or the environment variable ``ZHIGUO_LABEL_KEY`` (hex).

Which label decides: the in-code declaration and the verified catalog row are combined with
就高从严 (the higher wins), so an edited row can never lower a level, and a tampered row
denies outright.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiguo.core.access import Classification
from zhiguo.core.errors import ConfigError
from zhiguo.datacenter.catalog.models import DatasetEntry
from zhiguo.datacenter.catalog.schemas import DatasetSpec

__all__ = [
    "LABEL_KEY_ENV",
    "LABEL_KEY_FILE",
    "LabelCheck",
    "canonical_labels",
    "check_row",
    "label_key",
    "labels_of_row",
    "labels_of_spec",
    "mac_labels",
    "verify_labels",
]

LABEL_KEY_ENV = "ZHIGUO_LABEL_KEY"
LABEL_KEY_FILE = "label-hmac.key"

Fields = tuple[tuple[str, str, str | None], ...]
"""(column, classification, personal-information type) per field, in declaration order."""


def _hmac_sm3(key: bytes, message: bytes) -> bytes:
    try:
        from zhiguo.core.crypto import hmac_sm3
    except ImportError:  # pragma: no cover - until core.crypto exports it
        return hmac.new(key, message, "sm3").digest()
    return hmac_sm3(key, message)


def label_key(keys_dir: Path | None) -> bytes:
    """The label HMAC key: ``ZHIGUO_LABEL_KEY`` (hex), else ``keys_dir/label-hmac.key``
    (created, 0600, if missing)."""
    env = os.environ.get(LABEL_KEY_ENV)
    if env:
        try:
            return bytes.fromhex(env.strip())
        except ValueError:
            raise ConfigError(
                f"环境变量 {LABEL_KEY_ENV} 应为十六进制密钥",
                f"{LABEL_KEY_ENV} must be a hex-encoded key",
            ) from None
    if keys_dir is None:
        raise ConfigError(
            f"没有密级标记密钥（{LABEL_KEY_ENV} 或 keys/{LABEL_KEY_FILE}）",
            f"No label key ({LABEL_KEY_ENV} or keys/{LABEL_KEY_FILE})",
        )
    path = keys_dir / LABEL_KEY_FILE
    if not path.exists():
        keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text(encoding="ascii").strip())


def labels_of_spec(spec: DatasetSpec) -> tuple[Classification, Fields]:
    """The labels an in-code declaration gives."""
    fields = tuple(
        (c.name, c.classification.value, c.personal_info.value if c.personal_info else None)
        for c in spec.columns
    )
    return spec.effective_classification, fields


def labels_of_row(row: DatasetEntry) -> tuple[str, Fields]:
    """The labels a catalog row holds (its level column and its stored declaration)."""
    doc: dict[str, Any] = json.loads(row.spec_json or "{}")
    fields = tuple(
        (
            str(c.get("name")),
            str(c.get("classification", "general")),
            c.get("personal_info"),
        )
        for c in doc.get("columns", [])
    )
    return row.classification, fields


def canonical_labels(name: str, classification: str, fields: Fields) -> bytes:
    """Deterministic bytes over what the MAC protects (compact, sorted-key JSON)."""
    doc = {"name": name, "classification": str(classification), "fields": [list(f) for f in fields]}
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def mac_labels(key: bytes, name: str, classification: str, fields: Fields) -> str:
    """HMAC-SM3 (GB/T 32905 SM3 in RFC 2104 HMAC) over the canonical labels, hex."""
    return _hmac_sm3(key, canonical_labels(name, classification, fields)).hex()


@dataclass(frozen=True)
class LabelCheck:
    """One dataset's verdict: ``ok``, and if not, why (``missing_mac``, ``mac_mismatch``)."""

    name: str
    ok: bool
    reason: str
    level: Classification | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.name,
            "ok": self.ok,
            "reason": self.reason,
            "classification": self.level.value if self.level else None,
        }


def check_row(key: bytes, row: DatasetEntry) -> LabelCheck:
    """Verify one catalog row's labels against its MAC (constant-time comparison)."""
    level, fields = labels_of_row(row)
    try:
        parsed: Classification | None = Classification(level)
    except ValueError:
        parsed = None
    if not row.label_mac:
        return LabelCheck(row.name, False, "missing_mac", parsed)
    expected = mac_labels(key, row.name, level, fields)
    if not hmac.compare_digest(expected, row.label_mac) or parsed is None:
        return LabelCheck(row.name, False, "mac_mismatch", parsed)
    return LabelCheck(row.name, True, "", parsed)


def verify_labels(session: Session, key: bytes) -> list[LabelCheck]:
    """Every catalog row checked (``zhiguo catalog verify-labels``)."""
    rows = session.scalars(select(DatasetEntry).order_by(DatasetEntry.name))
    return [check_row(key, row) for row in rows]
