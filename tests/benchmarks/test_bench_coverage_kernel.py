"""``benchmarks/coverage_kernel.py`` at the tiny scale: the literal transcription and ours
(float64 and float32) agree on the same pixel-site pairs. Timings are never asserted."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def coverage_bench() -> Any:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import coverage_kernel as bench
    finally:
        sys.path.remove(str(BENCHMARKS))
    return bench


def test_coverage_kernel_sides_agree_at_tiny_scale(coverage_bench: Any) -> None:
    bench = coverage_bench
    m = bench.measure("tiny", repeat=1, threads=2)
    plan = m["plan"]
    assert plan.pairs >= plan.in_cutoff_pairs > 0
    for dt in ("float64", "float32"):
        a = m["agree"][dt]
        assert a.ok, (dt, a)
        assert a.covered > 0
    assert m["agree"]["float64"].max_rsrp_db <= bench.F64_TOL_DB
    base = m["maps"]["baseline"]
    assert np.array_equal(m["maps"]["float64"].server, base.server)
    for side in ("baseline", "float64", "float32"):
        assert len(m["times"][side]) == 1 and m["times"][side][0] > 0


def test_coverage_kernel_comparison_catches_a_difference(coverage_bench: Any) -> None:
    """The agreement check is not vacuous: one RSRP off by 0.01 dB or one server id
    swapped for a weaker site fails it."""
    from dataclasses import replace

    bench = coverage_bench
    world = bench.make_world("tiny")
    ours = bench.run_ours(world, np.float64, threads=1)
    plan = bench.plan_tiles(world.grid, world.sites, cutoff_m=bench.CUTOFF_M, tile_px=16)
    base = bench.run_baseline(world, plan)
    assert bench.compare(world, ours, base, bench.F64_TOL_DB, bench.F64_TOL_DB).ok
    r, c = np.argwhere(ours.server >= 0)[0]
    bumped = ours.rsrp_dbm.copy()
    bumped[r, c] += 0.01
    assert not bench.compare(world, replace(ours, rsrp_dbm=bumped), base, 1e-6, 1e-6).ok
    swapped = ours.server.copy()
    swapped[r, c] = (swapped[r, c] + 1) % len(world.sites)
    assert not bench.compare(world, replace(ours, server=swapped), base, 1e-6, 1e-6).ok
