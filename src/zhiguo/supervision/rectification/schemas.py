"""What the rectification service hands back: small frozen views, never ORM rows, so a
router or a template cannot lazy-load (or change) anything behind the caller's scope."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = [
    "AlertHistory",
    "AlertView",
    "AssignableUser",
    "AttachmentView",
    "EventView",
    "LoopCounts",
    "OverdueAlert",
    "StepResult",
]


class _View(BaseModel):
    model_config = ConfigDict(frozen=True)


class AlertView(_View):
    """An alert as the warning inbox and the detail page show it."""

    id: int
    rule_code: str
    family: str
    enterprise_id: int
    enterprise_name: str
    level: str
    period: str
    last_period: str
    periods_seen: int
    severity: str
    status: str
    indicator_code: str | None
    value: float | None
    threshold: float | None
    message_zh: str
    message_en: str
    assignee_id: int | None
    assignee_username: str | None
    due_date: date | None
    raised_at: datetime | None
    updated_at: datetime | None


class AttachmentView(_View):
    """A rectification plan or evidence file, kept in the inbox under its SHA-256."""

    id: int
    event_id: int | None
    kind: str  # plan | evidence
    file_name: str
    inbox_sha256: str
    file_bytes: int
    uploaded_by: str
    uploaded_at: datetime | None


class EventView(_View):
    """One recorded step of the loop: who, when, from which state to which, and why."""

    id: int
    action: str
    from_status: str | None
    to_status: str
    actor: str
    reason: str
    details: dict[str, Any]
    at: datetime | None
    attachments: tuple[AttachmentView, ...] = ()


class AlertHistory(_View):
    """An alert with every event in the order it happened (each with the attachments it
    brought), and all the alert's attachments in upload order."""

    alert: AlertView
    events: tuple[EventView, ...]
    attachments: tuple[AttachmentView, ...]


class StepResult(_View):
    """What a write returns: the alert after the step and the event that records it."""

    alert: AlertView
    event: EventView


class OverdueAlert(_View):
    """A dispatched alert past its due date with no response since (逾期)."""

    alert: AlertView
    days_overdue: int


class LoopCounts(_View):
    """Counts for the cockpit: by status, by severity and by both (zeros included)."""

    period: str | None
    total: int
    by_status: dict[str, int]
    by_severity: dict[str, int]
    by_status_severity: dict[str, dict[str, int]]
    overdue: int | None = None  # only when the caller gave ``today``


class AssignableUser(_View):
    """An enterprise user who may be given the alert; ``distance`` 0 = of the alert's own
    enterprise, 1 = of its parent, and so on up to the top-level group."""

    id: int
    username: str
    display_name: str
    role: str
    enterprise_id: int
    enterprise_name: str
    distance: int
