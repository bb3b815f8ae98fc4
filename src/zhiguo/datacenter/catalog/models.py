"""Catalog tables: registered datasets and the lineage of every table version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from zhiguo.core.db import Base

__all__ = ["DatasetEntry", "TableCommit"]


class DatasetEntry(Base):
    """A dataset as registered: its declaration (JSON) and effective classification.

    The declaration lives in code or a deployment's plugin; this row is what the catalog
    shows and what security reads labels from. ``spec_sha256`` tells when it changed.
    """

    __tablename__ = "catalog_datasets"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    owner_platform: Mapped[str] = mapped_column(String(20))
    classification: Mapped[str] = mapped_column(String(20))
    spec_json: Mapped[str] = mapped_column(Text)
    spec_sha256: Mapped[str] = mapped_column(String(64))
    # HMAC-SM3 (hex) over the labels: name, effective classification, per-field labels
    # (catalog.labels); a mismatch means the labels were edited outside the catalog.
    label_mac: Mapped[str | None] = mapped_column(String(64), nullable=True)
    registered_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class TableCommit(Base):
    """Lineage of one lake table version: which batch (and inbox file) produced it, or which
    input versions a derived dataset read."""

    __tablename__ = "catalog_commits"
    __table_args__ = (UniqueConstraint("dataset", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int] = mapped_column(Integer)
    operation: Mapped[str] = mapped_column(String(20))  # append | replace | derive
    batch_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    inbox_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    inputs_json: Mapped[str] = mapped_column(Text, default="{}")
    committed_by: Mapped[str] = mapped_column(String(100), default="")
    committed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
