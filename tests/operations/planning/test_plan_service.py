"""run_plan: sites in the DB + a demand raster → a stored plan with its bound and gap."""

from __future__ import annotations

import pytest
from plan_fixtures import city_sites, small_demand
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiguo.core.access import Scope
from zhiguo.operations.planning import service
from zhiguo.operations.planning.errors import (
    NoCandidates,
    PlanNotFound,
    PlanRequestInvalid,
    TargetUnreachable,
    UnknownExclusion,
)
from zhiguo.operations.planning.models import OperationsPlanSite


def _codes(session: Session, plan_id: int) -> dict[str, tuple[bool, float]]:
    from zhiguo.operations.sites.models import Site

    rows = session.execute(
        select(Site.code, OperationsPlanSite.pinned, OperationsPlanSite.cost)
        .join(Site, Site.id == OperationsPlanSite.site_id)
        .where(OperationsPlanSite.plan_id == plan_id)
    )
    return {code: (pinned, cost) for code, pinned, cost in rows}


def test_set_cover_keeps_pinned_avoids_excluded_and_reaches_the_target(
    sample_session: Session, everything: Scope
) -> None:
    city_sites(sample_session)
    plan = service.run_plan(
        sample_session,
        scope=everything,
        demand=small_demand(),
        mode="set_cover",
        target_coverage=0.8,
        created_by="tester",
        time_limit_s=3,
    )
    chosen = _codes(sample_session, plan.id)
    assert chosen["W2"] == (True, 0.0)  # in service: in every plan, at no cost
    assert "M2" not in chosen and "IN" not in chosen  # unavailable / indoor
    assert plan.coverage_share >= 0.8
    assert plan.cost == pytest.approx(sum(c for p, c in chosen.values() if not p))
    assert plan.gap is not None and plan.gap >= 0 and plan.bound <= plan.cost + 1e-6
    assert plan.greedy_cost is not None and plan.greedy_cost >= plan.bound - 1e-6
    out = service.plan_as_dict(sample_session, plan, scope=everything)
    assert out["pinned_sites"] == 1 and out["new_sites"] == len(chosen) - 1
    assert {c["code"] for c in out["chosen"]} == set(chosen)
    assert service.latest_plan(sample_session).id == plan.id


def test_max_cover_stays_within_budget_and_honours_exclusions(
    sample_session: Session, everything: Scope
) -> None:
    city_sites(sample_session)
    budget = 600_000.0  # two rooftops (260,000 each) or a pole and a rooftop
    plan = service.run_plan(
        sample_session,
        scope=everything,
        demand=small_demand(),
        mode="max_cover",
        budget=budget,
        exclusions=["E1"],
        time_limit_s=3,
    )
    chosen = _codes(sample_session, plan.id)
    assert plan.cost <= budget
    assert sum(c for _, c in chosen.values()) <= budget
    assert "E1" not in chosen and "M2" not in chosen
    assert chosen["W2"] == (True, 0.0)
    assert plan.covered_weight <= plan.bound + 1e-6
    # nothing to spend: the pinned site alone
    zero = service.run_plan(
        sample_session,
        scope=everything,
        demand=small_demand(),
        mode="max_cover",
        budget=0.0,
        time_limit_s=3,
    )
    assert set(_codes(sample_session, zero.id)) == {"W2"} and zero.cost == 0.0


def test_unreachable_target_says_how_far_one_can_get(
    sample_session: Session, everything: Scope
) -> None:
    city_sites(sample_session)
    with pytest.raises(TargetUnreachable) as err:
        service.run_plan(
            sample_session,
            scope=everything,
            demand=small_demand(),
            mode="set_cover",
            target_coverage=0.99,
        )
    # every pixel is covered by some site, but 20 of 236 only by the unavailable M2
    assert err.value.reachable == pytest.approx(216 / 236)
    assert "91.53%" in err.value.message("zh") and "91.53%" in err.value.message("en")


def test_bad_requests(sample_session: Session, everything: Scope) -> None:
    demand = small_demand()
    with pytest.raises(NoCandidates):
        service.run_plan(
            sample_session, scope=everything, demand=demand, mode="set_cover", target_coverage=0.5
        )
    city_sites(sample_session)
    with pytest.raises(PlanRequestInvalid):
        service.run_plan(sample_session, scope=everything, demand=demand, mode="set_cover")
    with pytest.raises(PlanRequestInvalid):
        service.run_plan(sample_session, scope=everything, demand=demand, mode="max_cover")
    with pytest.raises(PlanRequestInvalid):
        service.run_plan(sample_session, scope=everything, demand=demand, mode="p_median")
    with pytest.raises(PlanRequestInvalid):
        service.run_plan(
            sample_session,
            scope=everything,
            demand=demand,
            mode="max_cover",
            budget=1.0,
            threshold_dbm=-30.0,
        )
    with pytest.raises(UnknownExclusion, match="NOPE"):
        service.run_plan(
            sample_session,
            scope=everything,
            demand=demand,
            mode="max_cover",
            budget=1.0,
            exclusions=["NOPE"],
        )
    with pytest.raises(PlanNotFound):
        service.latest_plan(sample_session)
    with pytest.raises(PlanNotFound):
        service.get_plan(sample_session, plan_id=12345)


def test_scope_limits_candidates(sample_session: Session) -> None:
    from plan_fixtures import add_site, enterprise_id, grid_xy

    city_sites(sample_session)  # all G1's
    add_site(sample_session, "G2-ROOF", *grid_xy(10, 5), enterprise="G2")
    g2 = Scope.of([enterprise_id(sample_session, "G2")])
    assert [s.code for s in service.candidate_sites(sample_session, scope=g2)] == ["G2-ROOF"]


def test_plans_are_optimal_on_a_small_instance(sample_session: Session, everything: Scope) -> None:
    """Against exhaustive search over the free sites (5 allowed, 1 pinned): same optimum."""
    import itertools

    city_sites(sample_session)
    demand = small_demand()
    sites = service.candidate_sites(sample_session, scope=everything)
    inputs = service.build_inputs(sites, demand)
    m = inputs.matrix
    free = [j for j in range(len(sites)) if not inputs.pinned[j] and not inputs.excluded[j]]
    pinned = {j for j in range(len(sites)) if inputs.pinned[j]}

    def covered(cols: set[int]) -> float:
        rows = range(m.n_rows)
        hit = [r for r in rows if set(m.indices[m.indptr[r] : m.indptr[r + 1]].tolist()) & cols]
        return float(m.weight[hit].sum())

    subsets = [
        (set(c) | pinned, float(inputs.cost[list(c)].sum()))
        for k in range(len(free) + 1)
        for c in itertools.combinations(free, k)
    ]
    need = 0.85 * m.total_weight
    best_cost = min(cost for cols, cost in subsets if covered(cols) >= need)
    plan = service.run_plan(
        sample_session,
        scope=everything,
        demand=demand,
        mode="set_cover",
        target_coverage=0.85,
        time_limit_s=3,
    )
    assert plan.cost == pytest.approx(best_cost)
    budget = 700_000.0
    best_cover = max(covered(cols) for cols, cost in subsets if cost <= budget)
    plan = service.run_plan(
        sample_session,
        scope=everything,
        demand=demand,
        mode="max_cover",
        budget=budget,
        time_limit_s=3,
    )
    assert plan.covered_weight == pytest.approx(best_cover)
