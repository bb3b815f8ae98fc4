"""Keeping every received file: stored by SHA-256 under ``inbox/`` before anything else
happens to it, with a JSON sidecar saying who sent it, when, under which name, and — once
known — what became of it. Nothing that arrives is ever lost, accepted or not.

The data-centre issue builds the full inbox (idempotent re-uploads, quarantine, lineage) on
this layout: ``inbox/<area>/<sha256><suffix>`` plus ``<sha256>.json``.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["Received", "keep_file", "keep_path", "record_outcome"]


@dataclass(frozen=True)
class Received:
    path: Path
    sha256: str
    original_name: str
    already_known: bool


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _settle(
    folder: Path, digest: str, name: str, sender: str, size: int, part: Path | None
) -> Received:
    """Put a fully written, fsynced ``part`` file in place as ``<sha256><suffix>`` (or drop it
    when that content is already kept) and note the arrival in the JSON sidecar."""
    target = folder / f"{digest}{Path(name).suffix.lower()[:10]}"
    known = target.exists()
    if part is not None:
        if known:
            part.unlink()
        else:
            os.replace(part, target)
    meta_path = folder / f"{digest}.json"
    meta: dict[str, Any] = (
        json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    )
    meta.setdefault("sha256", digest)
    meta.setdefault("arrivals", []).append(
        {"name": name, "sender": sender, "at": datetime.now(UTC).isoformat(), "bytes": size}
    )
    _write_atomic(meta_path, json.dumps(meta, ensure_ascii=False, indent=2))
    return Received(path=target, sha256=digest, original_name=name, already_known=known)


def keep_file(inbox: Path, area: str, name: str, data: bytes, *, sender: str) -> Received:
    """Store ``data`` durably (fsync) as ``inbox/area/<sha256><suffix>`` and note its arrival."""
    digest = hashlib.sha256(data).hexdigest()
    folder = inbox / area
    folder.mkdir(parents=True, exist_ok=True)
    part = None
    if not (folder / f"{digest}{Path(name).suffix.lower()[:10]}").exists():
        part = folder / f".incoming-{os.getpid()}-{digest}.part"
        with part.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    return _settle(folder, digest, name, sender, len(data), part)


def record_outcome(received: Received, outcome: dict[str, Any]) -> None:
    """Append what processing concluded (accepted / rejected with the problems)."""
    meta_path = received.path.with_name(f"{received.sha256}.json")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta.setdefault("outcomes", []).append({"at": datetime.now(UTC).isoformat(), **outcome})
    _write_atomic(meta_path, json.dumps(meta, ensure_ascii=False, indent=2, default=str))


def keep_path(inbox: Path, area: str, source: Path, *, name: str, sender: str) -> Received:
    """Like :func:`keep_file` for a file on disk, copied in 1 MiB chunks while hashing, so
    even a 2 GB upload is kept without ever being held in memory."""
    folder = inbox / area
    folder.mkdir(parents=True, exist_ok=True)
    hasher = hashlib.sha256()
    tmp = folder / f".incoming-{os.getpid()}-{id(source)}.part"
    size = 0
    with source.open("rb") as src, tmp.open("wb") as dst:
        while chunk := src.read(1 << 20):
            hasher.update(chunk)
            dst.write(chunk)
            size += len(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    return _settle(folder, hasher.hexdigest(), name, sender, size, tmp)
