"""The FastAPI application factory: ``create_app(settings)`` builds one app per workspace."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.routing import iter_route_contexts
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.responses import Response

import zhiguo
from zhiguo.core.db import create_db_engine, make_sessionmaker
from zhiguo.core.i18n import t
from zhiguo.core.settings import Settings
from zhiguo.security.audit import enable_auto_seal

from .deps import SUBMITTER_ROLES
from .policy import PUBLIC, bind_data_access, enforce_declared_policy
from .problems import install_problem_handlers, unexpected_error
from .routers import (
    audit_api,
    audit_pages,
    auth,
    datacenter_api,
    datacenter_pages,
    operations_coverage,
    operations_leasing,
    operations_map,
    operations_planning,
    operations_sites,
    pages,
    registry_api,
    security_api,
    supervision_api,
    supervision_pages,
    system,
)

__all__ = ["STATIC_DIR", "create_app"]

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
TEMPLATES_DIR = HERE / "templates"

_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    # Everything is served from this origin (no CDN on a government intranet) and no page
    # runs inline script, so injected markup cannot execute.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'",
    # Powerful browser features the platform never uses are switched off for every page.
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    # Other origins may neither hold a handle on our windows nor embed our responses.
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
# Behind TLS (security.cookie_secure) browsers must keep to HTTPS for a year (RFC 6797).
_HSTS = "max-age=31536000; includeSubDomains"
# Swagger UI's page boots with one inline script; only that page allows it.
_DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
)


class _SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        # Every request gets an id: audit records carry it, the response header shows it.
        request.state.request_id = request_id = uuid.uuid4().hex
        try:
            response = await call_next(request)
        except Exception as exc:  # nobody handled it: a generic 500 with these headers too
            response = await unexpected_error(request, exc)
        if request.url.path == "/api/docs":
            response.headers["Content-Security-Policy"] = _DOCS_CSP
        for key, value in _SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        response.headers["X-Request-ID"] = request_id
        if request.app.state.settings.security.cookie_secure:
            response.headers.setdefault("Strict-Transport-Security", _HSTS)
        if "server" in response.headers:  # name no server software or version
            del response.headers["server"]
        if request.url.path.startswith("/api") or request.cookies:
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _templates(settings: Settings) -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    env = templates.env
    env.globals["t"] = t
    env.globals["dt"] = datacenter_pages.dt
    env.globals["submitter_roles"] = SUBMITTER_ROLES
    env.globals["demo_mode"] = settings.demo_mode
    env.globals["version"] = zhiguo.__version__
    return templates


def create_app(settings: Settings) -> FastAPI:
    """Build the app for a workspace's settings (never at import time)."""
    engine = create_db_engine(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title="zhiguo 智国",
        version=zhiguo.__version__,
        description="国资监管平台 API — state-owned asset supervision platform.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        # Default deny: a route without a declared policy answers nobody (web.policy); then
        # the request's data-access context (label checks, read audit).
        dependencies=[Depends(enforce_declared_policy), Depends(bind_data_access)],
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    enable_auto_seal(engine, settings)  # signed audit tree heads every N records
    app.state.templates = _templates(settings)
    app.add_middleware(_SecurityHeaders)
    install_problem_handlers(app)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")

    @app.get("/api/docs", include_in_schema=False, dependencies=[PUBLIC])
    def api_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="zhiguo API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    for module in (
        system,
        auth,
        registry_api,
        datacenter_api,
        supervision_api,
        pages,
        datacenter_pages,
        supervision_pages,
        audit_api,
        audit_pages,
        security_api,
        operations_sites,
        operations_coverage,
        operations_planning,
        operations_leasing,
        operations_map,
    ):
        app.include_router(module.router)

    return app


def route_table(app: FastAPI) -> list[dict[str, Any]]:
    """Every route the app serves as (path, methods): the authorization tests enumerate this.

    Since FastAPI 0.16x an included router is one entry in ``app.routes``; its routes are
    reached through ``iter_route_contexts``.
    """
    return [
        {"path": context.path, "methods": sorted(context.methods or [])}
        for context in iter_route_contexts(app.routes)
    ]
