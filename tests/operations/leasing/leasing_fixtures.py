"""Builders for the leasing tests: sites inserted straight into ``operations_sites`` for
enterprises of the sample registry (``zhiguo.testing.SAMPLE``), and callers of each kind.

Geometry: sites sit around a centre in Futian (114.06 E, 22.54 N); offsets are in metres
in the planning CRS (EPSG:4547), so distances in tests are exact.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import count

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiguo.core.access import Role, Scope
from zhiguo.operations.geo import Projector
from zhiguo.operations.leasing import LeaseCaller, create_lease, create_request, transition_lease
from zhiguo.operations.sites.models import Site
from zhiguo.registry import Enterprise, subtree_ids
from zhiguo.testing import SAMPLE

CENTRE = (114.06, 22.54)
PROJECTOR = Projector()
CX, CY = (float(v[0]) for v in PROJECTOR.to_xy([CENTRE[0]], [CENTRE[1]]))
_codes = count(1)


def enterprise_id(session: Session, key: str) -> int:
    eid = session.scalar(select(Enterprise.id).where(Enterprise.uscc == SAMPLE[key]))
    assert eid is not None
    return int(eid)


def add_site(
    session: Session,
    owner: str,
    *,
    dx: float = 0.0,
    dy: float = 0.0,
    site_type: str = "rooftop",
    height_m: float = 30.0,
    status: str = "available",
    carriers: str = "",
    power_kw: float | None = 10.0,
    has_fibre: bool = True,
    rent: Decimal | None = Decimal("36000"),
) -> Site:
    """A site of enterprise ``owner`` (a key of SAMPLE) ``dx``/``dy`` metres from CENTRE."""
    x, y = CX + dx, CY + dy
    lon, lat = (float(v[0]) for v in PROJECTOR.to_lonlat([x], [y]))
    n = next(_codes)
    site = Site(
        code=f"T-{n:05d}",
        name_zh=f"测试站址{n}",
        name_en=f"Test site {n}",
        site_type=site_type,
        enterprise_id=enterprise_id(session, owner),
        lon=lon,
        lat=lat,
        x_m=x,
        y_m=y,
        district_code=440304,
        height_m=height_m,
        status=status,
        carriers=carriers,
        power_kw=power_kw,
        has_fibre=has_fibre,
        load_limit_kg=500.0,
        rent_cny_year=rent,
        restrictions="",
        source_file="test",
        source_sha256="0" * 64,
    )
    session.add(site)
    session.flush()
    return site


def carrier(name: str = "mobile") -> LeaseCaller:
    return LeaseCaller(f"{name}_user", Role.CARRIER, Scope.nothing(), carrier=name)


def regulator() -> LeaseCaller:
    return LeaseCaller("analyst", Role.REGULATOR_ANALYST, Scope.everything())


def officer(session: Session, key: str, role: Role = Role.ENTERPRISE_OFFICER) -> LeaseCaller:
    ids = subtree_ids(session=session, root_id=enterprise_id(session, key), as_of=date.today())
    return LeaseCaller(f"off_{key.lower()}", role, Scope.of(ids))


def point_request(
    session: Session, who: LeaseCaller, *, radius_m: float = 800.0, **kw: object
) -> int:
    req = create_request(
        session=session,
        caller=who,
        band=str(kw.pop("band", "n78")),
        lon=CENTRE[0],
        lat=CENTRE[1],
        radius_m=radius_m,
        **kw,  # type: ignore[arg-type]
    )
    return req.id


def lease_in_state(
    session: Session,
    state: str,
    *,
    owner: str = "A1",
    who: LeaseCaller | None = None,
    rent: Decimal = Decimal("36500"),
    start: date = date(2026, 1, 1),
    end: date = date(2026, 12, 31),
) -> int:
    """A lease on a new site of ``owner`` walked along the main path up to ``state``."""
    who = who or carrier()
    site = add_site(session, owner)
    lease = create_lease(
        session=session, caller=who, request_id=point_request(session, who), site_id=site.id
    )
    path = ["survey", "approval", "contract", "active", "ended"]
    for to in path[: path.index(state) + 1] if state != "request" else []:
        transition_lease(
            session=session,
            caller=regulator(),
            lease_id=lease.id,
            to=to,
            note="到期 term over" if to == "ended" else "",
            rent_cny_year=rent if to == "contract" else None,
            start=start if to == "contract" else None,
            end=(end if to in ("contract", "ended") else None),
        )
    return lease.id
