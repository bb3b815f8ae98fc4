"""Ingest batches as their submitters and the regulator see them: whole-portfolio roles see
every batch, anyone else only the batches they submitted (someone else's answers like a
missing one, so a batch id tells nothing)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from zhiguo.core.errors import NotFound
from zhiguo.datacenter.ingest.models import IngestBatch

__all__ = ["find_batch", "list_batches"]


def _batches(owner: str | None) -> Select[IngestBatch]:
    query = select(IngestBatch)
    return query if owner is None else query.where(IngestBatch.submitter == owner)


def list_batches(
    session: Session, *, owner: str | None, limit: int = 50, offset: int = 0
) -> tuple[list[IngestBatch], int]:
    """Batches ``owner`` submitted (``None``: everyone's), newest first, and their total."""
    query = _batches(owner)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = session.scalars(
        query.order_by(IngestBatch.received_at.desc(), IngestBatch.id).limit(limit).offset(offset)
    )
    return list(items), total


def find_batch(session: Session, *, owner: str | None, batch_id: UUID) -> IngestBatch:
    """One batch the caller may read; anyone else's answers like a missing one."""
    batch = session.scalar(_batches(owner).where(IngestBatch.id == str(batch_id)))
    if batch is None:
        raise NotFound(f"没有批次 {batch_id}", f"No batch {batch_id}")
    return batch
