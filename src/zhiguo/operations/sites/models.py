"""The metadata-DB table of SOE site resources (migration 0008).

A site is a place an enterprise can offer for 5G equipment: a rooftop, a smart pole, a
station or hub, a park, a tower, an indoor venue. The row holds what planners and carriers
need to decide — where (WGS84 for people, projected metres for computation, the district),
how high, what is on site, what it costs, what is forbidden — and who owns it (an enterprise of
the registry: the scope rules of the ownership tree decide who sees it).

The lake dataset ``operations.sites`` is published from this table after each import, so
analyses and other platforms read sites through the data centre like any other dataset.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
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

__all__ = ["Site"]


class Site(Base):
    """One SOE site resource. ``code`` is the owner's own identifier, unique platform-wide."""

    __tablename__ = "operations_sites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(300), default="")
    site_type: Mapped[str] = mapped_column(String(20))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="RESTRICT"))
    lon: Mapped[float] = mapped_column(Float)  # WGS84 degrees
    lat: Mapped[float] = mapped_column(Float)
    x_m: Mapped[float] = mapped_column(Float)  # projected (operations.projected_crs)
    y_m: Mapped[float] = mapped_column(Float)
    district_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height_m: Mapped[float] = mapped_column(Float)  # antenna mounting height above ground
    # available | reserved | leased | in_service (carrier equipment already on it) | unavailable
    status: Mapped[str] = mapped_column(String(20), default="available")
    carriers: Mapped[str] = mapped_column(String(80), default="")  # comma list already on site
    power_kw: Mapped[float | None] = mapped_column(Float, nullable=True)
    has_fibre: Mapped[bool] = mapped_column(Boolean, default=False)
    load_limit_kg: Mapped[float | None] = mapped_column(Float, nullable=True)
    rent_cny_year: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), nullable=True)
    restrictions: Mapped[str] = mapped_column(Text, default="")
    source_file: Mapped[str] = mapped_column(String(300), default="")
    source_sha256: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    __table_args__ = (
        Index("ix_operations_sites_enterprise", "enterprise_id"),
        Index("ix_operations_sites_xy", "x_m", "y_m"),
    )
