"""The JSON API over the sample registry: login, identity, enterprises, trees, errors."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from zhiguo.testing import SAMPLE
from zhiguo.web.deps import SESSION_COOKIE

PROBLEM = "application/problem+json"


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """Check an RFC 9457 problem answer and give its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail", "code"} <= body.keys()
    assert (body["status"], body["code"]) == (status, code)
    assert "Traceback" not in response.text
    assert 'File "' not in response.text
    return body


def _usccs(items: list[dict[str, Any]]) -> list[str]:
    return [item["uscc"] for item in items]


def _tree_usccs(node: dict[str, Any]) -> set[str]:
    found = {node["uscc"]} if node["uscc"] else set()
    for child in node["children"]:
        found |= _tree_usccs(child)
    return found


def test_healthz_reports_the_database(app_world: Any) -> None:
    body = app_world.client().get("/healthz").json()
    assert body["status"] == "ok"
    assert body["db"] == app_world.app.state.engine.dialect.name
    assert body["schema"]


def test_login_sets_an_httponly_strict_session_cookie(app_world: Any) -> None:
    client = app_world.client()
    response = client.post(
        "/api/auth/login", json={"username": "off_g1", "password": "OfficerG1-Pass-2024!"}
    )
    assert response.status_code == 200
    assert response.json() == {"username": "off_g1", "role": "enterprise-officer"}
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie
    assert "samesite=strict" in cookie.lower()


FAILED_LOGINS = {
    "wrong password": ("off_g1", "Wrong-Pass-2024!"),
    "unknown user": ("nobody", "OfficerG1-Pass-2024!"),
    "disabled user, right password": ("gone", "Gone-Pass-2024!"),
}


def test_a_failed_login_is_one_uninformative_problem(app_world: Any, subtests: Any) -> None:
    bodies = {}
    for case, (username, password) in FAILED_LOGINS.items():
        with subtests.test(case):
            response = app_world.client().post(
                "/api/auth/login", json={"username": username, "password": password}
            )
            body = _problem(response, 401, "ZG-SEC-001")
            assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
            assert body["title"] == "用户名或密码错误"
            bodies[case] = body
    assert len({repr(sorted(b.items())) for b in bodies.values()}) == 1  # the same for all


def test_a_failed_login_answers_in_english_when_asked(app_world: Any) -> None:
    response = app_world.client().post(
        "/api/auth/login?lang=en", json={"username": "off_g1", "password": "Wrong-Pass-2024!"}
    )
    assert _problem(response, 401, "ZG-SEC-001")["title"] == "Wrong username or password"


BAD_LOGIN_BODIES = [
    {"username": "analyst", "password": "Analyst-Pass-2024!", "role": "platform-admin"},
    {"username": "analyst", "password": "Analyst-Pass-2024!", "is_admin": True},
    {"username": "analyst"},
    {"username": "", "password": "Analyst-Pass-2024!"},
]


def test_login_rejects_unknown_and_missing_fields(app_world: Any, subtests: Any) -> None:
    for body in BAD_LOGIN_BODIES:
        with subtests.test(fields=sorted(body)):
            response = app_world.client().post("/api/auth/login", json=body)
            problem = _problem(response, 422, "ZG-INPUT-001")
            assert problem["errors"]
            assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_me_says_who_and_how_much(app_world: Any, subtests: Any) -> None:
    for username, role, scope in [
        ("analyst", "regulator-analyst", "all"),
        ("admin", "platform-admin", "all"),
        ("off_g1", "enterprise-officer", 5),
        ("off_a1", "enterprise-officer", 3),
        ("off_g2", "enterprise-officer", 3),
    ]:
        with subtests.test(username=username):
            body = app_world.client(username).get("/api/me").json()
            assert (body["username"], body["role"], body["scope"]) == (username, role, scope)


def test_me_needs_a_session(app_world: Any) -> None:
    _problem(app_world.client().get("/api/me"), 401, "ZG-AUTH-001")


def test_enterprise_lists_and_totals_per_caller(app_world: Any, subtests: Any) -> None:
    for username, names in [
        ("analyst", ["G1", "G2", "A1", "A2", "B1", "A11", "A12", "B11"]),
        ("off_g1", ["G1", "A1", "A2", "A11", "A12"]),
        ("off_a1", ["A1", "A11", "A12"]),
        ("off_g2", ["G2", "B1", "B11"]),
    ]:
        with subtests.test(username=username):
            client = app_world.client(username)
            body = client.get("/api/registry/enterprises?limit=500").json()
            assert sorted(_usccs(body["items"])) == sorted(SAMPLE[n] for n in names)
            assert body["total"] == len(names)
            levels = [e["level"] for e in body["items"]]
            assert levels == sorted(levels)  # groups first


def test_enterprise_list_filters_by_level_and_pages(app_world: Any) -> None:
    client = app_world.client("analyst")
    level2 = client.get("/api/registry/enterprises?level=2").json()
    assert sorted(_usccs(level2["items"])) == sorted(SAMPLE[n] for n in ["A1", "A2", "B1"])
    first = client.get("/api/registry/enterprises?limit=3").json()
    rest = client.get("/api/registry/enterprises?limit=3&offset=3").json()
    assert (first["total"], rest["total"]) == (8, 8)
    assert not set(_usccs(first["items"])) & set(_usccs(rest["items"]))


def test_enterprise_list_rejects_out_of_range_parameters(app_world: Any, subtests: Any) -> None:
    client = app_world.client("analyst")
    for query in ["limit=0", "limit=501", "offset=-1", "level=0", "q=" + "x" * 101]:
        with subtests.test(query=query[:12]):
            response = client.get(f"/api/registry/enterprises?{query}")
            _problem(response, 422, "ZG-INPUT-001")


DETAILS = [  # (enterprise, path from the root, effective state ownership %)
    ("G1", ["G1"], "100.0000"),
    ("A11", ["G1", "A1", "A11"], "51.0000"),  # 51 % of A1, which is 100 % of G1
    ("A2", ["G1", "A2"], "80.0000"),
    ("G2", ["G2"], "90.0000"),  # state_share_pct 90
    ("B1", ["G2", "B1"], "84.0000"),  # 60 % × 90 + 30 % × 100 (A1's minority stake)
    ("B11", ["G2", "B1", "B11"], "84.0000"),  # 100 % of B1
]


def test_enterprise_detail_has_path_and_effective_state_ownership(
    app_world: Any, subtests: Any
) -> None:
    client = app_world.client("analyst")
    for name, path, eso in DETAILS:
        with subtests.test(enterprise=name):
            body = client.get(f"/api/registry/enterprises/{SAMPLE[name]}").json()
            assert body["enterprise"]["uscc"] == SAMPLE[name]
            assert _usccs(body["path"]) == [SAMPLE[n] for n in path]
            assert body["effective_state_ownership_pct"] == eso


def test_enterprise_detail_lists_shareholders_and_children(app_world: Any) -> None:
    client = app_world.client("analyst")
    b1 = client.get(f"/api/registry/enterprises/{SAMPLE['B1']}").json()
    holders = {
        (s["parent_uscc"], Decimal(s["share_pct"]), s["controlling"]) for s in b1["shareholders"]
    }
    assert holders == {(SAMPLE["G2"], Decimal(60), True), (SAMPLE["A1"], Decimal(30), False)}
    assert [c["child_uscc"] for c in b1["children"]] == [SAMPLE["B11"]]
    a1 = client.get(f"/api/registry/enterprises/{SAMPLE['A1']}").json()
    assert {c["child_uscc"] for c in a1["children"]} == {SAMPLE[n] for n in ["A11", "A12", "B1"]}


def test_an_officer_sees_out_of_scope_shareholders_masked(app_world: Any) -> None:
    """off_g2 sees that 30 % of B1 is held outside its scope, but not by whom."""
    body = app_world.client("off_g2").get(f"/api/registry/enterprises/{SAMPLE['B1']}").json()
    minority = [s for s in body["shareholders"] if not s["controlling"]]
    assert len(minority) == 1
    assert (minority[0]["parent_id"], minority[0]["parent_uscc"]) == (0, "")
    assert "A1" not in minority[0]["parent_name"]
    assert Decimal(body["effective_state_ownership_pct"]) == Decimal(84)


def test_an_officer_sees_the_path_from_their_own_enterprise(app_world: Any) -> None:
    client = app_world.client("off_a1")
    body = client.get(f"/api/registry/enterprises/{SAMPLE['A11']}").json()
    assert _usccs(body["path"]) == [SAMPLE["A1"], SAMPLE["A11"]]
    a1 = client.get(f"/api/registry/enterprises/{SAMPLE['A1']}").json()
    assert {c["child_uscc"] for c in a1["children"]} == {SAMPLE["A11"], SAMPLE["A12"]}


def test_a2_moved_from_g2_to_g1_in_2020(app_world: Any) -> None:
    client = app_world.client("analyst")
    then = client.get(f"/api/registry/enterprises/{SAMPLE['A2']}?as_of=2018-06-01").json()
    assert _usccs(then["path"]) == [SAMPLE["G2"], SAMPLE["A2"]]
    assert Decimal(then["effective_state_ownership_pct"]) == Decimal(90)
    g1, g2 = SAMPLE["G1"], SAMPLE["G2"]
    tree = "/api/registry/enterprises/{}/tree?depth=8"
    assert SAMPLE["A2"] in _tree_usccs(client.get(tree.format(g2) + "&as_of=2018-06-01").json())
    assert SAMPLE["A2"] not in _tree_usccs(client.get(tree.format(g1) + "&as_of=2018-06-01").json())
    assert SAMPLE["A2"] in _tree_usccs(client.get(tree.format(g1)).json())
    assert SAMPLE["A2"] not in _tree_usccs(client.get(tree.format(g2)).json())


def test_the_portfolio_tree_as_of_a_date(app_world: Any) -> None:
    client = app_world.client("analyst")

    def groups(query: str) -> dict[str, set[str]]:
        root = client.get(f"/api/registry/tree?depth=8{query}").json()
        return {group["uscc"]: _tree_usccs(group) for group in root["children"]}

    now, then = groups(""), groups("&as_of=2018-06-01")
    assert set(now) == set(then) == {SAMPLE["G1"], SAMPLE["G2"]}
    assert SAMPLE["A2"] in now[SAMPLE["G1"]]
    assert SAMPLE["A2"] in then[SAMPLE["G2"]]
    assert SAMPLE["A2"] not in then[SAMPLE["G1"]]


def test_the_portfolio_tree_depth_cuts_but_still_counts(app_world: Any) -> None:
    root = app_world.client("analyst").get("/api/registry/tree?depth=1").json()
    assert root["descendants"] == 8
    g1 = next(g for g in root["children"] if g["uscc"] == SAMPLE["G1"])
    assert g1["children"] == []
    assert (g1["descendants"], g1["truncated"]) == (4, True)


def test_an_officers_scope_is_todays_subtree_at_any_date(app_world: Any) -> None:
    """off_g2 looking back to 2018 does not see A2, which G2 held then but not now."""
    client = app_world.client("off_g2")
    tree = client.get(f"/api/registry/enterprises/{SAMPLE['G2']}/tree?as_of=2018-06-01").json()
    assert SAMPLE["A2"] not in _tree_usccs(tree)
    response = client.get(f"/api/registry/enterprises/{SAMPLE['A2']}?as_of=2018-06-01")
    _problem(response, 404, "ZG-NF-001")


def test_tree_rejects_a_malformed_date(app_world: Any) -> None:
    response = app_world.client("analyst").get("/api/registry/tree?as_of=2018-13-01")
    _problem(response, 422, "ZG-INPUT-001")


def test_logout_ends_the_session_on_the_server(app_world: Any) -> None:
    client = app_world.client("off_g1")
    token = client.cookies[SESSION_COOKIE]
    assert client.get("/api/me").status_code == 200
    assert client.post("/api/auth/logout").status_code == 204
    _problem(client.get("/api/me"), 401, "ZG-AUTH-001")  # the cookie is gone …
    replay = app_world.client()
    replay.cookies.set(SESSION_COOKIE, token)
    _problem(replay.get("/api/me"), 401, "ZG-SEC-002")  # … and the token is dead


def test_a_disabled_users_open_session_is_dead(app_world: Any) -> None:
    _problem(app_world.stale_client().get("/api/me"), 401, "ZG-SEC-002")


def test_a_forged_session_cookie_is_refused(app_world: Any) -> None:
    client = app_world.client()
    client.cookies.set(SESSION_COOKIE, "not-a-real-token")
    _problem(client.get("/api/registry/enterprises"), 401, "ZG-SEC-002")


def test_security_headers_on_every_answer(app_world: Any, subtests: Any) -> None:
    client = app_world.client("analyst")
    for url in [
        "/healthz",
        "/api/me",
        "/",
        "/login",
        "/api/docs",
        "/nowhere",
        "/static/js/tree.js",
    ]:
        with subtests.test(url=url):
            response = client.get(url)
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["x-frame-options"] == "DENY"
            csp = response.headers["content-security-policy"]
            assert "default-src 'self'" in csp
            assert "frame-ancestors 'none'" in csp
            assert "http" not in csp


def test_api_answers_are_not_cached(app_world: Any) -> None:
    response = app_world.client("analyst").get("/api/registry/enterprises")
    assert response.headers["cache-control"] == "no-store"


def test_an_unknown_api_path_is_a_problem(app_world: Any) -> None:
    _problem(app_world.client("analyst").get("/api/nowhere"), 404, "ZG-NF-001")


def test_openapi_describes_the_api(app_world: Any) -> None:
    response = app_world.client().get("/api/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/me", "/api/registry/enterprises", "/api/registry/tree"} <= paths.keys()
    assert "/login" not in paths  # browser routes stay out of the API description
    assert not re.search(r'"(https?:)?//[^"]*\.(js|css)"', response.text)


def test_swagger_ui_loads_only_local_assets(app_world: Any) -> None:
    response = app_world.client().get("/api/docs")
    assert response.status_code == 200
    urls = re.findall(r'(?:src|href)="([^"]*)"', response.text)
    assert urls
    assert all(url.startswith("/static/") for url in urls), urls
    assert not re.search(r"https?://", response.text)
    for url in urls:
        assert app_world.client().get(url).status_code == 200, url
