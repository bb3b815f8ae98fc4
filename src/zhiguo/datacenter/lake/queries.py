"""Scoped reads of lake datasets for screens and APIs (always through the engine)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from zhiguo.core.access import Scope
from zhiguo.core.settings import EngineSettings
from zhiguo.datacenter.engine import open_engine
from zhiguo.datacenter.lake.access import open_table, scoped_snapshot

__all__ = ["lake_facts", "visible_rows"]


def visible_rows(lake_root: Path, engine: EngineSettings, scope: Scope, name: str) -> int:
    """How many rows of dataset ``name`` the caller's scope can read (0 before any data)."""
    table = open_table(lake_root, name)
    if not table.exists():
        return 0
    result = open_engine(engine).query(
        "SELECT count(*) AS n FROM t", tables={"t": scoped_snapshot(table, scope)}
    )
    return int(result.column("n")[0].as_py())


_FACTS_WHERE = "WHERE ($period IS NULL OR period = $period) AND ($uscc IS NULL OR uscc = $uscc)"


def lake_facts(
    lake_root: Path,
    engine_settings: EngineSettings,
    scope: Scope,
    *,
    period: str | None,
    uscc: str | None,
    version: int | None,
    limit: int,
) -> tuple[int, int, list[dict[str, Any]]]:
    """Flash-report facts within ``scope`` (as of ``version``): version read, count, rows."""
    table = open_table(lake_root, "flash_report")
    relation = scoped_snapshot(table, scope, version=version)
    engine = open_engine(engine_settings)
    params: dict[str, Any] = {"period": period, "uscc": uscc}
    count = engine.query(
        f"SELECT count(*) AS n FROM flash_report {_FACTS_WHERE}",
        tables={"flash_report": relation},
        params=params,
    )
    rows = engine.query(
        f"SELECT * FROM flash_report {_FACTS_WHERE} "
        "ORDER BY uscc, period, report_type, item_code, caliber, scope LIMIT $limit",
        tables={"flash_report": relation},
        params={**params, "limit": limit},
    )
    read = table.version() if version is None else version
    return read, int(count.column("n")[0].as_py()), rows.to_pylist()
