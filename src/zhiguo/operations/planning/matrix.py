"""The coverage matrix of a site-selection problem: which demand pixels each candidate covers.

A site *covers* a pixel when its predicted RSRP there reaches the threshold and the pixel
lies within the cut-off (radio.md §4.1: a_ij = 1 iff RSRP_ij ≥ threshold). RSRP is the
coverage kernel's own prediction — per-RE EIRP by site type (:mod:`..coverage.siteradio`)
minus the TR 38.901 Table 7.4.1-1 NLOS loss with the LOS maximum, evaluated with
:func:`..coverage.kernel.site_constants`, the same lines the raster uses — so a plan and the
coverage map it is later drawn on agree pixel for pixel.

Work per site is bounded: the path loss only grows with distance (every line has a positive
slope), so each site's *reach* (the distance where RSRP falls to the threshold, at most the
cut-off) is found by bisection and only the pixels within reach plus 1 m are examined (a
k-d tree query), then tested with the exact formula.

Rows are then aggregated exactly: pixels covered by the same set of sites form one row whose
weight is the sum of theirs (the solver cannot tell them apart; the optimum is unchanged).
Pixels no candidate covers form one row with no columns, so the problem's total weight is all
the demand, coverable or not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from zhiguo.operations.coverage.kernel import Grid, Sites, site_constants

__all__ = ["CoverageMatrix", "aggregate_rows", "coverage_matrix", "site_reach_m"]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]

_MIN_D2D = 10.0  # TR 38.901 Table 7.4.1-1: 10 m ≤ d2D (nearer pixels get the 10 m value)
_SLACK_M = 1.0  # the k-d tree query reaches this far past the bisected reach


@dataclass(frozen=True)
class CoverageMatrix:
    """Aggregated rows (CSR over candidate columns) and the way back to pixels.

    ``pixel`` holds the flat indices (row-major, ``row * nx + col``) of the demand pixels with
    weight > 0 and ``row_of_pixel`` the aggregated row of each; ``pairs`` counts the covering
    (pixel, site) pairs before aggregation."""

    indptr: I64
    indices: I32
    weight: F64
    n_cols: int
    pixel: I64
    row_of_pixel: I64
    pairs: int

    @property
    def n_rows(self) -> int:
        return int(self.weight.size)

    @property
    def total_weight(self) -> float:
        return float(self.weight.sum())

    def reachable_weight(self, allowed: npt.NDArray[np.bool_]) -> float:
        """The demand weight some allowed column covers (the most any plan can cover)."""
        ok = allowed[self.indices].astype(np.int64)
        per_row = np.add.reduceat(np.append(ok, 0), self.indptr[:-1]) if ok.size else None
        if per_row is None:
            return 0.0
        lengths = np.diff(self.indptr)
        per_row = np.where(lengths > 0, per_row, 0)
        return float(self.weight[per_row > 0].sum())


def _pathloss(k_a: F64, k_b: F64, dh2: F64, d2d: F64) -> F64:
    """The kernel's NLOS loss (max of three lines in L = log10(d3D²)) per pair; ``k_*``,
    ``dh2`` already gathered per pair (3, n) / (n,)."""
    d = np.maximum(d2d, _MIN_D2D)
    lg = np.log10(d * d + dh2)
    return np.asarray(np.max(k_a + k_b * lg[None, :], axis=0), np.float64)


def site_reach_m(
    sites: Sites, *, fc_ghz: float, threshold_dbm: float, cutoff_m: float, hut_m: float = 1.5
) -> F64:
    """Per site, the largest d2D (≤ cut-off) where RSRP ≥ threshold, by bisection on the
    monotone path loss (60 halvings: far below a millimetre). 0 where even 10 m misses it."""
    k = site_constants(sites, fc_ghz=fc_ghz, hut_m=hut_m)
    n = len(sites)

    def ok(d: F64) -> npt.NDArray[np.bool_]:
        return np.asarray(sites.eirp_dbm - _pathloss(k.a, k.b, k.dh2, d) >= threshold_dbm)

    lo = np.full(n, _MIN_D2D)
    hi = np.full(n, float(cutoff_m))
    at_hi = ok(hi)
    at_lo = ok(lo)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        good = ok(mid)
        lo = np.where(good, mid, lo)
        hi = np.where(good, hi, mid)
    reach = np.where(at_hi, float(cutoff_m), lo)
    return np.asarray(np.where(at_lo, reach, 0.0), np.float64)


def coverage_matrix(
    grid: Grid,
    weight: npt.ArrayLike,
    sites: Sites,
    *,
    fc_ghz: float,
    threshold_dbm: float,
    cutoff_m: float,
    hut_m: float = 1.5,
    chunk_pairs: int = 1 << 21,
) -> CoverageMatrix:
    """Which demand pixels (weight > 0) each site covers, aggregated into distinct rows.

    ``weight`` is a (ny, nx) array on ``grid``; columns are ``sites`` in order."""
    w = np.asarray(weight, dtype=np.float64)
    if w.shape != (grid.ny, grid.nx):
        raise ValueError(f"weight shape {w.shape} is not the grid's {(grid.ny, grid.nx)}")
    pixel = np.flatnonzero(w.ravel() > 0).astype(np.int64)
    pw = w.ravel()[pixel]
    n = len(sites)
    px = grid.x_min + (pixel % grid.nx + 0.5) * grid.resolution_m
    py = grid.y_min + (pixel // grid.nx + 0.5) * grid.resolution_m
    if n == 0 or pixel.size == 0:
        return aggregate_rows(pixel, pw, np.zeros(0, np.int64), np.zeros(0, np.int64), n_cols=n)
    k = site_constants(sites, fc_ghz=fc_ghz, hut_m=hut_m)
    reach = site_reach_m(
        sites, fc_ghz=fc_ghz, threshold_dbm=threshold_dbm, cutoff_m=cutoff_m, hut_m=hut_m
    )
    tree = cKDTree(np.column_stack([px, py]))
    found = tree.query_ball_point(
        np.column_stack([sites.x, sites.y]),
        r=np.minimum(reach + _SLACK_M, cutoff_m),
        return_sorted=False,
    )
    counts = np.array([len(f) for f in found], dtype=np.int64)
    cand_site = np.repeat(np.arange(n, dtype=np.int64), counts)
    cand_pix = (
        np.concatenate([np.asarray(f, dtype=np.int64) for f in found])
        if counts.sum()
        else np.zeros(0, np.int64)
    )
    keep = np.zeros(cand_pix.size, dtype=np.bool_)
    for s in range(0, cand_pix.size, chunk_pairs):
        j = cand_site[s : s + chunk_pairs]
        i = cand_pix[s : s + chunk_pairs]
        d2d = np.hypot(px[i] - sites.x[j], py[i] - sites.y[j])
        rsrp = sites.eirp_dbm[j] - _pathloss(k.a[:, j], k.b[:, j], k.dh2[j], d2d)
        keep[s : s + chunk_pairs] = (rsrp >= threshold_dbm) & (d2d <= cutoff_m)
    return aggregate_rows(pixel, pw, cand_pix[keep], cand_site[keep], n_cols=n)


def aggregate_rows(
    pixel: I64, pixel_weight: F64, pair_pixel: I64, pair_site: I64, *, n_cols: int
) -> CoverageMatrix:
    """Group pixels (positions into ``pixel``) by their exact set of covering sites and sum
    their weights. Rows are ordered by their first pixel; pixels nothing covers share one row
    with no columns."""
    n_pix = int(pixel.size)
    order = np.lexsort((pair_site, pair_pixel))
    pp, ps = pair_pixel[order], pair_site[order]
    length = np.bincount(pp, minlength=n_pix).astype(np.int64)
    start = np.concatenate([[0], np.cumsum(length)])
    # a set hash per pixel: the sum of a random 64-bit key per column (wraps mod 2^64) ...
    rng = np.random.default_rng(0x5EED)
    keys = rng.integers(0, 2**63 - 1, size=(2, max(n_cols, 1)), dtype=np.int64).astype(np.uint64)
    h = np.zeros((2, n_pix), dtype=np.uint64)
    if ps.size:
        for r in range(2):
            np.add.at(h[r], pp, keys[r, ps])
    order = np.lexsort((h[1], h[0], length))
    new = np.ones(n_pix, dtype=np.bool_)
    if n_pix > 1:
        a, b, c = length[order], h[0][order], h[1][order]
        new[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1]) | (c[1:] != c[:-1])
    inverse = np.empty(n_pix, dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    first = np.full(int(new.sum()), n_pix, dtype=np.int64)
    np.minimum.at(first, inverse, np.arange(n_pix, dtype=np.int64))
    # ... then checked exactly: every pixel's column list equals its group's first pixel's
    rep = first[inverse]
    exact = True
    if ps.size:
        offs = np.arange(ps.size) - np.repeat(start[:-1], length)
        exact = bool(np.array_equal(ps, ps[start[rep][pp] + offs]))
    if not exact:  # a hash collision: group by the column lists themselves
        groups: dict[bytes, int] = {}
        inverse = np.empty(n_pix, dtype=np.int64)
        firsts: list[int] = []
        for p in range(n_pix):
            b = ps[start[p] : start[p + 1]].tobytes()
            g = groups.setdefault(b, len(groups))
            if g == len(firsts):
                firsts.append(p)
            inverse[p] = g
        first = np.asarray(firsts, dtype=np.int64)
    # order rows by their first pixel
    by_first = np.argsort(first, kind="stable")
    rank = np.empty_like(by_first)
    rank[by_first] = np.arange(by_first.size)
    row_of_pixel = rank[inverse].astype(np.int64)
    reps = first[by_first]
    weight = np.bincount(row_of_pixel, weights=pixel_weight, minlength=reps.size)
    row_len = length[reps]
    indptr = np.concatenate([[0], np.cumsum(row_len)]).astype(np.int64)
    take = (
        np.repeat(start[reps], row_len)
        + np.arange(int(row_len.sum()))
        - np.repeat(indptr[:-1], row_len)
    )
    indices = ps[take].astype(np.int32) if take.size else np.zeros(0, np.int32)
    return CoverageMatrix(
        indptr=indptr,
        indices=indices,
        weight=weight.astype(np.float64),
        n_cols=int(n_cols),
        pixel=pixel,
        row_of_pixel=row_of_pixel,
        pairs=int(ps.size),
    )
