"""Appending to the hash chain: canonical form, SM3 record hashes, the locked chain tip.

Each record's ``hash`` is SM3 (GB/T 32905-2016) over a canonical JSON array of all its
fields, ``seq`` and ``prev_hash`` included; ``prev_hash`` is the previous record's hash
(64 zeros for the first). Appends run in the caller's transaction and first lock the
one-row ``audit_head`` (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite a no-op
``UPDATE … RETURNING`` takes the database write lock), so concurrent writers form one
gapless line, and an audit write that fails takes the business change down with it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from zhiguo.core.access import Principal
from zhiguo.core.crypto import sm3_hex
from zhiguo.registry.models import Enterprise

from .errors import AuditWriteFailed, InvalidAuditEvent
from .models import AuditRecord

__all__ = [
    "COLUMNS",
    "RESULTS",
    "AuditEvent",
    "canonical_bytes",
    "canonical_detail",
    "canonical_time",
    "canonical_values",
    "record_event",
    "record_events",
    "record_hash",
]

RESULTS = frozenset({"success", "failure", "denied"})
_EVENT_TYPE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
_FORMAT = "zg-audit-v1"  # first element of the canonical array: lets the format evolve
_TABLE = cast(Table, AuditRecord.__table__)

# Called after a commit that appended records (``seal.py`` hooks automatic tree heads in).
AfterAppend = Callable[[Session, int, int], None]
_after_append: list[AfterAppend] = []


_sm3_hex = sm3_hex  # GB/T 32905-2016


def canonical_time(at: datetime) -> str:
    """UTC with microseconds and ``Z``; naive values (SQLite) are UTC already."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds") + "Z"


def canonical_detail(detail: Mapping[str, Any] | None) -> str:
    """Sorted keys, no spaces, UTF-8 as is: one text per meaning."""
    return json.dumps(
        dict(detail or {}), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

# The columns in canonical order; ``hash`` last (it is not hashed).
COLUMNS = (
    "seq",
    "at",
    "user_id",
    "username",
    "org",
    "client_addr",
    "event_type",
    "object",
    "result",
    "request_id",
    "detail",
    "prev_hash",
    "hash",
)


def canonical_bytes(row: Mapping[str, Any]) -> bytes:
    """The bytes a record's hash covers: every column but ``hash``, in a fixed order."""
    at = row["at"]
    return canonical_values(
        row["seq"],
        at if isinstance(at, str) else canonical_time(at),
        row["user_id"],
        row["username"],
        row["org"],
        row["client_addr"],
        row["event_type"],
        row["object"],
        row["result"],
        row["request_id"],
        row["detail"],
        row["prev_hash"],
    )


def canonical_values(*values: Any) -> bytes:
    """:func:`canonical_bytes` from the columns in order (``at`` already canonical text):
    the form the verifier's tight loop calls."""
    return _encode([_FORMAT, *values]).encode("utf-8")


def record_hash(row: Mapping[str, Any]) -> str:
    """SM3 of :func:`canonical_bytes`, as 64 hex digits."""
    return _sm3_hex(canonical_bytes(row))


@dataclass(frozen=True)
class AuditEvent:
    """One event for :func:`record_events` (the batch form of :func:`record_event`)."""

    event_type: str
    result: str = "success"
    principal: Principal | None = None
    object: str = ""
    detail: Mapping[str, Any] | None = None
    client_addr: str = ""
    request_id: str = ""
    at: datetime | None = None  # now, unless replaying (tests, benchmarks)


def record_event(
    session: Session,
    *,
    event_type: str,
    result: str = "success",
    principal: Principal | None = None,
    object: str = "",  # the agreed interface names it so
    detail: dict[str, Any] | None = None,
    client_addr: str = "",
    request_id: str = "",
) -> None:
    """Append one audit record in the caller's transaction (see the module docstring).

    Raises :class:`AuditWriteFailed` if the record cannot be written; the caller's unit of
    work then rolls back, so the audited action does not happen either.
    """
    record_events(
        session,
        [
            AuditEvent(
                event_type=event_type,
                result=result,
                principal=principal,
                object=object,
                detail=detail,
                client_addr=client_addr,
                request_id=request_id,
            )
        ],
    )


def _check(event: AuditEvent) -> None:
    if not _EVENT_TYPE.match(event.event_type) or len(event.event_type) > 64:
        raise InvalidAuditEvent(
            f"审计事件类型无效：{event.event_type!r}（应为小写点分形式，如 data.export）",
            f"Invalid audit event type {event.event_type!r} (dotted lower case, e.g. data.export)",
        )
    if event.result not in RESULTS:
        raise InvalidAuditEvent(
            f"审计结果无效：{event.result!r}（success|failure|denied）",
            f"Invalid audit result {event.result!r} (success|failure|denied)",
        )


def _orgs(session: Session, events: Sequence[AuditEvent]) -> dict[int, str]:
    ids = {e.principal.enterprise_id for e in events if e.principal and e.principal.enterprise_id}
    if not ids:
        return {}
    rows = session.execute(select(Enterprise.id, Enterprise.uscc).where(Enterprise.id.in_(ids)))
    return {int(i): str(u) for i, u in rows}


def _lock_head(session: Session) -> tuple[int, str]:
    if session.get_bind().dialect.name == "postgresql":
        row = session.execute(
            text("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE")
        ).one_or_none()
    else:  # SQLite: write first, so the read happens under the database write lock
        row = session.execute(
            text("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash")
        ).one_or_none()
    if row is None:
        raise AuditWriteFailed(
            "审计链头缺失（数据库未迁移到最新版本？）",
            "The audit chain head is missing (database not migrated?)",
        )
    return int(row[0]), str(row[1])


def record_events(session: Session, events: Iterable[AuditEvent]) -> None:
    """Append several records in one go: one lock, one multi-row insert (fast path for
    bulk work such as imports, and what the benchmark measures)."""
    batch = list(events)
    if not batch:
        return
    for event in batch:
        _check(event)
    try:
        orgs = _orgs(session, batch)
        seq, prev = _lock_head(session)
        first = seq + 1
        now = datetime.now(UTC)
        rows: list[dict[str, Any]] = []
        for event in batch:
            seq += 1
            p = event.principal
            at = (event.at or now).astimezone(UTC)
            row: dict[str, Any] = {
                "seq": seq,
                "at": at,
                "user_id": p.user_id if p else None,
                "username": p.username if p else "",
                "org": orgs.get(p.enterprise_id, "") if p and p.enterprise_id else "",
                "client_addr": event.client_addr[:64],
                "event_type": event.event_type,
                "object": event.object[:500],
                "result": event.result,
                "request_id": event.request_id[:64],
                "detail": canonical_detail(event.detail),
                "prev_hash": prev,
            }
            prev = row["hash"] = record_hash(row)
            rows.append(row)
        session.execute(insert(_TABLE), rows)
        session.execute(
            text("UPDATE audit_head SET seq = :seq, hash = :hash WHERE id = 1"),
            {"seq": seq, "hash": prev},
        )
    except AuditWriteFailed:
        raise
    except SQLAlchemyError as exc:
        raise AuditWriteFailed(
            f"审计记录写入失败，操作已取消：{type(exc).__name__}",
            f"The audit record could not be written; the action was cancelled: "
            f"{type(exc).__name__}",
        ) from exc
    for hook in _after_append:
        hook(session, first, seq)
