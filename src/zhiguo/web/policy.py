"""Route policies, default deny (等保 level 3 访问控制; OWASP API5 BFLA).

Every route declares who may call it, as a dependency of the route or of its router::

    from zhiguo.web.policy import AUTHENTICATED, PUBLIC, REGULATOR, roles

    router = APIRouter(prefix="/api/x", dependencies=[AUTHENTICATED])  # the router's default

    @router.get("/open", dependencies=[PUBLIC])                          # anyone
    @router.post("/admin", dependencies=[roles(Role.SECURITY_ADMIN)])    # a role set

A policy is an ordinary FastAPI dependency that enforces itself (``AUTHENTICATED`` needs a
logged-in principal; ``roles(...)`` also a role in the set); when a route carries several
(router and route), all must pass. :func:`enforce_declared_policy`, installed app-wide,
refuses any route that declares none (403 problem+json ``ZG-SEC-104``), and
:func:`policy_table` lists every route with its policies for the tests.

:func:`bind_data_access` (also app-wide) opens the request's data-access context: labels
are verified against the workspace key and reads of 重要/核心 data are audited once per
request (``datacenter.lake.access``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.params import Depends as DependsParam
from fastapi.routing import APIRoute, iter_route_contexts

from zhiguo.core.access import Principal, Role
from zhiguo.core.errors import PermissionDenied
from zhiguo.datacenter.lake import DataAccess, bind_access
from zhiguo.security.classification import RouteNotDeclared

from .deps import PrincipalDep

__all__ = [
    "AUTHENTICATED",
    "PUBLIC",
    "REGULATOR",
    "Policy",
    "bind_data_access",
    "enforce_declared_policy",
    "policies_of",
    "policy_table",
    "roles",
]


class Policy:
    """Base of the route policies; ``name`` is what :func:`policy_table` shows."""

    name = "policy"


class _Public(Policy):
    name = "public"

    def __call__(self) -> None:
        """Anyone, logged in or not."""


def _note_principal(request: Request, principal: Principal) -> None:
    access = getattr(request.state, "data_access", None)
    if access is not None:
        access.principal = principal  # whom the request's audit records name


class _Authenticated(Policy):
    name = "authenticated"

    def __call__(self, request: Request, principal: PrincipalDep) -> Principal:
        _note_principal(request, principal)
        return principal


class _Roles(Policy):
    def __init__(self, allowed: Iterable[Role]) -> None:
        self.allowed = frozenset(allowed)
        self.name = "roles:" + ",".join(sorted(r.value for r in self.allowed))

    def __call__(self, request: Request, principal: PrincipalDep) -> Principal:
        _note_principal(request, principal)
        if principal.role not in self.allowed:
            raise PermissionDenied("您的角色不能使用此功能", "Your role may not use this")
        return principal


PUBLIC = Depends(_Public())
"""Anyone (login page, health check, static docs)."""
AUTHENTICATED = Depends(_Authenticated())
"""Any logged-in user; the data layer narrows what they see (scope, clearance, masking)."""


def roles(*allowed: Role) -> Any:
    """Only these roles (403 for any other logged-in user, 401 when not logged in)."""
    return Depends(_Roles(allowed))


REGULATOR = roles(*(r for r in Role if r.sees_whole_portfolio))
"""The regulator's whole-portfolio roles."""


def _declared(route: Any) -> list[Policy]:
    found: list[Policy] = []
    for dep in getattr(route, "dependencies", None) or []:
        call = dep.dependency if isinstance(dep, DependsParam) else None
        if isinstance(call, Policy):
            found.append(call)
    return found


def policies_of(route: Any) -> list[str]:
    """The names of the policies ``route`` (an APIRoute or route context) declares."""
    return [policy.name for policy in _declared(route)]


async def enforce_declared_policy(request: Request) -> None:
    """App-wide: a route with no declared policy answers nobody (default deny)."""
    route = request.scope.get("route")
    if isinstance(route, APIRoute) and not _declared(route):
        raise RouteNotDeclared()


async def bind_data_access(request: Request) -> None:
    """App-wide: the request's data-access context (label key, read audit)."""
    settings = request.app.state.settings
    context = DataAccess(
        keys_dir=settings.workspace / "keys",
        request_id=str(getattr(request.state, "request_id", "") or ""),
        client_addr=request.client.host if request.client else "",
        defer_denials=True,  # written by get_db after the request's rollback
    )
    request.state.data_access = context
    bind_access(context)


def policy_table(app: FastAPI) -> list[dict[str, Any]]:
    """Every API route with its methods and declared policies (empty: none declared)."""
    return [
        {
            "path": context.path,
            "methods": sorted(context.methods or []),
            "policies": policies_of(context),
        }
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
    ]
