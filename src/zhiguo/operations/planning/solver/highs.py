"""HiGHS (highspy) MIP models of the reduced problems: the exact reference on small
instances, the baseline at city size, and the sub-MIP our solver runs on its core.

Set cover (Toregas et al. 1971), partial form: min Σ c_j y_j s.t. x_i ≤ Σ_{j∈N_i} y_j,
Σ w_i x_i ≥ T, x ∈ [0,1], y ∈ {0,1} (full cover: Σ_{j∈N_i} y_j ≥ 1, no x).
Max cover (Church & ReVelle 1974), budget form: max Σ w_i x_i s.t. x_i ≤ Σ_{j∈N_i} y_j,
Σ c_j y_j ≤ B. x may be continuous: it is integral at any optimum with binary y.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from zhiguo.operations.planning.solver.greedy import make_plan, set_cover_target
from zhiguo.operations.planning.solver.problem import (
    F64,
    I64,
    CoverProblem,
    Plan,
    reduce_problem,
)

__all__ = ["highs_max_cover", "highs_set_cover"]

INF = highspy.kHighsInf
_THREADS: list[int] = []  # thread count HiGHS's global scheduler was started with


def _use_threads(threads: int) -> None:
    """HiGHS refuses a run whose ``threads`` differs from its running global scheduler:
    restart the scheduler when the count changes."""
    if _THREADS and _THREADS[0] != threads:
        highspy.Highs.resetGlobalScheduler(True)
        _THREADS.clear()
    if not _THREADS:
        _THREADS.append(threads)


_QUIET = threading.Lock()
_BANNER_DONE: list[bool] = []


def _new_highs() -> highspy.Highs:
    """A HiGHS instance. The first one in a process prints HiGHS's banner to file descriptor 1
    before any option can silence it; that would land in the CLI's table and the benchmark's
    JSON lines, so the first construction runs with descriptor 1 pointed at /dev/null."""
    with _QUIET:
        if _BANNER_DONE:
            return highspy.Highs()  # type: ignore[no-untyped-call]
        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            h = highspy.Highs()  # type: ignore[no-untyped-call]
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
        _BANNER_DONE.append(True)
        return h


@dataclass
class MipResult:
    y: F64 | None  # column values of y (None: no solution)
    objective: float
    bound: float  # dual bound (min: lower; max: upper)
    optimal: bool
    duals: F64 | None = None  # LP relaxation: the covering rows' duals, as u ≥ 0


def solve_mip(
    a: sp.csr_matrix,
    cost: F64,
    weight: F64,
    *,
    mode: str,
    rhs: float,
    time_limit_s: float,
    threads: int,
    start: I64 | None = None,
    relax: bool = False,
    lp_solver: str = "choose",
) -> MipResult:
    """``mode`` ``"full"`` (cover every row), ``"partial"`` (cover weight ≥ rhs) or ``"max"``
    (budget rhs). ``start``: columns of a feasible solution to warm-start from."""
    n_rows, n_cols = a.shape
    a = sp.csr_matrix(a, dtype=np.float64)
    use_x = mode != "full"
    if use_x:
        eye = sp.identity(n_rows, format="csr", dtype=np.float64)
        cover = sp.hstack([a, -eye], format="csr")
        if mode == "partial":
            extra = sp.csr_matrix(np.concatenate([np.zeros(n_cols), weight])[None, :])
        else:
            extra = sp.csr_matrix(np.concatenate([cost, np.zeros(n_rows)])[None, :])
        m = sp.vstack([cover, extra], format="csr")
        nv = n_cols + n_rows
        obj = (
            np.concatenate([cost, np.zeros(n_rows)])
            if mode == "partial"
            else (np.concatenate([np.zeros(n_cols), -weight]))
        )
        rl = np.concatenate([np.zeros(n_rows), [rhs if mode == "partial" else -INF]])
        ru = np.concatenate([np.full(n_rows, INF), [INF if mode == "partial" else rhs]])
    else:
        m = a
        nv = n_cols
        obj = cost.astype(np.float64)
        rl = np.ones(n_rows)
        ru = np.full(n_rows, INF)
    m.sort_indices()
    lp = highspy.HighsLp()
    lp.num_col_ = nv
    lp.num_row_ = m.shape[0]
    lp.col_cost_ = obj
    lp.col_lower_ = np.zeros(nv)
    lp.col_upper_ = np.ones(nv)
    lp.row_lower_ = rl
    lp.row_upper_ = ru
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = m.indptr.astype(np.int32)
    lp.a_matrix_.index_ = m.indices.astype(np.int32)
    lp.a_matrix_.value_ = m.data
    if not relax:
        integ = [highspy.HighsVarType.kInteger] * n_cols + [highspy.HighsVarType.kContinuous] * (
            nv - n_cols
        )
        lp.integrality_ = integ
    _use_threads(int(threads))
    h = _new_highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", int(threads))
    h.setOptionValue("time_limit", float(max(time_limit_s, 0.05)))
    h.setOptionValue("mip_rel_gap", 1e-6)
    if relax:
        h.setOptionValue("solver", lp_solver)
    h.passModel(lp)
    if start is not None and not relax:
        v = np.zeros(nv)
        v[start] = 1.0
        if use_x:
            v[n_cols:] = np.minimum(1.0, a @ v[:n_cols])
        nz = np.flatnonzero(v).astype(np.int32)
        h.setSolution(int(nz.size), nz, v[nz].astype(np.float64))
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    sign = -1.0 if mode == "max" else 1.0
    optimal = status == highspy.HighsModelStatus.kOptimal
    if relax:
        if not optimal:
            return MipResult(None, float("nan"), float("nan"), False)
        val = sign * float(info.objective_function_value)
        sol = h.getSolution()
        duals = np.abs(np.asarray(sol.row_dual)[:n_rows])
        return MipResult(np.asarray(sol.col_value)[:n_cols], val, val, True, duals)
    if info.primal_solution_status != 2:  # kSolutionStatusFeasible
        bound = sign * float(info.mip_dual_bound)
        return MipResult(None, float("nan"), bound, False)
    sol = h.getSolution()
    values = np.asarray(sol.col_value)
    y = np.round(values[:n_cols])
    reported = sign * float(info.objective_function_value)
    # our own objective of the rounded solution; HiGHS's report must agree with it
    objective = float(cost @ y) if mode != "max" else float(weight @ np.minimum(1.0, a @ y))
    bound = sign * float(info.mip_dual_bound)
    consistent = abs(reported - objective) <= 1e-6 * max(1.0, abs(objective))
    optimal = optimal and consistent
    if not consistent or not np.isfinite(bound):
        bound = float("nan")
    if optimal:
        bound = objective
    return MipResult(y, objective, bound, optimal)


def highs_set_cover(
    p: CoverProblem, *, target_share: float = 1.0, time_limit_s: float = 60.0, threads: int = 2
) -> Plan:
    """HiGHS MIP on the exactly reduced problem (aggregated rows), with a time limit."""
    t0 = time.perf_counter()
    r = reduce_problem(p)
    rest, full = set_cover_target(r, target_share)
    if rest <= 0:
        return make_plan(
            p,
            r,
            np.zeros(0, np.int64),
            bound=0.0,
            bound_method="optimal",
            method="highs",
            t0=t0,
            maximise=False,
        )
    left = time_limit_s - (time.perf_counter() - t0)
    res = solve_mip(
        r.a,
        r.cost,
        r.weight,
        mode="full" if full else "partial",
        rhs=rest,
        time_limit_s=left,
        threads=threads,
    )
    bound = max(res.bound, 0.0) if np.isfinite(res.bound) else 0.0
    if res.y is None:
        plan = make_plan(
            p,
            r,
            np.zeros(0, np.int64),
            bound=bound,
            bound_method="lp",
            method="highs (no solution)",
            t0=t0,
            maximise=False,
        )
        plan.cost = float("inf")
        plan.gap = float("inf")
        return plan
    chosen = np.flatnonzero(res.y > 0.5).astype(np.int64)
    return make_plan(
        p,
        r,
        chosen,
        bound=bound,
        bound_method="optimal" if res.optimal else "lp",
        method="highs",
        t0=t0,
        maximise=False,
    )


def highs_max_cover(
    p: CoverProblem, *, budget: float, time_limit_s: float = 60.0, threads: int = 2
) -> Plan:
    """HiGHS MIP (budgeted MCLP) on the exactly reduced problem, with a time limit."""
    t0 = time.perf_counter()
    r = reduce_problem(p, drop_cost_above=budget)
    left = time_limit_s - (time.perf_counter() - t0)
    res = solve_mip(
        r.a, r.cost, r.weight, mode="max", rhs=budget, time_limit_s=left, threads=threads
    )
    chosen = (
        np.flatnonzero(res.y > 0.5).astype(np.int64) if res.y is not None else np.zeros(0, np.int64)
    )
    bound = r.fixed_weight + res.bound if np.isfinite(res.bound) else r.coverable_weight
    bound = min(bound, r.coverable_weight)
    return make_plan(
        p,
        r,
        chosen,
        bound=bound,
        bound_method="optimal" if res.optimal else "lp",
        method="highs" if res.y is not None else "highs (no solution)",
        t0=t0,
        maximise=True,
    )
