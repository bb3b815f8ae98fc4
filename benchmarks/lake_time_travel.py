"""Time travel: reading the flash-report table as of an old version against reading the
latest one, through the engine (DuckDB over the Delta snapshot's Arrow dataset).

The table gets one commit per month of demo reports, then a run of corrections (each
replaces one enterprise's report for one month, as a resubmission does), so the old and the
latest versions hold the same number of rows and only the history differs. Each side runs
the same aggregate (per period and item: count, sum) several times, interleaved; both must
give the same row counts. ratio = old ÷ latest (lower is better; goal ≤ 1.2).

    .venv/bin/python benchmarks/lake_time_travel.py --scale M --repeat 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from zhiguo.datacenter.engine import DuckDBEngine
from zhiguo.datacenter.flashreport import FLASH_REPORT
from zhiguo.datacenter.lake import LakeTable
from zhiguo.demo import generate_world
from zhiguo.demo.reports import generate_flash_reports

SCALES = {"S": (2, 10), "M": (12, 50), "L": (36, 200)}  # (months, corrections)
QUERY = """
    SELECT period, item_code, count(*) AS n, sum(value) AS total
    FROM flash_report GROUP BY period, item_code ORDER BY period, item_code
"""


def _stamp(facts: pa.Table, ids: dict[str, int], batch: str) -> pa.Table:
    n = facts.num_rows
    eid = pa.array([ids[u] for u in facts["uscc"].to_pylist()], pa.int64())
    return (
        facts.append_column("enterprise_id", eid)
        .append_column("unit_declared", pa.repeat(pa.scalar("yuan"), n))
        .append_column("batch_id", pa.repeat(pa.scalar(batch), n))
        .append_column(
            "submitted_at", pa.repeat(pa.scalar(datetime.now(UTC), pa.timestamp("us", "UTC")), n)
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="S")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    months, corrections = SCALES[args.scale]
    world = generate_world("S")
    ids = {e.uscc: i + 1 for i, e in enumerate(world.enterprises)}
    reports = generate_flash_reports(world, months=months)
    engine = DuckDBEngine()
    with tempfile.TemporaryDirectory() as tmp:
        table = LakeTable(Path(tmp), FLASH_REPORT)
        for period, facts in reports.iter_facts():
            table.commit(_stamp(facts, ids, f"load-{period}"))
        old = table.version()
        last = reports.facts(reports.periods[-1])
        usccs = pc.unique(last["uscc"]).to_pylist()
        for k in range(corrections):  # resubmissions: same rows, new versions
            one = last.filter(pc.equal(last["uscc"], usccs[k % len(usccs)]))
            table.commit(_stamp(one, ids, f"fix-{k}"))
        latest = table.version()
        print(f"versions: old {old}, latest {latest}", file=sys.stderr)

        def read(version: int | None) -> tuple[float, int]:
            start = time.perf_counter()
            result = engine.query(QUERY, tables={"flash_report": table.snapshot(version=version)})
            return time.perf_counter() - start, int(pc.sum(result["n"]).as_py())

        read(None)  # warm the file cache for both sides alike
        ours, base = [], []
        for _ in range(args.repeat):
            t_old, n_old = read(old)
            t_new, n_new = read(None)
            if n_old != n_new:
                raise SystemExit(f"row counts differ: old {n_old}, latest {n_new}")
            ours.append(t_old)
            base.append(t_new)
        o, b = statistics.median(ours), statistics.median(base)
        print(
            json.dumps(
                {
                    "benchmark": "lake_time_travel",
                    "scale": args.scale,
                    "rows": n_new,
                    "versions": latest,
                    "ours": f"read as of version {old}",
                    "ours_s": round(o, 5),
                    "baseline": f"read latest (version {latest})",
                    "baseline_s": round(b, 5),
                    "ratio": round(o / b, 4),
                    "goal": "<= 1.2",
                    "machine": "2 cores",
                }
            )
        )


if __name__ == "__main__":
    main()
