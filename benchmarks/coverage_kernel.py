"""Coverage kernel: best-server RSRP / SINR / server id per pixel (TR 38.901 UMa/UMi NLOS
with the LOS maximum, 2.5 km cut-off) — ours (``zhiguo.operations.coverage``, float64 and
float32) against a literal numpy transcription of the formulas on the same pixel-site pairs
(goal: ≥ 10× its evaluations/s; issue 6, "Numbers").

Both sides evaluate exactly the pairs of one tile plan (each 16 × 16-pixel tile against the
sites within the cut-off of its rectangle, padded to a multiple of 8). The baseline is handed
that plan for free; ours is timed with its bucketing included. The baseline writes the
standard as it reads: hypot/sqrt, log10(d3D) per term, ``where`` on d2D ≤ d'BP, ``maximum``,
10^(RSRP/10), interference = total − best. Sides agree on RSRP (|Δ| within a tolerance),
server ids (identical except ties) and SINR; ours is also printed against the numpy ceiling
estimated in ``shared/domain/radio.md`` (≈ 0.6 G/s float64, ≈ 1.5 G/s float32 on 2 cores).

    .venv/bin/python benchmarks/coverage_kernel.py --scale M   # 5,000 sites, 800,000 pixels
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from zhiguo.operations.coverage import (
    FLOAT32_RSRP_TOL_DB,
    FLOAT32_SINR_TOL_DB,
    CoverageMap,
    Grid,
    Sites,
    TilePlan,
    best_server_map,
    plan_tiles,
)
from zhiguo.operations.radio import SPEED_OF_LIGHT, get_band, thermal_noise_dbm

# scale: (sites, width km, height km); 50 m pixels, 2.5 km cut-off
SCALES = {"tiny": (40, 4.0, 3.0), "S": (1_250, 25.0, 20.0), "M": (5_000, 50.0, 40.0)}
RES_M = 50.0
CUTOFF_M = 2_500.0
HUT_M = 1.5
TILE_PX = 16
F64_TOL_DB = 1e-6  # ours float64 vs literal: rounding only
CEILING = {"float64": 0.6e9, "float32": 1.5e9}  # evaluations/s, radio.md §5.2 (2 cores)
GOAL = 10.0


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class World:
    grid: Grid
    sites: Sites
    fc_ghz: float
    noise_dbm: float


def make_world(scale: str, seed: int = 6) -> World:
    """A deterministic city in EPSG:4547-like coordinates: 60 % rooftops (UMa, 25–45 m,
    stronger), 40 % smart poles (UMi, 6–12 m, 16 dB weaker per RE), uniform over the area."""
    n, w_km, h_km = SCALES[scale]
    rng = np.random.default_rng(seed)
    grid = Grid(500_000.0, 2_490_000.0, int(w_km * 1000 / RES_M), int(h_km * 1000 / RES_M), RES_M)
    pole = rng.random(n) < 0.4
    sites = Sites.build(
        x=grid.x_min + rng.random(n) * w_km * 1000,
        y=grid.y_min + rng.random(n) * h_km * 1000,
        height_m=np.where(pole, rng.uniform(6.0, 12.0, n), rng.uniform(25.0, 45.0, n)),
        eirp_dbm=np.where(pole, 12.0, 28.0) + rng.uniform(0.0, 4.0, n),
        scenario=["UMi" if p else "UMa" for p in pole],
    )
    band = get_band("n78")
    return World(grid, sites, band.fc_ghz, float(thermal_noise_dbm(band.scs_hz, 7.0)))


def chunks(plan: TilePlan, pairs: int = 1 << 18) -> Iterator[np.ndarray]:
    """The same tiles, grouped by candidate count (the baseline's blocks)."""
    lengths = np.array([c.size for c in plan.candidates])
    for k in np.unique(lengths):
        tiles = np.flatnonzero(lengths == k)
        step = max(1, pairs // (plan.tile_px**2 * int(k)))
        for i in range(0, tiles.size, step):
            yield tiles[i : i + step]


def _literal_rsrp(world: World, x: np.ndarray, y: np.ndarray, j: np.ndarray) -> np.ndarray:
    """TR 38.901 Table 7.4.1-1 as written, for pixel centres (x, y) and site ids ``j``
    (broadcast; −1 = no site): RSRP = EIRP − PL_NLOS, −inf beyond the cut-off."""
    s, fc, hut = world.sites, world.fc_ghz, HUT_M
    sx, sy = np.append(s.x, np.inf)[j], np.append(s.y, np.inf)[j]
    hbs = np.append(s.height_m, 30.0)[j]
    eirp = np.append(s.eirp_dbm, 0.0)[j]
    umi = np.append(np.array([sc == "UMi" for sc in s.scenario]), False)[j]
    d2d_raw = np.hypot(x - sx, y - sy)
    d2d = np.maximum(d2d_raw, 10.0)  # validity 10 m ≤ d2D: nearer pixels get the 10 m value
    d3d = np.sqrt(d2d**2 + (hbs - hut) ** 2)
    d_bp = 4.0 * (hbs - 1.0) * (hut - 1.0) * fc * 1e9 / SPEED_OF_LIGHT  # Note 1, hE = 1 m
    # UMa: PL1 = 28.0 + 22 log10(d3D) + 20 log10(fc)
    #      PL2 = 28.0 + 40 log10(d3D) + 20 log10(fc) − 9 log10(d'BP² + (hBS − hUT)²)
    #      PL' = 13.54 + 39.08 log10(d3D) + 20 log10(fc) − 0.6 (hUT − 1.5)
    # UMi: PL1 = 32.4 + 21 log10(d3D) + 20 log10(fc)
    #      PL2 = 32.4 + 40 log10(d3D) + 20 log10(fc) − 9.5 log10(d'BP² + (hBS − hUT)²)
    #      PL' = 35.3 log10(d3D) + 22.4 + 21.3 log10(fc) − 0.3 (hUT − 1.5)
    a1, b1 = np.where(umi, 32.4, 28.0), np.where(umi, 21.0, 22.0)
    k2 = np.where(umi, 9.5, 9.0)
    an, bn = np.where(umi, 22.4, 13.54), np.where(umi, 35.3, 39.08)
    fn, hn = np.where(umi, 21.3, 20.0), np.where(umi, 0.3, 0.6)
    pl1 = a1 + b1 * np.log10(d3d) + 20.0 * np.log10(fc)
    pl2 = (
        a1 + 40.0 * np.log10(d3d) + 20.0 * np.log10(fc) - k2 * np.log10(d_bp**2 + (hbs - hut) ** 2)
    )
    pl_los = np.where(d2d <= d_bp, pl1, pl2)
    pl_nlos = np.maximum(pl_los, an + bn * np.log10(d3d) + fn * np.log10(fc) - hn * (hut - 1.5))
    return np.where(d2d_raw <= CUTOFF_M, eirp - pl_nlos, -np.inf)


def run_baseline(world: World, plan: TilePlan) -> CoverageMap:
    """Literal numpy per pair on the plan's pairs; best server and SINR as in
    ``radio.best_server`` (interference = total − best, in mW)."""
    g, ts = world.grid, plan.tile_px
    gx = np.pad(g.centres_x(), (0, ts))
    gy = np.pad(g.centres_y(), (0, ts))
    rsrp = np.full((g.ny, g.nx), -np.inf)
    server = np.full((g.ny, g.nx), -1, dtype=np.int32)
    sinr = np.full((g.ny, g.nx), -np.inf)
    noise_mw = 10.0 ** (world.noise_dbm / 10.0)
    jj, ii = np.meshgrid(np.arange(ts), np.arange(ts))
    for tiles in chunks(plan):
        cand = np.stack([plan.candidates[t] for t in tiles])  # (T, K)
        x = gx[plan.cols0[tiles][:, None] + jj.ravel()]  # (T, P)
        y = gy[plan.rows0[tiles][:, None] + ii.ravel()]
        r = _literal_rsrp(world, x[:, :, None], y[:, :, None], cand[:, None, :])  # (T, P, K)
        best = np.argmax(r, axis=-1)
        r_best = np.max(r, axis=-1)
        mw = 10.0 ** (r / 10.0)
        best_mw = 10.0 ** (r_best / 10.0)
        others = np.clip(np.sum(mw, axis=-1) - best_mw, 0.0, None)
        with np.errstate(divide="ignore", invalid="ignore"):
            s = 10.0 * np.log10(best_mw / (noise_mw + others))
        ok = np.isfinite(r_best)
        sid = np.where(ok, np.take_along_axis(cand, best, axis=1), -1)
        for n, t in enumerate(tiles):
            r0, c0 = plan.rows0[t], plan.cols0[t]
            h, w = min(ts, g.ny - r0), min(ts, g.nx - c0)
            rsrp[r0 : r0 + h, c0 : c0 + w] = r_best[n].reshape(ts, ts)[:h, :w]
            sinr[r0 : r0 + h, c0 : c0 + w] = np.where(ok[n], s[n], -np.inf).reshape(ts, ts)[:h, :w]
            server[r0 : r0 + h, c0 : c0 + w] = sid[n].reshape(ts, ts)[:h, :w]
    return CoverageMap(rsrp, server, sinr, plan.pairs, plan.in_cutoff_pairs)


def run_ours(world: World, dtype: Any, threads: int | None = None) -> CoverageMap:
    """Ours, bucketing included."""
    plan = plan_tiles(world.grid, world.sites, cutoff_m=CUTOFF_M, tile_px=TILE_PX)
    return best_server_map(
        world.grid,
        world.sites,
        world.fc_ghz,
        hut_m=HUT_M,
        cutoff_m=CUTOFF_M,
        noise_dbm=world.noise_dbm,
        dtype=dtype,
        threads=threads,
        plan=plan,
    )


@dataclass(frozen=True)
class Agreement:
    ok: bool
    max_rsrp_db: float
    max_sinr_db: float
    server_mismatch: int
    ties: int
    covered: int


def compare(
    world: World, ours: CoverageMap, base: CoverageMap, tol_db: float, sinr_tol_db: float
) -> Agreement:
    """RSRP within ``tol_db``, same coverage footprint, server ids identical except ties
    (the baseline's RSRP of our server equals its best within ``tol_db``), SINR within
    ``sinr_tol_db`` where |SINR| ≤ 60 dB."""
    cov_o, cov_b = np.isfinite(ours.rsrp_dbm), np.isfinite(base.rsrp_dbm)
    same_footprint = bool(np.array_equal(cov_o, cov_b))
    d_rsrp = float(np.max(np.abs(ours.rsrp_dbm[cov_b] - base.rsrp_dbm[cov_b]), initial=0.0))
    band = cov_b & (np.abs(base.sinr_db) <= 60.0)
    d_sinr = float(np.max(np.abs(ours.sinr_db[band] - base.sinr_db[band]), initial=0.0))
    diff = np.argwhere(ours.server != base.server)
    ties = 0
    if diff.size:
        r, c = diff[:, 0], diff[:, 1]
        x, y = world.grid.centres_x()[c], world.grid.centres_y()[r]
        theirs_of_ours = _literal_rsrp(world, x, y, ours.server[r, c])
        ties = int(np.count_nonzero(np.abs(theirs_of_ours - base.rsrp_dbm[r, c]) <= tol_db))
    ok = same_footprint and d_rsrp <= tol_db and d_sinr <= sinr_tol_db and ties == len(diff)
    return Agreement(ok, d_rsrp, d_sinr, len(diff), ties, int(cov_b.sum()))


def measure(scale: str, repeat: int, threads: int | None = None) -> dict[str, Any]:
    world = make_world(scale)
    plan = plan_tiles(world.grid, world.sites, cutoff_m=CUTOFF_M, tile_px=TILE_PX, count_pairs=True)
    times: dict[str, list[float]] = {"baseline": [], "float64": [], "float32": []}
    maps: dict[str, CoverageMap] = {}
    for _ in range(repeat):
        for side in times:
            start = time.perf_counter()
            if side == "baseline":
                maps[side] = run_baseline(world, plan)
            else:
                maps[side] = run_ours(world, getattr(np, side), threads)
            times[side].append(time.perf_counter() - start)
            say(f"  {side:9s} {plan.pairs:,} pairs in {times[side][-1]:.3f} s")
    base = maps["baseline"]
    agree = {
        "float64": compare(world, maps["float64"], base, F64_TOL_DB, F64_TOL_DB),
        "float32": compare(world, maps["float32"], base, FLOAT32_RSRP_TOL_DB, FLOAT32_SINR_TOL_DB),
    }
    return {"world": world, "plan": plan, "times": times, "agree": agree, "maps": maps}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=list(SCALES), default="S")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None, help="ours (default: all cores)")
    args = parser.parse_args()
    n, w, h = SCALES[args.scale]
    world_px = int(w * 1000 / RES_M) * int(h * 1000 / RES_M)
    say(
        f"coverage kernel: {n:,} sites, {w * h:,.0f} km² at {RES_M:g} m = {world_px:,} pixels, "
        f"cut-off {CUTOFF_M:g} m, {args.repeat} repetition(s)"
    )
    m = measure(args.scale, args.repeat, args.threads)
    plan: TilePlan = m["plan"]
    say(
        f"  pairs evaluated {plan.pairs:,} (within cut-off {plan.in_cutoff_pairs:,}, "
        f"{plan.in_cutoff_pairs / plan.pairs:.0%})"
    )
    base_s = statistics.median(m["times"]["baseline"])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    failed = False
    for dt in ("float64", "float32"):
        ours_s = statistics.median(m["times"][dt])
        a: Agreement = m["agree"][dt]
        failed |= not a.ok
        ours_eps, base_eps = plan.pairs / ours_s, plan.pairs / base_s
        say(
            f"  {dt}: ours {ours_eps / 1e6:,.0f} M eval/s vs literal {base_eps / 1e6:,.0f} M/s "
            f"= {ours_eps / base_eps:.1f}×; {ours_eps / CEILING[dt]:.0%} of the numpy ceiling "
            f"({CEILING[dt] / 1e9:g} G/s); max |ΔRSRP| {a.max_rsrp_db:.2e} dB, "
            f"|ΔSINR| {a.max_sinr_db:.2e} dB, server ids differ at {a.server_mismatch} "
            f"pixel(s) ({a.ties} ties); {'agree' if a.ok else 'DISAGREE'}"
        )
        print(
            json.dumps(
                {
                    "benchmark": f"coverage_kernel_{dt}",
                    "scale": args.scale,
                    "sites": n,
                    "pixels": world_px,
                    "pairs": plan.pairs,
                    "pairs_within_cutoff": plan.in_cutoff_pairs,
                    "ours_s": round(ours_s, 4),
                    "ours_evals_per_s": round(ours_eps),
                    "baseline": "literal_numpy_same_pairs",
                    "baseline_s": round(base_s, 4),
                    "baseline_evals_per_s": round(base_eps),
                    "ratio": round(ours_s / base_s, 4),
                    "speedup": round(base_s / ours_s, 2),
                    "goal": f"<= {1 / GOAL:g} (>= {GOAL:g}x the literal evaluations/s; ratio = "
                    "ours ÷ baseline time, lower is better)",
                    "ceiling_evals_per_s": CEILING[dt],
                    "of_ceiling": round(ours_eps / CEILING[dt], 3),
                    "agree": a.ok,
                    "max_abs_drsrp_db": a.max_rsrp_db,
                    "max_abs_dsinr_db": a.max_sinr_db,
                    "server_mismatch": a.server_mismatch,
                    "server_ties": a.ties,
                    "peak_rss_mb": round(peak),
                    "machine": f"{os.cpu_count()} cores",
                }
            )
        )
    if failed or not math.isfinite(base_s):
        sys.exit("coverage kernel: the two sides disagree")


if __name__ == "__main__":
    main()
