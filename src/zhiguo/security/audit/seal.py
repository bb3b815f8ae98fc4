"""Writing signed tree heads: on demand (``zhiguo audit seal``) and automatically.

The Merkle frontier of the last head is cached in ``audit/heads/frontier.json``, so a new
head hashes only the records appended since — cheap enough to run after every N appends.
Automatic heads are written *after* the commit that crossed the threshold (a head must
never cover records that could still roll back), on a connection of their own.
"""

from __future__ import annotations

import fcntl
import json
import logging
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session

from zhiguo.core.settings import Settings

from . import chain
from .anchors import load_anchor
from .heads import TreeHead, archive_dir, heads_dir, signing_key, write_json_atomic
from .merkle import MerkleFrontier
from .models import GENESIS_HASH
from .verify import iter_rows

__all__ = ["enable_auto_seal", "seal"]

_log = logging.getLogger(__name__)
_FRONTIER = "frontier.json"


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / ".lock").open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _start(settings: Settings, directory: Path, anchor_seq: int) -> tuple[MerkleFrontier, str]:
    """The cached frontier if usable, else the archive anchor's, else empty."""
    cache = directory / _FRONTIER
    if cache.is_file():
        try:
            doc = json.loads(cache.read_text(encoding="utf-8"))
            frontier = MerkleFrontier.from_json(doc["frontier"])
            if frontier.size >= anchor_seq:
                return frontier, str(doc["last_hash"])
        except (OSError, ValueError, KeyError, TypeError):
            _log.warning("audit frontier cache unreadable; rebuilding it")
    if anchor_seq:
        anchor = load_anchor(archive_dir(settings), anchor_seq)
        return anchor.merkle(), anchor.last_hash
    return MerkleFrontier(), GENESIS_HASH


def seal(engine: Engine, settings: Settings) -> TreeHead | None:
    """Sign a head over every committed record; ``None`` if the latest is already sealed."""
    directory = heads_dir(settings)
    with _locked(directory):
        with engine.connect() as conn:
            row = conn.execute(text("SELECT seq, anchor_seq FROM audit_head WHERE id = 1")).one()
        size, anchor_seq = int(row[0]), int(row[1])
        frontier, last_hash = _start(settings, directory, anchor_seq)
        if size == 0 or (frontier.size == size and (directory / f"{size}.json").exists()):
            return None
        if frontier.size > size:  # the cache is ahead of the database: trust neither, rebuild
            frontier, last_hash = MerkleFrontier(), GENESIS_HASH
            if anchor_seq:
                anchor = load_anchor(archive_dir(settings), anchor_seq)
                frontier, last_hash = anchor.merkle(), anchor.last_hash
        fromhex = bytes.fromhex
        for r in iter_rows(engine, frontier.size, size):
            frontier.append(fromhex(r[-1]))
            last_hash = r[-1]
        if frontier.size != size:
            return None  # records missing: verify reports it; do not sign a short tree
        key = signing_key(settings)
        head = TreeHead.create(
            tree_size=size,
            root=frontier.root(),
            last_hash=last_hash,
            key=key,
            tz=settings.audit.display_timezone,
        )
        head.write(directory)
        write_json_atomic(
            directory / _FRONTIER, {"frontier": frontier.to_json(), "last_hash": last_hash}
        )
        return head


@dataclass
class _AutoSeal:
    settings: Settings
    last: float


_auto: weakref.WeakKeyDictionary[Engine, _AutoSeal] = weakref.WeakKeyDictionary()
_PENDING = "zhiguo.audit.seal_pending"


def enable_auto_seal(engine: Engine, settings: Settings) -> None:
    """Write a head after every ``audit.tree_head_every`` records (and when the last is older
    than ``audit.tree_head_minutes``) appended through sessions bound to ``engine``."""
    _auto[engine] = _AutoSeal(settings, time.monotonic())


def _after_append(session: Session, first: int, last: int) -> None:
    engine = session.get_bind().engine
    auto = _auto.get(engine)
    if auto is None or session.info.get(_PENDING):
        return
    every = auto.settings.audit.tree_head_every
    minutes = auto.settings.audit.tree_head_minutes
    crossed = last // every > (first - 1) // every
    stale = bool(minutes) and time.monotonic() - auto.last >= minutes * 60
    if not (crossed or stale):
        return
    session.info[_PENDING] = True

    def _seal(_session: Session) -> None:
        session.info.pop(_PENDING, None)
        auto.last = time.monotonic()
        try:
            seal(engine, auto.settings)
        except Exception:  # the action is committed; a missed head is written by the next
            _log.exception("automatic audit tree head failed")

    def _forget(_session: Session, _previous: object) -> None:
        session.info.pop(_PENDING, None)

    event.listen(session, "after_commit", _seal, once=True)
    event.listen(session, "after_soft_rollback", _forget, once=True)


chain._after_append.append(_after_append)
