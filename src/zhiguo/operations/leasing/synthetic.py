"""Demo leases (fictitious): a few carrier requests on the demo world's SOE sites and leases
walked to every state of the lifecycle, deterministic from a seed.

Call after the demo's sites are in the database (``zhiguo demo``). Every step goes through
:func:`.service.transition_lease`, so the demo's leases have the same event trail as real
ones; the actor is the platform operator ``demo``.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from random import Random

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiguo.core.access import Role, Scope
from zhiguo.operations.coverage.siteradio import OUTDOOR_TYPES
from zhiguo.operations.sites.models import Site

from .lifecycle import CARRIERS, LeaseCaller
from .service import create_lease, create_request, transition_lease

__all__ = ["DEMO_PATH", "seed_demo_leases"]

DEMO_PATH = (
    "request", "survey", "approval", "contract", "active",
    "active", "ended", "rejected", "withdrawn", "active",
)  # fmt: skip
"""The state each demo lease is walked to, in turn."""

_MAIN = ("survey", "approval", "contract", "active")


def _years_later(start: date, years: int) -> date:
    try:
        return start.replace(year=start.year + years) - timedelta(days=1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


def seed_demo_leases(
    *, session: Session, today: date | None = None, seed: int = 0, count: int = 10
) -> dict[str, int]:
    """Up to ``count`` requests and leases on available outdoor sites; returns the number of
    leases per state. Nothing happens without available sites."""
    day = today or date.today()
    rng = Random(seed)
    sites = list(
        session.scalars(
            select(Site)
            .where(Site.status == "available", Site.site_type.in_(sorted(OUTDOOR_TYPES)))
            .order_by(Site.id)
        )
    )
    if not sites:
        return {}
    chosen = sorted(rng.sample(sites, min(count, len(sites))), key=lambda s: s.id)
    demo = LeaseCaller("demo", Role.PLATFORM_ADMIN, Scope.everything())
    counts: dict[str, int] = {}
    for i, site in enumerate(chosen):
        carrier = CARRIERS[i % len(CARRIERS)]
        target = DEMO_PATH[i % len(DEMO_PATH)]
        req = create_request(
            session=session,
            caller=demo,
            carrier=carrier,
            band=rng.choice(("n78", "n41", "n28")),
            lon=round(site.lon + rng.uniform(-0.002, 0.002), 6),
            lat=round(site.lat + rng.uniform(-0.002, 0.002), 6),
            radius_m=float(rng.choice((300, 500, 800))),
            min_height_m=max(0.0, round(site.height_m - 10.0)),
            power_kw=float(rng.choice((0, 3, 5))),
            note="示例需求（虚构）/ demo request (fictitious)",
        )
        lease = create_lease(session=session, caller=demo, request_id=req.id, site_id=site.id)
        rent = site.rent_cny_year or Decimal(rng.randrange(20, 120) * 1000)
        start = date(day.year - (1 if target == "ended" else 0), 1, 1)
        end = _years_later(start, rng.choice((3, 5)))
        steps: list[str] = []
        if target in _MAIN or target == "ended":
            steps = list(_MAIN[: _MAIN.index(target) + 1]) if target in _MAIN else [*_MAIN, "ended"]
        elif target == "rejected":
            steps = ["survey", "rejected"]
        elif target == "withdrawn":
            steps = ["withdrawn"]
        for to in steps:
            transition_lease(
                session=session,
                caller=demo,
                lease_id=lease.id,
                to=to,
                note={
                    "rejected": "示例：承重不足（虚构）/ demo: load limit too low",
                    "withdrawn": "示例：需求取消（虚构）/ demo: demand cancelled",
                    "ended": "示例：提前解约（虚构）/ demo: early termination",
                }.get(to, ""),
                rent_cny_year=rent if to == "contract" else None,
                start=start if to == "contract" else None,
                end=end
                if to == "contract"
                else (day - timedelta(days=30) if to == "ended" else None),
                today=day,
            )
        counts[target] = counts.get(target, 0) + 1
    return counts
