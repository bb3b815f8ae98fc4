"""Initial passwords must be changed, then (for regulator and admin roles) a second factor
enrolled, before anything else (等保 身份鉴别)."""

from __future__ import annotations

import re
import time
from typing import Any

from fastapi.testclient import TestClient

from zhiguo.core import Role, create_db_engine, make_sessionmaker, session_scope
from zhiguo.security import add_user
from zhiguo.security.totp import code_at

NEW = "Brand-New-Pass-42!"


def _new_user(app_world: Any, role: Role = Role.REGULATOR_ANALYST) -> tuple[TestClient, str]:
    engine = create_db_engine(app_world.settings)
    with session_scope(make_sessionmaker(engine)) as session:
        created = add_user(session=session, username="newbie", role=role)
    engine.dispose()
    assert created.password is not None
    client = app_world.client(None)
    assert app_world.log_in(client, "newbie", created.password).status_code == 200
    return client, created.password


def _secret_from_page(client: TestClient) -> str:
    page = client.get("/account/totp", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "<svg" in page.text  # the QR code, inline
    match = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page.text)
    assert match is not None
    return match.group(1).replace(" ", "")


def test_everything_waits_for_the_change_then_the_second_factor(app_world: Any) -> None:
    client, initial = _new_user(app_world)
    blocked = client.get("/api/registry/enterprises")
    assert blocked.status_code == 403 and blocked.json()["code"] == "ZG-SEC-003"
    page = client.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 303 and page.headers["location"] == "/account/password"
    assert "须先修改密码" in client.get("/account/password").text
    assert client.get("/account/totp").status_code == 403  # the password comes first
    weak = client.post(
        "/api/auth/password", json={"current_password": initial, "new_password": "short"}
    )
    assert weak.status_code == 422 and weak.json()["code"] == "ZG-SEC-011"
    same = client.post(
        "/api/auth/password", json={"current_password": initial, "new_password": initial}
    )
    assert same.status_code == 422
    done = client.post(
        "/api/auth/password", json={"current_password": initial, "new_password": NEW}
    )
    assert done.status_code == 204
    # a regulator role needs a second factor: only enrolment is open now
    gated = client.get("/api/registry/enterprises")
    assert gated.status_code == 403 and gated.json()["code"] == "ZG-SEC-006"
    page = client.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 303 and page.headers["location"] == "/account/totp"
    secret = _secret_from_page(client)
    assert _secret_from_page(client) == secret  # reloading shows the same pending secret
    wrong = client.post("/api/auth/totp/enrol", json={"code": "000000"})
    assert wrong.status_code == 422 and wrong.json()["code"] == "ZG-SEC-014"
    enrol = client.post("/api/auth/totp/enrol", json={"code": code_at(secret, time.time())})
    assert enrol.status_code == 204
    assert client.get("/api/registry/enterprises").status_code == 200

    fresh = app_world.client(None)
    old = fresh.post("/api/auth/login", json={"username": "newbie", "password": initial})
    assert old.status_code == 401 and old.json()["code"] == "ZG-SEC-001"
    no_code = fresh.post("/api/auth/login", json={"username": "newbie", "password": NEW})
    assert no_code.status_code == 401 and no_code.json()["code"] == "ZG-SEC-005"
    app_world.totp_secrets["newbie"] = secret
    assert app_world.log_in(fresh, "newbie", NEW).status_code == 200
    assert fresh.get("/api/registry/enterprises").status_code == 200


def test_the_form_changes_it_and_goes_home(app_world: Any) -> None:
    client, initial = _new_user(app_world, Role.PUBLIC)
    response = client.post(
        "/account/password",
        data={"current_password": initial, "new_password": NEW},
        headers={"Accept": "text/html"},
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert client.get("/", headers={"Accept": "text/html"}).status_code == 200


def test_the_form_needs_the_csrf_token(app_world: Any) -> None:
    client, initial = _new_user(app_world, Role.PUBLIC)
    token = client.headers.pop("X-CSRF-Token")
    form = {"current_password": initial, "new_password": NEW}
    refused = client.post("/account/password", data=form)
    assert refused.status_code == 403 and refused.json()["code"] == "ZG-SEC-007"
    page = client.get("/account/password", headers={"Accept": "text/html"}).text
    assert f'name="csrf_token" value="{token}"' in page
    accepted = client.post("/account/password", data=form | {"csrf_token": token})
    assert accepted.status_code == 303


def test_a_password_change_ends_every_other_session_of_the_user(app_world: Any) -> None:
    """Whoever logged in with the old password (another browser) is logged out; the browser
    that made the change stays in."""
    elsewhere = app_world.client("off_g1")
    here = app_world.client("off_g1")
    old = app_world.users["off_g1"].password
    changed = here.post(
        "/api/auth/password", json={"current_password": old, "new_password": "Fresh-Pass-2031!"}
    )
    assert changed.status_code == 204, changed.text
    assert here.get("/api/me").status_code == 200
    ended = elsewhere.get("/api/me")
    assert ended.status_code == 401 and ended.json()["code"] == "ZG-SEC-002"
