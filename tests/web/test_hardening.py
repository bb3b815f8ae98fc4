"""Hardening of every response (等保 入侵防范, 剩余信息): security headers, strict request
bodies, and problem+json that never leaks a stack trace, SQL, a path, a submitted secret or
whether another tenant's object exists."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from zhiguo.core.errors import ConfigError
from zhiguo.security import csrf_token_for, load_session_key
from zhiguo.testing import SAMPLE, test_uscc
from zhiguo.web.app import create_app
from zhiguo.web.deps import SESSION_COOKIE
from zhiguo.web.policy import AUTHENTICATED

EXPECTED_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}


def _assert_hardened(response: Any) -> None:
    for key, value in EXPECTED_HEADERS.items():
        assert response.headers.get(key) == value, key
    assert "default-src 'self'" in response.headers["content-security-policy"]
    policy = response.headers["permissions-policy"]
    assert all(f"{f}=()" in policy for f in ("camera", "microphone", "geolocation"))
    assert "server" not in response.headers


def test_every_kind_of_response_carries_the_security_headers(app_world: Any) -> None:
    anonymous, analyst = app_world.client(), app_world.client("analyst")
    for response in (
        anonymous.get("/healthz"),
        anonymous.get("/api/registry/enterprises"),  # 401 problem
        anonymous.get("/login"),
        analyst.get("/api/registry/enterprises"),
        analyst.get("/api/no-such-route"),
    ):
        _assert_hardened(response)
        assert "strict-transport-security" not in response.headers  # not behind TLS
    assert analyst.get("/api/me").headers["cache-control"] == "no-store"


def test_hsts_is_sent_behind_tls(app_world: Any) -> None:
    security = app_world.settings.security.model_copy(update={"cookie_secure": True})
    app = create_app(app_world.settings.model_copy(update={"security": security}))
    try:
        with TestClient(app) as client:
            hsts = client.get("/healthz").headers["strict-transport-security"]
    finally:
        app.state.engine.dispose()
    assert re.fullmatch(r"max-age=(\d+); includeSubDomains", hsts)
    assert int(hsts.split("=")[1].split(";")[0]) >= 180 * 86400


def csrf_client(app_world: Any, username: str) -> TestClient:
    """A client logged in as ``username`` that sends its CSRF token on unsafe requests."""
    client: TestClient = app_world.client(username)
    if "x-csrf-token" not in client.headers:
        key = getattr(app_world.app.state, "session_key", None) or load_session_key(
            app_world.settings.workspace
        )
        client.headers["X-CSRF-Token"] = csrf_token_for(client.cookies[SESSION_COOKIE], key)
    return client


def _json_body_operations(app_world: Any) -> list[tuple[str, str, bool]]:
    """(method, path, whether the body is a declared model) of every JSON-body operation."""
    schema = app_world.app.openapi()
    out = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            content = (op.get("requestBody") or {}).get("content") or {}
            if "application/json" in content:
                body = content["application/json"].get("schema") or {}
                out.append((method, path, "$ref" in body))
    return out


# Bodies in a documented file format, parsed and checked field by field by the domain
# (the indicator library's TOML/JSON shape), rather than by a request model.
FREE_FORM_BODIES = {("post", "/api/supervision/indicators")}


def test_every_json_body_refuses_unknown_fields(app_world: Any) -> None:
    operations = _json_body_operations(app_world)
    assert ("post", "/api/auth/login", True) in operations and len(operations) >= 5
    assert {(m, p) for m, p, model in operations if not model} == FREE_FORM_BODIES
    analyst = csrf_client(app_world, "analyst")
    admin = csrf_client(app_world, "admin")  # files carrier requests on a carrier's behalf
    for method, path, model in operations:
        url = re.sub(r"\{[^}]+\}", "1", path)
        caller = admin if path.startswith("/api/operations/carrier-requests") else analyst
        response = caller.request(method, url, json={"sneaky_field": "x"})
        assert response.status_code == 422, (path, response.text)
        body = response.json()
        assert response.headers["content-type"].startswith("application/problem+json")
        if model:
            assert any(
                e["loc"][-1] == "sneaky_field" and e["type"] == "extra_forbidden"
                for e in body.get("errors", [])
            ), (method, path, body)


def test_a_422_never_echoes_what_was_sent(app_world: Any) -> None:
    client = app_world.client()
    secret = "Hunter2-Very-Secret-Passw0rd"
    for body in (
        {"username": "analyst", "password": secret * 20},  # too long
        {"username": "analyst", "password": secret, "role": secret},  # unknown field
        {"username": ["analyst"], "password": secret},  # wrong type, secret beside it
        {"username": secret, "password": 12345678},  # a number for a string
    ):
        response = client.post("/api/auth/login", json=body)
        assert response.status_code == 422, response.text
        assert secret not in response.text and "12345678" not in response.text
        assert all("input" not in e and "ctx" not in e for e in response.json()["errors"])


LEAKS = ("Traceback", 'File "', "SELECT", "/etc/", "zhiguo_internal", ".py", SAMPLE["B11"])


def _assert_no_leak(response: Any) -> None:
    text = response.text
    assert not any(leak in text for leak in LEAKS), text


def test_an_unhandled_error_is_a_generic_500_with_the_request_id(app_world: Any) -> None:
    def boom() -> None:
        raise RuntimeError(
            f'SELECT * FROM users WHERE uscc = "{SAMPLE["B11"]}"; '
            'File "/etc/zhiguo_internal/service.py", line 3'
        )

    def misconfigured() -> None:
        raise ConfigError("/etc/zhiguo_internal/zhiguo.toml 无效", "/etc/zhiguo_internal bad")

    app_world.app.add_api_route("/api/test-boom", boom, dependencies=[AUTHENTICATED])
    app_world.app.add_api_route(
        "/api/test-misconfigured", misconfigured, dependencies=[AUTHENTICATED]
    )
    client = app_world.client("analyst")
    for path, code in (("/api/test-boom", "ZG-000"), ("/api/test-misconfigured", "ZG-CONF-001")):
        response = client.get(path)
        assert response.status_code == 500
        assert response.headers["content-type"].startswith("application/problem+json")
        body = response.json()
        assert body["code"] == code and body["status"] == 500
        assert re.fullmatch(r"[0-9a-f]{32}", body["request_id"])
        assert body["request_id"] in body["detail"]
        assert response.headers["x-request-id"] == body["request_id"]
        _assert_no_leak(response)
        _assert_hardened(response)


@pytest.mark.parametrize(
    "path",
    ["/api/registry/enterprises/{uscc}", "/api/supervision/enterprises/{uscc}"],
)
def test_another_tenants_object_looks_exactly_like_a_missing_one(app_world: Any, path: str) -> None:
    """``off_g2`` asks for A1 (group G1) and for a code nobody has: the same 404."""
    client = app_world.client("off_g2")
    theirs = client.get(path.format(uscc=SAMPLE["A1"]))
    nobody = client.get(path.format(uscc=test_uscc(99)))
    assert theirs.status_code == nobody.status_code == 404

    def shape(response: Any, asked: str) -> str:
        """The body with what the caller asked for (its own input) and the path masked."""
        body = {k: v for k, v in response.json().items() if k not in {"instance", "request_id"}}
        return json.dumps(body, ensure_ascii=False, sort_keys=True).replace(asked, "<asked>")

    assert shape(theirs, SAMPLE["A1"]) == shape(nobody, test_uscc(99))
    assert "A1公司" not in theirs.text  # nothing of the hidden enterprise itself
    assert app_world.client("off_g1").get(path.format(uscc=SAMPLE["A1"])).status_code == 200
