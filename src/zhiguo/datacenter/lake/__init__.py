"""Versioned lake tables (Delta Lake on Parquet) under ``workspace/lake/``: atomic commits,
corrections as new versions, reads as of a version or a timestamp, scoped snapshots."""

from zhiguo.datacenter.lake.access import (
    DataAccess,
    bind_access,
    current_access,
    data_access,
    dataset_level,
    flush_denied_audit,
    flush_read_audit,
    open_table,
    scoped_snapshot,
)
from zhiguo.datacenter.lake.queries import lake_facts, visible_rows
from zhiguo.datacenter.lake.tables import LakeTable, TableVersion

__all__ = [
    "DataAccess",
    "LakeTable",
    "TableVersion",
    "bind_access",
    "current_access",
    "data_access",
    "dataset_level",
    "flush_denied_audit",
    "flush_read_audit",
    "lake_facts",
    "open_table",
    "scoped_snapshot",
    "visible_rows",
]
