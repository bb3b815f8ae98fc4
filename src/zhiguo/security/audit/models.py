"""Audit tables: the hash-chained log, its one-row head, and the prune permit.

``audit_log`` is append-only in the database itself (triggers in migration 0005 reject
UPDATE and DELETE on SQLite and PostgreSQL); the only sanctioned delete is retention
pruning, which first writes a permit row that the delete trigger checks.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zhiguo.core.db import Base

__all__ = ["GENESIS_HASH", "AuditHead", "AuditPrunePermit", "AuditRecord"]

GENESIS_HASH = "0" * 64


class AuditRecord(Base):
    """One audited event. ``hash`` = SM3 over the canonical serialisation of every other
    field, ``prev_hash`` included (GB/T 32905), so each record commits to all before it."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    username: Mapped[str] = mapped_column(String(64), default="", index=True)
    org: Mapped[str] = mapped_column(String(18), default="")
    client_addr: Mapped[str] = mapped_column(String(64), default="")
    event_type: Mapped[str] = mapped_column(String(64), index=True)
    object: Mapped[str] = mapped_column(String(500), default="")
    result: Mapped[str] = mapped_column(String(16))
    request_id: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's tip (one row, id 1): last seq and hash, locked by every append so that
    concurrent writers form one line. ``anchor_seq``/``anchor_hash`` are where the log in
    the database starts after retention pruning (0 / 64 zeros before any)."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    anchor_seq: Mapped[int] = mapped_column(Integer)
    anchor_hash: Mapped[str] = mapped_column(String(64))


class AuditPrunePermit(Base):
    """Present only inside a pruning transaction: the delete trigger lets rows with
    ``seq <= up_to_seq`` go, nothing else."""

    __tablename__ = "audit_prune_permit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    up_to_seq: Mapped[int] = mapped_column(Integer)
