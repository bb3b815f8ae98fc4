"""The metadata DB: one SQLAlchemy declarative base, engines, sessions and migrations.

SQLite (WAL, ``synchronous=FULL``, foreign keys on) is the embedded default; PostgreSQL is
the scale-out path, chosen by URL. The schema is owned by Alembic migrations from the first
table on — ``migrate`` brings any database to head; models never ``create_all`` in product
code, and a test proves the models and the migrations agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from .crypto import KeyRingLoader, attach_key_ring
from .errors import DependencyMissing
from .settings import Settings

__all__ = [
    "Base",
    "create_db_engine",
    "current_revision",
    "empty_database",
    "make_sessionmaker",
    "migrate",
    "session_scope",
]

_NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every metadata-DB model (each package's ``models.py``)."""

    metadata = MetaData(naming_convention=_NAMING)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")  # survive power loss (see domain/security.md)
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def create_db_engine(settings_or_url: Settings | str, *, echo: bool = False) -> Engine:
    """An engine for the workspace's metadata DB (or an explicit URL).

    Built from settings, the engine carries the workspace's field key ring (``keys/`` or
    ``ZHIGUO_FIELD_KEYS``) for its ``EncryptedText`` columns; from a bare URL it has none.
    """
    if isinstance(settings_or_url, Settings):
        settings = settings_or_url
        engine = create_db_engine(settings.database_url, echo=echo or settings.database.echo)
        return attach_key_ring(engine, KeyRingLoader.for_workspace(settings.workspace))
    url = settings_or_url
    if url.startswith("postgresql"):
        try:
            import psycopg  # noqa: F401
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise DependencyMissing(
                "使用 PostgreSQL 需要安装：pip install 'zhiguo[postgres]'",
                "PostgreSQL needs the driver: pip install 'zhiguo[postgres]'",
            ) from exc
        return create_engine(url, echo=echo, pool_pre_ping=True)
    engine = create_engine(url, echo=echo)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    here = Path(__file__).parent / "migrations"
    cfg = Config()
    cfg.set_main_option("script_location", str(here))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database to ``revision`` (default: the latest)."""
    from alembic import command

    command.upgrade(_alembic_config(engine), revision)


def empty_database(engine: Engine) -> None:
    """Downgrade to an empty schema (every migration's ``downgrade``): demo resets only."""
    from alembic import command

    command.downgrade(_alembic_config(engine), "base")


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
