"""Appending: linked SM3 records, append-only in the database, one line under concurrency,
and no business change without its audit record."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from conftest import AuditWorld
from zhiguo.core import Principal, Role, session_scope
from zhiguo.core.errors import ZhiguoError
from zhiguo.registry.models import Enterprise
from zhiguo.security.audit import (
    GENESIS_HASH,
    AuditRecord,
    AuditWriteFailed,
    InvalidAuditEvent,
    record_event,
    record_hash,
    verify_log,
)
from zhiguo.security.audit.merkle import MerkleFrontier, tree_root
from zhiguo.testing import SAMPLE, sample_records


def test_records_are_chained_with_sm3(audit_world: AuditWorld) -> None:
    with session_scope(audit_world.factory) as s:
        enterprises, ownership = sample_records()
        from zhiguo.registry import load_records

        load_records(session=s, enterprises=enterprises, ownership=ownership)
        g1 = s.execute(select(Enterprise.id).where(Enterprise.uscc == SAMPLE["G1"])).scalar_one()
        officer = Principal(
            user_id=7, username="off_g1", role=Role.ENTERPRISE_OFFICER, enterprise_id=g1
        )
        record_event(
            s,
            event_type="data.submit",
            principal=officer,
            object="batch 1",
            detail={"rows": 3, "文件": "a.xlsx"},
            client_addr="10.1.2.3",
            request_id="abc",
        )
        record_event(s, event_type="data.export", result="denied")
    with audit_world.factory() as s:
        first, second = s.execute(select(AuditRecord).order_by(AuditRecord.seq)).scalars()
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == GENESIS_HASH and second.prev_hash == first.hash
    assert (first.username, first.org, first.user_id) == ("off_g1", SAMPLE["G1"], 7)
    assert first.detail == '{"rows":3,"文件":"a.xlsx"}'
    assert record_hash(first.__dict__) == first.hash and len(first.hash) == 64
    assert second.result == "denied" and second.username == ""


@pytest.mark.parametrize(
    ("event_type", "result"), [("Login", "success"), ("data", "success"), ("data.export", "ok")]
)
def test_bad_events_are_refused(audit_world: AuditWorld, event_type: str, result: str) -> None:
    with audit_world.factory() as s, pytest.raises(InvalidAuditEvent):
        record_event(s, event_type=event_type, result=result)


def test_update_and_delete_are_refused_by_the_database(audit_world: AuditWorld) -> None:
    audit_world.append(3)
    for sql in (
        "UPDATE audit_log SET object = 'x' WHERE seq = 2",
        "DELETE FROM audit_log WHERE seq = 3",
        "DELETE FROM audit_log",
    ):
        with pytest.raises(DBAPIError, match="append-only"), audit_world.engine.begin() as conn:
            conn.execute(text(sql))
    if audit_world.engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"), audit_world.engine.begin() as conn:
            conn.execute(text("TRUNCATE audit_log"))
    with audit_world.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar() == 3


def test_a_failed_audit_write_cancels_the_business_change(audit_world: AuditWorld) -> None:
    """Force the audit insert to fail in the database: the enterprise is not committed."""
    with audit_world.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(
                text(
                    "CREATE FUNCTION fail_audit() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'disk full'; END $$"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER fail_audit BEFORE INSERT ON audit_log "
                    "FOR EACH ROW EXECUTE FUNCTION fail_audit()"
                )
            )
        else:
            conn.execute(
                text(
                    "CREATE TRIGGER fail_audit BEFORE INSERT ON audit_log "
                    "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
                )
            )
    with pytest.raises(AuditWriteFailed) as info, session_scope(audit_world.factory) as s:
        s.add(Enterprise(uscc=SAMPLE["G1"], name_zh="写入即审计集团"))
        s.flush()
        record_event(s, event_type="data.import", object=SAMPLE["G1"])
    assert isinstance(info.value, ZhiguoError) and info.value.code == "ZG-AUDIT-002"
    with audit_world.factory() as s:
        assert s.execute(select(Enterprise)).first() is None
        assert s.execute(select(AuditRecord)).first() is None


def test_concurrent_writers_form_one_gapless_chain(audit_world: AuditWorld) -> None:
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                with session_scope(audit_world.factory) as s:
                    record_event(s, event_type="data.read", object=f"w{n}-{i}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = verify_log(audit_world.engine, audit_world.settings)
    assert report.ok, report.findings
    assert (report.records, report.first_seq, report.last_seq) == (60, 1, 60)


def test_the_frontier_root_is_the_rfc6962_root() -> None:
    leaves = [bytes([i]) * 32 for i in range(40)]
    frontier = MerkleFrontier()
    assert frontier.root() == tree_root([])
    for n, leaf in enumerate(leaves, 1):
        frontier.append(leaf)
        assert frontier.root() == tree_root(leaves[:n]), n
        again = MerkleFrontier.from_json(frontier.to_json())
        assert again.root() == frontier.root() and again.size == n


def test_the_fast_sm3_is_the_core_sm3() -> None:
    """GB/T 32905-2016 Appendix A example 1: SM3("abc")."""
    from zhiguo.core.crypto import sm3
    from zhiguo.security.audit.merkle import _sm3

    expected = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert _sm3(b"abc").hex() == sm3(b"abc").hex() == expected


def test_heads_are_signed_automatically_after_the_commit(audit_world: AuditWorld) -> None:
    from zhiguo.security.audit import enable_auto_seal, load_heads
    from zhiguo.security.audit.heads import heads_dir

    w = audit_world
    audit = w.settings.audit.model_copy(update={"tree_head_every": 5, "tree_head_minutes": 0})
    enable_auto_seal(w.engine, w.settings.model_copy(update={"audit": audit}))
    w.append(3)
    assert load_heads(heads_dir(w.settings))[0] == []
    with w.factory() as s:  # crosses 5 but rolls back: no head over records that never were
        record_event(s, event_type="data.read")
        record_event(s, event_type="data.read")
        record_event(s, event_type="data.read")
        s.rollback()
    assert load_heads(heads_dir(w.settings))[0] == []
    w.append(3)  # 4–6: crosses 5, committed
    heads, bad = load_heads(heads_dir(w.settings))
    assert [h.tree_size for h in heads] == [6] and bad == []
    report = verify_log(w.engine, w.settings)
    assert report.ok and report.heads_checked == 1
