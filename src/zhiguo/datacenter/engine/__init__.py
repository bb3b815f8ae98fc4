"""The one query layer over the lake: DuckDB (default) or Spark; the only importer of either.

Every analytical read goes through :func:`open_engine`'s ``query``: SQL written once in
DuckDB's dialect over named :class:`Relation` objects (Arrow tables or lake snapshots, each
optionally narrowed by a :class:`RowFilter` — the caller's scope, applied here so no query can
forget it).
"""

from zhiguo.datacenter.engine.base import Engine
from zhiguo.datacenter.engine.duck import DuckDBEngine
from zhiguo.datacenter.engine.factory import open_engine
from zhiguo.datacenter.engine.relations import Relation, RowFilter

__all__ = ["DuckDBEngine", "Engine", "Relation", "RowFilter", "open_engine"]
