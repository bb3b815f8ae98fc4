"""The scope choke-point benchmark at tiny scale: each side agrees with its baseline (the
group through the choke point = the same rows filtered by hand; the regulator through the
choke point = the unscoped query), and the choke point wrote its read audit."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def chokepoint_bench(tmp_path_factory: pytest.TempPathFactory) -> Any:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import scope_chokepoint as bench
    finally:
        sys.path.remove(str(BENCHMARKS))
    ws = bench.recompute.prepare_workspace("tiny", cache=tmp_path_factory.mktemp("bench-cache"))
    return bench, bench.prepare(ws)


def test_scope_chokepoint_sides_agree_at_tiny_scale(chokepoint_bench: Any) -> None:
    bench, fx = chokepoint_bench
    times, info = bench.measure(fx, repeat=1)
    assert info["group_ok"] and info["regulator_ok"]
    assert info["group_entities"] > 0 and info["rows"]["group"] < info["rows"]["all"]
    assert all(len(v) == 1 for v in times.values())
    from zhiguo.security.audit import AuditRecord

    with fx.sessionmaker() as session:
        reads = session.scalars(
            select(AuditRecord).where(AuditRecord.event_type == "data.read")
        ).all()
    assert {r.object for r in reads} == {"flash_report"}
    assert {r.username for r in reads} == {"bench-leader", "bench-regulator"}
