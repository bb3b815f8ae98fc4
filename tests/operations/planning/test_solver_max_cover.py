"""Budgeted maximal covering: bound ≥ optimum ≥ ours (optimum from an independent exact
MILP), budget respected, pinned free and chosen, excluded never chosen."""

from __future__ import annotations

import numpy as np
import pytest
from solver_fixtures import exact_max_cover, random_problem, rows_covered

from zhiguo.operations.planning import instances
from zhiguo.operations.planning.solver import (
    greedy_max_cover,
    highs_max_cover,
    lagrangian,
    solve_max_cover,
)


@pytest.fixture(params=["exact-first", "lagrangian-lns"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "lagrangian-lns":
        monkeypatch.setattr(lagrangian, "SMALL_COLS", 0)
    return str(request.param)


@pytest.mark.parametrize(("seed", "budget"), [(0, 8.0), (1, 15.0), (2, 4.5), (3, 30.0)])
def test_max_cover_bound_ge_optimum_ge_ours(seed: int, budget: float, path: str) -> None:
    p = random_problem(seed, n_rows=70, n_cols=20, density=0.12)
    opt = exact_max_cover(p, budget)
    plan = solve_max_cover(p, budget=budget, time_limit_s=1.5, seed=seed)
    assert plan.bound >= opt - 1e-7
    assert opt >= plan.covered_weight - 1e-7
    assert plan.cost <= budget + 1e-9
    assert plan.covered_weight == pytest.approx(p.weight[rows_covered(p, plan.chosen)].sum())
    assert plan.gap == pytest.approx((plan.bound - plan.covered_weight) / plan.bound, abs=1e-12)
    g = greedy_max_cover(p, budget=budget)
    assert g.cost <= budget + 1e-9 and g.covered_weight <= opt + 1e-7


def test_max_cover_pinned_free_excluded_never(path: str) -> None:
    p = random_problem(9, n_rows=70, n_cols=20, density=0.12)
    p.pinned[[3, 4]] = True
    p.excluded[[0, 7]] = True
    budget = 10.0
    opt = exact_max_cover(p, budget)
    plan = solve_max_cover(p, budget=budget, time_limit_s=1.5)
    assert {3, 4} <= set(plan.chosen.tolist())
    assert not set(plan.chosen.tolist()) & {0, 7}
    assert plan.cost == pytest.approx(float(p.cost[plan.chosen][~p.pinned[plan.chosen]].sum()))
    assert plan.cost <= budget + 1e-9
    assert plan.bound >= opt - 1e-7 >= plan.covered_weight - 2e-7


def test_max_cover_on_synthetic_instance_matches_highs(path: str) -> None:
    p = instances.synthetic_instance("XS", seed=2).problem
    budget = 40.0
    exact = highs_max_cover(p, budget=budget, time_limit_s=30)
    assert exact.bound_method == "optimal"
    ours = solve_max_cover(p, budget=budget, time_limit_s=2)
    assert ours.bound >= exact.covered_weight - 1e-6 >= ours.covered_weight - 2e-6
    assert ours.cost <= budget


def test_zero_budget_covers_only_what_pinned_sites_cover() -> None:
    p = random_problem(4)
    p.pinned[1] = True
    plan = solve_max_cover(p, budget=0.0, time_limit_s=1)
    assert plan.cost == 0.0
    assert plan.chosen.tolist() == [1]
    hit = rows_covered(p, np.array([1]))
    assert plan.covered_weight == pytest.approx(p.weight[hit].sum())
