"""``zhiguo keys status | rotate | reencrypt | retire`` on a workspace (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from zhiguo.cli import app
from zhiguo.core import Workspace, create_db_engine
from zhiguo.core.crypto import FIELD_KEYS_ENV, FIELD_KEYS_FILE, KeyRing, key_usage
from zhiguo.core.db import Base
from zhiguo.registry.models import Enterprise
from zhiguo.security.audit import AuditRecord
from zhiguo.security.models import User

runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_env_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FIELD_KEYS_ENV, raising=False)


def _write_people(ws: Workspace) -> None:
    engine = create_db_engine(ws.settings)
    with Session(engine) as session:
        for i in range(5):
            session.add(
                Enterprise(
                    uscc=f"91440300MA5CLI{i:04d}", name_zh=f"示例{i}",
                    legal_representative=f"示例{i}号", contact_phone=f"138000{i:05d}",
                )
            )  # fmt: skip
        session.add(User(username="p", role="public", password_hash="x", phone="13800009999"))
        session.commit()
    engine.dispose()


def test_rotate_then_retire(workspace: Workspace) -> None:
    _write_people(workspace)
    ws = ["--workspace", str(workspace.root)]
    status = runner.invoke(app, ["keys", "status", *ws], env={"COLUMNS": "160"})
    assert status.exit_code == 0, status.output
    assert "k1" in status.output and "enterprises.contact_phone" in status.output

    refused = runner.invoke(app, ["keys", "retire", "k1", *ws])
    assert refused.exit_code != 0  # the active key

    rotated = runner.invoke(app, ["keys", "rotate", "--batch", "2", *ws])
    assert rotated.exit_code == 0, rotated.output
    assert "k1 → k2" in rotated.output and "2/5" in rotated.output
    doc = json.loads((workspace.root / FIELD_KEYS_FILE).read_text())
    assert doc["active"] == "k2" and set(doc["keys"]) == {"k1", "k2"}

    retired = runner.invoke(app, ["keys", "retire", "k1", *ws])
    assert retired.exit_code == 0, retired.output
    assert set(KeyRing.load(workspace.root / FIELD_KEYS_FILE).keys) == {"k2"}

    engine = create_db_engine(workspace.settings)
    try:
        usage = key_usage(engine, Base.metadata)
        assert usage["enterprises.contact_phone"] == {"k2": 5}
        assert usage["users.phone"] == {"k2": 1}
        with Session(engine) as session:
            phones = session.scalars(select(Enterprise.contact_phone).order_by(Enterprise.uscc))
            assert list(phones) == [f"138000{i:05d}" for i in range(5)]
            events = session.scalars(
                select(AuditRecord).where(AuditRecord.event_type == "keys.rotate")
            ).all()
            assert [json.loads(e.detail)["action"] for e in events] == ["rotate", "retire"]
    finally:
        engine.dispose()


def test_rotate_refuses_keys_from_the_environment(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(FIELD_KEYS_ENV, json.dumps(KeyRing.generate("e1").to_json()))
    result = runner.invoke(app, ["keys", "rotate", "--workspace", str(workspace.root)])
    assert result.exit_code != 0
    assert isinstance(result.exception, Exception)
    assert "ZHIGUO_FIELD_KEYS" in str(result.exception)
    assert not (workspace.root / FIELD_KEYS_FILE).exists()
