"""Writing one archive per workspace backup (等保 备份恢复); ``restore.py`` reads it back.

Layout of the tar (optionally gzip/xz compressed)::

    db/<table>.jsonl      every table of the metadata DB, in foreign-key order (rows.py)
    lake/…                the Delta tables as files, each cut at the version in the manifest
    inbox/… audit/… reports/…
    keys/…                only with include_keys (keys are normally backed up apart)
    zhiguo.toml           the settings, without the database URL (it may hold a password)
    manifest.json         last: format, schema revision, row counts, lake versions, and the
                          SM3 (GB/T 32905-2016) digest and size of every other member

Consistency: the DB is read in one snapshot transaction (SQLite: one ``BEGIN`` on a WAL
database; PostgreSQL: ``REPEATABLE READ``), the lake after it. A Delta version is never
changed once written, so each table is cut at the version seen after the DB dump: a lake
commit can only be newer than the DB rows describing it, never older.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import tempfile
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import tomli_w
from sqlalchemy import Connection, MetaData, event, inspect

from ..db import Base, create_db_engine
from ..settings import SETTINGS_FILE
from ..workspace import SUBDIRS, Workspace
from .errors import (
    BackupSourceError,
)
from .rows import dump_table

__all__ = [
    "FORMAT",
    "MANIFEST",
    "BackupResult",
    "RestoreResult",
    "create_backup",
]

FORMAT = "zhiguo-backup/1"
MANIFEST = "manifest.json"
KEYS = "keys"
_WRITE_MODES = {".tar": "w", ".gz": "w:gz", ".tgz": "w:gz", ".xz": "w:xz", ".bz2": "w:bz2"}
_CHUNK = 1 << 20

Progress = Callable[[str], None]


def _quiet(_message: str) -> None:
    return None


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]


@dataclass(frozen=True)
class RestoreResult:
    workspace: Path
    manifest: dict[str, Any]


def _sm3() -> Any:
    return hashlib.new("sm3")  # GB/T 32905-2016


def _scripts() -> Any:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parents[1] / "migrations"))
    return ScriptDirectory.from_config(cfg)


def _head_revision() -> str | None:
    head: str | None = _scripts().get_current_head()
    return head


def _known_revision(revision: str) -> bool:
    try:
        return _scripts().get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for an unknown id
        return False


@contextmanager
def _snapshot(url: str) -> Iterator[Connection]:
    """A connection whose reads all see one consistent state of the database."""
    engine = create_db_engine(url)
    if engine.dialect.name == "sqlite":
        # pysqlite opens no transaction for SELECT; begin one explicitly (SQLAlchemy's
        # documented recipe) so every table is read from the same WAL snapshot.
        def _autocommit(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None

        def _begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN")

        event.listen(engine, "connect", _autocommit)
        event.listen(engine, "begin", _begin)
        options: dict[str, Any] = {}
    else:
        options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    try:
        with engine.connect().execution_options(**options) as conn, conn.begin():
            yield conn
    finally:
        engine.dispose()


class _Hashing:
    """A reader that digests what tarfile copies, so each file is read only once."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.digest = _sm3()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data


class _Writer:
    def __init__(self, tar: tarfile.TarFile) -> None:
        self.tar = tar
        self.members: dict[str, dict[str, Any]] = {}

    def add_file(self, name: str, path: Path) -> None:
        info = tarfile.TarInfo(name)
        st = path.stat()
        info.size, info.mtime, info.mode = st.st_size, int(st.st_mtime), 0o600
        with path.open("rb") as raw:
            reader = _Hashing(raw)
            try:
                self.tar.addfile(info, reader)
            except OSError as exc:
                raise BackupSourceError(
                    f"读取 {name} 时文件发生变化：{exc}", f"{name} changed while read: {exc}"
                ) from exc
        self.members[name] = {"sm3": reader.digest.hexdigest(), "bytes": reader.size}

    def add_bytes(self, name: str, data: bytes) -> None:
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = len(data), int(datetime.now(UTC).timestamp()), 0o600
        self.tar.addfile(info, io.BytesIO(data))
        digest = _sm3()
        digest.update(data)
        self.members[name] = {"sm3": digest.hexdigest(), "bytes": len(data)}


def _files(folder: Path) -> Iterator[Path]:
    """Regular files under ``folder`` in a stable order, leaving out files still being
    written (``*.part``, ``*.tmp``) and links (which could point outside the workspace)."""
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_file() or path.suffix in {".part", ".tmp"}:
            continue
        yield path


def _delta_version(log: Path) -> int:
    versions = [int(p.name.split(".")[0]) for p in log.glob("*.json") if p.name[:20].isdigit()]
    return max(versions, default=-1)


def _lake_members(lake: Path) -> tuple[list[tuple[str, Path]], list[dict[str, Any]]]:
    """The lake's files cut at each Delta table's current version, and those versions."""
    tables = {log.parent: _delta_version(log) for log in sorted(lake.rglob("_delta_log"))}
    files: list[tuple[str, Path]] = []
    for path in _files(lake):
        if path.parent.name == "_delta_log" and path.parent.parent in tables:
            cut = tables[path.parent.parent]
            head = path.name.split(".")[0]
            if head.isdigit() and int(head) > cut:
                continue  # committed after the cut: left out so the table ends at ``cut``
            if path.name == "_last_checkpoint":
                continue  # may name a later checkpoint; readers list the log without it
        files.append((path.relative_to(lake.parent).as_posix(), path))
    versions = [
        {"path": table.relative_to(lake.parent).as_posix(), "version": version}
        for table, version in tables.items()
    ]
    return files, versions


def _write_mode(dest: Path) -> str:
    mode = _WRITE_MODES.get(dest.suffix.lower())
    if mode is None:
        raise BackupSourceError(
            f"备份文件名须以 .tar、.tar.gz、.tgz、.tar.xz 或 .tar.bz2 结尾：{dest.name}",
            f"The backup file must end in .tar, .tar.gz, .tgz, .tar.xz or .tar.bz2: {dest.name}",
        )
    return mode


def _settings_without_url(root: Path) -> bytes | None:
    path = root / SETTINGS_FILE
    if not path.is_file():
        return None
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    if isinstance(doc.get("database"), dict):
        doc["database"]["url"] = ""  # may carry a password; the restore chooses its own DB
    return tomli_w.dumps(doc).encode("utf-8")


def create_backup(
    workspace: Workspace,
    dest: Path,
    *,
    metadata: MetaData | None = None,
    include_keys: bool = False,
    progress: Progress = _quiet,
) -> BackupResult:
    """Write one archive of ``workspace`` to ``dest`` (written aside, then renamed).

    ``metadata`` must describe every table (the CLI imports every package's models first);
    a table in the database that it does not declare is refused rather than left out.
    """
    metadata = metadata or Base.metadata
    dest = Path(dest).resolve()
    mode = _write_mode(dest)
    url = workspace.settings.database_url
    part = dest.with_name(dest.name + ".part")
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds every record
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(),
        "include_keys": include_keys,
    }
    try:
        with os.fdopen(fd, "wb") as out, tarfile.open(fileobj=out, mode=mode) as tar:  # type: ignore[call-overload]
            writer = _Writer(tar)
            manifest.update(_dump_database(url, metadata, writer, progress))
            lake_files, lake_versions = _lake_members(workspace.lake)
            manifest["lake_tables"] = lake_versions
            areas: list[tuple[str, Path]] = list(lake_files)
            for area in (a for a in SUBDIRS if a != "lake"):
                areas += [
                    (p.relative_to(workspace.root).as_posix(), p)
                    for p in _files(workspace.root / area)
                ]
            if include_keys:
                areas += [
                    (p.relative_to(workspace.root).as_posix(), p)
                    for p in _files(workspace.root / KEYS)
                ]
            for i, (name, path) in enumerate(areas, start=1):
                writer.add_file(name, path)
                if i % 500 == 0 or i == len(areas):
                    progress(f"文件 files {i}/{len(areas)}")
            settings_doc = _settings_without_url(workspace.root)
            if settings_doc is not None:
                writer.add_bytes(SETTINGS_FILE, settings_doc)
            manifest["members"] = writer.members
            body = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
            writer.add_bytes(MANIFEST, body)
        os.replace(part, dest)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    progress(f"完成 done: {dest}")
    return BackupResult(path=dest, manifest=manifest)


def _dump_database(
    url: str, metadata: MetaData, writer: _Writer, progress: Progress
) -> dict[str, Any]:
    head = _head_revision()
    tables: list[dict[str, Any]] = []
    with _snapshot(url) as conn, tempfile.TemporaryDirectory(prefix="zhiguo-dump-") as tmp:
        from alembic.runtime.migration import MigrationContext

        revision = MigrationContext.configure(conn).get_current_revision()
        if revision != head:
            raise BackupSourceError(
                f"数据库版本 {revision} 不是最新版本 {head}：请先运行 zhiguo init 迁移",
                f"The database is at revision {revision}, not {head}: migrate it first",
            )
        present = set(inspect(conn).get_table_names()) - {"alembic_version"}
        undeclared = sorted(present - set(metadata.tables))
        if undeclared:
            raise BackupSourceError(
                f"数据库中的表未被任何已加载的模型声明：{', '.join(undeclared)}",
                f"Tables in the database no loaded model declares: {', '.join(undeclared)}",
            )
        ordered = [t for t in metadata.sorted_tables if t.name in present]
        for i, table in enumerate(ordered, start=1):
            member = f"db/{table.name}.jsonl"
            path = Path(tmp) / f"{table.name}.jsonl"
            with path.open("w", encoding="utf-8") as out:
                rows = dump_table(conn, table, out)
            writer.add_file(member, path)
            path.unlink()
            tables.append(
                {
                    "name": table.name,
                    "member": member,
                    "rows": rows,
                    "columns": [c.name for c in table.columns],
                }
            )
            progress(f"数据表 tables {i}/{len(ordered)}: {table.name} ({rows})")
        dialect = conn.dialect.name
    return {"alembic_revision": revision, "source_dialect": dialect, "tables": tables}
