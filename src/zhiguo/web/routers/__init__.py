"""Routers, one module per area: system, auth, registry API, HTML pages."""

__all__: list[str] = []
