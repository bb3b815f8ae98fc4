"""What a query may read: named relations, each an Arrow table or a lake snapshot, optionally
narrowed to the rows the caller may see.

The row filter is applied by the engine itself when it registers the relation, so a query
cannot forget it: ``SELECT count(*)`` over a scoped relation counts only visible rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.dataset as ds

__all__ = ["Relation", "RowFilter"]


@dataclass(frozen=True)
class RowFilter:
    """Keep only rows whose ``column`` is one of ``values`` (an empty tuple keeps nothing)."""

    column: str
    values: tuple[int | str, ...]


@dataclass(frozen=True)
class Relation:
    """A named input of a query.

    ``data`` is what embedded engines read (an in-memory table or an Arrow dataset over a
    lake snapshot). ``files`` are the Parquet files of that snapshot, for engines that read
    files themselves (Spark); ``partition_values`` maps each file to its Delta partition
    values, because Delta keeps those in the log, not in the files.
    """

    data: pa.Table | ds.Dataset
    files: Sequence[str] = ()
    partition_values: dict[str, dict[str, str | None]] = field(default_factory=dict)
    row_filter: RowFilter | None = None

    @property
    def schema(self) -> pa.Schema:
        return self.data.schema

    def narrowed(self, row_filter: RowFilter | None) -> Relation:
        """The same relation seen through ``row_filter`` (None keeps it as it is)."""
        if row_filter is None:
            return self
        return Relation(self.data, self.files, self.partition_values, row_filter)

    def to_table(self) -> pa.Table:
        """Materialise the visible rows (filter applied) — for small relations and tests."""
        data = self.data.to_table() if isinstance(self.data, ds.Dataset) else self.data
        if self.row_filter is None:
            return data
        import pyarrow.compute as pc

        mask = pc.is_in(data[self.row_filter.column], pa.array(list(self.row_filter.values)))
        return data.filter(pc.fill_null(mask, False))
