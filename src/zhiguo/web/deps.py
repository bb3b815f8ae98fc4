"""Request dependencies as ``Annotated`` aliases, so route signatures read like prose.

``ScopeDep`` is the choke point: it is resolved once per request from the session's
principal, and every service that returns business data takes it as an argument.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from zhiguo.core.access import Principal, Role, Scope
from zhiguo.core.errors import AuthError, PermissionDenied
from zhiguo.core.i18n import normalise_lang
from zhiguo.core.settings import Settings
from zhiguo.datacenter.lake import flush_denied_audit, flush_read_audit
from zhiguo.security import (
    SAFE_METHODS,
    CsrfRejected,
    InvalidApiToken,
    PasswordChangeRequired,
    RequestInfo,
    SessionExpired,
    TokenScopeDenied,
    TotpEnrolmentRequired,
    csrf_token_for,
    csrf_token_valid,
    load_session_key,
    principal_for,
    resolve_scope,
    resolve_session,
    token_allows,
    token_user,
)
from zhiguo.security.intrusion import check_admin_address

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "PASSWORD_CHANGE_PATHS",
    "SESSION_COOKIE",
    "SUBMITTER_ROLES",
    "TOTP_ENROL_PATHS",
    "BatchOwnerDep",
    "LangDep",
    "PrincipalDep",
    "RegistryMaintainerDep",
    "RegulatorDep",
    "RequestInfoDep",
    "ScopeDep",
    "SessionDep",
    "SettingsDep",
    "SubmitterDep",
]

SESSION_COOKIE = "zhiguo_session"
# What a user whose initial password is still unchanged may reach.
PASSWORD_CHANGE_PATHS = frozenset({"/account/password", "/api/auth/password"})
# What a user of a role that needs a second factor, with none enrolled yet, may reach.
TOTP_ENROL_PATHS = frozenset({"/account/totp", "/api/auth/totp/enrol"})
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
LANG_COOKIE = "zhiguo_lang"


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_db(request: Request) -> Iterator[Session]:
    """One unit of work per request: commit when the route returns, roll back on error."""
    session: Session = request.app.state.sessionmaker()
    access = getattr(request.state, "data_access", None)  # web.policy.bind_data_access
    if access is not None:
        access.session = session
    try:
        yield session
        if access is not None:
            flush_read_audit(access)  # one data.read / data.unmask event, same transaction
        session.commit()
    except BaseException:
        session.rollback()
        if access is not None:
            flush_denied_audit(access)  # access.denied / labels.tampered outlive the rollback
        raise
    finally:
        session.close()


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_db)]


def client_addr(request: Request) -> str:
    """The client address (the web layer may have put a proxy-aware one on the state)."""
    addr = getattr(request.state, "client_addr", None)
    return str(addr) if addr else (request.client.host if request.client else "")


def get_request_info(request: Request) -> RequestInfo:
    """Address and request id for audit records."""
    return RequestInfo(
        client_addr=client_addr(request)[:64],
        request_id=str(getattr(request.state, "request_id", "") or ""),
    )


RequestInfoDep = Annotated[RequestInfo, Depends(get_request_info)]


async def submitted_csrf_token(request: Request) -> str:
    """The CSRF token an unsafe request carries: the ``X-CSRF-Token`` header (htmx, API
    clients) or the ``csrf_token`` field of a form (the form is parsed once and cached)."""
    if request.method in SAFE_METHODS:
        return ""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    kind = request.headers.get("content-type", "")
    if kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


CsrfTokenDep = Annotated[str, Depends(submitted_csrf_token)]


def check_same_origin(request: Request) -> None:
    """Refuse an unsafe request whose ``Origin`` (else ``Referer``) names another host than
    the one it was sent to — the OWASP "verify origin with standard headers" defence, used
    on its own for the login form (no session yet) and beside the token everywhere else."""
    if request.method in SAFE_METHODS:
        return
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source:
        return  # not a browser, or one hiding both: the token check still applies
    host = request.headers.get("host", "")
    if source == "null" or urlsplit(source).netloc.lower() != host.lower():
        raise CsrfRejected()


def session_key(request: Request, settings: Settings) -> bytes:
    """The server key CSRF tokens are derived with (loaded once per app)."""
    key: bytes | None = getattr(request.app.state, "session_key", None)
    if key is None:
        key = load_session_key(settings.workspace)
        request.app.state.session_key = key
    return key


def _token_principal(request: Request, db: Session, settings: Settings, token: str) -> Principal:
    """A machine client with ``Authorization: Bearer zg_…``: its scopes bound what it may
    do, within its user's role; no cookie, so no CSRF check."""
    user, record = token_user(session=db, token=token, now=datetime.now(UTC))
    scopes = frozenset(record.scopes.split())
    if not token_allows(scopes, request.method, request.url.path):
        raise TokenScopeDenied()
    return dataclasses.replace(
        principal_for(user, settings.security),
        must_change_password=False,
        must_enrol_totp=False,
        token_scopes=scopes,
    )


def get_principal(
    request: Request, db: SessionDep, settings: SettingsDep, csrf: CsrfTokenDep
) -> Principal:
    authorization = request.headers.get("authorization", "")
    if authorization[:7].lower() == "bearer ":
        try:
            principal = _token_principal(request, db, settings, authorization[7:].strip())
        except InvalidApiToken:
            db.commit()
            raise
        request.state.principal = principal
        check_admin_address(principal, client_addr(request), settings.security.admin_networks)
        return principal
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise AuthError("请先登录", "Please log in")
    try:
        principal = resolve_session(session=db, token=token, settings=settings.security)
    except SessionExpired:
        db.commit()  # keep the revocation of the expired session
        raise
    key = session_key(request, settings)
    request.state.csrf_token = csrf_token_for(token, key)
    if request.method not in SAFE_METHODS:
        check_same_origin(request)
        if not csrf_token_valid(csrf, token, key):
            raise CsrfRejected()
    request.state.principal = principal
    check_admin_address(principal, client_addr(request), settings.security.admin_networks)
    # First the initial (or expired) password, then the second factor; nothing else before.
    if principal.must_change_password:
        if request.url.path not in PASSWORD_CHANGE_PATHS:
            raise PasswordChangeRequired()
    elif principal.must_enrol_totp and request.url.path not in TOTP_ENROL_PATHS:
        raise TotpEnrolmentRequired()
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def get_scope(request: Request, db: SessionDep, principal: PrincipalDep) -> Scope:
    """The caller's scope and clearance, once per request (the data layer enforces both)."""
    access = getattr(request.state, "data_access", None)
    if access is not None:
        access.principal = principal  # whom the request's read audit names
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
