"""Health and identity endpoints."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import text

from zhiguo.core.db import current_revision

from ..deps import PrincipalDep, ScopeDep
from ..policy import AUTHENTICATED, PUBLIC

router = APIRouter(tags=["system"])


@router.get("/healthz", dependencies=[PUBLIC])
def healthz(request: Request) -> dict[str, Any]:
    """Liveness and the metadata DB's reachability and schema revision."""
    engine = request.app.state.engine
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return {"status": "ok", "db": engine.dialect.name, "schema": current_revision(engine)}


@router.get("/api/me", dependencies=[AUTHENTICATED])
def me(principal: PrincipalDep, scope: ScopeDep) -> dict[str, Any]:
    """Who the caller is and how much of the portfolio their scope covers."""
    return {
        "username": principal.username,
        "display_name": principal.display_name,
        "role": principal.role.value,
        "enterprise_id": principal.enterprise_id,
        "scope": "all" if scope.is_unrestricted else len(scope.enterprise_ids or ()),
    }
