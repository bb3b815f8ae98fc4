"""Security alerts (入侵防范) for the security administrator: brute force and access probes.

三员分立: the security administrator watches for attacks and adjusts policy; the audit log
itself stays the audit administrator's (``/api/audit``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from zhiguo.core.access import Role
from zhiguo.security.intrusion import list_alerts

from ..deps import SessionDep
from ..policy import roles

__all__ = ["router"]

router = APIRouter(
    prefix="/api/security", tags=["security"], dependencies=[roles(Role.SECURITY_ADMIN)]
)


@router.get("/alerts")
def security_alerts(
    db: SessionDep,
    since: Annotated[datetime | None, Query(description="起始时间 / from (ISO 8601)")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    """Recent security alerts, newest first: ``brute_force`` (account or address lockouts)
    and ``access_probe`` (a run of denied requests by one user or address)."""
    return [
        {
            "seq": a.seq,
            "at": a.at,
            "kind": a.kind,
            "subject": a.subject,
            "username": a.username,
            "client_addr": a.client_addr,
            "detail": a.detail,
        }
        for a in list_alerts(session=db, since=since, limit=limit)
    ]
