"""Encrypted columns in the metadata DB, and `keys rotate` re-sealing them in batches —
on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, Text, select, type_coerce
from sqlalchemy.orm import Session

from zhiguo.core import Workspace, create_db_engine, make_sessionmaker
from zhiguo.core.crypto import (
    FIELD_KEYS_ENV,
    FIELD_KEYS_FILE,
    EncryptedText,
    KeyInUse,
    KeyRingLoader,
    KeyUnavailable,
    add_active_key,
    attach_key_ring,
    encrypted_columns,
    key_ring_for,
    key_usage,
    reencrypt,
    retire_key,
)
from zhiguo.core.db import Base
from zhiguo.registry.models import Enterprise
from zhiguo.security.models import User

PEOPLE = [(f"示例{s}", f"1380000{i:04d}") for i, s in enumerate("赵钱孙李周吴郑")]


@pytest.fixture(autouse=True)
def _no_env_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FIELD_KEYS_ENV, raising=False)


def _uscc(i: int) -> str:
    return f"91440300MA5TEST{i:03d}"


def _fill(engine: Engine) -> None:
    with Session(engine) as session:
        for i, (name, phone) in enumerate(PEOPLE):
            session.add(
                Enterprise(
                    uscc=_uscc(i), name_zh=f"示例企业{i}", legal_representative=name,
                    contact_phone=phone,
                )
            )  # fmt: skip
        session.add(Enterprise(uscc=_uscc(99), name_zh="示例无联系人"))
        for i, (_name, phone) in enumerate(PEOPLE[:3]):
            session.add(User(username=f"u{i}", role="public", password_hash="x", phone=phone))
        session.commit()


def _raw(engine: Engine) -> list[str]:
    values = []
    with engine.connect() as conn:
        for col in encrypted_columns(Base.metadata):
            values += [v for (v,) in conn.execute(select(col.raw())) if v is not None]
    return values


def test_every_encrypted_column_names_its_own_column() -> None:
    found = {col.name: col.context for col in encrypted_columns(Base.metadata)}
    assert {"users.phone", "enterprises.legal_representative", "enterprises.contact_phone"} <= set(
        found
    )
    assert all(name == context for name, context in found.items())


def test_rotation_reseals_every_value_under_the_new_key(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / FIELD_KEYS_FILE
    attach_key_ring(engine, KeyRingLoader(path=path))
    _fill(engine)
    before = _raw(engine)
    assert len(before) == 2 * len(PEOPLE) + 3
    assert all(v.startswith("sm4gcm:v1:k1:") for v in before)
    for name, phone in PEOPLE:  # the database never holds the plaintext
        assert not any(name in v or phone in v for v in before)
    assert add_active_key(path)[0] == "k1"  # k2 is active now; k1 still seals every value
    with pytest.raises(KeyInUse) as info:
        retire_key(engine, Base.metadata, path, "k1")
    assert info.value.code == "ZG-CRYPTO-005"

    seen: list[tuple[str, int, int]] = []
    report = reencrypt(
        engine, Base.metadata, batch_size=3, progress=lambda c, d, t: seen.append((c, d, t))
    )

    after = _raw(engine)
    assert report.active == "k2" and report.total == len(before) == len(after)
    assert report.resealed["enterprises.contact_phone"] == len(PEOPLE)
    assert all(v.startswith("sm4gcm:v1:k2:") for v in after)
    assert not set(before) & set(after)
    assert ("enterprises.contact_phone", 3, len(PEOPLE)) in seen  # batches of three
    assert key_usage(engine, Base.metadata)["users.phone"] == {"k2": 3}
    with Session(engine) as session:
        rows = session.scalars(select(Enterprise).order_by(Enterprise.uscc)).all()
        got = [(e.legal_representative, e.contact_phone) for e in rows]
        assert got == [*PEOPLE, (None, None)]
        assert sorted(session.scalars(select(User.phone))) == sorted(p for _n, p in PEOPLE[:3])
    assert set(retire_key(engine, Base.metadata, path, "k1").keys) == {"k2"}
    assert reencrypt(engine, Base.metadata).total == 0  # nothing left to do


def test_an_engine_without_keys_refuses_encrypted_values(engine: Engine, tmp_path: Path) -> None:
    with Session(engine) as session:
        session.add(Enterprise(uscc=_uscc(1), name_zh="示例", contact_phone="13800000001"))
        with pytest.raises(KeyUnavailable) as info:
            session.flush()
        assert info.value.code == "ZG-CRYPTO-001"
        session.rollback()
        session.add(Enterprise(uscc=_uscc(2), name_zh="示例"))  # NULL needs no key
        session.commit()
        assert session.scalars(select(Enterprise.contact_phone)).all() == [None]


def test_workspace_engines_carry_the_workspace_keys(workspace: Workspace) -> None:
    engine = create_db_engine(workspace.settings)
    try:
        factory = make_sessionmaker(engine)
        with factory() as session:
            session.add(User(username="p", role="public", password_hash="x", phone="13800009999"))
            session.commit()
        assert (workspace.root / FIELD_KEYS_FILE).is_file()
        with engine.connect() as conn:
            raw = conn.execute(select(type_coerce(User.phone, Text))).scalar_one()
        assert raw.startswith("sm4gcm:v1:k1:") and "13800009999" not in raw
        with factory() as session:
            user = session.scalars(select(User).where(User.username == "p")).one()
            assert user.phone == "13800009999"  # deferred: loaded on access
    finally:
        engine.dispose()


def test_encrypted_text_needs_a_table_dot_column_context() -> None:
    with pytest.raises(ValueError, match=r"table\.column"):
        EncryptedText("phone")


def test_values_written_under_the_old_key_during_rotation_are_caught(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    path = tmp_path / FIELD_KEYS_FILE
    attach_key_ring(engine, KeyRingLoader(path=path))
    _fill(engine)
    app = attach_key_ring(create_db_engine(db_url), KeyRingLoader(path=path))
    stale = key_ring_for(app)
    stale.current()
    stale.refresh_seconds = 3600.0  # a running app that has not noticed the rotation yet
    add_active_key(path)
    late: list[str] = []

    def app_writes_meanwhile(column: str, done: int, total: int) -> None:
        if column == "enterprises.contact_phone" and not late:
            # behind the rotation's cursor, the app stores a new phone — under k1
            late.append("13800007777")
            with Session(app) as session:
                first = session.scalars(select(Enterprise).where(Enterprise.uscc == _uscc(0)))
                first.one().contact_phone = late[0]
                session.commit()

    try:
        report = reencrypt(engine, Base.metadata, batch_size=2, progress=app_writes_meanwhile)
        assert late and report.passes == 3  # the second pass re-seals it, the third finds none
        assert report.resealed["enterprises.contact_phone"] == len(PEOPLE) + 1
        assert key_usage(engine, Base.metadata)["enterprises.contact_phone"] == {"k2": len(PEOPLE)}
        with Session(app) as session:  # the stale app reads the re-sealed value (reloads)
            got = session.scalars(
                select(Enterprise.contact_phone).where(Enterprise.uscc == _uscc(0))
            ).one()
            assert got == late[0]
    finally:
        app.dispose()
