"""How each rule family becomes SQL: a :class:`Plan` per rule (common table expressions and a
final SELECT in DuckDB's portable dialect) and the step that turns its rows into hits with
their zh/en messages. ``evaluate`` combines the plans of a run into one statement; what each
family computes is described there."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from zhiguo.core.periods import Period
from zhiguo.registry import IndustryCategory
from zhiguo.supervision.alerts.rules import SEVERITIES, SEVERITY_ZH, AlertRule, severity_rank

__all__ = ["PLANS", "Hit", "Plan", "extra_periods", "needed_periods", "round_details"]

_KEY_SQL = {
    "section": "substr(r.industry_code, 1, 1)",
    "division": "substr(r.industry_code, 1, 3)",
    "category": "r.industry_category",
}
_KEY_ZH = {"section": "门类", "division": "大类", "category": "行业类别"}
_LINES_SCHEMA = pa.schema(
    [
        ("category", pa.string()),
        ("severity", pa.string()),
        ("sev_rank", pa.int64()),
        ("offset_pp", pa.float64()),
        ("fixed_line", pa.float64()),
    ]
)


# --- helpers -----------------------------------------------------------------------------------


def _levels_sql(levels: Sequence[str]) -> str:
    # levels are validated against ALERT_LEVELS when the rule is loaded: safe to write in
    return ", ".join(f"'{lv}'" for lv in levels)


def _fmt(value: float | None, unit: str | None) -> str:
    if value is None:
        return "—"
    if unit == "%":
        return f"{value:,.2f}%"
    text = f"{value:,.2f}"
    return f"{text} {unit}" if unit else text


def round_details(value: Any) -> Any:
    """Floats rounded to 6 places (NaN → None), through nested dicts: the same details text
    whichever engine summed the values."""
    kind = type(value)
    if kind is float:
        return None if math.isnan(value) else round(value, 6)
    if kind is dict:
        return {k: round_details(v) for k, v in value.items()}
    return value


@dataclass
class Hit:
    enterprise_id: int
    level: str
    severity: str
    value: float | None
    threshold: float | None
    message_zh: str
    message_en: str
    details: dict[str, Any]


@dataclass
class Plan:
    """One rule as part of the run's single evaluation query.

    ``ctes`` are (name, body) pairs and ``final`` the SELECT of the rule's result; local names
    are written ``{name}`` and parameters ``$name``, both prefixed per rule when the plans are
    combined. The result has ``enterprise_id``, ``level`` and the ``numbers`` and ``texts``
    columns; ``post`` turns its rows into hits."""

    ctes: list[tuple[str, str]]
    final: str
    numbers: tuple[str, ...]
    texts: tuple[str, ...]
    params: dict[str, Any]
    tables: dict[str, pa.Table]
    post: Callable[[list[dict[str, Any]]], list[Hit]]


def _what(rule: AlertRule) -> tuple[str, str]:
    ind = rule.indicator or ""
    return f"{rule.title_zh}：{ind}", f"{rule.title_en}: {ind}"


def _base_params(rule: AlertRule, p: Period) -> dict[str, Any]:
    return {"period": str(p), "indicator": rule.indicator, "caliber": rule.caliber}


# --- families ----------------------------------------------------------------------------------


def needed_periods(rule: AlertRule, p: Period) -> list[Period]:
    """The periods whose values a rule cannot do without (missing → not evaluable)."""
    if rule.family == "trend":
        n = int(rule.params["n"])
        lag = 12 if rule.params["compare"] == "yoy" else 1
        out: list[Period] = []
        for i in range(n):
            out += [p.shift(-i), p.shift(-i - lag)]
        return sorted(set(out))
    if rule.family == "yoy":
        return [p.shift(-12), p]
    return [p]


def extra_periods(rule: AlertRule, p: Period) -> list[Period]:
    """Periods a rule reads when they exist (a missing baseline falls back to fixed lines)."""
    if rule.family == "threshold" and rule.params["baseline"] != "none":
        return [Period(p.year - 1, 12)]
    return []


def _threshold(rule: AlertRule, p: Period) -> Plan:
    prm = rule.params
    key = _KEY_SQL[prm["baseline_key"]]
    above = prm["direction"] == "above"
    op = ">" if above else "<"
    pick = "<" if above else ">"  # the stricter of two lines
    combine = {
        "stricter": (
            "CASE WHEN baseline_line IS NULL THEN fixed_line WHEN fixed_line IS NULL THEN "
            f"baseline_line WHEN baseline_line {pick} fixed_line THEN baseline_line "
            "ELSE fixed_line END"
        ),
        "override": "COALESCE(fixed_line, baseline_line)",
        "baseline": "baseline_line",
        "fixed": "fixed_line",
    }[prm["combine"]]
    use_base = prm["baseline"] != "none" and bool(prm["offsets"])
    base_period = Period(p.year - 1, 12)
    params = _base_params(rule, p)
    ctes = [
        (
            "cur",
            f"""SELECT enterprise_id, level, value, unit FROM sub
            WHERE period = $period AND indicator_code = $indicator AND caliber = $caliber
              AND level IN ({_levels_sql(rule.levels)})""",
        )
    ]
    if use_base:
        stat = "median" if prm["baseline"] == "median" else "avg"
        ctes.append(
            (
                "base",
                f"""SELECT {key} AS ind_key, {stat}(s.value) AS baseline, count(*) AS n
                FROM sub s JOIN reg r ON r.enterprise_id = s.enterprise_id
                WHERE s.period = $base_period AND s.indicator_code = $indicator
                  AND s.caliber = $caliber AND s.level = 'entity'
                GROUP BY {key}""",
            )
        )
        base_cols = (
            "b.baseline AS baseline, b.n AS baseline_n, CASE WHEN b.n >= $min_n "
            "THEN b.baseline + l.offset_pp END AS baseline_line"
        )
        base_join = f"LEFT JOIN {{base}} b ON b.ind_key = {key}"
        params |= {"base_period": str(base_period), "min_n": int(prm["baseline_min_n"])}
    else:
        base_cols = (
            "CAST(NULL AS DOUBLE) AS baseline, CAST(NULL AS BIGINT) AS baseline_n, "
            "CAST(NULL AS DOUBLE) AS baseline_line"
        )
        base_join = ""
    cols = (
        "enterprise_id, level, value, unit, category, ind_key, severity, sev_rank, fixed_line, "
        "baseline, baseline_n, baseline_line"
    )
    ctes += [
        (
            "cand",
            f"""SELECT c.enterprise_id AS enterprise_id, c.level AS level, c.value AS value,
                   c.unit AS unit, r.industry_category AS category, {key} AS ind_key,
                   l.severity AS severity, l.sev_rank AS sev_rank, l.fixed_line AS fixed_line,
                   {base_cols}
            FROM {{cur}} c JOIN reg r ON r.enterprise_id = c.enterprise_id
            JOIN {{lines}} l ON l.category = r.industry_category
            {base_join}""",
        ),
        ("lined", f"SELECT {cols}, {combine} AS line_value FROM {{cand}}"),
        (
            "hit",
            f"""SELECT {cols}, line_value,
                   CASE WHEN line_value IS NOT NULL AND value {op} line_value THEN 1 ELSE 0 END
                       AS fired
            FROM {{lined}}""",
        ),
        (
            "flagged",
            f"""SELECT {cols}, line_value, fired,
                   max(fired) OVER (PARTITION BY enterprise_id, level) AS any_fired
            FROM {{hit}}""",
        ),
    ]
    final = f"SELECT {cols}, line_value, fired FROM {{flagged}} WHERE any_fired = 1"

    def post(rows: list[dict[str, Any]]) -> list[Hit]:
        grouped: dict[tuple[int, str], list[dict[str, Any]]] = {}
        for row in rows:
            grouped.setdefault((row["enterprise_id"], row["level"]), []).append(row)
        return [
            _threshold_hit(rule, ent, level, group, str(base_period), use_base)
            for (ent, level), group in grouped.items()
        ]

    return Plan(
        ctes,
        final,
        (
            "value",
            "sev_rank",
            "fixed_line",
            "baseline",
            "baseline_n",
            "baseline_line",
            "line_value",
            "fired",
        ),
        ("unit", "category", "ind_key", "severity"),
        params,
        {"lines": _lines_table(rule)},
        post,
    )


def _threshold_hit(
    rule: AlertRule,
    ent: int,
    level: str,
    group: list[dict[str, Any]],
    base_period: str,
    use_base: bool,
) -> Hit:
    prm = rule.params
    above = prm["direction"] == "above"
    worst = max((r for r in group if r["fired"]), key=lambda r: r["sev_rank"])
    first = group[0]
    unit = first["unit"]
    lines = {r["severity"]: r["line_value"] for r in group if r["line_value"] is not None}
    sources = {
        r["severity"]: (
            "baseline"
            if r["baseline_line"] is not None and r["line_value"] == r["baseline_line"]
            else "fixed"
        )
        for r in group
        if r["line_value"] is not None
    }
    sev = worst["severity"]
    baseline_n = None if first["baseline_n"] is None else int(first["baseline_n"])
    base_zh = base_en = ""
    if first["baseline"] is not None and baseline_n is not None:
        b = _fmt(first["baseline"], unit)
        kz = _KEY_ZH[prm["baseline_key"]]
        stat_zh = "中位数" if prm["baseline"] == "median" else "平均值"
        base_zh = (
            f"；行业基准 {b}（{kz} {first['ind_key']} {base_period} {stat_zh}，{baseline_n} 户）"
        )
        base_en = (
            f"; industry baseline {b} ({prm['baseline']} of {prm['baseline_key']} "
            f"{first['ind_key']} in {base_period}, {baseline_n} entities)"
        )
    what_zh, what_en = _what(rule)
    word_zh, word_en = ("高于", "above") if above else ("低于", "below")
    return Hit(
        enterprise_id=ent,
        level=level,
        severity=sev,
        value=worst["value"],
        threshold=worst["line_value"],
        message_zh=(
            f"{what_zh} 为 {_fmt(worst['value'], unit)}，{word_zh}"
            f"{SEVERITY_ZH[sev]}色线 {_fmt(worst['line_value'], unit)}{base_zh}"
        ),
        message_en=(
            f"{what_en} is {_fmt(worst['value'], unit)}, {word_en} the {sev} line "
            f"{_fmt(worst['line_value'], unit)}{base_en}"
        ),
        details={
            "lines": lines,
            "line_sources": sources,
            "baseline": first["baseline"],
            "baseline_n": baseline_n,
            "baseline_period": base_period if use_base else None,
            "baseline_key": prm["baseline_key"],
            "industry": first["ind_key"],
            "category": first["category"],
            "combine": prm["combine"],
            "unit": unit,
        },
    )


def _lines_table(rule: AlertRule) -> pa.Table:
    prm = rule.params
    offsets: Mapping[str, float] = prm["offsets"] if prm["baseline"] != "none" else {}
    fixed: Mapping[str, Mapping[str, float]] = prm["fixed_lines"]
    rows: dict[str, list[Any]] = {name: [] for name in _LINES_SCHEMA.names}
    for category in (c.value for c in IndustryCategory):
        own = fixed.get(category, fixed.get("all", {}))
        for sev in SEVERITIES:
            off, line = offsets.get(sev), own.get(sev)
            if off is None and line is None:
                continue
            for name, value in zip(
                _LINES_SCHEMA.names, (category, sev, severity_rank(sev), off, line), strict=True
            ):
                rows[name].append(value)
    return pa.table(rows, schema=_LINES_SCHEMA)


def _trend(rule: AlertRule, p: Period) -> Plan:
    n = int(rule.params["n"])
    yoy = rule.params["compare"] == "yoy"
    lag = 12 if yoy else 1
    months = [p.shift(-i) for i in range(n)]
    steps = pa.table(
        {"period": [str(m) for m in months], "ref_period": [str(m.shift(-lag)) for m in months]}
    )
    ctes = [
        (
            "v",
            f"""SELECT enterprise_id, level, period, value, unit FROM sub
            WHERE indicator_code = $indicator AND caliber = $caliber
              AND level IN ({_levels_sql(rule.levels)})""",
        ),
        (
            "pairs",
            """SELECT a.enterprise_id AS enterprise_id, a.level AS level, a.period AS period,
                   a.value AS value, a.unit AS unit, b.value AS ref_value
            FROM {steps} s
            JOIN {v} a ON a.period = s.period
            JOIN {v} b ON b.period = s.ref_period AND b.enterprise_id = a.enterprise_id
                    AND b.level = a.level""",
        ),
        (
            "agg",
            """SELECT enterprise_id, level, count(*) AS n_pairs,
                   count(*) FILTER (WHERE value < ref_value) AS n_down,
                   max(CASE WHEN period = $period THEN value END) AS value,
                   max(CASE WHEN period = $period THEN ref_value END) AS ref_value,
                   max(unit) AS unit
            FROM {pairs} GROUP BY enterprise_id, level""",
        ),
    ]
    final = (
        "SELECT enterprise_id, level, value, ref_value, unit FROM {agg} "
        "WHERE n_pairs = $n AND n_down = $n"
    )
    start, end = months[-1], months[0]
    what_zh, what_en = _what(rule)
    cmp_zh = "低于上年同期" if yoy else "环比下降"
    cmp_en = "below the same month of last year" if yoy else "lower than the month before"

    def post(rows: list[dict[str, Any]]) -> list[Hit]:
        hits = []
        for row in rows:
            unit = row["unit"]
            hits.append(
                Hit(
                    row["enterprise_id"],
                    row["level"],
                    rule.severity or "yellow",
                    row["value"],
                    row["ref_value"],
                    f"{what_zh} 连续 {n} 个月{cmp_zh}（{start} 至 {end}），本期 "
                    f"{_fmt(row['value'], unit)}，对比值 {_fmt(row['ref_value'], unit)}",
                    f"{what_en} {cmp_en} for {n} months in a row ({start} to {end}); now "
                    f"{_fmt(row['value'], unit)}, compared with {_fmt(row['ref_value'], unit)}",
                    {
                        "n": n,
                        "compare": rule.params["compare"],
                        "from_period": str(start),
                        "reference": row["ref_value"],
                        "unit": unit,
                    },
                )
            )
        return hits

    return Plan(
        ctes,
        final,
        ("value", "ref_value"),
        ("unit",),
        {**_base_params(rule, p), "n": n},
        {"steps": steps},
        post,
    )


def _yoy(rule: AlertRule, p: Period) -> Plan:
    prm = rule.params
    change = (
        "c.value - p.value"
        if prm["change"] == "pp"
        else "(c.value - p.value) / NULLIF(abs(p.value), 0) * 100"
    )
    cond = {"rise": "change > $t", "drop": "0 - change > $t", "both": "abs(change) > $t"}[
        prm["direction"]
    ]
    ctes = [
        (
            "cur",
            f"""SELECT enterprise_id, level, value, unit FROM sub
            WHERE period = $period AND indicator_code = $indicator AND caliber = $caliber
              AND level IN ({_levels_sql(rule.levels)})""",
        ),
        (
            "prev",
            """SELECT enterprise_id, level, value FROM sub
            WHERE period = $ref_period AND indicator_code = $indicator AND caliber = $caliber""",
        ),
        (
            "ch",
            f"""SELECT c.enterprise_id AS enterprise_id, c.level AS level, c.value AS value,
                   c.unit AS unit, p.value AS ref_value, {change} AS change
            FROM {{cur}} c JOIN {{prev}} p
              ON p.enterprise_id = c.enterprise_id AND p.level = c.level""",
        ),
    ]
    final = (
        "SELECT enterprise_id, level, value, unit, ref_value, change FROM {ch} "
        f"WHERE change IS NOT NULL AND {cond}"
    )
    ref_period = str(p.shift(-12))
    t = float(prm["threshold"])
    pct = prm["change"] == "pct"
    what_zh, what_en = _what(rule)

    def post(rows: list[dict[str, Any]]) -> list[Hit]:
        hits = []
        for row in rows:
            unit, ref, ch = row["unit"], row["ref_value"], row["change"]
            step = abs(ref) * t / 100 if pct else t
            line = ref + step if ch > 0 else ref - step
            ch_text = f"{ch:+,.2f}%" if pct else f"{ch:+,.2f} pp"
            t_text = f"{t:g}%" if pct else f"{t:g} pp"
            hits.append(
                Hit(
                    row["enterprise_id"],
                    row["level"],
                    rule.severity or "yellow",
                    row["value"],
                    line,
                    f"{what_zh} 为 {_fmt(row['value'], unit)}，上年同期（{ref_period}）"
                    f"{_fmt(ref, unit)}，同比 {ch_text}，超过 {t_text} 的界限",
                    f"{what_en} is {_fmt(row['value'], unit)} against {_fmt(ref, unit)} in "
                    f"{ref_period}: {ch_text} year on year, beyond the {t_text} limit",
                    {
                        "reference": ref,
                        "reference_period": ref_period,
                        "change": ch,
                        "change_kind": prm["change"],
                        "limit": t,
                        "unit": unit,
                    },
                )
            )
        return hits

    return Plan(
        ctes,
        final,
        ("value", "ref_value", "change"),
        ("unit",),
        {**_base_params(rule, p), "ref_period": ref_period, "t": t},
        {},
        post,
    )


def _peer(rule: AlertRule, p: Period) -> Plan:
    prm = rule.params
    key = _KEY_SQL[prm["peer_key"]]
    cond = {"high": "z > $k", "low": "0 - z > $k", "both": "abs(z) > $k"}[prm["direction"]]
    ctes = [
        (
            "v",
            f"""SELECT s.enterprise_id AS enterprise_id, s.level AS level, s.value AS value,
                   s.unit AS unit, {key} AS ind_key
            FROM sub s JOIN reg r ON r.enterprise_id = s.enterprise_id
            WHERE s.period = $period AND s.indicator_code = $indicator AND s.caliber = $caliber
              AND s.level IN ({_levels_sql(rule.levels)})
              AND {key} IS NOT NULL AND {key} <> ''""",
        ),
        (
            "m",
            """SELECT level, ind_key, median(value) AS med, count(*) AS n FROM {v}
            GROUP BY level, ind_key""",
        ),
        (
            "d",
            """SELECT v.enterprise_id AS enterprise_id, v.level AS level, v.value AS value,
                   v.unit AS unit, v.ind_key AS ind_key, m.med AS med, m.n AS n,
                   abs(v.value - m.med) AS dev
            FROM {v} v JOIN {m} m ON m.level = v.level AND m.ind_key = v.ind_key
            WHERE m.n >= $min_peers""",
        ),
        ("mad", "SELECT level, ind_key, median(dev) AS mad FROM {d} GROUP BY level, ind_key"),
        (
            "z",
            """SELECT d.enterprise_id AS enterprise_id, d.level AS level, d.value AS value,
                   d.unit AS unit, d.ind_key AS ind_key, d.med AS med, d.n AS n,
                   x.mad AS mad, (d.value - d.med) / NULLIF(1.4826 * x.mad, 0) AS z
            FROM {d} d JOIN {mad} x ON x.level = d.level AND x.ind_key = d.ind_key""",
        ),
    ]
    final = (
        "SELECT enterprise_id, level, value, unit, ind_key, med, n, mad, z FROM {z} "
        f"WHERE z IS NOT NULL AND {cond}"
    )
    k = float(prm["k"])
    what_zh, what_en = _what(rule)

    def post(rows: list[dict[str, Any]]) -> list[Hit]:
        hits = []
        for row in rows:
            unit, z, n = row["unit"], row["z"], int(row["n"])
            spread = 1.4826 * row["mad"]
            line = row["med"] + k * spread if z > 0 else row["med"] - k * spread
            hits.append(
                Hit(
                    row["enterprise_id"],
                    row["level"],
                    rule.severity or "yellow",
                    row["value"],
                    line,
                    f"{what_zh} 为 {_fmt(row['value'], unit)}，同行业（{row['ind_key']}，"
                    f"{n} 户）中位数 {_fmt(row['med'], unit)}，稳健 z 值 {z:+.2f}"
                    f"（界限 ±{k:g}）",
                    f"{what_en} is {_fmt(row['value'], unit)}; industry {row['ind_key']} "
                    f"({n} peers) median {_fmt(row['med'], unit)}, robust z {z:+.2f} "
                    f"(limit ±{k:g})",
                    {
                        "z": z,
                        "median": row["med"],
                        "mad": row["mad"],
                        "peers": n,
                        "industry": row["ind_key"],
                        "k": k,
                        "unit": unit,
                    },
                )
            )
        return hits

    return Plan(
        ctes,
        final,
        ("value", "med", "n", "mad", "z"),
        ("unit", "ind_key"),
        {**_base_params(rule, p), "k": k, "min_peers": int(prm["min_peers"])},
        {},
        post,
    )


def _guarantee(rule: AlertRule, p: Period) -> Plan:
    caps: Mapping[str, float] = rule.params["caps"]
    table = pa.table(
        {"level": list(caps), "cap": [float(v) for v in caps.values()]},
        schema=pa.schema([("level", pa.string()), ("cap", pa.float64())]),
    )
    final = """SELECT s.enterprise_id AS enterprise_id, s.level AS level, s.value AS value,
           s.unit AS unit, c.cap AS cap
    FROM sub s JOIN {caps} c ON c.level = s.level
    WHERE s.period = $period AND s.indicator_code = $indicator AND s.caliber = $caliber
      AND s.value > c.cap"""
    what_zh, what_en = _what(rule)

    def post(rows: list[dict[str, Any]]) -> list[Hit]:
        return [
            Hit(
                row["enterprise_id"],
                row["level"],
                rule.severity or "red",
                row["value"],
                row["cap"],
                f"{what_zh} 为 {_fmt(row['value'], row['unit'])}，超过{row['level']}上限 "
                f"{_fmt(row['cap'], row['unit'])}（国资发财评规〔2021〕75号）",
                f"{what_en} is {_fmt(row['value'], row['unit'])}, above the {row['level']} "
                f"cap {_fmt(row['cap'], row['unit'])} (SASAC 2021 No. 75)",
                {"cap": row["cap"], "unit": row["unit"]},
            )
            for row in rows
        ]

    return Plan(
        [], final, ("value", "cap"), ("unit",), _base_params(rule, p), {"caps": table}, post
    )


def _loss(rule: AlertRule, p: Period) -> Plan:
    share = rule.params["measure"] == "loss_share"
    limit = float(rule.params["max_pct"]) if share else 0.0
    cond = "value > $limit" if share else "value < $limit"
    final = f"""SELECT enterprise_id, level, value, unit FROM sub
    WHERE period = $period AND indicator_code = $indicator AND caliber = $caliber
      AND level IN ({_levels_sql(rule.levels)}) AND {cond}"""
    what_zh, what_en = _what(rule)

    def post(rows: list[dict[str, Any]]) -> list[Hit]:
        hits = []
        for row in rows:
            unit = row["unit"]
            if share:
                zh = f"{what_zh} 为 {_fmt(row['value'], unit)}，超过 {_fmt(limit, unit)}"
                en = f"{what_en} is {_fmt(row['value'], unit)}, above {_fmt(limit, unit)}"
            else:
                zh = f"{what_zh} 本年累计 {_fmt(row['value'], unit)}（亏损）"
                en = f"{what_en} year to date is {_fmt(row['value'], unit)} (a loss)"
            hits.append(
                Hit(
                    row["enterprise_id"],
                    row["level"],
                    rule.severity or "yellow",
                    row["value"],
                    limit,
                    zh,
                    en,
                    {"unit": unit, "limit": limit},
                )
            )
        return hits

    return Plan(
        [], final, ("value",), ("unit",), {**_base_params(rule, p), "limit": limit}, {}, post
    )


def _data_quality(rule: AlertRule, period: Period) -> Plan:
    check = rule.params["check"]
    p = str(period)
    where = {
        "missing": "status = 'missing'",
        "late": "status = 'late'",
        "batch_warnings": "status IN ('on_time', 'late') AND batch_warnings > 0",
    }[check]
    final = (
        "SELECT enterprise_id, 'entity' AS level, status, days_late, batch_warnings, "
        f"warning_rules FROM subs WHERE {where}"
    )

    def post(rows: list[dict[str, Any]]) -> list[Hit]:
        hits = []
        for row in rows:
            days = int(row["days_late"] or 0)
            warns = int(row["batch_warnings"] or 0)
            if check == "missing":
                zh = f"{rule.title_zh}：{p} 单户快报截止后 {days} 天仍未报送"
                en = f"{rule.title_en}: the {p} single-entity report is {days} day(s) overdue"
                value = float(days)
            elif check == "late":
                zh = f"{rule.title_zh}：{p} 单户快报晚于截止时间 {days} 天报送"
                en = f"{rule.title_en}: the {p} single-entity report came {days} day(s) late"
                value = float(days)
            else:
                zh = (
                    f"{rule.title_zh}：{p} 单户快报接收时带 {warns} 条警告"
                    f"（{row['warning_rules']}）"
                )
                en = (
                    f"{rule.title_en}: the {p} single-entity report was accepted with "
                    f"{warns} warning(s) ({row['warning_rules']})"
                )
                value = float(warns)
            hits.append(
                Hit(
                    row["enterprise_id"],
                    "entity",
                    rule.severity or "yellow",
                    value,
                    None,
                    zh,
                    en,
                    {
                        "check": check,
                        "status": row["status"],
                        "days_late": days,
                        "warnings": warns,
                        "warning_rules": row["warning_rules"] or "",
                    },
                )
            )
        return hits

    return Plan(
        [],
        final,
        ("days_late", "batch_warnings"),
        ("status", "warning_rules"),
        {},
        {},
        post,
    )


PLANS: Mapping[str, Callable[[AlertRule, Period], Plan]] = {
    "threshold": _threshold,
    "trend": _trend,
    "yoy": _yoy,
    "peer": _peer,
    "guarantee": _guarantee,
    "loss": _loss,
    "data_quality": _data_quality,
}
