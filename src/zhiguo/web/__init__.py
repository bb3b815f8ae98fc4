"""Web shell: the FastAPI app factory, routers per platform, Jinja2 templates, static assets.

Thin by rule: a route parses input, calls one service function with the request's scope,
renders. Errors become RFC 9457 problem+json in ``problems.py``; dependencies live in
``deps.py``; browser assets (ECharts, htmx, Swagger UI) are installed from npm into
``static/vendor`` by ``make assets`` — never loaded from a CDN.
"""

from .app import STATIC_DIR, create_app, route_table

__all__ = ["STATIC_DIR", "create_app", "route_table"]
