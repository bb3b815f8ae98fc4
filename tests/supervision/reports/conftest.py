"""A small lake and metadata DB for the monthly report, every input a known fact.

The sample registry (``zhiguo.testing``: G1 示例测试一集团 with A1/A11/A12/A2, G2 示例测试二集团
with B1/B11); ``supervision.indicator_values`` rows for the portfolio (13 months), both groups
(2026-09 and 2025-09) and A1 (entity level); five alerts; two flash reports ingested for
2026-09 — A1 on time, B11 late. The report date is fixed at 2026-11-25.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiguo.core import Workspace, create_db_engine, init_workspace, make_sessionmaker
from zhiguo.core.access import Scope
from zhiguo.core.periods import Period
from zhiguo.datacenter.catalog import sync_catalog
from zhiguo.datacenter.ingest import ingest_file
from zhiguo.datacenter.lake import open_table
from zhiguo.registry import Enterprise, load_records
from zhiguo.supervision.models import Alert
from zhiguo.testing import SAMPLE, sample_records
from zhiguo.testing.flash import flash_report_rows, write_csv

PERIOD = Period(2026, 9)
NOW = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # 12:00 in Asia/Shanghai
SOURCE_VERSION = 7


def portfolio_value(code: str, period: Period) -> float:
    """The portfolio's value of ``code`` in ``period``: a known line per indicator."""
    k = period.index - PERIOD.index  # 0 at the report period, -12 a year earlier
    return {
        "total_profit": 9_876_543.21 + 100_000.0 * k,
        "debt_ratio": 61.2 + 0.1 * k,
        "roe": 5.5 + 0.05 * k,
        "rd_intensity": 2.4 + 0.01 * k,
        "labour_productivity": 45.6 + 0.5 * k,
        "cash_from_sales_ratio": 98.7 + 0.2 * k,
    }[code]


UNITS = {
    "total_profit": "元",
    "debt_ratio": "%",
    "roe": "%",
    "rd_intensity": "%",
    "labour_productivity": "万元/人",
    "cash_from_sales_ratio": "%",
}

# group values in 2026-09 (G2's R&D intensity is not computable)
GROUPS: dict[str, dict[str, float | None]] = {
    "G1": {
        "total_profit": 1_234_567.89,
        "debt_ratio": 65.43,
        "roe": 4.2,
        "rd_intensity": 3.1,
        "labour_productivity": 40.0,
        "cash_from_sales_ratio": 95.0,
    },
    "G2": {
        "total_profit": 2_000_000.0,
        "debt_ratio": 58.1,
        "roe": 6.0,
        "rd_intensity": None,
        "labour_productivity": 52.5,
        "cash_from_sales_ratio": 101.5,
    },
}


def _row(
    ent: int, level: str, period: Period, code: str, value: float | None, caliber: str = ""
) -> dict[str, Any]:
    default_caliber = "sasac_avg_incl_minority" if code == "roe" else "default"
    return {
        "enterprise_id": ent,
        "level": level,
        "period": str(period),
        "indicator_code": code,
        "caliber": caliber or default_caliber,
        "value": value,
        "unit": UNITS.get(code, "%"),
        "status": "ok" if value is not None else "not_computable",
        "reason": None if value is not None else "研发经费投入为空 / R&D spend missing",
        "source_version": SOURCE_VERSION if period == PERIOD else SOURCE_VERSION - 1,
        "library_version": "test",
        "computed_at": NOW,
    }


def indicator_rows(ids: dict[str, int]) -> list[dict[str, Any]]:
    rows = []
    for period in Period.range(PERIOD.shift(-12), PERIOD):
        for code in UNITS:
            rows.append(_row(0, "portfolio", period, code, portfolio_value(code, period)))
        # another ROE caliber with a different number: the report must not pick it
        rows.append(_row(0, "portfolio", period, "roe", 99.0, caliber="fully_diluted_end"))
        # an indicator outside 一利五率: never in the headline
        rows.append(_row(0, "portfolio", period, "quick_ratio", 88.0))
    for key, values in GROUPS.items():
        for code, value in values.items():
            rows.append(_row(ids[key], "group", PERIOD, code, value))
            rows.append(_row(ids[key], "group", PERIOD.prior_year, code, 1.0))
    rows.append(_row(ids["A1"], "entity", PERIOD, "debt_ratio", 70.0))
    return rows


@dataclass
class ReportWorld:
    """What a test needs: the workspace, sessions, enterprise ids and the known inputs."""

    ws: Workspace
    factory: Callable[[], Session]
    ids: dict[str, int]
    out: Path
    period: Period = PERIOD
    now: datetime = NOW
    source_version: int = SOURCE_VERSION
    groups: dict[str, dict[str, float | None]] = field(default_factory=lambda: GROUPS)

    def subtree(self, *keys: str) -> Scope:
        return Scope.of(self.ids[k] for k in keys)

    @staticmethod
    def portfolio(code: str, period: Period) -> float:
        return portfolio_value(code, period)


def _alert(ids: dict[str, int], key: str, rule: str, **kw: Any) -> Alert:
    fields: dict[str, Any] = {
        "rule_code": rule,
        "rule_version": "2026.1",
        "family": "threshold",
        "enterprise_id": ids[key],
        "level": "group" if key.startswith("G") else "entity",
        "period": str(PERIOD),
        "last_period": str(PERIOD),
        "severity": "red",
        "status": "raised",
        "indicator_code": "debt_ratio",
        "message_zh": f"{key} 资产负债率超过重点监管线",
        "message_en": f"{key} debt ratio above the key-supervision line",
    }
    fields.update(kw)
    return Alert(**fields)


@contextmanager
def _world(tmp_path: Path) -> Iterator[ReportWorld]:
    ws = init_workspace(tmp_path / "ws", demo=True)
    engine = create_db_engine(ws.settings.database_url)
    factory = make_sessionmaker(engine)
    enterprises, ownership = sample_records()
    with factory() as session:
        load_records(session=session, enterprises=enterprises, ownership=ownership)
        sync_catalog(session)
        session.commit()
        ids = {
            key: session.scalars(select(Enterprise.id).where(Enterprise.uscc == uscc)).one()
            for key, uscc in SAMPLE.items()
        }
    for key, when in (("A1", datetime(2026, 10, 10, tzinfo=UTC)), ("B11", NOW)):
        path = write_csv(tmp_path / f"{key}.csv", flash_report_rows(SAMPLE[key], str(PERIOD)))
        with factory() as session:
            result = ingest_file(
                session=session,
                settings=ws.settings,
                path=path,
                dataset="flash_report",
                submitter="tester",
                scope=Scope.everything(),
                now=when,
            )
            session.commit()
        assert result.status == "accepted", result.problems
    table = open_table(ws.lake, "supervision.indicator_values")
    table.commit(pa.Table.from_pylist(indicator_rows(ids)))
    with factory() as session:
        session.add_all(
            [
                _alert(
                    ids,
                    "G1",
                    "debt_ratio.key_line",
                    status="dispatched",
                    value=65.43,
                    threshold=65.0,
                    due_date=date(2026, 10, 31),
                ),
                _alert(ids, "A1", "debt_ratio.warning_line", severity="orange", value=70.0),
                _alert(
                    ids,
                    "B11",
                    "loss.entity",
                    status="closed",
                    indicator_code="net_profit",
                    value=-5.0,
                    threshold=0.0,
                ),
                _alert(
                    ids,
                    "B1",
                    "two_funds.share",
                    severity="yellow",
                    status="responded",
                    period="2026-08",
                    periods_seen=2,
                ),
                # an earlier period: not counted for 2026-09, but still overdue
                _alert(
                    ids,
                    "A2",
                    "guarantee.cap",
                    period="2026-05",
                    last_period="2026-05",
                    severity="orange",
                    status="dispatched",
                    due_date=date(2026, 7, 31),
                ),
            ]
        )
        session.commit()
    try:
        yield ReportWorld(ws, factory, ids, tmp_path / "out")
    finally:
        engine.dispose()


@pytest.fixture
def report_world(tmp_path: Path) -> Iterator[ReportWorld]:
    """The world, fresh for a test that builds (or breaks) something itself."""
    with _world(tmp_path) as world:
        yield world


@pytest.fixture(scope="module")
def built_report(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[ReportWorld, Path, Path]]:
    """The world and its zh report (xlsx, pdf), built once for the tests that only read."""
    from zhiguo.supervision.reports import build_monthly_report

    with _world(tmp_path_factory.mktemp("built")) as world, world.factory() as session:
        xlsx, pdf = build_monthly_report(
            session=session,
            lake_root=world.ws.lake,
            engine_settings=world.ws.settings.engine,
            ingest_settings=world.ws.settings.ingest,
            scope=Scope.everything(),
            period=PERIOD,
            out_dir=world.out,
            demo=world.ws.settings.demo_mode,
            now=NOW,
        )
        yield world, xlsx, pdf
