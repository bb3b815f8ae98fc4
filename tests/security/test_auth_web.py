"""Authentication over HTTP: CSRF on cookie sessions, API tokens (hashed, scoped, expiring,
revocable, dead with their user) and the 三员分立 administration API."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from zhiguo.core import Role, Workspace, create_db_engine, make_sessionmaker, session_scope
from zhiguo.registry import load_records
from zhiguo.security import ApiToken, User, add_user
from zhiguo.security.audit import AuditRecord
from zhiguo.testing import SAMPLE, sample_records
from zhiguo.web.app import create_app

PASSWORD = "Web-Auth-Pass-2026!"
USERS = {
    "analyst": Role.REGULATOR_ANALYST,
    "off_g1": Role.ENTERPRISE_OFFICER,
    "sysadmin": Role.SYSTEM_ADMIN,
    "secadmin": Role.SECURITY_ADMIN,
    "auditor": Role.AUDIT_ADMIN,
}
HOST = "testserver"


@dataclass
class World:
    app: Any
    clients: list[TestClient]

    def client(self, username: str | None = None) -> TestClient:
        client = TestClient(self.app, follow_redirects=False)
        self.clients.append(client)
        if username:
            response = client.post(
                "/api/auth/login", json={"username": username, "password": PASSWORD}
            )
            assert response.status_code == 200, response.text
            client.headers["X-CSRF-Token"] = response.headers["X-CSRF-Token"]
        return client

    def db(self) -> Any:
        return session_scope(self.app.state.sessionmaker)


@pytest.fixture
def world(workspace: Workspace) -> Iterator[World]:
    """The sample registry with one user per role; no second factor here (TOTP has its own
    tests), and generous per-address limits (every test client shares one address)."""
    security = workspace.settings.security.model_copy(
        update={"mfa_required_roles": [], "login_rate_per_minute": 10_000,
                "address_failure_threshold": 10_000}
    )  # fmt: skip
    settings = workspace.settings.model_copy(update={"security": security})
    engine = create_db_engine(settings)
    with session_scope(make_sessionmaker(engine)) as session:
        enterprises, ownership = sample_records()
        load_records(session=session, enterprises=enterprises, ownership=ownership)
        for name, role in USERS.items():
            add_user(session=session, username=name, role=role, password=PASSWORD,
                     enterprise_uscc=SAMPLE["G1"] if role.needs_enterprise else None,
                     must_change_password=False)  # fmt: skip
    engine.dispose()
    result = World(app=create_app(settings), clients=[])
    try:
        yield result
    finally:
        for client in result.clients:
            client.close()
        result.app.state.engine.dispose()


def _code(response: Any) -> tuple[int, str]:
    return response.status_code, response.json().get("code", "")


# ---------------------------------------------------------------- CSRF


def test_unsafe_requests_need_the_sessions_csrf_token(world: World) -> None:
    client = world.client("analyst")
    token = client.headers.pop("X-CSRF-Token")
    body = {"scopes": ["read"], "expires": "1d"}
    assert _code(client.post("/api/auth/tokens", json=body)) == (403, "ZG-SEC-007")
    wrong = {"X-CSRF-Token": "0" * 64}
    assert _code(client.post("/api/auth/tokens", json=body, headers=wrong)) == (403, "ZG-SEC-007")
    other = world.client("off_g1").headers["X-CSRF-Token"]  # another session's token
    response = client.post("/api/auth/tokens", json=body, headers={"X-CSRF-Token": other})
    assert _code(response) == (403, "ZG-SEC-007")
    right = {"X-CSRF-Token": token}
    assert client.post("/api/auth/tokens", json=body, headers=right).status_code == 201
    assert client.get("/api/auth/tokens").status_code == 200  # safe methods need none


def test_a_foreign_origin_is_refused_even_with_the_token(world: World) -> None:
    client = world.client("analyst")
    body = {"scopes": ["read"], "expires": "1d"}
    for header in ({"Origin": "https://evil.example"}, {"Referer": "https://evil.example/x"},
                   {"Origin": "null"}):  # fmt: skip
        assert _code(client.post("/api/auth/tokens", json=body, headers=header)) == (
            403,
            "ZG-SEC-007",
        ), header
    same = {"Origin": f"http://{HOST}"}
    assert client.post("/api/auth/tokens", json=body, headers=same).status_code == 201


def test_login_csrf_a_foreign_origin_cannot_log_a_browser_in(world: World) -> None:
    client = world.client()
    body = {"username": "analyst", "password": PASSWORD}
    refused = client.post("/api/auth/login", json=body, headers={"Origin": "https://evil.example"})
    assert _code(refused) == (403, "ZG-SEC-007")
    assert "zhiguo_session" not in refused.headers.get("set-cookie", "")
    form = client.post("/login", data=body, headers={"Origin": "https://evil.example"})
    assert form.status_code == 403
    ok = client.post("/login", data=body, headers={"Origin": f"http://{HOST}"})
    assert ok.status_code == 303


def test_logout_needs_the_token_too(world: World) -> None:
    client = world.client("analyst")
    token = client.headers.pop("X-CSRF-Token")
    assert client.post("/api/auth/logout").status_code == 403
    assert client.get("/api/me").status_code == 200  # still logged in
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/api/me").status_code == 401


def test_pages_carry_the_token_for_forms_and_htmx(world: World) -> None:
    client = world.client("analyst")
    token = client.headers["X-CSRF-Token"]
    page = client.get("/", headers={"Accept": "text/html"}).text
    assert f'<meta name="csrf-token" content="{token}">' in page
    assert f'"X-CSRF-Token": "{token}"' in page  # hx-headers on <body>
    assert f'name="csrf_token" value="{token}"' in page  # the logout form


# ---------------------------------------------------------------- API tokens


def _token(world: World, username: str, scopes: list[str], expires: str = "30d") -> str:
    client = world.client(username)
    response = client.post("/api/auth/tokens", json={"scopes": scopes, "expires": expires})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["token"].startswith("zg_") and body["prefix"] == body["token"][:8]
    return str(body["token"])


def _bearer(world: World, token: str) -> TestClient:
    client = world.client()
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def test_tokens_are_stored_hashed(world: World) -> None:
    token = _token(world, "analyst", ["read"])
    with world.db() as session:
        stored = session.scalars(select(ApiToken.token_hash)).all()
    assert stored and token not in stored and all(len(h) == 64 for h in stored)


def test_a_bearer_token_works_without_cookie_or_csrf(world: World) -> None:
    client = _bearer(world, _token(world, "analyst", ["read", "write"]))
    assert client.get("/api/me").json()["username"] == "analyst"
    response = client.post("/api/registry/import")  # write scope: reaches the route (no file)
    assert response.status_code == 422


def test_scopes_read_cannot_write_and_areas_are_kept(world: World) -> None:
    reader = _bearer(world, _token(world, "analyst", ["read"]))
    assert reader.get("/api/registry/enterprises").status_code == 200
    assert _code(reader.post("/api/registry/import")) == (403, "ZG-SEC-008")
    area = _bearer(world, _token(world, "analyst", ["read:supervision"]))
    assert _code(area.get("/api/registry/enterprises")) == (403, "ZG-SEC-008")
    assert area.get("/api/supervision/indicators").status_code != 403
    # a token reaches neither token management nor administration nor pages
    assert _code(reader.get("/api/auth/tokens")) == (403, "ZG-SEC-008")
    assert reader.get("/", headers={"Accept": "application/json"}).status_code in {401, 403}


def test_unknown_scopes_and_lifetimes_are_refused(world: World) -> None:
    client = world.client("analyst")
    for body in ({"scopes": ["admin"]}, {"scopes": ["read:nowhere"]},
                 {"scopes": ["read"], "expires": "9999d"}, {"scopes": ["read"], "expires": "0d"},
                 {"scopes": ["read"], "role": "security-admin"}):  # fmt: skip
        assert client.post("/api/auth/tokens", json=body).status_code == 422, body


def test_revoked_expired_and_disabled_tokens_stop_at_once(world: World) -> None:
    owner = world.client("off_g1")
    created = owner.post("/api/auth/tokens", json={"scopes": ["read"], "expires": "1d"}).json()
    bearer = _bearer(world, created["token"])
    assert bearer.get("/api/me").status_code == 200
    assert owner.delete(f"/api/auth/tokens/{created['id']}").status_code == 204
    assert _code(bearer.get("/api/me")) == (401, "ZG-SEC-009")
    assert [t["revoked"] for t in owner.get("/api/auth/tokens").json()] == [True]
    # someone else's token id is "not found"
    assert world.client("analyst").delete(f"/api/auth/tokens/{created['id']}").status_code == 404

    expiring = _bearer(world, _token(world, "off_g1", ["read"]))
    with world.db() as session:
        for record in session.scalars(select(ApiToken).where(ApiToken.revoked.is_(False))):
            record.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    assert _code(expiring.get("/api/me")) == (401, "ZG-SEC-009")

    live = _bearer(world, _token(world, "off_g1", ["read"]))
    session_client = world.client("off_g1")
    assert live.get("/api/me").status_code == 200
    sysadmin = world.client("sysadmin")
    with world.db() as session:
        off_id = session.scalar(select(User.id).where(User.username == "off_g1"))
    assert sysadmin.post(f"/api/admin/users/{off_id}/disable").status_code == 200
    assert _code(live.get("/api/me")) == (401, "ZG-SEC-009")
    assert session_client.get("/api/me").status_code == 401


# ---------------------------------------------------------------- 三员分立


def _user_id(world: World, username: str) -> int:
    with world.db() as session:
        found = session.scalar(select(User.id).where(User.username == username))
    assert found is not None
    return found


def test_the_system_admin_keeps_accounts_not_policy(world: World) -> None:
    sysadmin = world.client("sysadmin")
    created = sysadmin.post("/api/admin/users", json={"username": "new1", "role": "public"})
    assert created.status_code == 201
    body = created.json()
    assert body["must_change_password"] and len(body["initial_password"]) == 16
    admin_role = {"username": "new2", "role": "security-admin"}
    assert _code(sysadmin.post("/api/admin/users", json=admin_role)) == (403, "ZG-SEC-015")
    target = _user_id(world, "off_g1")
    role = {"role": "regulator-analyst"}
    assert _code(sysadmin.post(f"/api/admin/users/{target}/role", json=role)) == (
        403,
        "ZG-SEC-015",
    )
    assert sysadmin.post(f"/api/admin/users/{target}/clearance",
                         json={"clearance": "core"}).status_code == 403  # fmt: skip
    assert sysadmin.post(f"/api/admin/users/{target}/disable").status_code == 200


def test_only_the_security_admin_edits_policy_and_never_their_own(world: World) -> None:
    secadmin = world.client("secadmin")
    target = _user_id(world, "analyst")
    changed = secadmin.post(f"/api/admin/users/{target}/clearance", json={"clearance": "core"})
    assert changed.status_code == 200 and changed.json()["clearance"] == "core"
    promoted = secadmin.post(f"/api/admin/users/{target}/role", json={"role": "regulator-leader"})
    assert promoted.status_code == 200 and promoted.json()["role"] == "regulator-leader"
    me = _user_id(world, "secadmin")
    assert _code(secadmin.post(f"/api/admin/users/{me}/role", json={"role": "system-admin"})) == (
        403,
        "ZG-SEC-015",
    )
    assert _code(secadmin.post("/api/admin/users", json={"username": "x", "role": "public"})) == (
        403,
        "ZG-SEC-015",
    )
    assert secadmin.post(f"/api/admin/users/{target}/disable").status_code == 403
    with world.db() as session:
        events = session.execute(
            select(AuditRecord.event_type, AuditRecord.username).order_by(AuditRecord.seq)
        ).all()
    assert ("policy.change", "secadmin") in events
    assert ("user.role_change", "secadmin") in events


def test_the_audit_admin_and_everyone_else_change_nothing(world: World) -> None:
    target = _user_id(world, "off_g1")
    for name in ("auditor", "analyst", "off_g1"):
        client = world.client(name)
        assert client.get("/api/admin/users").status_code == 403, name
        assert client.post("/api/admin/users", json={"username": "y", "role": "public"}
                           ).status_code == 403, name  # fmt: skip
        for action, body in (("disable", None), ("role", {"role": "public"}),
                             ("clearance", {"clearance": "core"})):  # fmt: skip
            response = client.post(f"/api/admin/users/{target}/{action}", json=body)
            assert response.status_code == 403, (name, action)
        # an id that does not exist answers the same: no probing for accounts
        assert client.post("/api/admin/users/99999/disable").status_code == 403


# ---------------------------------------------------------------- limits over HTTP


def test_login_answers_429_over_the_address_rate_limit(world: World) -> None:
    settings = world.app.state.settings
    strict = settings.security.model_copy(update={"login_rate_per_minute": 3})
    app = create_app(settings.model_copy(update={"security": strict}))
    body = {"username": "analyst", "password": PASSWORD}
    try:
        with TestClient(app) as client:
            codes = [client.post("/api/auth/login", json=body).status_code for _ in range(4)]
            form = client.post("/login", data=body, headers={"Accept": "text/html"})
    finally:
        app.state.engine.dispose()
    assert codes == [200, 200, 200, 429]
    assert form.status_code == 429 and "稍后再试" in form.text
