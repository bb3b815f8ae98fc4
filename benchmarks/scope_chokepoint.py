"""Scope choke point: what the data layer's access decision costs on the engine's indicator
query (the supervision indicator statement over the flash report, every period).

Ours, timed as a request pays it: ``resolve_scope`` for the leader of the largest group
(subtree as of today, clearance, unmask grant), the label check against the catalog's
HMAC-SM3 (in a data-access context, as the web layer opens one), ``scoped_snapshot``
(clearance, row filter, masking decision), the indicator statement through the engine, and
the request's ``data.read`` audit record written (its commit is not timed: a request
commits its unit of work anyway).

Baselines, on the same Delta snapshot, tree and factor tables (prepared once, untimed):

* ``unscoped`` — the same statement over the raw snapshot, no choke point at all (the
  issue's number: goal ours ≤ 1.10×). The group sees fewer rows, so this flatters ours;
* ``same_rows_by_hand`` — the same statement over the raw snapshot filtered by hand to the
  same enterprise ids (an Arrow dataset filter): the honest price of the choke point;
* ``regulator`` line — ours for a whole-portfolio caller (``Scope.everything`` with its
  clearance: label check, audit, no row filter) against ``unscoped``.

Each side's result is compared with its baseline's (same rows, values within 1e-9) before
a line is printed. The data is the supervision_recompute benchmark's cached workspace.

    .venv/bin/python benchmarks/scope_chokepoint.py --scale M --repeat 3
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads

sys.path.insert(0, str(Path(__file__).resolve().parent))
import supervision_recompute as recompute
from zhiguo.core import Workspace, create_db_engine, make_sessionmaker, migrate
from zhiguo.core.access import Principal, Role, Scope
from zhiguo.datacenter.catalog import label_key, sync_catalog
from zhiguo.datacenter.engine import Relation, open_engine
from zhiguo.datacenter.lake import (
    DataAccess,
    data_access,
    flush_read_audit,
    open_table,
    scoped_snapshot,
)
from zhiguo.security import resolve_scope
from zhiguo.supervision.indicators import load_library
from zhiguo.supervision.indicators.compute import evaluate, factor_table, tree_tables

say = recompute.say


@dataclass
class Fixture:
    ws: Workspace
    sessionmaker: Any
    library: Any
    trees: Any
    factors: pa.Table
    periods: list[str]
    group_id: int
    keys_dir: Path


def prepare(ws: Workspace) -> Fixture:
    """Shared inputs (untimed): library, trees, factors, the largest group, signed labels."""
    engine = create_db_engine(ws.settings)
    migrate(engine)
    factory = make_sessionmaker(engine)
    keys_dir = ws.root / "keys"
    with factory() as session:
        sync_catalog(session, key=label_key(keys_dir))
        session.commit()
        flash = open_table(ws.lake, "flash_report")
        periods = sorted(
            {str(p) for p in pc.unique(flash.snapshot().to_table().column("period")).to_pylist()}
        )
        library = load_library(session)
        trees = tree_tables(session, periods)
        factors = factor_table(session, periods)
    last = trees.closure.filter(pc.equal(trees.closure["period"], periods[-1]))
    tops = set(
        trees.top.filter(pc.equal(trees.top["period"], periods[-1]))["enterprise_id"].to_pylist()
    )
    sizes: dict[int, int] = {}
    for ancestor in last["ancestor_id"].to_pylist():
        if ancestor in tops:
            sizes[ancestor] = sizes.get(ancestor, 0) + 1
    group_id = max(sizes, key=lambda k: (sizes[k], -k))
    say(f"{len(periods)} periods; largest group id {group_id}: {sizes[group_id]:,} entities")
    return Fixture(ws, factory, library, trees, factors, periods, group_id, keys_dir)


def _evaluate(fx: Fixture, relation: Relation) -> pa.Table:
    _indicators, wide = evaluate(
        open_engine(fx.ws.settings.engine),
        fx.library,
        flash_report=relation,
        trees=fx.trees,
        factors=fx.factors,
    )
    return wide


def run_choke_point(fx: Fixture, principal: Principal) -> tuple[float, pa.Table, Scope]:
    """A request's worth: resolve, check labels, narrow, query, audit, commit."""
    with fx.sessionmaker() as session:
        start = time.perf_counter()
        scope = resolve_scope(session=session, principal=principal)
        context = DataAccess(session=session, keys_dir=fx.keys_dir, principal=principal)
        with data_access(context):
            relation = scoped_snapshot(open_table(fx.ws.lake, "flash_report"), scope)
            wide = _evaluate(fx, relation)
            flush_read_audit(context)
        seconds = time.perf_counter() - start
        session.commit()  # a request commits anyway (its session); the audit insert is timed
        return seconds, wide, scope


def run_unscoped(fx: Fixture) -> tuple[float, pa.Table]:
    start = time.perf_counter()
    snapshot = open_table(fx.ws.lake, "flash_report").snapshot()
    wide = _evaluate(fx, Relation(snapshot.data))
    return time.perf_counter() - start, wide


def run_by_hand(fx: Fixture, ids: frozenset[int]) -> tuple[float, pa.Table]:
    start = time.perf_counter()
    snapshot = open_table(fx.ws.lake, "flash_report").snapshot()
    data = snapshot.data
    wanted = pads.field("enterprise_id").isin(sorted(ids))
    filtered = data.filter(wanted)
    wide = _evaluate(fx, Relation(filtered))
    return time.perf_counter() - start, wide


def agree(left: pa.Table, right: pa.Table) -> bool:
    """Same rows (any order) and values within 1e-9."""
    if left.num_rows != right.num_rows or left.column_names != right.column_names:
        return False
    keys = [c for c in left.column_names if not pa.types.is_floating(left.schema.field(c).type)]
    order = [(k, "ascending") for k in keys]
    a = left.sort_by(order).to_pylist()
    b = right.sort_by(order).to_pylist()
    for x, y in zip(a, b, strict=True):
        for column, value in x.items():
            other = y[column]
            if isinstance(value, float) and isinstance(other, float):
                if math.isnan(value) and math.isnan(other):
                    continue
                if not math.isclose(value, other, rel_tol=1e-9, abs_tol=1e-9):
                    return False
            elif value != other:
                return False
    return True


def measure(fx: Fixture, repeat: int) -> tuple[dict[str, list[float]], dict[str, Any]]:
    leader = Principal(
        user_id=0, username="bench-leader", role=Role.ENTERPRISE_LEADER, enterprise_id=fx.group_id
    )
    regulator = Principal(user_id=0, username="bench-regulator", role=Role.REGULATOR_LEADER)
    times: dict[str, list[float]] = {k: [] for k in ("group", "hand", "regulator", "unscoped")}
    info: dict[str, Any] = {}
    say("warming up (untimed) …")
    run_choke_point(fx, leader)
    run_unscoped(fx)
    for i in range(repeat):
        # each pair interleaved, the order flipped every repetition
        first_ours = i % 2 == 0
        if not first_ours:
            seconds, unscoped_wide = run_unscoped(fx)
            times["unscoped"].append(seconds)
        seconds, regulator_wide, _ = run_choke_point(fx, regulator)
        times["regulator"].append(seconds)
        if first_ours:
            seconds, unscoped_wide = run_unscoped(fx)
            times["unscoped"].append(seconds)
        seconds, group_wide, scope = run_choke_point(fx, leader)
        assert scope.enterprise_ids is not None
        if first_ours:
            times["group"].append(seconds)
            seconds, hand_wide = run_by_hand(fx, scope.enterprise_ids)
            times["hand"].append(seconds)
        else:
            seconds_hand, hand_wide = run_by_hand(fx, scope.enterprise_ids)
            times["hand"].append(seconds_hand)
            seconds, group_wide, scope = run_choke_point(fx, leader)
            times["group"].append(seconds)
        if i == 0:
            info["group_ok"] = agree(group_wide, hand_wide)
            info["regulator_ok"] = agree(regulator_wide, unscoped_wide)
            info["group_entities"] = len(scope.enterprise_ids)
            info["rows"] = {"group": group_wide.num_rows, "all": unscoped_wide.num_rows}
            if not (info["group_ok"] and info["regulator_ok"]):
                raise SystemExit(f"results disagree: {info}")
        say(
            f"  rep {i + 1}: group {times['group'][-1]:.3f}s, by hand {times['hand'][-1]:.3f}s, "
            f"regulator {times['regulator'][-1]:.3f}s, unscoped {times['unscoped'][-1]:.3f}s"
        )
    return times, info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=list(recompute.SCALES), default="S")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=recompute.CACHE)
    args = parser.parse_args()
    ws = recompute.prepare_workspace(args.scale, cache=args.cache)
    fx = prepare(ws)
    times, info = measure(fx, args.repeat)
    med = {k: statistics.median(v) for k, v in times.items()}
    common = {
        "scale": args.scale,
        "periods": len(fx.periods),
        "group_entities": info["group_entities"],
        "rows": info["rows"],
        "repeat": args.repeat,
        "machine": f"{os.cpu_count()} cores",
    }
    lines = [
        {
            "benchmark": "scope_chokepoint",
            **common,
            "ours": "largest group's leader through the choke point",
            "ours_s": round(med["group"], 4),
            "baseline": "unscoped",
            "baseline_s": round(med["unscoped"], 4),
            "ratio": round(med["group"] / med["unscoped"], 4),
            "goal": "<= 1.10",
        },
        {
            "benchmark": "scope_chokepoint",
            **common,
            "ours": "largest group's leader through the choke point",
            "ours_s": round(med["group"], 4),
            "baseline": "same_rows_by_hand",
            "baseline_s": round(med["hand"], 4),
            "ratio": round(med["group"] / med["hand"], 4),
            "goal": "<= 1.10",
        },
        {
            "benchmark": "scope_chokepoint_regulator",
            **common,
            "ours": "regulator leader through the choke point (no row filter)",
            "ours_s": round(med["regulator"], 4),
            "baseline": "unscoped",
            "baseline_s": round(med["unscoped"], 4),
            "ratio": round(med["regulator"] / med["unscoped"], 4),
            "goal": "<= 1.10",
        },
    ]
    for line in lines:
        print(json.dumps(line, ensure_ascii=False))


if __name__ == "__main__":
    main()
