"""The one way platform code reads a dataset: a snapshot narrowed to the caller's scope.

The row filter travels with the relation into the engine, which applies it before any query
runs — so a route or a job that forgets about scope still cannot read outside it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from zhiguo.core.access import Scope
from zhiguo.core.errors import PermissionDenied
from zhiguo.datacenter.catalog.registry import DatasetRegistry, default_registry
from zhiguo.datacenter.engine import Relation, RowFilter
from zhiguo.datacenter.lake.tables import LakeTable

__all__ = ["open_table", "scoped_snapshot"]


def open_table(lake_root: Path, name: str, registry: DatasetRegistry | None = None) -> LakeTable:
    """The lake table of a registered dataset (NotFound for an unknown name)."""
    return LakeTable(lake_root, (registry or default_registry()).get(name))


def scoped_snapshot(
    table: LakeTable,
    scope: Scope,
    *,
    version: int | None = None,
    as_of: datetime | None = None,
) -> Relation:
    """``table`` as of ``version``/``as_of``, showing only rows inside ``scope``.

    A dataset without a ``scope_column`` holds no enterprise data and is open to any scope;
    an unrestricted scope sees everything.
    """
    relation = table.snapshot(version=version, as_of=as_of)
    column = table.spec.scope_column
    if scope.enterprise_ids is None:
        return relation
    if column is None:
        if table.spec.effective_classification.rank > 0:
            raise PermissionDenied(
                f"数据集 {table.spec.name} 未声明访问范围，默认拒绝",
                f"Dataset {table.spec.name} declares no access scope; denied by default",
            )
        return relation
    return relation.narrowed(RowFilter(column, tuple(sorted(scope.enterprise_ids))))
