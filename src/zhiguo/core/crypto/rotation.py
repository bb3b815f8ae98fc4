"""Key rotation without downtime: add a key, make it active, re-seal every value.

Why batches: each batch is one short transaction (read up to ``batch_size`` values not yet
under the active key, re-seal, write back only where the value is unchanged), so the app
keeps reading and writing throughout — old and new keys are both in the ring until the
old one is retired, and nothing waits on a long lock. A value written by another process
under the old key after its batch went by is caught by the next pass: passes repeat until
one finds nothing left to do.

Encrypted columns are discovered from the metadata (every column whose type is
:class:`EncryptedText`), so a new encrypted field needs no change here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Column, Engine, MetaData, Table, Text, bindparam, func, select, update
from sqlalchemy import type_coerce as _coerce
from sqlalchemy.sql.elements import ColumnElement

from .errors import KeyFileInvalid, KeyInUse
from .fields import EncryptedText, key_ring_for
from .keyring import ENVELOPE_PREFIX, KeyRing, KeyRingLoader, envelope_key_id

__all__ = [
    "EncryptedColumn",
    "RotationReport",
    "add_active_key",
    "encrypted_columns",
    "key_usage",
    "reencrypt",
    "retire_key",
]

Progress = Callable[[str, int, int], None]  # (table.column, done so far, to do)


@dataclass(frozen=True)
class EncryptedColumn:
    """One encrypted column: its table, its single-column primary key and its context."""

    table: Table
    column: Column[str]
    pk: Column[int]

    @property
    def name(self) -> str:
        return f"{self.table.name}.{self.column.name}"

    @property
    def context(self) -> str:
        assert isinstance(self.column.type, EncryptedText)
        return self.column.type.context

    def raw(self) -> ColumnElement[str]:
        """The column as stored (the envelope text), bypassing decryption."""
        return _coerce(self.column, Text)


def encrypted_columns(metadata: MetaData) -> list[EncryptedColumn]:
    """Every ``EncryptedText`` column of ``metadata`` (tables with a one-column key)."""
    found = []
    for table in metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, EncryptedText):
                pks = list(table.primary_key.columns)
                if len(pks) != 1:
                    raise ValueError(f"{table.name}: encrypted columns need a one-column key")
                found.append(EncryptedColumn(table, column, pks[0]))
    return found


def key_usage(engine: Engine, metadata: MetaData) -> dict[str, Counter[str]]:
    """For each encrypted column, how many stored values each key id seals."""
    usage: dict[str, Counter[str]] = {}
    with engine.connect() as conn:
        for col in encrypted_columns(metadata):
            counts: Counter[str] = Counter()
            rows = conn.execution_options(yield_per=5000).execute(
                select(col.raw()).where(col.column.is_not(None))
            )
            for (value,) in rows:
                counts[envelope_key_id(value) if value.startswith(ENVELOPE_PREFIX) else "?"] += 1
            usage[col.name] = counts
    return usage


@dataclass
class RotationReport:
    """What a re-encryption did: values re-sealed per column, and the passes it took."""

    active: str
    resealed: dict[str, int] = field(default_factory=dict)
    passes: int = 0

    @property
    def total(self) -> int:
        return sum(self.resealed.values())


def _pending(col: EncryptedColumn, active: str) -> ColumnElement[bool]:
    raw = col.raw()
    return col.column.is_not(None) & ~raw.startswith(f"{ENVELOPE_PREFIX}{active}:", autoescape=True)


def reencrypt(
    engine: Engine,
    metadata: MetaData,
    *,
    batch_size: int = 500,
    progress: Progress | None = None,
    max_passes: int = 10,
) -> RotationReport:
    """Re-seal every encrypted value not under the engine's active key, in batches."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    loader = key_ring_for(engine)
    ring = loader.current(reload=True)
    report = RotationReport(active=ring.active)
    columns = encrypted_columns(metadata)
    for _ in range(max_passes):
        report.passes += 1
        changed = 0
        for col in columns:
            changed += _reencrypt_column(engine, loader, col, batch_size, report, progress)
        if changed == 0:
            break
    return report


def _reencrypt_column(
    engine: Engine,
    loader: KeyRingLoader,
    col: EncryptedColumn,
    batch_size: int,
    report: RotationReport,
    progress: Progress | None,
) -> int:
    active = report.active
    with engine.connect() as conn:
        todo = conn.execute(select(func.count()).where(_pending(col, active))).scalar_one()
    done = 0
    last_pk: int | None = None
    stmt = (
        update(col.table)
        .where(col.pk == bindparam("_pk"), col.raw() == bindparam("_old", type_=Text))
        .values({col.column.name: bindparam("_new", type_=Text)})
    )
    while True:
        with engine.begin() as conn:  # one short transaction per batch
            query = select(col.pk, col.raw()).where(_pending(col, active))
            if last_pk is not None:
                query = query.where(col.pk > last_pk)
            rows = conn.execute(query.order_by(col.pk).limit(batch_size)).all()
            if not rows:
                break
            ring: KeyRing = loader.current()
            params = []
            for pk, old in rows:
                plain = loader.decrypt(old, context=col.context)
                params.append(
                    {"_pk": pk, "_old": old, "_new": ring.encrypt(plain, context=col.context)}
                )
            if ring.active != active:
                raise KeyFileInvalid(
                    "轮换期间当前密钥被再次更改", "The active key changed again during rotation"
                )
            conn.execute(stmt, params)
            last_pk = rows[-1][0]
        done += len(rows)
        if progress:
            progress(col.name, done, max(todo, done))
    report.resealed[col.name] = report.resealed.get(col.name, 0) + done
    return done


def add_active_key(path: Path, kid: str | None = None) -> tuple[str | None, KeyRing]:
    """Add a fresh key to the key file and make it active (atomic: temp file + rename).
    A missing file is created with one key. Returns ``(previous active id, new ring)``."""
    if path.exists():
        ring = KeyRing.load(path)
        new = ring.with_new_key(kid)
        previous: str | None = ring.active
    else:
        new = KeyRing.generate(kid or "k1", source=str(path))
        previous = None
    new.save(path)
    return previous, KeyRing(active=new.active, keys=new.keys, source=str(path))


def retire_key(engine: Engine, metadata: MetaData, path: Path, kid: str) -> KeyRing:
    """Remove ``kid`` from the key file — only when no stored value still uses it."""
    ring = KeyRing.load(path)
    smaller = ring.without_key(kid)  # refuses the active key and unknown ids
    in_use = {
        name: counts[kid] for name, counts in key_usage(engine, metadata).items() if counts[kid]
    }
    if in_use:
        where = ", ".join(f"{name} ({n})" for name, n in in_use.items())
        raise KeyInUse(
            f"密钥 {kid} 仍在使用：{where}；请先运行 zhiguo keys rotate 或 reencrypt",
            f"Key {kid} still in use: {where}; run `zhiguo keys rotate` or reencrypt first",
            details={"in_use": in_use},
        )
    smaller.save(path)
    return smaller
