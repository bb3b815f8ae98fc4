"""``zhiguo audit verify``: recompute every hash, link and signed tree-head root.

One streaming pass over the log (server-side cursor on PostgreSQL) with a tight loop per
record: SM3 of the canonical form, the link to the previous hash, the Merkle frontier.
Each finding names the ``seq`` it concerns and a ``ZG-AUDIT-0xx`` code (``errors.FINDINGS``).
"""

from __future__ import annotations

import _hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select, text

from zhiguo.core.settings import Settings

from .anchors import load_anchor
from .chain import COLUMNS, canonical_time, canonical_values
from .errors import FINDINGS
from .heads import TreeHead, archive_dir, heads_dir, load_heads, signing_key
from .merkle import MerkleFrontier
from .models import GENESIS_HASH, AuditRecord

__all__ = ["Finding", "VerifyReport", "at_text", "iter_rows", "verify_log"]

_CHUNK = 20_000
_MAX_FINDINGS = 1000


@dataclass(frozen=True)
class Finding:
    """One thing wrong, with the record it concerns."""

    code: str
    seq: int | None
    message_zh: str
    message_en: str

    def message(self, lang: str = "zh") -> str:
        return self.message_zh if lang.startswith("zh") else self.message_en

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "seq": self.seq,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }


def _finding(code: str, seq: int | None = None, **fields: Any) -> Finding:
    zh, en = FINDINGS[code]
    fields.setdefault("seq", seq)
    return Finding(code, seq, zh.format(**fields), en.format(**fields))


@dataclass
class VerifyReport:
    """What ``verify`` checked and found; ``ok`` means nothing was found."""

    records: int = 0
    first_seq: int | None = None
    last_seq: int = 0
    heads_checked: int = 0
    latest_head: int = 0
    anchor_seq: int = 0
    seconds: float = 0.0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def tampered_seqs(self) -> list[int]:
        return sorted({f.seq for f in self.findings if f.seq is not None})

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "records": self.records,
            "first_seq": self.first_seq,
            "last_seq": self.last_seq,
            "heads_checked": self.heads_checked,
            "latest_head": self.latest_head,
            "anchor_seq": self.anchor_seq,
            "seconds": round(self.seconds, 3),
            "findings": [f.as_dict() for f in self.findings],
        }


_SELECT = "SELECT " + ", ".join(f'"{c}"' for c in COLUMNS) + " FROM audit_log WHERE seq > %s"


def iter_rows(engine: Engine, after_seq: int = 0, up_to: int | None = None) -> Iterator[Any]:
    """Rows as plain tuples in canonical column order, ascending ``seq``, fetched in chunks
    straight from the driver (a server-side cursor on PostgreSQL): the verifier's loop is
    the hot path, so no ORM or result processing sits in it. ``at`` arrives as the driver
    gives it (see :func:`at_text`)."""
    sql = _SELECT % int(after_seq)
    if up_to is not None:
        sql += f" AND seq <= {int(up_to)}"
    sql += " ORDER BY seq"
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        postgres = engine.dialect.name == "postgresql"
        cur = raw.cursor(name="zg_audit_rows") if postgres else raw.cursor()
        try:
            cur.execute(sql)
            while rows := cur.fetchmany(_CHUNK):
                yield from rows
        finally:
            cur.close()
            if postgres:
                raw.rollback()


def at_text(value: Any) -> str:
    """Canonical time of a raw ``at``: SQLite hands over SQLAlchemy's stored text
    (``YYYY-MM-DD HH:MM:SS.ffffff``, UTC), PostgreSQL an aware datetime."""
    if isinstance(value, str):
        if len(value) == 26:
            return value[:10] + "T" + value[11:] + "Z"
        return canonical_time(datetime.fromisoformat(value))
    return canonical_time(value)


def _db_state(engine: Engine) -> tuple[int, int, str]:
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT seq, anchor_seq, anchor_hash FROM audit_head WHERE id = 1")
        ).one_or_none()
    return (0, 0, GENESIS_HASH) if row is None else (int(row[0]), int(row[1]), str(row[2]))


def verify_log(engine: Engine, settings: Settings, *, from_seq: int | None = None) -> VerifyReport:
    """Check the whole log (or, with ``from_seq``, the chain from that record on; tree-head
    roots need every leaf, so they are checked only on a full run)."""
    started = time.perf_counter()
    report = VerifyReport()
    findings = report.findings
    public = signing_key(settings).public_key
    heads, unreadable = load_heads(heads_dir(settings))
    for name, problem in unreadable:
        findings.append(_finding("ZG-AUDIT-016", detail=f"{name}: {problem}"))
    valid: dict[int, TreeHead] = {}
    for head in heads:
        if head.signature_ok(public):
            valid[head.tree_size] = head
        else:
            findings.append(
                _finding("ZG-AUDIT-014", head.tree_size, size=head.tree_size, detail=head.key_id)
            )
    report.latest_head = max(valid, default=0)
    head_seq, anchor_seq, anchor_hash = _db_state(engine)
    report.anchor_seq = anchor_seq

    frontier = MerkleFrontier()
    expected, prev_hash = 1, GENESIS_HASH
    if anchor_seq:
        try:
            anchor = load_anchor(archive_dir(settings), anchor_seq)
            if not anchor.signature_ok(public) or anchor.last_hash != anchor_hash:
                raise ValueError("signature or hash does not match the database anchor")
            frontier = anchor.merkle()
            if frontier.size != anchor_seq:
                raise ValueError("frontier size does not match")
        except (OSError, ValueError, TypeError) as exc:
            findings.append(_finding("ZG-AUDIT-018", anchor_seq, detail=f"{anchor_seq}: {exc}"))
        expected, prev_hash = anchor_seq + 1, anchor_hash
    check_roots = from_seq is None or from_seq <= expected
    after = expected - 1
    if not check_roots:
        after = int(from_seq or 1) - 1
        with engine.connect() as conn:
            before = conn.execute(
                select(AuditRecord.seq, AuditRecord.hash).where(AuditRecord.seq == after)
            ).one_or_none()
        expected, prev_hash = after + 1, (str(before[1]) if before else prev_hash)

    sizes = set(valid) if check_roots else set()
    last_good_head = anchor_seq
    sm3 = _hashlib.new  # hashlib.new minus its Python wrapper: this loop runs a million times
    fromhex = bytes.fromhex
    leaf, node = b"\x00", b"\x01"
    stack = frontier.stack
    first = True
    records = 0
    seq = after
    for row in iter_rows(engine, after):
        seq, at, uid, un, org, ca, et, ob, res, rid, det, prev, stored = row
        records += 1
        if first:
            report.first_seq = seq
            first = False
            if seq == expected and anchor_seq and seq == anchor_seq + 1 and prev != prev_hash:
                findings.append(_finding("ZG-AUDIT-017", seq))
                prev_hash = prev
        if seq != expected:
            findings.append(_finding("ZG-AUDIT-012", expected, end=seq - 1))
            prev_hash = prev  # do not report the link right after a gap twice
        computed = sm3(
            "sm3",
            canonical_values(
                seq,
                (at[:10] + "T" + at[11:] + "Z")
                if type(at) is str and len(at) == 26
                else at_text(at),
                uid,
                un,
                org,
                ca,
                et,
                ob,
                res,
                rid,
                det,
                prev,
            ),
        ).hexdigest()
        if computed != stored:
            findings.append(_finding("ZG-AUDIT-010", seq))
        if prev != prev_hash:
            findings.append(_finding("ZG-AUDIT-011", seq, prev=seq - 1))
        prev_hash = stored
        expected = seq + 1
        if check_roots:
            try:
                raw_hash = fromhex(stored)
            except ValueError:
                raw_hash = fromhex(computed)
            # MerkleFrontier.append, inlined (RFC 6962 §2.1 with SM3)
            size, nd = 1, sm3("sm3", leaf + raw_hash).digest()
            while stack and stack[-1][0] == size:
                nd = sm3("sm3", node + stack.pop()[1] + nd).digest()
                size *= 2
            stack.append((size, nd))
            frontier.size += 1
            if frontier.size in sizes:
                head = valid[frontier.size]
                report.heads_checked += 1
                if frontier.root().hex() != head.root or head.last_hash != stored:
                    findings.append(
                        _finding(
                            "ZG-AUDIT-015",
                            last_good_head + 1,
                            end=head.tree_size,
                            size=head.tree_size,
                        )
                    )
                else:
                    last_good_head = head.tree_size
        if len(findings) >= _MAX_FINDINGS:
            break
    report.records = records
    report.last_seq = seq
    if report.latest_head > seq:
        findings.append(
            _finding("ZG-AUDIT-013", seq + 1, end=report.latest_head, size=report.latest_head)
        )
    elif head_seq > seq:
        findings.append(_finding("ZG-AUDIT-019", seq + 1, size=head_seq))
    report.seconds = time.perf_counter() - started
    return report
