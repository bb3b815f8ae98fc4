"""Choosing a backend from settings; optional backends load lazily with an exact install hint."""

from __future__ import annotations

from zhiguo.core.settings import EngineSettings
from zhiguo.datacenter.engine.base import Engine

__all__ = ["open_engine"]


def open_engine(settings: EngineSettings | None = None) -> Engine:
    """The engine the settings name (``engine.backend``): DuckDB unless told otherwise.

    Spark is an optional extra: without PySpark or Java this raises
    :class:`~zhiguo.core.errors.DependencyMissing` naming exactly what to install
    (``pip install 'zhiguo[spark]'``, ``apt-get install openjdk-17-jre-headless``).
    """
    backend = settings.backend if settings else "duckdb"
    if backend == "spark":
        from zhiguo.datacenter.engine.spark import SparkEngine

        return SparkEngine.get()
    from zhiguo.datacenter.engine.duck import DuckDBEngine

    return DuckDBEngine()
