"""The canonical shape every reader produces: raw facts, one row per figure, before checks.

Readers only *locate* figures; they never judge them. Each row says where it came from
(``_sheet``, ``_row`` as a spreadsheet shows it, ``_column`` — a letter for xlsx, a header
name otherwise), so every problem the validator finds can name the exact cell.

Dimension values may arrive as codes or in Chinese/English (``本月``/``month``); ``value`` may
be text (``"1,234.50"``, ``"１２３"``, ``"—"``) or a number. Normalising both is the
validator's job, in one place.
"""

from __future__ import annotations

import pyarrow as pa

__all__ = ["RAW_COLUMNS", "RAW_SCHEMA", "raw_table"]

RAW_SCHEMA = pa.schema(
    [
        ("uscc", pa.string()),
        ("period", pa.string()),
        ("report_type", pa.string()),
        ("unit", pa.string()),
        ("item_code", pa.string()),
        ("caliber", pa.string()),
        ("scope", pa.string()),
        ("value", pa.string()),
        ("_sheet", pa.string()),
        ("_row", pa.int32()),
        ("_column", pa.string()),
    ]
)
RAW_COLUMNS = tuple(RAW_SCHEMA.names)


def raw_table(columns: dict[str, list[object]]) -> pa.Table:
    """Build a raw-facts table from python lists (values stringified; None stays null)."""
    data = dict(columns)
    data["value"] = [None if v is None else str(v) for v in data["value"]]
    return pa.table({name: data[name] for name in RAW_COLUMNS}, schema=RAW_SCHEMA)
