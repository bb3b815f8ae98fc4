"""``benchmarks/audit_chain.py`` at a tiny scale: both sides write the same rows, and ours
forms a chain that verifies."""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import text

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def test_audit_chain_sides_agree_at_tiny_scale(tmp_path: Path) -> None:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import audit_chain as bench
    finally:
        sys.path.remove(str(BENCHMARKS))
    from zhiguo.security.audit import seal, verify_log

    settings, engine = bench.fresh(None, tmp_path / "ws")
    try:
        n = 2_500
        assert bench.run_baseline(engine, n) > 0
        assert bench.run_ours(engine, n) > 0
        cols = "seq, at, user_id, username, org, client_addr, event_type, object, result, detail"
        with engine.connect() as conn:
            ours = conn.execute(text(f"SELECT {cols} FROM audit_log ORDER BY seq")).all()
            theirs = conn.execute(text(f"SELECT {cols} FROM audit_log_plain ORDER BY seq")).all()
        assert len(ours) == n and ours == theirs
        assert seal(engine, settings) is not None
        report = verify_log(engine, settings)
        assert report.ok and report.records == n and report.heads_checked == 1
    finally:
        engine.dispose()
