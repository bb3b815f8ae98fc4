"""Portable table dumps: one JSON Lines file per table, values typed exactly.

Why JSON Lines rather than a database's own dump format: the same file restores into
SQLite or PostgreSQL (which is also the migration path between them), and an auditor can
read it. Values keep their exact type: datetimes as ISO 8601 in UTC with the offset,
Decimals as strings, bytes as base64. Columns whose type is a ``TypeDecorator`` (encrypted
fields) are read and written through the underlying type, so ciphertext is copied as
ciphertext and never decrypted.
"""

from __future__ import annotations

import base64
import enum
import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from sqlalchemy import (
    Column,
    Connection,
    Date,
    DateTime,
    Float,
    LargeBinary,
    MetaData,
    Numeric,
    Table,
    Time,
    TypeDecorator,
    func,
    select,
    text,
)
from sqlalchemy.types import TypeEngine

__all__ = ["dump_table", "load_rows", "raw_table", "reset_sequences"]

BATCH = 1000


def _raw_type(column: Column[Any]) -> TypeEngine[Any]:
    kind: TypeEngine[Any] = column.type
    while isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    return kind


def raw_table(table: Table) -> Table:
    """``table`` with every ``TypeDecorator`` replaced by its storage type (no FKs needed:
    tables are loaded in dependency order)."""
    columns = [
        Column(c.name, _raw_type(c), primary_key=c.primary_key, autoincrement=False)
        for c in table.columns
    ]
    return Table(table.name, MetaData(), *columns)


def _encode(value: Any, column: Column[Any]) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else {"$float": repr(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        timezone = isinstance(column.type, DateTime) and column.type.timezone
        if value.tzinfo is None and timezone:
            value = value.replace(tzinfo=UTC)  # SQLite keeps aware values as UTC without offset
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.name
    return value  # JSON columns: already JSON-shaped


def _decoder(column: Column[Any]) -> Callable[[Any], Any]:
    kind = column.type
    if isinstance(kind, DateTime):
        return datetime.fromisoformat
    if isinstance(kind, Date):
        return date.fromisoformat
    if isinstance(kind, Time):
        return time.fromisoformat
    if isinstance(kind, Float):
        return lambda v: float(v["$float"]) if isinstance(v, dict) else float(v)
    if isinstance(kind, Numeric):
        return Decimal if kind.asdecimal else float
    if isinstance(kind, LargeBinary):
        return base64.b64decode
    return lambda v: v


def dump_table(conn: Connection, table: Table, out: IO[str]) -> int:
    """Write every row of ``table`` (ordered by primary key) as JSON Lines; the row count."""
    raw = raw_table(table)
    order = [c for c in raw.columns if c.primary_key] or list(raw.columns)
    names = [c.name for c in raw.columns]
    count = 0
    result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(
        select(raw).order_by(*order)
    )
    for row in result:
        record = {
            name: _encode(value, column)
            for name, value, column in zip(names, row, raw.columns, strict=True)
        }
        out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        count += 1
    return count


def _read(path: Path, table: Table, columns: list[str]) -> Iterator[dict[str, Any]]:
    decoders = {name: _decoder(table.c[name]) for name in columns}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            yield {
                name: None if record.get(name) is None else decoders[name](record[name])
                for name in columns
            }


def _batches(rows: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def load_rows(conn: Connection, table: Table, path: Path, columns: list[str]) -> int:
    """Insert the rows of one dump file into ``table`` (only the dumped ``columns``)."""
    raw = raw_table(table)
    missing = [name for name in columns if name not in raw.c]
    if missing:
        raise KeyError(", ".join(missing))
    count = 0
    for batch in _batches(_read(path, raw, columns)):
        conn.execute(raw.insert(), batch)
        count += len(batch)
    return count


def reset_sequences(conn: Connection, tables: Iterable[Table]) -> None:
    """PostgreSQL: move each integer key's sequence past the restored rows, so the next
    insert does not collide (SQLite derives the next rowid from the data itself)."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        for column in table.primary_key.columns:
            sequence = conn.execute(
                text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
            ).scalar()
            if not sequence:
                continue
            top = conn.execute(select(func.max(column))).scalar()
            conn.execute(
                text("SELECT setval(:s, :v, :called)"),
                {"s": sequence, "v": top if top is not None else 1, "called": top is not None},
            )
