"""Carrier requests, matching, leases and revenue: the functions ``web`` and ``cli`` call.

Every function takes the caller (:class:`~.lifecycle.LeaseCaller`) and shows only what it may
see — a carrier its own carrier's requests and leases, an enterprise the leases on its
group's sites (and the requests behind them), the regulator everything; anything else is
:class:`~.errors.LeaseNotFound` (404), so an out-of-view object looks absent. Each lease
step appends a :class:`~.models.LeaseEvent` in the caller's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import Session

from zhiguo.core.errors import NotFound, PermissionDenied
from zhiguo.core.settings import OperationsSettings
from zhiguo.operations.geo import Projector
from zhiguo.operations.radio.bands import get_band
from zhiguo.operations.sites.models import Site
from zhiguo.registry import Enterprise

from .errors import (
    BadArea,
    LeaseInputError,
    LeaseNotFound,
    RequestClosed,
    SiteNotLeasable,
    UnknownCarrier,
)
from .lifecycle import (
    CARRIERS,
    OPEN_STATES,
    LeaseCaller,
    allowed_next,
    check_transition,
    sides_of,
)
from .matching import DemandLike, area_xy, coverage_gain
from .models import CarrierRequest, Lease, LeaseEvent
from .revenue import parse_period, prorated_rent, round_cny

__all__ = [
    "PLACEMENTS",
    "LeaseDetail",
    "LeaseView",
    "MatchCandidate",
    "MatchReport",
    "RevenueReport",
    "RevenueRow",
    "create_lease",
    "create_request",
    "get_lease",
    "get_request",
    "list_leases",
    "list_requests",
    "match_request",
    "match_request_in_workspace",
    "projector_for",
    "publish_leases",
    "revenue",
    "transition_lease",
    "withdraw_request",
]

PLACEMENTS = ("outdoor", "indoor", "any")
_LEASABLE_STATUSES = frozenset({"available", "reserved", "leased", "in_service"})


def _now() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------- requests


def create_request(
    *,
    session: Session,
    caller: LeaseCaller,
    band: str,
    lon: float | None = None,
    lat: float | None = None,
    radius_m: float | None = None,
    area_geojson: dict[str, Any] | None = None,
    min_height_m: float = 0.0,
    power_kw: float = 0.0,
    needs_fibre: bool = False,
    placement: str = "outdoor",
    note: str = "",
    carrier: str | None = None,
    projector: Projector | None = None,
) -> CarrierRequest:
    """A carrier files a demand request (for its own carrier; the platform operator files
    one for the ``carrier`` it names)."""
    if caller.is_carrier:
        if carrier is not None and carrier != caller.carrier:
            raise PermissionDenied("只能为本运营商提交需求", "You file requests for your carrier")
        carrier = caller.carrier
    elif not caller.acts_for_carrier(carrier or ""):
        raise PermissionDenied("仅运营商用户可提交需求", "Only carrier users file requests")
    if carrier not in CARRIERS:
        raise UnknownCarrier(str(carrier), CARRIERS)
    get_band(band)  # UnknownBand (ZG-RADIO-004) names the bands
    if placement not in PLACEMENTS:
        raise LeaseInputError(
            f"安装位置 {placement!r} 无效（outdoor、indoor、any）",
            f"Invalid placement {placement!r} (outdoor, indoor, any)",
        )
    if (area_geojson is None) == (radius_m is None):
        raise BadArea(
            "须给出中心点与半径，或一个多边形（二者择一）",
            "Give either a centre and a radius or a polygon, not both",
        )
    if radius_m is not None and not 10 <= radius_m <= 20_000:
        raise BadArea(
            f"半径 {radius_m} m 超出 10–20000 m", f"Radius {radius_m} m not in 10-20000 m"
        )
    for name, value in (("lon", lon), ("lat", lat)):
        if value is not None and not (70 <= value <= 140 if name == "lon" else 0 <= value <= 60):
            raise BadArea(f"{name} = {value} 不在中国范围内", f"{name} = {value} is outside China")
    if min_height_m < 0 or power_kw < 0:
        raise LeaseInputError("高度与功率不能为负", "Height and power cannot be negative")
    # Parse the area now, so a bad polygon is refused at filing, not at matching.
    area_xy(
        projector=projector or Projector(),
        lon=lon,
        lat=lat,
        radius_m=radius_m,
        area_geojson=area_geojson,
    )
    if area_geojson is not None and lon is None:
        lon, lat = _centroid(area_geojson)
    req = CarrierRequest(
        carrier=carrier,
        band=band,
        lon=lon,
        lat=lat,
        radius_m=radius_m,
        area_geojson=json.dumps(area_geojson, ensure_ascii=False) if area_geojson else None,
        min_height_m=min_height_m,
        power_kw=power_kw,
        needs_fibre=needs_fibre,
        placement=placement,
        note=note,
        status="open",
        created_by=caller.username,
    )
    session.add(req)
    session.flush()
    return req


def _centroid(area_geojson: dict[str, Any]) -> tuple[float, float]:
    from shapely.geometry import shape

    c = shape(area_geojson).centroid
    return float(c.x), float(c.y)


def _request_filter(caller: LeaseCaller) -> ColumnElement[bool]:
    if caller.is_regulator:
        return CarrierRequest.id.is_not(None)
    if caller.is_carrier:
        return CarrierRequest.carrier == caller.carrier
    if caller.is_enterprise and caller.scope.enterprise_ids:
        on_my_sites = (
            select(Lease.request_id)
            .join(Site, Site.id == Lease.site_id)
            .where(Site.enterprise_id.in_(caller.scope.enterprise_ids))
        )
        return CarrierRequest.id.in_(on_my_sites)
    return false()


def list_requests(
    *, session: Session, caller: LeaseCaller, status: str | None = None
) -> list[CarrierRequest]:
    query = select(CarrierRequest).where(_request_filter(caller))
    if status:
        query = query.where(CarrierRequest.status == status)
    return list(session.scalars(query.order_by(CarrierRequest.id.desc())))


def get_request(*, session: Session, caller: LeaseCaller, request_id: int) -> CarrierRequest:
    req = session.scalar(
        select(CarrierRequest).where(CarrierRequest.id == request_id, _request_filter(caller))
    )
    if req is None:
        raise LeaseNotFound(f"需求 {request_id} 不存在", f"No request {request_id}")
    return req


def withdraw_request(
    *, session: Session, caller: LeaseCaller, request_id: int, note: str = ""
) -> CarrierRequest:
    """The carrier withdraws its request and every lease of it not yet active."""
    req = get_request(session=session, caller=caller, request_id=request_id)
    if not caller.acts_for_carrier(req.carrier):
        raise LeaseNotFound(f"需求 {request_id} 不存在", f"No request {request_id}")
    if req.status == "withdrawn":
        raise RequestClosed(f"需求 {request_id} 已撤回", f"Request {request_id} is withdrawn")
    for lease in session.scalars(
        select(Lease).where(Lease.request_id == req.id, Lease.state.in_(OPEN_STATES))
    ):
        _record(session, lease, "withdrawn", caller.username, note or "需求撤回 request withdrawn")
    req.status = "withdrawn"
    return req


# ---------------------------------------------------------------- matching


@dataclass(frozen=True)
class MatchCandidate:
    """A site as a carrier may see it: where, what, how high, whose — no other carrier's
    data (which carriers are on it, their leases) and no internal fields."""

    site_id: int
    code: str
    name: str
    name_en: str
    site_type: str
    lon: float
    lat: float
    height_m: float
    owner: str
    distance_m: float
    gain_weight: float
    gain_share: float  # of the area's total weight
    new_pixels: int


@dataclass(frozen=True)
class MatchReport:
    request_id: int
    band: str
    weighting: str  # demand | uniform
    resolution_m: float
    threshold_dbm: float
    area_pixels: int
    area_weight: float
    existing_sites: int
    covered_before_share: float
    candidates: list[MatchCandidate] = field(default_factory=list)


def _outdoor_filter(placement: str) -> ColumnElement[bool] | None:
    from zhiguo.operations.coverage.siteradio import OUTDOOR_TYPES

    if placement == "outdoor":
        return Site.site_type.in_(sorted(OUTDOOR_TYPES))
    if placement == "indoor":
        return Site.site_type == "indoor"
    return None


def match_request(
    *,
    session: Session,
    caller: LeaseCaller,
    request_id: int,
    projector: Projector | None = None,
    resolution_m: float = 50.0,
    cutoff_m: float = 2500.0,
    threshold_dbm: float = -105.0,
    demand: DemandLike | None = None,
    demand_loader: Callable[[], DemandLike | None] | None = None,
    limit: int = 50,
) -> MatchReport:
    """SOE sites in the request's area that meet its requirements, ranked by coverage gain
    over the carrier's in-service sites (:func:`.matching.coverage_gain`). For the carrier
    side and the regulator only."""
    import shapely

    req = get_request(session=session, caller=caller, request_id=request_id)
    if not (caller.is_regulator or caller.acts_for_carrier(req.carrier)):
        raise LeaseNotFound(f"需求 {request_id} 不存在", f"No request {request_id}")
    if demand is None and demand_loader is not None:
        demand = demand_loader()
    proj = projector or Projector()
    area = area_xy(
        projector=proj,
        lon=None if req.area_geojson else req.lon,
        lat=None if req.area_geojson else req.lat,
        radius_m=req.radius_m,
        area_geojson=json.loads(req.area_geojson) if req.area_geojson else None,
    )
    minx, miny, maxx, maxy = area.bounds
    query = select(Site, Enterprise.name_zh).join(Enterprise, Enterprise.id == Site.enterprise_id)
    query = query.where(
        Site.status == "available",
        Site.height_m >= req.min_height_m,
        Site.x_m.between(minx, maxx),
        Site.y_m.between(miny, maxy),
    )
    if req.power_kw > 0:
        query = query.where(Site.power_kw >= req.power_kw)
    if req.needs_fibre:
        query = query.where(Site.has_fibre.is_(True))
    if (placement := _outdoor_filter(req.placement)) is not None:
        query = query.where(placement)
    rows = [
        (site, owner)
        for site, owner in session.execute(query.order_by(Site.id))
        if shapely.contains_xy(area, site.x_m, site.y_m)
    ]
    existing = _existing_sites(session, req.carrier, area.bounds, cutoff_m)
    cov = coverage_gain(
        area,
        [site for site, _ in rows],
        existing,
        band=req.band,
        threshold_dbm=threshold_dbm,
        resolution_m=resolution_m,
        cutoff_m=cutoff_m,
        demand=demand,
    )
    centre = area.centroid
    total = cov.total_weight or 1.0
    candidates = [
        MatchCandidate(
            site_id=site.id,
            code=site.code,
            name=site.name_zh,
            name_en=site.name_en,
            site_type=site.site_type,
            lon=site.lon,
            lat=site.lat,
            height_m=site.height_m,
            owner=owner,
            distance_m=round(float(centre.distance(shapely.Point(site.x_m, site.y_m))), 1),
            gain_weight=float(cov.gain[i]),
            gain_share=float(cov.gain[i]) / total,
            new_pixels=int(cov.new_pixels[i]),
        )
        for i, (site, owner) in enumerate(rows)
    ]
    candidates.sort(key=lambda c: (-c.gain_weight, c.distance_m, c.site_id))
    return MatchReport(
        request_id=req.id,
        band=req.band,
        weighting=cov.weighting,
        resolution_m=cov.grid.resolution_m,
        threshold_dbm=threshold_dbm,
        area_pixels=cov.pixels,
        area_weight=cov.total_weight,
        existing_sites=len(existing),
        covered_before_share=cov.covered_before / total,
        candidates=candidates[:limit],
    )


def match_request_in_workspace(
    *,
    session: Session,
    caller: LeaseCaller,
    request_id: int,
    operations: OperationsSettings,
    lake_root: Path,
    limit: int = 50,
) -> MatchReport:
    """:func:`match_request` with the workspace's defaults (CRS, resolution, cutoff,
    threshold) and its latest published demand raster, if any (else uniform weight)."""

    def latest() -> DemandLike | None:
        from zhiguo.operations.demand import latest_demand
        from zhiguo.operations.geo import city_from_settings

        try:
            return latest_demand(lake_root, city=city_from_settings(operations))
        except NotFound:
            return None

    return match_request(
        session=session,
        caller=caller,
        request_id=request_id,
        projector=projector_for(operations),
        resolution_m=operations.resolution_m,
        cutoff_m=operations.cutoff_m,
        threshold_dbm=operations.rsrp_threshold_dbm,
        demand_loader=latest,
        limit=limit,
    )


def projector_for(operations: OperationsSettings) -> Projector:
    """The workspace's planning CRS (``operations.projected_crs``)."""
    return Projector(operations.projected_crs)


def _carries(carriers: str, carrier: str) -> bool:
    on_site = {c.strip() for c in carriers.split(",") if c.strip()}
    # The tower company builds for every carrier: any carrier's equipment is "its" coverage.
    return bool(on_site) if carrier == "tower" else carrier in on_site


def _existing_sites(
    session: Session, carrier: str, bounds: tuple[float, float, float, float], margin_m: float
) -> list[Site]:
    minx, miny, maxx, maxy = bounds
    near = session.scalars(
        select(Site).where(
            Site.status == "in_service",
            Site.x_m.between(minx - margin_m, maxx + margin_m),
            Site.y_m.between(miny - margin_m, maxy + margin_m),
        )
    )
    return [s for s in near if _carries(s.carriers, carrier)]


# ---------------------------------------------------------------- leases


@dataclass(frozen=True)
class LeaseView:
    """A lease with what a list shows of its site and owner."""

    lease: Lease
    site_code: str
    site_name: str
    site_name_en: str
    site_type: str
    enterprise_id: int
    owner: str


@dataclass(frozen=True)
class LeaseDetail:
    view: LeaseView
    events: list[LeaseEvent]
    allowed: list[str]  # the states this caller may move the lease to now


def _lease_filter(caller: LeaseCaller) -> ColumnElement[bool]:
    if caller.is_regulator:
        return Lease.id.is_not(None)
    if caller.is_carrier:
        return Lease.carrier == caller.carrier
    if caller.is_enterprise and caller.scope.enterprise_ids:
        return Site.enterprise_id.in_(caller.scope.enterprise_ids)
    return false()


def _lease_query(caller: LeaseCaller) -> Any:
    return (
        select(Lease, Site, Enterprise.name_zh)
        .join(Site, Site.id == Lease.site_id)
        .join(Enterprise, Enterprise.id == Site.enterprise_id)
        .where(_lease_filter(caller))
    )


def _view(lease: Lease, site: Site, owner: str) -> LeaseView:
    return LeaseView(
        lease=lease,
        site_code=site.code,
        site_name=site.name_zh,
        site_name_en=site.name_en,
        site_type=site.site_type,
        enterprise_id=site.enterprise_id,
        owner=owner,
    )


def list_leases(
    *,
    session: Session,
    caller: LeaseCaller,
    state: str | None = None,
    states: Sequence[str] | None = None,
) -> list[LeaseView]:
    query = _lease_query(caller)
    if state:
        query = query.where(Lease.state == state)
    if states:
        query = query.where(Lease.state.in_(list(states)))
    return [_view(*row) for row in session.execute(query.order_by(Lease.id.desc()))]


def _load(session: Session, caller: LeaseCaller, lease_id: int) -> tuple[Lease, Site, str]:
    row = session.execute(_lease_query(caller).where(Lease.id == lease_id)).one_or_none()
    if row is None:
        raise LeaseNotFound(f"租赁 {lease_id} 不存在", f"No lease {lease_id}")
    return row[0], row[1], row[2]


def get_lease(*, session: Session, caller: LeaseCaller, lease_id: int) -> LeaseDetail:
    """A lease, its events in order and the steps this caller may take."""
    lease, site, owner = _load(session, caller, lease_id)
    events = list(
        session.scalars(
            select(LeaseEvent).where(LeaseEvent.lease_id == lease.id).order_by(LeaseEvent.id)
        )
    )
    sides = sides_of(caller, carrier=lease.carrier, enterprise_id=site.enterprise_id)
    return LeaseDetail(
        view=_view(lease, site, owner), events=events, allowed=allowed_next(lease.state, sides)
    )


def _record(session: Session, lease: Lease, to: str, actor: str, note: str) -> LeaseEvent:
    event = LeaseEvent(
        lease_id=lease.id, from_state=lease.state, to_state=to, actor=actor, at=_now(), note=note
    )
    lease.state = to
    lease.updated_at = event.at
    session.add(event)
    return event


def create_lease(
    *, session: Session, caller: LeaseCaller, request_id: int, site_id: int, note: str = ""
) -> Lease:
    """A lease in state ``request`` for one request's carrier on one site (the carrier side
    or the regulator)."""
    req = get_request(session=session, caller=caller, request_id=request_id)
    if not (caller.is_regulator or caller.acts_for_carrier(req.carrier)):
        raise LeaseNotFound(f"需求 {request_id} 不存在", f"No request {request_id}")
    if req.status == "withdrawn":
        raise RequestClosed(f"需求 {request_id} 已撤回", f"Request {request_id} is withdrawn")
    site = session.get(Site, site_id)
    if site is None:
        raise LeaseNotFound(f"站址 {site_id} 不存在", f"No site {site_id}")
    if site.status not in _LEASABLE_STATUSES or _carries_exactly(site.carriers, req.carrier):
        raise SiteNotLeasable(
            f"站址 {site.code} 状态为 {site.status}，或已有该运营商设备",
            f"Site {site.code} is {site.status}, or already carries this carrier",
        )
    clash = session.scalar(
        select(Lease.id).where(
            Lease.site_id == site.id,
            Lease.carrier == req.carrier,
            Lease.state.in_((*OPEN_STATES, "active")),
        )
    )
    if clash is not None:
        raise SiteNotLeasable(
            f"站址 {site.code} 已有该运营商的租赁 {clash}",
            f"Site {site.code} already has lease {clash} for this carrier",
        )
    lease = Lease(
        site_id=site.id,
        carrier=req.carrier,
        request_id=req.id,
        state="request",
        created_by=caller.username,
    )
    session.add(lease)
    session.flush()
    session.add(
        LeaseEvent(
            lease_id=lease.id,
            from_state=None,
            to_state="request",
            actor=caller.username,
            at=_now(),
            note=note,
        )
    )
    req.status = "leased"
    session.flush()
    return lease


def _carries_exactly(carriers: str, carrier: str) -> bool:
    return carrier in {c.strip() for c in carriers.split(",")}


def transition_lease(
    *,
    session: Session,
    caller: LeaseCaller,
    lease_id: int,
    to: str,
    note: str = "",
    rent_cny_year: Decimal | None = None,
    start: date | None = None,
    end: date | None = None,
    today: date | None = None,
) -> LeaseEvent:
    """Move a lease one step (:mod:`.lifecycle`); returns the event recorded.

    ``contract`` sets the rent and the term; ``active`` puts the carrier on the site (status
    ``in_service``); ``ended`` (``end``: the last day, default today) takes it off again."""
    lease, site, _owner = _load(session, caller, lease_id)
    sides = sides_of(caller, carrier=lease.carrier, enterprise_id=site.enterprise_id)
    ended_on = None
    if to == "ended":  # without a date: today, or the term's last day once it is over
        ended_on = end or min(today or date.today(), lease.end_date or date.max)
    check_transition(
        state=lease.state,
        to=to,
        sides=sides,
        rent_cny_year=rent_cny_year,
        start=start,
        end=end,
        term_end=lease.end_date,
        ended_on=ended_on,
        note=note,
    )
    if to == "contract":
        lease.rent_cny_year, lease.start_date, lease.end_date = rent_cny_year, start, end
    elif to == "active":
        if lease.rent_cny_year is None or lease.start_date is None or lease.end_date is None:
            raise LeaseInputError("生效须先签约", "A lease becomes active only under a contract")
        on_site = [c for c in site.carriers.split(",") if c.strip()]
        if lease.carrier not in on_site and lease.carrier != "tower":
            site.carriers = ",".join([*on_site, lease.carrier])
        site.status = "in_service"
    elif to == "ended":
        if lease.start_date is not None and ended_on is not None and ended_on < lease.start_date:
            raise LeaseInputError(
                f"终止日 {ended_on} 早于起租日 {lease.start_date}",
                f"End date {ended_on} is before the start {lease.start_date}",
            )
        lease.ended_on = ended_on
        on_site = [c for c in site.carriers.split(",") if c.strip() and c != lease.carrier]
        site.carriers = ",".join(on_site)
        if not on_site and site.status == "in_service":
            site.status = "available"
    event = _record(session, lease, to, caller.username, note)
    session.flush()
    return event


# ---------------------------------------------------------------- revenue


@dataclass(frozen=True)
class RevenueRow:
    enterprise_id: int
    enterprise: str
    uscc: str
    leases: int
    revenue_cny: Decimal


@dataclass(frozen=True)
class RevenueReport:
    period: str
    first: date
    last: date
    rows: list[RevenueRow]
    total_cny: Decimal


def revenue(*, session: Session, caller: LeaseCaller, period: str) -> RevenueReport:
    """Rent per owning enterprise for a period (``YYYY`` or ``YYYY-MM``): every contracted
    lease that was active in it (state active or ended), prorated by days
    (:func:`.revenue.prorated_rent`). Enterprise users get their group's enterprises only."""
    first, last = parse_period(period)
    if not (caller.is_regulator or caller.is_enterprise):
        return RevenueReport(period, first, last, [], Decimal("0.00"))
    query = (
        select(Lease, Site.enterprise_id, Enterprise.name_zh, Enterprise.uscc)
        .join(Site, Site.id == Lease.site_id)
        .join(Enterprise, Enterprise.id == Site.enterprise_id)
        .where(
            Lease.state.in_(("active", "ended")),
            Lease.rent_cny_year.is_not(None),
            Lease.start_date <= last,
            or_(
                and_(Lease.ended_on.is_(None), Lease.end_date >= first),
                Lease.ended_on >= first,
            ),
        )
    )
    if caller.is_enterprise:
        query = query.where(Site.enterprise_id.in_(caller.scope.enterprise_ids or ()))
    sums: dict[int, tuple[str, str, int, Decimal]] = {}
    for lease, enterprise_id, name, uscc in session.execute(query):
        assert lease.rent_cny_year is not None and lease.start_date and lease.end_date
        amount = prorated_rent(
            lease.rent_cny_year, lease.start_date, lease.ended_on or lease.end_date, first, last
        )
        _n, _u, count, acc = sums.get(enterprise_id, (name, uscc, 0, Decimal(0)))
        sums[enterprise_id] = (name, uscc, count + 1, acc + amount)
    rows = sorted(
        (
            RevenueRow(eid, name, uscc, count, round_cny(acc))
            for eid, (name, uscc, count, acc) in sums.items()
        ),
        key=lambda r: (-r.revenue_cny, r.enterprise_id),
    )
    total = round_cny(sum((r.revenue_cny for r in rows), Decimal(0)))
    return RevenueReport(period, first, last, rows, total)


# ---------------------------------------------------------------- lake


def _utc(value: datetime | None) -> datetime:
    if value is None:
        return _now()
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def publish_leases(*, session: Session, lake_root: Path, actor: str) -> int:
    """Write the whole lease table as a new version of ``operations.leases`` (Delta
    overwrite: one atomic commit) and record its lineage; returns the new version."""
    import pyarrow as pa

    from zhiguo.datacenter.catalog import record_commit
    from zhiguo.datacenter.lake import open_table

    from .datasets import LEASES

    rows = session.execute(
        select(Lease, Site.code, Site.enterprise_id)
        .join(Site, Site.id == Lease.site_id)
        .order_by(Lease.id)
    ).all()
    cols: dict[str, list[Any]] = {
        "lease_id": [r[0].id for r in rows],
        "site_id": [r[0].site_id for r in rows],
        "site_code": [r[1] for r in rows],
        "enterprise_id": [r[2] for r in rows],
        "carrier": [r[0].carrier for r in rows],
        "request_id": [r[0].request_id for r in rows],
        "state": [r[0].state for r in rows],
        "rent_cny_year": [
            float(r[0].rent_cny_year) if r[0].rent_cny_year is not None else None for r in rows
        ],
        "start_date": [r[0].start_date for r in rows],
        "end_date": [r[0].end_date for r in rows],
        "ended_on": [r[0].ended_on for r in rows],
        "updated_at": [_utc(r[0].updated_at) for r in rows],
    }
    schema = LEASES.arrow_schema
    data = pa.table({f.name: pa.array(cols[f.name], type=f.type) for f in schema}, schema=schema)
    version = open_table(lake_root, LEASES.name).replace_all(
        data, metadata={"zhiguo_action": "leases.publish", "by": actor[:100]}
    )
    record_commit(
        session, dataset=LEASES.name, version=version, operation="publish",
        rows=data.num_rows, committed_by=actor,
    )  # fmt: skip
    return version
