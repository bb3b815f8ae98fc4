"""Greedy heuristics on a reduced problem, and the plain greedy baselines.

- Set cover: Chvátal (1979) ratio greedy, here with the Lagrangian score of Caprara, Fischetti
  & Toth (1999, Oper. Res. 47(5):730–743): for column ``j`` with ``μ_j`` still-uncovered rows
  and Lagrangian cost ``γ_j = c_j − Σ_{uncovered i∈j} u_i``, pick the least
  ``γ_j/μ_j`` if ``γ_j > 0`` else ``γ_j·μ_j``. With ``u = 0`` it is the plain cost ratio.
- Max cover: cost-ratio greedy under the budget, compared with the best single site
  (Khuller, Moss & Naor 1999, IPL 70:39–45).
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from zhiguo.operations.planning.solver.problem import (
    F64,
    I64,
    CoverProblem,
    Infeasible,
    Plan,
    Reduced,
    reduce_problem,
)

__all__ = ["greedy_max_cover", "greedy_set_cover"]


def rows_of(m: sp.csr_matrix, idx: I64) -> I64:
    """Concatenated column indices of rows ``idx`` of a CSR matrix (no Python loop)."""
    if idx.size == 0:
        return np.zeros(0, np.int64)
    starts = m.indptr[idx]
    lens = m.indptr[idx + 1] - starts
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, np.int64)
    off = np.repeat(starts - np.concatenate(([0], np.cumsum(lens)[:-1])), lens)
    return np.asarray(m.indices[np.arange(total) + off], np.int64)


def cover_greedy(
    r: Reduced, target: float, u: F64 | None = None, start: I64 | None = None, full: bool = True
) -> I64:
    """Columns (reduced indices) covering rows of weight ≥ ``target`` (all rows if ``full``)."""
    n_rows, n_cols = r.a.shape
    covered = np.zeros(n_rows, bool)
    chosen: list[int] = []
    rw = np.ones(n_rows) if full else r.weight
    mu = r.at @ rw
    gamma = r.cost - (r.at @ u if u is not None else 0.0)
    got = 0.0
    goal = float(rw.sum()) if full else target

    def take(cols: I64) -> None:
        nonlocal got
        rows = np.unique(rows_of(r.at, cols))
        new = rows[~covered[rows]]
        if new.size == 0:
            return
        covered[new] = True
        nonlocal mu, gamma
        got += float(rw[new].sum())
        cc = rows_of(r.a, new)
        rep = np.repeat(new, np.diff(r.a.indptr)[new])
        mu = mu - np.bincount(cc, weights=rw[rep], minlength=n_cols)
        if u is not None:
            gamma = gamma + np.bincount(cc, weights=u[rep], minlength=n_cols)

    if start is not None and start.size:
        chosen.extend(int(j) for j in start)
        take(start)
    tol = 1e-9 * max(goal, 1.0)
    while got < goal - tol:
        live = mu > 1e-12
        if not live.any():
            break
        score = np.where(gamma > 0, gamma / np.where(live, mu, 1.0), gamma * mu)
        score[~live] = np.inf
        j = int(np.argmin(score))
        chosen.append(j)
        take(np.array([j], np.int64))
    return np.unique(np.array(chosen, np.int64))


def remove_redundant(r: Reduced, chosen: I64, target: float, full: bool) -> I64:
    """Drop chosen columns, most expensive first, while the cover stays feasible."""
    if chosen.size == 0:
        return chosen
    y = np.zeros(r.a.shape[1])
    y[chosen] = 1.0
    cnt = r.a @ y
    have = float(r.weight[cnt > 0].sum())
    keep = np.ones(chosen.size, bool)
    for k in np.argsort(-r.cost[chosen], kind="stable"):
        j = chosen[k]
        rows = r.at.indices[r.at.indptr[j] : r.at.indptr[j + 1]]
        c = cnt[rows]
        if full:
            if c.min(initial=2) >= 2:
                keep[k] = False
                cnt[rows] -= 1
        else:
            loss = float(r.weight[rows[c <= 1]].sum())
            if have - loss >= target - 1e-9 * max(target, 1.0):
                keep[k] = False
                cnt[rows] -= 1
                have -= loss
    return chosen[keep]


def budget_greedy(r: Reduced, budget: float, start: I64 | None = None) -> I64:
    """Cost-ratio greedy for max cover (reduced indices), filling the budget."""
    n_rows, n_cols = r.a.shape
    covered = np.zeros(n_rows, bool)
    gain = r.at @ r.weight
    left = budget
    chosen = np.zeros(n_cols, bool)

    def take(cols: I64) -> None:
        nonlocal gain, left
        chosen[cols] = True
        left -= float(r.cost[cols].sum())
        rows = np.unique(rows_of(r.at, cols))
        new = rows[~covered[rows]]
        covered[new] = True
        if new.size:
            cc = rows_of(r.a, new)
            rep = np.repeat(new, np.diff(r.a.indptr)[new])
            gain = gain - np.bincount(cc, weights=r.weight[rep], minlength=n_cols)

    if start is not None and start.size:
        take(start)
    while True:
        ok = (~chosen) & (r.cost <= left + 1e-12) & (gain > 1e-12)
        if not ok.any():
            break
        ratio = np.where(ok, gain / np.maximum(r.cost, 1e-12), -np.inf)
        take(np.array([int(np.argmax(ratio))], np.int64))
    return np.flatnonzero(chosen).astype(np.int64)


def reduced_covered(r: Reduced, chosen: I64) -> float:
    y = np.zeros(r.a.shape[1])
    y[chosen] = 1.0
    return float(r.weight[(r.a @ y) > 0].sum())


def set_cover_target(r: Reduced, target_share: float) -> tuple[float, bool]:
    """The weight the reduced rows must still supply, and whether that means all of them."""
    if not 0.0 < target_share <= 1.0:
        from zhiguo.operations.planning.solver.problem import PlanInputError

        raise PlanInputError("目标覆盖率须在 (0, 1] 内", "target share must lie in (0, 1]")
    need = target_share * r.total_weight
    tol = 1e-9 * max(r.total_weight, 1.0)
    if need > r.coverable_weight + tol:
        share = r.coverable_weight / r.total_weight if r.total_weight > 0 else 1.0
        raise Infeasible(target_share, share)
    rest = max(0.0, need - r.fixed_weight)
    full = rest >= float(r.weight.sum()) - tol
    return rest, full


def make_plan(
    p: CoverProblem,
    r: Reduced,
    chosen: I64,
    *,
    bound: float,
    bound_method: str,
    method: str,
    t0: float,
    maximise: bool,
    history: list[tuple[float, float, float]] | None = None,
) -> Plan:
    cols = np.unique(np.concatenate([r.cols[chosen], r.fixed])).astype(np.int64)
    cost = float(p.cost[cols][~p.pinned[cols]].sum())
    covered = p.covered_weight(cols)
    if maximise:
        gap = (bound - covered) / bound if bound > 0 else 0.0
    else:
        gap = (cost - bound) / bound if bound > 0 else (0.0 if cost <= 0 else float("inf"))
    return Plan(
        chosen=cols,
        cost=cost,
        covered_weight=covered,
        total_weight=r.total_weight,
        bound=bound,
        gap=max(gap, 0.0),
        bound_method=bound_method,
        method=method,
        seconds=time.perf_counter() - t0,
        history=history or [],
    )


def greedy_set_cover(p: CoverProblem, *, target_share: float = 1.0) -> Plan:
    """Plain cost-ratio greedy (+ redundant-column removal). Its bound is the trivial one
    (0) unless the greedy H(max|S|) guarantee is asked for; we report ``cost / H_d``,
    Chvátal's certified lower bound for the full cover."""
    t0 = time.perf_counter()
    r = reduce_problem(p)
    rest, full = set_cover_target(r, target_share)
    chosen = cover_greedy(r, rest, None, full=full) if rest > 0 else np.zeros(0, np.int64)
    chosen = remove_redundant(r, chosen, rest, full)
    cost = float(r.cost[chosen].sum())
    bound = 0.0
    if full and chosen.size:
        d = int(np.diff(r.at.indptr).max())
        bound = cost / float(np.sum(1.0 / np.arange(1, d + 1)))
    return make_plan(
        p, r, chosen, bound=bound, bound_method="chvatal", method="greedy", t0=t0, maximise=False
    )


def greedy_max_cover(p: CoverProblem, *, budget: float) -> Plan:
    """Cost-ratio greedy under the budget, or the best single affordable site if better.
    Bound: the trivial one (all coverable weight)."""
    t0 = time.perf_counter()
    r = reduce_problem(p, drop_cost_above=budget)
    chosen = budget_greedy(r, budget)
    got = reduced_covered(r, chosen)
    single = r.at @ r.weight
    if single.size and float(single.max()) > got:
        chosen = np.array([int(np.argmax(single))], np.int64)
    return make_plan(
        p,
        r,
        chosen,
        bound=r.coverable_weight,
        bound_method="trivial",
        method="greedy",
        t0=t0,
        maximise=True,
    )
