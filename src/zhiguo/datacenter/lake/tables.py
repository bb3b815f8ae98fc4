"""Versioned lake tables: Delta Lake (``deltalake``) on Parquet under ``workspace/lake/``.

Why Delta: a commit is one atomic write of a JSON log entry after the Parquet files are in
place, so a writer killed half-way leaves only unreferenced files and the previous version
intact; every version stays readable by number or timestamp ("what did we know that day").

One accepted submission = one commit. A correction for the same replace key (for the flash
report: entity × period × report type) is an overwrite *with a predicate*: the old rows of
that key go, the new ones arrive, in the same commit, as a new version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import CommitProperties, DeltaTable, write_deltalake
from deltalake.exceptions import TableNotFoundError

from zhiguo.core.errors import NotFound
from zhiguo.datacenter.catalog.schemas import DatasetSpec
from zhiguo.datacenter.engine import Relation

__all__ = ["LakeTable", "TableVersion"]


@dataclass(frozen=True)
class TableVersion:
    """One entry of a table's history."""

    version: int
    timestamp: datetime
    operation: str
    metadata: dict[str, Any]


def _sql_literal(value: object) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, bool | int | float):
        return repr(value)
    raise TypeError(f"cannot use {value!r} in a replace predicate")


class LakeTable:
    """The Delta table of one dataset in a workspace's lake."""

    def __init__(self, lake_root: Path, spec: DatasetSpec) -> None:
        self.spec = spec
        self.path = lake_root / spec.name

    # -- state ------------------------------------------------------------------------
    def exists(self) -> bool:
        return DeltaTable.is_deltatable(str(self.path))

    def ensure(self) -> None:
        """Create the (empty) table as version 0 if it does not exist yet."""
        if not self.exists():
            self.path.mkdir(parents=True, exist_ok=True)
            DeltaTable.create(
                str(self.path),
                self.spec.arrow_schema,
                mode="ignore",
                partition_by=list(self.spec.partition_by) or None,
                name=self.spec.name,
                description=self.spec.title_en,
            )

    def _table(self, version: int | None = None, as_of: datetime | None = None) -> DeltaTable:
        try:
            table = DeltaTable(str(self.path))
        except TableNotFoundError:
            raise NotFound(
                f"数据集 {self.spec.name} 尚无数据", f"Dataset {self.spec.name} has no data yet"
            ) from None
        if version is not None or as_of is not None:
            try:
                table.load_as_version(version if version is not None else as_of)  # type: ignore[arg-type]
            except Exception as exc:  # deltalake raises several types for unknown versions
                raise NotFound(
                    f"数据集 {self.spec.name} 没有版本 {version if version is not None else as_of}",
                    f"Dataset {self.spec.name} has no version "
                    f"{version if version is not None else as_of}",
                    details={"reason": str(exc)},
                ) from None
        return table

    def version(self) -> int:
        """The latest version (−1 when the table does not exist)."""
        return self._table().version() if self.exists() else -1

    def history(self, limit: int | None = None) -> list[TableVersion]:
        if not self.exists():
            return []
        out = []
        for entry in self._table().history(limit):
            ts = datetime.fromtimestamp(entry["timestamp"] / 1000).astimezone()
            meta = {
                k: v
                for k, v in entry.items()
                if k not in {"timestamp", "operation", "version", "operationParameters"}
            }
            out.append(TableVersion(entry["version"], ts, entry.get("operation", ""), meta))
        return out

    # -- writes -----------------------------------------------------------------------
    def conform(self, data: pa.Table) -> pa.Table:
        """``data`` with exactly the spec's columns, in order, cast to their types."""
        schema = self.spec.arrow_schema
        return pa.table([data[f.name].cast(f.type) for f in schema], schema=schema)

    def _replace_predicate(self, data: pa.Table) -> str | None:
        """``(period = '…' AND report_type = '…' AND enterprise_id IN (…)) OR …`` for the keys
        present in ``data`` — or None when none of them exists yet (then appending is enough).
        """
        key = self.spec.replace_key
        if not key or not self.exists() or self.version() < 0:
            return None
        keys = data.select(list(key)).group_by(list(key)).aggregate([])
        existing = self._table().to_pyarrow_dataset()
        inner, outer = key[0], key[1:]
        clauses: list[str] = []
        groups = keys.group_by(list(outer)).aggregate([(inner, "list")]) if outer else None
        rows = groups.to_pylist() if groups is not None else [{f"{inner}_list": keys[inner]}]
        found_any = False
        for row in rows:
            inner_values = row[f"{inner}_list"]
            inner_values = (
                inner_values.to_pylist() if hasattr(inner_values, "to_pylist") else inner_values
            )
            conds = [f"{col} = {_sql_literal(row[col])}" for col in outer]
            flt = pc.field(inner).isin(inner_values)
            for col in outer:
                flt = flt & (pc.field(col) == row[col])
            if existing.count_rows(filter=flt) == 0:
                continue
            found_any = True
            values = ", ".join(_sql_literal(v) for v in inner_values)
            clauses.append("(" + " AND ".join([*conds, f"{inner} IN ({values})"]) + ")")
        return " OR ".join(clauses) if found_any else None

    def commit(self, data: pa.Table, *, metadata: Mapping[str, str] | None = None) -> int:
        """Write ``data`` as one atomic commit (replacing rows with the same replace key);
        return the new version."""
        self.ensure()
        data = self.conform(data)
        predicate = self._replace_predicate(data)
        props = CommitProperties(custom_metadata=dict(metadata or {}))
        if predicate:
            write_deltalake(
                str(self.path),
                data,
                mode="overwrite",
                predicate=predicate,
                commit_properties=props,
            )
        else:
            write_deltalake(str(self.path), data, mode="append", commit_properties=props)
        return self.version()

    def replace_all(self, data: pa.Table, *, metadata: Mapping[str, str] | None = None) -> int:
        """Write ``data`` as the whole table in one atomic commit (a snapshot dataset such as
        ``operations.sites``: every version is the complete current state, earlier versions
        stay readable); return the new version."""
        self.ensure()
        write_deltalake(
            str(self.path),
            self.conform(data),
            mode="overwrite",
            commit_properties=CommitProperties(custom_metadata=dict(metadata or {})),
        )
        return self.version()

    def compact(self, *, target_mb: int = 128) -> dict[str, Any]:
        """Rewrite small files into larger ones as one new version (same rows, same answers;
        every earlier version stays readable). One submission = one file, so a month of
        submissions leaves thousands of small files that slow every scan until compacted."""
        if not self.exists():
            return {"numFilesAdded": 0, "numFilesRemoved": 0}
        metrics = self._table().optimize.compact(
            target_size=target_mb * 1024 * 1024,
            commit_properties=CommitProperties(custom_metadata={"zhiguo_action": "compact"}),
        )
        return dict(metrics)

    # -- reads ------------------------------------------------------------------------
    def snapshot(self, *, version: int | None = None, as_of: datetime | None = None) -> Relation:
        """The table as it was at ``version`` or time ``as_of`` (latest if neither)."""
        table = self._table(version, as_of)
        partition_values: dict[str, dict[str, str | None]] = {}
        files = table.file_uris()
        if self.spec.partition_by:
            actions = pa.table(table.get_add_actions(flatten=True)).to_pylist()
            by_path = {unquote(str(a["path"])): a for a in actions}  # percent-encoded
            for uri in files:
                action: dict[str, Any] = next(
                    (a for p, a in by_path.items() if uri.endswith(p)), {}
                )
                partition_values[uri] = {
                    c: action.get(f"partition.{c}") for c in self.spec.partition_by
                }
        return Relation(
            data=table.to_pyarrow_dataset(),
            files=tuple(files),
            partition_values=partition_values,
        )

    def snapshot_version(self, *, version: int | None = None, as_of: datetime | None = None) -> int:
        """Which version ``snapshot`` with these arguments reads."""
        return self._table(version, as_of).version()
