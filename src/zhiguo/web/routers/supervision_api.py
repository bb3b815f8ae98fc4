"""Supervision API (智慧监管): the indicator library, indicator values, the cockpit, an
enterprise's overview, alerts and the rectification loop, and the evaluation ranking.

Thin: parse, call one supervision service with the caller's scope, render. An alert outside
the caller's scope answers 404 like one that does not exist; an action the caller's role
does not take answers 403; one the alert's state does not allow, 409.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Body, File, Form, Query, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from zhiguo.core.access import Principal, Scope
from zhiguo.core.errors import TooLarge
from zhiguo.core.settings import Settings
from zhiguo.supervision.cockpit import (
    Cockpit,
    EnterpriseOverview,
    alert_inbox,
    attachment_file,
    cockpit,
    enterprise_overview,
)
from zhiguo.supervision.evaluation import EnterpriseEvaluation, evaluate
from zhiguo.supervision.indicators import (
    GROUPS,
    IndicatorSpec,
    add_definitions,
    load_library,
    parse_definitions,
    read_indicator_values,
)
from zhiguo.supervision.rectification import (
    DEFAULT_MAX_BYTES,
    AlertHistory,
    AlertView,
    AssignableUser,
    OverdueAlert,
    StepResult,
    assignable_users,
    available_actions,
    close,
    dismiss,
    dispatch,
    history,
    overdue,
    reopen,
    respond,
)

from ..deps import (
    PrincipalDep,
    RegulatorDep,
    RequestInfoDep,
    ScopeDep,
    SessionDep,
    SettingsDep,
)
from ..policy import AUTHENTICATED
from ..schemas import StrictModel
from .audit_api import audit_request

__all__ = [
    "IndicatorOut",
    "LibraryOut",
    "alert_detail_view",
    "alert_views",
    "attachment_max_bytes",
    "library_view",
    "read_uploads",
    "router",
    "today_in",
]

# Policy (web.policy): logged-in users; the data layer narrows what each sees.
router = APIRouter(prefix="/api/supervision", tags=["supervision"], dependencies=[AUTHENTICATED])

PeriodQuery = Annotated[
    str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="期间 YYYY-MM")
]
Severity = Annotated[str | None, Query(pattern=r"^(red|orange|yellow)$")]
Status = Annotated[str | None, Query(pattern=r"^(raised|dispatched|responded|closed|dismissed)$")]
AlertId = Annotated[int, PathParam(ge=1, le=2**31 - 1)]
Uscc = Annotated[str, PathParam(pattern=r"^[0-9A-Z]{18}$")]
Level = Annotated[str | None, Query(pattern=r"^(entity|group|subtree|portfolio)$")]


# ---------------------------------------------------------------- shared with the pages


def today_in(settings: Settings) -> date:
    """Today in the platform's local time zone (due dates are local calendar days)."""
    return datetime.now(UTC).astimezone(ZoneInfo(settings.ingest.timezone)).date()


def attachment_max_bytes(settings: Settings) -> int:
    """The per-file limit for rectification attachments: the upload limit, at most 20 MB."""
    return min(DEFAULT_MAX_BYTES, settings.ingest.max_file_mb * 1024 * 1024)


def read_uploads(
    uploads: list[tuple[UploadFile, str]], *, max_bytes: int
) -> list[tuple[str, bytes, str]]:
    """``(name, data, kind)`` for the service; a file past ``max_bytes`` is refused here
    without being held whole in memory (the service checks every other rule)."""
    out = []
    for upload, kind in uploads:
        if not upload.filename:
            continue  # an empty file input of a browser form
        data = upload.file.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise TooLarge(
                f"附件 {upload.filename} 超过 {max_bytes} 字节上限",
                f"Attachment {upload.filename} exceeds the limit of {max_bytes} bytes",
            )
        out.append((upload.filename, data, kind))
    return out


class IndicatorOut(BaseModel):
    code: str
    name_zh: str
    name_en: str
    group: str
    group_zh: str
    group_en: str
    unit: str
    direction: str
    period_basis: str
    aggregation: str
    calibers: dict[str, str]
    default_caliber: str
    from_year: int
    to_year: int | None
    description: str
    source: str  # builtin | file vN | api vN
    sets: list[str]


class SetOut(BaseModel):
    name: str
    name_zh: str
    name_en: str
    editions: list[dict[str, Any]]


class LibraryOut(BaseModel):
    version: str
    indicators: list[IndicatorOut]
    sets: list[SetOut]


def _indicator_out(spec: IndicatorSpec, source: str, sets: list[str]) -> IndicatorOut:
    zh, en = GROUPS.get(spec.group, (spec.group, spec.group))
    return IndicatorOut(
        **spec.model_dump(exclude={"formula"}),
        group_zh=zh,
        group_en=en,
        source=source,
        sets=sets,
    )


def library_view(session: Session) -> LibraryOut:
    """The library as the API and the library page show it (built-in plus analysts')."""
    library = load_library(session)
    member: dict[str, list[str]] = {}
    for name, iset in library.sets.items():
        for edition in iset.editions:
            for code in edition.indicators:
                if name not in member.setdefault(code, []):
                    member[code].append(name)
    return LibraryOut(
        version=library.version,
        indicators=[
            _indicator_out(s, library.sources.get(s.code, "builtin"), member.get(s.code, []))
            for s in library.specs.values()
        ],
        sets=[
            SetOut(
                name=name,
                name_zh=iset.name_zh,
                name_en=iset.name_en,
                editions=[e.model_dump() for e in iset.editions],
            )
            for name, iset in library.sets.items()
        ],
    )


class AlertPage(BaseModel):
    items: list[AlertView]
    total: int
    limit: int
    offset: int


def alert_views(
    session: Session,
    scope: Scope,
    *,
    period: str | None,
    status: str | None,
    severity: str | None,
    limit: int,
    offset: int,
) -> AlertPage:
    """A page of the caller's alerts, as the inbox shows them."""
    items, total = alert_inbox(
        session=session, scope=scope, period=period, status=status, severity=severity,
        limit=limit, offset=offset,
    )  # fmt: skip
    return AlertPage(items=items, total=total, limit=limit, offset=offset)


class AlertDetail(BaseModel):
    history: AlertHistory
    actions: list[str]  # what this caller may do now
    assignable: list[AssignableUser]  # for dispatching (regulators, raised alerts)


def alert_detail_view(
    session: Session, scope: Scope, principal: Principal, alert_id: int
) -> AlertDetail:
    found = history(session=session, alert_id=alert_id, scope=scope)
    actions = available_actions(alert=found.alert, principal=principal)
    assignable = (
        assignable_users(session=session, alert_id=alert_id, scope=scope)
        if "dispatch" in actions
        else []
    )
    return AlertDetail(history=found, actions=actions, assignable=assignable)


# ---------------------------------------------------------------- indicator library


@router.get("/indicators")
def indicators(db: SessionDep, principal: PrincipalDep) -> LibraryOut:
    """The indicator library: every definition (formulas per caliber, unit, direction,
    period basis, validity years, source and version) and the indicator sets by year."""
    del principal  # any signed-in caller may read definitions (no business data)
    return library_view(db)


@router.get("/indicators/{code}")
def indicator(
    code: Annotated[str, PathParam(pattern=r"^[a-z][a-z0-9_]{1,62}$")],
    db: SessionDep,
    principal: PrincipalDep,
) -> IndicatorOut:
    del principal
    library = load_library(db)
    spec = library.get(code)
    sets = [n for n, s in library.sets.items() if any(code in e.indicators for e in s.editions)]
    return _indicator_out(spec, library.sources.get(code, "builtin"), sets)


class AddedOut(BaseModel):
    added: list[dict[str, Any]]


@router.post("/indicators")
def add_indicators(
    db: SessionDep,
    principal: RegulatorDep,
    info: RequestInfoDep,
    body: Annotated[Any, Body(description='{"indicators": {code: {...}}} 或指标对象列表')],
) -> AddedOut:
    """Add or change indicator definitions (regulator roles): the whole library is checked
    with them in it; an unknown item, a cycle or a unit mismatch answers 422, nothing kept."""
    rows = add_definitions(
        session=db, specs=parse_definitions(body), source="api", actor=principal.username
    )
    added = [{"code": r.code, "version": r.version} for r in rows]
    audit_request(
        db, principal, info, event_type="policy.change", object="indicator-library",
        detail={"added": added, "source": "api"},
    )  # fmt: skip
    return AddedOut(added=added)


# ---------------------------------------------------------------- values, cockpit, enterprise


class ValuesOut(BaseModel):
    count: int
    limit: int
    rows: list[dict[str, Any]]


@router.get("/values")
def values(
    settings: SettingsDep,
    scope: ScopeDep,
    period: PeriodQuery = None,
    indicator: Annotated[list[str] | None, Query(max_length=50)] = None,
    level: Level = None,
    enterprise_id: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None,
    caliber: Annotated[str | None, Query(pattern=r"^[a-z][a-z0-9_]*$")] = None,
    version: Annotated[int | None, Query(ge=0, le=10**9)] = None,
    limit: Annotated[int, Query(ge=1, le=50_000)] = 5000,
) -> ValuesOut:
    """Indicator values the caller may see (the portfolio row only for whole-portfolio
    roles), filtered; ``version`` reads as of an earlier lake version."""
    table = read_indicator_values(
        lake_root=settings.workspace / "lake", engine_settings=settings.engine, scope=scope,
        period=period, indicators=indicator, level=level,
        enterprise_ids=None if enterprise_id is None else [enterprise_id],
        caliber=caliber, version=version,
    )  # fmt: skip
    rows = table.slice(0, limit).to_pylist()
    return ValuesOut(count=table.num_rows, limit=limit, rows=rows)


@router.get("/cockpit")
def cockpit_data(
    db: SessionDep, settings: SettingsDep, scope: ScopeDep, period: PeriodQuery = None
) -> Cockpit:
    """The cockpit: 一利五率 of the portfolio (or the caller's own group) with 13-month trends
    against the year before, the groups' values, the worst movers and alert counts."""
    return cockpit(
        session=db, lake_root=settings.workspace / "lake", engine_settings=settings.engine,
        scope=scope, period=period, today=today_in(settings),
    )  # fmt: skip


@router.get("/enterprises/{uscc}")
def enterprise_data(
    uscc: Uscc,
    db: SessionDep,
    settings: SettingsDep,
    scope: ScopeDep,
    period: PeriodQuery = None,
    level: Level = None,
) -> EnterpriseOverview:
    """One enterprise: headline indicators with trends, its place on the standard values,
    its subsidiaries' values and its alerts (404 outside the caller's scope)."""
    return enterprise_overview(
        session=db, lake_root=settings.workspace / "lake", engine_settings=settings.engine,
        scope=scope, uscc=uscc, period=period, level=level,
    )  # fmt: skip


@router.get("/evaluation")
def evaluation(
    db: SessionDep,
    settings: SettingsDep,
    scope: ScopeDep,
    period: Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")],
    supervision_class: Annotated[str | None, Query(pattern=r"^[a-z_0-9]+$")] = None,
    level: Annotated[str, Query(pattern=r"^(entity|group|subtree)$")] = "group",
) -> list[EnterpriseEvaluation]:
    """Scores, grades and ranks per supervision class of the enterprises the caller sees."""
    return evaluate(
        session=db, lake_root=settings.workspace / "lake", engine_settings=settings.engine,
        scope=scope, period=period, supervision_class=supervision_class, level=level,
    )  # fmt: skip


# ---------------------------------------------------------------- alerts


@router.get("/alerts")
def alerts(
    db: SessionDep,
    scope: ScopeDep,
    period: PeriodQuery = None,
    status: Status = None,
    severity: Severity = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> AlertPage:
    """The caller's alerts (an enterprise user: its own subtree's), gravest and newest first."""
    return alert_views(
        db, scope, period=period, status=status, severity=severity, limit=limit, offset=offset
    )


@router.get("/alerts/overdue")
def alerts_overdue(db: SessionDep, settings: SettingsDep, scope: ScopeDep) -> list[OverdueAlert]:
    """Dispatched alerts past their due date with no response since, most overdue first."""
    return overdue(session=db, scope=scope, today=today_in(settings))


@router.get("/alerts/{alert_id}")
def alert(
    alert_id: AlertId, db: SessionDep, scope: ScopeDep, principal: PrincipalDep
) -> AlertDetail:
    """An alert, its history (every step with who, when, why and attachments), the actions
    the caller may take and, for dispatching, the users it may go to."""
    return alert_detail_view(db, scope, principal, alert_id)


class DispatchIn(StrictModel):
    assignee_id: int = Field(ge=1)
    due_date: date
    instruction: str = Field(max_length=5000)


class NoteIn(StrictModel):
    note: str = Field(max_length=5000)


class ReasonIn(StrictModel):
    reason: str = Field(max_length=5000)


class ReopenIn(ReasonIn):
    due_date: date


@router.post("/alerts/{alert_id}/dispatch")
def alert_dispatch(
    alert_id: AlertId,
    body: DispatchIn,
    db: SessionDep,
    settings: SettingsDep,
    scope: ScopeDep,
    principal: PrincipalDep,
    info: RequestInfoDep,
) -> StepResult:
    """下发: to an enterprise user of the alert's enterprise or a parent, with a due date."""
    result = dispatch(
        session=db, alert_id=alert_id, principal=principal, scope=scope,
        assignee_id=body.assignee_id, due_date=body.due_date, instruction=body.instruction,
        today=today_in(settings),
    )  # fmt: skip
    audit_request(
        db, principal, info, event_type="data.change", object=f"alert/{alert_id}",
        detail={"action": "dispatch"},
    )  # fmt: skip
    return result


@router.post("/alerts/{alert_id}/respond")
def alert_respond(
    alert_id: AlertId,
    db: SessionDep,
    settings: SettingsDep,
    scope: ScopeDep,
    principal: PrincipalDep,
    info: RequestInfoDep,
    explanation: Annotated[str, Form(max_length=5000)],
    plan: Annotated[list[UploadFile] | None, File(description="整改方案")] = None,
    evidence: Annotated[list[UploadFile] | None, File(description="佐证材料")] = None,
) -> StepResult:
    """反馈: the enterprise's explanation with its plan and evidence files (multipart)."""
    limit = attachment_max_bytes(settings)
    files = [(f, "plan") for f in plan or []] + [(f, "evidence") for f in evidence or []]
    result = respond(
        session=db, inbox=settings.workspace / "inbox", alert_id=alert_id,
        principal=principal, scope=scope, explanation=explanation,
        attachments=read_uploads(files, max_bytes=limit), max_bytes=limit,
    )  # fmt: skip
    audit_request(
        db, principal, info, event_type="data.change", object=f"alert/{alert_id}",
        detail={"action": "respond"},
    )  # fmt: skip
    return result


@router.post("/alerts/{alert_id}/close")
def alert_close(
    alert_id: AlertId,
    body: NoteIn,
    db: SessionDep,
    scope: ScopeDep,
    principal: PrincipalDep,
    info: RequestInfoDep,
) -> StepResult:
    """核查销号: verified; the note says what was checked."""
    result = close(session=db, alert_id=alert_id, principal=principal, scope=scope, note=body.note)
    audit_request(
        db, principal, info, event_type="data.change", object=f"alert/{alert_id}",
        detail={"action": "close"},
    )  # fmt: skip
    return result


@router.post("/alerts/{alert_id}/reopen")
def alert_reopen(
    alert_id: AlertId,
    body: ReopenIn,
    db: SessionDep,
    settings: SettingsDep,
    scope: ScopeDep,
    principal: PrincipalDep,
    info: RequestInfoDep,
) -> StepResult:
    """退回重办: back to the assignee with a reason and a new due date."""
    result = reopen(
        session=db, alert_id=alert_id, principal=principal, scope=scope, reason=body.reason,
        due_date=body.due_date, today=today_in(settings),
    )  # fmt: skip
    audit_request(
        db, principal, info, event_type="data.change", object=f"alert/{alert_id}",
        detail={"action": "reopen"},
    )  # fmt: skip
    return result


@router.post("/alerts/{alert_id}/dismiss")
def alert_dismiss(
    alert_id: AlertId,
    body: ReasonIn,
    db: SessionDep,
    scope: ScopeDep,
    principal: PrincipalDep,
    info: RequestInfoDep,
) -> StepResult:
    """撤销: a false alarm, with the reason."""
    result = dismiss(
        session=db, alert_id=alert_id, principal=principal, scope=scope, reason=body.reason
    )
    audit_request(
        db, principal, info, event_type="data.change", object=f"alert/{alert_id}",
        detail={"action": "dismiss"},
    )  # fmt: skip
    return result


@router.get("/alerts/{alert_id}/attachments/{attachment_id}", response_class=FileResponse)
def alert_attachment(
    alert_id: AlertId,
    attachment_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)],
    db: SessionDep,
    settings: SettingsDep,
    scope: ScopeDep,
    principal: PrincipalDep,
    info: RequestInfoDep,
) -> FileResponse:
    """A response's plan or evidence file (404 unless the alert is in the caller's scope)."""
    found, path = attachment_file(
        session=db, inbox=settings.workspace / "inbox", scope=scope, alert_id=alert_id,
        attachment_id=attachment_id,
    )  # fmt: skip
    audit_request(
        db, principal, info, event_type="data.export",
        object=f"alert/{alert_id}/attachment/{attachment_id}",
    )  # fmt: skip
    db.commit()  # audited before the file leaves
    return FileResponse(
        path,
        media_type="application/octet-stream",
        filename=found.file_name,
        content_disposition_type="attachment",
    )
