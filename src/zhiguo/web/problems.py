"""RFC 9457 problem+json for every error, and redirects to the login page for browsers.

The one place errors become HTTP: domain code raises :mod:`zhiguo.core.errors`; nothing
here leaks a stack trace or another tenant's identifiers.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from zhiguo.core.errors import AuthError, NotFound, PermissionDenied, ZhiguoError
from zhiguo.core.i18n import normalise_lang
from zhiguo.security import PasswordChangeRequired, TotpEnrolmentRequired
from zhiguo.security.audit import record_event
from zhiguo.security.intrusion import note_denied

from .rendering import render

__all__ = ["install_problem_handlers", "problem_response", "request_id", "unexpected_error"]

_LOG = logging.getLogger("zhiguo.web")
PROBLEM = "application/problem+json"


def _lang(request: Request) -> str:
    return normalise_lang(
        request.query_params.get("lang")
        or request.cookies.get("zhiguo_lang")
        or request.headers.get("accept-language")
    )


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api") and "text/html" in request.headers.get(
        "accept", ""
    )


def problem_response(
    request: Request,
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    extra: dict[str, Any] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": f"urn:zhiguo:error:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "code": code,
    }
    body.update(extra or {})
    if _wants_html(request):
        return render(
            request, "error.html", {"problem": body, "lang": _lang(request)}, status_code=status
        )
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _audit_apart(request: Request, what: str, write: Callable[[Session], object]) -> None:
    """Run ``write`` on its own unit of work and commit: the request's own one has rolled
    back. A failed audit write is logged under the request id, never turned into another
    error — the answer to the caller stays the original one."""
    try:
        with request.app.state.sessionmaker() as session:
            write(session)
            session.commit()
    except Exception:
        _LOG.exception("could not audit a %s request [request %s]", what, request_id(request))


def _note_denial(request: Request, exc: ZhiguoError) -> None:
    """入侵防范: a logged-in caller's refusal (403, or 404 for an object outside the scope)
    is audited, and a run of them raises a security alert."""
    principal = getattr(request.state, "principal", None)
    if principal is None or isinstance(exc, (PasswordChangeRequired, TotpEnrolmentRequired)):
        return
    settings = request.app.state.settings.security
    _audit_apart(
        request,
        "denied",
        lambda session: note_denied(
            session,
            principal=principal,
            client_addr=request.client.host if request.client else "",
            method=request.method,
            path=request.url.path,
            status=exc.http_status,
            request_id=request_id(request),
            threshold=settings.denied_alert_threshold,
            window_minutes=settings.denied_alert_window_minutes,
        ),
    )


def _note_failed_change(request: Request, exc: ZhiguoError) -> None:
    """A logged-in caller's change that failed (a rejected import or submission, a refused
    loop step) is audited as ``request.failed``: its own audit records rolled back with it,
    and 等保 asks for failed events as well as successful ones."""
    principal = getattr(request.state, "principal", None)
    if principal is None or request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    _audit_apart(
        request,
        "failed",
        lambda session: record_event(
            session,
            event_type="request.failed",
            result="failure",
            principal=principal,
            object=f"{request.method} {request.url.path}"[:500],
            detail={"code": exc.code, "status": exc.http_status},
            client_addr=request.client.host if request.client else "",
            request_id=request_id(request),
        ),
    )


async def _zhiguo_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ZhiguoError)
    if isinstance(exc, PermissionDenied) or (isinstance(exc, NotFound) and exc.may_hide_scope):
        _note_denial(request, exc)
    elif exc.http_status < 500 and not isinstance(exc, AuthError):
        _note_failed_change(request, exc)
    if isinstance(exc, AuthError) and _wants_html(request):
        target = quote(str(request.url.path))
        return RedirectResponse(f"/login?next={target}", status_code=303)
    if isinstance(exc, PasswordChangeRequired) and _wants_html(request):
        return RedirectResponse("/account/password", status_code=303)
    if isinstance(exc, TotpEnrolmentRequired) and _wants_html(request):
        return RedirectResponse("/account/totp", status_code=303)
    if exc.http_status >= 500:
        # A server-side fault (configuration, a missing component): its text can name
        # paths or hosts, so it goes to the log and the caller gets the generic answer.
        rid = request_id(request)
        _LOG.error("%s on %s [request %s]: %s", exc.code, request.url.path, rid, exc)
        return _server_fault(request, rid, status=exc.http_status, code=exc.code)
    lang = _lang(request)
    extra: dict[str, Any] = {"message_zh": exc.message_zh, "message_en": exc.message_en}
    if exc.location.as_dict():
        extra["location"] = exc.location.as_dict()
    for key in ("problems", "report"):
        if key in exc.details:
            extra[key] = exc.details[key]
    status = exc.http_status
    return problem_response(
        request,
        status=status,
        code=exc.code,
        title=exc.title_zh if lang == "zh" else exc.title_en,
        detail=exc.message(lang),
        extra=extra,
    )


def _scrub(message: str, value: Any) -> str:
    """The message without the caller's input in it: a 422 must not echo a password (or any
    other value) back into a response, a log or a proxy cache (等保: no credentials in logs)."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        text = str(value)
        if len(text) >= 3 and text in message:
            message = message.replace(text, "***")
    return message


async def _validation_error(request: Request, exc: Exception) -> Response:
    """422 naming each field and rule, never the value: pydantic's ``input`` and ``ctx``
    are dropped, and a message quoting the input has it masked."""
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "loc": [str(p) for p in e.get("loc", ())],
            "msg": _scrub(str(e.get("msg", "")), e.get("input")),
            "type": e.get("type"),
        }
        for e in exc.errors()
    ]
    return problem_response(
        request,
        status=422,
        code="ZG-INPUT-001",
        title="请求参数无效 / Invalid request",
        detail="; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors),
        extra={"errors": errors},
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = "ZG-NF-001" if exc.status_code == 404 else f"ZG-HTTP-{exc.status_code}"
    return problem_response(
        request,
        status=exc.status_code,
        code=code,
        title=str(exc.detail),
        detail=str(exc.detail),
    )


def request_id(request: Request) -> str:
    """The request's id (set by the request-id middleware), or a new one for this error."""
    rid = getattr(request.state, "request_id", "") or uuid.uuid4().hex
    request.state.request_id = rid
    return str(rid)


async def unexpected_error(request: Request, exc: BaseException) -> Response:
    """500 for anything nobody handled: the traceback goes to the log under the request id;
    the caller gets a generic zh/en text and that id — never a stack trace, SQL, a file
    path or another tenant's identifier."""
    rid = request_id(request)
    _LOG.error(
        "unhandled error on %s %s [request %s]",
        request.method,
        request.url.path,
        rid,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return _server_fault(request, rid, status=500, code="ZG-000")


def _server_fault(request: Request, rid: str, *, status: int, code: str) -> Response:
    response = problem_response(
        request,
        status=status,
        code=code,
        title="平台内部错误 / Internal error",
        detail=f"平台内部错误，请联系管理员并提供请求编号 {rid} / "
        f"Internal error; contact the administrator quoting request id {rid}",
        extra={"request_id": rid},
    )
    response.headers["X-Request-ID"] = rid
    response.headers["Cache-Control"] = "no-store"
    return response


async def _unexpected(request: Request, exc: Exception) -> Response:
    return await unexpected_error(request, exc)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ZhiguoError, _zhiguo_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
