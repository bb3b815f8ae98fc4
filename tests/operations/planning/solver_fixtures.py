"""Shared helpers for the solver tests: random covering problems and an independent exact
optimum (scipy.optimize.milp on the unreduced problem)."""

from __future__ import annotations

import numpy as np
import scipy.optimize as so
import scipy.sparse as sp

from zhiguo.operations.planning.solver import CoverProblem


def random_problem(
    seed: int, n_rows: int = 60, n_cols: int = 18, density: float = 0.15, dup: bool = True
) -> CoverProblem:
    """A random problem where every row has at least one column; some rows duplicated (to
    exercise aggregation); integer costs 1..9 and weights 0.5..3."""
    rng = np.random.default_rng(seed)
    a = rng.random((n_rows, n_cols)) < density
    a[np.arange(n_rows), rng.integers(0, n_cols, n_rows)] = True
    if dup:
        a[n_rows // 2 :] = a[: n_rows - n_rows // 2]
    m = sp.csr_matrix(a.astype(np.float64))
    return CoverProblem(
        indptr=m.indptr.astype(np.int64),
        indices=m.indices.astype(np.int32),
        weight=rng.uniform(0.5, 3.0, n_rows),
        cost=rng.integers(1, 10, n_cols).astype(np.float64),
        pinned=np.zeros(n_cols, bool),
        excluded=np.zeros(n_cols, bool),
    )


def _matrix(p: CoverProblem) -> sp.csr_matrix:
    return p.matrix()


def exact_set_cover(p: CoverProblem, target_share: float = 1.0) -> float:
    """Least non-pinned cost covering ≥ target_share of all weight (original problem)."""
    a = _matrix(p)
    n, m = a.shape
    c = np.concatenate([np.where(p.pinned, 0.0, p.cost), np.zeros(n)])
    cover = sp.hstack([a, -sp.identity(n)])
    share = sp.csr_matrix(np.concatenate([np.zeros(m), p.weight])[None, :])
    lo = np.concatenate([np.zeros(m), np.zeros(n)])
    hi = np.concatenate([np.ones(m), np.ones(n)])
    lo[:m][p.pinned] = 1.0
    hi[:m][p.excluded] = 0.0
    res = so.milp(
        c,
        integrality=np.concatenate([np.ones(m), np.zeros(n)]),
        bounds=so.Bounds(lo, hi),
        constraints=[
            so.LinearConstraint(cover, 0.0, np.inf),
            so.LinearConstraint(share, target_share * p.weight.sum() - 1e-9, np.inf),
        ],
    )
    assert res.status == 0, res.message
    return float(res.fun)


def exact_max_cover(p: CoverProblem, budget: float) -> float:
    """Most weight covered with non-pinned cost ≤ budget (original problem)."""
    a = _matrix(p)
    n, m = a.shape
    c = np.concatenate([np.zeros(m), -p.weight])
    cover = sp.hstack([a, -sp.identity(n)])
    spend = sp.csr_matrix(np.concatenate([np.where(p.pinned, 0.0, p.cost), np.zeros(n)])[None, :])
    lo = np.zeros(m + n)
    hi = np.ones(m + n)
    lo[:m][p.pinned] = 1.0
    hi[:m][p.excluded] = 0.0
    res = so.milp(
        c,
        integrality=np.concatenate([np.ones(m), np.zeros(n)]),
        bounds=so.Bounds(lo, hi),
        constraints=[
            so.LinearConstraint(cover, 0.0, np.inf),
            so.LinearConstraint(spend, -np.inf, budget),
        ],
    )
    assert res.status == 0, res.message
    return float(-res.fun)


def rows_covered(p: CoverProblem, chosen: np.ndarray) -> np.ndarray:
    y = np.zeros(p.n_cols)
    y[chosen] = 1.0
    return (_matrix(p) @ y) > 0
