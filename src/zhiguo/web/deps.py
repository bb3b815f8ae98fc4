"""Request dependencies as ``Annotated`` aliases, so route signatures read like prose.

``ScopeDep`` is the choke point: it is resolved once per request from the session's
principal, and every service that returns business data takes it as an argument.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from zhiguo.core.access import Principal, Role, Scope
from zhiguo.core.errors import AuthError, PermissionDenied
from zhiguo.core.i18n import normalise_lang
from zhiguo.core.settings import Settings
from zhiguo.security import (
    PasswordChangeRequired,
    SessionExpired,
    resolve_scope,
    resolve_session,
)

__all__ = [
    "PASSWORD_CHANGE_PATHS",
    "SESSION_COOKIE",
    "SUBMITTER_ROLES",
    "BatchOwnerDep",
    "LangDep",
    "PrincipalDep",
    "RegistryMaintainerDep",
    "RegulatorDep",
    "ScopeDep",
    "SessionDep",
    "SettingsDep",
    "SubmitterDep",
]

SESSION_COOKIE = "zhiguo_session"
# What a user whose initial password is still unchanged may reach.
PASSWORD_CHANGE_PATHS = frozenset({"/account/password", "/api/auth/password"})
LANG_COOKIE = "zhiguo_lang"


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_db(request: Request) -> Iterator[Session]:
    """One unit of work per request: commit when the route returns, roll back on error."""
    session: Session = request.app.state.sessionmaker()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_db)]


def get_principal(request: Request, db: SessionDep, settings: SettingsDep) -> Principal:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise AuthError("请先登录", "Please log in")
    try:
        principal = resolve_session(session=db, token=token, settings=settings.security)
    except SessionExpired:
        db.commit()  # keep the revocation of the expired session
        raise
    request.state.principal = principal
    if principal.must_change_password and request.url.path not in PASSWORD_CHANGE_PATHS:
        raise PasswordChangeRequired()
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def get_scope(db: SessionDep, principal: PrincipalDep) -> Scope:
    return resolve_scope(session=db, principal=principal)


ScopeDep = Annotated[Scope, Depends(get_scope)]


def require_registry_maintainer(principal: PrincipalDep) -> Principal:
    """Registry maintenance (imports) is for the regulator's analysts and platform admins."""
    if principal.role not in {Role.PLATFORM_ADMIN, Role.REGULATOR_ANALYST}:
        raise PermissionDenied(
            "仅国资委分析员或平台管理员可维护企业名录",
            "Only regulator analysts and platform admins maintain the registry",
        )
    return principal


RegistryMaintainerDep = Annotated[Principal, Depends(require_registry_maintainer)]

# Who may submit data files: the regulator's analysts and platform admins (for any
# enterprise), enterprise officers and leaders (for their own subtree, checked by the
# ingest service against their scope).
SUBMITTER_ROLES = frozenset(
    {Role.PLATFORM_ADMIN, Role.REGULATOR_ANALYST, Role.ENTERPRISE_OFFICER, Role.ENTERPRISE_LEADER}
)


def require_submitter(principal: PrincipalDep) -> Principal:
    if principal.role not in SUBMITTER_ROLES:
        raise PermissionDenied("您的角色不能报送数据", "Your role may not submit data")
    return principal


SubmitterDep = Annotated[Principal, Depends(require_submitter)]


def require_regulator(principal: PrincipalDep) -> Principal:
    """Regulator-side functions (催报, period management) for whole-portfolio roles."""
    if not principal.role.sees_whole_portfolio:
        raise PermissionDenied("仅国资委用户可使用此功能", "Only regulator users may do this")
    return principal


RegulatorDep = Annotated[Principal, Depends(require_regulator)]


def batch_owner(principal: PrincipalDep) -> str | None:
    """Whose ingest batches the caller may read: ``None`` for everyone's (whole-portfolio
    roles), else only the batches the caller submitted (a batch can name other tenants'
    files and problems, so enterprise users never see anyone else's)."""
    return None if principal.role.sees_whole_portfolio else principal.username


BatchOwnerDep = Annotated[str | None, Depends(batch_owner)]


def get_lang(request: Request, settings: SettingsDep) -> str:
    return normalise_lang(
        request.query_params.get("lang")
        or request.cookies.get(LANG_COOKIE)
        or settings.i18n.default_lang
    )


LangDep = Annotated[str, Depends(get_lang)]
