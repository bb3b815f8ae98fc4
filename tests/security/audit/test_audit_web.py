"""The audit routes answer the audit administrator only (三员分立), list, export (audited)
and verify; every response carries an ``X-Request-ID`` that audit records can name."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from zhiguo.core import Role, Workspace, create_db_engine, make_sessionmaker, session_scope
from zhiguo.security import add_user
from zhiguo.security.audit import AuditRecord, record_event
from zhiguo.web.app import create_app, route_table

PASSWORD = "Audit-Test-Pass-2024!"
ROLES = {
    "auditor": Role.AUDIT_ADMIN,
    "sysadmin": Role.SYSTEM_ADMIN,
    "secadmin": Role.SECURITY_ADMIN,
    "operator": Role.PLATFORM_ADMIN,
    "analyst": Role.REGULATOR_ANALYST,
    "leader": Role.REGULATOR_LEADER,
}


@pytest.fixture
def audit_app(workspace: Workspace) -> Iterator[dict[str, TestClient]]:
    """The app with one user per administrative role (second factor off for the test)."""
    security = workspace.settings.security.model_copy(
        update={"mfa_required_roles": [], "login_rate_per_minute": 100_000}
    )
    settings = workspace.settings.model_copy(update={"security": security})
    engine = create_db_engine(settings)
    with session_scope(make_sessionmaker(engine)) as s:
        for name, role in ROLES.items():
            add_user(
                session=s, username=name, role=role, password=PASSWORD, must_change_password=False
            )
        record_event(s, event_type="data.export", object="report-2026-10.xlsx")
    engine.dispose()
    app = create_app(settings)
    clients: dict[str, TestClient] = {"anonymous": TestClient(app, follow_redirects=False)}
    for name in ROLES:
        client = TestClient(app, follow_redirects=False)
        r = client.post("/api/auth/login", json={"username": name, "password": PASSWORD})
        assert r.status_code == 200, r.text
        clients[name] = client
    yield clients
    for c in clients.values():
        c.close()
    app.state.engine.dispose()


AUDIT_ROUTES = ["/audit", "/api/audit/records", "/api/audit/export", "/api/audit/verify"]


def test_the_audit_routes_are_the_ones_checked(audit_app: dict[str, TestClient]) -> None:
    app = audit_app["auditor"].app
    served = {r["path"] for r in route_table(app) if "audit" in r["path"]}  # type: ignore[arg-type]
    assert served == set(AUDIT_ROUTES)


def test_nobody_but_the_audit_admin_reads_the_log(audit_app: dict[str, TestClient]) -> None:
    for who in ("sysadmin", "secadmin", "operator", "analyst", "leader"):
        for path in AUDIT_ROUTES:
            r = audit_app[who].get(path)
            assert r.status_code in (403, 404), (who, path, r.status_code)
            assert "report-2026-10" not in r.text
    for path in AUDIT_ROUTES:
        assert audit_app["anonymous"].get(path).status_code in (401, 303, 307)


def test_the_audit_admin_lists_exports_and_verifies(audit_app: dict[str, TestClient]) -> None:
    c = audit_app["auditor"]
    r = c.get("/api/audit/records", params={"event_type": "data.export"})
    assert r.status_code == 200
    assert r.headers["X-Request-ID"] and len(r.headers["X-Request-ID"]) == 32
    body = r.json()
    assert body["total"] == 1 and body["items"][0]["object"] == "report-2026-10.xlsx"
    assert body["items"][0]["at"].endswith("+08:00")

    r = c.get("/api/audit/export", params={"format": "jsonl"})
    assert r.status_code == 200
    lines = [json.loads(x) for x in r.text.splitlines()]
    assert lines[-1]["event_type"] == "audit.export"  # the export audited itself first
    assert (
        lines[-1]["username"] == "auditor" and lines[-1]["request_id"] == r.headers["X-Request-ID"]
    )

    r = c.get("/api/audit/export", params={"format": "csv"})
    assert r.status_code == 200 and r.text.startswith("seq,at,user_id,username")

    r = c.get("/api/audit/verify")
    assert r.status_code == 200 and r.json()["ok"] is True

    page = c.get("/audit", params={"lang": "en"})
    assert page.status_code == 200 and "Security audit log" in page.text
    assert "report-2026-10.xlsx" in page.text
    assert "安全审计日志" in c.get("/audit").text


def test_a_denied_attempt_names_no_records(audit_app: dict[str, TestClient]) -> None:
    r = audit_app["sysadmin"].get("/api/audit/export", params={"format": "jsonl"})
    assert r.status_code == 403
    engine = audit_app["auditor"].app.state.engine
    with make_sessionmaker(engine)() as s:
        kinds = s.execute(select(AuditRecord.event_type)).scalars().all()
    assert "audit.export" not in kinds


def test_an_export_is_audited_with_its_request_id(audit_app: dict[str, TestClient]) -> None:
    r = audit_app["analyst"].get("/api/registry/export")
    assert r.status_code == 200
    rid = r.headers["X-Request-ID"]
    found = audit_app["auditor"].get(
        "/api/audit/records", params={"user": "analyst", "event_type": "data.export"}
    )
    items = found.json()["items"]
    assert len(items) == 1
    assert items[0]["object"] == "registry.xlsx" and items[0]["request_id"] == rid
    assert items[0]["client_addr"] == "testclient"
