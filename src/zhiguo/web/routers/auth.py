"""Login and logout, for browsers (form + cookie) and API clients (JSON + cookie)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from zhiguo.core.errors import ZhiguoError
from zhiguo.security import InvalidCredentials, change_password, login, logout

from ..deps import LANG_COOKIE, SESSION_COOKIE, LangDep, PrincipalDep, SessionDep, SettingsDep
from ..rendering import render

router = APIRouter(tags=["auth"])


class PasswordChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


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


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, lang: LangDep, next: str = "/") -> Response:
    return render(request, "login.html", {"lang": lang, "next": _safe_next(next), "error": None})


@router.post("/login", include_in_schema=False)
def login_form(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    lang: LangDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    client = request.client.host if request.client else ""
    try:
        token, _principal = login(
            session=db,
            username=username,
            password=password,
            settings=settings.security,
            client_addr=client,
        )
    except InvalidCredentials:
        return render(
            request,
            "login.html",
            {"lang": lang, "next": _safe_next(next), "error": "login.failed"},
            status_code=401,
        )
    db.commit()
    response = RedirectResponse(_safe_next(next), status_code=303)
    _set_cookie(response, token, settings)
    return response


@router.post("/logout", include_in_schema=False)
def logout_form(request: Request, db: SessionDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        logout(session=db, token=token)
        db.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/lang/{code}", include_in_schema=False)
def switch_lang(code: str, next: str = "/") -> Response:
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(LANG_COOKIE, "en" if code == "en" else "zh", samesite="lax", path="/")
    return response


@router.post("/api/auth/login")
def api_login(
    body: LoginIn, request: Request, response: Response, db: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """Log in; the session cookie is set on the response."""
    client = request.client.host if request.client else ""
    token, principal = login(
        session=db,
        username=body.username,
        password=body.password,
        settings=settings.security,
        client_addr=client,
    )
    db.commit()
    _set_cookie(response, token, settings)
    return {"username": principal.username, "role": principal.role.value}


@router.post("/api/auth/logout", status_code=204)
def api_logout(request: Request, db: SessionDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        logout(session=db, token=token)
        db.commit()
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account/password", response_class=HTMLResponse, include_in_schema=False)
def password_page(request: Request, principal: PrincipalDep, lang: LangDep) -> Response:
    context = {"lang": lang, "principal": principal, "error": None}
    return render(request, "password.html", context)


@router.post("/account/password", include_in_schema=False)
def password_form(
    request: Request,
    db: SessionDep,
    principal: PrincipalDep,
    lang: LangDep,
    current_password: Annotated[str, Form(max_length=256)],
    new_password: Annotated[str, Form(max_length=256)],
) -> Response:
    try:
        change_password(
            session=db, user_id=principal.user_id, current=current_password, new=new_password
        )
    except ZhiguoError as exc:
        context = {"lang": lang, "principal": principal, "error": exc.message(lang)}
        return render(request, "password.html", context, status_code=exc.http_status)
    db.commit()
    return RedirectResponse("/", status_code=303)


@router.post("/api/auth/password", status_code=204)
def api_change_password(
    body: PasswordChangeIn, db: SessionDep, principal: PrincipalDep
) -> Response:
    """Change one's own password (required first for users with an initial password)."""
    change_password(
        session=db,
        user_id=principal.user_id,
        current=body.current_password,
        new=body.new_password,
    )
    db.commit()
    return Response(status_code=204)
