"""The demo's leases: every state present, each with its event trail, deterministic."""

from __future__ import annotations

from datetime import date

from leasing_fixtures import add_site, regulator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhiguo.operations.leasing import DEMO_PATH, LeaseEvent, list_leases, revenue, seed_demo_leases


def test_demo_leases_cover_the_lifecycle(sample_session: Session) -> None:
    for i, owner in enumerate(
        ("A1", "A11", "A2", "B1", "B11", "G1", "G2", "A12", "A1", "B1", "A2", "G2")
    ):
        add_site(sample_session, owner, dx=150.0 * i)
    add_site(sample_session, "A1", site_type="indoor")  # never chosen: no outdoor coverage
    counts = seed_demo_leases(session=sample_session, today=date(2026, 11, 26), seed=3)
    assert counts == {s: DEMO_PATH.count(s) for s in set(DEMO_PATH)}
    views = list_leases(session=sample_session, caller=regulator())
    assert sorted(v.lease.state for v in views) == sorted(DEMO_PATH)
    assert all(v.site_type != "indoor" for v in views)
    for v in views:
        n = sample_session.scalar(
            select(func.count()).select_from(LeaseEvent).where(LeaseEvent.lease_id == v.lease.id)
        )
        assert n == {"request": 1, "survey": 2, "approval": 3, "contract": 4, "active": 5,
                     "ended": 6, "rejected": 3, "withdrawn": 2}[v.lease.state]  # fmt: skip
    assert revenue(session=sample_session, caller=regulator(), period="2026").total_cny > 0


def test_no_sites_no_demo_leases(sample_session: Session) -> None:
    assert seed_demo_leases(session=sample_session) == {}
