"""Supervision fixtures: a small demo world (13 months of fictitious flash reports) with its
indicators computed — built once per test run, read-only for the tests that use it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from zhiguo.core import Workspace, create_db_engine, make_sessionmaker, open_workspace
from zhiguo.datacenter.lake import open_table
from zhiguo.demo import build_demo
from zhiguo.supervision.indicators import compute_indicators

DEMO_MONTHS = 13


@pytest.fixture(scope="session")
def demo_indicators(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Workspace, Callable[[], Session]]]:
    """A demo workspace (SQLite) with 13 months of reports and published indicators."""
    root: Path = tmp_path_factory.mktemp("supervision") / "demo"
    build_demo(root, months=DEMO_MONTHS)
    ws = open_workspace(root)
    engine = create_db_engine(ws.settings.database_url)
    factory = make_sessionmaker(engine)
    with factory() as session:
        if not open_table(ws.lake, "supervision.indicator_values").exists():
            compute_indicators(
                session=session, lake_root=ws.lake, engine_settings=ws.settings.engine
            )
            session.commit()
    yield ws, factory
    engine.dispose()
