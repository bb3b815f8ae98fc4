"""Password policy (等保 level 3 身份鉴别: complexity, expiry, history).

The standards set no numbers; the thresholds are ``security.*`` settings with documented
defaults: at least 10 characters from 3 of the 4 classes, changed every 90 days, none of
the last 5 reused.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from zhiguo.core.settings import SecuritySettings

from .errors import PasswordReused, WeakPassword
from .models import PasswordHistory, User
from .passwords import verify_password

__all__ = [
    "check_password_strength",
    "check_password_unused",
    "password_expired",
    "remember_password",
]

_DEFAULTS = SecuritySettings()


def check_password_strength(password: str, settings: SecuritySettings | None = None) -> None:
    """Refuse a password shorter than ``password_min_length`` or with fewer than
    ``password_min_classes`` of lower / upper / digit / symbol."""
    policy = settings or _DEFAULTS
    classes = sum(
        [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
    )
    if len(password) < policy.password_min_length or classes < policy.password_min_classes:
        raise WeakPassword(
            f"密码不符合复杂度要求（至少 {policy.password_min_length} 位，含大写字母、小写字母、"
            f"数字和符号中的 {policy.password_min_classes} 类）",
            f"Password too weak ({policy.password_min_length}+ characters with "
            f"{policy.password_min_classes} of: upper, lower, digit, symbol)",
        )


def check_password_unused(
    *, session: Session, user: User, password: str, settings: SecuritySettings
) -> None:
    """Refuse the current password and the ``password_history - 1`` before it."""
    if settings.password_history <= 0:
        return
    earlier = session.scalars(
        select(PasswordHistory.password_hash)
        .where(PasswordHistory.user_id == user.id)
        .order_by(PasswordHistory.id.desc())
        .limit(max(settings.password_history - 1, 0))
    )
    for stored in [user.password_hash, *earlier]:
        if verify_password(stored, password):
            raise PasswordReused()


def remember_password(
    *, session: Session, user: User, settings: SecuritySettings, now: datetime
) -> None:
    """Keep the hash being replaced, and only as many as the history needs."""
    session.add(PasswordHistory(user_id=user.id, password_hash=user.password_hash, created_at=now))
    session.flush()
    keep = select(PasswordHistory.id).where(PasswordHistory.user_id == user.id)
    keep = keep.order_by(PasswordHistory.id.desc()).limit(max(settings.password_history, 1))
    kept = list(session.scalars(keep))
    session.execute(
        delete(PasswordHistory).where(
            PasswordHistory.user_id == user.id, PasswordHistory.id.not_in(kept)
        )
    )


def password_expired(user: User, settings: SecuritySettings, now: datetime) -> bool:
    """Older than ``password_max_age_days`` (0: passwords never expire)."""
    if settings.password_max_age_days <= 0:
        return False
    changed = user.password_changed_at or user.created_at
    if changed is None:
        return False
    if changed.tzinfo is None:
        changed = changed.replace(tzinfo=now.tzinfo)
    return now - changed > timedelta(days=settings.password_max_age_days)
