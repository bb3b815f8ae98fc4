"""Users, login and server-side sessions, and resolving a caller's :class:`Scope`.

The session cookie carries a random 256-bit token; the database keeps only its SHA-256, so
a leaked database does not leak live sessions. Sessions end after an idle period and an
absolute lifetime (等保 level 3 asks for both), and at logout or when a user is disabled.

Login is password + (for ``security.mfa_required_roles``) a TOTP code, under the account
lockout and per-address limits of :mod:`.lockout`; every outcome is audited.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from zhiguo.core.access import CARRIERS, Principal, Role, Scope
from zhiguo.core.errors import InputError, NotFound
from zhiguo.core.settings import SecuritySettings
from zhiguo.registry import get_enterprise, subtree_ids

from . import lockout, totp
from .audit import record_event
from .errors import (
    InvalidCredentials,
    InvalidTotpCode,
    SessionExpired,
    TooManyAttempts,
    TotpRequired,
    UserExists,
    WeakPassword,
    WrongCurrentPassword,
)
from .intrusion import check_admin_address
from .models import User, UserSession
from .passwords import generate_password, hash_password, needs_rehash, verify_password
from .policy import (
    check_password_strength,
    check_password_unused,
    password_expired,
    remember_password,
)

__all__ = [
    "CLEARANCES",
    "NewUser",
    "RequestInfo",
    "add_user",
    "authenticate",
    "begin_totp_enrolment",
    "change_password",
    "check_password_strength",
    "confirm_totp_enrolment",
    "disable_user",
    "get_user",
    "list_users",
    "login",
    "logout",
    "principal_for",
    "reset_totp",
    "resolve_scope",
    "resolve_session",
    "set_password",
    "unlock_user",
]

CLEARANCES = ("general", "important", "core")  # 一般 < 重要 < 核心 (数据安全法 第二十一条)
_DEFAULTS = SecuritySettings()


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes; everything stored here is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class RequestInfo:
    """Where a request came from, for the audit record (``web`` fills it in)."""

    client_addr: str = ""
    request_id: str = ""


_NO_REQUEST = RequestInfo()


@dataclass(frozen=True)
class NewUser:
    """The result of :func:`add_user`: the user and, if generated, the initial password."""

    user: User
    password: str | None


def get_user(*, session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise NotFound(f"用户 {username} 不存在", f"No user {username}")
    return user


def add_user(
    *,
    session: Session,
    username: str,
    role: Role,
    enterprise_uscc: str | None = None,
    password: str | None = None,
    display_name: str = "",
    must_change_password: bool = True,
    clearance: str = "general",
    settings: SecuritySettings | None = None,
    carrier: str | None = None,
) -> NewUser:
    """Create a user. Without ``password`` a strong one is generated and returned once.
    ``carrier`` (telecom, mobile, unicom, cbn, tower) is for the ``carrier`` role only."""
    name = username.strip()
    if not name or len(name) > 64:
        raise InputError("用户名不能为空且不超过 64 个字符", "Username must be 1-64 characters")
    if session.scalar(select(User.id).where(User.username == name)) is not None:
        raise UserExists(f"用户名 {name} 已存在", f"Username {name} already exists")
    _check_clearance(clearance)
    _check_carrier(role, carrier)
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
    check_password_strength(password, settings)
    user = User(
        username=name,
        display_name=display_name or name,
        role=role.value,
        enterprise_id=enterprise_id,
        password_hash=hash_password(password),
        must_change_password=must_change_password,
        disabled=False,
        clearance=clearance,
        password_changed_at=_now(),
        failed_logins=0,
        carrier=carrier,
    )
    session.add(user)
    session.flush()
    return NewUser(user=user, password=generated)


def _check_carrier(role: Role, carrier: str | None) -> None:
    if carrier is not None and (role is not Role.CARRIER or carrier not in CARRIERS):
        raise InputError(
            f"运营商 {carrier!r} 无效（仅运营商角色可指定：{', '.join(CARRIERS)}）",
            f"Invalid carrier {carrier!r} (carrier role only: {', '.join(CARRIERS)})",
        )


def _check_clearance(clearance: str) -> None:
    if clearance not in CLEARANCES:
        raise InputError(
            f"密级许可无效：{clearance}（general、important、core）",
            f"Invalid clearance {clearance} (general, important, core)",
        )


def list_users(*, session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def set_password(
    *, session: Session, username: str, password: str, settings: SecuritySettings | None = None
) -> None:
    """An operator sets a user's password (console); the history still applies."""
    policy = settings or _DEFAULTS
    check_password_strength(password, policy)
    user = get_user(session=session, username=username)
    check_password_unused(session=session, user=user, password=password, settings=policy)
    remember_password(session=session, user=user, settings=policy, now=_now())
    user.password_hash = hash_password(password)
    user.password_changed_at = _now()
    user.must_change_password = False
    lockout.unlock(user)


def disable_user(*, session: Session, username: str) -> User:
    """Disable a user and end every live session of theirs at once (API tokens stop working
    too: each use checks the user)."""
    user = get_user(session=session, username=username)
    user.disabled = True
    session.execute(update(UserSession).where(UserSession.user_id == user.id).values(revoked=True))
    return user


def unlock_user(*, session: Session, username: str) -> User:
    user = get_user(session=session, username=username)
    lockout.unlock(user)
    return user


def principal_for(
    user: User, settings: SecuritySettings | None = None, now: datetime | None = None
) -> Principal:
    """The caller a user row stands for; with ``settings``, an expired password counts as
    one to change and a missing second factor as one to enrol."""
    policy = settings or _DEFAULTS
    role = Role(user.role)
    must_change = bool(user.must_change_password)
    if settings is not None and password_expired(user, policy, now or _now()):
        must_change = True
    must_enrol = (
        settings is not None
        and role.value in policy.mfa_required_roles
        and user.totp_enrolled_at is None
    )
    return Principal(
        user_id=user.id,
        username=user.username,
        role=role,
        enterprise_id=user.enterprise_id,
        display_name=user.display_name,
        must_change_password=must_change,
        clearance=user.clearance or "general",
        must_enrol_totp=must_enrol,
    )


def change_password(
    *,
    session: Session,
    user_id: int,
    current: str,
    new: str,
    settings: SecuritySettings | None = None,
    request: RequestInfo = _NO_REQUEST,
    keep_session: str | None = None,
) -> None:
    """The user's own change: the current password proves it is them; the new one must be
    strong and none of the last ``password_history``. Clears the initial-password flag and
    restarts the expiry clock. Every other session of the user ends (whoever knew the old
    password is logged out); ``keep_session`` — the token the change came with — stays."""
    policy = settings or _DEFAULTS
    user = session.get(User, user_id)
    if user is None or user.disabled or not verify_password(user.password_hash, current):
        raise WrongCurrentPassword()
    if new == current:
        raise WeakPassword(
            "新密码不能与当前密码相同", "The new password must differ from the current one"
        )
    check_password_strength(new, policy)
    check_password_unused(session=session, user=user, password=new, settings=policy)
    now = _now()
    remember_password(session=session, user=user, settings=policy, now=now)
    user.password_hash = hash_password(new)
    user.password_changed_at = now
    user.must_change_password = False
    others = update(UserSession).where(UserSession.user_id == user.id)
    if keep_session:
        others = others.where(UserSession.token_hash != _token_hash(keep_session))
    session.execute(others.values(revoked=True))
    record_event(
        session,
        event_type="auth.password_change",
        principal=principal_for(user),
        object=f"user:{user.username}",
        client_addr=request.client_addr,
        request_id=request.request_id,
    )


def _fail(
    session: Session,
    *,
    username: str,
    user: User | None,
    reason: str,
    settings: SecuritySettings,
    request: RequestInfo,
    now: datetime,
) -> None:
    """Count and audit a failed login (the caller commits it before answering)."""
    lockout.record_attempt(
        session=session,
        username=username,
        client_addr=request.client_addr,
        success=False,
        now=now,
    )
    locked_now = False
    if user is not None and reason != "locked":
        locked_now = lockout.register_failure(user=user, settings=settings, now=now)
    record_event(
        session,
        event_type="auth.login_failed",
        result="failure",
        principal=principal_for(user) if user is not None else None,
        object=f"user:{username[:64]}",
        detail={"reason": reason},
        client_addr=request.client_addr,
        request_id=request.request_id,
    )
    if locked_now and user is not None:
        record_event(
            session,
            event_type="auth.lockout",
            result="denied",
            principal=principal_for(user),
            object=f"user:{user.username}",
            detail={"minutes": settings.lockout_minutes},
            client_addr=request.client_addr,
            request_id=request.request_id,
        )


def authenticate(
    *,
    session: Session,
    username: str,
    password: str,
    totp_code: str | None = None,
    settings: SecuritySettings | None = None,
    request: RequestInfo = _NO_REQUEST,
    now: datetime | None = None,
) -> User:
    """The user for these credentials, or an error — :class:`InvalidCredentials` for an
    unknown name, a wrong password, a disabled or a locked account alike; after a right
    password, :class:`TotpRequired` when an enrolled second factor is missing or wrong.

    Failures are written to the session (counters, attempts, audit): the caller must commit
    them even though it answers with the error."""
    policy = settings or _DEFAULTS
    moment = now or _now()
    name = username.strip()
    try:
        lockout.check_address(
            session=session, client_addr=request.client_addr, settings=policy, now=moment
        )
    except TooManyAttempts:
        record_event(  # evidence of a brute-force attempt (入侵防范); not counted again
            session,
            event_type="auth.login_failed",
            result="denied",
            object=f"user:{name[:64]}",
            detail={"reason": "address_limited"},
            client_addr=request.client_addr,
            request_id=request.request_id,
        )
        raise
    user = session.scalar(select(User).where(User.username == name))
    if user is not None and lockout.is_locked(user, moment):
        verify_password(None, password)  # same work, same time; the answer says nothing
        _fail(session, username=name, user=user, reason="locked", settings=policy,
              request=request, now=moment)  # fmt: skip
        raise InvalidCredentials()
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or user.disabled:
        reason = "unknown" if user is None else ("disabled" if ok else "password")
        _fail(session, username=name, user=user, reason=reason, settings=policy,
              request=request, now=moment)  # fmt: skip
        raise InvalidCredentials()
    if user.totp_enrolled_at is not None and user.totp_secret:
        step = totp.verify(
            user.totp_secret,
            totp_code or "",
            last_step=user.totp_last_step,
            window=policy.totp_window,
            now=moment.timestamp(),
        )
        if step is None:
            reason = "totp_missing" if not totp_code else "totp"
            _fail(session, username=name, user=user, reason=reason, settings=policy,
                  request=request, now=moment)  # fmt: skip
            raise TotpRequired()
        user.totp_last_step = step
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    lockout.register_success(user)
    lockout.record_attempt(
        session=session, username=name, client_addr=request.client_addr, success=True, now=moment
    )
    return user


def login(
    *,
    session: Session,
    username: str,
    password: str,
    settings: SecuritySettings,
    client_addr: str = "",
    totp_code: str | None = None,
    request_id: str = "",
) -> tuple[str, Principal]:
    """Check credentials and open a server-side session; returns (cookie token, principal)."""
    request = RequestInfo(client_addr=client_addr[:64], request_id=request_id)
    user = authenticate(
        session=session,
        username=username,
        password=password,
        totp_code=totp_code,
        settings=settings,
        request=request,
    )
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
    principal = principal_for(user, settings, now)
    check_admin_address(principal, request.client_addr, settings.admin_networks)
    record_event(
        session,
        event_type="auth.login",
        principal=principal,
        object=f"user:{user.username}",
        detail={"mfa": user.totp_enrolled_at is not None},
        client_addr=request.client_addr,
        request_id=request_id,
    )
    return token, principal


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
    return principal_for(user, settings, moment)


def logout(*, session: Session, token: str, request: RequestInfo = _NO_REQUEST) -> None:
    record = session.scalar(select(UserSession).where(UserSession.token_hash == _token_hash(token)))
    if record is None or record.revoked:
        return
    record.revoked = True
    user = session.get(User, record.user_id)
    record_event(
        session,
        event_type="auth.logout",
        principal=principal_for(user) if user else None,
        object=f"user:{user.username}" if user else "",
        client_addr=request.client_addr,
        request_id=request.request_id,
    )


def begin_totp_enrolment(*, session: Session, user_id: int) -> tuple[str, str]:
    """The pending secret (made now, or the one already pending) and its otpauth:// URI.
    An enrolled user gets nothing here: re-enrolment needs :func:`reset_totp` first."""
    user = session.get(User, user_id)
    if user is None or user.disabled:
        raise NotFound("用户不存在", "No such user")
    if user.totp_enrolled_at is not None:
        raise InputError("动态口令已绑定", "A one-time-code app is already enrolled")
    if not user.totp_secret:
        user.totp_secret = totp.generate_secret()
    return user.totp_secret, totp.otpauth_uri(user.totp_secret, account=user.username)


def confirm_totp_enrolment(
    *,
    session: Session,
    user_id: int,
    code: str,
    settings: SecuritySettings | None = None,
    request: RequestInfo = _NO_REQUEST,
) -> None:
    """A code from the app proves the secret arrived; from now on login needs a code."""
    policy = settings or _DEFAULTS
    user = session.get(User, user_id)
    if user is None or not user.totp_secret or user.totp_enrolled_at is not None:
        raise InvalidTotpCode()
    step = totp.verify(user.totp_secret, code, last_step=None, window=policy.totp_window)
    if step is None:
        raise InvalidTotpCode()
    user.totp_last_step = step  # this code cannot log in afterwards
    user.totp_enrolled_at = _now()
    record_event(
        session,
        event_type="auth.totp_enrol",
        principal=principal_for(user),
        object=f"user:{user.username}",
        client_addr=request.client_addr,
        request_id=request.request_id,
    )


def reset_totp(*, session: Session, username: str) -> User:
    """Forget a user's second factor (lost phone): they enrol again at the next login."""
    user = get_user(session=session, username=username)
    user.totp_secret = None
    user.totp_last_step = None
    user.totp_enrolled_at = None
    return user


def resolve_scope(*, session: Session, principal: Principal, as_of: date | None = None) -> Scope:
    """What the caller may see: the whole portfolio for regulator roles, the ownership
    subtree (as of today) of their enterprise for enterprise roles, nothing otherwise
    (the 三员 administrators see no business data) — with the caller's clearance and unmask
    grant, and open data only for the public (:func:`.classification.with_clearance`)."""
    from .classification import with_clearance

    day = as_of or date.today()
    if principal.role.sees_whole_portfolio:
        return with_clearance(session, principal, Scope.everything(as_of=day))
    if principal.enterprise_id is None:
        return with_clearance(session, principal, Scope.nothing())
    ids = subtree_ids(session=session, root_id=principal.enterprise_id, as_of=day)
    return with_clearance(session, principal, Scope.of(ids, as_of=day))
