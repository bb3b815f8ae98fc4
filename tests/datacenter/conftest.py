"""Fixtures for data-centre tests: a workspace with the sample registry and a helper that
writes consistent flash-report CSVs (``zhiguo.testing.flash``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from zhiguo.core import Workspace, create_db_engine, init_workspace, make_sessionmaker
from zhiguo.datacenter.catalog import sync_catalog
from zhiguo.registry import load_records
from zhiguo.testing import sample_records


@pytest.fixture
def dc_workspace(tmp_path: Path) -> Iterator[tuple[Workspace, Callable[[], Session]]]:
    """A workspace (SQLite) holding the sample registry, and a session factory."""
    ws = init_workspace(tmp_path / "ws")
    engine = create_db_engine(ws.settings.database_url)
    factory = make_sessionmaker(engine)
    enterprises, ownership = sample_records()
    with factory() as session:
        load_records(session=session, enterprises=enterprises, ownership=ownership)
        sync_catalog(session)
        session.commit()
    yield ws, factory
    engine.dispose()
