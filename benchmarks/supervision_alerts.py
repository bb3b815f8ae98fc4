"""Alert run: ``zhiguo.supervision.alerts.run_alerts`` for one period over the whole portfolio
(every built-in rule in force: thresholds by industry, trends, year-on-year, peers,
guarantees, losses, data quality), against the issue's goal of 5 s at scale M.

The workspace is the recompute benchmark's (demo world + flash reports committed straight to
the lake, cached; see ``supervision_recompute.py``) with its indicators published once. Each
repetition runs the rules for the last period in a fresh transaction — every candidate
becomes a new alert with its ``raise`` event, the costliest case — and rolls it back, so
every repetition starts from the same state. There is no second implementation to race: the
baseline is the goal itself (ratio = ours ÷ 5 s, lower is better); the check is that the
alerts flushed to the database are exactly the ones the run reports raising.

    .venv/bin/python benchmarks/supervision_alerts.py --scale M --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.compute as pc
from sqlalchemy import func, select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
from supervision_recompute import (
    CACHE,
    SCALES,
    prepare_workspace,
    run_publish,
    say,
)
from zhiguo.core import Scope, Workspace, create_db_engine, make_sessionmaker
from zhiguo.datacenter.lake import open_table
from zhiguo.supervision.alerts.service import RunSummary, run_alerts
from zhiguo.supervision.models import Alert, AlertEvent

GOAL_S = 5.0
NOW = datetime(2026, 12, 31, tzinfo=UTC)  # a fixed "today": lateness is deterministic


@dataclass
class AlertRun:
    seconds: float
    summary: RunSummary
    alerts_flushed: int
    events_flushed: int


def ensure_indicators(ws: Workspace) -> None:
    """Publish the indicators once if the workspace has none yet."""
    if not open_table(ws.lake, "supervision.indicator_values").exists():
        say("publishing indicators (once) …")
        run_publish(ws)


def last_period(ws: Workspace) -> str:
    table = open_table(ws.lake, "supervision.indicator_values")
    periods = table.snapshot().data.to_table(columns=["period"])["period"]
    return str(pc.max(periods).as_py())


def indicator_rows(ws: Workspace, period: str) -> int:
    """Indicator values (every level, indicator and caliber) published for ``period``."""
    data = open_table(ws.lake, "supervision.indicator_values").snapshot().data
    return int(data.count_rows(filter=pc.field("period") == period))


def run_once(ws: Workspace, period: str) -> AlertRun:
    """One run in its own transaction, rolled back afterwards."""
    engine = create_db_engine(ws.settings)
    try:
        session: Session
        with make_sessionmaker(engine)() as session:
            start = time.perf_counter()
            summary = run_alerts(
                session=session,
                lake_root=ws.lake,
                engine_settings=ws.settings.engine,
                period=period,
                actor="bench",
                scope=Scope.everything(),
                now=NOW,
            )
            elapsed = time.perf_counter() - start
            alerts = int(session.scalar(select(func.count()).select_from(Alert)) or 0)
            events = int(session.scalar(select(func.count()).select_from(AlertEvent)) or 0)
            session.rollback()
    finally:
        engine.dispose()
    return AlertRun(elapsed, summary, alerts, events)


def child_peak_rss_mb(ws_root: Path, period: str) -> float:
    here = str(Path(__file__).parent)
    code = (
        "import sys; from pathlib import Path; "
        f"sys.path.insert(0, {here!r}); import supervision_alerts as b; "
        "from zhiguo.core import open_workspace; "
        f"b.run_once(open_workspace(Path({str(ws_root)!r})), {period!r}); "
        "print(next(int(x.split()[1]) for x in open('/proc/self/status') if x.startswith('VmHWM')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=list(SCALES), default="S")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-memory", action="store_true", help="skip ours' peak RSS")
    parser.add_argument("--cache", type=Path, default=CACHE)
    args = parser.parse_args()
    ws = prepare_workspace(args.scale, cache=args.cache)
    ensure_indicators(ws)
    period = last_period(ws)
    rows = indicator_rows(ws, period)
    times = []
    run = None
    for rep in range(args.repeat):
        run = run_once(ws, period)
        if run.alerts_flushed != run.summary.total("raised"):
            raise SystemExit(
                f"the run reports {run.summary.total('raised')} alerts raised but "
                f"{run.alerts_flushed} were written"
            )
        times.append(run.seconds)
        say(
            f"rep {rep}: run_alerts({period}) {run.seconds:.2f}s — {run.summary.candidates:,} "
            f"candidates, {run.alerts_flushed:,} alerts, {run.events_flushed:,} events, "
            f"{len(run.summary.not_evaluable)} rules not evaluable"
        )
    assert run is not None
    mem = None if args.no_memory else child_peak_rss_mb(ws.root, period)
    ours = statistics.median(times)
    print(
        json.dumps(
            {
                "benchmark": "supervision_alerts",
                "scale": args.scale,
                "period": period,
                "rows_evaluated": rows,
                "rules_applied": len(run.summary.rules_applied),
                "rules_not_evaluable": len(run.summary.not_evaluable),
                "candidates": run.summary.candidates,
                "alerts_raised": run.alerts_flushed,
                "ours_s": round(ours, 4),
                "baseline": "goal: 5 s for one period at scale M",
                "baseline_s": GOAL_S,
                "ratio": round(ours / GOAL_S, 4),
                "goal": "<= 1.0",
                "peak_rss_mb": round(mem) if mem else None,
                "repeat": args.repeat,
                "machine": f"{os.cpu_count()} cores",
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
