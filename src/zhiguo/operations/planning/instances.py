"""Synthetic site-selection benchmark instances (``shared/domain/radio.md`` §4.4).

A fictitious 10 km × 10 km city: candidate sites uniform at random — 50 % rooftops (30 m,
cost 10), 30 % smart poles (10 m, cost 3, UMi small cell with lower EIRP), 20 % hubs/parks
(20 m, cost 6). A pixel is covered by a site when the predicted RSRP, with the kernel's
TR 38.901 UMa/UMi NLOS median path loss (``coverage.kernel.nlos_pathloss_db``) and an 8 dB
fade margin, reaches −105 dBm. Demand weight per pixel is a smooth synthetic field (a few
dense cores over a suburban floor). Pixels no candidate covers are left out (they cannot be
planned for). Identical pixel rows are aggregated (exact: the set-cover/max-cover optimum is
unchanged). Everything is reproducible from ``seed``.

Sizes: ``S`` 300 × 10,000 px at 100 m (tests), ``M`` 1,000 × 40,000 px at 50 m, ``L``
2,000 × 100,000 px at ≈ 31.6 m. ``link_gain_db`` (default 20 dB) raises every site's EIRP
uniformly: it calibrates coverage radii (rooftop ≈ 500 m) to the instances measured in radio.md
§4.4 (≈ 58,000 distinct rows at L); 0 gives the plain per-RE link budget of
``coverage.siteradio`` (radii ≈ 275 m, a much easier, nearly decomposed instance).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.spatial import cKDTree

from zhiguo.operations.coverage.kernel import Sites, nlos_pathloss_db
from zhiguo.operations.coverage.siteradio import RADIO_BY_TYPE, eirp_dbm
from zhiguo.operations.planning.solver.problem import CoverProblem, aggregate
from zhiguo.operations.radio import get_band

__all__ = ["SIZES", "Instance", "synthetic_instance"]

# size: (candidates, pixels per side, resolution m)
SIZES: dict[str, tuple[int, int, float]] = {
    "XS": (60, 40, 100.0),
    "S": (300, 100, 100.0),
    "M": (1_000, 200, 50.0),
    "L": (2_000, 316, 10_000.0 / 316),
}
# type: (share, height m, cost)  (radio.md §4.4)
_TYPES: tuple[tuple[str, float, float, float], ...] = (
    ("rooftop", 0.5, 30.0, 10.0),
    ("smart_pole", 0.3, 10.0, 3.0),
    ("hub", 0.2, 20.0, 6.0),
)
THRESHOLD_DBM = -105.0
MARGIN_DB = 8.0
HUT_M = 1.5


@dataclass(frozen=True)
class Instance:
    """A generated instance: the aggregated problem, the sites and the pixel → row map."""

    problem: CoverProblem
    size: str
    seed: int
    site_x: npt.NDArray[np.float64]
    site_y: npt.NDArray[np.float64]
    site_type: tuple[str, ...]
    pixels: int  # demand pixels generated (covered by some candidate)
    pixels_total: int  # all pixels of the raster
    row_of_pixel: npt.NDArray[np.int64]  # aggregated row of each kept pixel

    @property
    def nnz(self) -> int:
        return int(self.problem.indices.size)


def _radius_m(height_m: float, scenario: str, eirp: float, fc_ghz: float) -> float:
    """Largest d2D (m) with RSRP − margin ≥ threshold (path loss is monotone in d2D)."""
    site = Sites.build(x=[0.0], y=[0.0], height_m=[height_m], eirp_dbm=[eirp], scenario=scenario)
    lo, hi = 0.0, 20_000.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        pl = float(nlos_pathloss_db(site, np.array([[mid]]), fc_ghz=fc_ghz, hut_m=HUT_M)[0, 0])
        if eirp - pl - MARGIN_DB >= THRESHOLD_DBM:
            lo = mid
        else:
            hi = mid
    return lo


def synthetic_instance(
    size: str = "S", *, seed: int = 0, band: str = "n78", link_gain_db: float = 20.0
) -> Instance:
    """Build the benchmark instance ``size`` (``XS``/``S``/``M``/``L``) from ``seed``."""
    n_sites, side, res = SIZES[size]
    rng = np.random.default_rng(seed)
    b = get_band(band)
    extent = side * res
    types = rng.choice(len(_TYPES), size=n_sites, p=[t[1] for t in _TYPES])
    sx = rng.uniform(0.0, extent, n_sites)
    sy = rng.uniform(0.0, extent, n_sites)
    radius = np.empty(n_sites)
    cost = np.empty(n_sites)
    for k, (name, _, height, c) in enumerate(_TYPES):
        r = _radius_m(
            height, RADIO_BY_TYPE[name].scenario, eirp_dbm(name, b) + link_gain_db, b.fc_ghz
        )
        radius[types == k] = r
        cost[types == k] = c
    # demand: a floor plus a few gaussian cores (people per pixel, arbitrary scale)
    cx = (np.arange(side) + 0.5) * res
    px, py = np.meshgrid(cx, cx)
    px, py = px.ravel(), py.ravel()
    w = np.full(px.size, 0.3)
    for _ in range(6):
        x0, y0 = rng.uniform(0.15, 0.85, 2) * extent
        s = rng.uniform(0.05, 0.15) * extent
        w += rng.uniform(1.0, 4.0) * np.exp(-((px - x0) ** 2 + (py - y0) ** 2) / (2 * s * s))
    w *= (res / 50.0) ** 2
    tree = cKDTree(np.column_stack([px, py]))
    cols: list[npt.NDArray[np.int64]] = []
    rows: list[npt.NDArray[np.int64]] = []
    for j in range(n_sites):
        hit = np.asarray(tree.query_ball_point((sx[j], sy[j]), radius[j]), dtype=np.int64)
        rows.append(hit)
        cols.append(np.full(hit.size, j, np.int64))
    r_all = np.concatenate(rows)
    c_all = np.concatenate(cols)
    a = sp.csr_matrix((np.ones(r_all.size, np.int8), (r_all, c_all)), shape=(px.size, n_sites))
    a.sort_indices()
    keep = np.flatnonzero(np.diff(a.indptr) > 0)
    a = a[keep]
    indptr, indices, weight, row_of = aggregate(
        a.indptr.astype(np.int64), a.indices.astype(np.int32), w[keep]
    )
    problem = CoverProblem(
        indptr=indptr,
        indices=indices,
        weight=weight,
        cost=cost,
        pinned=np.zeros(n_sites, bool),
        excluded=np.zeros(n_sites, bool),
    )
    return Instance(
        problem=problem,
        size=size,
        seed=seed,
        site_x=sx,
        site_y=sy,
        site_type=tuple(_TYPES[t][0] for t in types),
        pixels=int(keep.size),
        pixels_total=int(px.size),
        row_of_pixel=row_of,
    )
