"""Retention pruning: the one sanctioned way records leave ``audit_log``.

Records older than ``audit.retention_days`` (at least 180 — 网络安全法 第二十一条 asks for
six months) are written to a JSONL archive with a signed anchor manifest first; then, in
one transaction, a permit row lets the delete trigger pass for exactly those ``seq``, the
rows go, the permit goes, and ``audit_head`` records the new anchor. The pruning itself is
audited (``audit.prune``) in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, func, select, text
from sqlalchemy.orm import Session

from zhiguo.core.access import Principal
from zhiguo.core.settings import Settings

from .anchors import Anchor, load_anchor
from .chain import COLUMNS, record_event, record_hash
from .errors import AuditTampered, RetentionTooShort
from .heads import archive_dir, signing_key
from .merkle import MerkleFrontier
from .models import GENESIS_HASH, AuditRecord
from .verify import at_text, iter_rows

__all__ = ["PruneResult", "prune"]

MIN_RETENTION_DAYS = 180


@dataclass(frozen=True)
class PruneResult:
    pruned: int
    up_to_seq: int
    archive: Path | None


def prune(
    session: Session,
    settings: Settings,
    *,
    principal: Principal | None = None,
    retention_days: int | None = None,
    now: datetime | None = None,
) -> PruneResult:
    """Archive and delete records older than the retention period (caller commits)."""
    days = settings.audit.retention_days if retention_days is None else retention_days
    if days < MIN_RETENTION_DAYS:
        raise RetentionTooShort(
            f"审计日志保存期不得少于 {MIN_RETENTION_DAYS} 天（请求 {days} 天）",
            f"Audit records must be kept at least {MIN_RETENTION_DAYS} days (asked {days})",
        )
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    head = session.execute(
        text("SELECT seq, anchor_seq, anchor_hash FROM audit_head WHERE id = 1")
    ).one()
    anchor_seq, anchor_hash = int(head[1]), str(head[2])
    first_kept = session.execute(
        select(func.min(AuditRecord.seq)).where(AuditRecord.at >= cutoff)
    ).scalar()
    up_to = (int(first_kept) - 1) if first_kept is not None else int(head[0])
    if up_to <= anchor_seq:
        return PruneResult(0, anchor_seq, None)

    engine: Engine = session.get_bind().engine
    directory = archive_dir(settings)
    frontier = load_anchor(directory, anchor_seq).merkle() if anchor_seq else MerkleFrontier()
    archive = directory / f"{anchor_seq + 1}-{up_to}.jsonl"
    directory.mkdir(parents=True, exist_ok=True)
    digest = hashlib.new("sm3")
    prev = anchor_hash or GENESIS_HASH
    with archive.open("w", encoding="utf-8") as fh:
        for row in iter_rows(engine, anchor_seq, up_to):
            doc = dict(zip(COLUMNS, row, strict=True))
            doc["at"] = at_text(row[1])
            if doc["prev_hash"] != prev or record_hash(doc) != doc["hash"]:
                archive.unlink()
                raise AuditTampered(
                    f"第 {doc['seq']} 条审计记录校验失败，拒绝归档；请先运行 zhiguo audit verify",
                    f"Audit record seq {doc['seq']} fails its check; not archiving. "
                    "Run zhiguo audit verify",
                )
            prev = doc["hash"]
            frontier.append(bytes.fromhex(prev))
            line = json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"
            digest.update(line.encode("utf-8"))
            fh.write(line)
    anchor = Anchor(
        up_to_seq=up_to,
        last_hash=prev,
        frontier=frontier.to_json(),
        archive_file=archive.name,
        archive_sm3=digest.hexdigest(),
    ).signed(signing_key(settings))
    anchor.write(directory)

    session.execute(
        text("INSERT INTO audit_prune_permit (id, up_to_seq) VALUES (1, :s)"), {"s": up_to}
    )
    result = session.execute(text("DELETE FROM audit_log WHERE seq <= :s"), {"s": up_to})
    deleted = cast(CursorResult[Any], result).rowcount
    session.execute(text("DELETE FROM audit_prune_permit WHERE id = 1"))
    session.execute(
        text("UPDATE audit_head SET anchor_seq = :s, anchor_hash = :h WHERE id = 1"),
        {"s": up_to, "h": prev},
    )
    record_event(
        session,
        event_type="audit.prune",
        principal=principal,
        object=archive.name,
        detail={"up_to_seq": up_to, "records": deleted, "retention_days": days},
    )
    return PruneResult(int(deleted or 0), up_to, archive)
