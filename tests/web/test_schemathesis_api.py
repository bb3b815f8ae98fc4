"""Schemathesis against the app's own OpenAPI schema, in process (ASGI): for every
operation, generated requests never get a 5xx, every documented response matches its
schema, and an anonymous caller gets 401 from every operation that is not public.

Kept cheap and repeatable for ``make test`` on a small machine: few examples per
operation, derandomized (same cases every run), no example database, no shrinking.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy import select
from test_hardening import csrf_client

from zhiguo.core import Role
from zhiguo.security import User, add_user
from zhiguo.security.totp import generate_secret
from zhiguo.web.deps import CSRF_HEADER, SESSION_COOKIE
from zhiguo.web.policy import policy_table

AUTHENTICATED_EXAMPLES = 12
ANONYMOUS_EXAMPLES = 4
ROLE_EXAMPLES = 6
# Operations that would end the test's own session, or lock its user out, if fuzzed.
SESSION_ENDING = {("POST", "/api/auth/logout"), ("POST", "/api/auth/password")}

# Who else is tried on what the analyst may not call, in this order.
OTHER_ROLES = [r for r in Role if r not in {Role.REGULATOR_ANALYST, Role.PUBLIC}]
# What the analyst's fuzzing must have reached with a 2xx (so it got past login and policy).
REACHED = {
    ("GET", "/api/me"),
    ("GET", "/api/registry/enterprises"),
    ("GET", "/api/catalog"),
    ("GET", "/api/ingest/batches"),
    ("GET", "/api/supervision/indicators"),
}

_SETTINGS = settings(
    max_examples=AUTHENTICATED_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)


def _operations(app: Any) -> list[Any]:
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def _public(app: Any) -> set[tuple[str, str]]:
    return {
        (method, row["path"])
        for row in policy_table(app)
        if "public" in row["policies"]
        for method in row["methods"]
    }


def _key(operation: Any) -> tuple[str, str]:
    return operation.method.upper(), operation.path


def _run(operation: Any, examples: int, check: Any) -> None:
    @given(case=operation.as_strategy())
    @settings(_SETTINGS, max_examples=examples)
    def run(case: Any) -> None:
        check(case)

    try:
        run()
    except Exception as exc:  # name the operation: hypothesis alone only shows the case
        raise AssertionError(f"{operation.method.upper()} {operation.path}: {exc}") from exc


def _session_headers(client: Any) -> dict[str, str]:
    headers = {"Cookie": f"{SESSION_COOKIE}={client.cookies[SESSION_COOKIE]}"}
    token = client.headers.get(CSRF_HEADER)
    if token:
        headers[CSRF_HEADER] = token
    return headers


def _fuzz(operation: Any, headers: dict[str, str], examples: int, public: bool) -> set[int]:
    """Fuzz ``operation`` as the caller of ``headers``: no 5xx, documented responses match
    their schema; returns the status codes seen."""
    seen: set[int] = set()

    def check(case: Any) -> None:
        response = case.call(headers=headers)
        seen.add(response.status_code)
        if not public:  # a public login with fuzzed credentials says 401, rightly
            assert response.status_code != 401, "the caller's session was lost"
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

    _run(operation, examples, check)
    return seen


def test_fuzzed_requests_get_no_5xx_and_match_the_schema(app_world: Any) -> None:
    """Every operation as the analyst; then each one that only ever told the analyst 403
    (another role's: the audit admin's, the security admin's …) as the roles in turn until
    one is admitted — so every operation is fuzzed past its policy by someone."""
    public = _public(app_world.app)
    operations = [op for op in _operations(app_world.app) if _key(op) not in SESSION_ENDING]
    assert len(operations) >= 20
    analyst = _session_headers(csrf_client(app_world, "analyst"))
    seen = {
        _key(op): _fuzz(op, analyst, AUTHENTICATED_EXAMPLES, _key(op) in public)
        for op in operations
    }
    succeeded = {key for key, codes in seen.items() if any(c < 300 for c in codes)}
    # the fuzzing reached the routes themselves, not only the login or policy walls
    assert succeeded >= REACHED, REACHED - succeeded

    callers: dict[Role, dict[str, str]] = {}
    refused_by_all = []
    for operation in (op for op in operations if seen[_key(op)] == {403}):
        for role in OTHER_ROLES:
            if role not in callers:
                callers[role] = _session_headers(csrf_client(app_world, _caller(app_world, role)))
            if _fuzz(operation, callers[role], ROLE_EXAMPLES, False) != {403}:
                break
        else:
            refused_by_all.append(_key(operation))
    assert not refused_by_all, f"operations no role may call: {refused_by_all}"


def test_anonymous_callers_get_401_from_every_non_public_operation(app_world: Any) -> None:
    public = _public(app_world.app)
    assert ("POST", "/api/auth/login") in public
    operations = _operations(app_world.app)
    for operation in operations:
        is_public = _key(operation) in public

        def check(case: Any, is_public: bool = is_public) -> None:
            response = case.call()
            case.validate_response(response, checks=[not_a_server_error])
            if not is_public:
                assert response.status_code == 401, (case.path, response.status_code)
                content_type = response.headers.get("content-type") or [""]
                assert content_type[0].startswith("application/problem+json")

        _run(operation, ANONYMOUS_EXAMPLES, check)


def _caller(app_world: Any, role: Role) -> str:
    """A user of ``role`` from the fixture, else one added (with TOTP where required)."""
    for user in app_world.users.values():
        if user.role == role and not user.disabled:
            return str(user.username)
    template = next(iter(app_world.users.values()))
    user = dataclasses.replace(
        template,
        username=f"fz-{role.value}",
        role=role,
        enterprise="G1" if role.needs_enterprise else None,
        password="Fuzz-Caller-Pass-2024!",
        disabled=False,
    )
    with app_world.app.state.sessionmaker() as session:
        add_user(session=session, username=user.username, role=role,
                 enterprise_uscc=user.enterprise_uscc, password=user.password,
                 must_change_password=False)  # fmt: skip
        if role.value in app_world.settings.security.mfa_required_roles:
            row = session.scalar(select(User).where(User.username == user.username))
            row.totp_secret = app_world.totp_secrets[user.username] = generate_secret()
            row.totp_enrolled_at = datetime.now(UTC)
        session.commit()
    app_world.users[user.username] = user
    return str(user.username)
