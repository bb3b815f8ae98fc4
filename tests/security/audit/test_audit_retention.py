"""Retention: at least 180 days; pruning archives to a signed anchor, deletes through the
sanctioned permit only, and leaves a log that still verifies — heads included."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from conftest import AuditWorld
from zhiguo.core import session_scope
from zhiguo.security.audit import (
    AuditEvent,
    RetentionTooShort,
    prune,
    record_events,
    verify_log,
)
from zhiguo.security.audit.heads import archive_dir

NOW = datetime.now(UTC)


def _old_and_new(w: AuditWorld) -> None:
    """12 records from 400 days ago, then 8 from today; heads at 10 and 20."""
    old = NOW - timedelta(days=400)
    with session_scope(w.factory) as s:
        record_events(
            s,
            [AuditEvent(event_type="data.read", at=old + timedelta(minutes=i)) for i in range(12)],
        )
    w.append(8)
    w.seal()


def test_less_than_180_days_is_refused(audit_world: AuditWorld) -> None:
    with audit_world.factory() as s, pytest.raises(RetentionTooShort) as info:
        prune(s, audit_world.settings, retention_days=179)
    assert info.value.code == "ZG-AUDIT-020"
    with pytest.raises(ValueError, match="180"):
        audit_world.settings.audit.model_validate({"retention_days": 30})


def test_pruning_archives_and_the_log_still_verifies(audit_world: AuditWorld) -> None:
    w = audit_world
    _old_and_new(w)
    with session_scope(w.factory) as s:
        done = prune(s, w.settings, retention_days=180)
    assert (done.pruned, done.up_to_seq) == (12, 12)
    assert done.archive is not None
    archived = [json.loads(x) for x in done.archive.read_text().splitlines()]
    assert [r["seq"] for r in archived] == list(range(1, 13))
    assert (archive_dir(w.settings) / "12.json").is_file()
    report = verify_log(w.engine, w.settings)
    assert report.ok, report.findings
    assert (report.first_seq, report.last_seq, report.anchor_seq) == (13, 21, 12)  # 21: the prune
    assert report.heads_checked == 1  # head 20 recomputed from the anchor's frontier
    w.append(5)
    assert w.seal() == 26
    assert verify_log(w.engine, w.settings).ok
    with pytest.raises(DBAPIError, match="append-only"), w.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 13"))


def test_a_forged_anchor_is_detected(audit_world: AuditWorld) -> None:
    w = audit_world
    _old_and_new(w)
    with session_scope(w.factory) as s:
        prune(s, w.settings, retention_days=180)
    # someone deletes more and moves the anchor in the database to hide it
    w.raw(
        "DELETE FROM audit_log WHERE seq <= 15",
        "UPDATE audit_head SET anchor_seq = 15, anchor_hash = '" + "ab" * 32 + "'",
    )
    report = verify_log(w.engine, w.settings)
    assert not report.ok
    assert {f.code for f in report.findings} >= {"ZG-AUDIT-018"}
