"""Running the rules for a period and reading the alerts they raised.

:func:`run_alerts` turns candidates into alerts in the caller's one transaction (it flushes;
the caller commits), by these rules, per rule × enterprise:

1. an alert of the rule and enterprise already *covers* the period (``period ≤ P ≤
   last_period``, whatever its status) → nothing changes: re-running a period is idempotent.
   Only when the stored values are the period's own (``last_period = P``) and the data have
   changed since is the alert updated, with a ``refresh`` event;
2. an *open* alert (not closed or dismissed) from an earlier period → the condition persists:
   ``last_period``, ``periods_seen + 1`` and the values move on (a ``refresh`` event), and
   every ``escalate_after`` periods seen the severity goes one step up, to red at most (an
   ``escalate`` event). A candidate graver than the alert lifts it too. No new row;
3. otherwise a new alert (``raise`` event) — also when an earlier one was closed: a closed
   alert whose condition comes back later is a new alert.

A condition that no longer holds leaves its alert as it is: closing is the rectification
loop's decision, not the rule engine's.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import Table, and_, bindparam, case, func, insert, or_, select, update
from sqlalchemy.orm import Session

from zhiguo.core.access import Scope
from zhiguo.core.errors import InputError
from zhiguo.core.periods import Period
from zhiguo.core.settings import EngineSettings, IngestSettings
from zhiguo.datacenter.engine import Relation, open_engine
from zhiguo.datacenter.ingest import IngestBatch, Submission, submission_states
from zhiguo.datacenter.lake import open_table, scoped_snapshot
from zhiguo.registry import Enterprise, scope_filter
from zhiguo.security import User
from zhiguo.supervision.alerts.errors import AlertNotFound, RunNotAllowed
from zhiguo.supervision.alerts.evaluate import (
    REGISTRY_SCHEMA,
    SUBMISSION_SCHEMA,
    NotEvaluable,
    Progress,
    evaluate,
)
from zhiguo.supervision.alerts.rules import (
    SEVERITIES,
    AlertRule,
    RuleSet,
    load_rules,
    severity_rank,
)
from zhiguo.supervision.models import Alert, AlertEvent

__all__ = [
    "ALERT_STATUSES",
    "CLOSED_STATUSES",
    "OUTCOMES",
    "RULES_DIR",
    "RunSummary",
    "alert_as_dict",
    "get_alert",
    "list_alerts",
    "registry_table",
    "run_alerts",
    "submissions_table",
    "workspace_rules",
]

ALERT_STATUSES: tuple[str, ...] = ("raised", "dispatched", "responded", "closed", "dismissed")
"""The rectification loop's statuses (下发 / 反馈 / 销号 / 误报)."""

CLOSED_STATUSES: tuple[str, ...] = ("closed", "dismissed")
"""Statuses after which a recurring condition raises a new alert."""

OUTCOMES: tuple[str, ...] = ("raised", "escalated", "refreshed", "unchanged")
"""What a run did with each candidate."""

RULES_DIR = Path("rules") / "alerts"
"""A deployment's own rule files: ``<workspace>/rules/alerts/*.toml``, loaded after the
built-in set in name order."""

_DATASET = "supervision.indicator_values"
_FK_TARGETS = (User,)  # Alert.assignee_id → users.id: the table must be mapped before a flush


@dataclass
class RunSummary:
    """What one run did: counts per (family, severity) and outcome, rules not evaluable."""

    period: str
    rules_applied: tuple[str, ...]
    not_evaluable: tuple[NotEvaluable, ...]
    counts: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)
    candidates: int = 0
    indicator_version: int | None = None
    seconds: float = 0.0

    def add(self, family: str, severity: str, outcome: str) -> None:
        self.counts.setdefault((family, severity), Counter())[outcome] += 1

    def total(self, outcome: str) -> int:
        return sum(c[outcome] for c in self.counts.values())

    def rows(self) -> list[dict[str, Any]]:
        """One row per family × severity (grave first), with a count per outcome."""
        keys = sorted(self.counts, key=lambda k: (k[0], -severity_rank(k[1])))
        return [
            {"family": f, "severity": s, **{o: self.counts[(f, s)][o] for o in OUTCOMES}}
            for f, s in keys
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "rules_applied": list(self.rules_applied),
            "not_evaluable": [ne.__dict__ for ne in self.not_evaluable],
            "rows": self.rows(),
            "totals": {o: self.total(o) for o in OUTCOMES},
            "candidates": self.candidates,
            "indicator_version": self.indicator_version,
            "seconds": round(self.seconds, 3),
        }


# --- inputs ------------------------------------------------------------------------------------


def registry_table(*, session: Session) -> pa.Table:
    """Every enterprise as evaluation reads it (:data:`REGISTRY_SCHEMA`)."""
    rows = session.execute(
        select(
            Enterprise.id,
            Enterprise.industry_code,
            Enterprise.industry_category,
            Enterprise.supervision_class,
            Enterprise.level,
        )
    ).all()
    return pa.table(
        [pa.array([r[i] for r in rows], f.type) for i, f in enumerate(REGISTRY_SCHEMA)],
        schema=REGISTRY_SCHEMA,
    )


def submissions_table(
    *,
    session: Session,
    period: Period,
    settings: IngestSettings,
    dataset: str = "flash_report",
    now: datetime | None = None,
) -> pa.Table:
    """Where each expected single-entity report of ``period`` stands, with the warnings of the
    accepted batch that carried it (:data:`SUBMISSION_SCHEMA`).

    Warnings are attributed per batch: a batch's problems name file, row and item but not the
    entity, so every entity of a batch with warnings is flagged (the alert lists the rules)."""
    states = submission_states(
        session,
        scope=Scope.everything(),
        dataset=dataset,
        period=period,
        settings=settings,
        now=now,
    )
    batches = session.execute(
        select(Submission.enterprise_id, IngestBatch.warnings, IngestBatch.problems_json)
        .join(IngestBatch, IngestBatch.id == Submission.batch_id)
        .where(
            Submission.dataset == dataset,
            Submission.period == str(period),
            Submission.report_type == "single",
            IngestBatch.status == "accepted",
            IngestBatch.warnings > 0,
        )
    ).all()
    warned: dict[int, tuple[int, str]] = {}
    rules_of: dict[str, str] = {}
    for ent, count, problems in batches:
        if problems not in rules_of:
            found = sorted(
                {p.get("rule", "") for p in json.loads(problems) if p.get("severity") == "warning"}
            )
            rules_of[problems] = ", ".join(found)
        warned[ent] = (int(count), rules_of[problems])
    cols: dict[str, list[Any]] = {name: [] for name in SUBMISSION_SCHEMA.names}
    for st in states:
        count, rules = warned.get(st.enterprise_id, (0, ""))
        for name, value in zip(
            SUBMISSION_SCHEMA.names,
            (st.enterprise_id, st.status, st.days_late, count, rules),
            strict=True,
        ):
            cols[name].append(value)
    return pa.table(cols, schema=SUBMISSION_SCHEMA)


def workspace_rules(lake_root: Path, extra: Sequence[Path] = ()) -> RuleSet:
    """The built-in rules, the workspace's own files (``<workspace>/rules/alerts/*.toml``, the
    workspace being the folder that holds ``lake/``) and then ``extra`` files."""
    folder = lake_root.parent / RULES_DIR
    files = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    return load_rules([*files, *extra])


def _indicator_relation(lake_root: Path, scope: Scope) -> tuple[Relation | pa.Table, int | None]:
    table = open_table(lake_root, _DATASET)
    if not table.exists():
        return table.spec.arrow_schema.empty_table(), None
    version = table.version()
    return scoped_snapshot(table, scope, version=version), version


# --- the run -----------------------------------------------------------------------------------


_STATE = (
    Alert.id,
    Alert.rule_code,
    Alert.enterprise_id,
    Alert.period,
    Alert.last_period,
    Alert.periods_seen,
    Alert.severity,
    Alert.status,
    Alert.value,
    Alert.threshold,
    Alert.message_zh,
)
"""What a run needs to know of an existing alert (read as plain rows, written back in bulk)."""


def _table_of(model: type[Alert] | type[AlertEvent]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _same_keys(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Rows grouped by the set of columns they change (one executemany per shape)."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    return list(groups.values())


def _event(
    alert_id: int | None,
    action: str,
    actor: str,
    status: str,
    from_status: str | None,
    at: datetime,
    details: dict[str, Any],
) -> dict[str, Any]:
    return {
        "alert_id": alert_id,
        "action": action,
        "from_status": from_status,
        "to_status": status,
        "actor": actor,
        "reason": "",
        "details_json": json.dumps(details, ensure_ascii=False, sort_keys=True),
        "at": at,
    }


def _changes(cand: dict[str, Any], at: datetime) -> dict[str, Any]:
    return {
        "value": cand["value"],
        "threshold": cand["threshold"],
        "message_zh": cand["message_zh"],
        "message_en": cand["message_en"],
        "details_json": cand["details_json"],
        "level": cand["level"],
        "rule_version": cand["rule_version"],
        "updated_at": at,
    }


def run_alerts(
    *,
    session: Session,
    lake_root: Path,
    engine_settings: EngineSettings | None,
    period: str | Period,
    actor: str,
    scope: Scope,
    rules: RuleSet | Sequence[AlertRule] | None = None,
    ingest_settings: IngestSettings | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> RunSummary:
    """Evaluate the rules in force for ``period`` and record the alerts (see the module
    docstring for what happens to each candidate). ``scope`` must be the whole portfolio
    (:class:`RunNotAllowed` otherwise): baselines and peer groups span every enterprise.
    ``rules`` default to :func:`workspace_rules`; ``ingest_settings`` (deadlines) and ``now``
    (the moment lateness is judged at; default: now) feed the data-quality rules. Flushes;
    the caller commits (one transaction for every alert and event of the run)."""
    if not scope.is_unrestricted:
        raise RunNotAllowed()
    started = time.perf_counter()
    p = Period.parse(period)
    ruleset = rules if rules is not None else workspace_rules(lake_root)
    relation, version = _indicator_relation(lake_root, scope)
    evaluation = evaluate(
        engine=open_engine(engine_settings),
        indicator_relation=relation,
        registry_table=registry_table(session=session),
        period=p,
        rules=ruleset,
        submissions=submissions_table(
            session=session, period=p, settings=ingest_settings or IngestSettings(), now=now
        ),
        progress=progress,
        details={"indicator_values_version": version},
    )
    summary = RunSummary(
        period=str(p),
        rules_applied=tuple(r.code for r in evaluation.rules),
        not_evaluable=evaluation.not_evaluable,
        candidates=evaluation.candidates.num_rows,
        indicator_version=version,
    )
    _persist(session, evaluation.candidates.to_pylist(), evaluation.rules, p, actor, summary)
    summary.seconds = time.perf_counter() - started
    return summary


def _persist(
    session: Session,
    candidates: list[dict[str, Any]],
    rules: Sequence[AlertRule],
    p: Period,
    actor: str,
    summary: RunSummary,
) -> None:
    """Decide each candidate's outcome against the alerts already recorded, then write: one
    bulk INSERT of new alerts (ids back in order), one bulk UPDATE by id, one bulk INSERT of
    events — a few statements whatever the number of alerts."""
    if not candidates:
        return
    by_code = {r.code: r for r in rules}
    here = str(p)
    at = datetime.now(UTC)
    existing = session.execute(
        select(*_STATE).where(
            Alert.rule_code.in_(sorted(by_code)),
            or_(
                Alert.status.not_in(CLOSED_STATUSES),
                and_(Alert.period <= here, Alert.last_period >= here),
            ),
        )
    ).mappings()
    covering: dict[tuple[str, int], dict[str, Any]] = {}
    open_: dict[tuple[str, int], dict[str, Any]] = {}
    for found in existing:
        state = dict(found)
        key = (state["rule_code"], state["enterprise_id"])
        if state["period"] <= here <= state["last_period"]:
            covering[key] = state
        if state["status"] not in CLOSED_STATUSES:
            known = open_.get(key)
            if known is None or state["last_period"] > known["last_period"]:
                open_[key] = state
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for cand in candidates:
        key = (cand["rule_code"], cand["enterprise_id"])
        covered, persisting = covering.get(key), open_.get(key)
        change: dict[str, Any] | None = None
        if covered is not None:
            outcome, severity, change = _rerun(covered, cand, here, actor, at, events)
        elif persisting is not None and persisting["last_period"] < here:
            rule = by_code[cand["rule_code"]]
            outcome, severity, change = _persisting(persisting, cand, rule, here, actor, at, events)
        elif persisting is not None:  # an open alert from a later period: leave it be
            outcome, severity = "unchanged", persisting["severity"]
        else:
            outcome, severity = "raised", cand["severity"]
            inserts.append(
                {
                    "rule_code": cand["rule_code"],
                    "rule_version": cand["rule_version"],
                    "family": cand["family"],
                    "enterprise_id": cand["enterprise_id"],
                    "level": cand["level"],
                    "period": here,
                    "last_period": here,
                    "periods_seen": 1,
                    "severity": severity,
                    "status": "raised",
                    "indicator_code": cand["indicator_code"],
                    "value": cand["value"],
                    "threshold": cand["threshold"],
                    "message_zh": cand["message_zh"],
                    "message_en": cand["message_en"],
                    "details_json": cand["details_json"],
                    "raised_at": at,
                    "updated_at": at,
                }
            )
        if change is not None:
            updates.append(change)
        summary.add(cand["family"], severity, outcome)
    # Core executemany, not the ORM: tens of thousands of rows in a few statements
    session.flush()
    conn = session.connection()
    alerts, events_table = _table_of(Alert), _table_of(AlertEvent)
    if inserts:
        conn.execute(insert(alerts), inserts)
        # the new rows' ids, by the unique key (rule, enterprise, first period = this one)
        new_ids = {
            (r.rule_code, r.enterprise_id): r.id
            for r in conn.execute(
                select(alerts.c.id, alerts.c.rule_code, alerts.c.enterprise_id).where(
                    alerts.c.period == here,
                    alerts.c.rule_code.in_(sorted({row["rule_code"] for row in inserts})),
                )
            )
        }
        for row in inserts:
            alert_id = new_ids[(row["rule_code"], row["enterprise_id"])]
            details = {"period": here, "severity": row["severity"], "value": row["value"]}
            events.append(_event(alert_id, "raise", actor, "raised", None, at, details))
    if updates:
        for group in _same_keys(updates):
            stmt = update(alerts).where(alerts.c.id == bindparam("alert_id"))
            conn.execute(
                stmt,
                [{**{k: v for k, v in u.items() if k != "id"}, "alert_id": u["id"]} for u in group],
            )
    if events:
        conn.execute(insert(events_table), events)
    for held in list(session.identity_map.values()):  # alerts the caller holds are now stale
        if isinstance(held, Alert):
            session.expire(held)


def _rerun(
    state: dict[str, Any],
    cand: dict[str, Any],
    here: str,
    actor: str,
    at: datetime,
    events: list[dict[str, Any]],
) -> tuple[str, str, dict[str, Any] | None]:
    """The period is already covered: idempotent, unless this period's own data changed."""
    before = state["severity"]
    same = (
        state["value"] == cand["value"]
        and state["threshold"] == cand["threshold"]
        and state["message_zh"] == cand["message_zh"]
        and severity_rank(before) >= severity_rank(cand["severity"])
    )
    if state["last_period"] != here or same:
        return "unchanged", before, None
    after = max(before, cand["severity"], key=severity_rank)
    action = "escalate" if after != before else "refresh"
    details = {"period": here, "value": cand["value"], "from": before, "to": after}
    status = state["status"]
    events.append(_event(state["id"], action, actor, status, status, at, details))
    change = {"id": state["id"], **_changes(cand, at), "severity": after}
    return ("escalated" if action == "escalate" else "refreshed"), after, change


def _persisting(
    state: dict[str, Any],
    cand: dict[str, Any],
    rule: AlertRule,
    here: str,
    actor: str,
    at: datetime,
    events: list[dict[str, Any]],
) -> tuple[str, str, dict[str, Any]]:
    """An open alert whose condition holds again in a later period."""
    before = state["severity"]
    seen = int(state["periods_seen"]) + 1
    rank = severity_rank(before)
    if seen % rule.escalate_after == 0:
        rank += 1
    rank = min(max(rank, severity_rank(cand["severity"])), len(SEVERITIES) - 1)
    after = SEVERITIES[rank]
    action = "escalate" if after != before else "refresh"
    details = {
        "period": here,
        "periods_seen": seen,
        "value": cand["value"],
        "from": before,
        "to": after,
    }
    status = state["status"]
    events.append(_event(state["id"], action, actor, status, status, at, details))
    change = {
        "id": state["id"],
        **_changes(cand, at),
        "severity": after,
        "last_period": here,
        "periods_seen": seen,
    }
    return ("escalated" if action == "escalate" else "refreshed"), after, change


# --- reading -----------------------------------------------------------------------------------


def list_alerts(
    *,
    session: Session,
    scope: Scope,
    period: str | Period | None = None,
    status: str | None = None,
    severity: str | None = None,
    enterprise_id: int | None = None,
    rule_code: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Alert], int]:
    """Alerts of enterprises inside ``scope`` (an enterprise user sees only its own subtree's),
    gravest and newest first, and their total. ``period``: alerts that concern it (first
    raised in it, or persisting through it: ``period ≤ P ≤ last_period``)."""
    if status is not None and status not in ALERT_STATUSES:
        raise InputError(
            f"预警状态 {status!r} 无效（可用：{' / '.join(ALERT_STATUSES)}）",
            f"Alert status {status!r} is invalid ({' / '.join(ALERT_STATUSES)})",
        )
    if severity is not None and severity not in SEVERITIES:
        raise InputError(
            f"预警等级 {severity!r} 无效（可用：{' / '.join(SEVERITIES)}）",
            f"Alert severity {severity!r} is invalid ({' / '.join(SEVERITIES)})",
        )
    query = scope_filter(select(Alert), scope, Alert.enterprise_id)
    if period is not None:
        here = str(Period.parse(period))
        query = query.where(Alert.period <= here, Alert.last_period >= here)
    if status is not None:
        query = query.where(Alert.status == status)
    if severity is not None:
        query = query.where(Alert.severity == severity)
    if enterprise_id is not None:
        query = query.where(Alert.enterprise_id == enterprise_id)
    if rule_code is not None:
        query = query.where(Alert.rule_code == rule_code)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    grave = case({"red": 0, "orange": 1, "yellow": 2}, value=Alert.severity, else_=3)
    items = session.scalars(
        query.order_by(grave, Alert.last_period.desc(), Alert.id.desc()).limit(limit).offset(offset)
    )
    return list(items), total


def get_alert(*, session: Session, scope: Scope, alert_id: int) -> Alert:
    """One alert; :class:`AlertNotFound` if there is none **or** it is outside ``scope``."""
    found = session.scalar(
        scope_filter(select(Alert).where(Alert.id == alert_id), scope, Alert.enterprise_id)
    )
    if found is None:
        raise AlertNotFound(f"未找到预警 {alert_id}", f"No alert {alert_id}")
    return found


def alert_as_dict(alert: Alert) -> dict[str, Any]:
    """An alert as plain data (for ``--json`` and the API)."""
    return {
        "id": alert.id,
        "rule_code": alert.rule_code,
        "rule_version": alert.rule_version,
        "family": alert.family,
        "enterprise_id": alert.enterprise_id,
        "level": alert.level,
        "period": alert.period,
        "last_period": alert.last_period,
        "periods_seen": alert.periods_seen,
        "severity": alert.severity,
        "status": alert.status,
        "indicator_code": alert.indicator_code,
        "value": alert.value,
        "threshold": alert.threshold,
        "message_zh": alert.message_zh,
        "message_en": alert.message_en,
        "details": json.loads(alert.details_json or "{}"),
        "assignee_id": alert.assignee_id,
        "due_date": alert.due_date.isoformat() if alert.due_date else None,
        "raised_at": alert.raised_at.isoformat() if alert.raised_at else None,
    }
