"""Site selection as a service: sites + demand + a band → a cover problem → a stored plan.

``run_plan`` takes the candidate sites in the caller's scope (outdoor types: indoor venues
have no outdoor prediction), builds the coverage matrix (:mod:`.matrix`) and the costs
(:mod:`.costs`), hands the problem to the solver (:mod:`.solver`) and to plain greedy for
comparison, and keeps the plan with its certified bound and gap. Coverage shares are of
*all* the demand: pixels no candidate reaches stay in the denominator (they are left out of
the solver's problem and the target share is rescaled to what remains).

Set cover (Toregas et al. 1971) reaches ``target_coverage`` at least cost; budgeted maximal
covering (Church & ReVelle 1974) covers the most demand within ``budget``. Pinned sites (in
service) are in every plan at no cost and do not count against the budget.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiguo.core.access import Scope
from zhiguo.core.settings import OperationsSettings
from zhiguo.operations.coverage.kernel import Grid
from zhiguo.operations.coverage.siteradio import OUTDOOR_TYPES, kernel_sites
from zhiguo.operations.demand import latest_demand
from zhiguo.operations.geo import city_from_settings
from zhiguo.operations.planning import solver
from zhiguo.operations.planning.costs import CostModel, site_costs
from zhiguo.operations.planning.errors import (
    DemandEmpty,
    NoCandidates,
    PlanNotFound,
    PlanRequestInvalid,
    TargetUnreachable,
    UnknownExclusion,
)
from zhiguo.operations.planning.lake import publish_plan
from zhiguo.operations.planning.matrix import CoverageMatrix, coverage_matrix
from zhiguo.operations.planning.models import OperationsPlan, OperationsPlanSite
from zhiguo.operations.radio import get_band
from zhiguo.operations.sites.models import Site

__all__ = [
    "MODES",
    "DemandLike",
    "PlanInputs",
    "build_inputs",
    "candidate_sites",
    "cover_problem",
    "get_plan",
    "latest_plan",
    "list_plans",
    "load_demand",
    "plan_as_dict",
    "plan_for_city",
    "run_plan",
]

MODES = ("set_cover", "max_cover")
Mode = Literal["set_cover", "max_cover"]
Progress = Callable[[str], None]


class DemandLike(Protocol):
    """What a plan needs of a demand raster (``operations.demand.DemandRaster`` is one)."""

    @property
    def grid(self) -> Grid: ...
    @property
    def weight(self) -> npt.NDArray[np.float64]: ...


@dataclass(frozen=True)
class PlanInputs:
    """One instance: the columns (sites, in order), the matrix and the per-site costs."""

    sites: list[Site]
    matrix: CoverageMatrix
    cost: npt.NDArray[np.float64]
    pinned: npt.NDArray[np.bool_]
    excluded: npt.NDArray[np.bool_]

    @property
    def allowed(self) -> npt.NDArray[np.bool_]:
        return ~self.excluded

    @property
    def reachable_weight(self) -> float:
        return self.matrix.reachable_weight(self.allowed)


def candidate_sites(session: Session, *, scope: Scope) -> list[Site]:
    """Outdoor sites the caller may see, by id (indoor venues have no outdoor prediction)."""
    query = select(Site).where(Site.site_type.in_(sorted(OUTDOOR_TYPES))).order_by(Site.id)
    if scope.enterprise_ids is not None:
        query = query.where(Site.enterprise_id.in_(sorted(scope.enterprise_ids)))
    return list(session.scalars(query))


def build_inputs(
    sites: Sequence[Site],
    demand: DemandLike,
    *,
    band: str = "n78",
    threshold_dbm: float = -105.0,
    cutoff_m: float = 2500.0,
    cost_model: CostModel | None = None,
    exclude_codes: Collection[str] = (),
) -> PlanInputs:
    """The matrix and costs for ``sites`` (outdoor types) against ``demand``."""
    b = get_band(band)
    cols = list(sites)
    matrix = coverage_matrix(
        demand.grid,
        demand.weight,
        kernel_sites(cols, b),
        fc_ghz=b.fc_ghz,
        threshold_dbm=threshold_dbm,
        cutoff_m=cutoff_m,
    )
    cost, pinned, excluded = site_costs(cols, cost_model, exclude_codes=exclude_codes)
    return PlanInputs(cols, matrix, cost, pinned, excluded)


def cover_problem(inputs: PlanInputs) -> solver.CoverProblem:
    """The solver's problem: the matrix rows some candidate covers (the others cannot be
    planned for; they stay in the coverage shares' denominator)."""
    m = inputs.matrix
    lengths = np.diff(m.indptr)
    keep = np.flatnonzero(lengths > 0)
    new_len = lengths[keep]
    indptr = np.concatenate([[0], np.cumsum(new_len)]).astype(np.int64)
    take = np.repeat(m.indptr[keep], new_len) + (
        np.arange(int(new_len.sum())) - np.repeat(indptr[:-1], new_len)
    )
    return solver.CoverProblem(
        indptr=indptr,
        indices=m.indices[take].astype(np.int32),
        weight=m.weight[keep].astype(np.float64),
        cost=inputs.cost.astype(np.float64),
        pinned=inputs.pinned.copy(),
        excluded=inputs.excluded.copy(),
    )


def _finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def _gap_cost(cost: float, bound: float) -> float | None:
    if bound > 0:
        return max(0.0, (cost - bound) / bound)
    return 0.0 if cost <= 0 else None


def _gap_cover(covered: float, bound: float) -> float | None:
    if bound > 0:
        return max(0.0, (bound - covered) / bound)
    return 0.0 if covered >= bound else None


def _check_request(
    mode: str, target: float | None, budget: float | None, limit: float, threshold: float
) -> None:
    if mode not in MODES:
        raise PlanRequestInvalid(
            f"规划模式 {mode!r} 无效（set_cover 或 max_cover）",
            f"plan mode {mode!r} is invalid (set_cover or max_cover)",
            field="mode",
        )
    if mode == "set_cover" and (target is None or not 0.0 < target <= 1.0):
        raise PlanRequestInvalid(
            "最小成本覆盖需要覆盖目标，取值 (0, 1]",
            "set cover needs a target coverage in (0, 1]",
            field="target_coverage",
        )
    if mode == "max_cover" and (budget is None or not 0.0 <= budget < 1e15):
        raise PlanRequestInvalid(
            "预算内最大覆盖需要预算（≥ 0 元）",
            "max cover needs a budget (≥ 0 CNY)",
            field="budget",
        )
    if not -140.0 <= threshold <= -60.0:
        raise PlanRequestInvalid(
            "覆盖门限应在 [-140, -60] dBm",
            "RSRP threshold must be in [-140, -60] dBm",
            field="threshold_dbm",
        )
    if not 0.0 < limit <= 3600.0:
        raise PlanRequestInvalid(
            "求解时限应在 (0, 3600] 秒", "time limit must be in (0, 3600] s", field="time_limit_s"
        )


def run_plan(
    session: Session,
    *,
    scope: Scope,
    demand: DemandLike,
    mode: Mode | str,
    band: str = "n78",
    target_coverage: float | None = None,
    budget: float | None = None,
    time_limit_s: float = 60.0,
    threshold_dbm: float = -105.0,
    cutoff_m: float = 2500.0,
    exclusions: Collection[str] = (),
    cost_model: CostModel | None = None,
    created_by: str = "",
    progress: Progress | None = None,
    seed: int = 0,
) -> OperationsPlan:
    """Solve one site-selection problem over the sites in ``scope`` and store the plan.

    Raises :class:`PlanRequestInvalid`, :class:`UnknownExclusion`, :class:`NoCandidates`,
    :class:`TargetUnreachable` (set cover: even every allowed site falls short) or the
    solver's own errors."""
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    _check_request(mode, target_coverage, budget, time_limit_s, threshold_dbm)
    get_band(band)  # an unknown band fails before any work
    sites = candidate_sites(session, scope=scope)
    wanted = {c.strip() for c in exclusions if c.strip()}
    if wanted:
        known = set(session.scalars(select(Site.code).where(Site.code.in_(sorted(wanted)))))
        if missing := sorted(wanted - known):
            raise UnknownExclusion(missing)
    if not sites:
        raise NoCandidates()
    say(f"候选站点 candidates: {len(sites)}")
    inputs = build_inputs(
        sites,
        demand,
        band=band,
        threshold_dbm=threshold_dbm,
        cutoff_m=cutoff_m,
        cost_model=cost_model,
        exclude_codes=wanted,
    )
    m = inputs.matrix
    total = m.total_weight
    say(f"覆盖矩阵 matrix: {m.pixel.size} px → {m.n_rows} rows, {m.pairs} pairs")
    problem = cover_problem(inputs)
    coverable = float(problem.weight.sum())
    reachable = inputs.reachable_weight
    if total <= 0:
        raise DemandEmpty()
    if mode == "set_cover":
        assert target_coverage is not None
        if target_coverage * total > reachable * (1 + 1e-12):
            raise TargetUnreachable(target_coverage, reachable / total)
        share = min(1.0, target_coverage * total / coverable) if coverable > 0 else 1.0
        greedy = solver.greedy_set_cover(problem, target_share=share)
        say(f"贪心 greedy: cost {greedy.cost:,.0f}")
        plan = solver.solve_set_cover(
            problem, target_share=share, time_limit_s=time_limit_s, seed=seed, progress=say
        )
        gap = _gap_cost(plan.cost, plan.bound)
        greedy_gap = _gap_cost(greedy.cost, plan.bound)
    else:
        assert budget is not None
        greedy = solver.greedy_max_cover(problem, budget=budget)
        say(f"贪心 greedy: covered {greedy.covered_weight / total:.2%}")
        plan = solver.solve_max_cover(
            problem, budget=budget, time_limit_s=time_limit_s, seed=seed, progress=say
        )
        gap = _gap_cover(plan.covered_weight, plan.bound)
        greedy_gap = _gap_cover(greedy.covered_weight, plan.bound)
    chosen = np.asarray(plan.chosen, dtype=np.int64)
    row = OperationsPlan(
        mode=mode,
        band=get_band(band).name,
        target_coverage=target_coverage if mode == "set_cover" else None,
        budget=budget if mode == "max_cover" else None,
        threshold_dbm=float(threshold_dbm),
        cutoff_m=float(cutoff_m),
        parameters=json.dumps(
            {"exclusions": sorted(wanted), "seed": seed, "time_limit_s": time_limit_s},
            ensure_ascii=False,
        ),
        demand_source=str(getattr(demand, "source", ""))[:300],
        candidates=int(np.count_nonzero(~inputs.excluded)),
        rows=int(problem.weight.size),
        pixels=int(m.pixel.size),
        cost=float(plan.cost),
        covered_weight=float(plan.covered_weight),
        total_weight=total,
        coverage_share=float(plan.covered_weight) / total,
        bound=float(plan.bound),
        gap=_finite(gap),
        bound_method=plan.bound_method,
        method=plan.method,
        greedy_cost=float(greedy.cost),
        greedy_coverage_share=float(greedy.covered_weight) / total,
        greedy_gap=_finite(greedy_gap),
        seconds=time.perf_counter() - started,
        solver_seconds=float(plan.seconds),
        created_by=created_by[:100],
    )
    session.add(row)
    session.flush()
    session.add_all(
        OperationsPlanSite(
            plan_id=row.id,
            site_id=inputs.sites[j].id,
            pinned=bool(inputs.pinned[j]),
            cost=float(inputs.cost[j]),
        )
        for j in chosen.tolist()
    )
    session.flush()
    say(f"规划 plan #{row.id}: cost {row.cost:,.0f}, coverage {row.coverage_share:.2%}")
    return row


def load_demand(lake_root: Path, settings: OperationsSettings) -> DemandLike:
    """The latest published demand raster over the workspace's city (``NoDemand`` if none)."""
    return latest_demand(lake_root, city=city_from_settings(settings))


def plan_for_city(
    session: Session,
    *,
    settings: OperationsSettings,
    lake_root: Path,
    scope: Scope,
    mode: Mode | str,
    band: str = "n78",
    target_coverage: float | None = None,
    budget: float | None = None,
    time_limit_s: float = 60.0,
    threshold_dbm: float | None = None,
    exclusions: Collection[str] = (),
    created_by: str = "",
    progress: Progress | None = None,
) -> OperationsPlan:
    """:func:`run_plan` against the workspace's latest demand, with its settings' defaults
    (threshold, cut-off), published to ``operations.plan_sites``: what the CLI and the API
    call."""
    threshold = settings.rsrp_threshold_dbm if threshold_dbm is None else threshold_dbm
    _check_request(mode, target_coverage, budget, time_limit_s, threshold)  # before any I/O
    get_band(band)
    demand = load_demand(lake_root, settings)
    plan = run_plan(
        session,
        scope=scope,
        demand=demand,
        mode=mode,
        band=band,
        target_coverage=target_coverage,
        budget=budget,
        time_limit_s=time_limit_s,
        threshold_dbm=threshold,
        cutoff_m=settings.cutoff_m,
        exclusions=exclusions,
        created_by=created_by,
        progress=progress,
    )
    publish_plan(session, plan, lake_root=lake_root, actor=created_by or "system")
    return plan


def get_plan(session: Session, *, plan_id: int) -> OperationsPlan:
    plan = session.get(OperationsPlan, plan_id)
    if plan is None:
        raise PlanNotFound(plan_id)
    return plan


def latest_plan(session: Session, *, band: str | None = None) -> OperationsPlan:
    query = select(OperationsPlan).order_by(OperationsPlan.id.desc()).limit(1)
    if band:
        query = query.where(OperationsPlan.band == get_band(band).name)
    plan = session.scalar(query)
    if plan is None:
        raise PlanNotFound()
    return plan


def list_plans(session: Session, *, limit: int = 50) -> list[dict[str, Any]]:
    """Newest first, without the chosen sites."""
    plans = session.scalars(select(OperationsPlan).order_by(OperationsPlan.id.desc()).limit(limit))
    return [_summary(p) for p in plans]


def _summary(p: OperationsPlan) -> dict[str, Any]:
    bound_share = p.bound / p.total_weight if p.mode == "max_cover" and p.total_weight else None
    return {
        "id": p.id,
        "mode": p.mode,
        "band": p.band,
        "created_at": p.created_at.isoformat() if p.created_at else None,
        "created_by": p.created_by,
        "cost": p.cost,
        "budget": p.budget,
        "target_coverage": p.target_coverage,
        "coverage_share": p.coverage_share,
        "covered_weight": p.covered_weight,
        "total_weight": p.total_weight,
        "bound": p.bound,
        "bound_coverage_share": bound_share,
        "gap": p.gap,
        "bound_method": p.bound_method,
        "method": p.method,
        "seconds": p.seconds,
        "solver_seconds": p.solver_seconds,
        "greedy_cost": p.greedy_cost,
        "greedy_coverage_share": p.greedy_coverage_share,
        "greedy_gap": p.greedy_gap,
        "candidates": p.candidates,
        "rows": p.rows,
        "pixels": p.pixels,
        "threshold_dbm": p.threshold_dbm,
        "cutoff_m": p.cutoff_m,
        "demand_source": p.demand_source,
        "parameters": json.loads(p.parameters or "{}"),
    }


def plan_as_dict(session: Session, plan: OperationsPlan, *, scope: Scope) -> dict[str, Any]:
    """The plan JSON of the API (web contract): the summary and the chosen sites the caller
    may see (``new_sites`` / ``pinned_sites`` count all of them)."""
    rows = session.execute(
        select(OperationsPlanSite, Site)
        .join(Site, Site.id == OperationsPlanSite.site_id)
        .where(OperationsPlanSite.plan_id == plan.id)
        .order_by(Site.code)
    ).all()
    visible = [
        (ps, s)
        for ps, s in rows
        if scope.enterprise_ids is None or s.enterprise_id in scope.enterprise_ids
    ]
    out = _summary(plan)
    out["new_sites"] = sum(1 for ps, _ in rows if not ps.pinned)
    out["pinned_sites"] = sum(1 for ps, _ in rows if ps.pinned)
    out["chosen"] = [
        {
            "site_id": s.id,
            "code": s.code,
            "name": s.name_zh,
            "name_en": s.name_en,
            "lon": s.lon,
            "lat": s.lat,
            "site_type": s.site_type,
            "pinned": ps.pinned,
            "cost": ps.cost,
        }
        for ps, s in visible
    ]
    return out
