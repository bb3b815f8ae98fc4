"""The indicator statement on every engine: the same wide result on DuckDB and Spark.

Synthetic reports for a small tree (two groups, three levels) with a zero denominator, a
missing item and a loss-maker, so every status code and every level is exercised.
"""

from __future__ import annotations

import random
from typing import Any

import pyarrow as pa

from zhiguo.datacenter.engine import DuckDBEngine, Engine, Relation
from zhiguo.datacenter.flashreport import items_for_year
from zhiguo.supervision.indicators import TreeTables, builtin_library, evaluate

PERIODS = ["2025-12", "2026-01", "2026-02"]
# enterprise → parent (None = top-level group): 1 → 2 → 3, 1 → 4; 5 → 6
TREE: dict[int, int | None] = {1: None, 2: 1, 3: 2, 4: 1, 5: None, 6: 5}


def _facts() -> pa.Table:
    rng = random.Random(7)
    rows: dict[str, list[object]] = {
        k: []
        for k in (
            "enterprise_id",
            "period",
            "report_type",
            "item_code",
            "caliber",
            "scope",
            "value",
        )
    }
    reports = [(e, "single") for e in TREE] + [(1, "consolidated"), (5, "consolidated")]
    for period in PERIODS:
        year = int(period[:4])
        for eid, rtype in reports:
            for code, item in items_for_year(year).items():
                if eid == 3 and code == "rd_investment":
                    continue  # a missing input → status 1
                for caliber in item.calibers:
                    value = rng.uniform(1e5, 1e7)
                    if code == "net_profit" and eid == 4:
                        value = -value  # a loss-maker
                    if code == "interest_expense" and eid == 6:
                        value = 0.0  # a zero denominator → status 2
                    for col, v in zip(
                        rows, (eid, period, rtype, code, caliber, "total", value), strict=True
                    ):
                        rows[col].append(v)
    return pa.table(rows).cast(
        pa.schema(
            [
                ("enterprise_id", pa.int64()),
                ("period", pa.string()),
                ("report_type", pa.string()),
                ("item_code", pa.string()),
                ("caliber", pa.string()),
                ("scope", pa.string()),
                ("value", pa.float64()),
            ]
        )
    )


def _trees() -> TreeTables:
    anc, desc, per = [], [], []
    for period in PERIODS:
        for node in TREE:
            up = TREE[node]
            while up is not None:
                anc.append(up)
                desc.append(node)
                per.append(period)
                up = TREE[up]
        for internal in sorted({p for p in TREE.values() if p is not None}):
            anc.append(internal)
            desc.append(internal)
            per.append(period)
    tops = [e for e, p in TREE.items() if p is None]
    closure = pa.table(
        {
            "ancestor_id": pa.array(anc, pa.int64()),
            "descendant_id": pa.array(desc, pa.int64()),
            "period": per,
        }
    )
    top = pa.table(
        {
            "enterprise_id": pa.array(tops * len(PERIODS), pa.int64()),
            "period": [p for p in PERIODS for _ in tops],
        }
    )
    return TreeTables(closure, top)


def _factors() -> pa.Table:
    return pa.table(
        {
            "enterprise_id": pa.array([2, 5], pa.int64()),
            "period": ["2026-02", "2026-01"],
            "objective_increase__ytd": [1000.0, 0.0],
            "objective_decrease__ytd": [0.0, 2500.0],
        }
    )


def test_indicators_are_identical_on_every_engine(
    engine: Engine, reference: DuckDBEngine, compare: Any
) -> None:
    library = builtin_library()
    inputs = {"flash_report": Relation(_facts()), "trees": _trees(), "factors": _factors()}

    def run(on: Engine) -> pa.Table:
        _, wide = evaluate(
            on,
            library,
            flash_report=inputs["flash_report"],  # type: ignore[arg-type]
            trees=inputs["trees"],
            factors=inputs["factors"],
        )  # type: ignore[arg-type]
        return wide

    expected = run(reference)
    levels = {(r["level"]) for r in expected.select(["level"]).to_pylist()}
    assert levels == {"entity", "subtree", "group", "portfolio"}
    statuses = set()
    for name in expected.column_names:
        if name.startswith("s__"):
            statuses |= set(expected[name].to_pylist())
    assert statuses == {0, 1, 2}
    compare.tables(run(engine), expected, ordered=False)
