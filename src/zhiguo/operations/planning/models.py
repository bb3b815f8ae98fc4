"""The metadata-DB tables of site-selection plans (migration 0010).

A plan keeps what was asked (mode, band, target or budget, threshold, exclusions), what came
out (cost, covered share, the certified bound and the gap to it, greedy's figures on the same
instance for comparison) and the chosen sites — pinned ones (already in service) included at
no cost — so a plan can be shown, compared and audited after the sites have changed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from zhiguo.core.db import Base

__all__ = ["OperationsPlan", "OperationsPlanSite"]


class OperationsPlan(Base):
    """One solved site-selection problem (set cover or budgeted maximal covering)."""

    __tablename__ = "operations_plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mode: Mapped[str] = mapped_column(String(20))  # set_cover | max_cover
    band: Mapped[str] = mapped_column(String(10))
    target_coverage: Mapped[float | None] = mapped_column(Float, nullable=True)
    budget: Mapped[float | None] = mapped_column(Float, nullable=True)
    threshold_dbm: Mapped[float] = mapped_column(Float)
    cutoff_m: Mapped[float] = mapped_column(Float)
    parameters: Mapped[str] = mapped_column(Text, default="{}")  # JSON: exclusions, costs, …
    demand_source: Mapped[str] = mapped_column(String(300), default="")
    candidates: Mapped[int] = mapped_column(Integer)  # columns that may be chosen or pinned
    rows: Mapped[int] = mapped_column(Integer)  # demand rows after aggregation
    pixels: Mapped[int] = mapped_column(Integer)  # demand pixels with weight > 0
    cost: Mapped[float] = mapped_column(Float)
    covered_weight: Mapped[float] = mapped_column(Float)
    total_weight: Mapped[float] = mapped_column(Float)
    coverage_share: Mapped[float] = mapped_column(Float)
    bound: Mapped[float] = mapped_column(Float)
    gap: Mapped[float | None] = mapped_column(Float, nullable=True)  # None: bound 0
    bound_method: Mapped[str] = mapped_column(String(40))
    method: Mapped[str] = mapped_column(String(80))
    greedy_cost: Mapped[float | None] = mapped_column(Float, nullable=True)
    greedy_coverage_share: Mapped[float | None] = mapped_column(Float, nullable=True)
    greedy_gap: Mapped[float | None] = mapped_column(Float, nullable=True)
    seconds: Mapped[float] = mapped_column(Float)  # the whole run: matrix, greedy, solver
    solver_seconds: Mapped[float] = mapped_column(Float)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (Index("ix_operations_plans_band_created", "band", "created_at"),)


class OperationsPlanSite(Base):
    """A site a plan chose; ``pinned`` ones were already in service (cost 0)."""

    __tablename__ = "operations_plan_sites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("operations_plans.id", ondelete="CASCADE"))
    site_id: Mapped[int] = mapped_column(ForeignKey("operations_sites.id", ondelete="CASCADE"))
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    cost: Mapped[float] = mapped_column(Float)

    __table_args__ = (
        UniqueConstraint("plan_id", "site_id", name="uq_operations_plan_sites_plan_site"),
        Index("ix_operations_plan_sites_site", "site_id"),
    )
