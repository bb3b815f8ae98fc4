"""``benchmarks/site_selection.py`` at the tiny scale: the JSON lines carry every field, the
plans are feasible and the bounds consistent across greedy, HiGHS and ours. Timings are
never asserted."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
FIELDS = {
    "benchmark",
    "scale",
    "instance",
    "rows",
    "cols",
    "nnz",
    "time_limit_s",
    "ours_cost",
    "ours_bound",
    "ours_gap",
    "ours_s",
    "ours_bound_method",
    "greedy_cost",
    "greedy_gap_vs_our_bound",
    "highs_cost",
    "highs_bound",
    "highs_gap",
    "highs_s",
    "highs_gap_vs_our_bound",
    "baseline",
    "baseline_s",
    "gap_ratio_vs_highs",
    "objective_ratio_vs_highs",
    "ratio",
    "goal",
    "goal_met",
    "plans_ok",
    "bounds_ok",
    "peak_rss_mb",
    "machine",
}


@pytest.fixture(scope="module")
def site_bench() -> Any:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import site_selection as bench
    finally:
        sys.path.remove(str(BENCHMARKS))
    return bench


def test_site_selection_json_lines_at_tiny_scale(
    site_bench: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert site_bench.main(["--scale", "tiny"]) == 0
    out = capsys.readouterr().out
    lines = [json.loads(x) for x in out.splitlines() if x.startswith("{")]
    assert [x["benchmark"] for x in lines] == [
        "site_selection_set_cover",
        "site_selection_max_cover",
    ]
    for line in lines:
        assert set(line) >= FIELDS, FIELDS - set(line)
        assert line["plans_ok"] and line["bounds_ok"]
        assert line["scale"] == "tiny"
        assert 0 <= line["ours_gap"] <= 1
        assert line["ratio"] == pytest.approx(line["ours_s"] / line["baseline_s"], rel=0.01)
    sc, mc = lines
    # a certified lower bound never exceeds any plan's cost; an upper bound never falls below
    assert sc["ours_bound"] <= min(sc["ours_cost"], sc["highs_cost"], sc["greedy_cost"]) + 1e-6
    assert (
        mc["ours_bound"]
        >= max(mc["ours_covered"], mc["highs_covered"], mc["greedy_covered"]) - 1e-6
    )
    assert mc["ours_cost"] <= mc["budget"] + 1e-9


def test_site_selection_check_catches_a_wrong_plan(site_bench: Any) -> None:
    """The plan check is not vacuous: a plan whose reported cost or coverage is off fails."""
    from dataclasses import replace

    from zhiguo.operations.planning.instances import synthetic_instance
    from zhiguo.operations.planning.solver import greedy_set_cover

    inst = synthetic_instance("XS")
    plan = greedy_set_cover(inst.problem)
    assert site_bench.check(inst, plan, budget=None)
    assert not site_bench.check(inst, replace(plan, cost=plan.cost - 1), budget=None)
    assert not site_bench.check(inst, replace(plan, chosen=plan.chosen[1:]), budget=None)
    assert not site_bench.check(inst, plan, budget=plan.cost - 1)
