"""Reading the audit log: filtered pages for the audit administrator, and exports.

Reading is itself an audit administrator's act; exports are audited as ``audit.export``
by the caller (CLI or API) in the same transaction that streams them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from zhiguo.core.access import Principal, Role

from .chain import COLUMNS
from .errors import AuditAccessDenied
from .models import AuditRecord

__all__ = [
    "EXPORT_FIELDS",
    "AuditFilter",
    "AuditRow",
    "export_lines",
    "list_records",
    "require_audit_admin",
]

EXPORT_FIELDS = COLUMNS  # exported as stored, in canonical order


def require_audit_admin(principal: Principal) -> Principal:
    """三员分立: the audit administrator alone reads the audit log (GB/T 22239-2019)."""
    if principal.role != Role.AUDIT_ADMIN:
        raise AuditAccessDenied()
    return principal


@dataclass(frozen=True)
class AuditFilter:
    """Which records: time range (``since`` inclusive, ``until`` exclusive), seq range,
    user, event type (exact, or a prefix ending in ``.``), result."""

    since: datetime | None = None
    until: datetime | None = None
    from_seq: int | None = None
    to_seq: int | None = None
    username: str | None = None
    event_type: str | None = None
    result: str | None = None

    def apply(self, stmt: Select[Any]) -> Select[Any]:
        r = AuditRecord
        if self.since is not None:
            stmt = stmt.where(r.at >= _utc(self.since))
        if self.until is not None:
            stmt = stmt.where(r.at < _utc(self.until))
        if self.from_seq is not None:
            stmt = stmt.where(r.seq >= self.from_seq)
        if self.to_seq is not None:
            stmt = stmt.where(r.seq <= self.to_seq)
        if self.username:
            stmt = stmt.where(r.username == self.username)
        if self.event_type:
            if self.event_type.endswith("."):
                stmt = stmt.where(r.event_type.startswith(self.event_type, autoescape=True))
            else:
                stmt = stmt.where(r.event_type == self.event_type)
        if self.result:
            stmt = stmt.where(r.result == self.result)
        return stmt


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


@dataclass(frozen=True)
class AuditRow:
    """A record as shown and exported: time in the display zone with its offset."""

    seq: int
    at: str
    user_id: int | None
    username: str
    org: str
    client_addr: str
    event_type: str
    object: str
    result: str
    request_id: str
    detail: str
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, rec: AuditRecord, tz: ZoneInfo) -> AuditRow:
        return cls(
            seq=rec.seq,
            at=_utc(rec.at).astimezone(tz).isoformat(timespec="microseconds"),
            user_id=rec.user_id,
            username=rec.username,
            org=rec.org,
            client_addr=rec.client_addr,
            event_type=rec.event_type,
            object=rec.object,
            result=rec.result,
            request_id=rec.request_id,
            detail=rec.detail,
            prev_hash=rec.prev_hash,
            hash=rec.hash,
        )

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in EXPORT_FIELDS}


def list_records(
    *,
    session: Session,
    filters: AuditFilter,
    timezone: str = "Asia/Shanghai",
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[AuditRow], int]:
    """One page, newest first, and the number of records matching."""
    tz = ZoneInfo(timezone)
    total = session.execute(filters.apply(select(func.count()).select_from(AuditRecord))).scalar()
    stmt = filters.apply(select(AuditRecord)).order_by(AuditRecord.seq.desc())
    rows = session.execute(stmt.limit(limit).offset(offset)).scalars()
    return [AuditRow.of(r, tz) for r in rows], int(total or 0)


def export_lines(
    *,
    session: Session,
    filters: AuditFilter,
    fmt: Literal["csv", "jsonl"],
    timezone: str = "Asia/Shanghai",
) -> Iterator[str]:
    """The matching records, oldest first, as CSV (with header) or JSON Lines."""
    tz = ZoneInfo(timezone)
    stmt = filters.apply(select(AuditRecord)).order_by(AuditRecord.seq)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(EXPORT_FIELDS)
        yield buf.getvalue()
    for rec in session.execute(stmt.execution_options(yield_per=5000)).scalars():
        row = AuditRow.of(rec, tz).as_dict()
        if fmt == "jsonl":
            yield json.dumps(row, ensure_ascii=False) + "\n"
        else:
            buf.seek(0)
            buf.truncate()
            writer.writerow(["" if v is None else v for v in row.values()])
            yield buf.getvalue()
