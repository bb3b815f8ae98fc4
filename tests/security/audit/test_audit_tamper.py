"""Tampering with the audit log is detected and the record named — on SQLite and PostgreSQL.

The attacker has database access: drops the append-only triggers and edits rows with raw SQL.
Tree heads are signed outside the database; editing them breaks the SM2 signature.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import insert, select

from conftest import AuditWorld
from zhiguo.security.audit import AuditRecord, canonical_bytes, record_hash, verify_log
from zhiguo.security.audit.heads import heads_dir


def _row(w: AuditWorld, seq: int) -> dict[str, Any]:
    with w.engine.connect() as conn:
        return dict(
            conn.execute(select(AuditRecord.__table__).where(AuditRecord.seq == seq))
            .mappings()
            .one()
        )


def _world(audit_world: AuditWorld) -> AuditWorld:
    """20 records, heads at 10 and 20."""
    audit_world.append(10)
    assert audit_world.seal() == 10
    audit_world.append(10)
    assert audit_world.seal() == 20
    report = verify_log(audit_world.engine, audit_world.settings)
    assert report.ok, report.findings
    assert (report.records, report.heads_checked, report.latest_head) == (20, 2, 20)
    return audit_world


def _codes(world: AuditWorld) -> dict[str, set[int | None]]:
    report = verify_log(world.engine, world.settings)
    assert not report.ok
    out: dict[str, set[int | None]] = {}
    for f in report.findings:
        out.setdefault(f.code, set()).add(f.seq)
        assert f.message_zh and f.message_en
    return out


def test_an_edited_field_is_named(audit_world: AuditWorld) -> None:
    w = _world(audit_world)
    w.raw("UPDATE audit_log SET object = 'nothing to see' WHERE seq = 7")
    assert _codes(w)["ZG-AUDIT-010"] == {7}


def test_an_edit_with_a_recomputed_hash_is_caught_by_the_signed_head(
    audit_world: AuditWorld,
) -> None:
    w = _world(audit_world)
    w.raw("UPDATE audit_log SET result = 'failure' WHERE seq = 15")
    row = _row(w, 15)
    forged = record_hash(row)
    w.raw(f"UPDATE audit_log SET hash = '{forged}' WHERE seq = 15")
    codes = _codes(w)
    assert codes == {
        "ZG-AUDIT-011": {16},  # the next record still names the old hash
        "ZG-AUDIT-015": {11},  # head 20 covers seq 11–20
    }


def test_a_deleted_record_is_named(audit_world: AuditWorld) -> None:
    w = _world(audit_world)
    w.raw("DELETE FROM audit_log WHERE seq = 5")
    assert _codes(w)["ZG-AUDIT-012"] == {5}


def test_two_swapped_records_are_named(audit_world: AuditWorld) -> None:
    w = _world(audit_world)
    w.raw(
        "UPDATE audit_log SET seq = -3 WHERE seq = 3",
        "UPDATE audit_log SET seq = 3 WHERE seq = 4",
        "UPDATE audit_log SET seq = 4 WHERE seq = -3",
    )
    assert _codes(w)["ZG-AUDIT-010"] == {3, 4}


def test_a_forged_inserted_record_is_named(audit_world: AuditWorld) -> None:
    w = _world(audit_world)
    # Shift 12.. up by one and slip a well-formed, correctly chained record in at 12.
    w.raw(*(f"UPDATE audit_log SET seq = {s + 1} WHERE seq = {s}" for s in range(20, 11, -1)))
    before = _row(w, 11)
    prev, at = before["hash"], before["at"]
    row = {
        "seq": 12,
        "at": at,
        "user_id": None,
        "username": "ghost",
        "org": "",
        "client_addr": "10.0.0.66",
        "event_type": "data.export",
        "object": "everything",
        "result": "success",
        "request_id": "",
        "detail": "{}",
        "prev_hash": prev,
    }
    assert canonical_bytes(row)
    row["hash"] = record_hash(row)
    with w.engine.begin() as conn:
        conn.execute(insert(AuditRecord), [row])
    codes = _codes(w)
    assert 13 in codes["ZG-AUDIT-010"]  # the record that was pushed from 12 to 13
    assert codes["ZG-AUDIT-011"] == {13}
    assert codes["ZG-AUDIT-015"] == {11}


def test_a_truncated_tail_is_named(audit_world: AuditWorld) -> None:
    w = _world(audit_world)
    w.raw(
        "DELETE FROM audit_log WHERE seq > 17",
        "UPDATE audit_head SET seq = 17, hash = (SELECT hash FROM audit_log WHERE seq = 17)",
    )
    codes = _codes(w)
    assert codes == {"ZG-AUDIT-013": {18}}


def test_a_truncated_unsealed_tail_is_named_by_the_head_table(audit_world: AuditWorld) -> None:
    w = _world(audit_world)
    w.append(3)  # 21–23, not sealed
    w.raw("DELETE FROM audit_log WHERE seq > 21")
    assert _codes(w) == {"ZG-AUDIT-019": {22}}


def test_an_edited_tree_head_file_is_named(audit_world: AuditWorld) -> None:
    w = _world(audit_world)
    path = heads_dir(w.settings) / "10.json"
    doc = json.loads(path.read_text())
    doc["root"] = "00" * 32
    path.write_text(json.dumps(doc))
    assert _codes(w) == {"ZG-AUDIT-014": {10}}


def test_a_forged_head_signature_is_named(audit_world: AuditWorld) -> None:
    w = _world(audit_world)
    path = heads_dir(w.settings) / "20.json"
    doc = json.loads(path.read_text())
    sig = bytearray(bytes.fromhex(doc["signature"]))
    sig[5] ^= 0x01
    doc["signature"] = sig.hex()
    path.write_text(json.dumps(doc))
    assert _codes(w) == {"ZG-AUDIT-014": {20}}


def test_a_head_signed_with_another_key_is_rejected(audit_world: AuditWorld) -> None:
    from zhiguo.core.crypto import SM2KeyPair
    from zhiguo.security.audit import TreeHead

    w = _world(audit_world)
    w.append(5)
    head = TreeHead.create(
        tree_size=40, root=b"\x00" * 32, last_hash="0" * 64, key=SM2KeyPair.generate(), tz="UTC"
    )
    head.write(heads_dir(w.settings))
    assert _codes(w) == {"ZG-AUDIT-014": {40}}


def test_verify_from_a_seq_checks_the_chain_from_there(audit_world: AuditWorld) -> None:
    w = _world(audit_world)
    w.raw("UPDATE audit_log SET username = 'x' WHERE seq = 3")
    later = verify_log(w.engine, w.settings, from_seq=10)
    assert later.ok and later.records == 11 and later.first_seq == 10
    assert verify_log(w.engine, w.settings, from_seq=2).tampered_seqs == [3]
