"""Shared fixtures: every database test runs on SQLite **and** on the real PostgreSQL server.

PostgreSQL: one fresh database per test run (created here, dropped at the end), one schema
per test. Without a reachable server the PostgreSQL half is *left out and reported* — unless
``ZHIGUO_REQUIRE_ALL=1`` (CI), where it fails instead. The same holds for Chromium.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from zhiguo.core import Workspace, create_db_engine, init_workspace, make_sessionmaker, migrate
from zhiguo.core.access import Scope
from zhiguo.registry import load_records
from zhiguo.testing import sample_records

REQUIRE_ALL = os.environ.get("ZHIGUO_REQUIRE_ALL") == "1"
PG_ADMIN_URL = os.environ.get(
    "ZHIGUO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
CHROMIUM = os.environ.get("ZHIGUO_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

_left_out: dict[str, str] = {}


def _pg_problem() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure means "not reachable here"
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {type(exc).__name__}"
    return None


def _chromium_problem() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    return None


def _office_problem() -> str | None:
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        return "LibreOffice not found (apt-get install libreoffice-calc-nogui)"
    return None


def _spark_problem() -> str | None:
    import importlib.util

    if importlib.util.find_spec("pyspark") is None:
        return "PySpark not installed (pip install 'zhiguo[spark]')"
    if not shutil.which("java"):
        return "Java not found for Spark (apt-get install openjdk-17-jre-headless)"
    return None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes more than a few seconds")
    config.addinivalue_line("markers", "spark: needs PySpark and Java")
    config._zhiguo_pg = _pg_problem()  # type: ignore[attr-defined]
    config._zhiguo_chromium = _chromium_problem()  # type: ignore[attr-defined]
    config._zhiguo_spark = _spark_problem()  # type: ignore[attr-defined]
    config._zhiguo_office = _office_problem()  # type: ignore[attr-defined]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out what this machine cannot run — loudly, and never under REQUIRE_ALL."""
    if REQUIRE_ALL:
        return
    problems = {
        "postgres": config._zhiguo_pg,  # type: ignore[attr-defined]
        "browser": config._zhiguo_chromium,  # type: ignore[attr-defined]
        "spark": config._zhiguo_spark,  # type: ignore[attr-defined]
        "office": config._zhiguo_office,  # type: ignore[attr-defined]
    }
    keep, drop = [], []
    for item in items:
        reason = next((p for m, p in problems.items() if p and item.get_closest_marker(m)), None)
        if reason:
            drop.append(item)
            _left_out[reason] = str(int(_left_out.get(reason, "0")) + 1)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _left_out:
        terminalreporter.section("left out on this machine (CI runs them: ZHIGUO_REQUIRE_ALL=1)")
        for reason, count in _left_out.items():
            terminalreporter.write_line(f"{count} test(s): {reason}")


@pytest.fixture(scope="session")
def pg_database(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, dropped afterwards."""
    problem = request.config._zhiguo_pg  # type: ignore[attr-defined]
    if problem:
        pytest.fail(f"{problem} — required (ZHIGUO_REQUIRE_ALL=1)")
    name = f"zhiguo_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _pg_schema_url(request: pytest.FixtureRequest) -> Iterator[str]:
    base = request.getfixturevalue("pg_database")
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def fresh_pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """Another empty PostgreSQL schema, for tests that move data between databases
    (restores); dropped afterwards. Tests using it carry the ``postgres`` mark."""
    yield from _pg_schema_url(request)


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A metadata-DB URL, once per backend: SQLite in tmp_path and real PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'meta.db'}"
    else:
        yield from _pg_schema_url(request)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated, empty metadata DB."""
    eng = create_db_engine(db_url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    factory = make_sessionmaker(engine)
    with factory() as s:
        yield s
        s.rollback()


@pytest.fixture
def sample_session(session: Session) -> Session:
    """A session over the small known registry of ``zhiguo.testing`` (two groups)."""
    enterprises, ownership = sample_records()
    load_records(session=session, enterprises=enterprises, ownership=ownership)
    session.commit()
    return session


@pytest.fixture
def everything() -> Scope:
    return Scope.everything()


@pytest.fixture
def workspace(tmp_path: Path, db_url: str) -> Workspace:
    """An initialised workspace whose metadata DB is the backend under test."""
    url = None if db_url.startswith("sqlite") else db_url
    return init_workspace(tmp_path / "ws", database_url=url)
