"""Our solvers: exact reductions, Lagrangian relaxation with subgradient optimisation (certified
bound + Lagrangian-cost greedy plans), then a HiGHS sub-MIP on the Lagrangian core warm-started
with the incumbent.

Set cover (partial form, target weight T): relaxing ``x_i ≤ Σ_{j∈N_i} y_j`` with u ≥ 0 gives
    L(u) = min{Σ u_i x_i : Σ w_i x_i ≥ T, 0 ≤ x ≤ 1} + Σ_j min(0, c_j − Σ_{i∈N_j} u_i),
a lower bound on the optimum for every u ≥ 0 (Beasley 1990, "A Lagrangian heuristic for
set-covering problems", Naval Res. Logistics 37:151–164; for the full cover the first term is
Σ u_i). The x-part is a fractional knapsack solved exactly by sorting u_i/w_i.
Max cover (budget B): relaxing the same constraints with 0 ≤ u ≤ w gives
    L(u) = Σ_i (w_i − u_i)⁺ + max{Σ_j (Σ_{i∈N_j} u_i) y_j : Σ c_j y_j ≤ B, y ∈ [0,1]},
an upper bound for every such u; with integral costs the knapsack is also solved exactly
by dynamic programming at the best multipliers (a valid, tighter bound).
Multipliers follow Held–Wolfe–Crowder subgradient steps with the step-size control of Caprara,
Fischetti & Toth (1999), whose core-problem idea also selects the columns of the sub-MIP.
Full set cover first drops dominated rows (``problem.dominated_rows``: exact, same optimum and
same LP value; 59,211 → 12,430 rows on the L benchmark instance). Neighbourhoods are an area
around a seed, narrowed to the incumbent's columns and those of least LP reduced cost (max
cover: best Lagrangian profit per cost); max cover also runs global 1-for-1 swaps (Teitz &
Bart 1968) after each improvement and a wider, longer move after STALL_ROUNDS without gain.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from zhiguo.operations.planning.solver.greedy import (
    budget_greedy,
    cover_greedy,
    make_plan,
    reduced_covered,
    remove_redundant,
    set_cover_target,
)
from zhiguo.operations.planning.solver.highs import MipResult, solve_mip
from zhiguo.operations.planning.solver.problem import (
    F64,
    I64,
    CoverProblem,
    Plan,
    Reduced,
    aggregate,
    drop_dominated_rows,
    reduce_problem,
)

__all__ = ["solve_max_cover", "solve_set_cover"]

Say = Callable[[str], None]
STOP_GAP = 1e-4  # stop searching once plan and certified bound are this close (0.01 %)
DOMINANCE = True  # full set cover: drop dominated rows (exact)
USE_RC = True  # set cover: neighbourhoods filtered by the LP reduced costs
USE_RC_MAX = True  # max cover: neighbourhoods filtered by Lagrangian profit per cost
SWAPS = True  # max cover: global 1-for-1 swaps after each improvement
K_MAX = 400  # most columns a neighbourhood frees
SUB_LIMIT_S = 2.0  # time limit of one sub-MIP
STALL_ROUNDS = 8  # max cover: after this many rounds without gain, one wider, longer move
BIG_FACTOR = 2.0  # its size and time limit, relative to the usual ones
CONCURRENT_LP = False  # LP beside the search (True) or before it (False: less contention)
LP_SHARE = 0.6  # time share the LP relaxation may take (it runs beside the search)
SUBGRADIENT_SHARE = 0.2  # time kept for subgradient optimisation when the LP gives nothing
SMALL_COLS = 400  # reduced problems this small are first given to HiGHS whole
WIDEN = 2  # neighbourhoods: an area WIDEN × k wide, filtered by reduced cost / profit
_SAFETY = 1e-9  # relative slack taken off every floating-point bound


def _quiet(_: str) -> None:
    return None


def _unit(values: F64) -> float | None:
    """The common unit g with every value an integer multiple of g (None if none is clear)."""
    v = values[values > 0]
    if v.size == 0:
        return None
    for g in (1.0, 0.5, 0.25, 0.1, 0.05, 0.01):
        q = v / g
        if np.all(np.abs(q - np.round(q)) <= 1e-9 * np.maximum(q, 1.0)):
            return g
    return None


def _x_part(u: F64, w: F64, need: float, full: bool) -> tuple[F64, float]:
    """argmin Σ u_i x_i s.t. Σ w_i x_i ≥ need, 0 ≤ x ≤ 1 (fractional knapsack)."""
    if full:
        return np.ones_like(u), float(u.sum())
    order = np.argsort(u / w, kind="stable")
    cum = np.cumsum(w[order])
    k = int(np.searchsorted(cum, need - 1e-12 * max(need, 1.0)))
    x = np.zeros_like(u)
    x[order[:k]] = 1.0
    if k < order.size:
        prev = cum[k - 1] if k > 0 else 0.0
        x[order[k]] = min(1.0, max(0.0, (need - prev) / w[order[k]]))
    return x, float(u @ x)


def solve_set_cover(
    p: CoverProblem,
    *,
    target_share: float = 1.0,
    time_limit_s: float = 60.0,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> Plan:
    """Least-cost plan covering ``target_share`` of the demand weight (pinned sites free and
    always chosen, excluded sites never), with a certified lower bound."""
    t0 = time.perf_counter()
    say = progress or _quiet
    deadline = t0 + time_limit_s
    r = reduce_problem(p)
    need, full = set_cover_target(r, target_share)
    if (
        full and DOMINANCE
    ):  # dominated rows are implied by the rows they contain (exact for a full cover)
        r, dropped = drop_dominated_rows(r)
        say(f"dominated rows dropped: {dropped}")
    n_rows, n_cols = r.a.shape
    say(f"reduced: {n_rows} rows × {n_cols} candidate sites ({r.fixed.size} pinned/free)")
    history: list[tuple[float, float, float]] = []
    if need <= 0 or n_rows == 0:
        return make_plan(
            p,
            r,
            np.zeros(0, np.int64),
            bound=0.0,
            bound_method="optimal",
            method="pinned",
            t0=t0,
            maximise=False,
            history=history,
        )
    best = remove_redundant(r, cover_greedy(r, need, None, full=full), need, full)
    ub = float(r.cost[best].sum())
    if n_cols <= SMALL_COLS:  # small: HiGHS proves the optimum quickly
        res = solve_mip(
            r.a,
            r.cost,
            r.weight,
            mode="full" if full else "partial",
            rhs=need,
            time_limit_s=0.25 * time_limit_s,
            threads=2,
        )
        if res.y is not None and res.optimal:
            cand = np.flatnonzero(res.y > 0.5).astype(np.int64)
            say(f"solved exactly: cost {res.objective:.2f}")
            return make_plan(
                p,
                r,
                cand,
                bound=float(r.cost[cand].sum()),
                bound_method="optimal",
                method="highs-exact",
                t0=t0,
                maximise=False,
                history=history,
            )
    lb = 0.0
    unit = _unit(r.cost)

    def certify(value: float) -> float:
        v = value - _SAFETY * max(abs(value), 1.0)
        if unit is not None:  # the optimum is a multiple of the unit: round the bound up
            v = unit * math.ceil(v / unit - 1e-9)
        return max(v, 0.0)

    def note(what: str) -> None:
        history.append((time.perf_counter() - t0, ub, lb))
        gap = f"gap {(ub - lb) / lb:.2%}" if lb > 0 else "no bound yet"
        say(f"{what}: plan {ub:.2f}, bound {lb:.2f}, {gap}")

    note("greedy")
    w = r.weight

    def value(u: F64) -> tuple[float, F64, npt.NDArray[np.bool_]]:
        rc = r.cost - r.at @ u
        neg = rc < 0
        x, xval = _x_part(u, w, need, full)
        return xval + float(rc[neg].sum()), x, neg

    def heuristic(u: F64, it: int) -> None:
        nonlocal ub, best
        cand = remove_redundant(r, cover_greedy(r, need, u, full=full), need, full)
        c = float(r.cost[cand].sum())
        if c < ub - 1e-9:
            ub, best = c, cand
            note(f"lagrangian heuristic (iteration {it})")

    def subgradient(u: F64, lam: float, until: float) -> int:
        """Held–Wolfe–Crowder steps from ``u``; raises ``lb`` (certified values only)."""
        nonlocal lb
        stall, top, it = 0, -math.inf, 0
        while time.perf_counter() < until and ub - lb > STOP_GAP * ub:
            it += 1
            val, x, neg = value(u)
            if val > top + 1e-9 * abs(top):
                top, stall = val, 0
            else:
                stall += 1
            lb = max(lb, certify(val))
            s = x - r.a @ neg.astype(np.float64)
            s[(u <= 0) & (s < 0)] = 0.0
            nrm = float(s @ s)
            if nrm <= 1e-18:
                break
            if it % 10 == 0:
                heuristic(u, it)
            if stall >= 20:
                lam, stall = lam / 2.0, 0
                if lam < 2e-4:
                    break
            u = np.maximum(0.0, u + lam * max(1.02 * ub - val, 1e-6 * ub) / nrm * s)
        note(f"lagrangian bound after {it} subgradient iterations")
        return it

    # LP relaxation (HiGHS interior point, reduced problem) in a background thread (HiGHS
    # releases the GIL) while the neighbourhood search runs; the LP's row duals are then
    # evaluated as Lagrangian multipliers by us, so the bound is certified whatever the
    # LP's tolerances. Without an LP answer, subgradient optimisation gives the bound.
    box: dict[str, MipResult] = {}

    def run_lp() -> None:
        box["lp"] = solve_mip(
            r.a,
            r.cost,
            w,
            mode="full" if full else "partial",
            rhs=need,
            time_limit_s=LP_SHARE * time_limit_s,
            threads=2,
            relax=True,
            lp_solver="ipm",
        )

    worker = threading.Thread(target=run_lp, name="lp-relaxation", daemon=True)
    worker.start()
    if not CONCURRENT_LP:
        worker.join()
    lp_done = False
    end = deadline - 0.03 * time_limit_s - 0.2

    def absorb_lp() -> None:
        nonlocal lp_done, ub, best, end
        lp_done = True
        lp = box.get("lp")
        if lp is None or lp.duals is None or lp.y is None:
            say("LP relaxation unavailable: subgradient bound")
            end = deadline - SUBGRADIENT_SHARE * time_limit_s
            return
        u = lp.duals.copy()
        nonlocal lb
        lb = max(lb, certify(value(u)[0]))
        heuristic(u, 0)
        if USE_RC:
            nb.rc = r.cost - r.at @ u
        for th in (0.5, 0.3):  # LP rounding, completed by the Lagrangian greedy
            start = np.flatnonzero(lp.y >= th)
            cand = remove_redundant(r, cover_greedy(r, need, u, start=start, full=full), need, full)
            if float(r.cost[cand].sum()) < ub - 1e-9:
                ub, best = float(r.cost[cand].sum()), cand
        note("LP relaxation")
        subgradient(u, 0.02, time.perf_counter() + 0.03 * time_limit_s)

    # large-neighbourhood search: re-optimise the sites around a seed exactly
    nb = _Neighbourhoods(r, seed)
    rounds = 0
    while time.perf_counter() < end - 0.1 and ub - lb > STOP_GAP * ub:
        if not lp_done and not worker.is_alive():
            absorb_lp()
            continue
        rounds += 1
        free = nb.pick(best, pair=not full and rounds % 2 == 0)
        rows, cnt = nb.sub_rows(free, best)
        out = np.setdiff1d(best, free)
        sub_need = 0.0 if full else need - float(w[cnt > 0].sum())
        if rows.size == 0 or (not full and sub_need <= 0):
            cand = out
        else:
            sa, sw = _sub_matrix(r, rows, free)
            limit = max(min(SUB_LIMIT_S, end - time.perf_counter()), 0.05)
            t1 = time.perf_counter()
            res = solve_mip(
                sa,
                r.cost[free],
                sw,
                mode="full" if full else "partial",
                rhs=sub_need,
                time_limit_s=limit,
                threads=2,
            )
            nb.adapt(time.perf_counter() - t1, res.optimal, limit)
            if res.y is None:
                continue
            cand = np.union1d(out, free[res.y > 0.5])
        cand = remove_redundant(r, cand, need, full)
        c = float(r.cost[cand].sum())
        if c < ub - 1e-9:
            ub, best = c, cand
            note(f"neighbourhood search {rounds} ({free.size} sites)")
        elif c <= ub + 1e-9:
            best = cand
    say(f"neighbourhood search: {rounds} sub-problems")
    worker.join(max(deadline - time.perf_counter(), 0.0))
    if not lp_done and not worker.is_alive():
        absorb_lp()
    lp = box.get("lp")
    if lp is None or lp.duals is None:  # no LP answer: subgradient bound
        ratio = r.cost / np.maximum(np.diff(r.at.indptr), 1)
        u0 = np.minimum.reduceat(ratio[r.a.indices], r.a.indptr[:-1]).astype(np.float64)
        subgradient(u0 if full else 0.5 * u0, 1.0, deadline - 0.01 * time_limit_s)
    method = "lagrangian+lns" if rounds else "lagrangian+greedy"
    bound_method = "optimal" if ub - lb <= 1e-9 * ub else "lagrangian"
    if bound_method == "optimal":
        lb = ub
    return make_plan(
        p,
        r,
        best,
        bound=lb,
        bound_method=bound_method,
        method=method,
        t0=t0,
        maximise=False,
        history=history,
    )


def _knapsack_lp(profit: F64, cost: F64, budget: float) -> tuple[F64, float]:
    """max Σ p_j y_j s.t. Σ c_j y_j ≤ B, 0 ≤ y ≤ 1 (Dantzig: ratio order, one fraction)."""
    y = np.zeros_like(profit)
    ok = profit > 0
    idx = np.flatnonzero(ok)
    if idx.size == 0:
        return y, 0.0
    order = idx[np.argsort(-profit[idx] / np.maximum(cost[idx], 1e-300), kind="stable")]
    cum = np.cumsum(cost[order])
    k = int(np.searchsorted(cum, budget, side="right"))
    y[order[:k]] = 1.0
    if k < order.size:
        prev = cum[k - 1] if k > 0 else 0.0
        y[order[k]] = max(0.0, (budget - prev) / cost[order[k]])
    return y, float(profit @ y)


def _knapsack_dp(profit: F64, cost: F64, budget: float, unit: float) -> float | None:
    """Exact 0/1 knapsack value when costs are multiples of ``unit`` (None if too large)."""
    ci = np.round(cost / unit).astype(np.int64)
    cap = math.floor(budget / unit + 1e-9)
    if cap > 200_000 or cap < 0:
        return None
    best = np.zeros(cap + 1)
    for j in np.flatnonzero(profit > 0):
        c = int(ci[j])
        if c > cap:
            continue
        if c == 0:
            best += profit[j]
            continue
        cand = best[:-c] + profit[j]
        np.maximum(best[c:], cand, out=best[c:])
    return float(best[-1])


def solve_max_cover(
    p: CoverProblem,
    *,
    budget: float,
    time_limit_s: float = 60.0,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> Plan:
    """Most demand weight covered with non-pinned cost ≤ ``budget``, with a certified upper
    bound."""
    t0 = time.perf_counter()
    say = progress or _quiet
    deadline = t0 + time_limit_s
    r = reduce_problem(p, drop_cost_above=budget)
    n_rows, n_cols = r.a.shape
    say(f"reduced: {n_rows} rows × {n_cols} candidate sites ({r.fixed.size} pinned/free)")
    history: list[tuple[float, float, float]] = []
    w = r.weight
    best = budget_greedy(r, budget)
    got = reduced_covered(r, best)
    single = r.at @ w
    if single.size and float(single.max()) > got:
        best = np.array([int(np.argmax(single))], np.int64)
        got = float(single.max())
    ubound = float(w.sum())
    unit = _unit(r.cost)
    if 0 < n_cols <= SMALL_COLS and n_rows:  # small: HiGHS proves the optimum quickly
        res = solve_mip(
            r.a, r.cost, w, mode="max", rhs=budget, time_limit_s=0.25 * time_limit_s, threads=2
        )
        if res.y is not None and res.optimal:
            cand = np.flatnonzero(res.y > 0.5).astype(np.int64)
            say(f"solved exactly: covered {r.fixed_weight + res.objective:.2f}")
            plan = make_plan(
                p,
                r,
                cand,
                bound=0.0,
                bound_method="optimal",
                method="highs-exact",
                t0=t0,
                maximise=True,
                history=history,
            )
            plan.bound, plan.gap = plan.covered_weight, 0.0
            return plan

    def certify(value: float) -> float:
        return min(value + _SAFETY * max(abs(value), 1.0), float(w.sum()))

    def note(what: str) -> None:
        history.append((time.perf_counter() - t0, r.fixed_weight + got, r.fixed_weight + ubound))
        say(
            f"{what}: covered {r.fixed_weight + got:.1f}, bound {r.fixed_weight + ubound:.1f}, "
            f"gap {(ubound - got) / max(r.fixed_weight + ubound, 1e-12):.2%}"
        )

    note("greedy")
    if n_rows and n_cols:

        def subgradient(u: F64, lam: float, until: float) -> None:
            """Subgradient steps on u ∈ [0, w]; lowers ``ubound`` (certified values)."""
            nonlocal ubound, got, best
            best_u = u.copy()
            stall, low, it = 0, math.inf, 0
            while time.perf_counter() < until and ubound - got > STOP_GAP * max(ubound, 1.0):
                it += 1
                y, kval = _knapsack_lp(r.at @ u, r.cost, budget)
                x = (w > u).astype(np.float64)
                val = float(np.maximum(w - u, 0.0).sum()) + kval
                if val < low - 1e-9 * abs(low):
                    low, stall = val, 0
                else:
                    stall += 1
                if certify(val) < ubound:
                    ubound = certify(val)
                    best_u = u.copy()
                g = r.a @ y - x
                g[(u <= 0) & (g > 0)] = 0.0
                g[(u >= w) & (g < 0)] = 0.0
                nrm = float(g @ g)
                if nrm <= 1e-18:
                    break
                if it % 10 == 0 or it == 1:
                    cand = budget_greedy(r, budget, start=np.flatnonzero(y >= 1.0 - 1e-12))
                    c = reduced_covered(r, cand)
                    if c > got + 1e-9:
                        got, best = c, cand
                        note(f"lagrangian heuristic (iteration {it})")
                if stall >= 20:
                    lam, stall = lam / 2.0, 0
                    if lam < 2e-3:
                        break
                u = np.clip(u - lam * max(val - got, 1e-6 * val) / nrm * g, 0.0, w)
            if unit is not None:  # exact knapsack at the best multipliers: a tighter bound
                exact = _knapsack_dp(r.at @ best_u, r.cost, budget, unit)
                if exact is not None:
                    ubound = min(ubound, certify(float(np.maximum(w - best_u, 0.0).sum()) + exact))
            note(f"lagrangian bound after {it} subgradient iterations")

        # LP relaxation in a background thread beside the neighbourhood search (see
        # solve_set_cover); its duals, clipped to [0, w], are evaluated by us
        box: dict[str, MipResult] = {}

        def run_lp() -> None:
            box["lp"] = solve_mip(
                r.a,
                r.cost,
                w,
                mode="max",
                rhs=budget,
                time_limit_s=LP_SHARE * time_limit_s,
                threads=2,
                relax=True,
                lp_solver="ipm",
            )

        worker = threading.Thread(target=run_lp, name="lp-relaxation", daemon=True)
        worker.start()
        if not CONCURRENT_LP:
            worker.join()
        lp_done = False
        end = deadline - 0.03 * time_limit_s - 0.2

        def absorb_lp() -> None:
            nonlocal lp_done, ubound, got, best, end
            lp_done = True
            lp = box.get("lp")
            if lp is None or lp.duals is None or lp.y is None:
                say("LP relaxation unavailable: subgradient bound")
                end = deadline - SUBGRADIENT_SHARE * time_limit_s
                return
            u = np.clip(lp.duals, 0.0, w)
            val = float(np.maximum(w - u, 0.0).sum()) + _knapsack_lp(r.at @ u, r.cost, budget)[1]
            if USE_RC_MAX:  # rank columns by Lagrangian profit per cost (best first)
                nb.rc = -(r.at @ u) / np.maximum(r.cost, 1e-12)
            ubound = min(ubound, certify(val))
            for th in (0.9, 0.5):  # LP rounding, filled greedily
                start = np.flatnonzero(lp.y >= th)
                start = start[np.cumsum(r.cost[start]) <= budget + 1e-9]
                cand = budget_greedy(r, budget, start=start)
                c = reduced_covered(r, cand)
                if c > got + 1e-9:
                    got, best = c, cand
            if SWAPS:
                cand = _swap_search(r, best, budget, min(end, time.perf_counter() + 3.0))
                c = reduced_covered(r, cand)
                if c > got + 1e-9:
                    got, best = c, cand
            note("LP relaxation")
            subgradient(u, 0.02, time.perf_counter() + 0.03 * time_limit_s)

        # large-neighbourhood search: re-optimise the sites around a seed (or two) exactly
        nb = _Neighbourhoods(r, seed)
        rounds = stall = 0
        while time.perf_counter() < end - 0.1 and ubound - got > STOP_GAP * ubound:
            if not lp_done and not worker.is_alive():
                absorb_lp()
                continue
            rounds += 1
            big = STALL_ROUNDS > 0 and stall >= STALL_ROUNDS  # stuck: a wider, longer move
            stall += 1
            if big:
                k0, nb.k, stall = nb.k, int(BIG_FACTOR * nb.k), 0
                free = nb.pick(best, pair=True)
                nb.k = k0
            else:
                free = nb.pick(best, pair=rounds % 2 == 0)
            rows, _ = nb.sub_rows(free, best)
            out = np.setdiff1d(best, free)
            left_budget = budget - float(r.cost[out].sum())
            if rows.size == 0:
                continue
            sa, sw = _sub_matrix(r, rows, free)
            cap = BIG_FACTOR * SUB_LIMIT_S if big else SUB_LIMIT_S
            limit = max(min(cap, end - time.perf_counter()), 0.05)
            t1 = time.perf_counter()
            res = solve_mip(
                sa, r.cost[free], sw, mode="max", rhs=left_budget, time_limit_s=limit, threads=2
            )
            if not big:
                nb.adapt(time.perf_counter() - t1, res.optimal, limit)
            if res.y is None:
                continue
            cand = budget_greedy(r, budget, start=np.union1d(out, free[res.y > 0.5]))
            c = reduced_covered(r, cand)
            if SWAPS and c > got + 1e-9:
                cand = _swap_search(r, cand, budget, min(end, time.perf_counter() + 2.0))
                c = reduced_covered(r, cand)
            if c > got + 1e-9:
                got, best, stall = c, cand, 0
                note(f"neighbourhood search {rounds} ({free.size} sites)")
            elif c >= got - 1e-9:
                best = cand
        say(f"neighbourhood search: {rounds} sub-problems")
        worker.join(max(deadline - time.perf_counter(), 0.0))
        if not lp_done and not worker.is_alive():
            absorb_lp()
        lp = box.get("lp")
        if lp is None or lp.duals is None:  # no LP answer: subgradient bound
            subgradient(0.5 * w, 1.0, deadline - 0.01 * time_limit_s)
    else:
        ubound = got
    bound = r.fixed_weight + max(ubound, got)
    optimal = ubound - got <= 1e-9 * max(ubound, 1.0)
    plan = make_plan(
        p,
        r,
        best,
        bound=bound,
        bound_method="optimal" if optimal else "lagrangian",
        method="lagrangian+lns",
        t0=t0,
        maximise=True,
        history=history,
    )
    if optimal:
        plan.bound = plan.covered_weight
        plan.gap = 0.0
    return plan


def _swap_search(r: Reduced, chosen: I64, budget: float, until: float) -> I64:
    """Best-improvement 1-for-1 swaps and additions for max cover, anywhere on the map
    (vectorised: the gain of every (out, in) pair from one sparse product), within the
    budget; the classic interchange of Teitz & Bart (1968) applied to the MCLP."""
    n_cols = r.a.shape[1]
    w = r.weight
    y = np.zeros(n_cols)
    y[chosen] = 1.0
    while time.perf_counter() < until:
        cnt = r.a @ y
        inside = np.flatnonzero(y > 0.5)
        slack = budget - float(r.cost[inside].sum())
        gain = r.at @ (w * (cnt == 0))
        add = (y < 0.5) & (r.cost <= slack + 1e-9) & (gain > 1e-9)
        if add.any():
            y[int(np.argmax(np.where(add, gain, -np.inf)))] = 1.0
            continue
        if inside.size == 0:
            break
        uniq = sp.diags(w * (cnt == 1)) @ r.a[:, inside]  # rows only a covers, weighted
        back = (uniq.T @ r.a).toarray()  # (a, b): weight of a's own rows that b covers too
        loss = np.asarray(uniq.sum(axis=0)).ravel()
        delta = gain[None, :] + back - loss[:, None]
        ok = (r.cost[None, :] <= slack + r.cost[inside][:, None] + 1e-9) & (y[None, :] < 0.5)
        delta[~ok] = -np.inf
        k = int(np.argmax(delta))
        ia, b = divmod(k, n_cols)
        if not delta.flat[k] > 1e-9 * max(float(w.sum()), 1.0):
            break
        y[inside[ia]] = 0.0
        y[b] = 1.0
    return np.flatnonzero(y > 0.5).astype(np.int64)


class _Neighbourhoods:
    """Large-neighbourhood search over the column overlap graph: free the ``k`` columns
    closest (two hops, by shared rows) to a seed column, keep the rest of the incumbent,
    and solve that sub-problem exactly with HiGHS (coverage is local, so these are the
    sites that can replace each other)."""

    def __init__(self, r: Reduced, seed: int) -> None:
        self.r = r
        self.overlap = (r.at @ r.a).tocsr()
        self.rng = np.random.default_rng(seed)
        self.k = 100
        self.visits = np.zeros(r.a.shape[1])
        self.rc: F64 | None = None  # LP reduced costs (set cover), when known

    def pick(self, best: I64, pair: bool = False) -> I64:
        """``k`` columns around one seed, or (``pair``) ``k/2`` around each of two seeds, so
        a budget (or a partial-cover target) can move between two parts of the map."""
        if pair:
            half = max(self.k // 2, 5)
            return np.union1d(self._around(best, half), self._around(best, half))
        return self._around(best, self.k)

    def _around(self, best: I64, k: int) -> I64:
        n = self.r.a.shape[1]
        # seed: a chosen site among those least often re-optimised (sweeps the whole map)
        pool = best if best.size else np.arange(n)
        v = self.visits[pool] + self.rng.uniform(0.0, 0.5, pool.size)
        s = int(pool[int(np.argmin(v))])
        first = np.asarray(self.overlap[s].toarray()).ravel()
        second = self.overlap @ first
        score = second + self.rng.uniform(0.0, 1e-6, n) * (second.max(initial=0) + 1)
        k = min(k, n)
        if self.rc is None:
            free = np.sort(np.argpartition(-score, k - 1)[:k]).astype(np.int64)
        else:  # a wider area, then its incumbent columns and those of least reduced cost
            wide = np.argpartition(-score, min(WIDEN * k, n) - 1)[: min(WIDEN * k, n)]
            inc = np.zeros(n, bool)
            inc[best] = True
            key = np.where(inc[wide], -np.inf, self.rc[wide])
            free = np.sort(wide[np.argsort(key, kind="stable")[:k]]).astype(np.int64)
        self.visits[free] += 1.0
        return free

    def adapt(self, seconds: float, optimal: bool, limit: float) -> None:
        if optimal and seconds < 0.15 * limit:
            self.k = min(int(self.k * 1.1) + 1, K_MAX)
        elif not optimal:
            self.k = max(int(self.k / 1.3), 10)

    def sub_rows(self, free: I64, best: I64) -> tuple[I64, F64]:
        """Rows touched by ``free`` that the fixed part leaves uncovered; fixed cover count."""
        r = self.r
        y_out = np.zeros(r.a.shape[1])
        y_out[np.setdiff1d(best, free)] = 1.0
        cnt = r.a @ y_out
        mask = np.zeros(r.a.shape[1])
        mask[free] = 1.0
        touched = (r.a @ mask) > 0
        return np.flatnonzero(touched & (cnt == 0)), cnt


def _sub_matrix(r: Reduced, rows: I64, free: I64) -> tuple[sp.csr_matrix, F64]:
    sub = r.a[rows][:, free].tocsr()
    sub.sort_indices()
    ip, ix, sw, _ = aggregate(
        sub.indptr.astype(np.int64), sub.indices.astype(np.int32), r.weight[rows]
    )
    return sp.csr_matrix((np.ones(ix.size), ix, ip), shape=(ip.size - 1, free.size)), sw
