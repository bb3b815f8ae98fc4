"""The rectification loop's service: dispatch (下发) → respond (反馈) → verify (核查): close
(销号) or reopen; dismiss a false alarm. Reads for the inbox, the detail page and the cockpit.

Every write checks, in this order: the alert is in the caller's ``scope`` (else
:class:`AlertNotFound`, so another tenant's alert never shows it exists), the caller's role
is on the side that takes the action (:class:`WrongSide`), the alert's state allows it
(:class:`IllegalTransition`), the input (reasons, dates, assignee, attachments). Only then
does it write: the state change (a compare-and-set on the status, so two verifiers cannot
both act) and one :class:`AlertEvent`, never edited afterwards.

Like the registry and the reporting calendar, the functions ``flush`` and never ``commit``:
the caller's unit of work (``session_scope``, the web request) commits or rolls back.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from zhiguo.core.access import Principal, Scope
from zhiguo.core.errors import Location
from zhiguo.core.inbox import keep_file
from zhiguo.core.periods import Period
from zhiguo.registry import Enterprise, path_to_root, scope_filter
from zhiguo.security import User

from ..models import Alert, AlertAttachment, AlertEvent
from .attachments import check_attachments
from .errors import (
    AlertNotFound,
    IllegalTransition,
    InvalidAssignee,
    InvalidDueDate,
    ReasonRequired,
    WrongSide,
)
from .schemas import (
    AlertHistory,
    AlertView,
    AssignableUser,
    AttachmentView,
    EventView,
    LoopCounts,
    OverdueAlert,
    StepResult,
)
from .workflow import (
    ENTERPRISE_ROLES,
    STATE_LABELS,
    STATES,
    TRANSITIONS,
    Side,
    actions_from,
    side_of,
)

__all__ = [
    "INBOX_AREA",
    "SEVERITIES",
    "assignable_users",
    "available_actions",
    "close",
    "dismiss",
    "dispatch",
    "history",
    "loop_counts",
    "overdue",
    "reopen",
    "respond",
]

INBOX_AREA = "alerts"  # attachments are kept as inbox/alerts/<sha256><suffix>
SEVERITIES: tuple[str, ...] = ("red", "orange", "yellow")
_MAX_TEXT = 5000
_FIELD_ZH = {
    "instruction": "整改要求",
    "explanation": "整改说明",
    "note": "核查意见",
    "reason": "理由",
}
_SIDE_ZH = {Side.REGULATOR: "国资委监管人员", Side.ENTERPRISE: "企业用户"}
_SIDE_EN = {Side.REGULATOR: "regulator staff", Side.ENTERPRISE: "enterprise users"}


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; everything stored here is UTC."""
    return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


# ---------------------------------------------------------------------------- checks


def _load(session: Session, alert_id: int, scope: Scope) -> Alert:
    stmt = scope_filter(select(Alert).where(Alert.id == alert_id), scope, Alert.enterprise_id)
    alert = session.scalars(stmt).first()
    if alert is None:
        raise AlertNotFound(f"未找到预警 #{alert_id}", f"No alert #{alert_id}")
    return alert


def _labels(actions: Iterable[str]) -> tuple[str, str]:
    names = [TRANSITIONS[a] for a in actions]
    zh = "、".join(f"{t.label_zh}（{t.action}）" for t in names) or "无（已结束）"
    en = ", ".join(t.action for t in names) or "none (final state)"
    return zh, en


def _check(alert: Alert, principal: Principal, action: str) -> None:
    step = TRANSITIONS[action]
    if side_of(principal.role) is not step.side:
        raise WrongSide(
            f"「{step.label_zh}」只能由{_SIDE_ZH[step.side]}执行（您的角色：{principal.role.value}）",
            f"'{action}' is for {_SIDE_EN[step.side]} only (your role: {principal.role.value})",
        )
    if alert.status not in step.sources:
        raise _illegal(alert, action)


def _illegal(alert: Alert, action: str) -> IllegalTransition:
    step = TRANSITIONS[action]
    state_zh, state_en = STATE_LABELS.get(alert.status, (alert.status, alert.status))
    allowed = actions_from(alert.status)
    allowed_zh, allowed_en = _labels(allowed)
    return IllegalTransition(
        f"预警 #{alert.id} 当前状态为「{state_zh}」，不能执行「{step.label_zh}」；"
        f"当前可执行的操作：{allowed_zh}",
        f"Alert #{alert.id} is {alert.status} ({state_en}); '{action}' is not allowed. "
        f"Allowed now: {allowed_en}",
        details={"status": alert.status, "action": action, "allowed": allowed},
    )


def _text(value: str | None, field: str, action: str) -> str:
    text = (value or "").strip()
    label = TRANSITIONS[action].label_zh
    if not text:
        raise ReasonRequired(
            f"「{label}」必须填写{_FIELD_ZH[field]}",
            f"'{action}' needs a {field}",
            location=Location(field=field),
        )
    if len(text) > _MAX_TEXT:
        raise ReasonRequired(
            f"{_FIELD_ZH[field]}过长（{len(text)} 字），上限 {_MAX_TEXT} 字",
            f"The {field} is too long ({len(text)} characters; limit {_MAX_TEXT})",
            location=Location(field=field),
        )
    return text


def _due(due_date: date, today: date) -> date:
    if due_date <= today:
        raise InvalidDueDate(
            f"整改期限 {due_date.isoformat()} 必须晚于今天（{today.isoformat()}）",
            f"The due date {due_date.isoformat()} must be after today ({today.isoformat()})",
            location=Location(field="due_date"),
        )
    return due_date


def _chain(session: Session, enterprise_id: int, as_of: date) -> list[int]:
    """The enterprise and its controlling parents up to the top-level group, nearest first."""
    path = path_to_root(
        session=session, scope=Scope.everything(), enterprise_id=enterprise_id, as_of=as_of
    )
    return [e.id for e in reversed(path)]


def _assignee(session: Session, alert: Alert, assignee_id: int, as_of: date) -> User:
    user = session.get(User, assignee_id)
    chain = _chain(session, alert.enterprise_id, as_of)
    ok = (
        user is not None
        and not user.disabled
        and user.role in {r.value for r in ENTERPRISE_ROLES}
        and user.enterprise_id in chain
    )
    if user is None or not ok:
        raise InvalidAssignee(
            f"用户 #{assignee_id} 不能承办预警 #{alert.id}：责任人必须是该企业或其上级企业的"
            "在用企业用户（企业负责人或企业填报员）",
            f"User #{assignee_id} cannot be assigned alert #{alert.id}: the assignee must be an "
            "active enterprise leader or officer of the alert's enterprise or one of its parents",
            location=Location(field="assignee_id"),
        )
    return user


# ---------------------------------------------------------------------------- writing


def _move(session: Session, alert: Alert, action: str, **values: Any) -> str:
    """Compare-and-set the status (and ``values``); returns the state it came from."""
    step = TRANSITIONS[action]
    before = alert.status
    stmt = (
        update(Alert)
        .where(Alert.id == alert.id, Alert.status == before)
        .values(status=step.target, updated_at=_now(), **values)
        .execution_options(synchronize_session="fetch")
    )
    result = cast(CursorResult[Any], session.execute(stmt))
    if result.rowcount != 1:  # another user moved it since we read it
        session.refresh(alert)
        raise _illegal(alert, action)
    return before


def _record(
    session: Session,
    alert: Alert,
    action: str,
    before: str,
    principal: Principal,
    reason: str,
    details: dict[str, Any],
) -> AlertEvent:
    event = AlertEvent(
        alert_id=alert.id,
        action=action,
        from_status=before,
        to_status=TRANSITIONS[action].target,
        actor=principal.username,
        reason=reason,
        details_json=json.dumps(
            {"by": {"user_id": principal.user_id, "role": principal.role.value}, **details},
            ensure_ascii=False,
            sort_keys=True,
            default=str,
        ),
        at=_now(),
    )
    session.add(event)
    session.flush()
    return event


def _step(session: Session, alert: Alert, event: AlertEvent) -> StepResult:
    return StepResult(alert=_views(session, [alert])[0], event=_event_view(event, ()))


def dispatch(
    *,
    session: Session,
    alert_id: int,
    principal: Principal,
    scope: Scope,
    assignee_id: int,
    due_date: date,
    instruction: str,
    today: date,
) -> StepResult:
    """下发: give a raised alert to an enterprise user with an instruction and a due date."""
    alert = _load(session, alert_id, scope)
    _check(alert, principal, "dispatch")
    text = _text(instruction, "instruction", "dispatch")
    due = _due(due_date, today)
    user = _assignee(session, alert, assignee_id, today)
    before = _move(session, alert, "dispatch", assignee_id=user.id, due_date=due)
    details = {"assignee_id": user.id, "assignee": user.username, "due_date": due.isoformat()}
    event = _record(session, alert, "dispatch", before, principal, text, details)
    return _step(session, alert, event)


def respond(
    *,
    session: Session,
    inbox: Path,
    alert_id: int,
    principal: Principal,
    scope: Scope,
    explanation: str,
    attachments: Sequence[tuple[str, bytes, str]],
    max_bytes: int,
) -> StepResult:
    """反馈: the enterprise explains and attaches its plan and evidence. Allowed again while
    the alert awaits verification (补充反馈). Every attachment is checked before any is kept;
    one bad file rejects the response and nothing is written."""
    alert = _load(session, alert_id, scope)
    _check(alert, principal, "respond")
    text = _text(explanation, "explanation", "respond")
    checked = check_attachments(attachments, max_bytes=max_bytes)
    kept = [
        (a, keep_file(inbox, INBOX_AREA, a.file_name, a.data, sender=principal.username))
        for a in checked
    ]
    before = _move(session, alert, "respond")
    summary = [{"kind": a.kind, "file_name": a.file_name, "sha256": r.sha256} for a, r in kept]
    event = _record(session, alert, "respond", before, principal, text, {"attachments": summary})
    rows = [
        AlertAttachment(
            alert_id=alert.id,
            event_id=event.id,
            kind=a.kind,
            file_name=a.file_name,
            inbox_sha256=r.sha256,
            file_bytes=len(a.data),
            uploaded_by=principal.username,
            uploaded_at=event.at,
        )
        for a, r in kept
    ]
    session.add_all(rows)
    session.flush()
    view = _event_view(event, [_attachment_view(r) for r in rows])
    return StepResult(alert=_views(session, [alert])[0], event=view)


def close(
    *, session: Session, alert_id: int, principal: Principal, scope: Scope, note: str
) -> StepResult:
    """核查销号: the regulator has verified the rectification; the note says what was checked."""
    alert = _load(session, alert_id, scope)
    _check(alert, principal, "close")
    text = _text(note, "note", "close")
    before = _move(session, alert, "close")
    event = _record(session, alert, "close", before, principal, text, {})
    return _step(session, alert, event)


def reopen(
    *,
    session: Session,
    alert_id: int,
    principal: Principal,
    scope: Scope,
    reason: str,
    due_date: date,
    today: date,
) -> StepResult:
    """退回重办: verification failed; back to the same assignee with a reason and a new date."""
    alert = _load(session, alert_id, scope)
    _check(alert, principal, "reopen")
    text = _text(reason, "reason", "reopen")
    due = _due(due_date, today)
    previous = alert.due_date
    before = _move(session, alert, "reopen", due_date=due)
    details = {
        "due_date": due.isoformat(),
        "previous_due_date": previous.isoformat() if previous else None,
    }
    event = _record(session, alert, "reopen", before, principal, text, details)
    return _step(session, alert, event)


def dismiss(
    *, session: Session, alert_id: int, principal: Principal, scope: Scope, reason: str
) -> StepResult:
    """撤销: the regulator judges the alert a false alarm and says why."""
    alert = _load(session, alert_id, scope)
    _check(alert, principal, "dismiss")
    text = _text(reason, "reason", "dismiss")
    before = _move(session, alert, "dismiss")
    event = _record(session, alert, "dismiss", before, principal, text, {})
    return _step(session, alert, event)


# ---------------------------------------------------------------------------- reading


def _views(session: Session, alerts: Sequence[Alert]) -> list[AlertView]:
    ent_ids = {a.enterprise_id for a in alerts}
    user_ids = {a.assignee_id for a in alerts if a.assignee_id is not None}
    names: dict[int, str] = {}
    if ent_ids:
        rows = session.execute(
            select(Enterprise.id, Enterprise.name_zh).where(Enterprise.id.in_(ent_ids))
        )
        names = {int(i): str(n) for i, n in rows}
    users: dict[int, str] = {}
    if user_ids:
        rows = session.execute(select(User.id, User.username).where(User.id.in_(user_ids)))
        users = {int(i): str(n) for i, n in rows}
    return [
        AlertView(
            id=a.id,
            rule_code=a.rule_code,
            family=a.family,
            enterprise_id=a.enterprise_id,
            enterprise_name=names.get(a.enterprise_id, ""),
            level=a.level,
            period=a.period,
            last_period=a.last_period,
            periods_seen=a.periods_seen,
            severity=a.severity,
            status=a.status,
            indicator_code=a.indicator_code,
            value=a.value,
            threshold=a.threshold,
            message_zh=a.message_zh,
            message_en=a.message_en,
            assignee_id=a.assignee_id,
            assignee_username=users.get(a.assignee_id) if a.assignee_id is not None else None,
            due_date=a.due_date,
            raised_at=_aware(a.raised_at),
            updated_at=_aware(a.updated_at),
        )
        for a in alerts
    ]


def _attachment_view(row: AlertAttachment) -> AttachmentView:
    return AttachmentView(
        id=row.id,
        event_id=row.event_id,
        kind=row.kind,
        file_name=row.file_name,
        inbox_sha256=row.inbox_sha256,
        file_bytes=row.file_bytes,
        uploaded_by=row.uploaded_by,
        uploaded_at=_aware(row.uploaded_at),
    )


def _event_view(event: AlertEvent, attachments: Iterable[AttachmentView]) -> EventView:
    return EventView(
        id=event.id,
        action=event.action,
        from_status=event.from_status,
        to_status=event.to_status,
        actor=event.actor,
        reason=event.reason,
        details=json.loads(event.details_json or "{}"),
        at=_aware(event.at),
        attachments=tuple(attachments),
    )


def history(*, session: Session, alert_id: int, scope: Scope) -> AlertHistory:
    """The alert and every event in the order it happened, each with its attachments."""
    alert = _load(session, alert_id, scope)
    files = [
        _attachment_view(r)
        for r in session.scalars(
            select(AlertAttachment)
            .where(AlertAttachment.alert_id == alert.id)
            .order_by(AlertAttachment.id)
        )
    ]
    by_event: dict[int | None, list[AttachmentView]] = defaultdict(list)
    for f in files:
        by_event[f.event_id].append(f)
    events = session.scalars(
        select(AlertEvent).where(AlertEvent.alert_id == alert.id).order_by(AlertEvent.id)
    )
    return AlertHistory(
        alert=_views(session, [alert])[0],
        events=tuple(_event_view(e, by_event.get(e.id, ())) for e in events),
        attachments=tuple(files),
    )


def _overdue_query(scope: Scope, today: date) -> Any:
    stmt = select(Alert).where(
        Alert.status == "dispatched", Alert.due_date.is_not(None), Alert.due_date < today
    )
    return scope_filter(stmt, scope, Alert.enterprise_id)


def overdue(*, session: Session, scope: Scope, today: date) -> list[OverdueAlert]:
    """逾期: dispatched (or reopened) alerts past their due date with no response since —
    any response moves an alert to ``responded``, so "still dispatched" says exactly that.
    Most overdue first."""
    alerts = list(session.scalars(_overdue_query(scope, today).order_by(Alert.due_date, Alert.id)))
    return [
        OverdueAlert(alert=v, days_overdue=(today - cast(date, v.due_date)).days)
        for v in _views(session, alerts)
    ]


def loop_counts(
    *,
    session: Session,
    scope: Scope,
    period: str | Period | None = None,
    today: date | None = None,
) -> LoopCounts:
    """Alerts by status and severity for the cockpit. With ``period``: the alerts seen in that
    month (first raised in or before it and still observed in it). With ``today``: also how
    many are overdue."""
    stmt = select(Alert.status, Alert.severity, func.count(Alert.id)).group_by(
        Alert.status, Alert.severity
    )
    label = None
    if period is not None:
        label = str(Period.parse(period))
        stmt = stmt.where(Alert.period <= label, Alert.last_period >= label)
    stmt = scope_filter(stmt, scope, Alert.enterprise_id)
    severities = list(SEVERITIES)
    matrix: dict[str, dict[str, int]] = {s: dict.fromkeys(severities, 0) for s in STATES}
    for status, severity, count in session.execute(stmt):
        row = matrix.setdefault(str(status), dict.fromkeys(severities, 0))
        row[str(severity)] = row.get(str(severity), 0) + int(count)
    all_sev = list(dict.fromkeys([*severities, *(s for r in matrix.values() for s in r)]))
    by_severity = {s: sum(r.get(s, 0) for r in matrix.values()) for s in all_sev}
    late = None
    if today is not None:
        query = _overdue_query(scope, today)
        if label is not None:
            query = query.where(Alert.period <= label, Alert.last_period >= label)
        late = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    return LoopCounts(
        period=label,
        total=sum(by_severity.values()),
        by_status={s: sum(r.values()) for s, r in matrix.items()},
        by_severity=by_severity,
        by_status_severity=matrix,
        overdue=late,
    )


def assignable_users(*, session: Session, alert_id: int, scope: Scope) -> list[AssignableUser]:
    """Active enterprise leaders and officers of the alert's enterprise and of each parent up
    to the top-level group (as of ``scope.as_of``, else today), nearest first."""
    alert = _load(session, alert_id, scope)
    chain = _chain(session, alert.enterprise_id, scope.as_of or date.today())
    distance = {eid: i for i, eid in enumerate(chain)}
    rows = session.execute(
        select(User, Enterprise.name_zh)
        .join(Enterprise, Enterprise.id == User.enterprise_id)
        .where(
            User.enterprise_id.in_(chain),
            User.role.in_([r.value for r in ENTERPRISE_ROLES]),
            User.disabled.is_(False),
        )
    )
    out = [
        AssignableUser(
            id=u.id,
            username=u.username,
            display_name=u.display_name,
            role=u.role,
            enterprise_id=cast(int, u.enterprise_id),
            enterprise_name=str(name),
            distance=distance[cast(int, u.enterprise_id)],
        )
        for u, name in rows
    ]
    return sorted(out, key=lambda u: (u.distance, u.role, u.username))


def available_actions(*, alert: Alert | AlertView, principal: Principal) -> list[str]:
    """The actions the UI should offer this caller on this alert (scope already applied)."""
    side = side_of(principal.role)
    return [] if side is None else actions_from(alert.status, side)
