"""Leasing on top of ``app_world`` (tests/web/conftest.py): carrier users and sites of the
sample registry's enterprises, inserted straight into the app's database.

==========  ===========  =========================================================
user        role         sees
==========  ===========  =========================================================
cm_mobile   carrier      China Mobile's requests and leases only
ct_telecom  carrier      China Telecom's requests and leases only
==========  ===========  =========================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from zhiguo.core import Role
from zhiguo.operations.geo import Projector
from zhiguo.operations.sites.models import Site
from zhiguo.registry import Enterprise
from zhiguo.security import add_user
from zhiguo.testing import SAMPLE

CENTRE = (114.06, 22.54)


@dataclass(frozen=True)
class CarrierUser:
    username: str
    role: Role
    password: str
    carrier: str
    enterprise: str | None = None
    disabled: bool = False

    @property
    def enterprise_uscc(self) -> str | None:
        return None


CARRIER_USERS = {
    u.username: u
    for u in (
        CarrierUser("cm_mobile", Role.CARRIER, "Mobile-Pass-2024!", "mobile"),
        CarrierUser("ct_telecom", Role.CARRIER, "Telecom-Pass-2024!", "telecom"),
    )
}


def add_carrier_users(world: Any) -> None:
    """Create the carrier users in the world's database and make ``world.client`` know them."""
    with world.app.state.sessionmaker() as session:
        for user in CARRIER_USERS.values():
            add_user(
                session=session, username=user.username, role=user.role,
                password=user.password, must_change_password=False, carrier=user.carrier,
            )  # fmt: skip
        session.commit()
    world.users.update(CARRIER_USERS)


def add_site(world: Any, owner: str, *, dx: float = 0.0, dy: float = 0.0, **kw: Any) -> int:
    """A site of enterprise ``owner`` (a key of SAMPLE), ``dx``/``dy`` metres from CENTRE."""
    projector = Projector()
    x0, y0 = (float(v[0]) for v in projector.to_xy([CENTRE[0]], [CENTRE[1]]))
    lon, lat = (float(v[0]) for v in projector.to_lonlat([x0 + dx], [y0 + dy]))
    with world.app.state.sessionmaker() as session:
        eid = session.scalar(select(Enterprise.id).where(Enterprise.uscc == SAMPLE[owner]))
        n = session.scalar(select(Site.id).order_by(Site.id.desc()).limit(1)) or 0
        values: dict[str, Any] = {
            "site_type": "rooftop", "height_m": 30.0, "status": "available", "carriers": "",
            "power_kw": 10.0, "has_fibre": True, "rent_cny_year": Decimal("36000"),
        }  # fmt: skip
        values.update(kw)
        site = Site(
            code=f"W-{n + 1:05d}", name_zh=f"网页测试站址{n + 1}", name_en=f"Web site {n + 1}",
            enterprise_id=eid, lon=lon, lat=lat, x_m=x0 + dx, y_m=y0 + dy,
            district_code=440304, load_limit_kg=500.0, restrictions="", source_file="test",
            source_sha256="0" * 64, **values,
        )  # fmt: skip
        session.add(site)
        session.commit()
        return site.id


def file_request(client: Any, **kw: Any) -> dict[str, Any]:
    body = {"band": "n78", "lon": CENTRE[0], "lat": CENTRE[1], "radius_m": 800.0, **kw}
    response = client.post("/api/operations/carrier-requests", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result
