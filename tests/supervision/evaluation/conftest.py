"""Fixtures for evaluation tests: a workspace holding the sample registry (two groups, see
``zhiguo.testing``), a small scoring scheme whose numbers a reader can check by hand, and
helpers that commit indicator values and flash-report revenue to the workspace's lake."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiguo.core import Workspace, create_db_engine, init_workspace, make_sessionmaker
from zhiguo.datacenter.lake import open_table
from zhiguo.registry import Enterprise, load_records
from zhiguo.testing import SAMPLE, sample_records

SMALL_SCHEME = """
version = "test"
min_coverage_pct = 50.0
fallback_class = "commercial_2"

[[levels]]
code = "excellent"
label_zh = "优秀"
label_en = "Excellent"
coefficient = 1.0
[[levels]]
code = "good"
label_zh = "良好"
label_en = "Good"
coefficient = 0.8
[[levels]]
code = "average"
label_zh = "平均"
label_en = "Average"
coefficient = 0.6
[[levels]]
code = "low"
label_zh = "较低"
label_en = "Low"
coefficient = 0.4
[[levels]]
code = "poor"
label_zh = "较差"
label_en = "Poor"
coefficient = 0.2

[[grades]]
code = "A"
label_zh = "优"
label_en = "Excellent"
min_score = 85.0
[[grades]]
code = "B"
label_zh = "良"
label_en = "Good"
min_score = 70.0
[[grades]]
code = "C"
label_zh = "中"
label_en = "Average"
min_score = 50.0
[[grades]]
code = "D"
label_zh = "低"
label_en = "Low"
min_score = 40.0
[[grades]]
code = "E"
label_zh = "差"
label_en = "Poor"
min_score = 0.0

[size]
revenue_item = "operating_revenue"
annualise = true
large_min = 1000000.0
medium_min = 100000.0

[groups.profitability]
label_zh = "盈利能力"
label_en = "Profitability"
[groups.debt_risk]
label_zh = "债务风险"
label_en = "Debt risk"
[groups.supplementary]
label_zh = "补充指标"
label_en = "Supplementary"

[indicators.roe]
group = "profitability"
name_zh = "净资产收益率"
name_en = "Return on equity"
direction = "higher"
caliber = "sasac_avg_incl_minority"
annualise = true

[indicators.debt_ratio]
group = "debt_risk"
name_zh = "资产负债率"
name_en = "Debt ratio"
direction = "lower"

[indicators.quick_ratio]
group = "supplementary"
name_zh = "速动比率"
name_en = "Quick ratio"
direction = "higher"

[classes.commercial_1]
label_zh = "商业一类"
[classes.commercial_1.weights]
roe = 60
debt_ratio = 40

[classes.commercial_2]
label_zh = "商业二类"
[classes.commercial_2.weights]
roe = 60
debt_ratio = 40

[classes.public_welfare]
label_zh = "公益类"
[classes.public_welfare.weights]
roe = 60
debt_ratio = 40
"""


@pytest.fixture
def eval_ws(tmp_path: Path) -> Iterator[tuple[Workspace, Callable[[], Session]]]:
    """A workspace (SQLite) holding the sample registry, and a session factory."""
    ws = init_workspace(tmp_path / "ws")
    engine = create_db_engine(ws.settings.database_url)
    factory = make_sessionmaker(engine)
    enterprises, ownership = sample_records()
    with factory() as session:
        load_records(session=session, enterprises=enterprises, ownership=ownership)
        session.commit()
    yield ws, factory
    engine.dispose()


@pytest.fixture
def ids(eval_ws: tuple[Workspace, Callable[[], Session]]) -> dict[str, int]:
    """Sample key (G1, A1, …) → enterprise id."""
    _ws, factory = eval_ws
    with factory() as session:
        by_uscc = dict(session.execute(select(Enterprise.uscc, Enterprise.id)).all())
    return {key: by_uscc[uscc] for key, uscc in SAMPLE.items()}


@pytest.fixture
def small_scheme_path(tmp_path: Path) -> Path:
    path = tmp_path / "scheme.toml"
    path.write_text(SMALL_SCHEME, encoding="utf-8")
    return path


def _indicator_table(rows: list[dict[str, Any]]) -> pa.Table:
    now = datetime(2026, 11, 25, tzinfo=UTC)
    full = [
        {
            "level": "group",
            "caliber": "default",
            "unit": "%",
            "status": "ok" if r.get("value") is not None else "not_computable",
            "reason": None if r.get("value") is not None else "分母为零 / zero denominator",
            "source_version": 1,
            "library_version": "test",
            "computed_at": now,
            **r,
        }
        for r in rows
    ]
    return pa.Table.from_pylist(full)


@pytest.fixture
def commit_values(
    eval_ws: tuple[Workspace, Callable[[], Session]],
) -> Callable[[list[dict[str, Any]]], int]:
    """Commit indicator_values rows (enterprise_id, period, indicator_code, value, and any
    other column to override); returns the new lake version."""
    ws, _factory = eval_ws

    def commit(rows: list[dict[str, Any]]) -> int:
        table = open_table(ws.lake, "supervision.indicator_values")
        return table.commit(_indicator_table(rows))

    return commit


@pytest.fixture
def commit_revenue(
    eval_ws: tuple[Workspace, Callable[[], Session]],
) -> Callable[[int, str, str, float], int]:
    """Commit one YTD operating-revenue figure to flash_report (enterprise id, period,
    report type, 元)."""
    ws, _factory = eval_ws

    def commit(enterprise_id: int, period: str, report_type: str, value: float) -> int:
        row = {
            "enterprise_id": enterprise_id,
            "uscc": "X",
            "period": period,
            "report_type": report_type,
            "item_code": "operating_revenue",
            "caliber": "ytd",
            "scope": "total",
            "value": value,
            "unit_declared": "yuan",
            "batch_id": "test",
            "submitted_at": datetime(2026, 11, 1, tzinfo=UTC),
        }
        return open_table(ws.lake, "flash_report").commit(pa.Table.from_pylist([row]))

    return commit
