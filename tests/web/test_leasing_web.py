"""Leasing over HTTP: the carrier files and leases, the owning group walks the lifecycle,
every step is audited; out-of-view objects are 404; the pipeline pages render."""

from __future__ import annotations

from typing import Any

import pytest
from leasing_world import CENTRE, add_carrier_users, add_site, file_request
from sqlalchemy import select

from zhiguo.security.audit.models import AuditRecord


@pytest.fixture
def world(app_world: Any) -> Any:
    add_carrier_users(app_world)
    return app_world


def _step(client: Any, lease_id: int, to: str, **kw: Any) -> Any:
    return client.post(f"/api/operations/leases/{lease_id}/transition", json={"to": to, **kw})


def test_a_lease_from_request_to_active_over_the_api(world: Any) -> None:
    site = add_site(world, "A1", dx=300)
    add_site(world, "B1", dx=-300)
    mobile = world.client("cm_mobile")
    req = file_request(mobile, min_height_m=20)
    assert req["carrier"] == "mobile" and req["status"] == "open"
    matches = mobile.get(f"/api/operations/carrier-requests/{req['id']}/matches")
    assert matches.status_code == 200, matches.text
    body = matches.json()
    assert body["weighting"] == "uniform" and len(body["candidates"]) == 2
    first = body["candidates"][0]
    assert set(first) >= {"site_id", "lon", "lat", "site_type", "height_m", "owner"}
    assert not set(first) & {"carriers", "status", "rent_cny_year"}
    created = mobile.post("/api/operations/leases", json={"request_id": req["id"], "site_id": site})
    assert created.status_code == 201, created.text
    lease_id = created.json()["lease"]["id"]
    assert created.json()["allowed"] == ["withdrawn"]
    # the carrier cannot survey; the other group does not see the lease at all
    assert _step(mobile, lease_id, "survey").status_code == 409
    assert _step(world.client("off_g2"), lease_id, "survey").status_code == 404
    owner = world.client("off_g1")  # A1 belongs to G1
    assert _step(owner, lease_id, "survey").status_code == 200
    assert _step(owner, lease_id, "approval").status_code == 200
    no_rent = _step(owner, lease_id, "contract", start="2026-01-01", end="2026-12-31")
    assert no_rent.status_code == 422 and no_rent.json()["code"] == "ZG-LEASE-004"
    illegal = _step(owner, lease_id, "active")
    assert illegal.status_code == 409 and illegal.json()["code"] == "ZG-LEASE-010"
    assert "(approval)" in illegal.json()["detail"] and "(active)" in illegal.json()["detail"]
    ok = _step(
        owner, lease_id, "contract", rent_cny_year="36500", start="2026-01-01", end="2026-12-31"
    )
    assert ok.status_code == 200, ok.text
    active = _step(owner, lease_id, "active", note="设备已开通")
    assert active.status_code == 200
    detail = active.json()
    assert detail["lease"]["state"] == "active"
    assert [(e["from_state"], e["to_state"]) for e in detail["events"]] == [
        (None, "request"), ("request", "survey"), ("survey", "approval"),
        ("approval", "contract"), ("contract", "active"),
    ]  # fmt: skip
    with world.app.state.sessionmaker() as session:
        audited = session.scalars(
            select(AuditRecord.object).where(AuditRecord.event_type == "lease.transition")
        ).all()
    assert audited.count(f"lease/{lease_id}") == 5  # create + 4 steps; refused ones not
    revenue = world.client("off_g1").get("/api/operations/leases/revenue?period=2026-03")
    assert revenue.status_code == 200
    assert revenue.json()["total_cny"] == "3100.00"  # 36 500 × 31 / 365
    assert (
        world.client("off_g2").get("/api/operations/leases/revenue?year=2026").json()["rows"] == []
    )
    assert mobile.get("/api/operations/leases/revenue?year=2026").status_code == 403


def test_a_carrier_reading_another_carriers_request_gets_404(world: Any) -> None:
    theirs = file_request(world.client("ct_telecom"))
    mobile = world.client("cm_mobile")
    assert mobile.get(f"/api/operations/carrier-requests/{theirs['id']}").status_code == 404
    assert mobile.get(f"/api/operations/carrier-requests/{theirs['id']}/matches").status_code == (
        404
    )
    assert mobile.get("/api/operations/carrier-requests").json() == []
    site = add_site(world, "A1")
    response = mobile.post(
        "/api/operations/leases", json={"request_id": theirs["id"], "site_id": site}
    )
    assert response.status_code == 404


def test_an_enterprise_reading_another_groups_lease_gets_404(world: Any) -> None:
    mobile = world.client("cm_mobile")
    req = file_request(mobile)
    site = add_site(world, "B11")  # G2's
    lease = mobile.post("/api/operations/leases", json={"request_id": req["id"], "site_id": site})
    lease_id = lease.json()["lease"]["id"]
    g1, g2 = world.client("off_g1"), world.client("off_g2")
    assert g1.get(f"/api/operations/leases/{lease_id}").status_code == 404
    assert g1.get(f"/operations/leases/{lease_id}").status_code == 404
    assert g1.get("/api/operations/leases").json() == []
    assert g2.get(f"/api/operations/leases/{lease_id}").status_code == 200
    assert [r["id"] for r in g2.get("/api/operations/carrier-requests").json()] == [req["id"]]
    assert g1.get(f"/api/operations/carrier-requests/{req['id']}").status_code == 404
    assert world.client("analyst").get(f"/api/operations/leases/{lease_id}").status_code == 200


def test_the_public_and_anonymous_are_turned_away(world: Any) -> None:
    anonymous = world.client(None)
    assert anonymous.get("/api/operations/leases").status_code == 401
    assert (
        world.client("off_g1")
        .post(
            "/api/operations/carrier-requests",
            json={"band": "n78", "lon": CENTRE[0], "lat": CENTRE[1], "radius_m": 500},
        )
        .status_code
        == 403
    )


def test_the_pipeline_and_detail_pages(world: Any) -> None:
    mobile = world.client("cm_mobile")
    req = file_request(mobile)
    site = add_site(world, "A2")
    lease_id = mobile.post(
        "/api/operations/leases", json={"request_id": req["id"], "site_id": site}
    ).json()["lease"]["id"]
    owner = world.client("off_g1")
    page = owner.get("/operations/leases")
    assert page.status_code == 200
    assert 'data-testid="count-request">1<' in page.text
    assert f'href="/operations/leases/{lease_id}"' in page.text
    english = owner.get("/operations/leases?lang=en")
    assert "Lease pipeline" in english.text
    detail = owner.get(f"/operations/leases/{lease_id}")
    assert detail.status_code == 200
    assert 'data-testid="form-survey"' in detail.text and 'name="csrf_token"' in detail.text
    assert 'data-testid="form-withdrawn"' not in detail.text  # the carrier's step
    # the page's form: success redirects; a contract without rent shows the error in place
    posted = owner.post(f"/operations/leases/{lease_id}/transition", data={"to": "survey"})
    assert posted.status_code == 303
    owner.post(f"/operations/leases/{lease_id}/transition", data={"to": "approval"})
    refused = owner.post(
        f"/operations/leases/{lease_id}/transition",
        data={"to": "contract", "start": "2026-01-01", "end": "2026-12-31"},
    )
    assert refused.status_code == 422 and "ZG-LEASE-004" in refused.text
    history = owner.get(f"/operations/leases/{lease_id}")
    assert history.text.count("<li data-to=") == 3
    # without the CSRF token a form post is refused
    bare = world.client(None)
    bare.cookies.update(owner.cookies)
    assert (
        bare.post(f"/operations/leases/{lease_id}/transition", data={"to": "contract"}).status_code
        == 403
    )


def test_a_carrier_user_logs_in_and_sees_its_pipeline(world: Any) -> None:
    mobile, telecom = world.client("cm_mobile"), world.client("ct_telecom")
    assert mobile.get("/").status_code == 200
    req = file_request(mobile)
    site = add_site(world, "A1")
    lease_id = mobile.post(
        "/api/operations/leases", json={"request_id": req["id"], "site_id": site}
    ).json()["lease"]["id"]
    page = mobile.get("/operations/leases")
    assert page.status_code == 200 and f'data-lease="{lease_id}"' in page.text
    assert 'data-testid="form-withdrawn"' in mobile.get(f"/operations/leases/{lease_id}").text
    other = telecom.get("/operations/leases")
    assert other.status_code == 200 and f'data-lease="{lease_id}"' not in other.text
    assert telecom.get(f"/operations/leases/{lease_id}").status_code == 404


def test_only_the_requesting_carrier_withdraws_a_request(world: Any) -> None:
    mobile = world.client("cm_mobile")
    req = file_request(mobile)
    url = f"/api/operations/carrier-requests/{req['id']}/withdraw"
    # another carrier does not see the request at all; an enterprise may not withdraw
    assert world.client("ct_telecom").post(url, json={"note": "x"}).status_code == 404
    assert world.client("off_g1").post(url, json={"note": "x"}).status_code == 403
    assert world.client(None).post(url, json={"note": "x"}).status_code == 401
    done = mobile.post(url, json={"note": "需求取消"})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "withdrawn"
    again = mobile.post(url, json={"note": "again"})
    assert again.status_code == 409
