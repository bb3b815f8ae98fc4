"""The operations platform's rows of the authorization matrix (used by test_authorization).

Routes fall in three groups:
- ``OPERATIONS_FUNCTION_ROUTES``: role-gated calls with a cheap, always-valid request; the
  matrix calls each as every principal (allowed ⇒ 2xx, other roles ⇒ 403, no session ⇒ 401).
- ``SITE_ROUTES``: one site addressed by id; checked against the enterprise oracle (a site is
  visible exactly when its owner is) in ``test_sites_answer_as_the_oracle_says``.
- ``OPERATIONS_ELSEWHERE``: routes whose request needs state (a run, a plan, a lease, a
  carrier request, a file to import); each names the test file that checks who may call it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from zhiguo.core import Role

API, PAGE = "api", "page"

ALL_ROLES = frozenset(r.value for r in Role)
NOT_PUBLIC = ALL_ROLES - {Role.PUBLIC.value}
REGULATORS = frozenset({"platform-admin", "regulator-leader", "regulator-analyst"})
ENTERPRISE = frozenset({"enterprise-leader", "enterprise-officer"})
LEASE_READERS = REGULATORS | ENTERPRISE | {"operations-staff", "carrier"}
REVENUE_READERS = REGULATORS | ENTERPRISE | {"operations-staff"}

OPERATIONS_FUNCTION_ROUTES: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/operations/map"): NOT_PUBLIC,
    ("GET", "/api/operations/map/districts.geojson"): ALL_ROLES,
    ("GET", "/operations/sites"): NOT_PUBLIC,
    ("GET", "/api/operations/sites"): NOT_PUBLIC,
    ("GET", "/api/operations/sites.geojson"): NOT_PUBLIC,
    ("GET", "/api/operations/coverage/runs"): REGULATORS,
    ("GET", "/api/operations/plans"): REGULATORS,
    ("GET", "/api/operations/carrier-requests"): LEASE_READERS,
    ("GET", "/api/operations/leases"): LEASE_READERS,
    ("GET", "/operations/leases"): LEASE_READERS,
    ("GET", "/api/operations/leases/revenue"): REVENUE_READERS,
}

Builder = Callable[[Any, Path], dict[str, Any]]


def _get(url: str) -> Builder:
    return lambda _c, _t: {"url": url}


OPERATIONS_FUNCTION_REQUESTS: dict[tuple[str, str], tuple[str, Builder]] = {
    (m, p): (PAGE if not p.startswith("/api/") else API, _get(p))
    for (m, p) in OPERATIONS_FUNCTION_ROUTES
}
OPERATIONS_FUNCTION_REQUESTS[("GET", "/api/operations/leases/revenue")] = (
    API,
    _get("/api/operations/leases/revenue?year=2026"),
)

SITE_ROUTES = {  # one site, addressed by its id: visible ⇔ its owner is
    ("GET", "/api/operations/sites/{site_id}"): API,
    ("GET", "/operations/sites/{site_id}"): PAGE,
}

OPERATIONS_ELSEWHERE: dict[tuple[str, str], str] = {
    ("POST", "/api/operations/sites/import"): "tests/web/test_sites_web.py",
    ("POST", "/operations/sites"): "tests/web/test_sites_web.py",
    ("POST", "/api/operations/coverage/runs"): "tests/web/test_coverage_web.py",
    ("GET", "/api/operations/coverage/latest"): "tests/web/test_coverage_web.py",
    ("GET", "/api/operations/coverage/runs/{run_id}"): "tests/web/test_coverage_web.py",
    ("GET", "/api/operations/coverage/runs/{run_id}/heatmap.png"): "tests/web/test_coverage_web.py",
    (
        "GET",
        "/api/operations/coverage/runs/{run_id}/heatmap.geojson",
    ): "tests/web/test_coverage_web.py",
    ("POST", "/api/operations/plans"): "tests/web/test_planning_web.py",
    ("GET", "/api/operations/plans/latest"): "tests/web/test_planning_web.py",
    ("GET", "/api/operations/plans/{plan_id}"): "tests/web/test_planning_web.py",
    ("POST", "/api/operations/carrier-requests"): "tests/web/test_leasing_web.py",
    ("GET", "/api/operations/carrier-requests/{request_id}"): "tests/web/test_leasing_web.py",
    (
        "POST",
        "/api/operations/carrier-requests/{request_id}/withdraw",
    ): "tests/web/test_leasing_web.py",
    (
        "GET",
        "/api/operations/carrier-requests/{request_id}/matches",
    ): "tests/web/test_leasing_web.py",
    ("POST", "/api/operations/leases"): "tests/web/test_leasing_web.py",
    ("GET", "/api/operations/leases/{lease_id}"): "tests/web/test_leasing_web.py",
    ("POST", "/api/operations/leases/{lease_id}/transition"): "tests/web/test_leasing_web.py",
    ("GET", "/operations/leases/{lease_id}"): "tests/web/test_leasing_web.py",
    ("POST", "/operations/leases/{lease_id}/transition"): "tests/web/test_leasing_web.py",
}
"""Route → the test file that checks its callers (403 for roles without the function, 404
for objects out of scope)."""
