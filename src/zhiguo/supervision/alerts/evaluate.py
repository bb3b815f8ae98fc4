"""Rule evaluation: one period's indicator values in, candidate alerts out — vectorised SQL
through ``datacenter.engine`` (DuckDB or Spark), never a loop over enterprises.

How a run reads the data — three queries, whatever the number of rules: (1) the slice of
``supervision.indicator_values`` the rules in force need (exactly their indicator × caliber ×
period triples: the period itself, the months before it for trends, the same months last
year, last December for baselines); (2) that slice's row counts, which say which rules are
evaluable; (3) every evaluable rule at once — each rule a few CTEs over the slice, the
registry (an Arrow table) and small parameter tables, their results in one UNION ALL
(``families.py`` holds the per-family SQL). The SQL is DuckDB's dialect in the portable
subset (window functions, FILTER, ``median``; no QUALIFY, no list functions), so the same
function runs on Spark for the parity suite.

What a family computes (all comparisons strict: a value *at* a line raises nothing):

- ``threshold`` — lines that depend on the enterprise. Baseline = the ``median`` (default)
  or ``mean`` of the indicator over the *entity-level* rows of the enterprise's industry
  (GB/T 4754 section, division or the regulator's category) in December of the prior year;
  each severity's line = baseline + offset. A mean of ratios is used rather than a ratio of
  sums because the inputs are not in the indicator table; the median keeps one extreme
  entity from moving its industry's line. Fixed lines by industry category may replace
  (``override``) or cap (``stricter``: the stricter of the two) the baseline lines.
- ``trend`` — ``n`` consecutive declines: against the previous month (``compare =
  "previous"``) or against the same month last year (``"yoy"``), for each of the last n months.
- ``yoy`` — change against the same period last year beyond a threshold, in percentage
  points (``pp``) or percent of last year's absolute value (``pct``).
- ``peer`` — robust z-score within the industry at the same level: z = (x − median) /
  (1.4826 · MAD); 1.4826 = 1/Φ⁻¹(3/4) makes the MAD a consistent estimator of σ for normal
  data (Rousseeuw & Croux 1993; Iglewicz & Hoaglin 1993 recommend |z| > 3.5). A MAD of 0
  (more than half the peers share one value) gives no z, so no alert.
- ``guarantee`` — indicator above a cap by level (国资发财评规〔2021〕75号: group 40 %,
  entity 50 %).
- ``loss`` — YTD net loss (value < 0) or loss share (亏损面) above ``max_pct``.
- ``data_quality`` — the reporting calendar's missing / late single-entity reports and
  accepted batches that carried warnings (a table the caller builds from the metadata DB).

A rule whose inputs have no rows for a period it needs is reported *not evaluable* with the
reason, never silently quiet. One enterprise gets at most one candidate per rule: the most
severe of its levels (on a tie: group, then entity, then subtree).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from zhiguo.core.periods import Period
from zhiguo.datacenter.engine import Engine, Relation
from zhiguo.supervision.alerts.families import (
    PLANS,
    Hit,
    Plan,
    extra_periods,
    needed_periods,
    round_details,
)
from zhiguo.supervision.alerts.rules import (
    AlertRule,
    RuleSet,
    severity_rank,
)

__all__ = [
    "CANDIDATE_SCHEMA",
    "REGISTRY_SCHEMA",
    "SUBMISSION_SCHEMA",
    "Evaluation",
    "NotEvaluable",
    "Progress",
    "evaluate",
    "evaluate_rules",
    "rules_for_period",
]

CANDIDATE_SCHEMA = pa.schema(
    [
        pa.field("rule_code", pa.string(), nullable=False),
        pa.field("rule_version", pa.string(), nullable=False),
        pa.field("family", pa.string(), nullable=False),
        pa.field("enterprise_id", pa.int64(), nullable=False),
        pa.field("level", pa.string(), nullable=False),
        pa.field("period", pa.string(), nullable=False),
        pa.field("severity", pa.string(), nullable=False),
        pa.field("indicator_code", pa.string()),
        pa.field("value", pa.float64()),
        pa.field("threshold", pa.float64()),
        pa.field("message_zh", pa.string(), nullable=False),
        pa.field("message_en", pa.string(), nullable=False),
        pa.field("details_json", pa.string(), nullable=False),
    ]
)
"""One row per candidate alert (rule × enterprise), sorted by rule code and enterprise."""

REGISTRY_SCHEMA = pa.schema(
    [
        pa.field("enterprise_id", pa.int64(), nullable=False),
        pa.field("industry_code", pa.string()),  # GB/T 4754, e.g. C3011
        pa.field("industry_category", pa.string()),  # industrial | non_industrial | ...
        pa.field("supervision_class", pa.string()),
        pa.field("level", pa.int64()),  # 级次
    ]
)
"""The registry as evaluation reads it (``service.registry_table`` builds it from the DB)."""

SUBMISSION_SCHEMA = pa.schema(
    [
        pa.field("enterprise_id", pa.int64(), nullable=False),
        pa.field("status", pa.string(), nullable=False),  # on_time | late | missing | pending
        pa.field("days_late", pa.int64()),
        pa.field("batch_warnings", pa.int64()),  # warnings of the accepted batch (0: none)
        pa.field("warning_rules", pa.string()),  # their rule ids, comma-separated
    ]
)
"""Where each expected report of the period stands (for the data-quality family)."""

_LEVEL_PREFERENCE = {"group": 0, "entity": 1, "subtree": 2}

Progress = Callable[[str, int, int], None]
"""Called with (step label, steps done, steps in all) as a run goes."""


@dataclass(frozen=True)
class NotEvaluable:
    """A rule in force that could not be evaluated for the period, and why."""

    rule_code: str
    family: str
    reason_zh: str
    reason_en: str


@dataclass(frozen=True)
class Evaluation:
    """What :func:`evaluate` found: the candidates, the rules applied, those not evaluable."""

    period: str
    candidates: pa.Table
    rules: tuple[AlertRule, ...]
    not_evaluable: tuple[NotEvaluable, ...]


def rules_for_period(rules: RuleSet | Sequence[AlertRule], period: Period) -> tuple[AlertRule, ...]:
    """The enabled rule versions in force in ``period``'s year."""
    if isinstance(rules, RuleSet):
        return rules.in_force(period.year)
    return tuple(r for r in rules if r.enabled and r.applies_to(period.year))


# --- the run -----------------------------------------------------------------------------------

_EXTRACT_SCHEMA = pa.schema(
    [
        ("enterprise_id", pa.int64()),
        ("level", pa.string()),
        ("period", pa.string()),
        ("indicator_code", pa.string()),
        ("caliber", pa.string()),
        ("value", pa.float64()),
        ("unit", pa.string()),
    ]
)


def _extract(engine: Engine, relation: Relation | pa.Table, needs: pa.Table) -> pa.Table:
    """The one read of the indicator table: exactly the (indicator, caliber, period) triples
    the rules use. The IN lists let the scan skip other periods' files; the join trims the
    rest (other indicators and calibers of those periods)."""
    codes = sorted(set(needs["indicator_code"].to_pylist()))
    periods = sorted(set(needs["period"].to_pylist()))
    params: dict[str, Any] = {f"i{n}": code for n, code in enumerate(codes)}
    params |= {f"p{n}": period for n, period in enumerate(periods)}
    ind = ", ".join(f"$i{n}" for n in range(len(codes)))
    per = ", ".join(f"$p{n}" for n in range(len(periods)))
    sql = f"""
    SELECT v.enterprise_id AS enterprise_id, v.level AS level, v.period AS period,
           v.indicator_code AS indicator_code, v.caliber AS caliber, v.value AS value,
           v.unit AS unit
    FROM iv v JOIN needs n
      ON n.indicator_code = v.indicator_code AND n.caliber = v.caliber AND n.period = v.period
    WHERE v.status = 'ok' AND v.value IS NOT NULL AND v.level IN ('entity', 'group', 'subtree')
      AND v.indicator_code IN ({ind}) AND v.period IN ({per})
    """
    return engine.query(sql, tables={"iv": relation, "needs": needs}, params=params)


def _counts(engine: Engine, data: pa.Table) -> dict[tuple[str, str, str], int]:
    rows = engine.query(
        "SELECT indicator_code, caliber, period, count(*) AS n FROM sub "
        "GROUP BY indicator_code, caliber, period",
        tables={"sub": data},
    ).to_pylist()
    return {(r["indicator_code"], r["caliber"], r["period"]): int(r["n"]) for r in rows}


def _missing_reason(rule: AlertRule, missing: list[Period]) -> NotEvaluable:
    listed = ", ".join(str(m) for m in missing)
    return NotEvaluable(
        rule.code,
        rule.family,
        f"指标 {rule.indicator}（口径 {rule.caliber}）在 {listed} 没有可用数值",
        f"indicator {rule.indicator} (caliber {rule.caliber}) has no values for {listed}",
    )


_NEEDS_COLUMNS = ("indicator_code", "caliber", "period")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def _combined(plans: Sequence[Plan]) -> tuple[str, dict[str, Any], dict[str, pa.Table]]:
    """Every plan as one statement: their CTEs (names and parameters prefixed ``r<k>_``) and
    a UNION ALL of their results over shared columns (``n1…`` numbers, ``t1…`` texts)."""
    width_n = max(len(pl.numbers) for pl in plans)
    width_t = max(len(pl.texts) for pl in plans)
    ctes: list[str] = []
    selects: list[str] = []
    params: dict[str, Any] = {}
    tables: dict[str, pa.Table] = {}
    for k, plan in enumerate(plans):
        prefix = f"r{k}_"
        local = [name for name, _ in plan.ctes] + [*plan.tables, "out"]
        names = {name: prefix + name for name in local}

        def localise(sql: str, names: dict[str, str] = names, prefix: str = prefix) -> str:
            return _PARAM.sub(lambda m: f"${prefix}{m.group(1)}", sql.format(**names))

        for name, body in plan.ctes:
            ctes.append(f"{names[name]} AS (\n{localise(body)}\n)")
        ctes.append(f"{names['out']} AS (\n{localise(plan.final)}\n)")
        nums = [f"CAST({c} AS DOUBLE) AS n{i}" for i, c in enumerate(plan.numbers, start=1)]
        nums += [f"CAST(NULL AS DOUBLE) AS n{i}" for i in range(len(plan.numbers) + 1, width_n + 1)]
        texts = [f"CAST({c} AS VARCHAR) AS t{i}" for i, c in enumerate(plan.texts, start=1)]
        texts += [f"CAST(NULL AS VARCHAR) AS t{i}" for i in range(len(plan.texts) + 1, width_t + 1)]
        selects.append(
            f"SELECT {k} AS plan_no, CAST(enterprise_id AS BIGINT) AS enterprise_id, "
            f"CAST(level AS VARCHAR) AS level, {', '.join(nums + texts)} FROM {names['out']} "
            # an indicator row of an enterprise the registry lacks raises nothing
            "WHERE enterprise_id IN (SELECT enterprise_id FROM reg)"
        )
        params |= {prefix + key: value for key, value in plan.params.items()}
        tables |= {prefix + key: value for key, value in plan.tables.items()}
    sql = "WITH " + ",\n".join(ctes) + "\n" + "\nUNION ALL\n".join(selects)
    return sql, params, tables


def evaluate(
    *,
    engine: Engine,
    indicator_relation: Relation | pa.Table,
    registry_table: pa.Table,
    period: str | Period,
    rules: RuleSet | Sequence[AlertRule],
    submissions: pa.Table | None = None,
    progress: Progress | None = None,
    details: Mapping[str, Any] | None = None,
) -> Evaluation:
    """Evaluate every rule in force in ``period`` over ``indicator_relation`` (the
    ``supervision.indicator_values`` snapshot, or an Arrow table of its columns) and the
    registry; ``submissions`` (:data:`SUBMISSION_SCHEMA`) feeds the data-quality rules, which
    are not evaluable without it; ``details`` are added to every candidate's details (the
    service adds the indicator table's version). Pure: reads only its arguments, writes
    nothing.

    Three queries whatever the number of rules: the slice of indicator values the rules need,
    its row counts (which rules are evaluable), and every evaluable rule in one statement."""
    p = Period.parse(period)
    applied = rules_for_period(rules, p)
    step = 0

    def tick(label: str) -> None:
        nonlocal step
        if progress is not None:
            progress(label, step, 3)
        step += 1

    indicator_rules = [r for r in applied if r.family != "data_quality"]
    triples = sorted(
        {
            (r.indicator, r.caliber, str(x))
            for r in indicator_rules
            if r.indicator
            for x in (*needed_periods(r, p), *extra_periods(r, p))
        }
    )
    tick("indicator values")
    data = _EXTRACT_SCHEMA.empty_table()
    counts: dict[tuple[str, str, str], int] = {}
    if triples:
        needs = pa.table(
            {name: [t[i] for t in triples] for i, name in enumerate(_NEEDS_COLUMNS)},
            schema=pa.schema([(name, pa.string()) for name in _NEEDS_COLUMNS]),
        )
        data = _extract(engine, indicator_relation, needs)
        counts = _counts(engine, data)
    tick("rules")
    not_evaluable: list[NotEvaluable] = []
    runnable: list[AlertRule] = []
    for rule in applied:
        if rule.family == "data_quality":
            if submissions is None:
                not_evaluable.append(
                    NotEvaluable(
                        rule.code,
                        rule.family,
                        "没有提供报送状态（报送日历）",
                        "no submission states were given (reporting calendar)",
                    )
                )
                continue
        else:
            missing = [
                x
                for x in needed_periods(rule, p)
                if counts.get((rule.indicator or "", rule.caliber, str(x)), 0) == 0
            ]
            if missing:
                not_evaluable.append(_missing_reason(rule, missing))
                continue
        runnable.append(rule)
    best: dict[tuple[str, int], tuple[AlertRule, Hit]] = {}
    if runnable:
        plans = [PLANS[rule.family](rule, p) for rule in runnable]
        sql, params, tables = _combined(plans)
        shared: dict[str, Relation | pa.Table] = {"sub": data, "reg": registry_table}
        if submissions is not None:
            shared["subs"] = submissions
        result = engine.query(sql, tables={**shared, **tables}, params=params).to_pylist()
        rows_of: dict[int, list[dict[str, Any]]] = {}
        for row in result:
            rows_of.setdefault(int(row["plan_no"]), []).append(row)
        for k, (rule, plan) in enumerate(zip(runnable, plans, strict=True)):
            rows = [
                {
                    "enterprise_id": int(r["enterprise_id"]),
                    "level": r["level"],
                    **{c: r[f"n{i}"] for i, c in enumerate(plan.numbers, start=1)},
                    **{c: r[f"t{i}"] for i, c in enumerate(plan.texts, start=1)},
                }
                for r in rows_of.get(k, [])
            ]
            for hit in plan.post(rows):
                key = (rule.code, hit.enterprise_id)
                known = best.get(key)
                if known is None or _preferred(hit, known[1]):
                    best[key] = (rule, hit)
    tick("")
    return Evaluation(str(p), _table(best, p, details or {}), applied, tuple(not_evaluable))


def _preferred(new: Hit, old: Hit) -> bool:
    a = (-severity_rank(new.severity), _LEVEL_PREFERENCE.get(new.level, 9))
    b = (-severity_rank(old.severity), _LEVEL_PREFERENCE.get(old.level, 9))
    return a < b


def _table(
    best: Mapping[tuple[str, int], tuple[AlertRule, Hit]], p: Period, extra: Mapping[str, Any]
) -> pa.Table:
    ordered = [best[key] for key in sorted(best)]
    rules = [rule for rule, _ in ordered]
    hits = [hit for _, hit in ordered]
    encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
    columns: list[list[Any]] = [
        [r.code for r in rules],
        [r.version for r in rules],
        [r.family for r in rules],
        [int(h.enterprise_id) for h in hits],
        [h.level for h in hits],
        [str(p)] * len(hits),
        [h.severity for h in hits],
        [r.indicator if r.family != "data_quality" else None for r in rules],
        [None if h.value is None else float(h.value) for h in hits],
        [None if h.threshold is None else float(h.threshold) for h in hits],
        [h.message_zh for h in hits],
        [h.message_en for h in hits],
        [encode(round_details({**h.details, **extra})) for h in hits],
    ]
    return pa.table(columns, schema=CANDIDATE_SCHEMA)


def evaluate_rules(
    *,
    engine: Engine,
    indicator_relation: Relation | pa.Table,
    registry_table: pa.Table,
    period: str | Period,
    rules: RuleSet | Sequence[AlertRule],
    submissions: pa.Table | None = None,
) -> pa.Table:
    """The candidates of :func:`evaluate` alone (:data:`CANDIDATE_SCHEMA`) — the pure function
    the DuckDB/Spark parity suite compares."""
    return evaluate(
        engine=engine,
        indicator_relation=indicator_relation,
        registry_table=registry_table,
        period=period,
        rules=rules,
        submissions=submissions,
    ).candidates
