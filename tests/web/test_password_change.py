"""Initial passwords must be changed before anything else (等保 身份鉴别)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from zhiguo.core import Role, create_db_engine, make_sessionmaker, session_scope
from zhiguo.security import add_user

NEW = "Brand-New-Pass-42!"


def _new_user(app_world: Any) -> tuple[TestClient, str]:
    engine = create_db_engine(app_world.settings)
    with session_scope(make_sessionmaker(engine)) as session:
        created = add_user(session=session, username="newbie", role=Role.REGULATOR_ANALYST)
    engine.dispose()
    assert created.password is not None
    client = app_world.client(None)
    body = {"username": "newbie", "password": created.password}
    assert client.post("/api/auth/login", json=body).status_code == 200
    return client, created.password


def test_everything_waits_for_the_change(app_world: Any) -> None:
    client, initial = _new_user(app_world)
    blocked = client.get("/api/registry/enterprises")
    assert blocked.status_code == 403 and blocked.json()["code"] == "ZG-SEC-003"
    page = client.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 303 and page.headers["location"] == "/account/password"
    assert "须先修改密码" in client.get("/account/password").text
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
    assert client.get("/api/registry/enterprises").status_code == 200
    fresh = app_world.client(None)
    assert (
        fresh.post("/api/auth/login", json={"username": "newbie", "password": initial}).status_code
        == 401
    )
    assert (
        fresh.post("/api/auth/login", json={"username": "newbie", "password": NEW}).status_code
        == 200
    )


def test_the_form_changes_it_and_goes_home(app_world: Any) -> None:
    client, initial = _new_user(app_world)
    response = client.post(
        "/account/password",
        data={"current_password": initial, "new_password": NEW},
        headers={"Accept": "text/html"},
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert client.get("/", headers={"Accept": "text/html"}).status_code == 200
