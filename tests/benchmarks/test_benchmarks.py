"""Each benchmark runs once at a small scale: both sides must agree and the JSON lines must
carry what BENCHMARKS.md asks for. Timings are printed by the scripts, never asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
