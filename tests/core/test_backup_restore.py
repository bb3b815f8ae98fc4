"""Backup and a tested restore (等保 备份恢复): a small world is backed up, restored into a
fresh workspace and compared — every table row for row, every lake table's history and
data, every inbox file byte for byte. A tampered archive and a non-empty target are refused
with nothing written. SQLite and PostgreSQL, and SQLite → PostgreSQL (the migration path)."""

from __future__ import annotations

import io
import shutil
import tarfile
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from deltalake import DeltaTable
from sqlalchemy import (
    Column,
    DateTime,
    MetaData,
    Table,
    TypeDecorator,
    select,
    text,
)
from typer.testing import CliRunner

from zhiguo.cli.common import load_all_models
from zhiguo.cli.main import app as cli_app
from zhiguo.core import (
    Role,
    Scope,
    Workspace,
    create_db_engine,
    init_workspace,
    make_sessionmaker,
    session_scope,
)
from zhiguo.core.backup import (
    BackupTampered,
    RestoreTargetNotEmpty,
    create_backup,
    read_manifest,
    restore_backup,
)
from zhiguo.datacenter.catalog import sync_catalog
from zhiguo.datacenter.ingest import ingest_file
from zhiguo.registry import load_records
from zhiguo.registry.models import Enterprise
from zhiguo.security import add_user
from zhiguo.testing import SAMPLE, sample_records
from zhiguo.testing.flash import flash_report_rows, write_csv

METADATA = load_all_models()
PHONE = "13800138000"


def _build_world(ws: Workspace, tmp_path: Path) -> None:
    """The sample registry, two users, the catalog and two ingested flash reports."""
    engine = create_db_engine(ws.settings)
    factory = make_sessionmaker(engine)
    try:
        with session_scope(factory) as session:
            enterprises, ownership = sample_records()
            load_records(session=session, enterprises=enterprises, ownership=ownership)
            sync_catalog(session)
            add_user(session=session, username="analyst", role=Role.REGULATOR_ANALYST,
                     password="Analyst-Pass-2024!")  # fmt: skip
            add_user(session=session, username="off_a1", role=Role.ENTERPRISE_OFFICER,
                     enterprise_uscc=SAMPLE["A1"], password="OfficerA1-Pass-2024!")  # fmt: skip
            a1 = session.scalars(select(Enterprise).where(Enterprise.uscc == SAMPLE["A1"])).one()
            a1.contact_phone = PHONE  # an SM4-GCM encrypted column
        for period in ("2026-01", "2026-02"):
            path = write_csv(tmp_path / f"a1-{period}.csv", flash_report_rows(SAMPLE["A1"], period))
            with session_scope(factory) as session:
                result = ingest_file(session=session, settings=ws.settings, path=path,
                                     dataset="flash_report", submitter="analyst",
                                     scope=Scope.everything())  # fmt: skip
                assert result.status == "accepted", result.errors
    finally:
        engine.dispose()


def _normal(value: Any, tz: bool) -> Any:
    """One spelling per value across backends: datetimes of timezone columns in UTC."""
    if isinstance(value, datetime) and tz:
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, Decimal):
        value = value.normalize()
    return value


def _stored(table: Table) -> Table:
    """``table`` as stored: encrypted columns read as their ciphertext (no key needed)."""
    return Table(
        table.name,
        MetaData(),
        *(
            Column(
                c.name,
                c.type.impl_instance if isinstance(c.type, TypeDecorator) else c.type,
                primary_key=c.primary_key,
            )
            for c in table.columns
        ),
    )


def _db_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            out = {}
            for table in map(_stored, METADATA.sorted_tables):
                tz = [isinstance(c.type, DateTime) and c.type.timezone for c in table.columns]
                keys = list(table.primary_key.columns) or list(table.columns)
                out[table.name] = [
                    tuple(_normal(v, z) for v, z in zip(row, tz, strict=True))
                    for row in conn.execute(select(table).order_by(*keys))
                ]
            return out
    finally:
        engine.dispose()


def _lake(root: Path) -> dict[str, Any]:
    out = {}
    for log in sorted((root / "lake").rglob("_delta_log")):
        table = DeltaTable(str(log.parent))
        history = sorted((h["version"], h.get("operation")) for h in table.history())
        data = table.to_pyarrow_table()
        out[log.parent.relative_to(root).as_posix()] = (
            table.version(),
            history,
            data.sort_by([(n, "ascending") for n in data.column_names]).to_pylist(),
        )
    return out


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def _assert_same(source: Workspace, restored: Workspace) -> None:
    before, after = _db_rows(source.settings.database_url), _db_rows(restored.settings.database_url)
    assert before.keys() == after.keys()
    for name in before:
        assert after[name] == before[name], name
    assert before["users"] and before["enterprises"] and before["ingest_batches"]
    assert not any(PHONE in repr(rows) for rows in after.values())  # still ciphertext
    lake = _lake(source.root)
    assert lake and _lake(restored.root) == lake
    inbox = _files(source.inbox)
    assert inbox and _files(restored.inbox) == inbox


@pytest.fixture
def second_db(request: pytest.FixtureRequest, db_url: str) -> str | None:
    """Where the restore goes: a fresh PostgreSQL schema, or ``None`` (SQLite in the target)."""
    if db_url.startswith("sqlite"):
        return None
    url: str = request.getfixturevalue("fresh_pg_url")
    return url


def test_backup_restores_every_row_lake_version_and_file(
    workspace: Workspace, second_db: str | None, tmp_path: Path
) -> None:
    _build_world(workspace, tmp_path)
    archive = create_backup(workspace, tmp_path / "b.tar.gz", metadata=METADATA).path
    manifest = read_manifest(archive)
    assert {t["name"]: t["rows"] for t in manifest["tables"]}["enterprises"] == len(SAMPLE)
    assert all(len(m["sm3"]) == 64 for m in manifest["members"].values())
    assert [t["version"] for t in manifest["lake_tables"]] and not any(
        name.startswith("keys/") for name in manifest["members"]
    )
    restored = restore_backup(
        archive, tmp_path / "restored", database_url=second_db, metadata=METADATA
    )
    _assert_same(workspace, Workspace(restored.workspace, _settings(restored.workspace)))
    # the restored PostgreSQL sequences continue after the restored keys
    ws = Workspace(restored.workspace, _settings(restored.workspace))
    engine = create_db_engine(ws.settings)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            add_user(session=session, username="after", role=Role.REGULATOR_ANALYST,
                     password="After-Restore-2024!")  # fmt: skip
    finally:
        engine.dispose()


def _settings(root: Path) -> Any:
    from zhiguo.core import open_workspace

    return open_workspace(root).settings


@pytest.mark.postgres
def test_a_sqlite_backup_restores_into_postgresql(tmp_path: Path, fresh_pg_url: str) -> None:
    source = init_workspace(tmp_path / "ws")
    _build_world(source, tmp_path)
    archive = create_backup(source, tmp_path / "b.tar", metadata=METADATA).path
    restored = restore_backup(
        archive, tmp_path / "pg", database_url=fresh_pg_url, metadata=METADATA
    )
    target = Workspace(restored.workspace, _settings(restored.workspace))
    assert target.settings.database_url.startswith("postgresql")
    _assert_same(source, target)


@pytest.fixture
def sqlite_backup(tmp_path: Path) -> tuple[Workspace, Path]:
    source = init_workspace(tmp_path / "ws")
    _build_world(source, tmp_path)
    return source, create_backup(source, tmp_path / "b.tar", metadata=METADATA).path


def _rewrite(archive: Path, member: str, change: Any) -> Path:
    """A copy of ``archive`` with one member's bytes changed by ``change``."""
    out = archive.with_name("tampered.tar")
    with tarfile.open(archive) as src, tarfile.open(out, "w") as dst:
        for info in src:
            data = src.extractfile(info).read()  # type: ignore[union-attr]
            if info.name == member:
                data = change(data)
                info.size = len(data)
            dst.addfile(info, io.BytesIO(data))
    return out


def test_a_tampered_archive_is_refused_naming_the_member(
    sqlite_backup: tuple[Workspace, Path], tmp_path: Path
) -> None:
    _source, archive = sqlite_backup
    tampered = _rewrite(archive, "db/users.jsonl", lambda b: b.replace(b"off_a1", b"off_a2"))
    target = tmp_path / "target"
    with pytest.raises(BackupTampered) as caught:
        restore_backup(tampered, target, metadata=METADATA)
    assert caught.value.code == "ZG-BACKUP-011"
    assert "db/users.jsonl" in caught.value.message_en
    assert not target.exists()
    assert not list(tmp_path.glob(".zhiguo-restore-*"))


def test_a_non_empty_target_is_refused_unless_forced(
    sqlite_backup: tuple[Workspace, Path], tmp_path: Path
) -> None:
    source, archive = sqlite_backup
    target = tmp_path / "target"
    restore_backup(archive, target, metadata=METADATA)
    (target / "inbox" / "marker.txt").write_text("kept?", encoding="utf-8")
    with pytest.raises(RestoreTargetNotEmpty) as caught:
        restore_backup(archive, target, metadata=METADATA)
    assert "users" in caught.value.message_en
    assert (target / "inbox" / "marker.txt").exists()
    restore_backup(archive, target, metadata=METADATA, force=True)
    assert not (target / "inbox" / "marker.txt").exists()
    _assert_same(source, Workspace(target, _settings(target)))


def test_cli_backup_and_restore(sqlite_backup: tuple[Workspace, Path], tmp_path: Path) -> None:
    source, _archive = sqlite_backup
    runner = CliRunner()
    archive = tmp_path / "cli.tar.gz"
    made = runner.invoke(cli_app, ["backup", "-w", str(source.root), "--to", str(archive)])
    assert made.exit_code == 0, made.output
    assert archive.is_file() and "backup written" in made.output
    target = tmp_path / "cli-restored"
    done = runner.invoke(cli_app, ["restore", str(archive), "--workspace", str(target)])
    assert done.exit_code == 0, done.output
    again = runner.invoke(cli_app, ["restore", str(archive), "--workspace", str(target)])
    assert again.exit_code != 0
    assert isinstance(again.exception, RestoreTargetNotEmpty)
    # each side's audit chain records the act (等保 安全审计)
    for root, event in ((source.root, "backup.create"), (target, "backup.restore")):
        engine = create_db_engine(_settings(root))
        try:
            with engine.connect() as conn:
                events = conn.execute(text("SELECT event_type FROM audit_log")).scalars().all()
        finally:
            engine.dispose()
        assert event in events, (root, events)


def _phone(ws: Workspace) -> str | None:
    engine = create_db_engine(ws.settings)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            a1 = session.scalars(select(Enterprise).where(Enterprise.uscc == SAMPLE["A1"])).one()
            return a1.contact_phone
    finally:
        engine.dispose()


def test_keys_travel_only_when_asked(sqlite_backup: tuple[Workspace, Path], tmp_path: Path) -> None:
    source, archive = sqlite_backup
    assert _phone(source) == PHONE
    assert not any(m.startswith("keys/") for m in read_manifest(archive)["members"])
    with_keys = create_backup(source, tmp_path / "k.tar.gz", metadata=METADATA, include_keys=True)
    keys = [m for m in with_keys.manifest["members"] if m.startswith("keys/")]
    assert keys
    target = restore_backup(with_keys.path, tmp_path / "k", metadata=METADATA).workspace
    assert _phone(Workspace(target, _settings(target))) == PHONE  # the keys decrypt it there
    for name in keys:
        assert (target / name).stat().st_mode & 0o077 == 0  # owner only
    # the usual way: the keys kept apart are put in place first, then the data restored
    apart = tmp_path / "apart"
    shutil.copytree(source.root / "keys", apart / "keys")
    restore_backup(archive, apart, metadata=METADATA)
    assert _phone(Workspace(apart, _settings(apart))) == PHONE
