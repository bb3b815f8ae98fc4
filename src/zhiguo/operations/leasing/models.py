"""The metadata-DB tables of carrier demand and leases (migration 0009).

A carrier (电信 telecom, 移动 mobile, 联通 unicom, 广电 cbn, or 铁塔 tower leasing on the
carriers' behalf) files a :class:`CarrierRequest` — where it needs coverage (a point and a
radius, or a polygon), on which band, with what requirements. A :class:`Lease` links one
request to one SOE site and walks the lifecycle of :mod:`.lifecycle`; every step is a
:class:`LeaseEvent` row, so the history of a lease is its events in order.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from zhiguo.core.db import Base

__all__ = ["CarrierRequest", "Lease", "LeaseEvent"]


class CarrierRequest(Base):
    """A carrier's demand: an area (point + radius, or a GeoJSON polygon in WGS84) and the
    requirements a site must meet. ``status``: open | leased (a lease exists) | withdrawn."""

    __tablename__ = "operations_carrier_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    carrier: Mapped[str] = mapped_column(String(16))
    band: Mapped[str] = mapped_column(String(8))
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)  # WGS84 centre
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    radius_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    area_geojson: Mapped[str | None] = mapped_column(Text, nullable=True)  # Polygon, WGS84
    min_height_m: Mapped[float] = mapped_column(Float, default=0.0)
    power_kw: Mapped[float] = mapped_column(Float, default=0.0)  # at least this on site
    needs_fibre: Mapped[bool] = mapped_column(Boolean, default=False)
    placement: Mapped[str] = mapped_column(String(8), default="outdoor")  # outdoor|indoor|any
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    __table_args__ = (Index("ix_operations_carrier_requests_carrier", "carrier"),)


class Lease(Base):
    """One site leased (or on its way to be) to one carrier. ``rent_cny_year`` and the term
    (``start_date``..``end_date``, both days included) are set at the contract step;
    ``ended_on`` is the last day of an ended lease (the term's end, or earlier)."""

    __tablename__ = "operations_leases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("operations_sites.id", ondelete="RESTRICT"))
    carrier: Mapped[str] = mapped_column(String(16))
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("operations_carrier_requests.id", ondelete="RESTRICT"), nullable=True
    )
    state: Mapped[str] = mapped_column(String(16), default="request")
    rent_cny_year: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), nullable=True)
    start_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    ended_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    __table_args__ = (
        Index("ix_operations_leases_site", "site_id"),
        Index("ix_operations_leases_carrier", "carrier"),
        Index("ix_operations_leases_request", "request_id"),
    )


class LeaseEvent(Base):
    """One step of a lease: ``from_state`` → ``to_state`` (``None`` → request at creation),
    who took it and when, and the note given."""

    __tablename__ = "operations_lease_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lease_id: Mapped[int] = mapped_column(ForeignKey("operations_leases.id", ondelete="RESTRICT"))
    from_state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_state: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_operations_lease_events_lease", "lease_id"),)
