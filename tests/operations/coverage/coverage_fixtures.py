"""Helpers for the coverage-run tests: sites in the sites table, a known spot in Futian."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiguo.operations.geo import City
from zhiguo.operations.sites.models import Site
from zhiguo.registry.models import Enterprise

FUTIAN = (114.0550, 22.5400)  # Futian CBD, WGS84
FAR_EAST = (114.5600, 22.5300)  # Dapeng peninsula, > 40 km away


def add_site(
    session: Session, city: City, code: str, lonlat: tuple[float, float], *,
    site_type: str = "rooftop", status: str = "in_service", height_m: float = 30.0,
) -> Site:  # fmt: skip
    ent = session.execute(select(Enterprise.id).order_by(Enterprise.id)).scalars().first()
    assert ent is not None, "needs the sample registry"
    x, y = city.projector.to_xy(*lonlat)
    site = Site(
        code=code, name_zh=code, name_en=code, site_type=site_type, enterprise_id=ent,
        lon=lonlat[0], lat=lonlat[1], x_m=float(x), y_m=float(y),
        district_code=int(city.district_of_xy(x, y)), height_m=height_m, status=status,
    )  # fmt: skip
    session.add(site)
    session.flush()
    return site
