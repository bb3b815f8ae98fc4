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

from zhiguo.datacenter.catalog.models import DatasetEntry, TableCommit
from zhiguo.datacenter.catalog.registry import DatasetRegistry, default_registry
from zhiguo.datacenter.catalog.schemas import DatasetSpec

__all__ = ["DatasetDetail", "dataset_detail", "list_datasets", "record_commit", "sync_catalog"]


def _spec_json(spec: DatasetSpec) -> str:
    return json.dumps(spec.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)


def sync_catalog(session: Session, registry: DatasetRegistry | None = None) -> int:
    """Upsert every registered dataset into ``catalog_datasets``; returns how many changed."""
    changed = 0
    for spec in registry or default_registry():
        text = _spec_json(spec)
        digest = hashlib.sha256(text.encode()).hexdigest()
        row = session.get(DatasetEntry, spec.name)
        if row is None:
            row = DatasetEntry(name=spec.name)
            session.add(row)
        elif row.spec_sha256 == digest:
            continue
        row.title_zh, row.title_en = spec.title_zh, spec.title_en
        row.owner_platform = spec.owner_platform
        row.classification = spec.effective_classification.value
        row.spec_json, row.spec_sha256 = text, digest
        row.updated_at = datetime.now(UTC)
        changed += 1
    session.flush()
    return changed


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
