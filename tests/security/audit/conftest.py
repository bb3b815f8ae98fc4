"""Fixtures of the audit tests: a migrated workspace DB and helpers an attacker would use."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session, sessionmaker

from zhiguo.core import Settings, Workspace, create_db_engine, make_sessionmaker, session_scope
from zhiguo.security.audit import AuditEvent, record_events, seal


@dataclass
class AuditWorld:
    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]

    def append(self, n: int, event_type: str = "data.export") -> None:
        with session_scope(self.factory) as s:
            record_events(
                s, [AuditEvent(event_type=event_type, object=f"obj-{i}") for i in range(n)]
            )

    def seal(self) -> int:
        head = seal(self.engine, self.settings)
        assert head is not None
        return head.tree_size

    def raw(self, *statements: str) -> None:
        """Run SQL as someone with database access who first drops the guards."""
        with self.engine.begin() as conn:
            drop_guards(conn)
            for sql in statements:
                conn.execute(text(sql))


def drop_guards(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log"))
        conn.execute(text("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log"))
    else:
        conn.execute(text("DROP TRIGGER IF EXISTS audit_log_no_update"))
        conn.execute(text("DROP TRIGGER IF EXISTS audit_log_no_delete"))


@pytest.fixture
def audit_world(workspace: Workspace) -> Iterator[AuditWorld]:
    """A workspace whose DB (SQLite or PostgreSQL) is migrated and has no audit records yet."""
    engine = create_db_engine(workspace.settings)
    try:
        yield AuditWorld(workspace.settings, engine, make_sessionmaker(engine))
    finally:
        engine.dispose()
