"""Shared helpers of the planning-service tests: sites in the DB and a small demand raster."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiguo.operations.coverage.kernel import Grid
from zhiguo.operations.sites.models import Site
from zhiguo.registry import Enterprise
from zhiguo.testing import SAMPLE

# A 2 km × 1 km city at 100 m; demand uniform (1 per pixel) with a heavy spot.
GRID = Grid(x_min=500_000.0, y_min=2_500_000.0, nx=20, ny=10, resolution_m=100.0)


@dataclass(frozen=True)
class SmallDemand:
    grid: Grid
    weight: np.ndarray
    district: np.ndarray
    source: str = "test"
    unit: str = "people"


def small_demand() -> SmallDemand:
    w = np.ones((GRID.ny, GRID.nx))
    w[4:6, 9:11] = 10.0
    return SmallDemand(GRID, w, np.zeros_like(w, dtype=np.int32))


def enterprise_id(session: Session, key: str = "G1") -> int:
    ent = session.scalar(select(Enterprise).where(Enterprise.uscc == SAMPLE[key]))
    assert ent is not None
    return int(ent.id)


def add_site(
    session: Session,
    code: str,
    x: float,
    y: float,
    *,
    site_type: str = "rooftop",
    status: str = "available",
    height_m: float = 30.0,
    rent: float | None = 10_000.0,
    carriers: str = "",
    restrictions: str = "",
    enterprise: str = "G1",
) -> Site:
    site = Site(
        code=code,
        name_zh=f"站点{code}",
        name_en=f"site {code}",
        site_type=site_type,
        enterprise_id=enterprise_id(session, enterprise),
        lon=114.0,
        lat=22.5,
        x_m=x,
        y_m=y,
        district_code=1,
        height_m=height_m,
        status=status,
        carriers=carriers,
        has_fibre=True,
        rent_cny_year=None if rent is None else Decimal(str(rent)),
        restrictions=restrictions,
    )
    session.add(site)
    session.flush()
    return site


def grid_xy(col: float, row: float) -> tuple[float, float]:
    """Projected coordinates of a (fractional) pixel position of GRID."""
    return GRID.x_min + col * GRID.resolution_m, GRID.y_min + row * GRID.resolution_m


def city_sites(session: Session) -> dict[str, Site]:
    """Six rooftops over the small city (a 3 × 2 lattice), one in service, one unavailable,
    one smart pole and one indoor venue (never a candidate)."""
    spots = {
        "W1": (3, 2.5, "available"),
        "W2": (3, 7.5, "in_service"),
        "M1": (10, 2.5, "available"),
        "M2": (10, 7.5, "unavailable"),
        "E1": (17, 2.5, "available"),
        "E2": (17, 7.5, "available"),
    }
    out = {}
    for code, (c, r, status) in spots.items():
        out[code] = add_site(session, code, *grid_xy(c, r), status=status)
    out["P1"] = add_site(session, "P1", *grid_xy(10, 5), site_type="smart_pole", height_m=10.0)
    out["IN"] = add_site(session, "IN", *grid_xy(12, 5), site_type="indoor", height_m=10.0)
    return out
