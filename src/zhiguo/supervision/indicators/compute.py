"""Indicator computation: one SQL statement per run, written once, run by either engine.

The statement (built by :func:`indicator_sql`) does, in order:

1. ``base`` — pivot the flash report's facts into one wide row per entity × period × report
   type, one column per input the library reads (``total_assets__closing`` …);
2. ``rep`` — add the objective-factor ledger (year to date) and the per-report counts that
   亏损面 needs;
3. ``levels`` — four levels from those rows: ``entity`` (单户 reports), ``subtree`` (sum of
   the 单户 reports below every enterprise that has subsidiaries, by the ownership tree as
   of each period's end), ``group`` (合并 reports, with subtree counts) and ``portfolio``
   (sum of the top-level groups' 合并 reports). Every aggregate sums *inputs*; ratios are
   computed afterwards — a ratio of sums, never a sum or mean of ratios;
4. evaluate every indicator × caliber as a column, with a status code beside it
   (0 ok, 1 an input missing, 2 a denominator of zero).

The wide result is reshaped to ``supervision.indicator_values`` rows in Arrow (no Python loop
over rows).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiguo.core import Period
from zhiguo.datacenter.engine import Engine, Relation
from zhiguo.registry import OwnershipEdge
from zhiguo.supervision.datasets import INDICATOR_VALUES, PORTFOLIO_ID
from zhiguo.supervision.indicators.definitions import EXTRA_INPUTS
from zhiguo.supervision.indicators.formula import InputRef, input_column
from zhiguo.supervision.indicators.library import CompiledIndicator, Library
from zhiguo.supervision.ledger import TOTALS_SCHEMA, factor_totals

__all__ = [
    "STATUS_REASONS",
    "TreeTables",
    "evaluate",
    "factor_table",
    "indicator_sql",
    "to_indicator_rows",
    "tree_tables",
]

STATUS_REASONS = {1: "missing_input", 2: "division_by_zero"}

_COUNTS = ("reporting_entities__count", "loss_entities__count", "loss_amount__ytd")
_FACTORS = ("objective_increase__ytd", "objective_decrease__ytd")


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _item_inputs(indicators: Sequence[CompiledIndicator]) -> list[InputRef]:
    """Flash-report inputs the indicators read (plus net_profit.ytd, which the loss counts
    need), in a stable order."""
    refs = {r for c in indicators for r in c.inputs if r.item not in EXTRA_INPUTS}
    refs.add(InputRef("net_profit", "ytd"))
    return sorted(refs, key=lambda r: (r.item, r.caliber))


def indicator_sql(
    indicators: Sequence[CompiledIndicator], *, periods: Sequence[str] | None = None
) -> str:
    """The one statement computing ``indicators`` at every level over relations
    ``flash_report``, ``closure`` (ancestor_id, descendant_id, period), ``top`` (enterprise_id,
    period) and ``factors`` (enterprise_id, period, objective_increase__ytd,
    objective_decrease__ytd); restricted to ``periods`` when given."""
    refs = _item_inputs(indicators)
    cols = [input_column(r) for r in refs]
    items = sorted({r.item for r in refs})
    where = [
        "scope = 'total'",
        "report_type IN ('single', 'consolidated')",
        f"item_code IN ({', '.join(_q(i) for i in items)})",
    ]
    if periods is not None:
        where.append(f"period IN ({', '.join(_q(p) for p in periods)})")
    pivot = ",\n    ".join(
        f"sum(value) FILTER (WHERE item_code = {_q(r.item)} AND caliber = {_q(r.caliber)}) "
        f"AS {input_column(r)}"
        for r in refs
    )
    summed = [*cols, *_FACTORS, *_COUNTS]
    sums = ", ".join(f"sum({c}) AS {c}" for c in summed)
    sums_r = ", ".join(f"sum(r.{c}) AS {c}" for c in summed)
    plain = ", ".join([*cols, *_FACTORS, *_COUNTS])
    group_cols = ", ".join([*(f"r.{c}" for c in [*cols, *_FACTORS]), *(f"s.{c}" for c in _COUNTS)])
    loss = "r.report_type = 'single' AND r.net_profit__ytd < 0"
    values = ",\n  ".join(
        f"{c.value_sql} AS v__{c.key},\n  {c.status_sql} AS s__{c.key}" for c in indicators
    )
    return f"""
WITH base AS (
  SELECT enterprise_id, period, report_type,
    {pivot}
  FROM flash_report
  WHERE {" AND ".join(where)}
  GROUP BY enterprise_id, period, report_type
),
rep AS (
  SELECT r.*,
    coalesce(f.objective_increase__ytd, 0.0) AS objective_increase__ytd,
    coalesce(f.objective_decrease__ytd, 0.0) AS objective_decrease__ytd,
    CASE WHEN r.report_type = 'single' THEN 1 ELSE 0 END AS reporting_entities__count,
    CASE WHEN {loss} THEN 1 ELSE 0 END AS loss_entities__count,
    CASE WHEN {loss} THEN -r.net_profit__ytd ELSE 0.0 END AS loss_amount__ytd
  FROM base r
  LEFT JOIN factors f ON f.enterprise_id = r.enterprise_id AND f.period = r.period
),
subtree AS (
  SELECT c.ancestor_id AS enterprise_id, r.period, {sums_r}
  FROM rep r
  JOIN closure c ON c.descendant_id = r.enterprise_id AND c.period = r.period
  WHERE r.report_type = 'single'
  GROUP BY c.ancestor_id, r.period
),
grp AS (
  SELECT r.enterprise_id, r.period, {group_cols}
  FROM rep r
  LEFT JOIN subtree s ON s.enterprise_id = r.enterprise_id AND s.period = r.period
  WHERE r.report_type = 'consolidated'
),
levels AS (
  SELECT enterprise_id, 'entity' AS level, period, {plain}
  FROM rep WHERE report_type = 'single'
  UNION ALL
  SELECT enterprise_id, 'subtree' AS level, period, {plain} FROM subtree
  UNION ALL
  SELECT enterprise_id, 'group' AS level, period, {plain} FROM grp
  UNION ALL
  SELECT CAST({PORTFOLIO_ID} AS BIGINT) AS enterprise_id, 'portfolio' AS level, g.period, {sums}
  FROM (SELECT grp.* FROM grp JOIN top t
        ON t.enterprise_id = grp.enterprise_id AND t.period = grp.period) g
  GROUP BY g.period
),
ready AS (
  SELECT *, CAST(substr(period, 6, 2) AS INTEGER) AS month_of_year FROM levels
)
SELECT CAST(enterprise_id AS BIGINT) AS enterprise_id, level, period,
  {values}
FROM ready
"""


# -- the ownership tree per period ---------------------------------------------------------
@dataclass(frozen=True)
class TreeTables:
    """``closure`` (ancestor_id, descendant_id, period) and ``top`` (enterprise_id, period)."""

    closure: pa.Table
    top: pa.Table


def _period_end(period: str) -> date:
    p = Period.parse(period)
    return date(p.year, p.month, calendar.monthrange(p.year, p.month)[1])


def tree_tables(session: Session, periods: Iterable[str]) -> TreeTables:
    """The ownership tree as of each period's last day, as a closure table (every enterprise
    with subsidiaries paired with itself and each descendant) and the top-level list."""
    e = OwnershipEdge
    edges = session.execute(
        select(e.parent_id, e.child_id, e.valid_from, e.valid_to).where(e.controlling.is_(True))
    ).all()
    parents = np.array([r[0] for r in edges], dtype=np.int64)
    children = np.array([r[1] for r in edges], dtype=np.int64)
    start = np.array([r[2].toordinal() for r in edges], dtype=np.int64)
    end = np.array([r[3].toordinal() if r[3] else 10**7 for r in edges], dtype=np.int64)
    from zhiguo.registry import Enterprise

    ids = np.array(sorted(session.scalars(select(Enterprise.id))), dtype=np.int64)
    size = int(max(ids.max(initial=0), parents.max(initial=0), children.max(initial=0))) + 1
    anc_out: list[np.ndarray] = []
    desc_out: list[np.ndarray] = []
    per_out: list[str] = []
    per_counts: list[int] = []
    top_ids: list[np.ndarray] = []
    top_per: list[int] = []
    plist = sorted(set(periods))
    for period in plist:
        day = _period_end(period).toordinal()
        live = (start <= day) & (day < end)
        parent = np.full(size, -1, dtype=np.int64)
        parent[children[live]] = parents[live]
        desc = ids.copy()
        anc = parent[desc]
        pairs_a, pairs_d = [], []
        while True:
            ok = anc >= 0
            if not ok.any():
                break
            desc, anc = desc[ok], anc[ok]
            pairs_a.append(anc)
            pairs_d.append(desc)
            anc = parent[anc]
        a = np.concatenate(pairs_a) if pairs_a else np.empty(0, dtype=np.int64)
        d = np.concatenate(pairs_d) if pairs_d else np.empty(0, dtype=np.int64)
        internal = np.unique(a)
        a = np.concatenate([a, internal])
        d = np.concatenate([d, internal])
        anc_out.append(a)
        desc_out.append(d)
        per_out.append(period)
        per_counts.append(len(a))
        roots = ids[parent[ids] < 0]
        top_ids.append(roots)
        top_per.append(len(roots))
    period_type = pa.string()
    closure = pa.table(
        {
            "ancestor_id": pa.array(np.concatenate(anc_out) if anc_out else [], pa.int64()),
            "descendant_id": pa.array(np.concatenate(desc_out) if desc_out else [], pa.int64()),
            "period": pa.array(np.repeat(per_out, per_counts).tolist(), period_type),
        }
    )
    top = pa.table(
        {
            "enterprise_id": pa.array(np.concatenate(top_ids) if top_ids else [], pa.int64()),
            "period": pa.array(np.repeat(plist, top_per).tolist(), period_type),
        }
    )
    return TreeTables(closure, top)


def factor_table(session: Session, periods: Iterable[str]) -> pa.Table:
    """The objective-factor ledger's year-to-date totals for each of ``periods``, with the
    column names the statement reads (the ledger owns the arithmetic)."""
    wanted = set(periods)
    latest: dict[int, str] = {}
    for period in wanted:
        year = int(period[:4])
        latest[year] = max(latest.get(year, period), period)
    parts = [
        factor_totals(session=session, year=year, up_to_period=end)
        for year, end in sorted(latest.items())
    ]
    table = pa.concat_tables(parts) if parts else TOTALS_SCHEMA.empty_table()
    table = table.filter(pc.is_in(table["period"], pa.array(sorted(wanted), pa.string())))
    return table.rename_columns(
        ["enterprise_id", "period", "objective_increase__ytd", "objective_decrease__ytd"]
    )


def evaluate(
    engine: Engine,
    library: Library,
    *,
    flash_report: Relation,
    trees: TreeTables,
    factors: pa.Table,
    periods: Sequence[str] | None = None,
) -> tuple[list[CompiledIndicator], pa.Table]:
    """Run the statement: the indicators evaluated and the wide result."""
    indicators = list(library.indicators.values())
    sql = indicator_sql(indicators, periods=periods)
    wide = engine.query(
        sql,
        tables={
            "flash_report": flash_report,
            "closure": trees.closure,
            "top": trees.top,
            "factors": factors,
        },
    )
    return indicators, wide


def to_indicator_rows(
    indicators: Sequence[CompiledIndicator],
    wide: pa.Table,
    *,
    source_version: int,
    computed_at: datetime | None = None,
) -> pa.Table:
    """Reshape the wide result into ``supervision.indicator_values`` rows, keeping each
    indicator only for periods in its valid years."""
    computed_at = computed_at or datetime.now(UTC)
    n = wide.num_rows
    years = pc.cast(pc.utf8_slice_codeunits(wide["period"], 0, 4), pa.int32()) if n else None
    parts: list[pa.Table] = []
    for c in indicators:
        status = wide[f"s__{c.key}"]
        keep = None
        if years is not None and (c.spec.from_year > 2000 or c.spec.to_year is not None):
            keep = pc.greater_equal(years, c.spec.from_year)
            if c.spec.to_year is not None:
                keep = pc.and_(keep, pc.less_equal(years, c.spec.to_year))
        reason_text = pa.array(
            [
                None,
                f"missing_input: {', '.join(f'{r.item}.{r.caliber}' for r in c.inputs)}",
                f"division_by_zero: {' | '.join(c.denominators)}",
            ],
            pa.string(),
        )
        codes = pc.cast(status, pa.int32())
        part = pa.table(
            {
                "enterprise_id": wide["enterprise_id"],
                "level": wide["level"],
                "period": wide["period"],
                "indicator_code": pa.repeat(pa.scalar(c.code), n),
                "caliber": pa.repeat(pa.scalar(c.caliber), n),
                "value": pc.if_else(pc.equal(codes, 0), wide[f"v__{c.key}"], None),
                "unit": pa.repeat(pa.scalar(c.spec.unit), n),
                "status": pc.if_else(pc.equal(codes, 0), "ok", "not_computable"),
                "reason": reason_text.take(codes),
                "source_version": pa.repeat(pa.scalar(source_version, pa.int64()), n),
                "library_version": pa.repeat(pa.scalar(c.digest), n),
                "computed_at": pa.repeat(pa.scalar(computed_at, pa.timestamp("us", tz="UTC")), n),
            }
        )
        parts.append(part.filter(keep) if keep is not None else part)
    schema = INDICATOR_VALUES.arrow_schema
    if not parts:
        return schema.empty_table()
    table = pa.concat_tables(parts, promote_options="permissive")
    # rows stay grouped by indicator (one part each); the period partitions split them, so
    # within a period's files row-group statistics let a reader skip other indicators
    return pa.table([table[f.name].cast(f.type) for f in schema], schema=schema)
