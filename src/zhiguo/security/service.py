"""Users, login and server-side sessions, and resolving a caller's :class:`Scope`.

The session cookie carries a random 256-bit token; the database keeps only its SHA-256, so
a leaked database does not leak live sessions. Sessions end after an idle period and an
absolute lifetime (等保 level 3 asks for both), and at logout or when a user is disabled.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from zhiguo.core.access import Principal, Role, Scope
from zhiguo.core.errors import InputError, NotFound
from zhiguo.core.settings import SecuritySettings
from zhiguo.registry import get_enterprise, subtree_ids

from .errors import (
    InvalidCredentials,
    SessionExpired,
    UserExists,
    WeakPassword,
    WrongCurrentPassword,
)
from .models import User, UserSession
from .passwords import generate_password, hash_password, needs_rehash, verify_password

__all__ = [
    "NewUser",
    "add_user",
    "authenticate",
    "change_password",
    "check_password_strength",
    "disable_user",
    "list_users",
    "login",
    "logout",
    "principal_for",
    "resolve_scope",
    "resolve_session",
    "set_password",
]


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes; everything stored here is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_password_strength(password: str) -> None:
    classes = sum(
        [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
    )
    if len(password) < 10 or classes < 3:
        raise WeakPassword()


@dataclass(frozen=True)
class NewUser:
    """The result of :func:`add_user`: the user and, if generated, the initial password."""

    user: User
    password: str | None


def add_user(
    *,
    session: Session,
    username: str,
    role: Role,
    enterprise_uscc: str | None = None,
    password: str | None = None,
    display_name: str = "",
    must_change_password: bool = True,
) -> NewUser:
    """Create a user. Without ``password`` a strong one is generated and returned once."""
    name = username.strip()
    if not name or len(name) > 64:
        raise InputError("用户名不能为空且不超过 64 个字符", "Username must be 1-64 characters")
    if session.scalar(select(User.id).where(User.username == name)) is not None:
        raise UserExists(f"用户名 {name} 已存在", f"Username {name} already exists")
    enterprise_id = None
    if role.needs_enterprise and not enterprise_uscc:
        raise InputError(
            f"角色 {role.value} 必须指定所属企业（--enterprise USCC）",
            f"Role {role.value} needs an enterprise (--enterprise USCC)",
        )
    if enterprise_uscc:
        enterprise = get_enterprise(session=session, scope=Scope.everything(), uscc=enterprise_uscc)
        enterprise_id = enterprise.id
    generated = None
    if password is None:
        password = generated = generate_password()
    check_password_strength(password)
    user = User(
        username=name,
        display_name=display_name or name,
        role=role.value,
        enterprise_id=enterprise_id,
        password_hash=hash_password(password),
        must_change_password=must_change_password,
        disabled=False,
    )
    session.add(user)
    session.flush()
    return NewUser(user=user, password=generated)


def list_users(*, session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def set_password(*, session: Session, username: str, password: str) -> None:
    check_password_strength(password)
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"用户 {username} 不存在", f"No user {username}")
    user.password_hash = hash_password(password)
    user.must_change_password = False


def disable_user(*, session: Session, username: str) -> None:
    """Disable a user and end every live session of theirs at once."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"用户 {username} 不存在", f"No user {username}")
    user.disabled = True
    session.execute(update(UserSession).where(UserSession.user_id == user.id).values(revoked=True))


def principal_for(user: User) -> Principal:
    return Principal(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        enterprise_id=user.enterprise_id,
        display_name=user.display_name,
        must_change_password=user.must_change_password,
    )


def change_password(*, session: Session, user_id: int, current: str, new: str) -> None:
    """The user's own change: the current password proves it is them; the new one must be
    strong and different. Clears the initial-password flag."""
    user = session.get(User, user_id)
    if user is None or user.disabled or not verify_password(user.password_hash, current):
        raise WrongCurrentPassword()
    if new == current:
        raise WeakPassword(
            "新密码不能与当前密码相同", "The new password must differ from the current one"
        )
    check_password_strength(new)
    user.password_hash = hash_password(new)
    user.must_change_password = False


def authenticate(*, session: Session, username: str, password: str) -> User:
    """The user for these credentials, or :class:`InvalidCredentials` (same for every cause)."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or user.disabled:
        raise InvalidCredentials()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def login(
    *,
    session: Session,
    username: str,
    password: str,
    settings: SecuritySettings,
    client_addr: str = "",
) -> tuple[str, Principal]:
    """Check credentials and open a server-side session; returns (cookie token, principal)."""
    user = authenticate(session=session, username=username, password=password)
    token = secrets.token_urlsafe(32)
    now = _now()
    session.add(
        UserSession(
            token_hash=_token_hash(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_lifetime_hours),
            revoked=False,
            client_addr=client_addr[:64],
        )
    )
    session.flush()
    return token, principal_for(user)


def resolve_session(
    *, session: Session, token: str, settings: SecuritySettings, now: datetime | None = None
) -> Principal:
    """The principal behind a session token, refreshing its idle timer; or SessionExpired."""
    moment = now or _now()
    record = session.scalar(select(UserSession).where(UserSession.token_hash == _token_hash(token)))
    if record is None or record.revoked:
        raise SessionExpired()
    idle_limit = _aware(record.last_seen_at) + timedelta(minutes=settings.session_idle_minutes)
    if moment >= _aware(record.expires_at) or moment >= idle_limit:
        record.revoked = True
        raise SessionExpired()
    user = session.get(User, record.user_id)
    if user is None or user.disabled:
        record.revoked = True
        raise SessionExpired()
    record.last_seen_at = moment
    return principal_for(user)


def logout(*, session: Session, token: str) -> None:
    session.execute(
        update(UserSession).where(UserSession.token_hash == _token_hash(token)).values(revoked=True)
    )


def resolve_scope(*, session: Session, principal: Principal, as_of: date | None = None) -> Scope:
    """What the caller may see: the whole portfolio for regulator roles, the ownership
    subtree (as of today) of their enterprise for enterprise roles, nothing otherwise."""
    day = as_of or date.today()
    if principal.role.sees_whole_portfolio:
        return Scope.everything(as_of=day)
    if principal.enterprise_id is None:
        return Scope.nothing()
    ids = subtree_ids(session=session, root_id=principal.enterprise_id, as_of=day)
    return Scope.of(ids, as_of=day)
