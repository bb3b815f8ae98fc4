"""Budgeted maximal covering: bound ≥ optimum ≥ ours (optimum from an independent exact
MILP), budget respected, pinned free and chosen, excluded never chosen."""

from __future__ import annotations

import time

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
from zhiguo.operations.planning.solver.greedy import budget_greedy, reduced_covered
from zhiguo.operations.planning.solver.problem import reduce_problem


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


def test_max_cover_subgradient_bound_when_the_lp_gives_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = lagrangian.solve_mip

    def no_lp(*args: object, **kw: object) -> object:
        if kw.get("relax"):
            return lagrangian.MipResult(None, float("nan"), float("nan"), False)
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(lagrangian, "solve_mip", no_lp)
    monkeypatch.setattr(lagrangian, "SMALL_COLS", 0)
    p = random_problem(6, n_rows=70, n_cols=20, density=0.12)
    opt = exact_max_cover(p, 9.0)
    plan = solve_max_cover(p, budget=9.0, time_limit_s=1.5)
    assert plan.bound >= opt - 1e-7 >= plan.covered_weight - 2e-7
    assert plan.bound < p.weight.sum()  # better than the trivial bound


@pytest.mark.parametrize("seed", range(4))
def test_swap_search_keeps_budget_and_ends_at_a_swap_local_optimum(seed: int) -> None:
    p = random_problem(seed, n_rows=90, n_cols=24, density=0.12)
    r = reduce_problem(p)
    budget = 12.0
    start = budget_greedy(r, budget)
    out = lagrangian._swap_search(r, start, budget, time.perf_counter() + 30.0)
    spent = float(r.cost[out].sum())
    assert spent <= budget + 1e-9
    got = reduced_covered(r, out)
    assert got >= reduced_covered(r, start) - 1e-9
    # brute force: no single addition or 1-for-1 exchange within budget covers more
    chosen = set(out.tolist())
    for b in range(r.a.shape[1]):
        if b in chosen:
            continue
        if spent + r.cost[b] <= budget + 1e-9:
            assert reduced_covered(r, np.append(out, b)) <= got + 1e-9
        for a in chosen:
            if spent - r.cost[a] + r.cost[b] <= budget + 1e-9:
                alt = np.array(sorted((chosen - {a}) | {b}), np.int64)
                assert reduced_covered(r, alt) <= got + 1e-9
