"""Checks over whole reports (SQL on the embedded engine): duplicates, required items, audit
rules (identities, subtotals, reasonableness) and cross-period rules (YTD continuity,
opening = last year-end closing, unit magnitude against the previous period).

A "report" is one entity × period × report type × scope. Figures already in the lake are
the history; a figure in this file wins over the lake's for the same report (it replaces it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from zhiguo.datacenter.engine import DuckDBEngine
from zhiguo.datacenter.flashreport.items import CALIBERS, all_items, items_for_year
from zhiguo.datacenter.flashreport.rules import AuditRule, rules_for_year

if TYPE_CHECKING:
    from zhiguo.datacenter.ingest.validate import ValidationContext, _Findings

__all__ = ["run"]


def _tol(alias: str = "") -> str:
    """Rounding tolerance per term: one unit of the last decimal the submitter could give."""
    col = f"{alias}.unit_declared" if alias else "unit_declared"
    return f"(CASE {col} WHEN '10k_yuan' THEN 100.0 ELSE 0.01 END)"


_TOL = _tol()
_LOC = ("_sheet", "_row", "_column", "item_code")
_NAMES = {i.code: (i.name_zh, i.name_en) for i in all_items()}


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:,.2f}"


def _cal(code: str) -> dict[str, str]:
    zh, en = CALIBERS.get(code, (code, code))
    return {"caliber": zh, "caliber_en": en}


def _item(code: str) -> dict[str, str]:
    zh, en = _NAMES.get(code, (code, code))
    return {"item": f"{zh}（{code}）", "item_en": f"{en} ({code})"}


def _q(code: str) -> str:
    return '"' + code + '"'


def run(facts: pa.Table, ctx: ValidationContext, found: _Findings, engine: DuckDBEngine) -> None:
    live = facts.filter(pc.invert(facts["_placeholder"]))
    _duplicates(facts, found, engine)
    _required(facts, found, engine)
    years = sorted(y for y in pc.unique(pc.utf8_slice_codeunits(live["period"], 0, 4)).to_pylist())
    if not years:
        return
    _rules(live, rules_for_year(int(years[-1])), found, engine)
    _cross_period(live, ctx, found, engine)


def _duplicates(facts: pa.Table, found: _Findings, engine: DuckDBEngine) -> None:
    dups = engine.query(
        """
        SELECT * FROM (
          SELECT *, first_value(_row) OVER w AS first_row, row_number() OVER w AS rn
          FROM f WINDOW w AS (PARTITION BY uscc, period, report_type, item_code, caliber, scope
                              ORDER BY _i)
        ) WHERE rn > 1 ORDER BY _i
        """,
        tables={"f": facts},
    )
    for row in dups.to_pylist():
        found.add("row.duplicate", row, first_row=row["first_row"], **_item(row["item_code"]),
                  **_cal(row["caliber"]))  # fmt: skip


def _required(facts: pa.Table, found: _Findings, engine: DuckDBEngine) -> None:
    years = pc.unique(pc.utf8_slice_codeunits(facts["period"], 0, 4)).to_pylist()
    need = {"year": [], "item_code": [], "caliber": []}  # type: dict[str, list[Any]]
    for y in years:
        for item in items_for_year(int(y)).values():
            if item.required and item.kind != "average":
                need["year"].append(y)
                need["item_code"].append(item.code)
                need["caliber"].append("ytd" if item.kind == "flow" else "closing")
    missing = engine.query(
        """
        WITH reports AS (
          SELECT DISTINCT uscc, period, report_type, substr(period, 1, 4) AS year FROM f
          WHERE scope = 'total'
        )
        SELECT r.uscc, r.period, n.item_code, n.caliber
        FROM reports r JOIN need n USING (year)
        ANTI JOIN f ON f.uscc = r.uscc AND f.period = r.period
          AND f.report_type = r.report_type AND f.scope = 'total'
          AND f.item_code = n.item_code AND f.caliber = n.caliber
        ORDER BY 1, 2, 3
        """,
        tables={"f": facts, "need": pa.table(need)},
    )
    for row in missing.to_pylist():
        found.add("item.required_missing", {"item_code": row["item_code"]},
                  entity=row["uscc"], period=row["period"], **_item(row["item_code"]),
                  **_cal(row["caliber"]))  # fmt: skip


def _rules(
    facts: pa.Table, rules: tuple[AuditRule, ...], found: _Findings, e: DuckDBEngine
) -> None:
    codes = sorted({c for r in rules for c in r.items})
    pivot = ", ".join(f"max(value) FILTER (WHERE item_code = '{c}') AS {_q(c)}" for c in codes)
    checks = []
    for r in rules:
        terms = " ".join(f"{'-' if s < 0 else '+'} coalesce({_q(c)}, 0)" for s, c in r.rhs)
        rhs = f"(0 {terms})"
        lhs = _q(r.lhs)
        n = len(r.rhs) + 1
        if r.op == "=":
            present = " AND ".join(f"{_q(c)} IS NOT NULL" for c in r.items)
            bad = f"{present} AND abs({lhs} - {rhs}) > {_TOL} * {n} + 1e-9 * abs({lhs})"
        elif r.op == ">=":
            bad = f"{lhs} IS NOT NULL AND {lhs} < {rhs} - {_TOL} * {n}"
        else:
            bad = (
                f"{lhs} IS NOT NULL AND abs({lhs} - {rhs}) > "
                f"{r.tolerance_pct / 100} * greatest(abs({lhs}), abs({rhs}), 1)"
            )
        cals = ", ".join(f"'{c}'" for c in r.calibers)
        checks.append(
            f"SELECT '{r.id}' AS rule_id, '{r.lhs}' AS lhs_item, uscc, period, report_type, "
            f"scope, caliber, {lhs} AS lhs, {rhs} AS rhs FROM wide "
            f"WHERE caliber IN ({cals}) AND {bad}"
        )
    sql = f"""
        WITH wide AS (
          SELECT uscc, period, report_type, scope, caliber, any_value(unit_declared) AS
            unit_declared, {pivot}
          FROM f GROUP BY uscc, period, report_type, scope, caliber
        ), v AS ({" UNION ALL ".join(checks)})
        SELECT v.*, f._sheet, f._row, f._column FROM v LEFT JOIN f
          ON f.uscc = v.uscc AND f.period = v.period AND f.report_type = v.report_type
         AND f.scope = v.scope AND f.caliber = v.caliber AND f.item_code = v.lhs_item
        ORDER BY f._i NULLS LAST, v.rule_id
    """
    by_id = {r.id: r for r in rules}
    names_zh = {c: zh for c, (zh, _) in _NAMES.items()}
    names_en = {c: en for c, (_, en) in _NAMES.items()}
    for row in e.query(sql, tables={"f": facts}).to_pylist():
        rule = by_id[row["rule_id"]]
        kind = {"=": "rule.identity", ">=": "rule.subtotal", "~": "rule.reasonable"}[rule.op]
        lhs, rhs = row["lhs"], row["rhs"]
        loc = {**row, "item_code": rule.lhs}
        pct = abs(lhs - rhs) / max(abs(lhs), abs(rhs), 1) * 100
        found.add(kind, loc, rule.severity, formula=rule.formula(names_zh),
                  formula_en=rule.formula(names_en), lhs=_fmt(lhs), rhs=_fmt(rhs),
                  diff=_fmt(lhs - rhs), pct=f"{pct:.1f}", **_cal(row["caliber"]))  # fmt: skip


def _previous(live: pa.Table, ctx: ValidationContext, e: DuckDBEngine) -> pa.Table:
    """Lake facts of the months before the file's periods (the file's own reports excluded)."""
    empty = pa.table(
        {
            "enterprise_id": pa.array([], pa.int64()),
            "period": pa.array([], pa.string()),
            "report_type": pa.array([], pa.string()),
            "item_code": pa.array([], pa.string()),
            "caliber": pa.array([], pa.string()),
            "scope": pa.array([], pa.string()),
            "value": pa.array([], pa.float64()),
        }
    )
    if ctx.previous_facts is None:
        return empty
    keys = e.query(
        """
        SELECT DISTINCT enterprise_id, strftime(CAST(period || '-01' AS DATE)
               - INTERVAL 1 MONTH, '%Y-%m') AS period FROM f
        UNION
        SELECT DISTINCT enterprise_id, (CAST(substr(period, 1, 4) AS INTEGER) - 1)::VARCHAR
               || '-12' AS period FROM f
        """,
        tables={"f": live},
    )
    got = ctx.previous_facts(keys)
    return got if got.num_rows else empty


def _cross_period(
    live: pa.Table, ctx: ValidationContext, found: _Findings, e: DuckDBEngine
) -> None:
    flows = [i.code for i in all_items() if i.kind == "flow"]
    prev = _previous(live, ctx, e)
    tables = {"f": live, "lake": prev, "flows": pa.table({"item_code": flows})}
    history = """
        hist AS (
          SELECT enterprise_id, period, report_type, item_code, caliber, scope, value FROM f
          UNION ALL
          SELECT l.* FROM lake l ANTI JOIN (SELECT DISTINCT enterprise_id, period, report_type
                                            FROM f) k USING (enterprise_id, period, report_type)
        )"""
    ytd = e.query(
        f"""
        WITH {history},
        cur AS (
          SELECT f.*, strftime(CAST(period || '-01' AS DATE) - INTERVAL 1 MONTH, '%Y-%m')
                 AS prev_period
          FROM f SEMI JOIN flows USING (item_code) WHERE caliber = 'ytd'
        )
        SELECT c.*, m.value AS month_value, h.value AS prev_value
        FROM cur c
        JOIN f m ON m.enterprise_id = c.enterprise_id AND m.period = c.period
          AND m.report_type = c.report_type AND m.scope = c.scope
          AND m.item_code = c.item_code AND m.caliber = 'month'
        LEFT JOIN hist h ON h.enterprise_id = c.enterprise_id AND h.period = c.prev_period
          AND h.report_type = c.report_type AND h.scope = c.scope
          AND h.item_code = c.item_code AND h.caliber = 'ytd'
        WHERE (substr(c.period, 6, 2) = '01'
               AND abs(c.value - m.value) > {_tol("c")} * 2)
           OR (substr(c.period, 6, 2) <> '01' AND h.value IS NOT NULL
               AND abs(c.value - (h.value + m.value)) > {_tol("c")} * 3)
        ORDER BY c._i
        """,
        tables=tables,
    )
    for row in ytd.to_pylist():
        names = _item(row["item_code"])
        if row["period"].endswith("-01"):
            found.add("crossperiod.january", row, ytd=_fmt(row["value"]),
                      month=_fmt(row["month_value"]), **names)  # fmt: skip
        else:
            found.add("crossperiod.ytd", row, ytd=_fmt(row["value"]),
                      previous=_fmt(row["prev_value"]), previous_period=row["prev_period"],
                      month=_fmt(row["month_value"]), **names)  # fmt: skip
    opening = e.query(
        f"""
        WITH {history}
        SELECT f.*, h.value AS prev_value, h.period AS prev_period
        FROM f JOIN hist h ON h.enterprise_id = f.enterprise_id
          AND h.period = (CAST(substr(f.period, 1, 4) AS INTEGER) - 1)::VARCHAR || '-12'
          AND h.report_type = f.report_type AND h.scope = f.scope
          AND h.item_code = f.item_code AND h.caliber = 'closing'
        WHERE f.caliber = 'opening' AND abs(f.value - h.value) > {_tol("f")} * 2
        ORDER BY f._i
        """,
        tables=tables,
    )
    for row in opening.to_pylist():
        found.add("crossperiod.opening", row, "warning", opening=_fmt(row["value"]),
                  previous=_fmt(row["prev_value"]), previous_period=row["prev_period"],
                  **_item(row["item_code"]))  # fmt: skip
    magnitude = e.query(
        f"""
        WITH {history}
        SELECT f.*, h.value AS prev_value, f.value / h.value AS ratio
        FROM f JOIN hist h ON h.enterprise_id = f.enterprise_id
          AND h.period = strftime(CAST(f.period || '-01' AS DATE) - INTERVAL 1 MONTH, '%Y-%m')
          AND h.report_type = f.report_type AND h.scope = f.scope
          AND h.item_code = f.item_code AND h.caliber = 'closing'
        WHERE f.item_code = 'total_assets' AND f.caliber = 'closing' AND h.value > 0
          AND f.value > 0 AND (f.value / h.value BETWEEN 2000 AND 50000
                               OR h.value / f.value BETWEEN 2000 AND 50000)
        ORDER BY f._i
        """,
        tables=tables,
    )
    for row in magnitude.to_pylist():
        ratio = row["ratio"]
        found.add("unit.magnitude", row, value=_fmt(row["value"]),
                  previous=_fmt(row["prev_value"]),
                  ratio=f"{ratio:,.0f}" if ratio >= 1 else f"1/{1 / ratio:,.0f}",
                  unit="万元" if row["unit_declared"] == "10k_yuan" else "元")  # fmt: skip
