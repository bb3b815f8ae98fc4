"""Catalog services: keep the metadata DB in step with the registry, browse datasets, and
record the lineage of every table version."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiguo.core.access import Classification, Principal
from zhiguo.core.errors import InputError
from zhiguo.datacenter.catalog.labels import check_row, labels_of_spec, mac_labels
from zhiguo.datacenter.catalog.models import DatasetEntry, TableCommit
from zhiguo.datacenter.catalog.registry import DatasetRegistry, default_registry
from zhiguo.datacenter.catalog.schemas import DatasetSpec
from zhiguo.security.classification import DowngradeRefused, audit_event

__all__ = [
    "DatasetDetail",
    "dataset_detail",
    "list_datasets",
    "record_commit",
    "record_downgrade",
    "repair_labels",
    "sync_catalog",
]


def _spec_json(spec: DatasetSpec) -> str:
    return json.dumps(spec.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)


def sync_catalog(
    session: Session, registry: DatasetRegistry | None = None, *, key: bytes | None = None
) -> int:
    """Upsert every registered dataset into ``catalog_datasets``; returns how many changed.

    Rows are signed (``label_mac``, see :mod:`.labels`) with ``key``, else the key of the
    request's data-access context; without either, rows are left unsigned until a signed
    sync. A row whose MAC fails is *not* re-signed here (that would launder a tampered
    label): ``zhiguo catalog verify-labels`` reports it and ``--repair`` rewrites it.
    """
    key = key if key is not None else _context_key()
    changed = 0
    for spec in registry or default_registry():
        text = _spec_json(spec)
        digest = hashlib.sha256(text.encode()).hexdigest()
        row = session.get(DatasetEntry, spec.name)
        if row is None:
            row = DatasetEntry(name=spec.name)
            session.add(row)
        elif row.spec_sha256 == digest and (row.label_mac or key is None):
            continue
        _write_row(row, spec, text, digest, key)
        changed += 1
    session.flush()
    return changed


def _write_row(
    row: DatasetEntry, spec: DatasetSpec, text: str, digest: str, key: bytes | None
) -> None:
    row.title_zh, row.title_en = spec.title_zh, spec.title_en
    row.owner_platform = spec.owner_platform
    row.classification = spec.effective_classification.value
    row.spec_json, row.spec_sha256 = text, digest
    row.updated_at = datetime.now(UTC)
    if key is not None:
        level, fields = labels_of_spec(spec)
        row.label_mac = mac_labels(key, spec.name, level.value, fields)


def repair_labels(
    session: Session, key: bytes, registry: DatasetRegistry | None = None
) -> list[str]:
    """Rewrite and re-sign, from the in-code declarations, every row whose labels fail."""
    repaired = []
    for spec in registry or default_registry():
        row = session.get(DatasetEntry, spec.name)
        if row is None or check_row(key, row).ok:
            continue
        text = _spec_json(spec)
        _write_row(row, spec, text, hashlib.sha256(text.encode()).hexdigest(), key)
        repaired.append(spec.name)
    session.flush()
    return repaired


DOWNGRADE_REVIEWERS = frozenset({"regulator-leader", "security-admin"})
"""Roles whose review may label a derived dataset below its inputs."""


def record_downgrade(
    session: Session,
    *,
    dataset: str,
    level: Classification,
    reviewer: Principal,
    reason: str,
    registry: DatasetRegistry | None = None,
) -> None:
    """A reviewer accepts derived ``dataset`` at ``level`` below its inputs (就高从严 allows
    a downgrade only when reviewed). Audited as ``catalog.downgrade`` in ``session``; the
    registry then accepts the declaration."""
    if not reason.strip():
        raise InputError("降级须说明理由", "A downgrade needs a reason")
    if str(reviewer.role) not in DOWNGRADE_REVIEWERS:
        raise DowngradeRefused(
            "仅国资委领导或安全管理员可审核降级",
            "Only a regulator leader or the security admin may review a downgrade",
        )
    target = registry or default_registry()
    audit_event(
        session,
        event_type="catalog.downgrade",
        principal=reviewer,
        object=f"dataset:{dataset}",
        detail={"level": level.value, "reason": reason},
    )
    target.allow_downgrade(dataset, level)


def _context_key() -> bytes | None:
    from zhiguo.datacenter.lake.access import current_access

    context = current_access()
    return context.label_key() if context is not None else None


def list_datasets(session: Session) -> list[DatasetEntry]:
    return list(session.scalars(select(DatasetEntry).order_by(DatasetEntry.name)))


@dataclass(frozen=True)
class DatasetDetail:
    """What ``zhiguo catalog show`` and the catalog page display."""

    spec: DatasetSpec
    version: int
    rows: int
    files: int
    commits: list[dict[str, Any]]


def dataset_detail(
    session: Session, lake_root: Path, name: str, registry: DatasetRegistry | None = None
) -> DatasetDetail:
    from zhiguo.datacenter.lake.tables import LakeTable

    spec = (registry or default_registry()).get(name)
    table = LakeTable(lake_root, spec)
    version, rows, files = -1, 0, 0
    if table.exists():
        snap = table.snapshot()
        version = table.version()
        files = len(snap.files)
        rows = snap.data.count_rows() if hasattr(snap.data, "count_rows") else snap.data.num_rows
    commits = [
        {
            "version": c.version,
            "operation": c.operation,
            "batch_id": c.batch_id,
            "inbox_sha256": c.inbox_sha256,
            "rows": c.rows,
            "inputs": json.loads(c.inputs_json or "{}"),
            "committed_by": c.committed_by,
            "committed_at": c.committed_at,
        }
        for c in session.scalars(
            select(TableCommit)
            .where(TableCommit.dataset == name)
            .order_by(TableCommit.version.desc())
            .limit(50)
        )
    ]
    return DatasetDetail(spec=spec, version=version, rows=rows, files=files, commits=commits)


def record_commit(
    session: Session,
    *,
    dataset: str,
    version: int,
    operation: str,
    rows: int,
    committed_by: str,
    batch_id: str | None = None,
    inbox_sha256: str | None = None,
    inputs: dict[str, int] | None = None,
) -> TableCommit:
    """Lineage of one table version (which batch/inbox file, or which input versions)."""
    commit = TableCommit(
        dataset=dataset,
        version=version,
        operation=operation,
        rows=rows,
        committed_by=committed_by,
        batch_id=batch_id,
        inbox_sha256=inbox_sha256,
        inputs_json=json.dumps(inputs or {}, sort_keys=True),
        committed_at=datetime.now(UTC),
    )
    session.add(commit)
    session.flush()
    return commit
