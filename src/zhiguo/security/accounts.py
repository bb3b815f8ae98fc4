"""Account administration under 三员分立 (GB/T 22239-2019 §8.1.4), and API tokens.

Who may do what (``actor=None`` is the local console — ``zhiguo users …`` run by the
operator on the server, audited as such; it may bootstrap accounts but not change roles):

=====================  ============  ==============  ===========  =======
action                 system-admin  security-admin  audit-admin  console
=====================  ============  ==============  ===========  =======
create account         yes (*)       —               —            yes
disable / unlock       yes           —               —            yes
reset TOTP             yes           —               —            yes
change role            —             yes (not self)  —            —
change clearance       —             yes (not self)  —            —
read / export audit    —             —               yes          —
=====================  ============  ==============  ===========  =======

(*) not an administrator role: granting one is access policy, the security admin's.
``platform-admin`` is an operator of the business platform, none of these.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from zhiguo.core.access import Principal, Role, Scope
from zhiguo.core.errors import InputError
from zhiguo.core.settings import SecuritySettings
from zhiguo.registry import get_enterprise

from .audit import record_event
from .errors import SeparationOfDuties
from .models import ApiToken, User
from .service import (
    CLEARANCES,
    NewUser,
    RequestInfo,
    add_user,
    disable_user,
    get_user,
    list_users,
    principal_for,
    reset_totp,
    unlock_user,
)
from .tokens import NewApiToken, create_api_token, revoke_api_token

__all__ = [
    "ACCOUNT_ADMINS",
    "POLICY_ADMINS",
    "admin_create_user",
    "admin_disable_user",
    "admin_list_users",
    "admin_reset_totp",
    "admin_set_clearance",
    "admin_set_role",
    "admin_unlock_user",
    "issue_api_token",
    "withdraw_api_token",
]

ACCOUNT_ADMINS = frozenset({Role.SYSTEM_ADMIN})
POLICY_ADMINS = frozenset({Role.SECURITY_ADMIN})
_NO_REQUEST = RequestInfo()


def _require(actor: Principal | None, allowed: frozenset[Role], *, console: bool) -> None:
    if actor is None:
        if console:
            return
        raise SeparationOfDuties(
            "此操作须由安全管理员执行（--as-user）",
            "This action must be performed by a security admin (--as-user)",
        )
    if actor.role not in allowed or actor.token_scopes is not None:
        raise SeparationOfDuties()


def _audit(
    session: Session,
    event_type: str,
    actor: Principal | None,
    target: str,
    request: RequestInfo,
    **detail: object,
) -> None:
    record_event(
        session,
        event_type=event_type,
        principal=actor,
        object=f"user:{target}",
        detail={**detail, **({} if actor else {"via": "console"})},
        client_addr=request.client_addr,
        request_id=request.request_id,
    )


def admin_create_user(
    *,
    session: Session,
    actor: Principal | None,
    username: str,
    role: Role,
    enterprise_uscc: str | None = None,
    password: str | None = None,
    display_name: str = "",
    settings: SecuritySettings | None = None,
    request: RequestInfo = _NO_REQUEST,
    carrier: str | None = None,
) -> NewUser:
    """A new account with an initial password (changed at first login)."""
    _require(actor, ACCOUNT_ADMINS, console=True)
    if actor is not None and role.is_administrator:
        raise SeparationOfDuties(
            "管理员角色只能由安全管理员授予", "Only a security admin grants administrator roles"
        )
    created = add_user(
        session=session,
        username=username,
        role=role,
        enterprise_uscc=enterprise_uscc,
        password=password,
        display_name=display_name,
        must_change_password=True,
        settings=settings,
        carrier=carrier,
    )
    _audit(session, "user.create", actor, created.user.username, request, role=role.value)
    return created


def admin_list_users(*, session: Session, actor: Principal | None) -> list[User]:
    """Accounts are seen by the administrators who keep them (system) or grant them (security)."""
    _require(actor, ACCOUNT_ADMINS | POLICY_ADMINS, console=True)
    return list_users(session=session)


def admin_disable_user(
    *,
    session: Session,
    actor: Principal | None,
    username: str,
    request: RequestInfo = _NO_REQUEST,
) -> User:
    _require(actor, ACCOUNT_ADMINS, console=True)
    if actor is not None and actor.username == username:
        raise SeparationOfDuties("不能停用自己的账户", "You cannot disable your own account")
    user = disable_user(session=session, username=username)
    _audit(session, "user.disable", actor, user.username, request)
    return user


def admin_unlock_user(
    *, session: Session, actor: Principal | None, username: str, request: RequestInfo = _NO_REQUEST
) -> User:
    _require(actor, ACCOUNT_ADMINS, console=True)
    user = unlock_user(session=session, username=username)
    _audit(session, "user.unlock", actor, user.username, request)
    return user


def admin_reset_totp(
    *, session: Session, actor: Principal | None, username: str, request: RequestInfo = _NO_REQUEST
) -> User:
    _require(actor, ACCOUNT_ADMINS, console=True)
    user = reset_totp(session=session, username=username)
    _audit(session, "user.totp_reset", actor, user.username, request)
    return user


def admin_set_role(
    *,
    session: Session,
    actor: Principal | None,
    username: str,
    role: Role,
    enterprise_uscc: str | None = None,
    request: RequestInfo = _NO_REQUEST,
) -> User:
    """Only the security admin edits access policy, and never their own."""
    _require(actor, POLICY_ADMINS, console=False)
    assert actor is not None
    user = get_user(session=session, username=username)
    if user.id == actor.user_id:
        raise SeparationOfDuties("不能修改自己的角色", "You cannot change your own role")
    if role.needs_enterprise and user.enterprise_id is None and not enterprise_uscc:
        raise InputError(
            f"角色 {role.value} 必须指定所属企业", f"Role {role.value} needs an enterprise"
        )
    if enterprise_uscc:
        user.enterprise_id = get_enterprise(
            session=session, scope=Scope.everything(), uscc=enterprise_uscc
        ).id
    old = user.role
    user.role = role.value
    _audit(session, "user.role_change", actor, user.username, request, old=old, new=role.value)
    return user


def admin_set_clearance(
    *,
    session: Session,
    actor: Principal | None,
    username: str,
    clearance: str,
    request: RequestInfo = _NO_REQUEST,
) -> User:
    _require(actor, POLICY_ADMINS, console=False)
    assert actor is not None
    if clearance not in CLEARANCES:
        raise InputError(
            f"密级许可无效：{clearance}（general、important、core）",
            f"Invalid clearance {clearance} (general, important, core)",
        )
    user = get_user(session=session, username=username)
    if user.id == actor.user_id:
        raise SeparationOfDuties("不能修改自己的密级许可", "You cannot change your own clearance")
    old = user.clearance
    user.clearance = clearance
    record_event(
        session,
        event_type="policy.change",
        principal=actor,
        object=f"user:{user.username}",
        detail={"clearance": {"old": old, "new": clearance}},
        client_addr=request.client_addr,
        request_id=request.request_id,
    )
    return user


def issue_api_token(
    *,
    session: Session,
    user: User,
    scopes: list[str],
    lifetime: timedelta,
    settings: SecuritySettings,
    name: str = "",
    actor: Principal | None = None,
    request: RequestInfo = _NO_REQUEST,
) -> NewApiToken:
    """A new token for ``user`` (self-service, or the console for a service account)."""
    created = create_api_token(
        session=session,
        user=user,
        scopes=scopes,
        lifetime=lifetime,
        settings=settings,
        now=datetime.now(UTC),
        name=name,
    )
    record_event(
        session,
        event_type="auth.token_create",
        principal=actor or principal_for(user),
        object=f"token:{created.record.id}",
        detail={
            "scopes": created.record.scopes,
            "owner": user.username,
            "expires_at": created.record.expires_at.isoformat(),
        },
        client_addr=request.client_addr,
        request_id=request.request_id,
    )
    return created


def withdraw_api_token(
    *, session: Session, actor: Principal, token_id: int, request: RequestInfo = _NO_REQUEST
) -> ApiToken:
    record = revoke_api_token(session=session, user_id=actor.user_id, token_id=token_id)
    record_event(
        session,
        event_type="auth.token_revoke",
        principal=actor,
        object=f"token:{record.id}",
        client_addr=request.client_addr,
        request_id=request.request_id,
    )
    return record
