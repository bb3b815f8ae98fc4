"""Indicator services: compute and publish, read back with scope, manage the library.

``compute_indicators`` is a system job (it reads every report and publishes for everyone);
reads (:func:`read_indicator_values`) always take the caller's scope.
"""

from __future__ import annotations

import json
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhiguo.core import Period, Scope
from zhiguo.core.errors import InputError, NotFound
from zhiguo.core.settings import EngineSettings
from zhiguo.datacenter.catalog import record_commit
from zhiguo.datacenter.engine import Relation, open_engine
from zhiguo.datacenter.lake import open_table, scoped_snapshot
from zhiguo.supervision.datasets import INDICATOR_VALUES
from zhiguo.supervision.indicators.compute import (
    evaluate,
    factor_table,
    to_indicator_rows,
    tree_tables,
)
from zhiguo.supervision.indicators.definitions import IndicatorSpec
from zhiguo.supervision.indicators.errors import LibraryError
from zhiguo.supervision.indicators.library import Library, builtin_library, parse_definitions
from zhiguo.supervision.models import IndicatorDefinition

__all__ = [
    "ComputeResult",
    "add_definitions",
    "compute_indicators",
    "load_definitions_file",
    "load_library",
    "read_indicator_values",
]

Progress = Callable[[str], None]


@dataclass
class ComputeResult:
    """What one run computed and published."""

    periods: list[str]
    rows: int
    source_version: int
    published_version: int | None
    seconds: dict[str, float] = field(default_factory=dict)
    table: pa.Table | None = None


def load_library(session: Session | None = None) -> Library:
    """The built-in library with the newest active analyst definition of each code."""
    library = builtin_library()
    if session is None:
        return library
    latest = (
        select(IndicatorDefinition.code, func.max(IndicatorDefinition.version).label("v"))
        .where(IndicatorDefinition.active.is_(True))
        .group_by(IndicatorDefinition.code)
        .subquery()
    )
    rows = session.scalars(
        select(IndicatorDefinition).join(
            latest,
            (IndicatorDefinition.code == latest.c.code)
            & (IndicatorDefinition.version == latest.c.v),
        )
    ).all()
    if not rows:
        return library
    merged = dict(library.specs)
    sources = dict(library.sources)
    for row in rows:
        merged[row.code] = IndicatorSpec.model_validate_json(row.definition_json)
        sources[row.code] = f"{row.source} v{row.version}"
    return Library(merged.values(), library.sets, version=library.version, sources=sources)


def add_definitions(
    *, session: Session, specs: Sequence[IndicatorSpec], source: str, actor: str
) -> list[IndicatorDefinition]:
    """Store ``specs`` as new versions after checking the whole library with them in it
    (so a definition that breaks another one, or closes a cycle, is refused)."""
    if not specs:
        raise LibraryError("body", "没有指标定义", "no indicator definitions given")
    codes = [s.code for s in specs]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise LibraryError(
            dupes[0], "同一文件中重复定义", "defined more than once in the same submission"
        )
    load_library(session).with_specs(specs, source=source)  # raises on any problem
    out = []
    for spec in specs:
        current = session.scalar(
            select(func.max(IndicatorDefinition.version)).where(
                IndicatorDefinition.code == spec.code
            )
        )
        row = IndicatorDefinition(
            code=spec.code,
            version=(current or 0) + 1,
            definition_json=spec.model_dump_json(),
            source=source,
            active=True,
            created_by=actor,
        )
        session.add(row)
        out.append(row)
    session.flush()
    return out


def load_definitions_file(path: Path) -> list[IndicatorSpec]:
    """Definitions from a TOML or JSON file (see the library file for the format)."""
    try:
        text = path.read_text(encoding="utf-8")
        data: Any = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LibraryError(
            path.name,
            f"无法解析文件（应为 UTF-8 的 TOML 或 JSON）：{exc}",
            f"cannot parse the file (expected UTF-8 TOML or JSON): {exc}",
            file=path.name,
        ) from None
    return parse_definitions(data, file=path.name)


def _source_periods(engine_settings: EngineSettings, relation: Relation) -> list[str]:
    result = open_engine(engine_settings).query(
        "SELECT DISTINCT period FROM flash_report ORDER BY period",
        tables={"flash_report": relation},
    )
    return [str(p) for p in result.column("period").to_pylist()]


def compute_indicators(
    *,
    session: Session,
    lake_root: Path,
    engine_settings: EngineSettings,
    periods: Sequence[str] | None = None,
    source_version: int | None = None,
    publish: bool = True,
    actor: str = "system",
    library: Library | None = None,
    progress: Progress | None = None,
) -> ComputeResult:
    """Compute every indicator at every level for ``periods`` (all periods in the flash
    report when None) from the flash report as of ``source_version`` (latest when None), and
    publish them as one commit of ``supervision.indicator_values`` (replacing those periods).

    With ``publish=False`` the rows are returned in ``result.table`` and nothing is written —
    how an analyst recomputes "as of" an earlier version without touching what is published.
    """
    say = progress or (lambda _msg: None)
    clock: dict[str, float] = {}
    t0 = time.perf_counter()
    library = library or load_library(session)
    flash = open_table(lake_root, "flash_report")
    if not flash.exists():
        raise NotFound("快报数据集尚无数据", "The flash report has no data yet")
    read_version = flash.snapshot_version(version=source_version)
    relation = scoped_snapshot(flash, Scope.everything(), version=source_version)
    if periods is None:
        wanted = _source_periods(engine_settings, relation)
    else:
        wanted = sorted({str(Period.parse(p)) for p in periods})
    if not wanted:
        raise InputError("没有可计算的期间", "No periods to compute")
    say(f"periods {wanted[0]}…{wanted[-1]} ({len(wanted)}), flash_report v{read_version}")
    trees = tree_tables(session, wanted)
    factors = factor_table(session, wanted)
    clock["prepare"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    engine = open_engine(engine_settings)
    indicators, wide = evaluate(
        engine,
        library,
        flash_report=relation,
        trees=trees,
        factors=factors,
        periods=None if periods is None else wanted,
    )
    clock["engine"] = time.perf_counter() - t1
    say(f"{len(indicators)} indicator calibers × {wide.num_rows} level rows ({engine.name})")
    t2 = time.perf_counter()
    rows = to_indicator_rows(indicators, wide, source_version=read_version)
    clock["reshape"] = time.perf_counter() - t2
    result = ComputeResult(
        periods=wanted, rows=rows.num_rows, source_version=read_version, published_version=None
    )
    if not publish:
        result.table = rows
        result.seconds = clock
        return result
    t3 = time.perf_counter()
    target = open_table(lake_root, INDICATOR_VALUES.name)
    version = target.commit(
        rows,
        metadata={
            "zhiguo_action": "compute_indicators",
            "source_flash_report_version": str(read_version),
            "library_version": library.version,
            "periods": f"{wanted[0]}..{wanted[-1]}",
        },
    )
    record_commit(
        session,
        dataset=INDICATOR_VALUES.name,
        version=version,
        operation="compute",
        rows=rows.num_rows,
        committed_by=actor,
        inputs={"flash_report": read_version},
    )
    clock["publish"] = time.perf_counter() - t3
    say(f"published {rows.num_rows} values as {INDICATOR_VALUES.name} v{version}")
    result.published_version = version
    result.seconds = clock
    return result


def read_indicator_values(
    *,
    lake_root: Path,
    engine_settings: EngineSettings,
    scope: Scope,
    period: str | None = None,
    periods: Sequence[str] | None = None,
    indicators: Sequence[str] | None = None,
    level: str | None = None,
    enterprise_ids: Sequence[int] | None = None,
    caliber: str | None = None,
    version: int | None = None,
) -> pa.Table:
    """Published indicator values the caller's scope may see, filtered (empty when none)."""
    table = open_table(lake_root, INDICATOR_VALUES.name)
    if not table.exists():
        return INDICATOR_VALUES.arrow_schema.empty_table()
    relation = scoped_snapshot(table, scope, version=version)
    where = ["TRUE"]
    params: dict[str, Any] = {}
    wanted = [str(Period.parse(p)) for p in [*(periods or []), *([period] if period else [])]]
    if wanted:
        where.append(f"period IN ({_literals(wanted)})")
    if indicators:
        where.append(f"indicator_code IN ({_literals(indicators)})")
    if level:
        where.append("level = $level")
        params["level"] = level
    if enterprise_ids is not None:
        ids = sorted({int(i) for i in enterprise_ids})
        where.append(f"enterprise_id IN ({', '.join(map(str, ids))})" if ids else "FALSE")
    if caliber:
        where.append("caliber = $caliber")
        params["caliber"] = caliber
    return open_engine(engine_settings).query(
        f"SELECT * FROM v WHERE {' AND '.join(where)} "
        "ORDER BY period, level, enterprise_id, indicator_code, caliber",
        tables={"v": relation},
        params=params,
    )


def _literals(values: Sequence[str]) -> str:
    """SQL string literals (lists are inlined: parameter lists are not portable to Spark)."""
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)
