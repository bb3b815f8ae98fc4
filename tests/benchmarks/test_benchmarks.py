"""Each benchmark runs once at a small scale: both sides must agree and the JSON lines must
carry what BENCHMARKS.md asks for. Timings are printed by the scripts, never asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

SCRIPTS = sorted((Path(__file__).resolve().parents[2] / "benchmarks").glob("*.py"))


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_benchmark_runs_and_reports(script: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(script), "--scale", "S", "--repeat", "1"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [json.loads(x) for x in result.stdout.splitlines() if x.startswith("{")]
    assert lines
    for line in lines:
        for key in ("benchmark", "scale", "ours_s", "baseline", "baseline_s", "ratio", "goal"):
            assert key in line, key
        assert line["ratio"] == pytest.approx(
            line["ours_s"] / line["baseline_s"], rel=0.01, abs=0.002
        )


# -- supervision: the recompute's three sides agree, the alert run writes what it reports ---
BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def supervision_bench(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The recompute script as a module, with its tiny workspace (1,500 entities × 3 months)
    built in a temporary cache."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import supervision_recompute as bench
    finally:
        sys.path.remove(str(BENCHMARKS))
    ws = bench.prepare_workspace("tiny", cache=tmp_path_factory.mktemp("bench-cache"))
    return bench, ws


def test_supervision_recompute_sides_agree_at_tiny_scale(supervision_bench: Any) -> None:
    bench, ws = supervision_bench
    times, info = bench.measure(ws, repeat=1)
    assert len(info["periods"]) == 3
    agreement = info["agreement"]
    assert set(agreement) == {"duckdb_sql", "pandas", "incremental"}
    for name, result in agreement.items():
        assert result.ok, (name, result.examples)
    # every value of every level was compared, not a sample
    assert agreement["duckdb_sql"].compared == agreement["pandas"].compared == info["rows"]
    assert 0 < agreement["incremental"].compared < info["rows"]
    for side in ("ours", "duck", "pandas", "incr"):
        assert len(times[side]) == 1 and times[side][0] > 0


def test_supervision_recompute_comparison_catches_a_difference(supervision_bench: Any) -> None:
    """The agreement check is not vacuous: one value off by 1e-6, or one row missing, fails."""
    import pyarrow as pa
    import pyarrow.compute as pc

    bench, ws = supervision_bench
    ours = bench.run_ours(ws, [bench.prepare_inputs(ws).periods[-1]]).rows
    _prep, _sql, wide = bench.run_duckdb(ws)
    wide = wide.filter(pc.equal(wide["period"], ours["period"][0]))
    assert bench.compare(ours, wide).ok
    values = ours["value"].to_pylist()
    biggest = max(range(len(values)), key=lambda i: abs(values[i] or 0.0))
    values[biggest] *= 1 + 1e-6
    nudged = ours.set_column(
        ours.schema.get_field_index("value"), "value", pa.array(values, pa.float64())
    )
    result = bench.compare(nudged, wide)
    assert (result.mismatched, result.only_ours, result.only_theirs) == (1, 0, 0)
    missing = bench.compare(ours.slice(1), wide)
    assert (missing.mismatched, missing.only_ours, missing.only_theirs) == (0, 0, 1)


def test_supervision_alerts_run_at_tiny_scale(supervision_bench: Any) -> None:
    _bench, ws = supervision_bench
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import supervision_alerts as alerts
    finally:
        sys.path.remove(str(BENCHMARKS))
    alerts.ensure_indicators(ws)
    period = alerts.last_period(ws)
    assert period == "2026-10"
    assert alerts.indicator_rows(ws, period) > 0
    first = alerts.run_once(ws, period)
    assert first.summary.candidates > 0
    assert first.alerts_flushed == first.summary.total("raised") == first.summary.candidates
    assert first.events_flushed >= first.alerts_flushed
    again = alerts.run_once(ws, period)  # rolled back: the second run starts from scratch
    assert again.alerts_flushed == first.alerts_flushed
