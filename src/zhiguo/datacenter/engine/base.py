"""The engine protocol: one small surface every backend implements.

SQL is written once, in DuckDB's dialect (a portable subset: SELECT, joins, GROUP BY,
FILTER, window functions, CTEs); other backends transpile it with sqlglot. Differences
between backends are declared as data in ``UNSUPPORTED`` rather than discovered at run time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import pyarrow as pa

from zhiguo.datacenter.engine.relations import Relation

__all__ = ["Engine"]


class Engine(Protocol):
    """A query engine over named relations; results come back as Arrow tables."""

    name: str

    def query(
        self,
        sql: str,
        *,
        tables: Mapping[str, Relation | pa.Table],
        params: Mapping[str, Any] | None = None,
    ) -> pa.Table:
        """Run ``sql`` (DuckDB dialect) over ``tables``; ``$name`` placeholders take ``params``."""
        ...

    def close(self) -> None:
        """Release what the engine holds (connections, sessions)."""
        ...
