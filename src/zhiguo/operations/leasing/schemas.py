"""What crosses the package boundary as JSON: requests, leases, events, matches, revenue."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from .lifecycle import STATE_LABELS
from .models import CarrierRequest, LeaseEvent
from .service import LeaseDetail, LeaseView, MatchReport, RevenueReport

__all__ = [
    "CarrierRequestOut",
    "LeaseDetailOut",
    "LeaseEventOut",
    "LeaseOut",
    "MatchCandidateOut",
    "MatchReportOut",
    "RevenueOut",
    "RevenueRowOut",
]


class CarrierRequestOut(BaseModel):
    id: int
    carrier: str
    band: str
    lon: float | None
    lat: float | None
    radius_m: float | None
    area: dict[str, Any] | None
    min_height_m: float
    power_kw: float
    needs_fibre: bool
    placement: str
    note: str
    status: str
    created_by: str
    created_at: datetime | None

    @classmethod
    def of(cls, req: CarrierRequest) -> CarrierRequestOut:
        return cls(
            id=req.id,
            carrier=req.carrier,
            band=req.band,
            lon=req.lon,
            lat=req.lat,
            radius_m=req.radius_m,
            area=json.loads(req.area_geojson) if req.area_geojson else None,
            min_height_m=req.min_height_m,
            power_kw=req.power_kw,
            needs_fibre=req.needs_fibre,
            placement=req.placement,
            note=req.note,
            status=req.status,
            created_by=req.created_by,
            created_at=req.created_at,
        )


class LeaseOut(BaseModel):
    id: int
    site_id: int
    site_code: str
    site_name: str
    site_type: str
    owner: str
    carrier: str
    request_id: int | None
    state: str
    state_zh: str
    state_en: str
    rent_cny_year: Decimal | None
    start: date | None
    end: date | None
    ended_on: date | None
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def of(cls, view: LeaseView) -> LeaseOut:
        lease = view.lease
        zh, en = STATE_LABELS[lease.state]
        return cls(
            id=lease.id,
            site_id=lease.site_id,
            site_code=view.site_code,
            site_name=view.site_name,
            site_type=view.site_type,
            owner=view.owner,
            carrier=lease.carrier,
            request_id=lease.request_id,
            state=lease.state,
            state_zh=zh,
            state_en=en,
            rent_cny_year=lease.rent_cny_year,
            start=lease.start_date,
            end=lease.end_date,
            ended_on=lease.ended_on,
            created_at=lease.created_at,
            updated_at=lease.updated_at,
        )


class LeaseEventOut(BaseModel):
    id: int
    from_state: str | None
    to_state: str
    actor: str
    at: datetime
    note: str

    @classmethod
    def of(cls, event: LeaseEvent) -> LeaseEventOut:
        return cls(
            id=event.id,
            from_state=event.from_state,
            to_state=event.to_state,
            actor=event.actor,
            at=event.at,
            note=event.note,
        )


class LeaseDetailOut(BaseModel):
    lease: LeaseOut
    events: list[LeaseEventOut]
    allowed: list[str]

    @classmethod
    def of(cls, detail: LeaseDetail) -> LeaseDetailOut:
        return cls(
            lease=LeaseOut.of(detail.view),
            events=[LeaseEventOut.of(e) for e in detail.events],
            allowed=detail.allowed,
        )


class MatchCandidateOut(BaseModel):
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
    gain_share: float
    new_pixels: int


class MatchReportOut(BaseModel):
    request_id: int
    band: str
    weighting: str
    resolution_m: float
    threshold_dbm: float
    area_pixels: int
    area_weight: float
    existing_sites: int
    covered_before_share: float
    candidates: list[MatchCandidateOut]

    @classmethod
    def of(cls, report: MatchReport) -> MatchReportOut:
        return cls(
            request_id=report.request_id,
            band=report.band,
            weighting=report.weighting,
            resolution_m=report.resolution_m,
            threshold_dbm=report.threshold_dbm,
            area_pixels=report.area_pixels,
            area_weight=report.area_weight,
            existing_sites=report.existing_sites,
            covered_before_share=report.covered_before_share,
            candidates=[MatchCandidateOut(**asdict(c)) for c in report.candidates],
        )


class RevenueRowOut(BaseModel):
    enterprise_id: int
    enterprise: str
    uscc: str
    leases: int
    revenue_cny: Decimal


class RevenueOut(BaseModel):
    period: str
    first: date
    last: date
    rows: list[RevenueRowOut]
    total_cny: Decimal

    @classmethod
    def of(cls, report: RevenueReport) -> RevenueOut:
        return cls(
            period=report.period,
            first=report.first,
            last=report.last,
            rows=[RevenueRowOut(**asdict(r)) for r in report.rows],
            total_cny=report.total_cny,
        )
