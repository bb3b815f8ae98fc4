"""The covering problem, the plan, and the exact reductions every solver starts from.

Rows are demand rows (pixels or aggregated pixel groups) with weight ``w_i``; columns are
candidate sites with cost ``c_j``; ``a_ij = 1`` when site ``j`` covers row ``i``.

Reductions (all exact — the optimum of the reduced problem plus the fixed part is the optimum
of the original):
- excluded columns are deleted;
- pinned columns (already built, cost not counted) and free non-pinned columns (cost 0) are
  chosen; the rows they cover are counted as covered and deleted;
- rows no allowed column covers are deleted (they can never be covered);
- rows with identical column sets are merged, weights summed;
- full set cover only (``drop_dominated_rows``): a row whose column set strictly contains
  another row's is implied by it (covering the smaller row covers it) and is dropped.

Errors (the solver owns ZG-PLAN-001…049; the planning service starts at 050)::

    InputError              ZG-INPUT-001 (core)
    ├── PlanInputError      ZG-PLAN-001 a malformed problem (CSR arrays, negative cost, …)
    └── Infeasible          ZG-PLAN-002 target share above what the allowed sites reach
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
    "dominated_rows",
    "drop_dominated_rows",
    "reduce_problem",
]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
Progress = Callable[[str], None] | None


class PlanInputError(InputError):
    code = "ZG-PLAN-001"
    title_zh = "选址问题输入无效"
    title_en = "Invalid site-selection problem"


class Infeasible(InputError):
    """The target coverage cannot be reached with the columns allowed."""

    code = "ZG-PLAN-002"
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


def dominated_rows(
    a: sp.csr_matrix, at: sp.csr_matrix, *, chunk: int = 4_000_000
) -> npt.NDArray[np.bool_]:
    """Rows whose column set strictly contains another row's (``a``: CSR with sorted indices,
    distinct rows; ``at`` its transpose). In a full cover such a row is implied by the smaller
    one, so dropping all of them at once keeps every feasible cover feasible and vice versa:
    the strict-subset order has no infinite chains, so every dropped row contains a row that
    is not dropped (Garfinkel & Nemhauser 1972, *Integer Programming*, §8 reductions).

    Scalable form: a row ``k`` can only lie inside rows that contain its rarest column, so the
    candidate pairs (k, i) come from that column's row list; pairs are then filtered column by
    column of ``k`` against a packed bit matrix of ``a`` (chunked to bound memory)."""
    n_rows, n_cols = a.shape
    out = np.zeros(n_rows, bool)
    if n_rows < 2:
        return out
    indptr = a.indptr.astype(np.int64)
    indices = a.indices.astype(np.int64)
    length = np.diff(indptr)
    col_deg = np.diff(at.indptr).astype(np.int64)
    # rarest column of each row
    row_of = np.repeat(np.arange(n_rows), length)
    deg = col_deg[indices]
    order = np.lexsort((deg, row_of))  # by row, then degree
    rarest = indices[order[indptr[:-1][length > 0]]]
    rows_nz = np.flatnonzero(length > 0)
    rare = np.full(n_rows, -1, np.int64)
    rare[rows_nz] = rarest
    bits = _packed_bits(indptr, indices, n_rows, n_cols)
    pairs_per_row = np.where(rare >= 0, col_deg[np.maximum(rare, 0)], 0)
    cum = np.cumsum(pairs_per_row)
    start = 0
    while start < n_rows:
        stop = int(np.searchsorted(cum, (cum[start - 1] if start else 0) + chunk, side="right"))
        stop = max(stop, start + 1)
        ks = np.arange(start, min(stop, n_rows))
        ks = ks[rare[ks] >= 0]
        c = rare[ks]
        cnt = col_deg[c]
        k = np.repeat(ks, cnt)
        base = np.repeat(
            at.indptr[c].astype(np.int64) - np.concatenate(([0], np.cumsum(cnt)[:-1])), cnt
        )
        i = at.indices[np.arange(int(cnt.sum()), dtype=np.int64) + base].astype(np.int64)
        keep = (length[i] > length[k]) & ~out[i]
        k, i = k[keep], i[keep]
        t = 0
        while k.size:
            has = length[k] > t
            done = ~has
            out[i[done]] = True
            k, i = k[has], i[has]
            if not k.size:
                break
            j = indices[indptr[k] + t]
            flat = i * n_cols + j
            inside = (bits[flat >> 3] >> (7 - (flat & 7))) & 1
            k, i = k[inside == 1], i[inside == 1]
            t += 1
        start = stop
    return out


def _packed_bits(
    indptr: npt.NDArray[np.int64], indices: npt.NDArray[np.int64], n_rows: int, n_cols: int
) -> npt.NDArray[np.uint8]:
    """``a`` as a row-major bit matrix (bit ``i·n_cols + j``, most significant bit first)."""
    flat = np.repeat(np.arange(n_rows, dtype=np.int64), np.diff(indptr)) * n_cols + indices
    bits = np.zeros((n_rows * n_cols + 7) // 8, np.uint8)
    np.bitwise_or.at(bits, flat >> 3, (np.uint8(128) >> (flat & 7)).astype(np.uint8))
    return bits


def drop_dominated_rows(r: Reduced) -> tuple[Reduced, int]:
    """The full-cover problem without its dominated rows (see ``dominated_rows``): the same
    optimum and the same LP bound. Weights of the kept rows are kept as they are (a full cover
    does not use them). Returns the new problem and how many rows were dropped."""
    drop = dominated_rows(r.a, r.at)
    n = int(drop.sum())
    if n == 0:
        return r, 0
    keep = np.flatnonzero(~drop)
    a = r.a[keep].tocsr()
    a.sort_indices()
    return (
        Reduced(
            a=a,
            at=a.T.tocsr(),
            weight=r.weight[keep],
            cost=r.cost,
            cols=r.cols,
            fixed=r.fixed,
            fixed_cost=r.fixed_cost,
            fixed_weight=r.fixed_weight,
            total_weight=r.total_weight,
            coverable_weight=r.coverable_weight,
        ),
        n,
    )
