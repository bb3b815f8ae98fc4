"""入侵防范 over HTTP: probing other groups raises an alert the security admin sees, and
administrators work only from the management address ranges."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from zhiguo.core import Role, session_scope
from zhiguo.security import add_user
from zhiguo.security.audit import AuditRecord
from zhiguo.testing import test_uscc

SECADMIN = ("secadmin", "Sec-Admin-2024!x")


def _add_secadmin(world: Any) -> None:
    with session_scope(world.app.state.sessionmaker) as session:
        add_user(
            session=session,
            username=SECADMIN[0],
            role=Role.SECURITY_ADMIN,
            password=SECADMIN[1],
            must_change_password=False,
        )


def _client_from(world: Any, address: str, username: str, password: str) -> tuple[TestClient, Any]:
    client = TestClient(world.app, follow_redirects=False, client=(address, 40000))
    world._clients.append(client)
    world.enrol_totp(username)
    return client, world.log_in(client, username, password)


def test_an_officer_enumerating_enterprise_codes_raises_one_alert(app_world: Any) -> None:
    _add_secadmin(app_world)
    prober = app_world.client("off_g2")
    threshold = app_world.settings.security.denied_alert_threshold
    for i in range(threshold + 5):
        assert prober.get(f"/api/registry/enterprises/{test_uscc(500 + i)}").status_code == 404
    secadmin, login = _client_from(app_world, "127.0.0.1", *SECADMIN)
    assert login.status_code == 200, login.text
    alerts = secadmin.get("/api/security/alerts")
    assert alerts.status_code == 200, alerts.text
    probes = [a for a in alerts.json() if a["kind"] == "access_probe"]
    assert [a["subject"] for a in probes if a["subject"].startswith("user:")] == ["user:off_g2"]
    with session_scope(app_world.app.state.sessionmaker) as session:
        denied = session.scalars(
            select(AuditRecord).where(
                AuditRecord.event_type == "access.denied", AuditRecord.username == "off_g2"
            )
        ).all()
    assert len(denied) == threshold + 5  # every refusal on record, one alert for the run


def test_administrators_work_only_from_the_management_networks(app_world: Any) -> None:
    _add_secadmin(app_world)
    security = app_world.settings.security.model_copy(update={"admin_networks": ["10.8.0.0/16"]})
    app_world.app.state.settings = app_world.settings.model_copy(update={"security": security})
    password = app_world.users["admin"].password
    _outside, refused = _client_from(app_world, "192.0.2.7", "admin", password)
    assert refused.status_code == 403 and refused.json()["code"] == "ZG-SEC-016"
    inside, login = _client_from(app_world, "10.8.3.4", "admin", password)
    assert login.status_code == 200, login.text
    assert inside.get("/api/me").status_code == 200
    # a business user is not an administrator: any address will do
    analyst, login = _client_from(
        app_world, "192.0.2.7", "analyst", app_world.users["analyst"].password
    )
    assert login.status_code == 200 and analyst.get("/api/me").status_code == 200
    # a session opened inside is useless from outside
    inside_cookie = inside.cookies.get("zhiguo_session")
    assert inside_cookie
    moved = TestClient(app_world.app, follow_redirects=False, client=("192.0.2.7", 40001))
    app_world._clients.append(moved)
    moved.cookies.set("zhiguo_session", inside_cookie)
    answer = moved.get("/api/me")
    assert answer.status_code == 403 and answer.json()["code"] == "ZG-SEC-016"


def test_a_rejected_submission_is_on_record_as_a_failure(app_world: Any) -> None:
    """The submission's own records roll back with it; the failure is audited apart."""
    files = {"file": ("broken.csv", b"not,a,flash,report\n1,2,3,4\n")}
    response = app_world.client("off_g1").post("/api/ingest/flash_report", files=files)
    assert response.status_code == 422, response.text
    with session_scope(app_world.app.state.sessionmaker) as session:
        failed = session.scalars(
            select(AuditRecord).where(AuditRecord.event_type == "request.failed")
        ).all()
    assert [(r.username, r.object, r.result) for r in failed] == [
        ("off_g1", "POST /api/ingest/flash_report", "failure")
    ]
    assert response.json()["code"] in failed[0].detail
