"""Ingest tables: every batch received (accepted or not), who submitted what for which
period, and the reporting calendar (deadlines, open/closed periods)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from zhiguo.core.db import Base

__all__ = ["IngestBatch", "ReportingPeriod", "Submission"]


class IngestBatch(Base):
    """One received file and what became of it. Never deleted: rejected batches keep their
    problems (the file itself stays in the inbox under ``inbox_sha256``)."""

    __tablename__ = "ingest_batches"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    dataset: Mapped[str] = mapped_column(String(100), index=True)
    inbox_sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_name: Mapped[str] = mapped_column(String(300))
    file_bytes: Mapped[int] = mapped_column(Integer, default=0)
    submitter: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(20))  # cli | api | web | demo
    status: Mapped[str] = mapped_column(String(20), index=True)  # accepted|rejected|duplicate
    facts: Mapped[int] = mapped_column(Integer, default=0)
    entities: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    lake_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    problems_json: Mapped[str] = mapped_column(Text, default="[]")
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class Submission(Base):
    """The latest accepted report of one entity for one period and report type."""

    __tablename__ = "ingest_submissions"
    __table_args__ = (UniqueConstraint("dataset", "enterprise_id", "period", "report_type"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset: Mapped[str] = mapped_column(String(100))
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    period: Mapped[str] = mapped_column(String(7), index=True)
    report_type: Mapped[str] = mapped_column(String(20))
    first_submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revisions: Mapped[int] = mapped_column(Integer, default=1)
    batch_id: Mapped[str] = mapped_column(String(36))
    lake_version: Mapped[int] = mapped_column(Integer)


class ReportingPeriod(Base):
    """A period of the reporting calendar: its deadline and whether it still accepts data.

    Periods not listed here are open with the default deadline (``ingest.deadline_day`` of
    the following month); closing one freezes it (corrections then need reopening).
    """

    __tablename__ = "ingest_periods"
    __table_args__ = (UniqueConstraint("dataset", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset: Mapped[str] = mapped_column(String(100))
    period: Mapped[str] = mapped_column(String(7))
    deadline: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
