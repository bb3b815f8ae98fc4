"""Fixtures for the rectification loop: ``world`` (see ``rectification_world.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rectification_world import USERS, LoopWorld, password_hash
from sqlalchemy import select

from zhiguo.core import Workspace, create_db_engine, make_sessionmaker
from zhiguo.registry import Enterprise, load_records
from zhiguo.security import User
from zhiguo.testing import SAMPLE, sample_records


@pytest.fixture
def world(workspace: Workspace) -> Iterator[LoopWorld]:
    """The sample registry, every user of ``USERS`` and a session (SQLite and PostgreSQL)."""
    engine = create_db_engine(workspace.settings.database_url)
    factory = make_sessionmaker(engine)
    session = factory()
    enterprises, ownership = sample_records()
    load_records(session=session, enterprises=enterprises, ownership=ownership)
    ent = {
        key: session.scalars(select(Enterprise.id).where(Enterprise.uscc == uscc)).one()
        for key, uscc in SAMPLE.items()
    }
    users = {}
    for name, (role, where) in USERS.items():
        user = User(
            username=name,
            display_name=name,
            role=role.value,
            enterprise_id=ent[where] if where else None,
            password_hash=password_hash(),
            must_change_password=False,
            disabled=name == "a11_gone",
        )
        session.add(user)
        users[name] = user
    session.commit()
    try:
        yield LoopWorld(ws=workspace, session=session, factory=factory, ent=ent, users=users)
    finally:
        session.rollback()
        session.close()
        engine.dispose()
