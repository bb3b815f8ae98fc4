"""Supervision tables of the metadata DB: the indicator library's versions, the objective-factor
ledger, the standard values (标准值), alerts and the rectification loop's history.

Indicator *values* are not here: they are facts and live in the lake
(``supervision.indicator_values``). What lives here is what people edit and act on.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
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
from zhiguo.security import User as _User  # noqa: F401  (alerts.assignee_id → users.id)

__all__ = [
    "Alert",
    "AlertAttachment",
    "AlertEvent",
    "BenchmarkValue",
    "IndicatorDefinition",
    "ObjectiveFactor",
]

_TS = DateTime(timezone=True)


class IndicatorDefinition(Base):
    """One version of an analyst-defined (or changed) indicator.

    The built-in library ships as a file; what an analyst adds or changes through a file or the
    API is stored here, one row per version, so every computed value can name the definition
    it came from. The newest active version of a code wins over the built-in one.
    """

    __tablename__ = "indicator_definitions"
    __table_args__ = (UniqueConstraint("code", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    definition_json: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20))  # file | api
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(_TS, server_default=func.now())


class ObjectiveFactor(Base):
    """An objective increase or decrease of state capital (客观增减因素, 国资委令第9号) for one
    enterprise and period, with its evidence kept in the inbox. The capital-preservation ratio
    takes the sums of these out of the closing state capital."""

    __tablename__ = "objective_factors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    period: Mapped[str] = mapped_column(String(7), index=True)
    direction: Mapped[str] = mapped_column(String(10))  # increase | decrease
    factor_type: Mapped[str] = mapped_column(String(40))
    amount: Mapped[float] = mapped_column(Float)  # 元
    description: Mapped[str] = mapped_column(Text, default="")
    evidence_name: Mapped[str | None] = mapped_column(String(300), nullable=True)
    evidence_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    entered_by: Mapped[str] = mapped_column(String(100))
    entered_at: Mapped[datetime] = mapped_column(_TS, server_default=func.now())


class BenchmarkValue(Base):
    """One row of the five-level standard values (企业绩效评价标准值) for an indicator, an
    industry and a size class in one edition (year)."""

    __tablename__ = "benchmark_values"
    __table_args__ = (UniqueConstraint("edition", "industry_code", "size_class", "indicator_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    edition: Mapped[int] = mapped_column(Integer)
    industry_code: Mapped[str] = mapped_column(String(10))  # GB/T 4754 prefix, or "ALL"
    size_class: Mapped[str] = mapped_column(String(10))  # all | large | medium | small
    indicator_code: Mapped[str] = mapped_column(String(64))
    excellent: Mapped[float] = mapped_column(Float)
    good: Mapped[float] = mapped_column(Float)
    average: Mapped[float] = mapped_column(Float)
    low: Mapped[float] = mapped_column(Float)
    poor: Mapped[float] = mapped_column(Float)
    fictitious: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(300), default="")
    imported_by: Mapped[str] = mapped_column(String(100))
    imported_at: Mapped[datetime] = mapped_column(_TS, server_default=func.now())


class Alert(Base):
    """A raised early warning (预警) for one rule and enterprise, first seen in ``period``.

    One row per rule × enterprise × first period: running the rules again for the same period
    changes nothing, and a condition that persists into later periods updates this row
    (``last_period``, ``periods_seen``) and escalates its severity instead of raising a new one.
    ``status`` follows the rectification loop: raised → dispatched → responded → closed, with
    reopen back to dispatched and dismiss for a false alarm.
    """

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("rule_code", "enterprise_id", "period"),
        Index("ix_alerts_status_severity", "status", "severity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_code: Mapped[str] = mapped_column(String(64), index=True)
    rule_version: Mapped[str] = mapped_column(String(20))
    family: Mapped[str] = mapped_column(String(30))  # threshold | trend | yoy | peer | ...
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprises.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[str] = mapped_column(String(20))  # entity | group | subtree
    period: Mapped[str] = mapped_column(String(7), index=True)
    last_period: Mapped[str] = mapped_column(String(7))
    periods_seen: Mapped[int] = mapped_column(Integer, default=1)
    severity: Mapped[str] = mapped_column(String(10))  # yellow | orange | red
    status: Mapped[str] = mapped_column(String(20), default="raised")
    indicator_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    threshold: Mapped[float | None] = mapped_column(Float, nullable=True)
    message_zh: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text)
    details_json: Mapped[str] = mapped_column(Text, default="{}")
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    raised_at: Mapped[datetime] = mapped_column(_TS, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        _TS, server_default=func.now(), onupdate=func.now()
    )


class AlertEvent(Base):
    """One transition or update of an alert: who, when, why — never edited, never deleted."""

    __tablename__ = "alert_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_status: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text, default="")
    details_json: Mapped[str] = mapped_column(Text, default="{}")
    at: Mapped[datetime] = mapped_column(_TS, server_default=func.now())


class AlertAttachment(Base):
    """A rectification plan or piece of evidence uploaded with a response (kept in the inbox)."""

    __tablename__ = "alert_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("alert_events.id", ondelete="SET NULL"), nullable=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # plan | evidence
    file_name: Mapped[str] = mapped_column(String(300))
    inbox_sha256: Mapped[str] = mapped_column(String(64))
    file_bytes: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(_TS, server_default=func.now())
