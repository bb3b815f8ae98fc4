"""Exact reductions: row aggregation merges identical rows only and preserves the optimum;
reductions keep pinned/excluded semantics."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from solver_fixtures import exact_max_cover, exact_set_cover, random_problem

from zhiguo.operations.planning import instances
from zhiguo.operations.planning.solver import CoverProblem, PlanInputError
from zhiguo.operations.planning.solver.highs import solve_mip
from zhiguo.operations.planning.solver.problem import (
    aggregate,
    dominated_rows,
    drop_dominated_rows,
    reduce_problem,
)


def test_aggregate_merges_identical_rows_and_sums_weights() -> None:
    rows = [[0, 2], [1], [0, 2], [], [1], [0, 1, 2], [2, 0]]
    m = sp.csr_matrix(
        (
            np.ones(sum(map(len, rows))),
            np.concatenate([np.array(r, int) for r in rows]),
            np.cumsum([0] + [len(r) for r in rows]),
        ),
        shape=(len(rows), 3),
    )
    m.sort_indices()
    w = np.arange(1.0, 8.0)
    ip, ix, ww, new = aggregate(m.indptr.astype(np.int64), m.indices.astype(np.int32), w)
    assert ip.size - 1 == 4
    assert new.tolist() == [0, 1, 0, 2, 1, 3, 0]
    assert ww.tolist() == [1 + 3 + 7, 2 + 5, 4, 6]
    assert ix[ip[0] : ip[1]].tolist() == [0, 2]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reduction_preserves_the_optimum(seed: int) -> None:
    p = random_problem(seed, n_rows=80, n_cols=16)
    p.pinned[3] = True
    p.excluded[[5]] = True
    # the draw must leave every row coverable, or the optimum below is undefined
    assert (p.matrix().toarray()[:, ~p.excluded] > 0).any(axis=1).all()
    r = reduce_problem(p)
    assert r.a.shape[0] < p.n_rows  # duplicates were merged
    assert 5 not in r.cols and 3 in r.fixed
    assert r.weight.sum() + r.fixed_weight == pytest.approx(p.weight.sum())
    res = solve_mip(r.a, r.cost, r.weight, mode="full", rhs=0.0, time_limit_s=10, threads=2)
    assert res.optimal
    assert res.objective == pytest.approx(exact_set_cover(p))
    budget = 9.0
    r2 = reduce_problem(p, drop_cost_above=budget)
    res2 = solve_mip(r2.a, r2.cost, r2.weight, mode="max", rhs=budget, time_limit_s=10, threads=2)
    assert res2.optimal
    assert r2.fixed_weight + res2.objective == pytest.approx(exact_max_cover(p, budget))


def test_synthetic_instances_are_reproducible_and_aggregated() -> None:
    a = instances.synthetic_instance("XS", seed=4)
    b = instances.synthetic_instance("XS", seed=4)
    c = instances.synthetic_instance("XS", seed=5)
    assert np.array_equal(a.problem.indices, b.problem.indices)
    assert not np.array_equal(a.problem.cost, c.problem.cost) or not np.array_equal(
        a.problem.indices, c.problem.indices
    )
    p = a.problem
    assert p.n_rows < a.pixels  # identical pixel rows were merged
    assert p.weight.sum() > 0 and np.all(p.weight > 0)
    assert set(np.unique(p.cost).tolist()) <= {3.0, 6.0, 10.0}
    assert a.row_of_pixel.size == a.pixels and a.row_of_pixel.max() == p.n_rows - 1
    # rows are unique sets
    rows = {tuple(p.indices[p.indptr[i] : p.indptr[i + 1]]) for i in range(p.n_rows)}
    assert len(rows) == p.n_rows


def test_invalid_problem_is_rejected() -> None:
    p = random_problem(0)
    bad = CoverProblem(
        indptr=p.indptr,
        indices=p.indices,
        weight=p.weight,
        cost=-p.cost,
        pinned=p.pinned,
        excluded=p.excluded,
    )
    with pytest.raises(PlanInputError):
        reduce_problem(bad)


def test_highs_thread_count_may_change_between_runs() -> None:
    p = random_problem(1, n_rows=40, n_cols=12)
    r = reduce_problem(p)
    for threads in (1, 2, 1):
        res = solve_mip(
            r.a, r.cost, r.weight, mode="full", rhs=0.0, time_limit_s=10, threads=threads
        )
        assert res.optimal


@pytest.mark.parametrize("seed", range(6))
def test_dominated_rows_match_a_brute_force_subset_test(seed: int) -> None:
    p = random_problem(seed, n_rows=120, n_cols=14, density=0.3)
    r = reduce_problem(p)
    a = r.a.toarray() > 0
    inter = a.astype(np.int64) @ a.T.astype(np.int64)
    size = a.sum(axis=1)
    # row i is dominated when some row k is a strict subset of it
    brute = ((inter == size[:, None]) & (size[:, None] < size[None, :])).any(axis=0)
    got = dominated_rows(r.a, r.at, chunk=50)  # small chunks exercise the chunking
    assert got.tolist() == brute.tolist()
    assert brute.any()  # the draw has dominated rows: the test can fail


@pytest.mark.parametrize("seed", range(5))
def test_dropping_dominated_rows_preserves_optimum_and_lp_bound(seed: int) -> None:
    p = random_problem(seed, n_rows=150, n_cols=20, density=0.25)
    p.pinned[2] = True
    # the draw must leave every row coverable, or the optimum below is undefined
    assert (p.matrix().toarray()[:, ~p.excluded] > 0).any(axis=1).all()
    r = reduce_problem(p)
    r2, dropped = drop_dominated_rows(r)
    assert dropped > 0 and r2.a.shape[0] == r.a.shape[0] - dropped
    res = solve_mip(r2.a, r2.cost, r2.weight, mode="full", rhs=0.0, time_limit_s=10, threads=2)
    assert res.optimal and res.y is not None
    assert res.objective == pytest.approx(exact_set_cover(p))
    # its optimum covers every row of the unreduced problem
    chosen = np.flatnonzero(res.y > 0.5)
    assert ((r.a @ np.isin(np.arange(r.a.shape[1]), chosen).astype(float)) > 0).all()
    lp1 = solve_mip(
        r.a, r.cost, r.weight, mode="full", rhs=0.0, time_limit_s=10, threads=2, relax=True
    )
    lp2 = solve_mip(
        r2.a, r2.cost, r2.weight, mode="full", rhs=0.0, time_limit_s=10, threads=2, relax=True
    )
    assert lp2.objective == pytest.approx(lp1.objective)
