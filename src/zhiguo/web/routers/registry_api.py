"""Registry API: enterprises, the ownership tree and shareholdings, always within scope."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from zhiguo import registry
from zhiguo.registry import EnterpriseOut, OwnershipOut, TreeNode

from ..deps import ScopeDep, SessionDep

router = APIRouter(prefix="/api/registry", tags=["registry"])


class EnterprisePage(BaseModel):
    items: list[EnterpriseOut]
    total: int
    limit: int
    offset: int


class EnterpriseDetail(BaseModel):
    enterprise: EnterpriseOut
    path: list[EnterpriseOut]
    shareholders: list[OwnershipOut]
    children: list[OwnershipOut]
    effective_state_ownership_pct: Decimal


@router.get("/enterprises")
def list_enterprises(
    db: SessionDep,
    scope: ScopeDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
    level: Annotated[int | None, Query(ge=1, le=20)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> EnterprisePage:
    """Enterprises the caller may see; the total counts only those too."""
    items = registry.list_enterprises(
        session=db, scope=scope, q=q, level=level, limit=limit, offset=offset
    )
    total = registry.count_enterprises(session=db, scope=scope, q=q, level=level)
    return EnterprisePage(
        items=[EnterpriseOut.model_validate(e) for e in items],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/enterprises/{uscc}")
def get_enterprise(
    uscc: str, db: SessionDep, scope: ScopeDep, as_of: date | None = None
) -> EnterpriseDetail:
    """One enterprise with its path to the root, shareholders, direct investments and
    effective state ownership (as of a date, default today)."""
    ent = registry.get_enterprise(session=db, scope=scope, uscc=uscc)
    return EnterpriseDetail(
        enterprise=EnterpriseOut.model_validate(ent),
        path=[
            EnterpriseOut.model_validate(e)
            for e in registry.path_to_root(
                session=db, scope=scope, enterprise_id=ent.id, as_of=as_of
            )
        ],
        shareholders=registry.shareholders_of(
            session=db, scope=scope, enterprise_id=ent.id, as_of=as_of
        ),
        children=registry.children_of(session=db, scope=scope, enterprise_id=ent.id, as_of=as_of),
        effective_state_ownership_pct=registry.effective_state_ownership(
            session=db, scope=scope, enterprise_id=ent.id, as_of=as_of
        ),
    )


@router.get("/tree")
def portfolio_tree(
    db: SessionDep,
    scope: ScopeDep,
    as_of: date | None = None,
    depth: Annotated[int, Query(ge=1, le=8)] = 2,
) -> TreeNode:
    """The ownership tree of everything the caller sees, as of a date."""
    return registry.tree(session=db, scope=scope, as_of=as_of, max_depth=depth)


@router.get("/enterprises/{uscc}/tree")
def enterprise_tree(
    uscc: str,
    db: SessionDep,
    scope: ScopeDep,
    as_of: date | None = None,
    depth: Annotated[int, Query(ge=1, le=8)] = 3,
) -> TreeNode:
    """The subtree below one enterprise, as of a date."""
    ent = registry.get_enterprise(session=db, scope=scope, uscc=uscc)
    return registry.tree(session=db, scope=scope, root_id=ent.id, as_of=as_of, max_depth=depth)
