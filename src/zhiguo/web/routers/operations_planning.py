"""Site-selection plans (5G 选址规划): run one, list them, read one — regulator roles only.

A plan run solves set cover (a target share of demand at least cost) or budgeted maximal
covering against the workspace's latest demand raster and the sites in the caller's scope
(``operations.planning``); each run is audited here as ``plans.run`` in the same
transaction as the stored plan.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import Field

from zhiguo.operations.planning import service

from ..deps import PrincipalDep, RequestInfoDep, ScopeDep, SessionDep, SettingsDep
from ..policy import REGULATOR
from ..schemas import RowId, StrictModel
from .audit_api import audit_request

__all__ = ["PlanRequest", "router"]

router = APIRouter(prefix="/api/operations/plans", tags=["operations"])


class PlanRequest(StrictModel):
    """``set_cover`` needs ``target_coverage`` (share of all demand, (0, 1]); ``max_cover``
    needs ``budget`` (CNY). Threshold and exclusions are optional."""

    mode: Literal["set_cover", "max_cover"]
    band: str = Field("n78", max_length=10)
    target_coverage: float | None = Field(None, gt=0, le=1)
    budget: float | None = Field(None, ge=0, lt=1e15)
    time_limit_s: float = Field(60.0, gt=0, le=600)
    threshold_dbm: float | None = Field(None, ge=-140, le=-60)
    exclude: list[Annotated[str, Field(max_length=40)]] = Field(
        default_factory=list, max_length=10_000
    )


@router.post("", status_code=201, dependencies=[REGULATOR])
def run_plan(
    body: PlanRequest,
    db: SessionDep,
    settings: SettingsDep,
    scope: ScopeDep,
    principal: PrincipalDep,
    info: RequestInfoDep,
) -> dict[str, Any]:
    """Solve and store a plan; 201 with the plan JSON (422 when the target is unreachable)."""
    plan = service.plan_for_city(
        db,
        settings=settings.operations,
        lake_root=settings.workspace / "lake",
        scope=scope,
        mode=body.mode,
        band=body.band,
        target_coverage=body.target_coverage,
        budget=body.budget,
        time_limit_s=body.time_limit_s,
        threshold_dbm=body.threshold_dbm,
        exclusions=body.exclude,
        created_by=principal.username,
    )
    audit_request(
        db, principal, info, event_type="plans.run", object=f"plan:{plan.id}",
        detail={"mode": body.mode, "band": plan.band, "target_coverage": body.target_coverage,
                "budget": body.budget, "exclude": body.exclude, "cost": plan.cost,
                "coverage_share": plan.coverage_share, "gap": plan.gap},
    )  # fmt: skip
    return service.plan_as_dict(db, plan, scope=scope)


@router.get("", dependencies=[REGULATOR])
def list_plans(
    db: SessionDep, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> list[dict[str, Any]]:
    """Plans, newest first (without their chosen sites)."""
    return service.list_plans(db, limit=limit)


@router.get("/latest", dependencies=[REGULATOR])
def latest_plan(
    db: SessionDep,
    scope: ScopeDep,
    band: Annotated[str | None, Query(max_length=10)] = None,
) -> dict[str, Any]:
    """The newest plan (of a band), or 404."""
    return service.plan_as_dict(db, service.latest_plan(db, band=band), scope=scope)


@router.get("/{plan_id}", dependencies=[REGULATOR])
def get_plan(plan_id: RowId, db: SessionDep, scope: ScopeDep) -> dict[str, Any]:
    """One plan with its chosen sites, or 404."""
    return service.plan_as_dict(db, service.get_plan(db, plan_id=plan_id), scope=scope)
