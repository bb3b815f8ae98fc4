"""The same candidates on DuckDB and Spark: every family of the built-in rule set over one
hand-made world, evaluated by the one pure function the parity suite calls."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest

from zhiguo.datacenter.engine import DuckDBEngine, SparkEngine
from zhiguo.supervision.alerts import SUBMISSION_SCHEMA, builtin_rules, evaluate_rules

P = "2026-03"
REG = [(i, "C3011", "industrial") for i in range(1, 8)] + [
    (8, "G5412", "non_industrial"),
    (9, "M7452", "research_tech"),
]


def world(kit: Any) -> list[dict[str, Any]]:
    rows = []
    debt = {1: 40.0, 2: 50.0, 3: 52.0, 4: 60.0, 5: 90.0, 6: 51.0, 7: 49.0}
    rows += [kit.iv(e, "2025-12", "debt_ratio", v) for e, v in debt.items()]
    now = {1: 57.5, 2: 50.0, 3: 63.0, 4: 52.0, 5: 95.0, 6: 51.0, 7: 49.0, 8: 71.0, 9: 66.0}
    rows += [kit.iv(e, P, "debt_ratio", v) for e, v in now.items()]
    rows += [kit.iv(1, P, "debt_ratio", 80.0, level="group")]
    rows += [kit.iv(e, P, "current_ratio", 101.0 - e) for e in range(1, 4)]
    for e, series in ((1, (10, 9, 8, 7)), (2, (10, 9, 9, 8))):
        for m, v in zip(("2025-12", "2026-01", "2026-02", "2026-03"), series, strict=True):
            rows.append(kit.iv(e, m, "cash_from_sales_ratio", float(v)))
    for e, last, cur in ((1, 100.0, 60.0), (2, 100.0, 90.0), (3, -50.0, -80.0)):
        for m in ("01", "02", "03"):
            rows += [
                kit.iv(e, f"2025-{m}", "total_profit", last * int(m)),
                kit.iv(e, f"2026-{m}", "total_profit", cur * int(m)),
            ]
    rows += [kit.iv(e, "2025-03", "two_funds_share", 30.0) for e in (1, 2)]
    rows += [kit.iv(1, P, "two_funds_share", 36.0), kit.iv(2, P, "two_funds_share", 33.0)]
    rows += [
        kit.iv(e, P, "roe", r, caliber="sasac_avg_incl_minority")
        for e, r in zip(range(1, 8), (5.0, 6.0, 5.5, 6.5, 5.8, 6.2, -20.0), strict=True)
    ]
    rows += [kit.iv(1, P, "net_profit", -3.0), kit.iv(2, P, "net_profit", 4.0)]
    rows += [kit.iv(1, P, "loss_share", 40.0, level="group")]
    rows += [kit.iv(1, P, "guarantee_ratio", 45.0, level="group")]
    return rows


SUBS = pa.table(
    {
        "enterprise_id": [1, 2, 3],
        "status": ["missing", "late", "on_time"],
        "days_late": [4, 2, 0],
        "batch_warnings": [0, 1, 3],
        "warning_rules": ["", "rule.reasonable", "rule.reasonable"],
    },
    schema=SUBMISSION_SCHEMA,
)


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkEngine]:
    yield SparkEngine.get()


def candidates(engine: Any, kit: Any) -> list[dict[str, Any]]:
    table = evaluate_rules(
        engine=engine,
        indicator_relation=kit.iv_table(world(kit)),
        registry_table=kit.registry(REG),
        period=P,
        rules=builtin_rules(),
        submissions=SUBS,
    )
    return table.to_pylist()


def test_the_world_raises_every_family_on_duckdb(kit: Any) -> None:
    found = {
        (r["rule_code"], r["enterprise_id"], r["severity"]) for r in candidates(DuckDBEngine(), kit)
    }
    assert {code for code, _, _ in found} == {
        "debt_ratio.control_line",
        "liquidity.current_ratio",
        "trend.cash_ratio",
        "trend.total_profit_yoy",
        "yoy.total_profit_drop",
        "yoy.two_funds_share_rise",
        "peer.debt_ratio",
        "peer.roe",
        "guarantee.cap",
        "loss.net_loss",
        "loss.loss_share",
        "dq.missing",
        "dq.late",
        "dq.batch_warnings",
    }
    assert ("debt_ratio.control_line", 1, "red") in found  # the group row, 80 > 62
    assert ("peer.roe", 7, "yellow") in found


@pytest.mark.spark
def test_duckdb_and_spark_give_the_same_candidates(kit: Any, spark: SparkEngine) -> None:
    duck = candidates(DuckDBEngine(), kit)
    other = candidates(spark, kit)
    assert len(duck) == len(other) > 0
    for a, b in zip(duck, other, strict=True):
        for column in ("value", "threshold"):
            if a[column] is None:
                assert b[column] is None, (a, b)
            else:
                assert a[column] == pytest.approx(b[column], rel=1e-9, abs=1e-9), (a, b)
        same = {k: v for k, v in a.items() if k not in ("value", "threshold")}
        assert same == {k: v for k, v in b.items() if k not in ("value", "threshold")}
