"""Carrier demand and leases (运营商需求与站址租赁): the API and the lease pipeline pages.

Who sees what is decided by ``operations.leasing`` from the caller (:class:`LeaseCaller`,
built here from the principal, its scope and, for a carrier user, ``users.carrier``): a
carrier its own requests and leases, an enterprise the leases on its group's sites, the
regulator everything — anything else is a 404. Each route declares its roles; each change
is audited here (``lease.transition`` for every lifecycle step) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import Field
from sqlalchemy import select

from zhiguo.core.access import Principal, Role
from zhiguo.core.errors import InputError, ZhiguoError
from zhiguo.operations import leasing
from zhiguo.operations.leasing.schemas import (
    CarrierRequestOut,
    LeaseDetailOut,
    LeaseOut,
    MatchReportOut,
    RevenueOut,
)
from zhiguo.security import User

from ..deps import LangDep, PrincipalDep, RequestInfoDep, ScopeDep, SessionDep, SettingsDep
from ..policy import roles
from ..rendering import render
from ..schemas import RowId, StrictModel
from .audit_api import audit_request

__all__ = ["TEXT", "LeaseCallerDep", "lease_caller", "router"]

router = APIRouter(tags=["operations-leasing"])

_REGULATORS = (Role.PLATFORM_ADMIN, Role.REGULATOR_LEADER, Role.REGULATOR_ANALYST)
_OWNERS = (Role.ENTERPRISE_LEADER, Role.ENTERPRISE_OFFICER)
# Policies (web.policy): who may call each route; the service narrows what each sees.
READERS = roles(Role.CARRIER, *_OWNERS, Role.OPERATIONS_STAFF, *_REGULATORS)
FILERS = roles(Role.CARRIER, Role.PLATFORM_ADMIN)
MATCHERS = roles(Role.CARRIER, *_REGULATORS)
ACTORS = roles(Role.CARRIER, *_OWNERS, *_REGULATORS)
EARNERS = roles(*_OWNERS, Role.OPERATIONS_STAFF, *_REGULATORS)

Carrier = Literal["telecom", "mobile", "unicom", "cbn", "tower"]
State = Literal[
    "request", "survey", "approval", "contract", "active", "ended", "rejected", "withdrawn"
]


def lease_caller(db: SessionDep, principal: PrincipalDep, scope: ScopeDep) -> leasing.LeaseCaller:
    """The caller as leasing sees it; a carrier user's carrier comes from ``users.carrier``."""
    carrier = None
    if principal.role is Role.CARRIER:
        carrier = db.scalar(select(User.carrier).where(User.id == principal.user_id))
    return leasing.LeaseCaller(principal.username, principal.role, scope, carrier)


LeaseCallerDep = Annotated[leasing.LeaseCaller, Depends(lease_caller)]


# ---------------------------------------------------------------- API: requests


class CarrierRequestIn(StrictModel):
    band: Literal["n78", "n41", "n28", "n79"]
    lon: float | None = Field(None, ge=70, le=140)
    lat: float | None = Field(None, ge=0, le=60)
    radius_m: float | None = Field(None, ge=10, le=20_000)
    area: dict[str, Any] | None = Field(None, description="GeoJSON Polygon (WGS84)")
    min_height_m: float = Field(0.0, ge=0, le=500)
    power_kw: float = Field(0.0, ge=0, le=1000)
    needs_fibre: bool = False
    placement: Literal["outdoor", "indoor", "any"] = "outdoor"
    note: str = Field("", max_length=2000)
    carrier: Carrier | None = Field(None, description="Platform admin only: the carrier filed for")


@router.post("/api/operations/carrier-requests", status_code=201, dependencies=[FILERS])
def create_carrier_request(
    body: CarrierRequestIn,
    db: SessionDep,
    caller: LeaseCallerDep,
    principal: PrincipalDep,
    info: RequestInfoDep,
    settings: SettingsDep,
) -> CarrierRequestOut:
    """A carrier files a demand: a point and radius, or a polygon, with its requirements."""
    req = leasing.create_request(
        session=db, caller=caller, band=body.band, lon=body.lon, lat=body.lat,
        radius_m=body.radius_m, area_geojson=body.area, min_height_m=body.min_height_m,
        power_kw=body.power_kw, needs_fibre=body.needs_fibre, placement=body.placement,
        note=body.note, carrier=body.carrier,
        projector=leasing.projector_for(settings.operations),
    )  # fmt: skip
    audit_request(
        db, principal, info, event_type="lease.request_create",
        object=f"carrier_request/{req.id}", detail={"carrier": req.carrier, "band": req.band},
    )  # fmt: skip
    return CarrierRequestOut.of(req)


@router.get("/api/operations/carrier-requests", dependencies=[READERS])
def list_carrier_requests(
    db: SessionDep,
    caller: LeaseCallerDep,
    status: Annotated[Literal["open", "leased", "withdrawn"] | None, Query()] = None,
) -> list[CarrierRequestOut]:
    return [
        CarrierRequestOut.of(r)
        for r in leasing.list_requests(session=db, caller=caller, status=status)
    ]


@router.get("/api/operations/carrier-requests/{request_id}", dependencies=[READERS])
def get_carrier_request(
    request_id: RowId, db: SessionDep, caller: LeaseCallerDep
) -> CarrierRequestOut:
    return CarrierRequestOut.of(
        leasing.get_request(session=db, caller=caller, request_id=request_id)
    )


class WithdrawIn(StrictModel):
    note: str = Field("", max_length=2000)


@router.post("/api/operations/carrier-requests/{request_id}/withdraw", dependencies=[FILERS])
def withdraw_carrier_request(
    request_id: RowId,
    body: WithdrawIn,
    db: SessionDep,
    caller: LeaseCallerDep,
    principal: PrincipalDep,
    info: RequestInfoDep,
) -> CarrierRequestOut:
    """Withdraw a request, and every lease of it not yet active."""
    req = leasing.withdraw_request(session=db, caller=caller, request_id=request_id, note=body.note)
    audit_request(
        db, principal, info, event_type="lease.request_withdraw",
        object=f"carrier_request/{req.id}",
    )  # fmt: skip
    return CarrierRequestOut.of(req)


@router.get("/api/operations/carrier-requests/{request_id}/matches", dependencies=[MATCHERS])
def carrier_request_matches(
    request_id: RowId,
    db: SessionDep,
    caller: LeaseCallerDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> MatchReportOut:
    """SOE sites for the request, ranked by coverage gain over the carrier's own sites."""
    report = leasing.match_request_in_workspace(
        session=db, caller=caller, request_id=request_id, operations=settings.operations,
        lake_root=settings.workspace / "lake", limit=limit,
    )  # fmt: skip
    return MatchReportOut.of(report)


# ---------------------------------------------------------------- API: leases


class LeaseIn(StrictModel):
    request_id: int = Field(ge=1, le=2**31 - 1)
    site_id: int = Field(ge=1, le=2**31 - 1)
    note: str = Field("", max_length=2000)


class TransitionIn(StrictModel):
    to: State
    note: str = Field("", max_length=2000)
    rent_cny_year: Decimal | None = Field(None, gt=0, max_digits=14, decimal_places=2)
    start: date | None = None
    end: date | None = None


@router.post("/api/operations/leases", status_code=201, dependencies=[MATCHERS])
def create_lease(
    body: LeaseIn,
    db: SessionDep,
    caller: LeaseCallerDep,
    principal: PrincipalDep,
    info: RequestInfoDep,
) -> LeaseDetailOut:
    """A lease (state ``request``) of a request's carrier on one site."""
    lease = leasing.create_lease(
        session=db, caller=caller, request_id=body.request_id, site_id=body.site_id,
        note=body.note,
    )  # fmt: skip
    audit_request(
        db, principal, info, event_type="lease.transition", object=f"lease/{lease.id}",
        detail={"from": None, "to": "request", "site_id": body.site_id},
    )  # fmt: skip
    return LeaseDetailOut.of(leasing.get_lease(session=db, caller=caller, lease_id=lease.id))


@router.get("/api/operations/leases", dependencies=[READERS])
def list_leases(
    db: SessionDep,
    caller: LeaseCallerDep,
    state: Annotated[State | None, Query()] = None,
) -> list[LeaseOut]:
    return [LeaseOut.of(v) for v in leasing.list_leases(session=db, caller=caller, state=state)]


@router.get("/api/operations/leases/revenue", dependencies=[EARNERS])
def lease_revenue(
    db: SessionDep,
    caller: LeaseCallerDep,
    period: Annotated[str | None, Query(pattern=r"^\d{4}(-(0[1-9]|1[0-2]))?$")] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> RevenueOut:
    """Rent per owning enterprise for a month (``period=YYYY-MM``) or a year."""
    if (period is None) == (year is None):
        raise InputError("请给出 period 或 year 之一", "Give either period or year")
    report = leasing.revenue(session=db, caller=caller, period=period or str(year))
    return RevenueOut.of(report)


@router.get("/api/operations/leases/{lease_id}", dependencies=[READERS])
def get_lease(lease_id: RowId, db: SessionDep, caller: LeaseCallerDep) -> LeaseDetailOut:
    return LeaseDetailOut.of(leasing.get_lease(session=db, caller=caller, lease_id=lease_id))


@router.post("/api/operations/leases/{lease_id}/transition", dependencies=[ACTORS])
def transition_lease(
    lease_id: RowId,
    body: TransitionIn,
    db: SessionDep,
    caller: LeaseCallerDep,
    principal: PrincipalDep,
    info: RequestInfoDep,
) -> LeaseDetailOut:
    """One lifecycle step; 409 (ZG-LEASE-01x) names the states when it is not allowed."""
    _transition(db, caller, principal, info, lease_id, body)
    return LeaseDetailOut.of(leasing.get_lease(session=db, caller=caller, lease_id=lease_id))


def _transition(
    db: Any,
    caller: leasing.LeaseCaller,
    principal: Principal,
    info: Any,
    lease_id: int,
    body: TransitionIn,
) -> None:
    event = leasing.transition_lease(
        session=db, caller=caller, lease_id=lease_id, to=body.to, note=body.note,
        rent_cny_year=body.rent_cny_year, start=body.start, end=body.end,
    )  # fmt: skip
    audit_request(
        db, principal, info, event_type="lease.transition", object=f"lease/{lease_id}",
        detail={"from": event.from_state, "to": event.to_state},
    )  # fmt: skip


# ---------------------------------------------------------------- pages

TEXT: Mapping[str, Mapping[str, str]] = {
    "zh": {
        "title": "站址租赁",
        "pipeline": "租赁进度",
        "count": "笔",
        "site": "站址",
        "owner": "产权企业",
        "carrier": "运营商",
        "state": "状态",
        "rent": "年租金（元）",
        "term": "租期",
        "updated": "更新时间",
        "none": "暂无租赁",
        "history": "流转记录",
        "actions": "可执行操作",
        "no_actions": "当前没有您可执行的操作",
        "note": "说明",
        "start": "起租日",
        "end": "到期日",
        "ended_on": "终止日（留空为今天或到期日）",
        "by": "操作人",
        "back": "返回租赁列表",
        "request": "需求",
        "lease": "租赁",
    },
    "en": {
        "title": "Site leases",
        "pipeline": "Lease pipeline",
        "count": "",
        "site": "Site",
        "owner": "Owner",
        "carrier": "Carrier",
        "state": "State",
        "rent": "Annual rent (CNY)",
        "term": "Term",
        "updated": "Updated",
        "none": "No leases",
        "history": "History",
        "actions": "Actions",
        "no_actions": "Nothing you can do on this lease now",
        "note": "Note",
        "start": "Start",
        "end": "End",
        "ended_on": "Last day (blank: today or the term's end)",
        "by": "by",
        "back": "Back to leases",
        "request": "Request",
        "lease": "Lease",
    },
}


def lt(key: str, lang: str) -> str:
    return TEXT["zh" if lang.startswith("zh") else "en"].get(key, key)


def _context(lang: str, principal: Principal, **extra: Any) -> dict[str, Any]:
    i = 0 if lang.startswith("zh") else 1
    return {
        "lang": lang,
        "principal": principal,
        "lt": lt,
        "state_label": {s: v[i] for s, v in leasing.STATE_LABELS.items()},
        "carrier_label": {c: v[i] for c, v in leasing.CARRIER_LABELS.items()},
        **extra,
    }


@router.get(
    "/operations/leases", response_class=HTMLResponse, include_in_schema=False,
    dependencies=[READERS],
)  # fmt: skip
def leases_page(
    request: Request,
    db: SessionDep,
    caller: LeaseCallerDep,
    principal: PrincipalDep,
    lang: LangDep,
) -> Response:
    """The pipeline: the caller's leases grouped by state, with counts."""
    views = leasing.list_leases(session=db, caller=caller)
    groups = [(s, [v for v in views if v.lease.state == s]) for s in leasing.STATES]
    return render(
        request,
        "operations/leases.html",
        _context(lang, principal, groups=groups, total=len(views)),
    )


def _detail_page(
    request: Request,
    db: Any,
    caller: leasing.LeaseCaller,
    principal: Principal,
    lang: str,
    lease_id: int,
    error: ZhiguoError | None = None,
) -> Response:
    detail = leasing.get_lease(session=db, caller=caller, lease_id=lease_id)
    context = _context(
        lang, principal, d=detail, lease=detail.view.lease,
        error={"code": error.code, "message": error.message(lang)} if error else None,
    )  # fmt: skip
    status = error.http_status if error else 200
    return render(request, "operations/lease_detail.html", context, status_code=status)


@router.get(
    "/operations/leases/{lease_id}", response_class=HTMLResponse, include_in_schema=False,
    dependencies=[READERS],
)  # fmt: skip
def lease_page(
    request: Request,
    lease_id: RowId,
    db: SessionDep,
    caller: LeaseCallerDep,
    principal: PrincipalDep,
    lang: LangDep,
) -> Response:
    """A lease, its history and the steps the caller may take (forms with CSRF)."""
    return _detail_page(request, db, caller, principal, lang, lease_id)


@router.post(
    "/operations/leases/{lease_id}/transition", response_class=HTMLResponse,
    include_in_schema=False, dependencies=[ACTORS],
)  # fmt: skip
def lease_page_transition(
    request: Request,
    lease_id: RowId,
    db: SessionDep,
    caller: LeaseCallerDep,
    principal: PrincipalDep,
    lang: LangDep,
    info: RequestInfoDep,
    to: Annotated[State, Form()],
    note: Annotated[str, Form(max_length=2000)] = "",
    rent_cny_year: Annotated[str, Form(max_length=20)] = "",
    start: Annotated[str, Form(max_length=10)] = "",
    end: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """The detail page's forms: redirect back on success, the page with the error if not."""
    try:
        body = TransitionIn(
            to=to, note=note, rent_cny_year=rent_cny_year or None,
            start=start or None, end=end or None,
        )  # fmt: skip
    except ValueError:
        bad = InputError("租金或日期格式无效", "Invalid rent or date")
        return _detail_page(request, db, caller, principal, lang, lease_id, bad)
    try:
        _transition(db, caller, principal, info, lease_id, body)
    except ZhiguoError as exc:
        if exc.http_status == 404:
            raise
        db.rollback()
        return _detail_page(request, db, caller, principal, lang, lease_id, exc)
    return RedirectResponse(f"/operations/leases/{lease_id}", status_code=303)
