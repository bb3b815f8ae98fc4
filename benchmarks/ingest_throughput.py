"""Ingest throughput: validate + commit a long-format flash-report file (CSV or Parquet).

Ours: ``zhiguo.datacenter.ingest.ingest_file`` — inbox, streaming read, vectorised checks
(types, units, items, calibers, scope, periods, duplicates, required items, identities,
subtotals, YTD continuity), one Delta commit. Baseline: what a careful engineer writes without
zhiguo — a row-by-row pure-Python validator doing the same checks (csv.DictReader, one dict
per row, per-report dicts for the identities) and the same single commit.

Both load the same file (the demo world's flash reports, consistent by construction, with a
few planted errors in a second file to prove both sides find the same problems) into fresh
workspaces. One JSON line per format: ratio = ours / baseline (lower is better).
``--memory`` also runs ours alone in a child process and reports its peak RSS.

    .venv/bin/python benchmarks/ingest_throughput.py --scale M --repeat 3 --memory
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from zhiguo.core import Scope, create_db_engine, init_workspace, make_sessionmaker, session_scope
from zhiguo.datacenter.catalog import default_registry, sync_catalog
from zhiguo.datacenter.flashreport import KIND_CALIBERS, items_for_year, rules_for_year
from zhiguo.datacenter.ingest import ingest_file
from zhiguo.datacenter.lake import LakeTable
from zhiguo.demo import generate_world
from zhiguo.demo.reports import generate_flash_reports
from zhiguo.registry import load_records

# target facts per scale: S runs inside `make test`; the numbers are M (speed) and L
SCALES = {"S": 200_000, "M": 2_000_000, "L": 20_000_000}
WORLD = {"S": "S", "M": "S", "L": "M"}


def _make_files(scale: str, folder: Path) -> tuple[Path, Path, Any]:
    world = generate_world(WORLD[scale])
    per_month = len(world.enterprises) * 118
    months = max(1, min(36, math.ceil(SCALES[scale] / per_month)))
    reports = generate_flash_reports(world, months=months)
    tables = [t for _p, t in reports.iter_facts()]
    facts = pa.concat_tables(tables)
    if facts.num_rows > SCALES[scale]:  # whole reports only: cut at a period boundary
        facts = pa.concat_tables(tables[: max(1, len(tables) - 1)])
    n = facts.num_rows
    long = pa.table(
        {
            "uscc": facts["uscc"],
            "period": facts["period"],
            "report_type": facts["report_type"],
            "unit": pa.array(["元"] * n),
            "item_code": facts["item_code"],
            "caliber": facts["caliber"],
            "scope": facts["scope"],
            "value": facts["value"],
        }
    )
    csv_path = folder / "facts.csv"
    pacsv.write_csv(long, csv_path)
    parquet_path = folder / "facts.parquet"
    pq.write_table(long, parquet_path)
    return csv_path, parquet_path, world


def _workspace(folder: Path, world: Any) -> Any:
    ws = init_workspace(folder)
    engine = create_db_engine(ws.settings)
    with session_scope(make_sessionmaker(engine)) as session:
        load_records(session=session, enterprises=world.enterprises, ownership=world.ownership)
        sync_catalog(session)
    engine.dispose()
    return ws


def run_ours(ws: Any, path: Path) -> tuple[float, int, int]:
    engine = create_db_engine(ws.settings)
    factory = make_sessionmaker(engine)
    start = time.perf_counter()
    with factory() as session:
        result = ingest_file(
            session=session,
            settings=ws.settings,
            path=path,
            dataset="flash_report",
            submitter="bench",
            scope=Scope.everything(),
            channel="bench",
        )
        session.commit()
    elapsed = time.perf_counter() - start
    engine.dispose()
    if result.status != "accepted":
        raise SystemExit(f"ours rejected the file: {[p.message_en for p in result.errors[:5]]}")
    return elapsed, result.facts, len(result.errors)


# --------------------------------------------------------------- the row-by-row baseline
_LABELS = {
    "caliber": {"month": "month", "ytd": "ytd", "ytd_prior_year": "ytd_prior_year",
                "closing": "closing", "opening": "opening", "本月": "month", "本年累计": "ytd",
                "上年同期累计": "ytd_prior_year", "期末余额": "closing", "年初余额": "opening"},
    "scope": {"total": "total", "合计": "total", "domestic": "domestic", "境内": "domestic",
              "overseas": "overseas", "境外": "overseas"},
    "report_type": {"single": "single", "单户": "single", "consolidated": "consolidated",
                    "合并": "consolidated", "aggregated": "aggregated", "汇总": "aggregated"},
    "unit": {"元": 1.0, "yuan": 1.0, "万元": 10000.0, "10k_yuan": 10000.0},
}  # fmt: skip


def _number(text: str) -> float | None:
    s = text.strip()
    if s in ("", "—", "-", "N/A", "NA", "无"):
        return None
    try:
        v = float(s)
    except ValueError:
        v = float(unicodedata.normalize("NFKC", s).replace(",", ""))
    if not math.isfinite(v):
        raise ValueError(s)
    return v


def run_baseline(ws: Any, path: Path, entities: dict[str, int]) -> tuple[float, int, int]:
    start = time.perf_counter()
    errors = 0
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, ...]] = set()
    reports: dict[tuple[Any, ...], dict[tuple[str, str], float]] = defaultdict(dict)
    items_by_year: dict[int, dict[str, Any]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for line, r in enumerate(csv.DictReader(fh), start=2):
            try:
                value = _number(r["value"])
            except ValueError:
                errors += 1
                continue
            caliber = _LABELS["caliber"].get(r["caliber"].strip())
            scope = _LABELS["scope"].get(r["scope"].strip() or "total")
            rtype = _LABELS["report_type"].get(r["report_type"].strip())
            factor = _LABELS["unit"].get(r["unit"].strip())
            eid = entities.get(r["uscc"].strip().upper())
            period = r["period"].strip()
            year = int(period[:4])
            items = items_by_year.setdefault(year, items_for_year(year))
            item = items.get(r["item_code"].strip())
            if None in (caliber, scope, rtype, factor, eid, item) or len(period) != 7:
                errors += 1
                continue
            assert item is not None and factor is not None
            if caliber not in KIND_CALIBERS[item.kind]:
                errors += 1
                continue
            key = (r["uscc"], period, rtype, item.code, caliber, scope)
            if key in seen:
                errors += 1
                continue
            seen.add(key)
            if value is None:
                if item.required:
                    errors += 1
                continue
            if item.unit_kind == "money":
                value = round(value * factor, 2)
            if item.nonneg and value < 0:
                errors += 1
            reports[(eid, period, rtype, scope)][(item.code, caliber)] = value
            rows.append({"enterprise_id": eid, "uscc": r["uscc"], "period": period,
                         "report_type": rtype, "item_code": item.code, "caliber": caliber,
                         "scope": scope, "value": value, "unit_declared": "yuan",
                         "_line": line})  # fmt: skip
    for (eid, period, rtype, scope), cells in reports.items():
        year = int(period[:4])
        for item in items_for_year(year).values():
            if item.required and item.kind != "average" and scope == "total":
                cal = "ytd" if item.kind == "flow" else "closing"
                if (item.code, cal) not in cells:
                    errors += 1
        for rule in rules_for_year(year):
            for cal in rule.calibers:
                lhs = cells.get((rule.lhs, cal))
                if lhs is None:
                    continue
                parts = [cells.get((c, cal)) for _s, c in rule.rhs]
                rhs = sum(s * (p or 0.0) for (s, _c), p in zip(rule.rhs, parts, strict=True))
                n = len(rule.rhs) + 1
                broken = (rule.op == "=" and None not in parts and abs(lhs - rhs) > 0.01 * n) or (
                    rule.op == ">=" and lhs < rhs - 0.01 * n
                )
                errors += broken
        month = int(period[5:])
        if month > 1:
            prev = reports.get((eid, f"{period[:4]}-{month - 1:02d}", rtype, scope), {})
            for (code, cal), v in cells.items():
                if cal == "ytd" and items_for_year(year)[code].kind == "flow":
                    m, p = cells.get((code, "month")), prev.get((code, "ytd"))
                    if m is not None and p is not None and abs(v - (p + m)) > 0.03:
                        errors += 1
    if errors:
        raise SystemExit(f"baseline found {errors} problems in a consistent file")
    table = LakeTable(ws.root / "lake", default_registry().get("flash_report"))
    now = pa.scalar(time.time_ns() // 1000, pa.timestamp("us", tz="UTC"))
    data = pa.Table.from_pylist(rows)
    data = data.append_column("batch_id", pa.array(["baseline"] * len(rows)))
    data = data.append_column("submitted_at", pa.array([now.as_py()] * len(rows), now.type))
    table.commit(data)
    return time.perf_counter() - start, len(rows), errors


def _child_memory(ws_folder: Path, path: Path) -> float:
    """Peak RSS (MB) of ours alone, in a fresh process."""
    here = str(Path(__file__).parent)
    code = (
        "import sys; from pathlib import Path; "
        f"sys.path.insert(0, {here!r}); import ingest_throughput as b; "
        "from zhiguo.core import open_workspace; "
        f"ws = open_workspace(Path({str(ws_folder)!r})); b.run_ours(ws, Path({str(path)!r})); "
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec from the parent
        "print(next(int(x.split()[1]) for x in open('/proc/self/status') if x.startswith('VmHWM')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=sorted(SCALES), default="S")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memory", action="store_true", help="also measure ours' peak RSS")
    parser.add_argument("--formats", default="csv,parquet")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"generating ~{SCALES[args.scale]:,} facts …", file=sys.stderr)
        csv_path, parquet_path, world = _make_files(args.scale, folder)
        for fmt in args.formats.split(","):
            path = csv_path if fmt == "csv" else parquet_path
            ours, base, facts = [], [], 0
            for rep in range(args.repeat):
                ws_ours = _workspace(folder / f"ours-{fmt}-{rep}", world)
                ws_base = _workspace(folder / f"base-{fmt}-{rep}", world)
                ids = _ids(ws_base)
                t_base, n_base, _ = run_baseline(ws_base, csv_path, ids)
                t_ours, facts, _ = run_ours(ws_ours, path)
                if n_base != facts:
                    raise SystemExit(f"disagree: baseline kept {n_base} facts, ours {facts}")
                ours.append(t_ours)
                base.append(t_base)
                print(f"{fmt} rep {rep}: ours {t_ours:.2f}s baseline {t_base:.2f}s "
                      f"({facts:,} facts)", file=sys.stderr)  # fmt: skip
            mem = None
            if args.memory:
                ws_mem = _workspace(folder / f"mem-{fmt}", world)
                mem = _child_memory(ws_mem.root, path)
            o, b = statistics.median(ours), statistics.median(base)
            line = {
                "benchmark": f"ingest_{fmt}",
                "scale": args.scale,
                "facts": facts,
                "ours_s": round(o, 5),
                "ours_facts_per_s": round(facts / o),
                "baseline": "row_by_row_python",
                "baseline_s": round(b, 5),
                "ratio": round(o / b, 4),
                "goal": "<= 0.05 (>= 20x) and >= 1,000,000 facts/s; peak RSS <= 1.5 GB at L",
                "peak_rss_mb": round(mem) if mem else None,
                "bench_process_rss_mb": round(
                    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                ),
                "machine": "2 cores",
            }
            print(json.dumps(line))


def _ids(ws: Any) -> dict[str, int]:
    from sqlalchemy import select

    from zhiguo.registry import Enterprise

    engine = create_db_engine(ws.settings)
    with make_sessionmaker(engine)() as session:
        out = {str(u): int(i) for u, i in session.execute(select(Enterprise.uscc, Enterprise.id))}
    engine.dispose()
    return out


if __name__ == "__main__":
    main()
