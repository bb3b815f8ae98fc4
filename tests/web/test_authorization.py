"""Authorization matrix: every route × caller × enterprise, checked against an oracle.

The oracle (``visible``) is written from the rules in docs (shared/domain/security.md), not
from production code: regulator-side roles and the platform admin see the whole portfolio,
enterprise roles the subtree under their enterprise by controlling edges in force today,
everyone else — anonymous, disabled, the ``public`` role — nothing. Allowed ⇒ 200,
denied ⇒ 404 (never 403: the answer must not tell that the enterprise exists), anonymous ⇒
401 on ``/api`` and a 303 to the login page for a browser.

Every route the app serves must be in ``OBJECT_ROUTES``, ``COLLECTION_ROUTES`` or
``PUBLIC_ROUTES``; a new route fails ``test_every_route_is_in_the_matrix`` until it is.
(OWASP API Security Top 10 2023: API1 BOLA, API3 BOPLA, API5 BFLA.)
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from zhiguo.core import Role, create_db_engine, init_workspace, make_sessionmaker, session_scope
from zhiguo.registry import EnterpriseRecord, OwnershipRecord, load_records
from zhiguo.security import add_user
from zhiguo.testing import SAMPLE, sample_records, test_uscc, write_registry_xlsx
from zhiguo.web.app import create_app, route_table

# ---------------------------------------------------------------- the oracle (pure, from the rules)

WHOLE_PORTFOLIO_ROLES = frozenset({"platform-admin", "regulator-leader", "regulator-analyst"})
SUBTREE_ROLES = frozenset({"enterprise-leader", "enterprise-officer", "operations-staff"})


@dataclass(frozen=True)
class Caller:
    """Who asks, as the rules see it: ``role`` is ``None`` for an anonymous caller."""

    role: str | None
    enterprise: str | None = None  # USCC
    active: bool = True


@dataclass(frozen=True)
class Edge:
    parent: str
    child: str
    controlling: bool
    valid_from: date
    valid_to: date | None  # exclusive


def edges_of(ownership: Iterable[OwnershipRecord]) -> list[Edge]:
    return [
        Edge(o.parent_uscc, o.child_uscc, o.controlling, o.valid_from, o.valid_to)
        for o in ownership
    ]


def _controlled(edges: Iterable[Edge], day: date) -> dict[str, set[str]]:
    below: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        if e.controlling and e.valid_from <= day and (e.valid_to is None or day < e.valid_to):
            below[e.parent].add(e.child)
    return below


def subtree(root: str, edges: Iterable[Edge], day: date) -> frozenset[str]:
    """``root`` and everything under it by controlling edges in force on ``day``."""
    below = _controlled(edges, day)
    seen, stack = {root}, [root]
    while stack:
        for child in below[stack.pop()] - seen:
            seen.add(child)
            stack.append(child)
    return frozenset(seen)


def visible(
    caller: Caller, enterprises: Collection[str], edges: Iterable[Edge], today: date
) -> frozenset[str]:
    """The USCCs ``caller`` may see (default deny)."""
    if caller.role is None or not caller.active:
        return frozenset()
    if caller.role in WHOLE_PORTFOLIO_ROLES:
        return frozenset(enterprises)
    if caller.role in SUBTREE_ROLES and caller.enterprise is not None:
        return subtree(caller.enterprise, edges, today)
    return frozenset()


def roots_of(seen: frozenset[str], edges: Iterable[Edge], day: date) -> frozenset[str]:
    """Visible enterprises whose controlling parent (today) is not visible."""
    held = {c for p, kids in _controlled(edges, day).items() if p in seen for c in kids}
    return seen - held


# ---------------------------------------------------------------- the matrix

API, PAGE = "api", "page"
OBJECT_ROUTES = {  # one enterprise, addressed by USCC
    ("GET", "/api/registry/enterprises/{uscc}"): API,
    ("GET", "/api/registry/enterprises/{uscc}/tree"): API,
    ("GET", "/enterprises/{uscc}"): PAGE,
}
COLLECTION_ROUTES = {  # lists, trees, counts: scoped to the caller
    ("GET", "/api/me"): API,
    ("GET", "/api/registry/enterprises"): API,
    ("GET", "/api/registry/tree"): API,
    ("GET", "/"): PAGE,
    ("GET", "/enterprises"): PAGE,
    ("GET", "/api/registry/export"): API,
}
# Functions only some roles may call (BFLA): role → allowed, everyone else 403 / 401.
FUNCTION_ROUTES = {
    ("POST", "/api/registry/import"): frozenset({"platform-admin", "regulator-analyst"}),
}
# One's own account: any live session may use them (even with an initial password).
SELF_ROUTES = {
    ("GET", "/account/password"): PAGE,
    ("POST", "/account/password"): PAGE,
    ("POST", "/api/auth/password"): API,
}
PUBLIC_ROUTES = {  # answer without a session, and show no business data
    ("GET", "/healthz"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("GET", "/lang/{code}"),
    ("POST", "/api/auth/login"),
    ("POST", "/api/auth/logout"),
    ("GET", "/api/docs"),
    ("GET", "/api/openapi.json"),
    ("*", "/static"),  # a mount answers every method
}
PRINCIPALS = ["analyst", "admin", "off_g1", "off_a1", "off_g2", "gone", "anonymous"]
ENTERPRISES, OWNERSHIP = sample_records()
NAMES = {e.uscc: e for e in ENTERPRISES}
EDGES = edges_of(OWNERSHIP)
NOWHERE = test_uscc(99)  # a valid USCC that no enterprise has


def _route_keys(table: Iterable[dict[str, Any]]) -> set[tuple[str, str]]:
    keys = set()
    for route in table:
        methods = set(route["methods"]) - {"HEAD"} or {"*"}
        keys |= {(method, route["path"]) for method in methods}
    return keys


def test_every_route_is_in_the_matrix(app_world: Any) -> None:
    table = route_table(app_world.app)
    served = _route_keys(table)
    known = (
        set(OBJECT_ROUTES)
        | set(COLLECTION_ROUTES)
        | set(FUNCTION_ROUTES)
        | set(SELF_ROUTES)
        | PUBLIC_ROUTES
    )
    pathless = sum(1 for route in table if not route["path"])
    assert (sorted(served - known), sorted(known - served)) == ([], []), (
        f"in no authorization matrix: {sorted(served - known)}; "
        f"in the matrix but not served: {sorted(known - served)}"
        + (f"; route_table gave {pathless} route(s) without a path" if pathless else "")
    )


# ---------------------------------------------------------------- helpers


def _caller(world: Any, name: str) -> tuple[TestClient, Caller]:
    if name == "anonymous":
        return world.client(None), Caller(role=None)
    user = world.users[name]
    caller = Caller(role=user.role.value, enterprise=user.enterprise_uscc, active=not user.disabled)
    client = world.stale_client() if user.disabled else world.client(name)
    return client, caller


def _get(client: TestClient, kind: str, url: str) -> Any:
    accept = "text/html" if kind == PAGE else "application/json"
    return client.get(url, headers={"Accept": accept})


def _leaks(text: str, hidden: Iterable[str], asked: str = "") -> list[str]:
    """Names or codes of hidden enterprises in a response (the asked-for code may echo)."""
    found = []
    for uscc in hidden:
        if uscc in text and uscc != asked:
            found.append(uscc)
        if NAMES[uscc].name_zh in text:
            found.append(NAMES[uscc].name_zh)
    return found


def _tree_usccs(node: dict[str, Any]) -> Iterator[str]:
    if node["uscc"]:
        yield node["uscc"]
    for child in node.get("children", []):
        yield from _tree_usccs(child)


def _unauthenticated(response: Any, kind: str) -> str | None:
    """Why this is not the right answer for a caller without a live session, or None."""
    if kind == PAGE:
        location = response.headers.get("location", "")
        if response.status_code != 303 or not location.startswith("/login?next="):
            return f"{response.status_code} {location!r}, wanted 303 to /login"
        return None
    if response.status_code != 401:
        return f"{response.status_code}, wanted 401"
    if response.headers["content-type"] != "application/problem+json":
        return f"content-type {response.headers['content-type']}"
    return None


# ---------------------------------------------------------------- objects


def test_each_enterprise_answers_as_the_oracle_says(app_world: Any, subtests: Any) -> None:
    for principal in PRINCIPALS:
        with subtests.test(principal=principal):
            wrong = _object_answers(app_world, principal)
            assert not wrong, "\n".join(wrong)


def _object_answers(world: Any, principal: str) -> list[str]:
    """What is wrong with ``principal``'s answers for every object route × enterprise."""
    client, caller = _caller(world, principal)
    today = date.today()
    seen = visible(caller, NAMES, EDGES, today)
    hidden = set(NAMES) - seen
    wrong: list[str] = []
    for (_method, path), kind in OBJECT_ROUTES.items():
        for uscc in [*NAMES, NOWHERE]:
            url = path.format(uscc=uscc) + ("?depth=8" if path.endswith("/tree") else "")
            response = _get(client, kind, url)
            where = f"{url} ({NAMES[uscc].short_name if uscc in NAMES else 'nowhere'})"
            if not caller.active or caller.role is None:
                if why := _unauthenticated(response, kind):
                    wrong.append(f"{where}: {why}")
                continue
            if uscc in seen:
                if response.status_code != 200:
                    wrong.append(f"{where}: {response.status_code}, wanted 200")
                    continue
                if path.endswith("/tree"):
                    got = set(_tree_usccs(response.json()))
                    want = subtree(uscc, EDGES, today) & seen
                    if got != want:
                        wrong.append(f"{where}: tree {sorted(got)} ≠ {sorted(want)}")
                elif kind == API:
                    wrong.extend(f"{where}: {w}" for w in _detail_problems(response.json(), seen))
            elif response.status_code != 404:
                wrong.append(f"{where}: {response.status_code}, wanted 404")
                continue
            elif kind == API and response.json()["code"] != "ZG-NF-001":
                wrong.append(f"{where}: code {response.json()['code']}, wanted ZG-NF-001")
            if leaks := _leaks(response.text, hidden, asked=uscc):
                wrong.append(f"{where}: shows hidden {leaks}")
    return wrong


def _detail_problems(body: dict[str, Any], seen: frozenset[str]) -> list[str]:
    """Fields of an enterprise detail that reach outside the caller's scope (BOPLA)."""
    problems = []
    path = [e["uscc"] for e in body["path"]]
    if not set(path) <= seen:
        problems.append(f"path shows {sorted(set(path) - seen)}")
    for edge in body["shareholders"]:
        if edge["parent_uscc"] and edge["parent_uscc"] not in seen:
            problems.append(f"shareholder {edge['parent_uscc']} shown")
        if edge["parent_uscc"] == "" and edge["parent_id"] != 0:
            problems.append(f"masked shareholder keeps its id {edge['parent_id']}")
    for edge in body["children"]:
        if edge["child_uscc"] not in seen:
            problems.append(f"child {edge['child_uscc']} shown")
    return problems


def test_denied_and_missing_get_the_same_answer(app_world: Any) -> None:
    """A 404 for someone else's enterprise reads exactly like one for no enterprise at all."""
    client = app_world.client("off_g2")
    denied = client.get(f"/api/registry/enterprises/{SAMPLE['A1']}").json()
    missing = client.get(f"/api/registry/enterprises/{NOWHERE}").json()
    for body, uscc in ((denied, SAMPLE["A1"]), (missing, NOWHERE)):
        body.pop("instance")
        for key in ("detail", "message_zh", "message_en"):
            body[key] = body[key].replace(uscc, "<uscc>")
    assert denied == missing


# ---------------------------------------------------------------- lists, trees and counts


def _collection_problems(
    response: Any, route: tuple[str, str], caller: Caller, seen: frozenset[str]
) -> list[str]:
    if response.status_code != 200:
        return [f"{response.status_code}, wanted 200"]
    today = date.today()
    path = route[1]
    if path == "/api/me":
        scope = response.json()["scope"]
        want: Any = "all" if caller.role in WHOLE_PORTFOLIO_ROLES else len(seen)
        return [] if scope == want else [f"scope {scope!r} ≠ {want!r}"]
    if path == "/api/registry/enterprises":
        body = response.json()
        got = {e["uscc"] for e in body["items"]}
        problems = [] if got == seen else [f"items {sorted(got)} ≠ {sorted(seen)}"]
        if body["total"] != len(seen):
            problems.append(f"total {body['total']} ≠ {len(seen)}")
        return problems
    if path == "/api/registry/export":
        sheets = load_workbook(io.BytesIO(response.content), read_only=True)
        rows = list(sheets["企业"].iter_rows(min_row=2, values_only=True))
        got = {str(r[0]) for r in rows}
        edges = list(sheets["股权"].iter_rows(min_row=2, values_only=True))
        outside = {str(c) for e in edges for c in e[:2]} - seen
        problems = [] if got == seen else [f"export {sorted(got)} ≠ {sorted(seen)}"]
        return problems + [f"export edge names {x}" for x in sorted(outside)]
    if path == "/api/registry/tree":
        body = response.json()
        got = set(_tree_usccs(body))
        problems = [] if got == seen else [f"nodes {sorted(got)} ≠ {sorted(seen)}"]
        if body["descendants"] != len(seen):
            problems.append(f"descendants {body['descendants']} ≠ {len(seen)}")
        return problems
    html = response.text
    if path == "/":
        entities = re.search(r'data-testid="kpi-entities">(\d+)<', html)
        groups = re.search(r'data-testid="kpi-groups">(\d+)<', html)
        want_groups = len(roots_of(seen, EDGES, today))
        problems = []
        if not entities or int(entities[1]) != len(seen):
            problems.append(f"KPI entities {entities and entities[1]} ≠ {len(seen)}")
        if not groups or int(groups[1]) != want_groups:
            problems.append(f"KPI groups {groups and groups[1]} ≠ {want_groups}")
        return problems
    total = re.search(r'data-testid="total">(\d+) ', html)
    got = set(re.findall(r'href="/enterprises/([0-9A-Z]{18})"', html))
    problems = [] if got == seen else [f"rows {sorted(got)} ≠ {sorted(seen)}"]
    if not total or int(total[1]) != len(seen):
        problems.append(f"total {total and total[1]} ≠ {len(seen)}")
    return problems


COLLECTION_URLS = {
    "/api/me": "/api/me",
    "/api/registry/enterprises": "/api/registry/enterprises?limit=500",
    "/api/registry/tree": "/api/registry/tree?depth=8",
    "/": "/",
    "/enterprises": "/enterprises",
    "/api/registry/export": "/api/registry/export",
}


def test_functions_answer_only_the_roles_allowed(
    app_world: Any, subtests: Any, tmp_path: Path
) -> None:
    """Each principal calls each function route: allowed ⇒ 200, other roles ⇒ 403,
    no live session ⇒ 401 — and a refused call writes nothing and keeps nothing."""
    ents, owns = sample_records()
    for principal in PRINCIPALS:
        with subtests.test(principal=principal):
            client, caller = _caller(app_world, principal)
            for (_method, path), roles in FUNCTION_ROUTES.items():
                body = write_registry_xlsx(tmp_path / f"{principal}.xlsx", ents, owns)
                files = {"file": (body.name, body.read_bytes(), "application/octet-stream")}
                response = client.post(f"{path}?dry_run=true", files=files)
                if not caller.active or caller.role is None:
                    want = 401
                else:
                    want = 200 if caller.role in roles else 403
                assert response.status_code == want, response.text[:300]
                if want != 200:
                    assert response.headers["content-type"].startswith("application/problem+json")


def test_lists_trees_and_counts_hold_exactly_what_the_oracle_allows(
    app_world: Any, subtests: Any
) -> None:
    for principal in PRINCIPALS:
        with subtests.test(principal=principal):
            client, caller = _caller(app_world, principal)
            seen = visible(caller, NAMES, EDGES, date.today())
            wrong: list[str] = []
            for route, kind in COLLECTION_ROUTES.items():
                url = COLLECTION_URLS[route[1]]
                response = _get(client, kind, url)
                if not caller.active or caller.role is None:
                    problems = [why] if (why := _unauthenticated(response, kind)) else []
                else:
                    problems = _collection_problems(response, route, caller, seen)
                    problems += [f"shows {x}" for x in _leaks(response.text, set(NAMES) - seen)]
                wrong.extend(f"{url}: {p}" for p in problems)
            assert not wrong, "\n".join(wrong)


def test_a_page_total_does_not_depend_on_the_page(app_world: Any) -> None:
    body = app_world.client("off_a1").get("/api/registry/enterprises?limit=1").json()
    assert (len(body["items"]), body["total"]) == (1, 3)


def _matches(uscc: str, q: str) -> bool:
    e = NAMES[uscc]
    return q in e.name_zh or q.lower() in e.name_en.lower() or q in e.short_name or q in uscc


def test_searches_find_only_what_the_caller_may_see(app_world: Any, subtests: Any) -> None:
    for principal in ["analyst", "off_g1", "off_a1", "off_g2"]:
        with subtests.test(principal=principal):
            client, caller = _caller(app_world, principal)
            seen = visible(caller, NAMES, EDGES, date.today())
            wrong = []
            for q in ["示例测试一集团", "示例测试二集团", "A1", "B1", "集团", SAMPLE["B11"][:12]]:
                params: dict[str, Any] = {"q": q, "limit": 500}
                body = client.get("/api/registry/enterprises", params=params).json()
                got = {e["uscc"] for e in body["items"]}
                want = {u for u in seen if _matches(u, q)}
                if got != want or body["total"] != len(want):
                    wrong.append(f"q={q}: {sorted(got)} (total {body['total']}) ≠ {sorted(want)}")
            assert not wrong, "\n".join(wrong)


def test_an_officer_searching_another_group_finds_nothing(app_world: Any, subtests: Any) -> None:
    for principal, other_group in [
        ("off_g1", "示例测试二集团"),
        ("off_a1", "示例测试二集团"),
        ("off_g2", "示例测试一集团"),
    ]:
        with subtests.test(principal=principal, q=other_group):
            client = app_world.client(principal)
            body = client.get("/api/registry/enterprises", params={"q": other_group}).json()
            assert (body["items"], body["total"]) == ([], 0)
            rows = client.get(
                "/enterprises", params={"q": other_group}, headers={"HX-Request": "true"}
            )
            assert 'data-testid="total">0 ' in rows.text


# ---------------------------------------------------------------- public routes


PUBLIC_REQUESTS = [
    ("GET", "/healthz", {}, 200),
    ("GET", "/login", {}, 200),
    ("POST", "/login", {"data": {"username": "nobody", "password": "Wrong-Pass-1!"}}, 401),
    ("POST", "/logout", {}, 303),
    ("GET", "/lang/en", {}, 303),
    ("POST", "/api/auth/login", {"json": {"username": "nobody", "password": "x"}}, 401),
    ("POST", "/api/auth/logout", {}, 204),
    ("GET", "/api/docs", {}, 200),
    ("GET", "/api/openapi.json", {}, 200),
    ("GET", "/static/css/app.css", {}, 200),
]


def test_public_routes_answer_anonymous_callers_without_business_data(app_world: Any) -> None:
    client = app_world.client(None)
    wrong = []
    for method, url, kwargs, status in PUBLIC_REQUESTS:
        response = client.request(method, url, **kwargs)
        if response.status_code != status:
            wrong.append(f"{method} {url}: {response.status_code}, wanted {status}")
        if leaks := _leaks(response.text, NAMES):
            wrong.append(f"{method} {url}: shows {leaks}")
    assert not wrong, "\n".join(wrong)


def test_public_requests_cover_every_public_route() -> None:
    covered = set()
    for method, url, _kwargs, _status in PUBLIC_REQUESTS:
        for m, path in PUBLIC_ROUTES:
            pattern = re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(path))
            if m in (method, "*") and re.fullmatch(pattern + ("(/.*)?" if m == "*" else ""), url):
                covered.add((m, path))
    assert covered == PUBLIC_ROUTES


# ---------------------------------------------------------------- random worlds (hypothesis)

ALL_ROLES = sorted(r.value for r in Role)
LONG_AGO, SWITCH, LATER = date(2005, 1, 1), date(2015, 1, 1), date(2100, 1, 1)


@dataclass(frozen=True)
class RandomWorld:
    enterprises: list[EnterpriseRecord]
    ownership: list[OwnershipRecord]
    role: str
    officer_at: int


@st.composite
def random_worlds(draw: st.DrawFn) -> RandomWorld:
    """6–12 enterprises; each may have a former, a current and a future controlling parent
    and a minority (non-controlling) holder, always among earlier ones (so no cycles)."""
    n = draw(st.integers(6, 12))
    usccs = [test_uscc(200 + i) for i in range(n)]
    enterprises = [
        EnterpriseRecord(uscc=u, name_zh=f"随机测试企业{i:02d}", short_name=f"R{i:02d}")
        for i, u in enumerate(usccs)
    ]
    ownership = []

    def edge(child: int, parent: int, share: int, start: date, **kw: Any) -> None:
        ownership.append(
            OwnershipRecord(
                child_uscc=usccs[child],
                parent_uscc=usccs[parent],
                share_pct=Decimal(share),
                valid_from=start,
                **kw,
            )
        )

    for i in range(1, n):
        earlier = st.none() | st.integers(0, i - 1)
        former, current, future, minority = (draw(earlier) for _ in range(4))
        start = LONG_AGO if former is None else SWITCH
        if former is not None:
            edge(i, former, 100, LONG_AGO, valid_to=SWITCH)
        if current is not None:
            end = LATER if future is not None else None
            edge(i, current, draw(st.integers(51, 70)), start, valid_to=end)
        if future is not None:
            edge(i, future, 60, LATER)
        if minority is not None and minority != current:
            edge(i, minority, draw(st.integers(10, 29)), start, controlling=False)
    role = draw(st.sampled_from(sorted(SUBTREE_ROLES)) | st.sampled_from(ALL_ROLES))
    return RandomWorld(enterprises, ownership, role, draw(st.integers(0, n - 1)))


@settings(max_examples=15, deadline=None, database=None)
@given(world=random_worlds())
def test_random_worlds_agree_with_the_oracle(
    tmp_path_factory: pytest.TempPathFactory, world: RandomWorld
) -> None:
    root: Path = tmp_path_factory.mktemp("random-world")
    ws = init_workspace(root)  # SQLite: the fixed sample covers PostgreSQL
    role = Role(world.role)
    uscc = world.enterprises[world.officer_at].uscc
    enterprise = uscc if role.value in SUBTREE_ROLES else None
    engine = create_db_engine(ws.settings)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            load_records(session=session, enterprises=world.enterprises, ownership=world.ownership)
            add_user(
                session=session,
                username="someone",
                role=role,
                enterprise_uscc=enterprise,
                password="Someone-Pass-2024!",
                must_change_password=False,
            )
    finally:
        engine.dispose()
    app = create_app(ws.settings)
    all_usccs = [e.uscc for e in world.enterprises]
    seen = visible(
        Caller(role=role.value, enterprise=enterprise),
        all_usccs,
        edges_of(world.ownership),
        date.today(),
    )
    try:
        with TestClient(app) as client:
            login = {"username": "someone", "password": "Someone-Pass-2024!"}
            assert client.post("/api/auth/login", json=login).status_code == 200
            body = client.get("/api/registry/enterprises?limit=500").json()
            assert {e["uscc"] for e in body["items"]} == seen
            assert body["total"] == len(seen)
            assert client.get("/api/registry/tree").json()["descendants"] == len(seen)
            statuses = {
                u: client.get(f"/api/registry/enterprises/{u}").status_code for u in all_usccs
            }
            assert statuses == {u: 200 if u in seen else 404 for u in all_usccs}
    finally:
        app.state.engine.dispose()


def test_own_account_routes_need_a_live_session(app_world: Any, subtests: Any) -> None:
    """Anonymous and disabled callers are turned away; everyone else reaches the form, and a
    wrong current password is refused without changing anything."""
    for principal in PRINCIPALS:
        with subtests.test(principal=principal):
            client, caller = _caller(app_world, principal)
            page = _get(client, PAGE, "/account/password")
            api = client.post(
                "/api/auth/password",
                json={"current_password": "wrong", "new_password": "N3w!password-x"},
            )
            form = client.post(
                "/account/password",
                data={"current_password": "wrong", "new_password": "N3w!password-x"},
                headers={"Accept": "text/html"},
            )
            if not caller.active or caller.role is None:
                assert _unauthenticated(page, PAGE) is None
                assert _unauthenticated(form, PAGE) is None
                assert api.status_code == 401
            else:
                assert page.status_code == 200
                assert api.status_code == 422 and api.json()["code"] == "ZG-SEC-012"
                assert form.status_code == 422
