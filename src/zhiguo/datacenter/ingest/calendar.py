"""The reporting calendar and submission tracking: deadlines, open/closed periods, who has
submitted, who is late, who is missing — and the regulator's reminder list (催报).

Status of an expected report (entity × period, single-entity report):
``on_time`` (first accepted before the deadline), ``late`` (after it), ``missing`` (none and
the deadline has passed) or ``pending`` (none yet, deadline still ahead).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiguo.core.access import Scope
from zhiguo.core.errors import Conflict
from zhiguo.core.periods import Period
from zhiguo.core.settings import IngestSettings
from zhiguo.datacenter.ingest.models import ReportingPeriod, Submission
from zhiguo.registry import Enterprise, scope_filter

__all__ = [
    "SubmissionState",
    "close_period",
    "default_deadline",
    "period_deadline",
    "period_state",
    "reopen_period",
    "set_deadline",
    "submission_states",
]


def default_deadline(period: Period, settings: IngestSettings) -> datetime:
    """``deadline_day`` of the following month, 23:59:59 local time (as UTC)."""
    nxt = period.shift(1)
    local = datetime.combine(
        date(nxt.year, nxt.month, settings.deadline_day),
        time(23, 59, 59),
        tzinfo=ZoneInfo(settings.timezone),
    )
    return local.astimezone(UTC)


def _row(session: Session, dataset: str, period: Period) -> ReportingPeriod | None:
    return session.scalar(
        select(ReportingPeriod).where(
            ReportingPeriod.dataset == dataset, ReportingPeriod.period == str(period)
        )
    )


def period_deadline(
    session: Session, dataset: str, period: Period, settings: IngestSettings
) -> datetime:
    row = _row(session, dataset, period)
    if row is None:
        return default_deadline(period, settings)
    return _aware(row.deadline)


def _aware(ts: datetime) -> datetime:
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def period_state(
    session: Session, dataset: str, period: Period, *, now: datetime | None = None
) -> str:
    """``open``, ``closed`` (by the regulator) or ``future`` (the month has not ended)."""
    today = (now or datetime.now(UTC)).date()
    if (period.year, period.month) >= (today.year, today.month):
        return "future"
    row = _row(session, dataset, period)
    return "closed" if row is not None and row.closed_at is not None else "open"


def _ensure(
    session: Session, dataset: str, period: Period, settings: IngestSettings
) -> ReportingPeriod:
    row = _row(session, dataset, period)
    if row is None:
        row = ReportingPeriod(
            dataset=dataset, period=str(period), deadline=default_deadline(period, settings)
        )
        session.add(row)
    return row


def close_period(
    session: Session, dataset: str, period: Period, *, by: str, settings: IngestSettings
) -> ReportingPeriod:
    row = _ensure(session, dataset, period, settings)
    if row.closed_at is not None:
        raise Conflict(f"期间 {period} 已关账", f"Period {period} is already closed")
    row.closed_at, row.closed_by = datetime.now(UTC), by
    session.flush()
    return row


def reopen_period(
    session: Session, dataset: str, period: Period, *, settings: IngestSettings
) -> ReportingPeriod:
    row = _ensure(session, dataset, period, settings)
    row.closed_at, row.closed_by = None, None
    session.flush()
    return row


def set_deadline(
    session: Session, dataset: str, period: Period, deadline: datetime, *, settings: IngestSettings
) -> ReportingPeriod:
    row = _ensure(session, dataset, period, settings)
    row.deadline = _aware(deadline)
    session.flush()
    return row


@dataclass(frozen=True)
class SubmissionState:
    """One expected report and where it stands."""

    enterprise_id: int
    uscc: str
    name_zh: str
    level: int
    status: str  # on_time | late | missing | pending
    deadline: datetime
    submitted_at: datetime | None
    revisions: int
    days_late: int


STATUS_ZH = {"on_time": "按时", "late": "逾期报送", "missing": "未报送", "pending": "待报送"}


def submission_states(
    session: Session,
    *,
    scope: Scope,
    dataset: str,
    period: Period,
    settings: IngestSettings,
    now: datetime | None = None,
) -> list[SubmissionState]:
    """Every active enterprise in ``scope`` expected to submit ``period``, with its status."""
    moment = now or datetime.now(UTC)
    deadline = period_deadline(session, dataset, period, settings)
    query = scope_filter(
        select(Enterprise)
        .where(Enterprise.status == "active")
        .order_by(Enterprise.level, Enterprise.uscc),
        scope,
    )
    subs = {
        s.enterprise_id: s
        for s in session.scalars(
            select(Submission).where(
                Submission.dataset == dataset,
                Submission.period == str(period),
                Submission.report_type == "single",
            )
        )
    }
    out = []
    for ent in session.scalars(query):
        sub = subs.get(ent.id)
        if sub is not None:
            first = _aware(sub.first_submitted_at)
            status = "on_time" if first <= deadline else "late"
            late_days = max((first - deadline).days + (1 if first > deadline else 0), 0)
            out.append(
                SubmissionState(
                    ent.id,
                    ent.uscc,
                    ent.name_zh,
                    ent.level,
                    status,
                    deadline,
                    first,
                    sub.revisions,
                    late_days,
                )
            )
        else:
            overdue = moment > deadline
            days = (moment - deadline).days + 1 if overdue else 0
            out.append(
                SubmissionState(
                    ent.id,
                    ent.uscc,
                    ent.name_zh,
                    ent.level,
                    "missing" if overdue else "pending",
                    deadline,
                    None,
                    0,
                    days,
                )
            )
    return out
