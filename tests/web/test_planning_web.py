"""The plan API: regulator roles run and read plans; enterprise users get 403."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parents[1] / "operations" / "planning"))
from plan_fixtures import city_sites, small_demand

from zhiguo.operations.planning import service
from zhiguo.security.audit import AuditRecord

PLAN_FIELDS = {
    "id", "mode", "band", "created_at", "cost", "budget", "target_coverage", "coverage_share",
    "bound", "gap", "bound_method", "seconds", "greedy_cost", "greedy_gap", "candidates",
    "chosen",
}  # fmt: skip
CHOSEN_FIELDS = {"site_id", "code", "name", "lon", "lat", "site_type", "pinned", "cost"}


@pytest.fixture
def world(app_world, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:  # type: ignore[no-untyped-def]
    with app_world.app.state.sessionmaker() as session:
        city_sites(session)
        session.commit()
    monkeypatch.setattr(service, "load_demand", lambda lake_root, settings: small_demand())
    yield app_world


def test_regulator_runs_a_plan_and_reads_it_back(world) -> None:  # type: ignore[no-untyped-def]
    client = world.client("analyst")
    body = {"mode": "set_cover", "band": "n78", "target_coverage": 0.8, "time_limit_s": 3}
    created = client.post("/api/operations/plans", json=body)
    assert created.status_code == 201, created.text
    plan = created.json()
    assert set(plan) >= PLAN_FIELDS
    assert plan["mode"] == "set_cover" and plan["target_coverage"] == 0.8
    assert plan["coverage_share"] >= 0.8 and plan["gap"] is not None
    assert plan["chosen"] and all(set(c) >= CHOSEN_FIELDS for c in plan["chosen"])
    pinned = [c["code"] for c in plan["chosen"] if c["pinned"]]
    assert pinned == ["W2"]
    assert "M2" not in {c["code"] for c in plan["chosen"]}

    again = client.get(f"/api/operations/plans/{plan['id']}")
    assert again.status_code == 200 and again.json()["chosen"] == plan["chosen"]
    assert client.get("/api/operations/plans/latest").json()["id"] == plan["id"]
    listed = client.get("/api/operations/plans").json()
    assert [p["id"] for p in listed] == [plan["id"]]
    assert client.get("/api/operations/plans/999999").status_code == 404

    with world.app.state.sessionmaker() as session:
        events = list(
            session.scalars(select(AuditRecord).where(AuditRecord.event_type == "plans.run"))
        )
    assert len(events) == 1 and events[0].object == f"plan:{plan['id']}"


def test_budget_plan_and_refusals(world) -> None:  # type: ignore[no-untyped-def]
    client = world.client("analyst")
    ok = client.post(
        "/api/operations/plans",
        json={"mode": "max_cover", "budget": 300000, "exclude": ["M1"], "time_limit_s": 3},
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["cost"] <= 300000
    assert "M1" not in {c["code"] for c in ok.json()["chosen"]}
    unreachable = client.post(
        "/api/operations/plans", json={"mode": "set_cover", "target_coverage": 0.99}
    )
    assert unreachable.status_code == 422
    assert unreachable.json()["code"] == "ZG-PLAN-051"
    missing = client.post("/api/operations/plans", json={"mode": "max_cover"})
    assert missing.status_code == 422
    extra = client.post("/api/operations/plans", json={"mode": "max_cover", "budget": 1, "x": 1})
    assert extra.status_code == 422


def test_enterprise_users_and_anonymous_are_refused(world) -> None:  # type: ignore[no-untyped-def]
    officer = world.client("off_g1")
    assert officer.get("/api/operations/plans").status_code == 403
    assert officer.get("/api/operations/plans/latest").status_code == 403
    body = {"mode": "max_cover", "budget": 1}
    assert officer.post("/api/operations/plans", json=body).status_code == 403
    assert world.client(None).get("/api/operations/plans").status_code == 401
    assert world.client("analyst").get("/api/operations/plans/latest").status_code == 404


def test_without_published_demand_a_plan_is_404_and_a_bad_request_still_422(app_world) -> None:  # type: ignore[no-untyped-def]
    client = app_world.client("analyst")
    body = {"mode": "max_cover", "budget": 1000, "time_limit_s": 3}
    missing = client.post("/api/operations/plans", json=body)
    assert missing.status_code == 404 and missing.json()["code"] == "ZG-DEMAND-002"
    bad = client.post("/api/operations/plans", json={"mode": "set_cover"})
    assert bad.status_code == 422 and bad.json()["code"] == "ZG-PLAN-050"
