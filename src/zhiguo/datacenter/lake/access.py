"""The one way platform code reads a dataset: a snapshot narrowed to the caller's scope.

:func:`scoped_snapshot` is the choke point for every lake read (DuckDB and Spark alike — the
row filter and the masks travel with the relation into the engine, which applies them
before any query runs, so a route or a job that forgets about scope still cannot read
outside it). In order it:

1. decides the dataset's level — the in-code declaration and the catalog row's verified
   label combined 就高从严; a catalog row failing its HMAC-SM3 denies
   (``labels.tampered`` audited);
2. refuses a level above the caller's clearance, a dataset the public may not read, and a
   dataset with no declared access policy (no scope column, not open) for a restricted
   scope — one answer, :class:`~zhiguo.security.classification.ClearanceTooLow` or
   :class:`~zhiguo.security.classification.DatasetNotDeclared` (``access.denied`` audited);
3. narrows to the scope's enterprises (``Scope.nothing()`` serves no row);
4. masks personal-information columns unless the scope may unmask;
5. notes the read in the request's :class:`DataAccess` context, which writes one
   ``data.read`` event (重要/核心 datasets) and one ``data.unmask`` event per request or
   CLI command (:func:`flush_read_audit`).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from zhiguo.core.access import Classification, Principal, Scope
from zhiguo.datacenter.catalog.labels import check_row, label_key
from zhiguo.datacenter.catalog.models import DatasetEntry
from zhiguo.datacenter.catalog.registry import DatasetRegistry, default_registry
from zhiguo.datacenter.catalog.schemas import DatasetSpec
from zhiguo.datacenter.engine import ColumnMask, Relation, RowFilter
from zhiguo.datacenter.lake.tables import LakeTable
from zhiguo.security.classification import (
    ClearanceTooLow,
    DatasetNotDeclared,
    LabelsTampered,
    audit_event,
)
from zhiguo.security.masking import mask_array, mask_sql

__all__ = [
    "DataAccess",
    "bind_access",
    "current_access",
    "data_access",
    "dataset_level",
    "flush_denied_audit",
    "flush_read_audit",
    "open_table",
    "scoped_snapshot",
]


def open_table(lake_root: Path, name: str, registry: DatasetRegistry | None = None) -> LakeTable:
    """The lake table of a registered dataset (NotFound for an unknown name)."""
    return LakeTable(lake_root, (registry or default_registry()).get(name))


# ------------------------------------------------------------------------------ context
@dataclass
class DataAccess:
    """What one request (or CLI command) has read, and what it needs to verify labels.

    ``session`` is the unit of work the read audit is written in (before its commit);
    ``sessionmaker`` opens a separate one for denials, whose own transaction rolls back.
    """

    session: Session | None = None
    keys_dir: Path | None = None
    principal: Principal | None = None
    request_id: str = ""
    client_addr: str = ""
    sessionmaker: Callable[[], Session] | None = None
    defer_denials: bool = False
    reads: dict[str, str] = field(default_factory=dict)
    denials: list[dict[str, Any]] = field(default_factory=list)
    unmasked: dict[str, list[str]] = field(default_factory=dict)
    _levels: dict[str, Classification] = field(default_factory=dict)
    _key: bytes | None = None

    def label_key(self) -> bytes | None:
        """The label HMAC key (env or ``keys_dir``), or None where neither is configured."""
        if self._key is None:
            try:
                self._key = label_key(self.keys_dir)
            except Exception:  # no key configured: labels cannot be checked here
                return None
        return self._key

    def audit(self, **event: Any) -> None:
        if self.session is not None:
            audit_event(
                self.session,
                principal=self.principal,
                client_addr=self.client_addr,
                request_id=self.request_id,
                **event,
            )

    def audit_denial(self, **event: Any) -> None:
        """Record a denial so that it outlives the failing unit of work: kept for
        :func:`flush_denied_audit` after the rollback (web requests), or written in a
        transaction of its own (``sessionmaker``), else in ``session``."""
        if self.defer_denials:
            self.denials.append(event)
            return
        if self.sessionmaker is None:
            self.audit(result="denied", **event)
            return
        with self.sessionmaker() as session:
            audit_event(
                session,
                principal=self.principal,
                client_addr=self.client_addr,
                request_id=self.request_id,
                result="denied",
                **event,
            )
            session.commit()


_CURRENT: contextvars.ContextVar[DataAccess | None] = contextvars.ContextVar(
    "zhiguo_data_access", default=None
)


def current_access() -> DataAccess | None:
    """The data-access context of this request or command (None outside one)."""
    return _CURRENT.get()


def bind_access(context: DataAccess) -> None:
    """Make ``context`` current for the rest of this task (a web request's dependency)."""
    _CURRENT.set(context)


@contextmanager
def data_access(context: DataAccess) -> Iterator[DataAccess]:
    """Make ``context`` current inside the block (CLI commands, jobs, tests)."""
    token = _CURRENT.set(context)
    try:
        yield context
    finally:
        _CURRENT.reset(token)


def flush_read_audit(context: DataAccess) -> None:
    """One ``data.read`` event listing the 重要/核心 datasets read, and one ``data.unmask``
    event listing the unmasked columns; called before the unit of work commits."""
    if context.reads:
        context.audit(
            event_type="data.read",
            object=",".join(sorted(context.reads)),
            detail={"datasets": dict(sorted(context.reads.items()))},
        )
    if context.unmasked:
        context.audit(
            event_type="data.unmask",
            object=",".join(sorted(context.unmasked)),
            detail={"columns": dict(sorted(context.unmasked.items()))},
        )
    context.reads.clear()
    context.unmasked.clear()


def flush_denied_audit(context: DataAccess) -> None:
    """Write the denials recorded during a failed unit of work, after its rollback, and
    commit them on their own (a denial is audited even though the request failed)."""
    if not context.denials or context.session is None:
        return
    for event in context.denials:
        context.audit(result="denied", **event)
    context.denials.clear()
    context.session.commit()


# ------------------------------------------------------------------------------ decision
def dataset_level(spec: DatasetSpec, context: DataAccess | None = None) -> Classification:
    """The level an access decision uses: 就高从严 of the in-code declaration and the
    verified catalog label. A catalog row whose MAC fails raises LabelsTampered."""
    level = spec.effective_classification
    context = context if context is not None else current_access()
    if context is None or context.session is None:
        return level
    if spec.name in context._levels:
        return context._levels[spec.name]
    row = context.session.get(DatasetEntry, spec.name)
    # An unsigned row (never synced with a key) cannot lower anything: the code's level
    # still applies. A signed row must verify.
    key = context.label_key() if row is not None and row.label_mac is not None else None
    if row is not None and key is not None:
        verdict = check_row(key, row)
        if not verdict.ok or verdict.level is None:
            context.audit_denial(
                event_type="labels.tampered",
                object=f"dataset:{spec.name}",
                detail={"reason": verdict.reason, "catalog_level": row.classification},
            )
            raise LabelsTampered()
        level = Classification.highest([level, verdict.level])
    context._levels[spec.name] = level
    return level


def _deny(context: DataAccess | None, spec: DatasetSpec, error: Exception, reason: str) -> None:
    if context is not None:
        context.audit_denial(
            event_type="access.denied", object=f"dataset:{spec.name}", detail={"reason": reason}
        )
    raise error


def scoped_snapshot(
    table: LakeTable,
    scope: Scope,
    *,
    version: int | None = None,
    as_of: datetime | None = None,
) -> Relation:
    """``table`` as of ``version``/``as_of``, as ``scope`` may see it (see the module doc)."""
    spec = table.spec
    if scope.enterprise_ids is not None and not scope.enterprise_ids and not scope.open_only:
        # Scope.nothing(): no row of any dataset, open ones included (default deny).
        return Relation(spec.arrow_schema.empty_table())
    context = current_access()
    level = dataset_level(spec, context)
    if scope.open_only and not (spec.public_readable and level is Classification.general):
        _deny(context, spec, ClearanceTooLow(), "not open to the public")
    if not scope.clears(level):
        _deny(context, spec, ClearanceTooLow(), f"clearance {scope.clearance} < {level}")
    declared = spec.scope_column is not None or spec.open
    if not declared and not scope.is_unrestricted:
        _deny(context, spec, DatasetNotDeclared(), "no access policy declared")
    ids = scope.enterprise_ids
    relation = table.snapshot(version=version, as_of=as_of)
    if ids is not None and not scope.open_only and spec.scope_column is not None:
        relation = relation.narrowed(RowFilter(spec.scope_column, tuple(sorted(ids))))
    personal = spec.personal_columns
    if personal and not scope.may_unmask:
        relation = relation.masked([_mask(c.name, str(c.personal_info)) for c in personal])
    if context is not None:
        if level.rank > 0:
            context.reads[spec.name] = level.value
        if personal and scope.may_unmask:
            context.unmasked[spec.name] = [c.name for c in personal]
    return relation


def _mask(column: str, kind: str) -> ColumnMask:
    return ColumnMask(
        column=column,
        sql=mask_sql(kind, "{column}"),
        arrow=lambda values: mask_array(kind, values),
    )
