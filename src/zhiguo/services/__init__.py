"""智慧服务 services: the open-data portal, public APIs and the citizen service catalogue.

Publishes only datasets that are open and classified 一般 (general)."""

__all__: list[str] = []
