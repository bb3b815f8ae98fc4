"""The coverage kernel: best-server RSRP, SINR and server id per pixel of a raster.

For every pixel and every site within ``cutoff_m`` (2-D distance) it evaluates the TR 38.901
NLOS path loss of the site's scenario (UMa or UMi-Street Canyon, Table 7.4.1-1, with the LOS
maximum ``max(PL_LOS, PL'_NLOS)``), subtracts it from the site's per-RE EIRP and keeps the
strongest site; SINR is the best site's power over noise plus the *linear* sum of every other
site within the cutoff.

Why it is faster than a literal numpy transcription on the same pairs (measured 5–8× on a
busy 2-core machine, see README.md):

- **Bucketing.** The raster is cut into square tiles; each tile meets only the sites whose
  distance to the tile rectangle is within the cutoff (a grid of site buckets finds them).
- **One log per pair, no sqrt.** With ``L = log10(d3D²)``, ``log10(d3D) = L/2``, and every
  branch of Table 7.4.1-1 is a line in ``L``. PL1 and PL2 cross exactly at the breakpoint
  (``PL2 − PL1 = 9·(L − log10(d'BP² + Δh²))`` for UMa, 9.5·(…) for UMi), so
  ``PL_LOS = max(PL1, PL2)`` and the NLOS loss is the maximum of three lines — no ``where``.
- **Per-site constants.** EIRP, frequency and height terms are folded into one intercept per
  line and site, scaled by ln(10)/10 so that ``exp`` of the result is the power in mW.
  A line that lies above another by a margin over the site's whole distance range (10 m to
  the cut-off) can never be the maximum loss and is not evaluated: for the usual heights
  only PL'NLOS survives, two passes instead of eight, bit-identical results.
- **Cut-off without masks or infinities.** Beyond the cut-off d3D² is divided by 1e-28 (a
  0/1 comparison, floored): the pair stays finite (numpy's log/exp take slow paths on inf
  and underflow), can never be the best server and adds < 1e-40 mW of interference.
- **Separable distances.** A tile is a grid: d3D² = (dx² per column) + (dy² + Δh² per row).
- **Blocks in cache, in place.** Tiles of equal (padded) candidate count are evaluated together
  in chunks of about ``chunk_pairs`` pairs into preallocated buffers (``out=``), on
  ``threads`` worker threads (numpy releases the GIL).
- **float32 option.** Coordinates are differenced in float64 and only the local offsets are
  cast, so float32 loses nothing to large projected coordinates; the bound is
  :data:`FLOAT32_RSRP_TOL_DB`.

Results do not depend on ``chunk_pairs`` or ``threads`` (bit for bit): a tile's candidate list
is padded to a multiple of 8 and only tiles of the same padded length share a chunk.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from zhiguo.operations.radio import SPEED_OF_LIGHT, Band, OutOfRange, thermal_noise_dbm

__all__ = [
    "FLOAT32_RSRP_TOL_DB",
    "FLOAT32_SINR_TOL_DB",
    "CoverageMap",
    "Grid",
    "SiteConstants",
    "Sites",
    "TilePlan",
    "best_server_map",
    "nlos_pathloss_db",
    "plan_tiles",
    "site_constants",
]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

#: float32 vs float64: max |ΔRSRP| (measured 2.3e-5 dB at city scale; bound with margin).
FLOAT32_RSRP_TOL_DB = 1e-3
#: float32 vs float64: max |ΔSINR| where |SINR| ≤ 60 dB (interference summed without the
#: best site, so no cancellation; measured 4.4e-4 dB at city scale).
FLOAT32_SINR_TOL_DB = 1e-2

_S = math.log(10.0) / 10.0  # dB → natural-log units of mW: mW = exp(_S · dBm)
_MIN_D2D = 10.0  # TR 38.901 Table 7.4.1-1: 10 m ≤ d2D; nearer pixels get the 10 m value
_PAD = 8  # candidate lists padded to a multiple of this
_BEYOND = 1e-28  # d3D² beyond the cut-off is divided by this: L ≥ 30
_L_BEYOND = 20.0  # L above this means "beyond the cut-off" (in range L ≤ log10(2.5e7 + …) < 8)
_EIRP = (-50.0, 80.0)  # dBm per RE: keeps in-range RSRP > −250 dBm, beyond-cut-off u < −100


@dataclass(frozen=True)
class Grid:
    """A raster in a projected metric CRS: ``nx × ny`` square pixels of ``resolution_m``,
    the lower-left corner at (``x_min``, ``y_min``). Pixel (row, col) has its centre at
    ``(x_min + (col + 0.5)·res, y_min + (row + 0.5)·res)``: row 0 is the southernmost."""

    x_min: float
    y_min: float
    nx: int
    ny: int
    resolution_m: float

    def __post_init__(self) -> None:
        if self.nx < 1 or self.ny < 1 or not self.resolution_m > 0:
            raise OutOfRange("grid", float(min(self.nx, self.ny)), 1, math.inf, unit="px")

    def centres_x(self) -> F64:
        return self.x_min + (np.arange(self.nx, dtype=np.float64) + 0.5) * self.resolution_m

    def centres_y(self) -> F64:
        return self.y_min + (np.arange(self.ny, dtype=np.float64) + 0.5) * self.resolution_m


@dataclass(frozen=True)
class Sites:
    """Sites in the grid's CRS: position (m), antenna height (m), per-RE EIRP towards the
    user (dBm: EPRE + antenna gain − feeder loss, with any UE-side gains and losses folded in
    — ``LinkBudget(band).rsrp_at(0.0)`` gives it) and scenario per site (``"UMa"`` rooftops
    and towers, ``"UMi"`` smart poles)."""

    x: F64
    y: F64
    height_m: F64
    eirp_dbm: F64
    scenario: tuple[str, ...]

    @classmethod
    def build(
        cls,
        *,
        x: npt.ArrayLike,
        y: npt.ArrayLike,
        height_m: npt.ArrayLike,
        eirp_dbm: npt.ArrayLike,
        scenario: str | Sequence[str] = "UMa",
    ) -> Sites:
        xs = np.asarray(x, dtype=np.float64).ravel()
        n = xs.size
        arrays = [
            np.broadcast_to(np.asarray(v, np.float64), (n,)).copy() for v in (y, height_m, eirp_dbm)
        ]
        names = (scenario,) * n if isinstance(scenario, str) else tuple(scenario)
        if len(names) != n:
            raise OutOfRange("scenario", len(names), n, n, unit="sites")
        canon = tuple(_canonical(s) for s in names)
        return cls(xs, arrays[0], arrays[1], arrays[2], canon)

    def __len__(self) -> int:
        return int(self.x.size)


def _canonical(name: str) -> str:
    key = name.strip().upper()
    if key == "UMA":
        return "UMa"
    if key in ("UMI", "UMI-SC", "UMI-STREET-CANYON"):
        return "UMi"
    raise OutOfRange("scenario", math.nan, 0, 0, context=f"{name!r}: UMa or UMi")


@dataclass(frozen=True)
class SiteConstants:
    """Per site, the path loss ``PL = max_i(a_i + b_i·L)`` with ``L = log10(d3D²)``, the
    squared height difference and the validity/cut-off limits on d2D²."""

    a: F64  # (3, n): intercepts of PL1, PL2, PL'NLOS (dB)
    b: F64  # (3, n): slopes per unit of L = log10(d3D²) (dB)
    dh2: F64  # (n,): (hBS − hUT)²


def site_constants(sites: Sites, *, fc_ghz: float, hut_m: float) -> SiteConstants:
    """Fold Table 7.4.1-1 into three lines per site. ``hE = 1 m`` (UMi always; UMa for
    hUT < 13 m, where Note 1 is deterministic)."""
    if not 0.5 <= fc_ghz <= 100.0:
        raise OutOfRange("fc", fc_ghz, 0.5, 100.0, unit="GHz", context="UMa/UMi")
    if not 1.5 <= hut_m < 13.0:
        raise OutOfRange("hut", hut_m, 1.5, 13.0, context="coverage kernel (hE = 1 m)")
    hbs = sites.height_m
    if np.any(hbs <= hut_m) or np.any(hbs > 150.0):
        bad = float(hbs[(hbs <= hut_m) | (hbs > 150.0)][0])
        raise OutOfRange("hbs", bad, hut_m, 150.0, context="coverage kernel (hBS > hUT)")
    e = sites.eirp_dbm
    if np.any((e < _EIRP[0]) | (e > _EIRP[1]) | ~np.isfinite(e)):
        bad = float(e[(e < _EIRP[0]) | (e > _EIRP[1]) | ~np.isfinite(e)][0])
        raise OutOfRange("eirp", bad, _EIRP[0], _EIRP[1], unit="dBm", context="per RE")
    umi = np.array([s == "UMi" for s in sites.scenario], dtype=np.bool_)
    lg_f = math.log10(fc_ghz)
    dh2 = (hbs - hut_m) ** 2
    # d'BP = 4 (hBS − hE)(hUT − hE) fc[Hz] / c, hE = 1 m (Note 1)
    dbp = 4.0 * (hbs - 1.0) * (hut_m - 1.0) * fc_ghz * 1e9 / SPEED_OF_LIGHT
    lg_bp = np.log10(dbp**2 + dh2)
    # UMa PL1 = 28.0 + 22 log10(d3D) + 20 log10(fc); UMi PL1 = 32.4 + 21 log10(d3D) + 20 log10(fc)
    a1 = np.where(umi, 32.4, 28.0) + 20.0 * lg_f
    b1 = np.where(umi, 21.0, 22.0) / 2.0
    # PL2 = PL1 constant + 40 log10(d3D) − 9 (UMi 9.5) log10(d'BP² + (hBS − hUT)²)
    a2 = a1 - np.where(umi, 9.5, 9.0) * lg_bp
    b2 = np.full_like(b1, 40.0 / 2.0)
    # UMa PL' = 13.54 + 39.08 log10(d3D) + 20 log10(fc) − 0.6 (hUT − 1.5)
    # UMi PL' = 22.4 + 35.3 log10(d3D) + 21.3 log10(fc) − 0.3 (hUT − 1.5)
    a3 = np.where(
        umi, 22.4 + 21.3 * lg_f - 0.3 * (hut_m - 1.5), 13.54 + 20.0 * lg_f - 0.6 * (hut_m - 1.5)
    )
    b3 = np.where(umi, 35.3, 39.08) / 2.0
    return SiteConstants(np.stack([a1, a2, a3]), np.stack([b1, b2, b3]), dh2)


def nlos_pathloss_db(sites: Sites, d2d: npt.ArrayLike, *, fc_ghz: float, hut_m: float = 1.5) -> F64:
    """The kernel's path loss for ``d2d`` (sites on the last axis), the same arithmetic the
    raster uses: max of the three lines in log10(d3D²); d2D below 10 m is taken as 10 m."""
    k = site_constants(sites, fc_ghz=fc_ghz, hut_m=hut_m)
    d = np.maximum(np.asarray(d2d, dtype=np.float64), _MIN_D2D)
    lg = np.log10(d * d + k.dh2)
    shape = (3,) + (1,) * (lg.ndim - 1) + (len(sites),)
    lines = k.a.reshape(shape) + k.b.reshape(shape) * lg[None]
    return np.asarray(np.max(lines, axis=0), np.float64)


@dataclass(frozen=True)
class TilePlan:
    """Which sites each tile meets: tile (row, col) origins in pixels and, per tile, the
    ascending ids of the sites within the cutoff of the tile rectangle, padded with −1 to a
    multiple of 8; tiles grouped by padded length (what a chunk may mix)."""

    tile_px: int
    rows0: I64
    cols0: I64
    candidates: list[I64]  # per tile, padded site ids
    in_cutoff_pairs: int  # pairs with d2D ≤ cutoff (the useful work); 0 unless counted

    @property
    def pairs(self) -> int:
        """Pixel-site pairs evaluated, padding included."""
        return sum(c.size for c in self.candidates) * self.tile_px * self.tile_px


def plan_tiles(
    grid: Grid, sites: Sites, *, cutoff_m: float, tile_px: int = 16, count_pairs: bool = False
) -> TilePlan:
    """Bucket the sites into cells of one tile and give each tile its candidate sites.
    ``count_pairs`` also counts the pairs within the cut-off (a full pass: for reports)."""
    ts, res = int(tile_px), grid.resolution_m
    n_tr, n_tc = -(-grid.ny // ts), -(-grid.nx // ts)
    # each site's bucket (tile cell) and the (2·reach + 1)² cells around it
    reach = math.ceil(cutoff_m / (ts * res))
    offs = np.arange(-reach, reach + 1)
    ci = np.floor((sites.x - grid.x_min) / (ts * res)).astype(np.int64)
    cj = np.floor((sites.y - grid.y_min) / (ts * res)).astype(np.int64)
    shape = (len(sites), offs.size, offs.size)
    tc = np.broadcast_to(ci[:, None, None] + offs[None, None, :], shape).ravel()
    tr = np.broadcast_to(cj[:, None, None] + offs[None, :, None], shape).ravel()
    site = np.broadcast_to(np.arange(len(sites))[:, None, None], shape).ravel()
    ok = (tc >= 0) & (tc < n_tc) & (tr >= 0) & (tr < n_tr)
    tc, tr, site = tc[ok], tr[ok], site[ok]
    # distance from the site to the tile rectangle spanned by its pixel centres
    x0 = grid.x_min + (tc * ts + 0.5) * res
    x1 = grid.x_min + (np.minimum((tc + 1) * ts, grid.nx) - 0.5) * res
    y0 = grid.y_min + (tr * ts + 0.5) * res
    y1 = grid.y_min + (np.minimum((tr + 1) * ts, grid.ny) - 0.5) * res
    sx, sy = sites.x[site], sites.y[site]
    ex = np.maximum(np.maximum(x0 - sx, sx - x1), 0.0)
    ey = np.maximum(np.maximum(y0 - sy, sy - y1), 0.0)
    near = ex * ex + ey * ey <= cutoff_m * cutoff_m
    tile, site = (tr * n_tc + tc)[near], site[near]
    order = np.argsort(tile, kind="stable")  # by tile; sites stay ascending (stable)
    tile, site = tile[order], site[order]
    tiles, counts = np.unique(tile, return_counts=True)
    padded = -(-counts // _PAD) * _PAD
    first = np.cumsum(padded) - padded
    rank = np.arange(site.size) - np.repeat(np.cumsum(counts) - counts, counts)
    flat = np.full(int(padded.sum()), -1, dtype=np.int64)
    flat[np.repeat(first, counts) + rank] = site
    cands = np.split(flat, np.cumsum(padded)[:-1]) if tiles.size else []
    rows0, cols0 = (tiles // n_tc) * ts, (tiles % n_tc) * ts
    useful = 0
    if count_pairs:
        px, py = grid.centres_x(), grid.centres_y()
        for r0, c0, cand in zip(rows0, cols0, cands, strict=True):
            ids = cand[cand >= 0]
            dx = px[c0 : c0 + ts, None] - sites.x[ids]
            dy = py[r0 : r0 + ts, None] - sites.y[ids]
            useful += int(np.count_nonzero(dy[:, None, :] ** 2 + dx[None] ** 2 <= cutoff_m**2))
    return TilePlan(ts, rows0.astype(np.int64), cols0.astype(np.int64), cands, useful)


@dataclass(frozen=True)
class CoverageMap:
    """Kernel output, arrays of the grid's shape (ny, nx): best-server RSRP (dBm, −inf where
    no site is within the cutoff), its site id (−1 there) and SINR (dB, −inf there)."""

    rsrp_dbm: F64
    server: npt.NDArray[np.int32]
    sinr_db: F64
    pairs: int  # pixel-site pairs evaluated (padding included)
    in_cutoff_pairs: int


def _live_lines(c: F64, m: F64, l_lo: F64, l_hi: F64) -> npt.NDArray[np.bool_]:
    """(3, n): whether line i of a site can be the minimum anywhere on its L range
    [log10(d3D² at 10 m), log10(d3D² at the cut-off)]. A line above another one by more than
    a margin at both ends (lines: everywhere between) never wins the minimum — skipping it
    changes no bit. Typically only PL'NLOS survives: 2 passes instead of 8."""
    u_lo = c - m * l_lo  # (3, n)
    u_hi = c - m * l_hi
    margin = 1e-6 * (1.0 + np.abs(u_lo) + np.abs(u_hi))
    live = np.ones(c.shape, dtype=np.bool_)
    for i in range(3):
        for j in range(3):
            if i != j:
                above = (u_lo[i] > u_lo[j] + margin[i]) & (u_hi[i] > u_hi[j] + margin[i])
                live[i] &= ~(above & live[j])
    return live


def _chunks(plan: TilePlan, chunk_pairs: int) -> Iterator[npt.NDArray[np.intp]]:
    """Tile indices per chunk: equal padded length only, ≈ chunk_pairs pairs each."""
    lengths = np.array([c.size for c in plan.candidates], dtype=np.int64)
    per_tile = plan.tile_px * plan.tile_px
    for k in np.unique(lengths):
        tiles = np.flatnonzero(lengths == k)
        step = max(1, chunk_pairs // (per_tile * int(k)))
        for i in range(0, tiles.size, step):
            yield tiles[i : i + step]


def best_server_map(
    grid: Grid,
    sites: Sites,
    band: Band | float,
    *,
    hut_m: float = 1.5,
    cutoff_m: float = 2500.0,
    noise_dbm: float | None = None,
    noise_figure_db: float = 7.0,
    load: float = 1.0,
    dtype: type[np.floating[Any]] = np.float64,
    tile_px: int = 16,
    chunk_pairs: int = 1 << 18,
    threads: int | None = None,
    plan: TilePlan | None = None,
) -> CoverageMap:
    """Best-server RSRP, server id and SINR for every pixel of ``grid``.

    ``band`` gives fc (a :class:`Band` or fc in GHz). Noise per RE defaults to
    −174 dBm/Hz + 10 log10(SCS) + NF (the band's SCS; 30 kHz for a bare fc). ``load`` scales
    the interference (1 = fully loaded). Ties in RSRP go to the lowest site id."""
    fc = band.fc_ghz if isinstance(band, Band) else float(band)
    if noise_dbm is None:
        scs = band.scs_hz if isinstance(band, Band) else 30e3
        noise_dbm = float(thermal_noise_dbm(scs, noise_figure_db))
    if not 0.0 < cutoff_m <= 5000.0:
        raise OutOfRange("cutoff", cutoff_m, 0.0, 5000.0, context="UMa/UMi d2D ≤ 5 km")
    dt = np.dtype(dtype)
    k = site_constants(sites, fc_ghz=fc, hut_m=hut_m)
    if plan is None:
        plan = plan_tiles(grid, sites, cutoff_m=cutoff_m, tile_px=tile_px)
    ts = plan.tile_px
    n = len(sites)
    # per-site line intercepts/slopes in ln-mW units: u = c − m·L, mW = exp(u); pad = −inf
    c = np.full((3, n + 1), -150.0)  # padding: u = −150 (< −100), exp(u) ≈ 7e-66 mW
    c[:, :n] = _S * (sites.eirp_dbm[None, :] - k.a)
    m = np.zeros((3, n + 1))
    m[:, :n] = _S * k.b
    # nearest-pixel clamp (d2D ≥ 10 m) and cut-off, both on d3D²
    lo = np.append(_MIN_D2D**2 + k.dh2, 1.0)
    hi = np.append(cutoff_m**2 + k.dh2, 1e30)
    sx, sy, dh2 = np.append(sites.x, 0.0), np.append(sites.y, 0.0), np.append(k.dh2, 0.0)
    live = _live_lines(c, m, np.log10(lo), np.log10(hi))
    live[:, n] = False  # padding: any evaluated line gives it u = −150
    # per site, in the working dtype: 3 intercepts, 3 slopes, clamp and cut-off thresholds
    coef = np.vstack([c, m, lo[None], hi[None]]).astype(dt)  # (8, n + 1)
    # pixel centres continued past the edge: border tiles run over it (cropped at the end)
    gx = grid.x_min + (np.arange(grid.nx + ts) + 0.5) * grid.resolution_m
    gy = grid.y_min + (np.arange(grid.ny + ts) + 0.5) * grid.resolution_m
    n_tr, n_tc = -(-grid.ny // ts), -(-grid.nx // ts)
    full = (n_tr, ts, n_tc, ts)  # tile (tr, tc) is [tr, :, tc, :]
    rsrp = np.full(full, -np.inf)
    server = np.full(full, -1, dtype=np.int32)
    sinr = np.full(full, -np.inf)
    noise_mw = 10.0 ** (noise_dbm / 10.0)
    chunks = list(_chunks(plan, chunk_pairs))
    biggest = max((t.size * plan.candidates[t[0]].size for t in chunks), default=0) * ts * ts
    span = np.arange(ts)

    def work(mine: list[npt.NDArray[np.intp]]) -> None:
        buf = [np.empty(biggest, dtype=dt) for _ in range(3)]
        for tiles in mine:
            cand = np.stack([plan.candidates[t] for t in tiles])  # (T, K), −1 = pad
            T, K = cand.shape
            shape = (T, ts, ts, K)
            size = T * ts * ts * K
            d2, t1, u = (b[:size].reshape(shape) for b in buf)
            r0, c0 = plan.rows0[tiles], plan.cols0[tiles]
            per_site = coef[:, cand][:, :, None, None, :]  # (8, T, 1, 1, K)
            # local offsets in float64, cast after: float32 sees metres, not 3e6 m northings
            dx2 = (gx[c0[:, None] + span][:, :, None] - sx[cand][:, None, :]) ** 2
            dy2h = (gy[r0[:, None] + span][:, :, None] - sy[cand][:, None, :]) ** 2
            dy2h += dh2[cand][:, None, :]
            np.add(dy2h.astype(dt)[:, :, None, :], dx2.astype(dt)[:, None, :, :], out=d2)
            np.maximum(d2, per_site[6], out=d2)  # d2D ≥ 10 m
            # beyond the cut-off d3D² → d3D² / 1e-28: finite (inf and underflow take numpy's
            # slow paths), far enough that those pairs never win and add < 1e-40 mW each
            np.less_equal(d2, per_site[7], out=t1)
            np.maximum(t1, _BEYOND, out=t1)
            np.divide(d2, t1, out=d2)
            np.log10(d2, out=d2)  # L = log10(d3D²)
            lines = np.flatnonzero(live[:, cand].any(axis=(1, 2)))
            for n_line, i in enumerate(lines):  # u = min_i(c_i − m_i·L): RSRP in ln-mW
                dst = u if n_line == 0 else t1
                np.multiply(d2, per_site[3 + i], out=dst)
                np.subtract(per_site[i], dst, out=dst)
                if n_line:
                    np.minimum(u, t1, out=u)
            flat = u.reshape(-1)
            best = np.argmax(u.reshape(-1, K), axis=1)
            at = np.arange(best.size) * K + best  # flat index of each pixel's best pair
            ubest = flat[at].astype(np.float64)
            lbest = d2.reshape(-1)[at]
            np.exp(flat, out=flat)  # received power in mW
            pbest = flat[at].astype(np.float64)
            flat[at] = 0.0  # interference: every site but the best
            interf = u.reshape(-1, K).sum(axis=1).astype(np.float64)
            sid = cand.reshape(-1)[np.repeat(np.arange(T) * K, ts * ts) + best]
            covered = (lbest < _L_BEYOND) & (sid >= 0)
            with np.errstate(divide="ignore"):
                s_db = np.where(
                    covered, 10.0 * np.log10(pbest / (noise_mw + load * interf)), -np.inf
                )
            tr, tc = r0 // ts, c0 // ts
            rsrp[tr, :, tc, :] = np.where(covered, ubest / _S, -np.inf).reshape(T, ts, ts)
            sinr[tr, :, tc, :] = s_db.reshape(T, ts, ts)
            server[tr, :, tc, :] = np.where(covered, sid, -1).reshape(T, ts, ts)

    workers = max(1, min(threads or os.cpu_count() or 1, len(chunks) or 1))
    if workers == 1:
        work(chunks)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for f in [pool.submit(work, chunks[w::workers]) for w in range(workers)]:
                f.result()
    ny, nx = grid.ny, grid.nx
    return CoverageMap(
        np.ascontiguousarray(rsrp.reshape(n_tr * ts, n_tc * ts)[:ny, :nx]),
        np.ascontiguousarray(server.reshape(n_tr * ts, n_tc * ts)[:ny, :nx]),
        np.ascontiguousarray(sinr.reshape(n_tr * ts, n_tc * ts)[:ny, :nx]),
        plan.pairs,
        plan.in_cutoff_pairs,
    )
