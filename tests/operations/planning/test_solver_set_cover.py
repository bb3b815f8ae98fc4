"""Set cover (LSCP): our plans are feasible, our bounds certified (bound ≤ optimum ≤ cost,
the optimum from an independent exact MILP on the unreduced problem), pinned and excluded
sites are honoured, the partial-cover target is met."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from solver_fixtures import exact_set_cover, random_problem, rows_covered

from zhiguo.operations.planning import instances
from zhiguo.operations.planning.solver import (
    CoverProblem,
    Infeasible,
    greedy_set_cover,
    highs_set_cover,
    lagrangian,
    solve_set_cover,
)


@pytest.fixture(params=["exact-first", "lagrangian-lns"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run our solver both ways: small problems straight to HiGHS, and (forced) the
    Lagrangian + neighbourhood-search path used at city size."""
    if request.param == "lagrangian-lns":
        monkeypatch.setattr(lagrangian, "SMALL_COLS", 0)
    return str(request.param)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_set_cover_bound_le_optimum_le_cost(seed: int, path: str) -> None:
    p = random_problem(seed)
    opt = exact_set_cover(p)
    plan = solve_set_cover(p, time_limit_s=1.5, seed=seed)
    assert plan.bound <= opt + 1e-9 <= plan.cost + 2e-9
    assert rows_covered(p, plan.chosen).all()
    assert plan.cost == pytest.approx(float(p.cost[plan.chosen].sum()))
    assert plan.covered_weight == pytest.approx(p.weight.sum())
    assert plan.gap == pytest.approx((plan.cost - plan.bound) / plan.bound)
    assert plan.bound_method in ("lp", "lagrangian", "optimal")
    assert np.all(np.diff(plan.chosen) > 0)


def test_set_cover_on_synthetic_instance_matches_highs(path: str) -> None:
    p = instances.synthetic_instance("XS", seed=3).problem
    exact = highs_set_cover(p, time_limit_s=20)
    assert exact.bound_method == "optimal"
    ours = solve_set_cover(p, time_limit_s=3)
    assert ours.bound <= exact.cost + 1e-9 <= ours.cost + 1e-9
    greedy = greedy_set_cover(p)
    assert greedy.cost >= exact.cost - 1e-9
    assert greedy.bound <= exact.cost + 1e-9  # Chvátal's H(d) bound is valid too


def test_pinned_sites_are_chosen_free_and_excluded_never(path: str) -> None:
    p = random_problem(7, n_rows=80, n_cols=20)
    p.pinned[[2, 5]] = True
    p.excluded[[0, 1, 9]] = True
    a = p.matrix().toarray() > 0
    # keep it feasible: every row must have an allowed column
    assert (a[:, ~p.excluded].any(axis=1)).all()
    opt = exact_set_cover(p)
    plan = solve_set_cover(p, time_limit_s=1.5)
    assert {2, 5} <= set(plan.chosen.tolist())
    assert not set(plan.chosen.tolist()) & {0, 1, 9}
    assert plan.cost == pytest.approx(float(p.cost[plan.chosen][~p.pinned[plan.chosen]].sum()))
    assert plan.bound <= opt + 1e-9 <= plan.cost + 2e-9
    assert rows_covered(p, plan.chosen).all()


@pytest.mark.parametrize("share", [0.5, 0.8, 0.95])
def test_partial_cover_meets_target_at_least_cost(share: float, path: str) -> None:
    p = random_problem(11, n_rows=90, n_cols=22, density=0.08)
    opt = exact_set_cover(p, share)
    plan = solve_set_cover(p, target_share=share, time_limit_s=1.5)
    assert plan.covered_weight >= share * p.weight.sum() - 1e-9
    assert plan.covered_weight == pytest.approx(p.weight[rows_covered(p, plan.chosen)].sum())
    assert plan.bound <= opt + 1e-9 <= plan.cost + 2e-9
    g = greedy_set_cover(p, target_share=share)
    assert g.covered_weight >= share * p.weight.sum() - 1e-9


def test_unreachable_target_is_infeasible_and_says_the_maximum() -> None:
    base = random_problem(5)
    a = base.matrix().toarray() > 0
    a[:3] = False
    a[:3, 0] = True  # rows 0-2: only site 0 covers them
    m = sp.csr_matrix(a.astype(float))
    p = CoverProblem(
        indptr=m.indptr.astype(np.int64),
        indices=m.indices.astype(np.int32),
        weight=base.weight,
        cost=base.cost,
        pinned=np.zeros(base.n_cols, bool),
        excluded=np.zeros(base.n_cols, bool),
    )
    p.excluded[0] = True
    only = np.flatnonzero(a.sum(axis=1) == a[:, 0])
    reach = 1.0 - float(p.weight[only].sum()) / float(p.weight.sum())
    with pytest.raises(Infeasible) as err:
        solve_set_cover(p, time_limit_s=1)
    assert err.value.max_share == pytest.approx(reach)
    assert err.value.code.startswith("ZG-PLAN-")
    assert "%" in err.value.message_zh and "%" in err.value.message_en
    plan = solve_set_cover(p, target_share=reach - 1e-6, time_limit_s=1)
    assert plan.covered_weight >= (reach - 1e-6) * p.weight.sum() - 1e-9
    assert 0 not in plan.chosen


def test_all_pinned_cover_costs_nothing() -> None:
    p = random_problem(2)
    p.pinned[:] = True
    plan = solve_set_cover(p, time_limit_s=1)
    assert plan.cost == 0.0 and plan.bound == 0.0 and plan.gap == 0.0
    assert plan.chosen.size == p.n_cols


def test_progress_messages_and_history() -> None:
    p = instances.synthetic_instance("XS", seed=1).problem
    seen: list[str] = []
    lagrangian_small = lagrangian.SMALL_COLS
    try:
        lagrangian.SMALL_COLS = 0
        plan = solve_set_cover(p, time_limit_s=1.5, progress=seen.append)
    finally:
        lagrangian.SMALL_COLS = lagrangian_small
    assert any("reduced" in s for s in seen) and any("bound" in s for s in seen)
    objs = [h[1] for h in plan.history]
    bounds = [h[2] for h in plan.history]
    assert objs == sorted(objs, reverse=True)  # the plan only improves
    assert bounds == sorted(bounds)
    assert all(b <= o + 1e-9 for _, o, b in plan.history)


@pytest.mark.parametrize("seed", [0, 4])
def test_subgradient_bound_when_the_lp_gives_nothing(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without an LP answer the bound comes from subgradient optimisation alone: still
    certified (≤ optimum) and not trivial."""
    real = lagrangian.solve_mip

    def no_lp(*args: object, **kw: object) -> object:
        if kw.get("relax"):
            return lagrangian.MipResult(None, float("nan"), float("nan"), False)
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(lagrangian, "solve_mip", no_lp)
    monkeypatch.setattr(lagrangian, "SMALL_COLS", 0)
    p = random_problem(seed)
    opt = exact_set_cover(p)
    plan = solve_set_cover(p, time_limit_s=1.5)
    assert 0.5 * opt <= plan.bound <= opt + 1e-9 <= plan.cost + 2e-9
    partial = solve_set_cover(p, target_share=0.7, time_limit_s=1.5)
    assert partial.bound <= exact_set_cover(p, 0.7) + 1e-9
