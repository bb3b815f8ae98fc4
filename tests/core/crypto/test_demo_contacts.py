"""The demo's fictitious personal data: obviously made up, and encrypted at rest."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from zhiguo.core import create_db_engine
from zhiguo.core.crypto import FIELD_KEYS_ENV, FIELD_KEYS_FILE
from zhiguo.demo import build_demo
from zhiguo.demo.world import demo_contacts, generate_world


def test_demo_contacts_are_fictitious_and_deterministic() -> None:
    world = generate_world("S", 7)
    contacts = demo_contacts(world)
    assert set(contacts) == {e.uscc for e in world.enterprises}
    for name, phone in contacts.values():
        assert re.fullmatch(r"示例.某", name) and re.fullmatch(r"1380000\d{4}", phone)
    assert demo_contacts(generate_world("S", 7)) == contacts


def test_the_demo_stores_them_encrypted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FIELD_KEYS_ENV, raising=False)
    result = build_demo(tmp_path / "demo", months=0, operations=False)
    keys = result.workspace.root / FIELD_KEYS_FILE
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    engine = create_db_engine(result.workspace.settings)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT legal_representative, contact_phone FROM enterprises")
            ).all()
            phones = conn.execute(text("SELECT phone FROM users")).scalars().all()
        assert len(rows) == len(result.world.enterprises) and phones
        for value in [v for row in rows for v in row] + list(phones):
            assert value.startswith("sm4gcm:v1:k1:") and "示例" not in value
    finally:
        engine.dispose()
