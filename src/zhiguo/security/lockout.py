"""Brute-force defences for login (等保 level 3 身份鉴别 and 入侵防范).

Three limits, each a ``security.*`` setting:

- **account lockout**: ``lockout_threshold`` (5) consecutive failures lock the account for
  ``lockout_minutes`` (15). While locked the password is *not checked* and the answer is the
  ordinary ``ZG-SEC-001``, so guessing during a lockout learns nothing and the answer does not
  tell a locked account from a wrong password or an unknown name;
- **address block**: ``address_failure_threshold`` (20) failures from one client address
  within ``address_window_minutes`` (15), whatever the accounts, refuse that address
  (``ZG-SEC-004``, 429) until the window has passed;
- **rate limit**: more than ``login_rate_per_minute`` (10) attempts from one address in a
  minute are refused (``ZG-SEC-004``).

Attempts are rows of ``login_attempts`` (so limits hold across worker processes); in-process
callers without an address (the CLI, tests of the service) are not address-limited.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from zhiguo.core.settings import SecuritySettings

from .errors import TooManyAttempts
from .models import LoginAttempt, User

__all__ = [
    "check_address",
    "is_locked",
    "record_attempt",
    "register_failure",
    "register_success",
    "unlock",
]

_KEEP = timedelta(days=1)  # attempts older than this count for nothing; the audit log keeps them


def _aware(value: datetime, like: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=like.tzinfo)


def check_address(
    *, session: Session, client_addr: str, settings: SecuritySettings, now: datetime
) -> None:
    """Refuse an address over its rate limit or with too many recent failures."""
    if not client_addr:
        return
    recent = session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(
            LoginAttempt.client_addr == client_addr, LoginAttempt.at > now - timedelta(minutes=1)
        )
    )
    if (recent or 0) >= settings.login_rate_per_minute:
        raise TooManyAttempts()
    failures = session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(
            LoginAttempt.client_addr == client_addr,
            LoginAttempt.success.is_(False),
            LoginAttempt.at > now - timedelta(minutes=settings.address_window_minutes),
        )
    )
    if (failures or 0) >= settings.address_failure_threshold:
        raise TooManyAttempts(
            "该地址登录失败次数过多，已暂时禁止登录",
            "Too many failed logins from this address; it is blocked for a while",
        )


def record_attempt(
    *, session: Session, username: str, client_addr: str, success: bool, now: datetime
) -> None:
    if not client_addr:
        return
    session.add(
        LoginAttempt(username=username[:64], client_addr=client_addr[:64], at=now, success=success)
    )
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - _KEEP))


def is_locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and now < _aware(user.locked_until, now)


def register_failure(*, user: User, settings: SecuritySettings, now: datetime) -> bool:
    """Count a failure; True when this one locks the account."""
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins >= settings.lockout_threshold:
        user.failed_logins = 0
        user.locked_until = now + timedelta(minutes=settings.lockout_minutes)
        return True
    return False


def register_success(user: User) -> None:
    user.failed_logins = 0
    user.locked_until = None


def unlock(user: User) -> None:
    register_success(user)
