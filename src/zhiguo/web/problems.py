"""RFC 9457 problem+json for every error, and redirects to the login page for browsers.

The one place errors become HTTP: domain code raises :mod:`zhiguo.core.errors`; nothing
here leaks a stack trace or another tenant's identifiers.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from zhiguo.core.errors import AuthError, ZhiguoError
from zhiguo.core.i18n import normalise_lang
from zhiguo.security import PasswordChangeRequired

from .rendering import render

__all__ = ["install_problem_handlers", "problem_response"]

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


async def _zhiguo_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ZhiguoError)
    if isinstance(exc, AuthError) and _wants_html(request):
        target = quote(str(request.url.path))
        return RedirectResponse(f"/login?next={target}", status_code=303)
    if isinstance(exc, PasswordChangeRequired) and _wants_html(request):
        return RedirectResponse("/account/password", status_code=303)
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


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg", ""), "type": e.get("type")}
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


async def _unexpected(request: Request, exc: Exception) -> Response:
    _LOG.exception("unhandled error on %s", request.url.path, exc_info=exc)
    return problem_response(
        request,
        status=500,
        code="ZG-000",
        title="平台内部错误 / Internal error",
        detail="请联系管理员并提供时间与路径 / Contact the administrator with time and path",
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ZhiguoError, _zhiguo_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
