"""Authorization matrix: every route × caller × enterprise, checked against an oracle.

The oracle (``visible``) is written from the rules in docs (shared/domain/security.md), not
from production code: regulator-side roles and the platform admin see the whole portfolio,
enterprise roles the subtree under their enterprise by controlling edges in force today,
everyone else — anonymous, disabled, the ``public`` role — nothing. Allowed ⇒ 200,
denied ⇒ 404 (never 403: the answer must not tell that the enterprise exists), anonymous ⇒
401 on ``/api`` and a 303 to the login page for a browser.

Every route the app serves must be in ``OBJECT_ROUTES``, ``BATCH_ROUTES``,
``COLLECTION_ROUTES``, ``FUNCTION_ROUTES``, ``SELF_ROUTES`` or ``PUBLIC_ROUTES``; a new route
fails ``test_every_route_is_in_the_matrix`` until it is. Data-centre routes are checked over a
world with a flash report per enterprise in the lake (``seeded_world``): lists, counts and lake
rows hold only what the oracle allows, and an ingest batch is readable only by whole-portfolio
roles and by the user who submitted it (``batch_visible``).
(OWASP API Security Top 10 2023: API1 BOLA, API3 BOPLA, API5 BFLA.)
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from operations_matrix import (
    OPERATIONS_ELSEWHERE,
    OPERATIONS_FUNCTION_REQUESTS,
    OPERATIONS_FUNCTION_ROUTES,
    SITE_ROUTES,
)
from sqlalchemy import select
from supervision_world import PERIOD as SV_PERIOD
from supervision_world import SupervisionSeed, add_alert, future, seed_supervision, with_session

from zhiguo.core import Role, create_db_engine, init_workspace, make_sessionmaker, session_scope
from zhiguo.core.inbox import keep_file
from zhiguo.core.periods import Period
from zhiguo.registry import EnterpriseRecord, OwnershipRecord, load_records
from zhiguo.security import User, add_user, disable_user
from zhiguo.security.tokens import create_api_token
from zhiguo.supervision.models import Alert, AlertAttachment
from zhiguo.testing import SAMPLE, sample_records, test_uscc, write_registry_xlsx
from zhiguo.testing.flash import flash_report_rows
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
    username: str | None = None


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


def batch_visible(caller: Caller, submitter: str) -> bool:
    """An ingest batch (its file name, problems, report) is for whole-portfolio roles and
    for whoever submitted it: a file may name other tenants' enterprises."""
    if caller.role is None or not caller.active:
        return False
    return caller.role in WHOLE_PORTFOLIO_ROLES or submitter == caller.username


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
    ("GET", "/api/supervision/enterprises/{uscc}"): API,
    ("GET", "/supervision/enterprises/{uscc}"): PAGE,
}
BATCH_ROUTES = {  # one ingest batch, addressed by its id: see ``batch_visible``
    ("GET", "/api/ingest/batches/{batch_id}"): API,
    ("GET", "/api/ingest/batches/{batch_id}/report"): API,
}
COLLECTION_ROUTES = {  # lists, trees, counts: scoped to the caller
    ("GET", "/api/me"): API,
    ("GET", "/api/registry/enterprises"): API,
    ("GET", "/api/registry/tree"): API,
    ("GET", "/"): PAGE,
    ("GET", "/enterprises"): PAGE,
    ("GET", "/api/registry/export"): API,
    ("GET", "/api/catalog"): API,
    ("GET", "/api/catalog/{name}"): API,
    ("GET", "/api/ingest/batches"): API,
    ("GET", "/api/submissions"): API,
    ("GET", "/api/lake/flash_report"): API,
    ("GET", "/catalog"): PAGE,
    ("GET", "/catalog/{name}"): PAGE,
    ("GET", "/submissions"): PAGE,
}
MAINTAINERS = frozenset({"platform-admin", "regulator-analyst"})
SUBMITTERS = frozenset(
    {"platform-admin", "regulator-analyst", "enterprise-officer", "enterprise-leader"}
)
REGULATORS = WHOLE_PORTFOLIO_ROLES
# Functions only some roles may call (BFLA): role → allowed, everyone else 403 / 401.
# Each has a request builder in FUNCTION_REQUESTS.
FUNCTION_ROUTES = {
    ("POST", "/api/registry/import"): MAINTAINERS,
    ("POST", "/api/ingest/{dataset}"): SUBMITTERS,
    ("GET", "/submit"): SUBMITTERS,
    ("POST", "/submit"): SUBMITTERS,
    ("GET", "/api/submissions/overdue"): REGULATORS,
    ("GET", "/submissions/overdue"): REGULATORS,
    ("POST", "/api/supervision/indicators"): REGULATORS,
    ("POST", "/supervision/indicators"): REGULATORS,
    # 三员分立: accounts (system admin), access policy (security admin) — no one else
    ("GET", "/api/admin/users"): frozenset({"system-admin", "security-admin"}),
    ("POST", "/api/admin/users"): frozenset({"system-admin"}),
    ("POST", "/api/admin/users/{user_id}/disable"): frozenset({"system-admin"}),
    ("POST", "/api/admin/users/{user_id}/unlock"): frozenset({"system-admin"}),
    ("POST", "/api/admin/users/{user_id}/role"): frozenset({"security-admin"}),
    ("POST", "/api/admin/users/{user_id}/clearance"): frozenset({"security-admin"}),
}
# One's own account: any live session may use them (even with an initial password).
SELF_ROUTES = {
    ("GET", "/account/password"): PAGE,
    ("POST", "/account/password"): PAGE,
    ("POST", "/api/auth/password"): API,
    ("GET", "/account/totp"): PAGE,
    ("POST", "/account/totp"): PAGE,
    ("POST", "/api/auth/totp/enrol"): API,
    ("GET", "/api/auth/tokens"): API,
    ("POST", "/api/auth/tokens"): API,
    ("DELETE", "/api/auth/tokens/{token_id}"): API,
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
# Every kind of caller: the conftest's users, one of each other business role, and the
# three administrators (三员分立: they administer, they see no business data). Administrators
# come last: their allowed functions (disable, role change) act on user id 1.
PRINCIPALS = [
    "analyst",
    "admin",
    "off_g1",
    "off_a1",
    "off_g2",
    "gone",
    "anonymous",
    "leader",
    "eleader_a1",
    "ops_g2",
    "citizen",
    "carrier_m",
    "auditadmin",
    "secadmin",
    "sysadmin",
]


@dataclass(frozen=True)
class MatrixUser:
    """A user the matrix adds to the conftest's (same attributes as its ``WebUser``)."""

    username: str
    role: Role
    enterprise: str | None
    password: str
    disabled: bool = False
    carrier: str | None = None

    @property
    def enterprise_uscc(self) -> str | None:
        return SAMPLE[self.enterprise] if self.enterprise else None


MATRIX_USERS = {
    u.username: u
    for u in (
        MatrixUser("leader", Role.REGULATOR_LEADER, None, "Leader-Pass-2024!"),
        MatrixUser("eleader_a1", Role.ENTERPRISE_LEADER, "A1", "LeaderA1-Pass-2024!"),
        MatrixUser("ops_g2", Role.OPERATIONS_STAFF, "G2", "OpsG2-Pass-2024!"),
        MatrixUser("citizen", Role.PUBLIC, None, "Citizen-Pass-2024!"),
        MatrixUser("carrier_m", Role.CARRIER, None, "Carrier-Pass-2024!", carrier="mobile"),
        MatrixUser("auditadmin", Role.AUDIT_ADMIN, None, "Audit-Admin-2024!"),
        MatrixUser("secadmin", Role.SECURITY_ADMIN, None, "Sec-Admin-2024!x"),
        MatrixUser("sysadmin", Role.SYSTEM_ADMIN, None, "Sys-Admin-2024!x"),
    )
}


@pytest.fixture
def app_world(app_world: Any) -> Any:
    """The conftest's world plus :data:`MATRIX_USERS` (second factors enrolled on login)."""
    with session_scope(app_world.app.state.sessionmaker) as session:
        for user in MATRIX_USERS.values():
            add_user(
                session=session,
                username=user.username,
                role=user.role,
                enterprise_uscc=user.enterprise_uscc,
                password=user.password,
                must_change_password=False,
                carrier=user.carrier,
            )
    app_world.users.update(MATRIX_USERS)
    return app_world


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
        | set(BATCH_ROUTES)
        | set(COLLECTION_ROUTES)
        | set(FUNCTION_ROUTES)
        | set(SELF_ROUTES)
        | PUBLIC_ROUTES
        | set(SUPERVISION_COLLECTION_ROUTES)
        | set(ALERT_ROUTES)
        | set(ALERT_ACTION_ROUTES)
        | set(ADMINISTRATOR_ROUTES)
        | set(SITE_ROUTES)
        | set(OPERATIONS_ELSEWHERE)
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
    caller = Caller(
        role=user.role.value,
        enterprise=user.enterprise_uscc,
        active=not user.disabled,
        username=user.username,
    )
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
                elif path == "/api/registry/enterprises/{uscc}":
                    wrong.extend(f"{where}: {w}" for w in _detail_problems(response.json(), seen))
                elif path == "/api/supervision/enterprises/{uscc}":
                    body = response.json()
                    shown = {e["uscc"] for e in body["path"] + body["children"]}
                    if not shown <= seen:
                        wrong.append(f"{where}: shows {sorted(shown - seen)}")
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


# ---------------------------------------------------------------- a lake with facts (data centre)

FACTS_PER_REPORT = 62  # rows of one ``flash_report_rows`` report
PERIOD = str(Period.parse(datetime.now(UTC).date()).previous)  # the last month that ended
EARLIER = str(Period.parse(PERIOD).previous)


def _report_csv(uscc: str, period: str = PERIOD) -> bytes:
    rows = flash_report_rows(uscc, period)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


@dataclass(frozen=True)
class SeededBatch:
    id: str
    submitter: str
    status: str
    wrote: frozenset[str]  # USCCs whose facts it put in the lake


@dataclass(frozen=True)
class SeededWorld:
    """``app_world`` with facts in the lake and batches by different submitters."""

    world: Any
    batches: tuple[SeededBatch, ...]

    def facts_visible(self, seen: frozenset[str]) -> int:
        return FACTS_PER_REPORT * sum(len(b.wrote & seen) for b in self.batches)


@pytest.fixture
def seeded_world(app_world: Any) -> SeededWorld:
    """The analyst submits one report per enterprise for ``PERIOD``; off_a1 and off_g2 each
    submit one for their enterprise for the month before, and off_a1 one outside its scope
    (rejected). Every batch gets a validation report file (a placeholder where the service
    wrote none), so the report route answers 200 wherever the caller may read the batch."""
    batches = []
    plan = [("analyst", k, PERIOD) for k in SAMPLE] + [
        ("off_a1", "A1", EARLIER),
        ("off_g2", "B11", EARLIER),
        # outside off_a1's scope: rejected, kept on record (another month than off_g2's,
        # so the file differs: an identical file would be answered as a duplicate)
        ("off_a1", "B11", str(Period.parse(EARLIER).previous)),
    ]
    clients = {name: app_world.client(name) for name in {p[0] for p in plan}}
    for user, key, period in plan:
        files = {"file": (f"seed-{key}-{period}.csv", _report_csv(SAMPLE[key], period))}
        response = clients[user].post("/api/ingest/flash_report", files=files)
        body = response.json()
        if response.status_code == 200:
            assert body["status"] == "accepted", body
            batches.append(
                SeededBatch(body["batch_id"], user, "accepted", frozenset({SAMPLE[key]}))
            )
        else:
            assert response.status_code == 422, response.text
            batches.append(SeededBatch(body["report"]["batch_id"], user, "rejected", frozenset()))
    reports = app_world.settings.workspace / "reports" / "ingest"
    reports.mkdir(parents=True, exist_ok=True)
    for batch in batches:
        if not (reports / f"{batch.id}.xlsx").exists():
            Workbook().save(reports / f"{batch.id}.xlsx")
    assert [b.status for b in batches].count("rejected") == 1
    return SeededWorld(app_world, tuple(batches))


# ---------------------------------------------------------------- ingest batches (objects)

NO_BATCH = "00000000-0000-4000-8000-000000000000"


def test_each_batch_answers_as_the_oracle_says(seeded_world: SeededWorld, subtests: Any) -> None:
    for principal in PRINCIPALS:
        with subtests.test(principal=principal):
            client, caller = _caller(seeded_world.world, principal)
            wrong = []
            for (_method, path), kind in BATCH_ROUTES.items():
                for batch in [*seeded_world.batches, SeededBatch(NO_BATCH, "", "", frozenset())]:
                    url = path.format(batch_id=batch.id)
                    response = _get(client, kind, url)
                    if not caller.active or caller.role is None:
                        if why := _unauthenticated(response, kind):
                            wrong.append(f"{url}: {why}")
                        continue
                    want = (
                        200 if batch.submitter and batch_visible(caller, batch.submitter) else 404
                    )
                    if response.status_code != want:
                        wrong.append(f"{url} ({batch.submitter}): {response.status_code} ≠ {want}")
            assert not wrong, "\n".join(wrong)


def test_someone_elses_batch_reads_like_no_batch(seeded_world: SeededWorld) -> None:
    theirs = next(b for b in seeded_world.batches if b.submitter == "off_g2")
    client = seeded_world.world.client("off_a1")
    denied = client.get(f"/api/ingest/batches/{theirs.id}").json()
    missing = client.get(f"/api/ingest/batches/{NO_BATCH}").json()
    for body, batch_id in ((denied, theirs.id), (missing, NO_BATCH)):
        body.pop("instance")
        for key in ("detail", "message_zh", "message_en"):
            body[key] = body[key].replace(batch_id, "<id>")
    assert denied == missing


# ---------------------------------------------------------------- lists, trees and counts


# Classification (安全标记): a caller reads a dataset only with a clearance at least its
# level (general < important < core). Clearance by role, as security/README.md states it:
# the regulator's leader core; analysts, the platform operator and enterprise roles important;
# the three administrators and the public general. The flash report is 重要 (important).
LEVELS = {"general": 0, "important": 1, "core": 2}
ROLE_CLEARANCE = {
    "regulator-leader": "core",
    "regulator-analyst": "important",
    "platform-admin": "important",
    "enterprise-leader": "important",
    "enterprise-officer": "important",
    "operations-staff": "important",
}
DATASET_ROUTES = {  # routes that read one dataset → its level
    "/api/catalog/{name}": "important",
    "/catalog/{name}": "important",
    "/api/lake/flash_report": "important",
}


def cleared(caller: Caller, level: str) -> bool:
    clearance = ROLE_CLEARANCE.get(caller.role or "", "general")
    return LEVELS[clearance] >= LEVELS[level]


def _collection_problems(
    response: Any,
    route: tuple[str, str],
    caller: Caller,
    seen: frozenset[str],
    seeded: SeededWorld,
) -> list[str]:
    level = DATASET_ROUTES.get(route[1])
    if level is not None and not cleared(caller, level):
        # refused; a caller who sees no enterprise at all may also get an empty answer
        if response.status_code == 403:
            return []
        if seen:
            return [f"{response.status_code}, wanted 403"]
    if response.status_code != 200:
        return [f"{response.status_code}, wanted 200"]
    today = date.today()
    path = route[1]
    whole = caller.role in WHOLE_PORTFOLIO_ROLES
    if path == "/api/me":
        scope = response.json()["scope"]
        want: Any = "all" if whole else len(seen)
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
    if path.startswith(("/api/catalog", "/api/ingest", "/api/submissions", "/api/lake")):
        return _datacenter_problems(response.json(), path, caller, seen, seeded)
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
    if path == "/catalog":
        return [] if 'href="/catalog/flash_report"' in html else ["flash_report not listed"]
    if path == "/catalog/{name}":
        rows = re.search(r'data-testid="rows">(\d+)<', html)
        want_rows = seeded.facts_visible(seen)
        problems = [] if rows and int(rows[1]) == want_rows else [f"rows {rows} ≠ {want_rows}"]
        return problems + _lineage_problems(html, 'data-testid="lineage"' in html, whole, seeded)
    if path == "/submissions":
        got = set(re.findall(r'<tr data-uscc="([0-9A-Z]{18})"', html))
        return [] if got == seen else [f"rows {sorted(got)} ≠ {sorted(seen)}"]
    total = re.search(r'data-testid="total">(\d+) ', html)
    got = set(re.findall(r'href="/enterprises/([0-9A-Z]{18})"', html))
    problems = [] if got == seen else [f"rows {sorted(got)} ≠ {sorted(seen)}"]
    if not total or int(total[1]) != len(seen):
        problems.append(f"total {total and total[1]} ≠ {len(seen)}")
    return problems


def _lineage_problems(text: str, shown: bool, whole: bool, seeded: SeededWorld) -> list[str]:
    """Lineage (batch ids, submitters) is for whole-portfolio roles only."""
    accepted = {b.id for b in seeded.batches if b.status == "accepted"}
    if whole:
        missing = {i for i in accepted if i not in text}
        return [] if shown and not missing else [f"lineage lacks {sorted(missing)}"]
    named = {b.id for b in seeded.batches if b.id in text}
    return (["lineage shown"] if shown else []) + [f"names batch {i}" for i in sorted(named)]


def _datacenter_problems(
    body: Any, path: str, caller: Caller, seen: frozenset[str], seeded: SeededWorld
) -> list[str]:
    whole = caller.role in WHOLE_PORTFOLIO_ROLES
    if path == "/api/catalog":
        names = {d["name"] for d in body["items"]}
        return [] if "flash_report" in names else [f"catalog {sorted(names)}"]
    if path == "/api/catalog/{name}":
        want_rows = seeded.facts_visible(seen)
        problems = [] if body["rows"] == want_rows else [f"rows {body['rows']} ≠ {want_rows}"]
        text = json.dumps(body["lineage"])
        return problems + _lineage_problems(text, body["lineage"] is not None, whole, seeded)
    if path == "/api/ingest/batches":
        got = {b["id"] for b in body["items"]}
        want = {b.id for b in seeded.batches if batch_visible(caller, b.submitter)}
        problems = [] if got == want else [f"batches {sorted(got)} ≠ {sorted(want)}"]
        if body["total"] != len(want):
            problems.append(f"total {body['total']} ≠ {len(want)}")
        return problems
    if path == "/api/submissions":
        got = {s["uscc"] for s in body["items"]}
        problems = [] if got == seen else [f"states {sorted(got)} ≠ {sorted(seen)}"]
        if sum(body["counts"].values()) != len(seen):
            problems.append(f"counts {body['counts']} ≠ {len(seen)} in all")
        return problems
    # /api/lake/flash_report
    got = {r["uscc"] for r in body["rows"]}
    want_count = seeded.facts_visible(seen)
    problems = [] if got == seen else [f"lake rows of {sorted(got)} ≠ {sorted(seen)}"]
    if body["count"] != want_count or len(body["rows"]) != want_count:
        problems.append(f"count {body['count']} ({len(body['rows'])} rows) ≠ {want_count}")
    return problems


COLLECTION_URLS = {
    "/api/me": "/api/me",
    "/api/registry/enterprises": "/api/registry/enterprises?limit=500",
    "/api/registry/tree": "/api/registry/tree?depth=8",
    "/": "/",
    "/enterprises": "/enterprises",
    "/api/registry/export": "/api/registry/export",
    "/api/catalog": "/api/catalog",
    "/api/catalog/{name}": "/api/catalog/flash_report",
    "/api/ingest/batches": "/api/ingest/batches?limit=500",
    "/api/submissions": f"/api/submissions?period={PERIOD}",
    "/api/lake/flash_report": "/api/lake/flash_report?limit=10000",
    "/catalog": "/catalog",
    "/catalog/{name}": "/catalog/flash_report",
    "/submissions": f"/submissions?period={PERIOD}",
}


# ---------------------------------------------------------------- functions (BFLA)


def _registry_import(caller: Caller, tmp_path: Path) -> dict[str, Any]:
    ents, owns = sample_records()
    body = write_registry_xlsx(tmp_path / f"registry-{uuid.uuid4().hex}.xlsx", ents, owns)
    files = {"file": (body.name, body.read_bytes(), "application/octet-stream")}
    return {"url": "/api/registry/import?dry_run=true", "files": files}


def _own_report(caller: Caller) -> dict[str, Any]:
    """A valid flash report of an enterprise inside the caller's scope."""
    uscc = caller.enterprise or SAMPLE["A1"]
    return {"file": (f"report-{uuid.uuid4().hex}.csv", _report_csv(uscc), "text/csv")}


def _definition() -> dict[str, Any]:
    """A valid new indicator definition under a fresh code."""
    code = f"t_{uuid.uuid4().hex[:12]}"
    body = {"name_zh": "测试", "name_en": "Test", "unit": "%"}
    return {code: {**body, "formula": "cash.closing / total_assets.closing"}}


def _definition_toml() -> str:
    ((code, body),) = _definition().items()
    return f"[indicators.{code}]\n" + "".join(f'{k} = "{v}"\n' for k, v in body.items())


FUNCTION_REQUESTS: dict[tuple[str, str], tuple[str, Callable[[Caller, Path], dict[str, Any]]]] = {
    ("POST", "/api/registry/import"): (API, _registry_import),
    ("POST", "/api/ingest/{dataset}"): (
        API,
        lambda c, _t: {"url": "/api/ingest/flash_report?dry_run=true", "files": _own_report(c)},
    ),
    ("GET", "/submit"): (PAGE, lambda _c, _t: {"url": "/submit"}),
    ("POST", "/submit"): (
        PAGE,
        lambda c, _t: {"url": "/submit", "files": _own_report(c), "data": {"dry_run": "true"}},
    ),
    ("GET", "/api/submissions/overdue"): (
        API,
        lambda _c, _t: {"url": f"/api/submissions/overdue?period={PERIOD}"},
    ),
    ("GET", "/submissions/overdue"): (
        PAGE,
        lambda _c, _t: {"url": f"/submissions/overdue?period={PERIOD}"},
    ),
    ("POST", "/api/supervision/indicators"): (
        API,
        lambda _c, _t: {
            "url": "/api/supervision/indicators",
            "json": {"indicators": _definition()},
        },
    ),
    ("POST", "/supervision/indicators"): (
        PAGE,
        lambda _c, _t: {
            "url": "/supervision/indicators",
            "data": {"definitions": _definition_toml()},
        },
    ),
    ("GET", "/api/admin/users"): (API, lambda _c, _t: {"url": "/api/admin/users"}),
    ("POST", "/api/admin/users"): (
        API,
        lambda _c, _t: {"url": "/api/admin/users", "json": {"username": "x", "role": "public"}},
    ),
    ("POST", "/api/admin/users/{user_id}/disable"): (
        API,
        lambda _c, _t: {"url": "/api/admin/users/1/disable"},
    ),
    ("POST", "/api/admin/users/{user_id}/unlock"): (
        API,
        lambda _c, _t: {"url": "/api/admin/users/1/unlock"},
    ),
    ("POST", "/api/admin/users/{user_id}/role"): (
        API,
        lambda _c, _t: {"url": "/api/admin/users/1/role", "json": {"role": "platform-admin"}},
    ),
    ("POST", "/api/admin/users/{user_id}/clearance"): (
        API,
        lambda _c, _t: {"url": "/api/admin/users/1/clearance", "json": {"clearance": "core"}},
    ),
}

FUNCTION_ROUTES.update(OPERATIONS_FUNCTION_ROUTES)
FUNCTION_REQUESTS.update(OPERATIONS_FUNCTION_REQUESTS)


def _inbox_files(world: Any) -> int:
    inbox = world.settings.workspace / "inbox"
    return sum(1 for p in inbox.rglob("*") if p.is_file()) if inbox.exists() else 0


def test_every_function_route_has_a_request() -> None:
    assert set(FUNCTION_REQUESTS) == set(FUNCTION_ROUTES)


def test_functions_answer_only_the_roles_allowed(
    app_world: Any, subtests: Any, tmp_path: Path
) -> None:
    """Each principal calls each function route: allowed ⇒ 2xx, other roles ⇒ 403,
    no live session ⇒ 401 (a browser: 303 to the login page) — and a refused call writes
    nothing and keeps nothing."""
    for principal in PRINCIPALS:
        with subtests.test(principal=principal):
            client, caller = _caller(app_world, principal)
            wrong = []
            for (method, path), roles in FUNCTION_ROUTES.items():
                kind, build = FUNCTION_REQUESTS[(method, path)]
                request = build(caller, tmp_path)
                url = request.pop("url")
                accept = "text/html" if kind == PAGE else "application/json"
                kept = _inbox_files(app_world)
                response = client.request(method, url, headers={"Accept": accept}, **request)
                where = f"{method} {url}"
                if not caller.active or caller.role is None:
                    if why := _unauthenticated(response, kind):
                        wrong.append(f"{where}: {why}")
                else:
                    if caller.role in roles:  # allowed: 200, or 201 for a creation
                        if response.status_code not in {200, 201}:
                            wrong.append(f"{where}: {response.status_code}, wanted 2xx")
                        continue
                    if response.status_code != 403:
                        wrong.append(f"{where}: {response.status_code} ≠ 403")
                    content_type = response.headers["content-type"]
                    if kind == API and not content_type.startswith("application/problem+json"):
                        wrong.append(f"{where}: content-type {content_type}")
                if _inbox_files(app_world) != kept:
                    wrong.append(f"{where}: a refused call kept a file")
            assert not wrong, "\n".join(wrong)


def test_lists_trees_and_counts_hold_exactly_what_the_oracle_allows(
    seeded_world: SeededWorld, subtests: Any
) -> None:
    for principal in PRINCIPALS:
        with subtests.test(principal=principal):
            client, caller = _caller(seeded_world.world, principal)
            seen = visible(caller, NAMES, EDGES, date.today())
            wrong: list[str] = []
            for route, kind in COLLECTION_ROUTES.items():
                url = COLLECTION_URLS[route[1]]
                response = _get(client, kind, url)
                if not caller.active or caller.role is None:
                    problems = [why] if (why := _unauthenticated(response, kind)) else []
                else:
                    problems = _collection_problems(response, route, caller, seen, seeded_world)
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
    # Scope is what is tested here; the second factor has its own tests (tests/security).
    no_mfa = ws.settings.security.model_copy(update={"mfa_required_roles": []})
    app = create_app(ws.settings.model_copy(update={"security": no_mfa}))
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


# ---------------------------------------------------------------- supervision (智慧监管)
# Indicator values and alerts of the sample world (``supervision_world``): a value row per
# enterprise and the portfolio (enterprise 0, whole-portfolio roles only), one raised alert per
# enterprise. An alert is visible exactly when its enterprise is (``visible``).

SUPERVISION_COLLECTION_ROUTES = {
    ("GET", "/api/supervision/indicators"): API,
    ("GET", "/api/supervision/indicators/{code}"): API,
    ("GET", "/api/supervision/values"): API,
    ("GET", "/api/supervision/cockpit"): API,
    ("GET", "/api/supervision/evaluation"): API,
    ("GET", "/api/supervision/alerts"): API,
    ("GET", "/api/supervision/alerts/overdue"): API,
    ("GET", "/supervision"): PAGE,
    ("GET", "/supervision/alerts"): PAGE,
    ("GET", "/supervision/indicators"): PAGE,
}
SUPERVISION_URLS = {
    "/api/supervision/indicators/{code}": "/api/supervision/indicators/debt_ratio",
    "/api/supervision/values": "/api/supervision/values?indicator=debt_ratio",
    "/api/supervision/evaluation": f"/api/supervision/evaluation?period={SV_PERIOD}&level=entity",
    "/api/supervision/alerts": "/api/supervision/alerts?limit=500",
}
ALERT_ROUTES = {  # one alert, addressed by its id
    ("GET", "/api/supervision/alerts/{alert_id}"): API,
    ("GET", "/supervision/alerts/{alert_id}"): PAGE,
    ("GET", "/api/supervision/alerts/{alert_id}/attachments/{attachment_id}"): API,
}
# The loop's steps: the alert must be visible (else 404) and the caller on the step's side
# (regulator roles dispatch, close, reopen, dismiss; enterprise roles respond; else 403).
ALERT_ACTION_ROUTES = {
    ("POST", "/api/supervision/alerts/{alert_id}/dispatch"): "dispatch",
    ("POST", "/api/supervision/alerts/{alert_id}/respond"): "respond",
    ("POST", "/api/supervision/alerts/{alert_id}/close"): "close",
    ("POST", "/api/supervision/alerts/{alert_id}/reopen"): "reopen",
    ("POST", "/api/supervision/alerts/{alert_id}/dismiss"): "dismiss",
    ("POST", "/supervision/alerts/{alert_id}/{action}"): "*",
}
SOURCE_STATE = {
    "dispatch": "raised",
    "respond": "dispatched",
    "close": "responded",
    "reopen": "responded",
    "dismiss": "raised",
}
SIDE = {"respond": SUBTREE_ROLES - {"operations-staff"}}  # every other step: REGULATORS


@pytest.fixture
def supervision_seed(app_world: Any) -> SupervisionSeed:
    return seed_supervision(app_world)


def _ids_seen(seed: SupervisionSeed, seen: frozenset[str]) -> set[int]:
    return {seed.ids[k] for k, u in SAMPLE.items() if u in seen}


# Routes that read ``supervision.indicator_values`` (重要) for the caller's enterprises.
INDICATOR_VALUE_ROUTES = frozenset(
    {
        "/api/supervision/values",
        "/api/supervision/cockpit",
        "/api/supervision/evaluation",
        "/supervision",
    }
)


def _supervision_problems(
    response: Any, path: str, caller: Caller, seen: frozenset[str], seed: SupervisionSeed
) -> list[str]:
    if path in INDICATOR_VALUE_ROUTES and not cleared(caller, "important"):
        # indicator values are 重要: refused; empty for a caller who sees no enterprise
        if response.status_code == 403:
            return []
        if seen:
            return [f"{response.status_code}, wanted 403"]
    if response.status_code != 200:
        return [f"{response.status_code}, wanted 200"]
    whole = caller.role in WHOLE_PORTFOLIO_ROLES
    ids = _ids_seen(seed, seen)
    alerts = {seed.alerts[seed.key_of(i)] for i in ids}
    roots = {SAMPLE[k] for k in SAMPLE if SAMPLE[k] in roots_of(seen, EDGES, date.today())}
    if path.startswith("/api/supervision/indicators"):
        return []  # definitions, no business data (the leak check still runs)
    if path == "/supervision/indicators":
        return [] if 'data-code="roe"' in response.text else ["library not shown"]
    if path == "/api/supervision/values":
        got = {r["enterprise_id"] for r in response.json()["rows"]}
        want = ids | ({0} if whole else set())
        return [] if got == want else [f"values of {sorted(got)} ≠ {sorted(want)}"]
    if path == "/api/supervision/cockpit":
        body = response.json()
        got = {g["uscc"] for g in body["groups"]}
        problems = [] if got == roots else [f"groups {sorted(got)} ≠ {sorted(roots)}"]
        if body["alerts"]["total"] != len(alerts):
            problems.append(f"alert total {body['alerts']['total']} ≠ {len(alerts)}")
        return problems
    if path == "/api/supervision/evaluation":
        got = {e["uscc"] for e in response.json()}
        return [] if got == set(seen) else [f"evaluated {sorted(got)} ≠ {sorted(seen)}"]
    if path == "/api/supervision/alerts":
        body = response.json()
        got = {a["id"] for a in body["items"]}
        problems = [] if got == alerts else [f"alerts {sorted(got)} ≠ {sorted(alerts)}"]
        return problems + ([] if body["total"] == len(alerts) else [f"total {body['total']}"])
    if path == "/api/supervision/alerts/overdue":
        return [] if response.json() == [] else ["overdue items where none are"]
    html = response.text
    if path == "/supervision":
        got = set(re.findall(r'<tr data-uscc="([0-9A-Z]{18})"', html))
        return [] if got == roots else [f"groups {sorted(got)} ≠ {sorted(roots)}"]
    got_ids = {int(i) for i in re.findall(r'data-alert-id="(\d+)"', html)}  # /supervision/alerts
    return [] if got_ids == alerts else [f"alerts {sorted(got_ids)} ≠ {sorted(alerts)}"]


def test_supervision_lists_hold_exactly_what_the_oracle_allows(
    supervision_seed: SupervisionSeed, subtests: Any
) -> None:
    for principal in PRINCIPALS:
        with subtests.test(principal=principal):
            client, caller = _caller(supervision_seed.world, principal)
            seen = visible(caller, NAMES, EDGES, date.today())
            wrong: list[str] = []
            for (_method, path), kind in SUPERVISION_COLLECTION_ROUTES.items():
                url = SUPERVISION_URLS.get(path, path)
                response = _get(client, kind, url)
                if not caller.active or caller.role is None:
                    problems = [why] if (why := _unauthenticated(response, kind)) else []
                else:
                    problems = _supervision_problems(response, path, caller, seen, supervision_seed)
                    problems += [f"shows {x}" for x in _leaks(response.text, set(NAMES) - seen)]
                wrong.extend(f"{url}: {p}" for p in problems)
            assert not wrong, "\n".join(wrong)


def _attach(world: Any, alert_id: int, name: str) -> int:
    data = f"evidence of alert {alert_id}".encode()
    kept = keep_file(world.settings.workspace / "inbox", "alerts", name, data, sender="test")

    def add(session: Any) -> int:
        row = AlertAttachment(
            alert_id=alert_id, kind="evidence", file_name=name, inbox_sha256=kept.sha256,
            file_bytes=len(data), uploaded_by="test",
        )  # fmt: skip
        session.add(row)
        session.flush()
        return int(row.id)

    return int(with_session(world, add))


def test_each_alert_answers_as_the_oracle_says(
    supervision_seed: SupervisionSeed, subtests: Any
) -> None:
    """An alert (and its attachments) reads 200 where its enterprise is visible, else 404
    like an alert that does not exist; an attachment asked for under another alert is 404."""
    seed = supervision_seed
    files = {k: _attach(seed.world, seed.alerts[k], f"{k}.pdf") for k in ("A1", "B11")}
    for principal in PRINCIPALS:
        with subtests.test(principal=principal):
            client, caller = _caller(seed.world, principal)
            seen = visible(caller, NAMES, EDGES, date.today())
            wrong = []
            cases = [(k, seed.alerts[k]) for k in SAMPLE] + [(None, 999_999)]
            for (_method, path), kind in ALERT_ROUTES.items():
                for key, alert_id in cases:
                    if "{attachment_id}" in path:
                        if key not in files:
                            continue
                        own = path.format(alert_id=alert_id, attachment_id=files[key])
                        other = "B11" if key == "A1" else "A1"
                        crossed = path.format(alert_id=alert_id, attachment_id=files[other])
                        urls = [(own, key is not None and SAMPLE[key] in seen), (crossed, False)]
                    else:
                        ok = key is not None and SAMPLE[key] in seen
                        urls = [(path.format(alert_id=alert_id), ok)]
                    for url, ok in urls:
                        response = _get(client, kind, url)
                        if not caller.active or caller.role is None:
                            if why := _unauthenticated(response, kind):
                                wrong.append(f"{url}: {why}")
                            continue
                        want = 200 if ok else 404
                        if response.status_code != want:
                            wrong.append(f"{url} ({key}): {response.status_code} ≠ {want}")
                        hidden = set(NAMES) - seen
                        if kind != API or "attachments" not in url:
                            wrong.extend(f"{url}: shows {x}" for x in _leaks(response.text, hidden))
            assert not wrong, "\n".join(wrong)


def _action_request(
    route: tuple[str, str], action: str, alert_id: int, assignee: int
) -> dict[str, Any]:
    form = {
        "dispatch": {"assignee_id": assignee, "due_date": future(), "instruction": "整改"},
        "respond": {"explanation": "已整改"},
        "close": {"note": "已核查"},
        "reopen": {"reason": "未到位", "due_date": future()},
        "dismiss": {"reason": "误报"},
    }
    plan = {"plan": ("plan.pdf", b"%PDF-1.4 plan", "application/pdf")}
    if route[1].startswith("/api"):
        url = route[1].format(alert_id=alert_id)
        if action == "respond":
            return {"url": url, "data": form[action], "files": plan}
        return {"url": url, "json": form[action]}
    url = route[1].format(alert_id=alert_id, action=action)
    data = {"text": "说明", "assignee_id": str(assignee), "due_date": future()}
    return {"url": url, "data": data, **({"files": plan} if action == "respond" else {})}


def test_each_loop_step_answers_only_the_side_allowed(
    supervision_seed: SupervisionSeed, subtests: Any
) -> None:
    """Each principal takes each step on a fresh alert in the step's starting state, in and
    out of its scope: not visible ⇒ 404; visible but the other side's step ⇒ 403; else done
    (the API 200, a plain form post 303). A refused step leaves the alert as it was."""
    seed = supervision_seed
    users = with_session(
        seed.world,
        lambda s: {str(u): int(i) for u, i in s.execute(select(User.username, User.id))},
    )
    assignee = {"A1": users["off_a1"], "B11": users["off_g2"]}
    for principal in PRINCIPALS:
        with subtests.test(principal=principal):
            client, caller = _caller(seed.world, principal)
            seen = visible(caller, NAMES, EDGES, date.today())
            wrong = []
            for route, step in ALERT_ACTION_ROUTES.items():
                kind = API if route[1].startswith("/api") else PAGE
                for action in [step] if step != "*" else list(SOURCE_STATE):
                    for key in ("A1", "B11"):
                        state = SOURCE_STATE[action]
                        extra = {"assignee_id": assignee[key], "due_date": date.today()}
                        alert_id = with_session(
                            seed.world,
                            lambda s, k=key, st=state, x=extra: add_alert(
                                s, seed.ids[k], status=st, **(x if st != "raised" else {})
                            ),
                        )
                        request = _action_request(route, action, alert_id, assignee[key])
                        url = request.pop("url")
                        accept = "text/html" if kind == PAGE else "application/json"
                        response = client.post(url, headers={"Accept": accept}, **request)
                        where = f"{principal} {action} {url} ({key})"
                        if not caller.active or caller.role is None:
                            if why := _unauthenticated(response, kind):
                                wrong.append(f"{where}: {why}")
                            want = None
                        elif SAMPLE[key] not in seen:
                            want = 404
                        elif caller.role in SIDE.get(action, REGULATORS):
                            want = 200 if kind == API else 303
                        else:
                            want = 403
                        if want is not None and response.status_code != want:
                            wrong.append(f"{where}: {response.status_code} ≠ {want}")
                        status = with_session(
                            seed.world, lambda s, i=alert_id: s.get(Alert, i).status
                        )
                        if want != (200 if kind == API else 303) and status != state:
                            wrong.append(f"{where}: a refused step moved it to {status}")
            assert not wrong, "\n".join(wrong)


# ---------------------------------------------------------------- 三员分立: one administrator each
# The audit log is the audit administrator's alone; security alerts the security
# administrator's. Everyone else who is logged in gets 403, anonymous 401 (a browser: login).
ADMINISTRATOR_ROUTES = {
    ("GET", "/audit"): (PAGE, "audit-admin"),
    ("GET", "/api/audit/records"): (API, "audit-admin"),
    ("GET", "/api/audit/export"): (API, "audit-admin"),
    ("GET", "/api/audit/verify"): (API, "audit-admin"),
    ("GET", "/api/security/alerts"): (API, "security-admin"),
}


def test_administrator_routes_answer_only_their_administrator(
    app_world: Any, subtests: Any
) -> None:
    for principal in PRINCIPALS:
        with subtests.test(principal=principal):
            client, caller = _caller(app_world, principal)
            wrong = []
            for (_method, path), (kind, role) in ADMINISTRATOR_ROUTES.items():
                response = _get(client, kind, path)
                if not caller.active or caller.role is None:
                    if why := _unauthenticated(response, kind):
                        wrong.append(f"{path}: {why}")
                    continue
                want = 200 if caller.role == role else 403
                if response.status_code != want:
                    wrong.append(f"{path}: {response.status_code} ≠ {want}")
                if want == 403 and _leaks(response.text, NAMES):
                    wrong.append(f"{path}: a refusal names enterprises")
            assert not wrong, "\n".join(wrong)


def test_the_audit_admin_sees_the_denials_the_matrix_provoked(app_world: Any) -> None:
    """Refusals are audited (入侵防范): off_g2 asking for G1's enterprise is on record,
    with the caller and the path, for the audit administrator to find."""
    probe = f"/api/registry/enterprises/{SAMPLE['A1']}"
    assert app_world.client("off_g2").get(probe).status_code == 404
    records = app_world.client("auditadmin").get(
        "/api/audit/records", params={"event_type": "access.denied"}
    )
    assert records.status_code == 200, records.text
    rows = records.json()["items"]
    assert any(r["username"] == "off_g2" and probe in r["object"] for r in rows), rows


# ---------------------------------------------------------------- machine clients (API tokens)


def test_an_api_token_sees_exactly_what_its_user_sees(app_world: Any) -> None:
    """A read token of off_a1 answers like off_a1 on the API (objects and lists), cannot
    write, never opens a page, and dies with its user."""
    with session_scope(app_world.app.state.sessionmaker) as session:
        user = session.scalar(select(User).where(User.username == "off_a1"))
        assert user is not None
        token = create_api_token(
            session=session,
            user=user,
            scopes=["read"],
            lifetime=timedelta(days=1),
            settings=app_world.settings.security,
            now=datetime.now(UTC),
        ).token
    client = app_world.client(None)
    client.headers["Authorization"] = f"Bearer {token}"
    caller = Caller(role="enterprise-officer", enterprise=SAMPLE["A1"], username="off_a1")
    seen = visible(caller, NAMES, EDGES, date.today())
    for uscc in NAMES:
        response = client.get(f"/api/registry/enterprises/{uscc}")
        assert response.status_code == (200 if uscc in seen else 404), uscc
    listed = client.get("/api/registry/enterprises", params={"limit": 100}).json()
    assert {e["uscc"] for e in listed["items"]} == seen
    assert _get(client, PAGE, "/enterprises").status_code == 403  # tokens never open pages
    write = client.post("/api/auth/password", json={"current_password": "x", "new_password": "y"})
    assert write.status_code in {401, 403}
    files = {"file": ("t.csv", _report_csv(SAMPLE["A1"]))}
    assert client.post("/api/ingest/flash_report", files=files).status_code == 403
    with session_scope(app_world.app.state.sessionmaker) as session:
        disable_user(session=session, username="off_a1")
    dead = client.get(f"/api/registry/enterprises/{SAMPLE['A1']}")
    assert dead.status_code == 401 and dead.json()["code"] == "ZG-SEC-009"


# ---------------------------------------------------------------- operations: sites


def _seed_sites(world: Any) -> dict[str, int]:
    """One fictitious site per enterprise of the sample registry: USCC → site id."""
    from zhiguo.operations.sites.models import Site
    from zhiguo.registry import Enterprise

    ids: dict[str, int] = {}
    with session_scope(world.app.state.sessionmaker) as session:
        for i, ent in enumerate(session.scalars(select(Enterprise).order_by(Enterprise.id))):
            site = Site(
                code=f"MX-{i:03d}",
                name_zh=f"矩阵站址{i}",
                name_en="",
                site_type="rooftop",
                enterprise_id=ent.id,
                lon=114.05 + i * 0.001,
                lat=22.55,
                x_m=505_000.0 + i * 100,
                y_m=2_494_000.0,
                district_code=1,
                height_m=30.0,
                status="available",
                carriers="",
                has_fibre=True,
                restrictions="",
                source_file="",
                source_sha256="",
            )
            session.add(site)
            session.flush()
            ids[ent.uscc] = site.id
    return ids


def test_sites_answer_as_the_oracle_says(app_world: Any, subtests: Any) -> None:
    """A site is visible exactly when its owner is: in the list, the GeoJSON and by id
    (denied ⇒ 404, like an enterprise); the public role is refused the function (403)."""
    site_of = _seed_sites(app_world)
    for principal in PRINCIPALS:
        with subtests.test(principal=principal):
            client, caller = _caller(app_world, principal)
            seen = visible(caller, NAMES, EDGES, date.today())
            wrong: list[str] = []
            lists = client.get("/api/operations/sites?limit=500")
            geo = client.get("/api/operations/sites.geojson")
            if not caller.active or caller.role is None:
                for response in (lists, geo):
                    if why := _unauthenticated(response, API):
                        wrong.append(why)
            elif caller.role == Role.PUBLIC.value:
                wrong += [
                    f"list {r.status_code} ≠ 403" for r in (lists, geo) if r.status_code != 403
                ]
            else:
                want = {f"MX-{i:03d}" for i, u in enumerate(site_of) if u in seen}
                got = {item["code"] for item in lists.json()["items"]}
                got_geo = {f["properties"]["code"] for f in geo.json()["features"]}
                if got != want or got_geo != want or lists.json()["total"] != len(want):
                    wrong.append(f"list {sorted(got)} / geojson {sorted(got_geo)} ≠ {sorted(want)}")
            for (method, path), kind in SITE_ROUTES.items():
                for uscc, site_id in site_of.items():
                    url = path.replace("{site_id}", str(site_id))
                    accept = "text/html" if kind == PAGE else "application/json"
                    response = client.request(method, url, headers={"Accept": accept})
                    if not caller.active or caller.role is None:
                        if why := _unauthenticated(response, kind):
                            wrong.append(f"{url}: {why}")
                        continue
                    want_status = (
                        403 if caller.role == Role.PUBLIC.value else 200 if uscc in seen else 404
                    )
                    if response.status_code != want_status:
                        wrong.append(f"{url}: {response.status_code} ≠ {want_status}")
            assert not wrong, "\n".join(wrong)


def test_operations_routes_checked_elsewhere_name_a_test_that_exists() -> None:
    root = Path(__file__).resolve().parents[2]
    for (_method, path), test_file in OPERATIONS_ELSEWHERE.items():
        text = (root / test_file).read_text(encoding="utf-8")
        last = [seg for seg in path.split("/") if seg and not seg.startswith("{")][-1]
        assert f"/{last}" in text, f"{test_file} never calls …/{last} ({path})"
        assert "403" in text and "404" in text, f"{test_file} checks no refusal"
