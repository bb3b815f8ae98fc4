"""The covering problem, the plan, and the exact reductions every solver starts from.

Rows are demand rows (pixels or aggregated pixel groups) with weight ``w_i``; columns are
candidate sites with cost ``c_j``; ``a_ij = 1`` when site ``j`` covers row ``i``.

Reductions (all exact — the optimum of the reduced problem plus the fixed part is the optimum
of the original):
- excluded columns are deleted;
- pinned columns (already built, cost not counted) and free non-pinned columns (cost 0) are
  chosen; the rows they cover are counted as covered and deleted;
- rows no allowed column covers are deleted (they can never be covered);
- rows with identical column sets are merged, weights summed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from zhiguo.core.errors import InputError

__all__ = [
    "CoverProblem",
    "Infeasible",
    "Plan",
    "PlanInputError",
    "Reduced",
    "aggregate",
    "reduce_problem",
]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
Progress = Callable[[str], None] | None


class PlanInputError(InputError):
    code = "ZG-PLAN-090"
    title_zh = "选址问题输入无效"
    title_en = "Invalid site-selection problem"


class Infeasible(InputError):
    """The target coverage cannot be reached with the columns allowed."""

    code = "ZG-PLAN-091"
    title_zh = "目标覆盖率不可达"
    title_en = "Target coverage not reachable"

    def __init__(self, target_share: float, max_share: float) -> None:
        self.target_share = target_share
        self.max_share = max_share
        super().__init__(
            f"目标覆盖率 {target_share:.2%} 不可达：可用站址最多覆盖 {max_share:.2%} 的需求",
            f"target coverage {target_share:.2%} not reachable: the allowed sites cover at most "
            f"{max_share:.2%} of demand",
            details={"target_share": target_share, "max_share": max_share},
        )


@dataclass
class CoverProblem:
    """Rows = demand rows; cols = candidate sites (CSR: ``indices[indptr[i]:indptr[i+1]]``
    are the columns covering row ``i``)."""

    indptr: npt.NDArray[np.int64]
    indices: npt.NDArray[np.int32]
    weight: F64
    cost: F64
    pinned: npt.NDArray[np.bool_]
    excluded: npt.NDArray[np.bool_]

    @property
    def n_rows(self) -> int:
        return int(self.indptr.size - 1)

    @property
    def n_cols(self) -> int:
        return int(self.cost.size)

    def matrix(self) -> sp.csr_matrix:
        return sp.csr_matrix(
            (np.ones(self.indices.size, np.float64), self.indices, self.indptr),
            shape=(self.n_rows, self.n_cols),
        )

    def validate(self) -> None:
        n = self.n_cols
        bad: str | None = None
        if (
            self.indptr.ndim != 1
            or self.indptr.size < 1
            or self.indptr[0] != 0
            or self.indptr[-1] != self.indices.size
            or np.any(np.diff(self.indptr) < 0)
        ):
            bad = "indptr"
        elif self.indices.size and (self.indices.min() < 0 or self.indices.max() >= n):
            bad = "indices"
        elif (
            self.weight.shape != (self.n_rows,)
            or not np.all(np.isfinite(self.weight))
            or np.any(self.weight < 0)
        ):
            bad = "weight"
        elif not np.all(np.isfinite(self.cost)) or np.any(self.cost < 0):
            bad = "cost"
        elif (
            self.pinned.shape != (n,)
            or self.excluded.shape != (n,)
            or np.any(self.pinned & self.excluded)
        ):
            bad = "pinned/excluded"
        if bad is not None:
            raise PlanInputError(
                f"选址问题字段 {bad} 无效", f"site-selection field {bad} is invalid"
            )

    def covered_weight(self, chosen: npt.ArrayLike) -> float:
        """Weight of the rows some column of ``chosen`` covers (pinned columns included)."""
        y = np.zeros(self.n_cols, np.float64)
        y[np.asarray(chosen, dtype=np.int64)] = 1.0
        y[self.pinned] = 1.0
        hit = self.matrix() @ y > 0
        return float(self.weight[hit].sum())


@dataclass
class Plan:
    chosen: I64
    cost: float
    covered_weight: float
    total_weight: float
    bound: float
    gap: float
    bound_method: str
    method: str
    seconds: float
    history: list[tuple[float, float, float]] = field(default_factory=list)

    @property
    def coverage_share(self) -> float:
        return self.covered_weight / self.total_weight if self.total_weight > 0 else 1.0


@dataclass
class Reduced:
    """The reduced problem: ``a`` (CSR, rows × active columns), weights, costs, the map to
    original columns, and what the fixed part already contributes."""

    a: sp.csr_matrix
    at: sp.csr_matrix  # transpose, CSR (columns → rows)
    weight: F64
    cost: F64
    cols: I64  # original index of each active column
    fixed: I64  # original columns always chosen (pinned, free)
    fixed_cost: float  # cost of fixed non-pinned columns (0: they are free)
    fixed_weight: float  # weight covered by the fixed columns
    total_weight: float  # all rows of the original problem
    coverable_weight: float  # fixed_weight + weight of the reduced rows


def reduce_problem(p: CoverProblem, *, drop_cost_above: float | None = None) -> Reduced:
    p.validate()
    a = p.matrix()
    total = float(p.weight.sum())
    allowed = ~p.excluded
    if drop_cost_above is not None:
        allowed &= (p.cost <= drop_cost_above) | p.pinned
    fixed_mask = allowed & (p.pinned | (p.cost <= 0.0))
    fixed = np.flatnonzero(fixed_mask).astype(np.int64)
    free = allowed & ~fixed_mask
    cols = np.flatnonzero(free).astype(np.int64)
    fixed_hit = a @ fixed_mask.astype(np.float64) > 0
    fixed_weight = float(p.weight[fixed_hit].sum())
    sub = a[:, cols].tocsr()
    keep = (~fixed_hit) & (np.diff(sub.indptr) > 0) & (p.weight > 0)
    sub = sub[np.flatnonzero(keep)]
    sub.sort_indices()
    w = p.weight[keep]
    indptr, indices, w, _ = aggregate(sub.indptr.astype(np.int64), sub.indices.astype(np.int32), w)
    ra = sp.csr_matrix(
        (np.ones(indices.size, np.float64), indices, indptr), shape=(indptr.size - 1, cols.size)
    )
    return Reduced(
        a=ra,
        at=ra.T.tocsr(),
        weight=w,
        cost=p.cost[cols].astype(np.float64),
        cols=cols,
        fixed=fixed,
        fixed_cost=0.0,
        fixed_weight=fixed_weight,
        total_weight=total,
        coverable_weight=fixed_weight + float(w.sum()),
    )


def aggregate(
    indptr: I64, indices: npt.NDArray[np.int32], weight: F64
) -> tuple[I64, npt.NDArray[np.int32], F64, I64]:
    """Merge rows with identical (sorted) column sets, weights summed. Returns the new CSR
    and, for every old row, its new row. Rows are hashed, then every merge is verified
    element by element (a hash collision raises instead of merging wrongly)."""
    n = indptr.size - 1
    if n == 0:
        return indptr, indices, weight, np.zeros(0, np.int64)
    lengths = np.diff(indptr)
    rng = np.random.default_rng(12345)
    ncols = int(indices.max(initial=0)) + 1
    keys = rng.integers(0, 2**62, size=(2, ncols), dtype=np.int64)
    starts = np.minimum(indptr[:-1], max(indices.size - 1, 0))
    table = np.zeros((n, 3), np.int64)
    table[:, 0] = lengths
    if indices.size:
        for k in (0, 1):
            s = np.add.reduceat(keys[k][indices], starts)
            table[:, k + 1] = np.where(lengths > 0, s, 0)
    _, first, inverse = np.unique(table, axis=0, return_index=True, return_inverse=True)
    inverse = np.asarray(inverse).ravel()
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    new_of_old = rank[inverse].astype(np.int64)
    reps = first[order].astype(np.int64)
    # verify: every row equals its representative
    row_id = np.repeat(np.arange(n), lengths)
    offset = np.arange(indices.size) - indptr[row_id]
    other = indptr[reps[new_of_old[row_id]]] + offset
    if not np.array_equal(indices, indices[other]):
        raise RuntimeError("row aggregation hash collision")  # pragma: no cover
    rl = lengths[reps]
    new_indptr = np.zeros(reps.size + 1, np.int64)
    np.cumsum(rl, out=new_indptr[1:])
    take = np.repeat(indptr[reps], rl) + (np.arange(int(rl.sum())) - np.repeat(new_indptr[:-1], rl))
    new_indices = indices[take].astype(np.int32)
    w = np.bincount(new_of_old, weights=weight, minlength=reps.size).astype(np.float64)
    return new_indptr, new_indices, w, new_of_old
