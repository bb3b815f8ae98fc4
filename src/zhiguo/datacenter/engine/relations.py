"""What a query may read: named relations, each an Arrow table or a lake snapshot, optionally
narrowed to the rows the caller may see.

The row filter is applied by the engine itself when it registers the relation, so a query
cannot forget it: ``SELECT count(*)`` over a scoped relation counts only visible rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.dataset as ds

__all__ = ["ColumnMask", "Relation", "RowFilter"]


@dataclass(frozen=True)
class RowFilter:
    """Keep only rows whose ``column`` is one of ``values`` (an empty tuple keeps nothing)."""

    column: str
    values: tuple[int | str, ...]


@dataclass(frozen=True)
class ColumnMask:
    """Replace ``column`` by a masked rendering of itself (脱敏), applied by the engine.

    ``sql`` is an expression with a ``{column}`` placeholder for the quoted column, written in
    functions DuckDB and Spark share; ``arrow`` does the same to an Arrow column (for
    :meth:`Relation.to_table`). Both come from one masking policy (``security.masking``).
    """

    column: str
    sql: str
    arrow: Callable[[pa.Array | pa.ChunkedArray], pa.Array | pa.ChunkedArray]


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
    masks: tuple[ColumnMask, ...] = ()

    @property
    def schema(self) -> pa.Schema:
        return self.data.schema

    def narrowed(self, row_filter: RowFilter | None) -> Relation:
        """The same relation seen through ``row_filter`` (None keeps it as it is)."""
        if row_filter is None:
            return self
        data = self.data
        if isinstance(data, ds.Dataset):
            # Also filter the scan itself, so engines reading the dataset get only these rows
            # (and Parquet statistics prune files); the engine still applies ``row_filter``.
            data = data.filter(ds.field(row_filter.column).isin(list(row_filter.values)))
        return Relation(data, self.files, self.partition_values, row_filter, self.masks)

    def masked(self, masks: Sequence[ColumnMask]) -> Relation:
        """The same relation with ``masks`` applied to its columns (on top of any earlier)."""
        if not masks:
            return self
        return Relation(
            self.data, self.files, self.partition_values, self.row_filter, (*self.masks, *masks)
        )

    def to_table(self) -> pa.Table:
        """Materialise the visible rows (filter applied) — for small relations and tests."""
        import pyarrow.compute as pc

        data = self.data.to_table() if isinstance(self.data, ds.Dataset) else self.data
        if self.row_filter is not None:
            keep = pc.is_in(data[self.row_filter.column], pa.array(list(self.row_filter.values)))
            data = data.filter(pc.fill_null(keep, False))
        for mask in self.masks:
            index = data.schema.get_field_index(mask.column)
            data = data.set_column(index, mask.column, mask.arrow(data[mask.column]))
        return data
