"""The one query layer over the lake: DuckDB (default) or Spark; the only importer of either.

Every analytical read goes through :func:`open_engine`'s ``query``: SQL written once in
DuckDB's dialect over named :class:`Relation` objects (Arrow tables or lake snapshots, each
optionally narrowed by a :class:`RowFilter` — the caller's scope, applied here so no query can
forget it). Where the backends differ is declared as data in :data:`UNSUPPORTED`.
"""

from zhiguo.datacenter.engine.base import Engine
from zhiguo.datacenter.engine.dialects import UNSUPPORTED
from zhiguo.datacenter.engine.duck import DuckDBEngine
from zhiguo.datacenter.engine.factory import open_engine
from zhiguo.datacenter.engine.relations import ColumnMask, Relation, RowFilter
from zhiguo.datacenter.engine.spark import SparkEngine

__all__ = [
    "UNSUPPORTED",
    "ColumnMask",
    "DuckDBEngine",
    "Engine",
    "Relation",
    "RowFilter",
    "SparkEngine",
    "open_engine",
]
