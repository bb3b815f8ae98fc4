"""Audit chain: appending SM3 hash-chained records (``record_events``) against plain inserts
of the same rows, and ``verify_log`` over everything appended (goal: ≥ 5,000 records/s
appended; ≥ 1,000,000 records verified in ≤ 30 s).

Both sides write the same rows in the same batches (1,000 per transaction) into a fresh
workspace DB: ours through the chain (lock the head, hash, link, insert, move the head),
the baseline straight into an identical table without triggers, hashes or head. Then ours
is sealed (signed tree heads every 100,000 records) and verified in full: every hash, link
and tree-head root recomputed.

    .venv/bin/python benchmarks/audit_chain.py --scale M          # 1,000,000 records
    .venv/bin/python benchmarks/audit_chain.py --scale S \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Engine, Index, MetaData, Table, create_engine, insert, text

from zhiguo.core import Principal, Role, create_db_engine, init_workspace, make_sessionmaker
from zhiguo.security.audit import AuditEvent, record_events, seal, verify_log
from zhiguo.security.audit.chain import canonical_detail

SCALES = {"T": 2_000, "S": 50_000, "M": 1_000_000, "L": 5_000_000}
BATCH = 1_000
APPEND_GOAL = 5_000  # records/s
VERIFY_GOAL_S_PER_M = 30.0  # seconds per 1,000,000 records
START = datetime(2026, 1, 1, tzinfo=UTC)
EVENTS = ("auth.login", "data.read", "data.export", "data.submit", "policy.change")


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def events(n: int) -> Iterator[list[AuditEvent]]:
    """Deterministic events in batches of ``BATCH``."""
    users = [
        Principal(user_id=i, username=f"user{i:03d}", role=Role.REGULATOR_ANALYST)
        for i in range(50)
    ]
    batch: list[AuditEvent] = []
    for i in range(n):
        batch.append(
            AuditEvent(
                event_type=EVENTS[i % len(EVENTS)],
                result="denied" if i % 97 == 0 else "success",
                principal=users[i % 50],
                object=f"enterprise/{91440300000000000 + i % 5000}/report/2026-{1 + i % 12:02d}",
                detail={"rows": i % 1000, "format": "xlsx"},
                client_addr=f"10.0.{i % 256}.{i % 200}",
                request_id=f"{i:032x}",
                at=START + timedelta(milliseconds=i),
            )
        )
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _plain_table(engine: Engine) -> Table:
    """A copy of ``audit_log``'s columns and indexes, without triggers (the baseline's target)."""
    from zhiguo.security.audit import AuditRecord

    md = MetaData()
    cols = [
        Column(c.name, c.type, primary_key=c.primary_key) for c in AuditRecord.__table__.columns
    ]
    table = Table(
        "audit_log_plain",
        md,
        *cols,
        Index("ix_plain_at", "at"),  # the same indexes as audit_log: only the chain differs
        Index("ix_plain_username", "username"),
        Index("ix_plain_event_type", "event_type"),
    )
    md.drop_all(engine)
    md.create_all(engine)
    return table


def run_baseline(engine: Engine, n: int) -> float:
    """Plain inserts of the same rows: no lock, no hash, no link, no head."""
    table = _plain_table(engine)
    seq = 0
    start = time.perf_counter()
    for batch in events(n):
        rows: list[dict[str, Any]] = []
        for e in batch:
            seq += 1
            p = e.principal
            rows.append(
                {
                    "seq": seq,
                    "at": e.at,
                    "user_id": p.user_id if p else None,
                    "username": p.username if p else "",
                    "org": "",
                    "client_addr": e.client_addr,
                    "event_type": e.event_type,
                    "object": e.object,
                    "result": e.result,
                    "request_id": e.request_id,
                    "detail": canonical_detail(e.detail),
                    "prev_hash": "",
                    "hash": "",
                }
            )
        with engine.begin() as conn:
            conn.execute(insert(table), rows)
    return time.perf_counter() - start


def run_ours(engine: Engine, n: int) -> float:
    factory = make_sessionmaker(engine)
    start = time.perf_counter()
    for batch in events(n):
        with factory() as session:
            record_events(session, batch)
            session.commit()
    return time.perf_counter() - start


def fresh(url: str | None, root: Path) -> tuple[Any, Engine]:
    ws = init_workspace(root, database_url=url)
    settings = ws.settings.model_copy(
        update={"audit": ws.settings.audit.model_copy(update={"tree_head_every": 100_000})}
    )
    engine = create_db_engine(settings)
    return settings, engine


def fresh_pg(admin_url: str, name: str) -> str:
    """A new database ``name`` on the server of ``admin_url`` (dropped first if left over)."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def drop_pg(admin_url: str, name: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def measure(n: int, url: str | None, repeat: int) -> dict[str, Any]:
    ours: list[float] = []
    base: list[float] = []
    verify_s = 0.0
    heads = 0
    with tempfile.TemporaryDirectory(prefix="zhiguo-bench-audit-") as tmp:
        for r in range(repeat):
            for side in ("baseline", "ours"):
                db_name = f"zhiguo_bench_audit_{os.getpid()}"
                db_url = fresh_pg(url, db_name) if url else None
                settings, engine = fresh(db_url, Path(tmp) / f"{side}-{r}")
                try:
                    if side == "baseline":
                        base.append(run_baseline(engine, n))
                        say(f"  baseline  {n:,} rows in {base[-1]:.2f} s")
                        continue
                    ours.append(run_ours(engine, n))
                    say(f"  ours      {n:,} rows in {ours[-1]:.2f} s")
                    if r == repeat - 1:
                        for size in range(100_000, n, 100_000):  # heads as auto-seal writes them
                            _seal_at(engine, settings, size)
                        seal(engine, settings)
                        start = time.perf_counter()
                        report = verify_log(engine, settings)
                        verify_s = time.perf_counter() - start
                        assert report.ok and report.records == n, report.findings[:3]
                        heads = report.heads_checked
                        say(f"  verify    {n:,} records, {heads} heads in {verify_s:.2f} s")
                finally:
                    engine.dispose()
                    if url:
                        drop_pg(url, db_name)
    return {
        "ours_s": statistics.median(ours),
        "baseline_s": statistics.median(base),
        "verify_s": verify_s,
        "heads": heads,
    }


def _seal_at(engine: Engine, settings: Any, size: int) -> None:
    """A head over the first ``size`` records (what automatic sealing leaves behind)."""
    from zhiguo.security.audit.heads import TreeHead, heads_dir, signing_key
    from zhiguo.security.audit.merkle import MerkleFrontier
    from zhiguo.security.audit.verify import iter_rows

    frontier = MerkleFrontier()
    last = ""
    for row in iter_rows(engine, 0, size):
        frontier.append(bytes.fromhex(row[-1]))
        last = row[-1]
    TreeHead.create(
        tree_size=size,
        root=frontier.root(),
        last_hash=last,
        key=signing_key(settings),
        tz="Asia/Shanghai",
    ).write(heads_dir(settings))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=list(SCALES), default="S")
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("ZHIGUO_BENCH_PG_URL"),
        help="PostgreSQL server URL (its admin database); a scratch database is created on it "
        "for each side and dropped afterwards. Default: SQLite in a temporary workspace.",
    )
    args = parser.parse_args()
    n = SCALES[args.scale]
    repeat = args.repeat or (1 if n >= 1_000_000 else 3)
    backend = "postgresql" if args.database_url else "sqlite"
    say(f"audit chain: {n:,} records, {repeat} repetition(s), {backend}")
    m = measure(n, args.database_url, repeat)
    machine = f"{os.cpu_count()} cores"
    print(
        json.dumps(
            {
                "benchmark": "audit_chain_append",
                "scale": args.scale,
                "backend": backend,
                "records": n,
                "ours_s": round(m["ours_s"], 3),
                "ours_records_per_s": round(n / m["ours_s"]),
                "baseline": "plain_insert_same_rows",
                "baseline_s": round(m["baseline_s"], 3),
                "ratio": round(m["ours_s"] / m["baseline_s"], 3),
                "goal": f">= {APPEND_GOAL} records/s appended (ratio = ours ÷ baseline time, "
                "lower is better)",
                "machine": machine,
            }
        )
    )
    budget = VERIFY_GOAL_S_PER_M * n / 1_000_000
    print(
        json.dumps(
            {
                "benchmark": "audit_chain_verify",
                "scale": args.scale,
                "backend": backend,
                "records": n,
                "heads_checked": m["heads"],
                "ours_s": round(m["verify_s"], 3),
                "ours_records_per_s": round(n / m["verify_s"]) if m["verify_s"] else None,
                "baseline": "goal_30s_per_million",
                "baseline_s": round(budget, 3),
                "ratio": round(m["verify_s"] / budget, 3),
                "goal": "<= 1 (1,000,000 records verified in <= 30 s)",
                "machine": machine,
            }
        )
    )


if __name__ == "__main__":
    main()
