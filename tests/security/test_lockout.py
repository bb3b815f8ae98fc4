"""Brute force: account lockout, per-address block and login rate limit (等保 身份鉴别,
入侵防范), each audited; the answers never tell a locked account from a wrong password."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiguo.core.access import Role
from zhiguo.core.settings import SecuritySettings
from zhiguo.security import (
    InvalidCredentials,
    LoginAttempt,
    TooManyAttempts,
    User,
    add_user,
    authenticate,
    login,
    unlock_user,
)
from zhiguo.security.audit import AuditRecord
from zhiguo.security.service import RequestInfo

PASSWORD = "Str0ng!passw0rd"
SETTINGS = SecuritySettings(mfa_required_roles=[])


@pytest.fixture
def users(sample_session: Session) -> Session:
    for name in ("alice", "bob"):
        add_user(session=sample_session, username=name, role=Role.PUBLIC, password=PASSWORD,
                 must_change_password=False)  # fmt: skip
    sample_session.commit()
    return sample_session


def _try(session: Session, username: str, password: str, addr: str = "", **kw: object) -> None:
    authenticate(session=session, username=username, password=password, settings=SETTINGS,
                 request=RequestInfo(client_addr=addr), **kw)  # type: ignore[arg-type]  # fmt: skip


def test_five_failures_lock_the_account_for_fifteen_minutes(users: Session) -> None:
    now = datetime.now(UTC)
    for _ in range(4):
        with pytest.raises(InvalidCredentials):
            _try(users, "alice", "wrong", now=now)
    _try(users, "alice", PASSWORD, now=now)  # a success resets the count
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            _try(users, "alice", "wrong", now=now)
    # locked: even the right password gets the same answer as a wrong one
    with pytest.raises(InvalidCredentials) as locked:
        _try(users, "alice", PASSWORD, now=now + timedelta(minutes=14))
    assert locked.value.code == "ZG-SEC-001"
    _try(users, "bob", PASSWORD, now=now)  # other accounts are not affected
    _try(users, "alice", PASSWORD, now=now + timedelta(minutes=15, seconds=1))
    events = [r.event_type for r in users.scalars(select(AuditRecord).order_by(AuditRecord.seq))]
    assert events.count("auth.lockout") == 1
    assert events.count("auth.login_failed") == 10  # 4 + 5 + the one while locked


def test_an_operator_unlocks(users: Session) -> None:
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            _try(users, "alice", "wrong")
    with pytest.raises(InvalidCredentials):
        _try(users, "alice", PASSWORD)
    unlock_user(session=users, username="alice")
    _try(users, "alice", PASSWORD)


def test_unknown_names_answer_like_wrong_passwords(users: Session) -> None:
    answers = set()
    for name, password in [("alice", "wrong"), ("nobody", PASSWORD), ("nobody", "wrong")]:
        with pytest.raises(InvalidCredentials) as info:
            _try(users, name, password)
        answers.add((info.value.code, info.value.message("zh"), info.value.http_status))
    assert len(answers) == 1


def test_an_address_with_too_many_failures_is_refused(users: Session) -> None:
    settings = SETTINGS.model_copy(update={"address_failure_threshold": 6})
    now = datetime.now(UTC)
    names = ["alice", "bob", "carol", "dave", "erin", "frank"]  # spread: no account locks
    for minute, name in enumerate(names):
        with pytest.raises(InvalidCredentials):
            authenticate(session=users, username=name, password="wrong", settings=settings,
                         request=RequestInfo(client_addr="203.0.113.9"),
                         now=now + timedelta(minutes=minute))  # fmt: skip
    later = now + timedelta(minutes=6)
    with pytest.raises(TooManyAttempts) as refused:  # even with the right password
        authenticate(session=users, username="bob", password=PASSWORD, settings=settings,
                     request=RequestInfo(client_addr="203.0.113.9"), now=later)  # fmt: skip
    assert refused.value.http_status == 429 and refused.value.code == "ZG-SEC-004"
    denied = users.scalars(select(AuditRecord).where(AuditRecord.result == "denied")).all()
    assert [r.client_addr for r in denied] == ["203.0.113.9"]  # the refusal is evidence
    # another address is not affected; the block ends with the window
    authenticate(session=users, username="bob", password=PASSWORD, settings=settings,
                 request=RequestInfo(client_addr="198.51.100.7"), now=later)  # fmt: skip
    authenticate(session=users, username="bob", password=PASSWORD, settings=settings,
                 request=RequestInfo(client_addr="203.0.113.9"),
                 now=now + timedelta(minutes=16))  # fmt: skip


def test_login_rate_limit_per_address(users: Session) -> None:
    now = datetime.now(UTC)
    for second in range(SETTINGS.login_rate_per_minute):
        _try(users, "bob", PASSWORD, addr="192.0.2.1", now=now + timedelta(seconds=second))
    with pytest.raises(TooManyAttempts):
        _try(users, "bob", PASSWORD, addr="192.0.2.1", now=now + timedelta(seconds=30))
    _try(users, "bob", PASSWORD, addr="192.0.2.1", now=now + timedelta(seconds=75))
    assert users.scalar(select(LoginAttempt.id).where(LoginAttempt.client_addr == "192.0.2.1"))


def test_login_records_the_outcome_in_the_audit_log(users: Session) -> None:
    with pytest.raises(InvalidCredentials):
        login(session=users, username="alice", password="wrong", settings=SETTINGS,
              client_addr="192.0.2.5", request_id="r1")  # fmt: skip
    login(session=users, username="alice", password=PASSWORD, settings=SETTINGS,
          client_addr="192.0.2.5", request_id="r2")  # fmt: skip
    records = list(users.scalars(select(AuditRecord).order_by(AuditRecord.seq)))
    assert [(r.event_type, r.result) for r in records] == [
        ("auth.login_failed", "failure"),
        ("auth.login", "success"),
    ]
    assert records[1].client_addr == "192.0.2.5" and records[1].request_id == "r2"
    assert PASSWORD not in " ".join(str(vars(r)) for r in records)  # no credentials in logs
    alice = users.scalar(select(User).where(User.username == "alice"))
    assert alice is not None and alice.failed_logins == 0
