"""Label integrity: the catalog's labels carry an HMAC-SM3; a database edit that downgrades
one is detected, denies access (ZG-SEC-101) and is audited — on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from zhiguo.core import make_sessionmaker
from zhiguo.core.access import Classification, Scope
from zhiguo.datacenter.catalog import (
    DatasetEntry,
    label_key,
    repair_labels,
    sync_catalog,
    verify_labels,
)
from zhiguo.datacenter.catalog.labels import labels_of_row, mac_labels
from zhiguo.datacenter.lake import DataAccess, data_access, open_table, scoped_snapshot
from zhiguo.security.audit import AuditRecord
from zhiguo.security.classification import ClearanceTooLow, LabelsTampered


@pytest.fixture
def keys_dir(tmp_path: Path) -> Path:
    return tmp_path / "keys"


@pytest.fixture
def signed(session: Session, keys_dir: Path) -> bytes:
    key = label_key(keys_dir)
    sync_catalog(session, key=key)
    session.commit()
    return key


def test_key_file_is_created_private(keys_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZHIGUO_LABEL_KEY", raising=False)
    key = label_key(keys_dir)
    path = keys_dir / "label-hmac.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) == 32 and label_key(keys_dir) == key  # created once, then read
    monkeypatch.setenv("ZHIGUO_LABEL_KEY", "ab" * 32)
    assert label_key(None) == bytes.fromhex("ab" * 32)


def test_signed_catalog_verifies(session: Session, signed: bytes) -> None:
    checks = verify_labels(session, signed)
    assert {c.name for c in checks} >= {"flash_report", "supervision.indicator_values"}
    assert all(c.ok for c in checks)


def _tamper(session: Session, **values: str) -> None:
    session.execute(
        update(DatasetEntry).where(DatasetEntry.name == "flash_report").values(**values)
    )
    session.commit()


def test_downgraded_level_is_detected_and_named(session: Session, signed: bytes) -> None:
    _tamper(session, classification="general")
    bad = [c for c in verify_labels(session, signed) if not c.ok]
    assert [(c.name, c.reason) for c in bad] == [("flash_report", "mac_mismatch")]


def test_dropped_field_label_is_detected(session: Session, signed: bytes) -> None:
    row = session.get(DatasetEntry, "flash_report")
    assert row is not None
    doc = json.loads(row.spec_json)
    doc["columns"][0]["classification"] = "general"
    doc["classification"] = "general"
    for column in doc["columns"]:
        column["classification"] = "general"
    _tamper(session, spec_json=json.dumps(doc))
    assert not next(c for c in verify_labels(session, signed) if c.name == "flash_report").ok


def test_tampered_label_denies_the_read_and_is_audited(
    engine: Engine, session: Session, signed: bytes, keys_dir: Path, tmp_path: Path
) -> None:
    _tamper(session, classification="general")
    table = open_table(tmp_path / "lake", "flash_report")
    context = DataAccess(session=session, keys_dir=keys_dir, sessionmaker=make_sessionmaker(engine))
    with data_access(context), pytest.raises(LabelsTampered) as denied:
        scoped_snapshot(table, Scope.everything())
    assert denied.value.code == "ZG-SEC-101"
    session.rollback()
    events = session.scalars(
        select(AuditRecord).where(AuditRecord.event_type == "labels.tampered")
    ).all()
    assert [(e.object, e.result) for e in events] == [("dataset:flash_report", "denied")]
    # repair rewrites the row from the in-code declaration and re-signs it
    assert repair_labels(session, signed) == ["flash_report"]
    session.commit()
    assert all(c.ok for c in verify_labels(session, signed))


def test_sync_does_not_launder_a_tampered_row(session: Session, signed: bytes) -> None:
    _tamper(session, classification="general")
    sync_catalog(session, key=signed)
    session.commit()
    assert not next(c for c in verify_labels(session, signed) if c.name == "flash_report").ok


def test_verified_catalog_label_above_code_wins(
    session: Session, signed: bytes, keys_dir: Path, tmp_path: Path
) -> None:
    """就高从严 between the code and a (validly signed) catalog label: the higher decides."""
    row = session.get(DatasetEntry, "flash_report")
    assert row is not None
    _level, fields = labels_of_row(row)
    _tamper(
        session,
        classification="core",
        label_mac=mac_labels(signed, "flash_report", "core", fields),
    )
    table = open_table(tmp_path / "lake", "flash_report")
    context = DataAccess(session=session, keys_dir=keys_dir)
    with data_access(context), pytest.raises(ClearanceTooLow):
        scoped_snapshot(table, Scope.everything(clearance=Classification.important))
