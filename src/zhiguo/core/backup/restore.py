"""Restoring an archive: verify every member's SM3 into a staging folder beside the
target, check the target is empty (or --force), then load the database in foreign-key order
at the archive's schema revision, migrate to head, and move the files into place."""

from __future__ import annotations

import json
import os
import shutil
import stat
import tarfile
import tempfile
import tomllib
from pathlib import Path, PurePosixPath
from typing import Any

import tomli_w
from sqlalchemy import Engine, MetaData, Table, func, inspect, select

from ..db import Base, create_db_engine, current_revision, migrate
from ..settings import SETTINGS_FILE
from ..workspace import SUBDIRS, open_workspace
from .archive import (
    _CHUNK,
    FORMAT,
    KEYS,
    MANIFEST,
    Progress,
    RestoreResult,
    _files,
    _known_revision,
    _quiet,
    _sm3,
)
from .errors import (
    BackupIncompatible,
    BackupIncomplete,
    BackupTampered,
    BackupUnexpectedMember,
    BackupUnreadable,
    RestoreTargetNotEmpty,
)
from .rows import load_rows, reset_sequences

__all__ = ["read_manifest", "restore_backup"]


def _open(archive: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(archive, mode="r:*")
    except (tarfile.TarError, OSError) as exc:
        raise BackupUnreadable(
            f"无法读取备份文件 {archive.name}：{exc}", f"Cannot read {archive.name}: {exc}"
        ) from exc


def read_manifest(archive: Path) -> dict[str, Any]:
    """The manifest of an archive (not yet verified against the members)."""
    with _open(Path(archive)) as tar:
        return _manifest(tar, Path(archive))


def _manifest(tar: tarfile.TarFile, archive: Path) -> dict[str, Any]:
    try:
        raw = tar.extractfile(MANIFEST)
        doc = json.loads(raw.read()) if raw else None
    except (KeyError, tarfile.TarError, OSError, ValueError) as exc:
        raise BackupUnreadable(
            f"{archive.name} 没有可读的 {MANIFEST}", f"{archive.name} has no readable {MANIFEST}"
        ) from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise BackupIncompatible(
            f"{archive.name} 的格式不是 {FORMAT}", f"{archive.name} is not in format {FORMAT}"
        )
    return doc


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    top = path.parts[0] if path.parts else ""
    return (
        not path.is_absolute()
        and ".." not in path.parts
        and "\\" not in name
        and (top in {*SUBDIRS, KEYS, "db"} or name in {SETTINGS_FILE, MANIFEST})
    )


def _extract_verified(tar: tarfile.TarFile, manifest: dict[str, Any], stage: Path) -> None:
    """Copy every member into ``stage`` while digesting it; refuse on the first member that
    is unlisted, unsafe, or whose SM3 differs. The caller removes ``stage`` on error."""
    expected: dict[str, dict[str, Any]] = manifest.get("members") or {}
    seen: set[str] = set()
    for info in tar:
        name = info.name
        if name == MANIFEST:
            continue
        if not info.isfile() or not _safe_name(name) or name not in expected or name in seen:
            raise BackupUnexpectedMember(
                f"备份文件含清单之外或不安全的成员：{name}",
                f"The archive holds an unlisted or unsafe member: {name}",
            )
        seen.add(name)
        target = stage / name
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = _sm3()
        source = tar.extractfile(info)
        assert source is not None
        with target.open("wb") as out:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != expected[name].get("sm3"):
            raise BackupTampered(
                f"备份成员 {name} 的 SM3 摘要与清单不符，未恢复任何内容",
                f"Member {name} does not match its SM3 digest in the manifest; nothing restored",
            )
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupIncomplete(
            f"备份文件缺少成员：{', '.join(missing[:5])}",
            f"The archive lacks members: {', '.join(missing[:5])}",
        )


def _row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: conn.execute(
                select(func.count()).select_from(Table(name, MetaData()))
            ).scalar_one()
            for name in inspect(conn).get_table_names()
            if name != "alembic_version"
        }


def _seeded_rows() -> dict[str, int]:
    """Rows the migrations themselves insert (e.g. the audit chain's head): a freshly
    initialised workspace holds them and still counts as empty."""
    engine = create_db_engine("sqlite://")
    try:
        migrate(engine)
        return _row_counts(engine)
    finally:
        engine.dispose()


def _db_occupancy(url: str) -> list[str]:
    engine = create_db_engine(url)
    try:
        counts = _row_counts(engine)
    finally:
        engine.dispose()
    if not any(counts.values()):
        return []
    seeded = _seeded_rows()
    return [f"{name} ({n})" for name, n in counts.items() if n > seeded.get(name, 0)]


def _occupancy(target: Path, url: str, areas: tuple[str, ...]) -> list[str]:
    """What the target already holds: files in ``areas`` and rows in its database."""
    found = [f"{area}/" for area in areas if any(_files(target / area))]
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return found  # no database file yet (and checking must not create one)
    try:
        found += _db_occupancy(url)
    except Exception as exc:  # an unreachable DB: say so rather than overwrite blindly
        found.append(f"database ({type(exc).__name__})")
    return found


def _drop_all(url: str) -> None:
    """Empty the target database (verified empty, or --force), whatever revision it is at."""
    engine = create_db_engine(url)
    try:
        reflected = MetaData()
        with engine.begin() as conn:
            reflected.reflect(conn)
            reflected.drop_all(conn)
    finally:
        engine.dispose()


def _target_url(target: Path, database_url: str | None) -> str:
    if not (target / SETTINGS_FILE).is_file():
        return database_url or f"sqlite:///{(target / 'meta.db').resolve()}"
    if database_url:
        return database_url
    return open_workspace(target).settings.database_url


def _write_settings(target: Path, stage: Path, database_url: str | None) -> None:
    path = target / SETTINGS_FILE
    staged = stage / SETTINGS_FILE
    if path.is_file():
        if database_url:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
            doc.setdefault("database", {})["url"] = database_url
            path.write_text(tomli_w.dumps(doc), encoding="utf-8")
        return
    doc = tomllib.loads(staged.read_text(encoding="utf-8")) if staged.is_file() else {}
    doc.setdefault("database", {})["url"] = database_url or ""
    path.write_text(
        "# zhiguo workspace settings (restored); ZHIGUO_* environment variables override these.\n"
        + tomli_w.dumps(doc),
        encoding="utf-8",
    )


def restore_backup(
    archive: Path,
    target: Path,
    *,
    database_url: str | None = None,
    force: bool = False,
    metadata: MetaData | None = None,
    progress: Progress = _quiet,
) -> RestoreResult:
    """Restore ``archive`` into the workspace folder ``target``.

    Order matters: the archive is verified member by member into a staging folder beside
    the target, and the target is checked to be empty, before anything in it is touched.
    """
    metadata = metadata or Base.metadata
    archive, target = Path(archive).resolve(), Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=".zhiguo-restore-", dir=target.parent))
    try:
        with _open(archive) as tar:
            manifest = _manifest(tar, archive)
            progress("校验 SM3 verifying members …")
            _extract_verified(tar, manifest, stage)
        revision = manifest.get("alembic_revision")
        if not isinstance(revision, str) or not _known_revision(revision):
            raise BackupIncompatible(
                f"备份的数据库版本 {revision} 不为本版本 zhiguo 所知",
                f"This zhiguo does not know the backup's schema revision {revision}",
            )
        unknown = [t["name"] for t in manifest["tables"] if t["name"] not in metadata.tables]
        if unknown:
            raise BackupIncompatible(
                f"备份含本版本不认识的表：{', '.join(unknown)}",
                f"The backup holds tables this version does not know: {', '.join(unknown)}",
            )
        # keys/ is the target's own business unless the archive brings keys: an operator
        # may well have put the separately kept keys in place before restoring the data.
        areas = (*SUBDIRS, KEYS) if manifest.get("include_keys") else SUBDIRS
        url = _target_url(target, database_url)
        busy = _occupancy(target, url, areas)
        if busy and not force:
            raise RestoreTargetNotEmpty(
                f"{target} 已有数据：{'; '.join(busy)}（确认覆盖请加 --force）",
                f"{target} already holds data: {'; '.join(busy)} (add --force to overwrite)",
            )
        target.mkdir(parents=True, exist_ok=True)
        _write_settings(target, stage, database_url)
        ws = open_workspace(target)
        if force:
            for area in areas:
                shutil.rmtree(target / area, ignore_errors=True)
        _drop_all(ws.settings.database_url)
        _restore_database(ws.settings.database_url, stage, manifest, metadata, progress)
        for area in areas:
            staged = stage / area
            if staged.is_dir():
                shutil.rmtree(target / area, ignore_errors=True)
                shutil.move(staged, target / area)
            elif area in SUBDIRS:
                (target / area).mkdir(exist_ok=True)
        if (target / KEYS).is_dir():
            os.chmod(target / KEYS, stat.S_IRWXU)
            for path in _files(target / KEYS):
                os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    progress(f"完成 done: {target}")
    return RestoreResult(workspace=target, manifest=manifest)


def _restore_database(
    url: str, stage: Path, manifest: dict[str, Any], metadata: MetaData, progress: Progress
) -> None:
    engine: Engine = create_db_engine(url)
    try:
        migrate(engine, manifest["alembic_revision"])
        tables = manifest["tables"]
        with engine.begin() as conn:
            for entry in reversed(tables):  # rows the migrations seeded give way to the backup's
                conn.execute(metadata.tables[entry["name"]].delete())
            for i, entry in enumerate(tables, start=1):
                table = metadata.tables[entry["name"]]
                rows = load_rows(conn, table, stage / entry["member"], list(entry["columns"]))
                if rows != entry["rows"]:
                    raise BackupIncomplete(
                        f"表 {table.name} 应有 {entry['rows']} 行，实际 {rows} 行",
                        f"Table {table.name} should hold {entry['rows']} rows, found {rows}",
                    )
                progress(f"数据表 tables {i}/{len(tables)}: {table.name} ({rows})")
            reset_sequences(conn, [metadata.tables[e["name"]] for e in tables])
        migrate(engine)
        progress(f"数据库版本 revision {current_revision(engine)}")
    finally:
        engine.dispose()
