"""Intrusion prevention (入侵防范): alerts on brute force and on probing other tenants.

GB/T 22239-2019 §8.1.4 asks the application to notice attacks, not only to refuse them.
Two signals are derived from the audit log itself, so there is one record of what happened
and nothing extra to keep in step:

- **denied requests**: every request of a logged-in caller that is refused for lack of
  permission (403) or answered "not found" for an object outside the caller's scope (404)
  is audited as ``access.denied``. When one user — or one client address — collects
  ``threshold`` of them within ``window``, a ``security.alert`` (kind ``access_probe``) is
  recorded once for that window: many 404s across enterprise codes is what enumerating other
  groups' data looks like (OWASP API1 BOLA).
- **brute force**: an account or address lockout (``auth.lockout``) raises a
  ``security.alert`` of kind ``brute_force``.

The security administrator lists the alerts (:func:`list_alerts`); the audit administrator
sees them in the log like every other event.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from zhiguo.core.access import Principal

from .audit import AuditRecord, record_event
from .errors import AdminAddressRefused

__all__ = [
    "SecurityAlert",
    "check_admin_address",
    "list_alerts",
    "note_denied",
    "raise_alert",
]

ALERT_EVENT = "security.alert"
DENIED_EVENT = "access.denied"


def _now() -> datetime:
    return datetime.now(UTC)


def raise_alert(
    session: Session,
    *,
    kind: str,
    principal: Principal | None = None,
    subject: str,
    detail: dict[str, Any] | None = None,
    client_addr: str = "",
    request_id: str = "",
) -> None:
    """Record a ``security.alert`` of ``kind`` about ``subject`` (a user or an address)."""
    record_event(
        session,
        event_type=ALERT_EVENT,
        result="failure",
        principal=principal,
        object=subject,
        detail={"kind": kind, **(detail or {})},
        client_addr=client_addr,
        request_id=request_id,
    )


def _recent(session: Session, event_type: str, since: datetime, *conditions: Any) -> int:
    stmt = (
        select(func.count())
        .select_from(AuditRecord)
        .where(AuditRecord.event_type == event_type, AuditRecord.at >= since, *conditions)
    )
    return int(session.execute(stmt).scalar() or 0)


def note_denied(
    session: Session,
    *,
    principal: Principal | None,
    client_addr: str,
    method: str,
    path: str,
    status: int,
    request_id: str = "",
    threshold: int = 20,
    window_minutes: int = 10,
) -> bool:
    """Audit one denied request; raise an ``access_probe`` alert when a user or an address
    reaches ``threshold`` denials within the window (once per window). Returns whether an
    alert was raised. Runs in its own unit of work: the request's own one rolls back."""
    since = _now() - timedelta(minutes=window_minutes)
    already = request_id and _recent(
        session, DENIED_EVENT, since, AuditRecord.request_id == request_id
    )  # the data layer may have audited this request's denial already
    if not already:
        record_event(
            session,
            event_type=DENIED_EVENT,
            result="denied",
            principal=principal,
            object=f"{method} {path}"[:500],
            detail={"status": status},
            client_addr=client_addr,
            request_id=request_id,
        )
    subjects = []
    if principal is not None:
        subjects.append((f"user:{principal.username}", AuditRecord.username == principal.username))
    if client_addr:
        subjects.append((f"addr:{client_addr}", AuditRecord.client_addr == client_addr))
    raised = False
    for subject, condition in subjects:
        if _recent(session, DENIED_EVENT, since, condition) < threshold:
            continue
        if _recent(session, ALERT_EVENT, since, AuditRecord.object == subject):
            continue  # already raised in this window
        raise_alert(
            session,
            kind="access_probe",
            principal=principal,
            subject=subject,
            detail={"denied": threshold, "window_minutes": window_minutes},
            client_addr=client_addr,
            request_id=request_id,
        )
        raised = True
    return raised


def check_admin_address(principal: Principal, client_addr: str, networks: Sequence[str]) -> None:
    """Refuse an administrator (the 三员 and the platform operator) outside ``networks``
    (CIDR ranges); an empty list allows any address. Applied at login and on every request,
    so a session taken elsewhere is useless too."""
    if not networks or not principal.role.is_administrator:
        return
    try:
        address = ipaddress.ip_address(client_addr)
    except ValueError:
        raise AdminAddressRefused() from None
    if not any(address in ipaddress.ip_network(n, strict=False) for n in networks):
        raise AdminAddressRefused()


@dataclass(frozen=True)
class SecurityAlert:
    """One alert as the security administrator sees it (UTC time)."""

    seq: int
    at: str
    kind: str
    subject: str
    username: str
    client_addr: str
    detail: dict[str, Any]


def list_alerts(
    *, session: Session, since: datetime | None = None, limit: int = 200
) -> list[SecurityAlert]:
    """Alerts newest first (brute force from lockouts, access probes from denials)."""
    stmt = select(AuditRecord).where(
        or_(AuditRecord.event_type == ALERT_EVENT, AuditRecord.event_type == "auth.lockout")
    )
    if since is not None:
        stmt = stmt.where(AuditRecord.at >= since)
    out = []
    for rec in session.scalars(stmt.order_by(AuditRecord.seq.desc()).limit(limit)):
        detail = json.loads(rec.detail or "{}")
        at = rec.at if rec.at.tzinfo else rec.at.replace(tzinfo=UTC)
        out.append(
            SecurityAlert(
                seq=rec.seq,
                at=at.isoformat(timespec="seconds"),
                kind=str(detail.get("kind", "brute_force")),
                subject=rec.object,
                username=rec.username,
                client_addr=rec.client_addr,
                detail=detail,
            )
        )
    return out
