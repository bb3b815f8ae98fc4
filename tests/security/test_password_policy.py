"""Password policy: complexity (configurable), history (last 5 not reusable) and expiry
(forced change like an initial password)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhiguo.core.access import Role
from zhiguo.core.settings import SecuritySettings
from zhiguo.security import (
    PasswordHistory,
    PasswordReused,
    User,
    WeakPassword,
    add_user,
    change_password,
    check_password_strength,
    principal_for,
)

SETTINGS = SecuritySettings()
FIRST = "First-Pass-001"


@pytest.mark.parametrize(
    "password,ok",
    [("Short-1a", False), ("alllowercase", False), ("lowerUPPERonly", False),
     ("lower-and-digits-1", True), ("Abcdefghi1", True), ("ABCDEFGH1!", True)],
)  # fmt: skip
def test_complexity_defaults(password: str, ok: bool) -> None:
    if ok:
        check_password_strength(password, SETTINGS)
    else:
        with pytest.raises(WeakPassword):
            check_password_strength(password, SETTINGS)


def test_complexity_is_configurable() -> None:
    strict = SecuritySettings(password_min_length=14, password_min_classes=4)
    with pytest.raises(WeakPassword) as info:
        check_password_strength("Abcdefghi1!x", strict)
    assert "14" in info.value.message("en")
    check_password_strength("Abcdefghi1!xyz", strict)


@pytest.fixture
def user_id(sample_session: Session) -> int:
    created = add_user(session=sample_session, username="u", role=Role.PUBLIC, password=FIRST,
                       must_change_password=False)  # fmt: skip
    sample_session.commit()
    return created.user.id


def test_the_last_five_cannot_be_reused(sample_session: Session, user_id: int) -> None:
    passwords = [FIRST] + [f"Rotation-Pass-{i:03d}" for i in range(1, 6)]
    for old, new in itertools.pairwise(passwords):
        change_password(session=sample_session, user_id=user_id, current=old, new=new,
                        settings=SETTINGS)  # fmt: skip
    current = passwords[-1]
    for recent in passwords[-5:-1]:  # the four before the current one (+ current = 5)
        with pytest.raises(PasswordReused) as info:
            change_password(session=sample_session, user_id=user_id, current=current,
                            new=recent, settings=SETTINGS)  # fmt: skip
        assert info.value.code == "ZG-SEC-013"
    # the first is now six changes back: allowed again; the history keeps only what it needs
    change_password(session=sample_session, user_id=user_id, current=current, new=FIRST,
                    settings=SETTINGS)  # fmt: skip
    kept = sample_session.scalar(
        select(func.count()).select_from(PasswordHistory).where(PasswordHistory.user_id == user_id)
    )
    assert kept == SETTINGS.password_history
    stored = sample_session.scalars(select(PasswordHistory.password_hash)).all()
    assert all(h.startswith("$argon2id$") for h in stored)


def test_an_expired_password_must_be_changed(sample_session: Session, user_id: int) -> None:
    user = sample_session.get(User, user_id)
    assert user is not None
    now = datetime.now(UTC)
    assert not principal_for(user, SETTINGS, now).must_change_password
    user.password_changed_at = now - timedelta(days=91)
    assert principal_for(user, SETTINGS, now).must_change_password
    never = SecuritySettings(password_max_age_days=0)
    assert not principal_for(user, never, now).must_change_password
    change_password(session=sample_session, user_id=user_id, current=FIRST,
                    new="Fresh-Pass-2026", settings=SETTINGS)  # fmt: skip
    assert not principal_for(user, SETTINGS, datetime.now(UTC)).must_change_password


def test_no_default_credentials_generated_passwords_must_change(sample_session: Session) -> None:
    created = add_user(session=sample_session, username="fresh", role=Role.PUBLIC)
    assert created.password is not None and len(created.password) == 16
    assert principal_for(created.user, SETTINGS).must_change_password
