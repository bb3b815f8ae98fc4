"""Login and logout, for browsers (form + cookie) and API clients (JSON + cookie); one's own
password, second factor (TOTP) and API tokens; account administration (三员分立).

CSRF: the login form has no session yet, so it is protected by the same-origin check
(``Origin``/``Referer`` must name this host); every later unsafe request with the session
cookie also needs the session's CSRF token (``deps.get_principal``). The token comes back in
the ``X-CSRF-Token`` header of a JSON login and in every page (meta tag, htmx header, hidden
form fields).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from zhiguo.core.access import Principal, Role
from zhiguo.core.errors import AuthError, NotFound, ZhiguoError
from zhiguo.security import (
    ACCOUNT_ADMINS,
    POLICY_ADMINS,
    CsrfRejected,
    InvalidCredentials,
    SeparationOfDuties,
    TooManyAttempts,
    TotpRequired,
    User,
    admin_create_user,
    admin_disable_user,
    admin_list_users,
    admin_set_clearance,
    admin_set_role,
    admin_unlock_user,
    begin_totp_enrolment,
    change_password,
    confirm_totp_enrolment,
    csrf_token_for,
    csrf_token_valid,
    issue_api_token,
    list_api_tokens,
    login,
    logout,
    parse_duration,
    qr_svg,
    withdraw_api_token,
)

from ..deps import (
    CSRF_HEADER,
    LANG_COOKIE,
    SESSION_COOKIE,
    CsrfTokenDep,
    LangDep,
    PrincipalDep,
    RequestInfoDep,
    SessionDep,
    SettingsDep,
    check_same_origin,
    session_key,
)
from ..policy import AUTHENTICATED, PUBLIC
from ..rendering import render
from ..schemas import RowId, StrictModel

router = APIRouter(tags=["auth"])


class PasswordChangeIn(StrictModel):
    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)


class LoginIn(StrictModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    totp: str | None = Field(None, max_length=10, description="6-digit TOTP code if enrolled")


class TotpEnrolIn(StrictModel):
    code: str = Field(min_length=6, max_length=10)


class TokenIn(StrictModel):
    name: str = Field("", max_length=100)
    scopes: list[str] = Field(min_length=1, max_length=10)
    expires: str = Field("30d", max_length=8, description="Lifetime: 30d, 12h …")


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked: bool


class NewTokenOut(TokenOut):
    token: str = Field(description="The secret; shown only in this response")


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    enterprise_id: int | None
    clearance: str
    disabled: bool
    locked: bool
    totp_enrolled: bool
    must_change_password: bool


class NewUserIn(StrictModel):
    username: str = Field(min_length=1, max_length=64)
    role: Role
    enterprise: str | None = Field(None, max_length=18, description="USCC (enterprise roles)")
    display_name: str = Field("", max_length=100)


class NewUserOut(UserOut):
    initial_password: str = Field(description="Shown once; changed at first login")


class RoleIn(StrictModel):
    role: Role
    enterprise: str | None = Field(None, max_length=18)


class ClearanceIn(StrictModel):
    clearance: str = Field(pattern="^(general|important|core)$")


def _set_cookie(response: Response, token: str, settings: SettingsDep) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",  # the cookie is never sent on cross-site requests (CSRF)
        secure=settings.security.cookie_secure,
        max_age=settings.security.session_lifetime_hours * 3600,
        path="/",
    )


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths: ``//evil`` or ``https://…`` become ``/``."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login", response_class=HTMLResponse, include_in_schema=False, dependencies=[PUBLIC])
def login_page(request: Request, lang: LangDep, next: str = "/") -> Response:
    return render(request, "login.html", {"lang": lang, "next": _safe_next(next), "error": None})


@router.post("/login", include_in_schema=False, dependencies=[PUBLIC])
def login_form(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    lang: LangDep,
    info: RequestInfoDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form()] = "/",
    totp: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    check_same_origin(request)  # login CSRF: no session yet, so no token to check
    try:
        token, _principal = login(
            session=db,
            username=username,
            password=password,
            settings=settings.security,
            client_addr=info.client_addr,
            totp_code=totp or None,
            request_id=info.request_id,
        )
    except (AuthError, TooManyAttempts) as exc:
        db.commit()  # the failure counts (lockout) and is audited
        error = "login.failed" if isinstance(exc, InvalidCredentials) else None
        context = {
            "lang": lang,
            "next": _safe_next(next),
            "error": error,
            "message": None if error else exc.message(lang),
            "username": username if isinstance(exc, TotpRequired) else "",
        }
        return render(request, "login.html", context, status_code=exc.http_status)
    db.commit()
    response = RedirectResponse(_safe_next(next), status_code=303)
    _set_cookie(response, token, settings)
    return response


def _end_session(
    request: Request, db: Session, settings: SettingsDep, csrf: str, info: Any
) -> None:
    """Logout with a cookie is an unsafe request like any other (a forged one would log a
    user out): same origin, and the session's CSRF token when it is still alive."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return
    check_same_origin(request)
    if not csrf_token_valid(csrf, token, session_key(request, settings)):
        raise CsrfRejected()
    logout(session=db, token=token, request=info)
    db.commit()


@router.post("/logout", include_in_schema=False, dependencies=[PUBLIC])
def logout_form(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    csrf: CsrfTokenDep,
    info: RequestInfoDep,
) -> Response:
    _end_session(request, db, settings, csrf, info)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/lang/{code}", include_in_schema=False, dependencies=[PUBLIC])
def switch_lang(code: str, next: str = "/") -> Response:
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(LANG_COOKIE, "en" if code == "en" else "zh", samesite="lax", path="/")
    return response


@router.post("/api/auth/login", dependencies=[PUBLIC])
def api_login(
    body: LoginIn,
    request: Request,
    response: Response,
    db: SessionDep,
    settings: SettingsDep,
    info: RequestInfoDep,
) -> dict[str, Any]:
    """Log in (with ``totp`` when the account has a second factor); the session cookie is
    set on the response and the CSRF token for later unsafe requests is in its
    ``X-CSRF-Token`` header."""
    check_same_origin(request)
    try:
        token, principal = login(
            session=db,
            username=body.username,
            password=body.password,
            settings=settings.security,
            client_addr=info.client_addr,
            totp_code=body.totp,
            request_id=info.request_id,
        )
    except ZhiguoError:
        db.commit()  # the failure counts (lockout) and is audited
        raise
    db.commit()
    _set_cookie(response, token, settings)
    response.headers[CSRF_HEADER] = csrf_token_for(token, session_key(request, settings))
    return {"username": principal.username, "role": principal.role.value}


@router.post("/api/auth/logout", status_code=204, dependencies=[PUBLIC])
def api_logout(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    csrf: CsrfTokenDep,
    info: RequestInfoDep,
) -> Response:
    _end_session(request, db, settings, csrf, info)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get(
    "/account/password",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[AUTHENTICATED],
)
def password_page(request: Request, principal: PrincipalDep, lang: LangDep) -> Response:
    context = {"lang": lang, "principal": principal, "error": None}
    return render(request, "password.html", context)


@router.post("/account/password", include_in_schema=False, dependencies=[AUTHENTICATED])
def password_form(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    lang: LangDep,
    info: RequestInfoDep,
    current_password: Annotated[str, Form(max_length=256)],
    new_password: Annotated[str, Form(max_length=256)],
) -> Response:
    try:
        change_password(
            session=db,
            user_id=principal.user_id,
            current=current_password,
            new=new_password,
            settings=settings.security,
            request=info,
            keep_session=request.cookies.get(SESSION_COOKIE),
        )
    except ZhiguoError as exc:
        context = {"lang": lang, "principal": principal, "error": exc.message(lang)}
        return render(request, "password.html", context, status_code=exc.http_status)
    db.commit()
    return RedirectResponse("/", status_code=303)


@router.post("/api/auth/password", status_code=204, dependencies=[AUTHENTICATED])
def api_change_password(
    request: Request,
    body: PasswordChangeIn,
    db: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    info: RequestInfoDep,
) -> Response:
    """Change one's own password (required first for users with an initial password)."""
    change_password(
        session=db,
        user_id=principal.user_id,
        current=body.current_password,
        new=body.new_password,
        settings=settings.security,
        request=info,
        keep_session=request.cookies.get(SESSION_COOKIE),
    )
    db.commit()
    return Response(status_code=204)


# ------------------------------------------------------------------ second factor (TOTP)


def _totp_context(db: Session, principal: Principal, lang: str) -> dict[str, Any]:
    secret, uri = begin_totp_enrolment(session=db, user_id=principal.user_id)
    db.commit()  # the pending secret must be the one the app scanned
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return {"lang": lang, "principal": principal, "secret": grouped, "uri": uri,
            "qr": qr_svg(uri), "error": None}  # fmt: skip


@router.get(
    "/account/totp",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[AUTHENTICATED],
)
def totp_page(request: Request, db: SessionDep, principal: PrincipalDep, lang: LangDep) -> Response:
    """The secret as a QR code (inline SVG) and as text, and a field for the first code."""
    return render(request, "totp.html", _totp_context(db, principal, lang))


@router.post("/account/totp", include_in_schema=False, dependencies=[AUTHENTICATED])
def totp_form(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    lang: LangDep,
    info: RequestInfoDep,
    code: Annotated[str, Form(max_length=10)],
) -> Response:
    try:
        confirm_totp_enrolment(
            session=db, user_id=principal.user_id, code=code, settings=settings.security,
            request=info,
        )  # fmt: skip
    except ZhiguoError as exc:
        db.rollback()
        context = _totp_context(db, principal, lang) | {"error": exc.message(lang)}
        return render(request, "totp.html", context, status_code=exc.http_status)
    db.commit()
    return RedirectResponse("/", status_code=303)


@router.post("/api/auth/totp/enrol", status_code=204, dependencies=[AUTHENTICATED])
def api_totp_enrol(
    body: TotpEnrolIn,
    db: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    info: RequestInfoDep,
) -> Response:
    """Confirm the second factor with a code from the app (the secret is shown by
    ``GET /account/totp``); afterwards every login needs a code."""
    confirm_totp_enrolment(
        session=db, user_id=principal.user_id, code=body.code, settings=settings.security,
        request=info,
    )  # fmt: skip
    db.commit()
    return Response(status_code=204)


# ------------------------------------------------------------------ API tokens (self-service)


def _token_out(record: Any) -> dict[str, Any]:
    return {
        "id": record.id,
        "name": record.name,
        "prefix": record.prefix,
        "scopes": record.scopes.split(),
        "created_at": record.created_at,
        "expires_at": record.expires_at,
        "last_used_at": record.last_used_at,
        "revoked": record.revoked,
    }


@router.get("/api/auth/tokens", response_model=list[TokenOut], dependencies=[AUTHENTICATED])
def api_list_tokens(db: SessionDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    """One's own API tokens (never the secrets)."""
    return [_token_out(r) for r in list_api_tokens(session=db, user_id=principal.user_id)]


@router.post(
    "/api/auth/tokens", response_model=NewTokenOut, status_code=201, dependencies=[AUTHENTICATED]
)
def api_create_token(
    body: TokenIn,
    db: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    info: RequestInfoDep,
) -> dict[str, Any]:
    """A new API token for one's own account (``Authorization: Bearer zg_…``)."""
    user = db.get(User, principal.user_id)
    if user is None:
        raise NotFound("用户不存在", "No such user")
    created = issue_api_token(
        session=db,
        user=user,
        scopes=body.scopes,
        lifetime=parse_duration(body.expires),
        settings=settings.security,
        name=body.name,
        actor=principal,
        request=info,
    )
    db.commit()
    return _token_out(created.record) | {"token": created.token}


@router.delete("/api/auth/tokens/{token_id}", status_code=204, dependencies=[AUTHENTICATED])
def api_revoke_token(
    token_id: RowId, db: SessionDep, principal: PrincipalDep, info: RequestInfoDep
) -> Response:
    withdraw_api_token(session=db, actor=principal, token_id=token_id, request=info)
    db.commit()
    return Response(status_code=204)


# ------------------------------------------------------------------ administration (三员分立)


def _user_out(user: User) -> dict[str, Any]:
    locked = user.locked_until is not None and (
        user.locked_until if user.locked_until.tzinfo else user.locked_until.replace(tzinfo=UTC)
    ) > datetime.now(UTC)
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "enterprise_id": user.enterprise_id,
        "clearance": user.clearance,
        "disabled": user.disabled,
        "locked": locked,
        "totp_enrolled": user.totp_enrolled_at is not None,
        "must_change_password": user.must_change_password,
    }


def _username(db: Session, user_id: int, actor: Principal) -> str:
    """The account an admin route names; non-administrators learn nothing about ids."""
    if actor.role not in ACCOUNT_ADMINS | POLICY_ADMINS:
        raise SeparationOfDuties()
    user = db.get(User, user_id)
    if user is None:
        raise NotFound(f"用户 {user_id} 不存在", f"No user {user_id}")
    return user.username


@router.get(
    "/api/admin/users", response_model=list[UserOut], tags=["admin"], dependencies=[AUTHENTICATED]
)
def api_admin_users(db: SessionDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    """Accounts (system and security administrators)."""
    return [_user_out(u) for u in admin_list_users(session=db, actor=principal)]


@router.post(
    "/api/admin/users",
    response_model=NewUserOut,
    status_code=201,
    tags=["admin"],
    dependencies=[AUTHENTICATED],
)
def api_admin_create_user(
    body: NewUserIn,
    db: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    info: RequestInfoDep,
) -> dict[str, Any]:
    """Create an account with a generated initial password (system administrator)."""
    created = admin_create_user(
        session=db,
        actor=principal,
        username=body.username,
        role=body.role,
        enterprise_uscc=body.enterprise,
        display_name=body.display_name,
        settings=settings.security,
        request=info,
    )
    db.commit()
    return _user_out(created.user) | {"initial_password": created.password or ""}


@router.post(
    "/api/admin/users/{user_id}/disable",
    response_model=UserOut,
    tags=["admin"],
    dependencies=[AUTHENTICATED],
)
def api_admin_disable(
    user_id: RowId, db: SessionDep, principal: PrincipalDep, info: RequestInfoDep
) -> dict[str, Any]:
    """Disable an account; its sessions and API tokens stop working at once."""
    user = admin_disable_user(
        session=db, actor=principal, username=_username(db, user_id, principal), request=info
    )
    db.commit()
    return _user_out(user)


@router.post(
    "/api/admin/users/{user_id}/unlock",
    response_model=UserOut,
    tags=["admin"],
    dependencies=[AUTHENTICATED],
)
def api_admin_unlock(
    user_id: RowId, db: SessionDep, principal: PrincipalDep, info: RequestInfoDep
) -> dict[str, Any]:
    user = admin_unlock_user(
        session=db, actor=principal, username=_username(db, user_id, principal), request=info
    )
    db.commit()
    return _user_out(user)


@router.post(
    "/api/admin/users/{user_id}/role",
    response_model=UserOut,
    tags=["admin"],
    dependencies=[AUTHENTICATED],
)
def api_admin_role(
    user_id: RowId, body: RoleIn, db: SessionDep, principal: PrincipalDep, info: RequestInfoDep
) -> dict[str, Any]:
    """Change an account's role (security administrator only; never one's own)."""
    user = admin_set_role(
        session=db,
        actor=principal,
        username=_username(db, user_id, principal),
        role=body.role,
        enterprise_uscc=body.enterprise,
        request=info,
    )
    db.commit()
    return _user_out(user)


@router.post(
    "/api/admin/users/{user_id}/clearance",
    response_model=UserOut,
    tags=["admin"],
    dependencies=[AUTHENTICATED],
)
def api_admin_clearance(
    user_id: RowId, body: ClearanceIn, db: SessionDep, principal: PrincipalDep, info: RequestInfoDep
) -> dict[str, Any]:
    """Change an account's clearance (security administrator only; never one's own)."""
    user = admin_set_clearance(
        session=db,
        actor=principal,
        username=_username(db, user_id, principal),
        clearance=body.clearance,
        request=info,
    )
    db.commit()
    return _user_out(user)
