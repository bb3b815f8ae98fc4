"""Fixtures for alert tests: a workspace with the sample registry, builders of indicator-value
rows and of the registry table, so each test states its numbers and expects its alerts.

Sample registry (``zhiguo.testing``): G1 D4610 industrial, A1 D4620 industrial, A11 E4852
non_industrial, A12 M7452 research_tech, A2 J6739 finance, G2 G5412 non_industrial, B1 G5412
non_industrial, B11 L7212 non_industrial.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiguo.core import Workspace, create_db_engine, init_workspace, make_sessionmaker
from zhiguo.datacenter.catalog import sync_catalog
from zhiguo.datacenter.lake import open_table
from zhiguo.registry import Enterprise, load_records
from zhiguo.supervision.alerts import REGISTRY_SCHEMA, RuleSet, parse_rules
from zhiguo.supervision.datasets import INDICATOR_VALUES
from zhiguo.testing import SAMPLE, sample_records

UNITS = {"net_profit": "元", "total_profit": "元"}


def iv(
    enterprise_id: int,
    period: str,
    indicator: str,
    value: float | None,
    *,
    level: str = "entity",
    caliber: str = "default",
    unit: str | None = None,
    status: str | None = None,
) -> dict[str, Any]:
    """One ``supervision.indicator_values`` row."""
    return {
        "enterprise_id": enterprise_id,
        "level": level,
        "period": period,
        "indicator_code": indicator,
        "caliber": caliber,
        "value": value,
        "unit": unit or UNITS.get(indicator, "%"),
        "status": status or ("ok" if value is not None else "not_computable"),
        "reason": None,
        "source_version": 1,
        "library_version": "test",
        "computed_at": datetime(2026, 1, 1, tzinfo=UTC),
    }


def iv_table(rows: list[dict[str, Any]]) -> pa.Table:
    schema = INDICATOR_VALUES.arrow_schema
    return pa.table({f.name: pa.array([r[f.name] for r in rows], f.type) for f in schema})


def registry(rows: list[tuple[int, str, str]]) -> pa.Table:
    """(enterprise_id, industry_code, industry_category) → the registry table."""
    return pa.table(
        {
            "enterprise_id": [r[0] for r in rows],
            "industry_code": [r[1] for r in rows],
            "industry_category": [r[2] for r in rows],
            "supervision_class": [None for _ in rows],
            "level": [2 for _ in rows],
        },
        schema=REGISTRY_SCHEMA,
    )


def one_rule(text: str) -> RuleSet:
    """A rule set of the rules written in ``text`` (TOML, without the built-ins)."""
    return RuleSet(tuple(parse_rules(text, file="test.toml")))


class Kit:
    """The builders above, handed to tests as the ``kit`` fixture (tests import no conftest)."""

    iv = staticmethod(iv)
    iv_table = staticmethod(iv_table)
    registry = staticmethod(registry)
    one_rule = staticmethod(one_rule)


@pytest.fixture
def kit() -> Kit:
    return Kit()


@dataclass
class AlertWorld:
    """A workspace with the sample registry: ids by sample name, and helpers."""

    ws: Workspace
    factory: Callable[[], Session]
    ids: dict[str, int]

    @property
    def lake(self) -> Path:
        return self.ws.root / "lake"

    def commit_values(self, rows: list[dict[str, Any]]) -> int:
        """Commit indicator values (all rows of each period present replace that period)."""
        return open_table(self.lake, "supervision.indicator_values").commit(iv_table(rows))


@pytest.fixture
def alert_world(tmp_path: Path) -> Iterator[AlertWorld]:
    ws = init_workspace(tmp_path / "ws")
    engine = create_db_engine(ws.settings.database_url)
    factory = make_sessionmaker(engine)
    enterprises, ownership = sample_records()
    with factory() as session:
        load_records(session=session, enterprises=enterprises, ownership=ownership)
        sync_catalog(session)
        session.commit()
        by_uscc = {e.uscc: e.id for e in session.scalars(select(Enterprise))}
    ids = {name: by_uscc[uscc] for name, uscc in SAMPLE.items()}
    yield AlertWorld(ws, factory, ids)
    engine.dispose()
