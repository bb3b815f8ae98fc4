"""Audit API (安全审计): browse, export and verify the audit log — audit administrator only.

三员分立: the system administrator, security administrator and platform operator get 403
here like everyone else who is not ``audit-admin``. Exports are audited (``audit.export``)
and committed before the first byte is sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from zhiguo.core.access import Principal, Role
from zhiguo.security import RequestInfo
from zhiguo.security.audit import (
    AuditFilter,
    export_lines,
    list_records,
    record_event,
    verify_log,
)

from ..deps import PrincipalDep, RequestInfoDep, SessionDep, SettingsDep
from ..policy import roles

__all__ = ["audit_filter", "audit_request", "router"]

# Policy (web.policy): only the audit administrator (三员分立).
router = APIRouter(prefix="/api/audit", tags=["audit"], dependencies=[roles(Role.AUDIT_ADMIN)])

_EVENT = r"^[a-z0-9_.]{0,64}$"
_RESULT = r"^(success|failure|denied)?$"

Since = Annotated[datetime | None, Query(description="起始时间（含）/ from (ISO 8601)")]
Until = Annotated[datetime | None, Query(description="截止时间（不含）/ until (ISO 8601)")]
User = Annotated[str | None, Query(max_length=64, description="用户名 / username")]
Event = Annotated[
    str | None, Query(pattern=_EVENT, description="事件类型；以 . 结尾为前缀 / type or prefix.")
]
Result = Annotated[str | None, Query(pattern=_RESULT, description="success|failure|denied")]


def audit_filter(
    since: datetime | None,
    until: datetime | None,
    user: str | None,
    event_type: str | None,
    result: str | None,
) -> AuditFilter:
    return AuditFilter(
        since=since,
        until=until,
        username=user or None,
        event_type=event_type or None,
        result=result or None,
    )


@router.get("/records", summary="审计记录 / audit records")
def records(
    db: SessionDep,
    settings: SettingsDep,
    since: Since = None,
    until: Until = None,
    user: User = None,
    event_type: Event = None,
    result: Result = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> dict[str, Any]:
    """Filtered records, newest first; times carry the display zone's offset (+08:00)."""
    rows, total = list_records(
        session=db,
        filters=audit_filter(since, until, user, event_type, result),
        timezone=settings.audit.display_timezone,
        limit=limit,
        offset=offset,
    )
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "items": [r.as_dict() for r in rows],
    }


@router.get("/export", summary="导出审计记录 / export audit records")
def export(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    info: RequestInfoDep,
    format: Annotated[Literal["csv", "jsonl"], Query()] = "jsonl",
    since: Since = None,
    until: Until = None,
    user: User = None,
    event_type: Event = None,
    result: Result = None,
) -> StreamingResponse:
    """CSV or JSON Lines; the export itself is recorded as ``audit.export`` first."""
    filters = audit_filter(since, until, user, event_type, result)
    record_event(
        db,
        event_type="audit.export",
        principal=principal,
        object=f"audit_log.{format}",
        detail={
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
            "user": user,
            "event_type": event_type,
            "result": result,
        },
        client_addr=info.client_addr,
        request_id=info.request_id,
    )
    db.commit()  # audited before a byte leaves
    factory = request.app.state.sessionmaker

    def lines() -> Iterator[str]:
        with factory() as session:
            yield from export_lines(
                session=session,
                filters=filters,
                fmt=format,
                timezone=settings.audit.display_timezone,
            )

    media = "text/csv; charset=utf-8" if format == "csv" else "application/x-ndjson"
    name = f"audit-log.{format}"
    return StreamingResponse(
        lines(), media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/verify", summary="校验审计日志完整性 / verify the audit log")
def verify(
    request: Request,
    settings: SettingsDep,
    from_seq: Annotated[int | None, Query(ge=1, le=2**31 - 1, alias="from")] = None,
) -> dict[str, Any]:
    """Recompute every hash, link and signed tree head; ``ok`` false names the records."""
    return verify_log(request.app.state.engine, settings, from_seq=from_seq).as_dict()


def audit_request(
    db: Session,
    principal: Principal,
    info: RequestInfo,
    *,
    event_type: str,
    object: str,  # the agreed record_event name
    detail: dict[str, Any] | None = None,
) -> None:
    """``record_event`` with the request's address and id: the one line a route adds after
    the service call it audits (same transaction, so no change without its record)."""
    record_event(
        db,
        event_type=event_type,
        principal=principal,
        object=object,
        detail=detail,
        client_addr=info.client_addr,
        request_id=info.request_id,
    )
