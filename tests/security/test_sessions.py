"""Login, server-side sessions (idle and absolute expiry, logout, disabling) and scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiguo.core.access import Role, Scope
from zhiguo.core.errors import InputError, NotFound
from zhiguo.core.settings import SecuritySettings
from zhiguo.security import (
    InvalidCredentials,
    SessionExpired,
    User,
    UserExists,
    UserSession,
    WeakPassword,
    add_user,
    disable_user,
    generate_password,
    login,
    logout,
    resolve_scope,
    resolve_session,
    set_password,
    verify_password,
)
from zhiguo.testing import SAMPLE

PASSWORD = "Str0ng!passw0rd"
SETTINGS = SecuritySettings(session_idle_minutes=15, session_lifetime_hours=8)


@pytest.fixture
def users(sample_session: Session) -> Session:
    add_user(session=sample_session, username="analyst", role=Role.REGULATOR_ANALYST,
             password=PASSWORD)  # fmt: skip
    add_user(session=sample_session, username="off_a1", role=Role.ENTERPRISE_OFFICER,
             enterprise_uscc=SAMPLE["A1"], password=PASSWORD)  # fmt: skip
    sample_session.commit()
    return sample_session


def test_passwords_are_argon2id_hashes(users: Session) -> None:
    stored = users.scalar(select(User.password_hash).where(User.username == "analyst"))
    assert stored is not None and stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert verify_password(stored, PASSWORD) and not verify_password(stored, PASSWORD + "x")


def test_generated_passwords_are_strong_and_distinct() -> None:
    seen = {generate_password() for _ in range(50)}
    assert len(seen) == 50
    assert all(len(p) == 16 for p in seen)


def test_weak_password_refused(sample_session: Session) -> None:
    with pytest.raises(WeakPassword):
        add_user(session=sample_session, username="weak", role=Role.REGULATOR_ANALYST,
                 password="password")  # fmt: skip


def test_enterprise_role_needs_an_existing_enterprise(sample_session: Session) -> None:
    with pytest.raises(InputError):
        add_user(session=sample_session, username="x", role=Role.ENTERPRISE_OFFICER)
    with pytest.raises(NotFound):
        add_user(session=sample_session, username="x", role=Role.ENTERPRISE_OFFICER,
                 enterprise_uscc="91440300MA5DXXXX0X")  # fmt: skip


def test_duplicate_username(users: Session) -> None:
    with pytest.raises(UserExists):
        add_user(session=users, username="analyst", role=Role.REGULATOR_ANALYST)


def test_login_and_resolve(users: Session) -> None:
    token, principal = login(session=users, username="analyst", password=PASSWORD,
                             settings=SETTINGS)  # fmt: skip
    assert principal.role is Role.REGULATOR_ANALYST
    stored = users.scalar(select(UserSession.token_hash))
    assert stored is not None and token not in stored  # only a hash is kept
    again = resolve_session(session=users, token=token, settings=SETTINGS)
    assert again.username == "analyst"


@pytest.mark.parametrize("username,password", [("analyst", "wrong"), ("nobody", PASSWORD)])
def test_bad_credentials_give_one_answer(users: Session, username: str, password: str) -> None:
    with pytest.raises(InvalidCredentials) as info:
        login(session=users, username=username, password=password, settings=SETTINGS)
    assert info.value.http_status == 401


def test_idle_timeout_and_absolute_lifetime(users: Session) -> None:
    token, _ = login(session=users, username="analyst", password=PASSWORD, settings=SETTINGS)
    now = datetime.now(UTC)
    resolve_session(session=users, token=token, settings=SETTINGS, now=now + timedelta(minutes=14))
    with pytest.raises(SessionExpired):
        resolve_session(session=users, token=token, settings=SETTINGS,
                        now=now + timedelta(minutes=30))  # fmt: skip
    # once expired, it stays dead even if asked "earlier" again
    with pytest.raises(SessionExpired):
        resolve_session(session=users, token=token, settings=SETTINGS, now=now)

    busy, _ = login(session=users, username="analyst", password=PASSWORD, settings=SETTINGS)
    moment = datetime.now(UTC)
    for _ in range(40):  # active every 14 minutes for > 8 hours
        moment += timedelta(minutes=14)
        try:
            resolve_session(session=users, token=busy, settings=SETTINGS, now=moment)
        except SessionExpired:
            break
    assert moment - datetime.now(UTC) <= timedelta(hours=8, minutes=15)


def test_logout_and_disable_end_sessions(users: Session) -> None:
    token, _ = login(session=users, username="analyst", password=PASSWORD, settings=SETTINGS)
    logout(session=users, token=token)
    with pytest.raises(SessionExpired):
        resolve_session(session=users, token=token, settings=SETTINGS)
    live, _ = login(session=users, username="off_a1", password=PASSWORD, settings=SETTINGS)
    disable_user(session=users, username="off_a1")
    with pytest.raises(SessionExpired):
        resolve_session(session=users, token=live, settings=SETTINGS)
    with pytest.raises(InvalidCredentials):
        login(session=users, username="off_a1", password=PASSWORD, settings=SETTINGS)


def test_set_password(users: Session) -> None:
    set_password(session=users, username="analyst", password="An0ther!secret")
    login(session=users, username="analyst", password="An0ther!secret", settings=SETTINGS)
    with pytest.raises(InvalidCredentials):
        login(session=users, username="analyst", password=PASSWORD, settings=SETTINGS)


def test_scope_by_role(users: Session) -> None:
    _, regulator = login(session=users, username="analyst", password=PASSWORD, settings=SETTINGS)
    assert resolve_scope(session=users, principal=regulator).is_unrestricted
    _, officer = login(session=users, username="off_a1", password=PASSWORD, settings=SETTINGS)
    scope = resolve_scope(session=users, principal=officer)
    uscc = dict(users.execute(select(User.username, User.enterprise_id)).all())
    assert uscc["off_a1"] in (scope.enterprise_ids or set())
    assert len(scope.enterprise_ids or ()) == 3  # A1, A11, A12 — not B1 (minority only)


def test_scope_default_deny() -> None:
    assert Scope.nothing().allows(1) is False
    assert Scope().enterprise_ids == frozenset()
