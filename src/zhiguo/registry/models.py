"""Registry tables: enterprises and the ownership edges between them, over time."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from zhiguo.core.crypto import EncryptedText
from zhiguo.core.db import Base

__all__ = ["Enterprise", "OwnershipEdge"]


class Enterprise(Base):
    """A legal entity in the portfolio (国有企业), identified by its USCC.

    ``level`` is the 级次 in the ownership tree as of the last registry change (1 = a
    top-level group); as-of-date queries compute it from the edges instead.
    """

    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(300), default="")
    short_name: Mapped[str] = mapped_column(String(100), default="")
    industry_code: Mapped[str] = mapped_column(String(5), default="")
    industry_category: Mapped[str] = mapped_column(String(20), default="non_industrial")
    level: Mapped[int] = mapped_column(Integer, default=1)
    region_code: Mapped[str] = mapped_column(String(6), default="")
    status: Mapped[str] = mapped_column(String(20), default="active")
    is_listed: Mapped[bool] = mapped_column(Boolean, default=False)
    supervision_class: Mapped[str | None] = mapped_column(String(20), nullable=True)
    state_share_pct: Mapped[Decimal | None] = mapped_column(Numeric(7, 4), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    # Personal information, SM4-GCM at rest (migration 0007): 法定代表人 (a person's name) and
    # the contact phone. Deferred, so registry lists and the tree never decrypt them; not
    # carried by registry import/export yet.
    legal_representative: Mapped[str | None] = mapped_column(
        EncryptedText("enterprises.legal_representative"), nullable=True, deferred=True
    )
    contact_phone: Mapped[str | None] = mapped_column(
        EncryptedText("enterprises.contact_phone"), nullable=True, deferred=True
    )

    __table_args__ = (Index("ix_enterprises_name_zh", "name_zh"),)


class OwnershipEdge(Base):
    """``parent`` holds ``share_pct`` % of ``child`` from ``valid_from`` (inclusive) to
    ``valid_to`` (exclusive; ``None`` = still in force). ``controlling`` marks the edge that
    places the child in the parent's tree (并表/控股); at most one per child at any date."""

    __tablename__ = "ownership_edges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    child_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    share_pct: Mapped[Decimal] = mapped_column(Numeric(7, 4))
    controlling: Mapped[bool] = mapped_column(Boolean, default=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)

    __table_args__ = (
        UniqueConstraint("parent_id", "child_id", "valid_from", name="uq_ownership_edge"),
        CheckConstraint("share_pct > 0 AND share_pct <= 100", name="share_range"),
        CheckConstraint("parent_id <> child_id", name="not_self"),
        Index("ix_ownership_edges_parent", "parent_id"),
        Index("ix_ownership_edges_child", "child_id"),
    )
