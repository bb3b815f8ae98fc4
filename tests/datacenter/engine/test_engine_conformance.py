"""One conformance suite for every engine: the same SQL gives the same answer on each backend.

Each case runs on the backend under test and on DuckDB (the reference dialect) and must agree
exactly: same column names, logical types and rows. Cases with ``expected`` are also checked
against values computed here in Python, so the reference itself is pinned. Known differences
are declared in ``UNSUPPORTED`` and run as strict xfails, one case each.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhiguo.datacenter.engine import (
    UNSUPPORTED,
    DuckDBEngine,
    Engine,
    Relation,
    RowFilter,
    SparkEngine,
)

UTC = dt.UTC
PERIODS = ["2024-01", "2024-02", "2024-03", "2024-04"]
ITEMS = ["revenue", "profit", "assets", "liabilities"]
CALIBERS = ["consolidated", "parent"]

# (enterprise_id, uscc, name, scope, industry, established, registered_capital)
ENTERPRISE_ROWS: list[tuple[int, str, str, str, str, dt.date, Decimal]] = [
    (
        1,
        "91440300MA5DA00011",
        "深圳示范投资控股集团有限公司",
        "g1",
        "投资",
        dt.date(2004, 10, 13),
        Decimal("28000000000.00"),
    ),
    (
        2,
        "91440300MA5DA00022",
        "深圳示范地铁集团有限公司",
        "g1",
        "交通",
        dt.date(1998, 7, 31),
        Decimal("45800000000.00"),
    ),
    (
        3,
        "91440300MA5DA00033",
        "深圳示范能源集团股份有限公司",
        "g1",
        "能源",
        dt.date(1993, 8, 21),
        Decimal("4756893442.50"),
    ),
    (
        4,
        "91440300MA5DA00044",
        "深圳示范水务集团有限公司",
        "g2",
        "水务",
        dt.date(2001, 12, 30),
        Decimal("1918000000.00"),
    ),
    (
        5,
        "91440300MA5DA00055",
        "深圳示范燃气集团股份有限公司",
        "g2",
        "能源",
        dt.date(1982, 11, 1),
        Decimal("2876767494.00"),
    ),
    (
        6,
        "91440300MA5DA00066",
        "深圳示范机场集团有限公司",
        "g3",
        "交通",
        dt.date(1989, 5, 11),
        Decimal("7600000000.00"),
    ),
]


def _fact_rows() -> list[dict[str, Any]]:
    """A flash-report fact table with the awkward parts real submissions have.

    Enterprise 6 misses April; one value is NULL; enterprise 4 reports zero revenue in
    January (division by zero downstream); enterprise 3 makes a loss in February; one
    submission lands at 23:30 UTC on the last day of February.
    """
    rows = []
    for eid, uscc, _name, scope, *_ in ENTERPRISE_ROWS:
        for month, period in enumerate(PERIODS, start=1):
            if eid == 6 and period == "2024-04":
                continue
            for index, item in enumerate(ITEMS):
                for caliber in CALIBERS:
                    value: float | None = eid * 1000 + month * 37.5 + index * 250.25
                    if caliber == "parent":
                        value = value * 0.5
                    if (eid, period, item) == (3, "2024-02", "profit"):
                        value = -value
                    if (eid, period, item, caliber) == (4, "2024-01", "revenue", "consolidated"):
                        value = 0.0
                    if (eid, period, item, caliber) == (5, "2024-03", "assets", "consolidated"):
                        value = None
                    submitted = dt.datetime(2024, month + 1, 10, 8 + eid, 30, tzinfo=UTC)
                    if (eid, period) == (2, "2024-02"):
                        submitted = dt.datetime(2024, 2, 29, 23, 30, tzinfo=UTC)
                    rows.append(
                        {
                            "enterprise_id": eid,
                            "uscc": uscc,
                            "period": period,
                            "report_type": "balance" if index >= 2 else "income",
                            "item_code": item,
                            "caliber": caliber,
                            "scope": scope,
                            "value": value,
                            "submitted_at": submitted,
                        }
                    )
    return rows


FACT_SCHEMA = pa.schema(
    [
        ("enterprise_id", pa.int64()),
        ("uscc", pa.string()),
        ("period", pa.string()),
        ("report_type", pa.string()),
        ("item_code", pa.string()),
        ("caliber", pa.string()),
        ("scope", pa.string()),
        ("value", pa.float64()),
        ("submitted_at", pa.timestamp("us", tz="UTC")),
    ]
)
ENTERPRISE_SCHEMA = pa.schema(
    [
        ("enterprise_id", pa.int64()),
        ("uscc", pa.string()),
        ("name", pa.string()),
        ("scope", pa.string()),
        ("industry", pa.string()),
        ("established", pa.date32()),
        ("registered_capital", pa.decimal128(18, 2)),
    ]
)
FACT_ROWS = _fact_rows()
FACTS = pa.Table.from_pylist(FACT_ROWS, schema=FACT_SCHEMA)
ENTERPRISES = pa.Table.from_pylist(
    [dict(zip(ENTERPRISE_SCHEMA.names, row, strict=True)) for row in ENTERPRISE_ROWS],
    schema=ENTERPRISE_SCHEMA,
)
TABLES: dict[str, Relation | pa.Table] = {"facts": FACTS, "enterprises": ENTERPRISES}


def _where(**equal: Any) -> list[dict[str, Any]]:
    return [r for r in FACT_ROWS if all(r[k] == v for k, v in equal.items())]


def _sum(rows: list[dict[str, Any]]) -> float | None:
    values = [r["value"] for r in rows if r["value"] is not None]
    return float(sum(values)) if values else None


# --- the cases ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    sql: str
    params: dict[str, Any] | None = None
    ordered: bool = False
    expected: Callable[[], list[tuple[Any, ...]]] | None = None


def _expected_group_sums() -> list[tuple[Any, ...]]:
    out = []
    for period in PERIODS:
        for item in ITEMS:
            rows = _where(period=period, item_code=item)
            values = [r["value"] for r in rows if r["value"] is not None]
            total = _sum(rows)
            mean = total / len(values) if total is not None else None
            out.append((period, item, total, len(rows), len(values), mean))
    return out


def _expected_ytd() -> list[tuple[Any, ...]]:
    out = []
    for eid, *_ in ENTERPRISE_ROWS:
        running = 0.0
        for period in PERIODS:
            rows = _where(enterprise_id=eid, period=period, item_code="revenue")
            if rows:
                running += _sum(rows) or 0.0
                out.append((eid, period, running))
    return out


CASES: dict[str, Case] = {
    "group_sum_count_avg": Case(
        """SELECT period, item_code, sum(value) AS total, count(*) AS n,
                  count(value) AS n_value, avg(value) AS mean
           FROM facts GROUP BY period, item_code""",
        expected=_expected_group_sums,
    ),
    "count_distinct": Case(
        """SELECT period, count(DISTINCT enterprise_id) AS reporters,
                  count(DISTINCT uscc || caliber) AS pairs
           FROM facts GROUP BY ALL""",
        expected=lambda: [
            (p, 6 if p != "2024-04" else 5, 12 if p != "2024-04" else 10) for p in PERIODS
        ],
    ),
    "pivot_with_filter": Case(
        """SELECT enterprise_id, period,
                  sum(value) FILTER (WHERE item_code = 'revenue') AS revenue,
                  sum(value) FILTER (WHERE item_code = 'profit') AS profit,
                  sum(value) FILTER (WHERE item_code = 'assets') AS assets,
                  count(*) FILTER (WHERE value IS NULL) AS missing
           FROM facts WHERE caliber = 'consolidated' GROUP BY 1, 2"""
    ),
    "join_enterprises": Case(
        """SELECT e.name, e.industry, sum(f.value) AS revenue, count(*) AS n
           FROM facts AS f JOIN enterprises AS e ON f.enterprise_id = e.enterprise_id
           WHERE f.item_code = 'revenue' AND f.caliber = 'consolidated'
           GROUP BY e.name, e.industry"""
    ),
    "left_join_who_did_not_report": Case(
        """SELECT e.enterprise_id, count(f.value) AS n, coalesce(sum(f.value), 0) AS total
           FROM enterprises AS e
           LEFT JOIN facts AS f ON f.enterprise_id = e.enterprise_id AND f.period = '2024-04'
           GROUP BY e.enterprise_id""",
        expected=lambda: [
            (
                eid,
                len(_where(enterprise_id=eid, period="2024-04")),
                _sum(_where(enterprise_id=eid, period="2024-04")) or 0.0,
            )
            for eid, *_ in ENTERPRISE_ROWS
        ],
    ),
    "cte_ratios": Case(
        """WITH wide AS (
             SELECT enterprise_id, period,
                    sum(value) FILTER (WHERE item_code = 'revenue') AS revenue,
                    sum(value) FILTER (WHERE item_code = 'profit') AS profit,
                    sum(value) FILTER (WHERE item_code = 'assets') AS assets,
                    sum(value) FILTER (WHERE item_code = 'liabilities') AS liabilities
             FROM facts WHERE caliber = 'consolidated' GROUP BY enterprise_id, period)
           SELECT enterprise_id, period, profit / NULLIF(revenue, 0) AS margin,
                  liabilities / NULLIF(assets, 0) AS debt_ratio
           FROM wide"""
    ),
    "month_on_month_lag": Case(
        """WITH monthly AS (
             SELECT enterprise_id, period, sum(value) AS revenue FROM facts
             WHERE item_code = 'revenue' AND caliber = 'consolidated'
             GROUP BY enterprise_id, period)
           SELECT enterprise_id, period, revenue,
                  lag(revenue) OVER (PARTITION BY enterprise_id ORDER BY period) AS previous,
                  revenue / NULLIF(lag(revenue) OVER (PARTITION BY enterprise_id ORDER BY period),
                                   0) - 1 AS mom
           FROM monthly"""
    ),
    "ranking": Case(
        """WITH monthly AS (
             SELECT period, enterprise_id, sum(value) AS profit FROM facts
             WHERE item_code = 'profit' GROUP BY period, enterprise_id)
           SELECT period, enterprise_id, profit,
                  row_number() OVER (PARTITION BY period ORDER BY profit DESC, enterprise_id) AS rn,
                  rank() OVER (PARTITION BY period ORDER BY profit DESC) AS rk,
                  dense_rank() OVER (ORDER BY period DESC) AS period_rank
           FROM monthly"""
    ),
    "running_sum_ytd": Case(
        """SELECT enterprise_id, period,
                  sum(sum(value)) OVER (PARTITION BY enterprise_id, substr(period, 1, 4)
                                        ORDER BY period
                                        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS ytd
           FROM facts WHERE item_code = 'revenue' GROUP BY enterprise_id, period""",
        expected=_expected_ytd,
    ),
    "case_coalesce_nullif": Case(
        """SELECT enterprise_id, period, item_code, caliber,
                  CASE WHEN value IS NULL THEN 'missing' WHEN value < 0 THEN 'loss'
                       WHEN value = 0 THEN 'zero' ELSE 'ok' END AS status,
                  coalesce(value, -1) AS value_or_flag,
                  nullif(caliber, 'parent') AS consolidated_only
           FROM facts"""
    ),
    "string_functions": Case(
        """SELECT DISTINCT substr(period, 1, 4) AS year,
                  CAST(substr(period, 6, 2) AS INTEGER) AS month,
                  upper(report_type) AS kind, length(uscc) AS uscc_length,
                  uscc LIKE '9144%' AS shenzhen, left(uscc, 2) AS prefix,
                  replace(period, '-', '') AS compact, concat(period, '-01') AS first_day,
                  lower(item_code) || ':' || trim('  x  ') AS tagged
           FROM facts"""
    ),
    "dates_and_timestamps": Case(
        """SELECT DISTINCT period, CAST(period || '-01' AS DATE) AS first_day,
                  last_day(CAST(period || '-01' AS DATE)) AS last_day,
                  CAST(submitted_at AS DATE) AS submitted_on,
                  strftime(submitted_at, '%Y-%m-%d %H:%M') AS submitted_text,
                  extract(hour FROM submitted_at) AS hour
           FROM facts"""
    ),
    "latest_submission": Case(
        """SELECT period, max(submitted_at) AS latest, min(submitted_at) AS earliest
           FROM facts GROUP BY period"""
    ),
    "decimals": Case(
        """SELECT industry, sum(registered_capital) AS capital,
                  max(registered_capital) AS largest, min(established) AS oldest
           FROM enterprises GROUP BY industry""",
        expected=lambda: [
            ("投资", Decimal("28000000000.00"), Decimal("28000000000.00"), dt.date(2004, 10, 13)),
            ("交通", Decimal("53400000000.00"), Decimal("45800000000.00"), dt.date(1989, 5, 11)),
            ("能源", Decimal("7633660936.50"), Decimal("4756893442.50"), dt.date(1982, 11, 1)),
            ("水务", Decimal("1918000000.00"), Decimal("1918000000.00"), dt.date(2001, 12, 30)),
        ],
    ),
    "division_by_zero_nullif": Case(
        """SELECT enterprise_id, value / NULLIF(0, 0) AS always_null,
                  CAST(value AS BIGINT) // NULLIF(0, 0) AS int_div,
                  CAST(value AS BIGINT) % NULLIF(0, 0) AS modulo
           FROM facts WHERE period = '2024-01' AND item_code = 'revenue'
             AND caliber = 'consolidated'""",
        expected=lambda: [(eid, None, None, None) for eid, *_ in ENTERPRISE_ROWS],
    ),
    "null_handling_in_aggregates": Case(
        """SELECT sum(value) AS s, count(value) AS c, count(*) AS n, avg(value) AS a,
                  min(value) AS lo, max(value) AS hi
           FROM facts WHERE value IS NULL
           UNION ALL
           SELECT sum(value), count(value), count(*), avg(value), min(value), max(value)
           FROM facts WHERE 1 = 0""",
        expected=lambda: [(None, 0, 1, None, None, None), (None, 0, 0, None, None, None)],
    ),
    "null_group_keys": Case(
        """SELECT nullif(caliber, 'parent') AS caliber, count(*) AS n FROM facts
           GROUP BY nullif(caliber, 'parent')""",
        expected=lambda: [("consolidated", len(FACT_ROWS) // 2), (None, len(FACT_ROWS) // 2)],
    ),
    "order_by_limit_nulls": Case(
        """SELECT enterprise_id, period, value FROM facts
           WHERE item_code = 'assets' AND caliber = 'consolidated'
           ORDER BY value DESC, enterprise_id, period LIMIT 3""",
        ordered=True,
        expected=lambda: [(6, "2024-03", 6613.0), (6, "2024-02", 6575.5), (6, "2024-01", 6538.0)],
    ),
    "order_by_nulls_last_by_default": Case(
        """SELECT enterprise_id, value FROM facts
           WHERE item_code = 'assets' AND caliber = 'consolidated' AND period = '2024-03'
           ORDER BY value ASC LIMIT 6""",
        ordered=True,
        expected=lambda: [
            (1, 1613.0),
            (2, 2613.0),
            (3, 3613.0),
            (4, 4613.0),
            (6, 6613.0),
            (5, None),
        ],
    ),
    "params": Case(
        """SELECT enterprise_id, value, $label AS label FROM facts
           WHERE period = $period AND value > $min_value AND caliber = $caliber
             AND item_code = 'revenue' AND enterprise_id <> $skip""",
        params={
            "period": "2024-02",
            "min_value": 2000.5,
            "caliber": "parent",
            "label": "二月",
            "skip": 5,
        },
        expected=lambda: [
            (r["enterprise_id"], r["value"], "二月")
            for r in _where(period="2024-02", caliber="parent", item_code="revenue")
            if r["value"] > 2000.5 and r["enterprise_id"] != 5
        ],
    ),
    "having": Case(
        """SELECT enterprise_id, sum(value) AS total FROM facts WHERE item_code = 'profit'
           GROUP BY enterprise_id HAVING sum(value) > 4000 AND count(*) >= 6"""
    ),
    "set_operations": Case(
        """SELECT enterprise_id FROM facts WHERE period = '2024-01'
           EXCEPT SELECT enterprise_id FROM facts WHERE period = '2024-04'
           UNION ALL
           SELECT enterprise_id FROM enterprises WHERE industry = '能源'
           INTERSECT SELECT enterprise_id FROM facts WHERE value < 0""",
        expected=lambda: [(6,), (3,)],
    ),
    "subqueries": Case(
        """SELECT e.enterprise_id, e.name FROM enterprises AS e
           WHERE e.enterprise_id IN (SELECT enterprise_id FROM facts WHERE value IS NULL)
              OR NOT EXISTS (SELECT 1 FROM facts AS f WHERE f.enterprise_id = e.enterprise_id
                                                        AND f.period = '2024-04')""",
        expected=lambda: [(5, ENTERPRISE_ROWS[4][2]), (6, ENTERPRISE_ROWS[5][2])],
    ),
    "portable_sum_of_integers": Case(
        "SELECT CAST(sum(enterprise_id) AS BIGINT) AS ids, count(*) AS n FROM enterprises",
        expected=lambda: [(21, 6)],
    ),
    "portable_rounding": Case(
        """SELECT round(CAST(value * 1.001 AS DECIMAL(18, 6)), 2) AS rounded,
                  CAST(ceil(value) AS BIGINT) AS ceiling
           FROM facts WHERE item_code = 'profit'"""
    ),
    "portable_dates": Case(
        """SELECT DISTINCT CAST(date_trunc('month', CAST(submitted_at AS DATE)) AS DATE) AS m,
                  CAST(CAST(period || '-01' AS DATE) + INTERVAL 1 MONTH AS DATE) AS next_month
           FROM facts"""
    ),
    "portable_lists_and_picks": Case(
        """SELECT period, list_sort(list(value) FILTER (WHERE value IS NOT NULL)) AS values,
                  arg_max(enterprise_id, value) AS top, median(value) AS middle,
                  CAST(floor(sum(value) / NULLIF(7, 0)) AS BIGINT) AS weeks
           FROM facts WHERE item_code = 'assets' GROUP BY period"""
    ),
    "portable_regexp": Case(
        """SELECT DISTINCT regexp_replace(uscc, '[0-9]', '#', 'g') AS masked,
                  regexp_matches(uscc, '^9144') AS local
           FROM facts"""
    ),
    "booleans_and_between": Case(
        """SELECT enterprise_id, bool_and(value > 0) AS all_positive,
                  bool_or(value BETWEEN 1000 AND 1100) AS any_small
           FROM facts GROUP BY enterprise_id"""
    ),
    "select_star": Case("SELECT * FROM facts WHERE enterprise_id = 2 AND period = '2024-02'"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_case(engine: Engine, reference: DuckDBEngine, compare: Any, name: str) -> None:
    case = CASES[name]
    actual = engine.query(case.sql, tables=TABLES, params=case.params)
    wanted = reference.query(case.sql, tables=TABLES, params=case.params)
    compare.tables(actual, wanted, ordered=case.ordered)
    if case.expected is not None:
        compare.rows(actual, case.expected(), ordered=case.ordered)
    assert actual.num_rows > 0


# --- declared differences: each runs as a strict xfail --------------------------------------------

DIFFERENCE_CASES: dict[str, tuple[str, dict[str, Any] | None]] = {
    "division_by_zero": ("SELECT value / 0 AS x FROM facts WHERE value <> 0", None),
    "integer_division_of_doubles": ("SELECT value // 7 AS x FROM facts", None),
    "sum_of_integers": ("SELECT sum(enterprise_id) AS x FROM enterprises", None),
    "avg_of_decimals": ("SELECT avg(registered_capital) AS x FROM enterprises", None),
    "round_double": ("SELECT round(1.005::DOUBLE, 2) AS x", None),
    "ceil_floor_type": ("SELECT ceil(value) AS x FROM facts", None),
    "date_plus_interval": ("SELECT established + INTERVAL 1 MONTH AS x FROM enterprises", None),
    "naive_timestamps": ("SELECT date_trunc('month', established) AS x FROM enterprises", None),
    "regexp_replace_first": ("SELECT regexp_replace(uscc, '[0-9]', '#') AS x FROM facts", None),
    "quantiles": ("SELECT quantile_cont(value, 0.5) AS x FROM facts", None),
    "list_nulls": (
        "SELECT list(value ORDER BY value) AS x FROM facts WHERE period = '2024-03'",
        None,
    ),
    "epoch": ("SELECT epoch(submitted_at + INTERVAL 1 MILLISECOND) AS x FROM facts", None),
    "qualify_star": (
        "SELECT * FROM enterprises QUALIFY row_number() OVER (ORDER BY enterprise_id) = 1",
        None,
    ),
    "ordered_first": ("SELECT first(name ORDER BY enterprise_id) AS x FROM enterprises", None),
    "unaliased_names": ("SELECT count(*) FROM facts", None),
    "statements": ("SELECT 1 AS x; SELECT 2 AS x", None),
    "parameter_types": ("SELECT $ids AS x", {"ids": [1, 2]}),
}


def test_every_declared_difference_has_a_case() -> None:
    assert set(DIFFERENCE_CASES) == set(UNSUPPORTED["spark"])
    assert not UNSUPPORTED["duckdb"], "DuckDB is the reference dialect"


@pytest.mark.spark
@pytest.mark.parametrize(
    "key",
    [
        pytest.param(key, marks=pytest.mark.xfail(strict=True, reason=UNSUPPORTED["spark"][key]))
        for key in sorted(DIFFERENCE_CASES)
    ],
)
def test_declared_difference(
    spark_engine: SparkEngine, reference: DuckDBEngine, compare: Any, key: str
) -> None:
    sql, params = DIFFERENCE_CASES[key]
    wanted = reference.query(sql, tables=TABLES, params=params)
    compare.tables(spark_engine.query(sql, tables=TABLES, params=params), wanted, ordered=False)


# --- row filters: the caller's scope ---------------------------------------------------------


def _scoped(*scopes: str) -> dict[str, Relation | pa.Table]:
    scope = RowFilter("scope", scopes)
    return {
        "facts": Relation(FACTS, row_filter=scope),
        "enterprises": Relation(ENTERPRISES, row_filter=scope),
    }


SCOPED_COUNTS = """
    SELECT count(*) AS n, count(DISTINCT enterprise_id) AS reporters, sum(value) AS total,
           (SELECT count(*) FROM enterprises) AS enterprises,
           (SELECT max(c) FROM (SELECT count(*) OVER () AS c FROM facts)) AS windowed
    FROM facts
"""


@pytest.mark.parametrize("scopes", [("g1",), ("g2", "g3"), ("g1", "nowhere"), ()])
def test_row_filter_limits_every_count(
    engine: Engine, reference: DuckDBEngine, compare: Any, scopes: tuple[str, ...]
) -> None:
    visible = [r for r in FACT_ROWS if r["scope"] in scopes]
    expected = (
        len(visible),
        len({r["enterprise_id"] for r in visible}),
        _sum(visible),
        sum(1 for e in ENTERPRISE_ROWS if e[3] in scopes),
        len(visible) or None,
    )
    actual = engine.query(SCOPED_COUNTS, tables=_scoped(*scopes))
    compare.rows(actual, [expected], ordered=True)
    compare.tables(actual, reference.query(SCOPED_COUNTS, tables=_scoped(*scopes)), ordered=True)


def test_empty_scope_sees_no_rows_but_the_schema(engine: Engine, compare: Any) -> None:
    actual = engine.query("SELECT * FROM facts", tables=_scoped())
    assert actual.num_rows == 0
    assert actual.column_names == FACTS.column_names


def test_row_filter_on_an_integer_column_and_a_join(
    engine: Engine, reference: DuckDBEngine, compare: Any
) -> None:
    allowed = RowFilter("enterprise_id", (1, 4, 99))
    tables: dict[str, Relation | pa.Table] = {
        "facts": Relation(FACTS, row_filter=allowed),
        "enterprises": ENTERPRISES,
    }
    sql = """SELECT e.name, count(*) AS n FROM facts AS f
             JOIN enterprises AS e USING (enterprise_id) GROUP BY e.name"""
    actual = engine.query(sql, tables=tables)
    compare.rows(actual, [(ENTERPRISE_ROWS[0][2], 32), (ENTERPRISE_ROWS[3][2], 32)], ordered=False)
    compare.tables(actual, reference.query(sql, tables=tables), ordered=False)


def test_rows_with_a_null_scope_are_never_visible(engine: Engine, compare: Any) -> None:
    table = pa.table({"scope": ["g1", None, "g2"], "v": [1, 2, 3]})
    for scopes, expected in [(("g1",), [(1,)]), (("g1", "g2"), [(1,), (3,)])]:
        rel = Relation(table, row_filter=RowFilter("scope", scopes))
        compare.rows(engine.query("SELECT v FROM t", tables={"t": rel}), expected, ordered=False)


# --- parameters, isolation, safety --------------------------------------------------------------

NASTY = ["it's", 'say "hi"', "back\\slash", "\\u0041", "line\nbreak", "tab\t", "%_*?", "", "中文"]


def test_parameters_are_values_never_sql(engine: Engine, compare: Any) -> None:
    params = {f"p{i}": text for i, text in enumerate(NASTY)}
    sql = "SELECT " + ", ".join(f"${name} AS {name}" for name in params)
    compare.rows(engine.query(sql, tables={}, params=params), [tuple(NASTY)], ordered=True)
    injected = {"u": "x' OR '1'='1"}
    actual = engine.query(
        "SELECT count(*) AS n FROM facts WHERE uscc = $u", tables=TABLES, params=injected
    )
    compare.rows(actual, [(0,)], ordered=True)


def test_typed_parameters(engine: Engine, reference: DuckDBEngine, compare: Any) -> None:
    params = {
        "i": 7, "big": 2**40, "f": 0.1, "d": Decimal("12.345"), "b": True, "n": None,
        "day": dt.date(2024, 2, 29),
        "at": dt.datetime(2024, 3, 1, 7, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))),
    }  # fmt: skip
    sql = """SELECT $i + 1 AS i, $big AS big, $f * 3 AS f, $d AS d, $b AS b,
                    $n IS NULL AS n, $day AS day, $at AS at,
                    (SELECT count(*) FROM facts WHERE submitted_at < $at) AS before"""
    actual = engine.query(sql, tables=TABLES, params=params)
    compare.tables(actual, reference.query(sql, tables=TABLES, params=params), ordered=True)
    at_utc = dt.datetime(2024, 2, 29, 23, 30, tzinfo=UTC)
    row = actual.to_pylist()[0]
    assert row["d"] == Decimal("12.345") and row["day"] == dt.date(2024, 2, 29)
    assert row["at"] == at_utc


@pytest.mark.parametrize(
    ("sql", "params"),
    [("SELECT $a AS a", {}), ("SELECT $a AS a", {"a": 1, "b": 2})],
    ids=["missing", "unused"],
)
def test_parameters_must_match(engine: Engine, sql: str, params: dict[str, Any]) -> None:
    with pytest.raises((ValueError, duckdb.Error)):
        engine.query(sql, tables={}, params=params)


def test_views_do_not_leak_between_queries(engine: Engine) -> None:
    engine.query("SELECT count(*) AS n FROM secret", tables={"secret": FACTS})
    with pytest.raises(Exception, match=r"(?i)secret"):
        engine.query("SELECT count(*) AS n FROM secret", tables={})


def test_dotted_names_and_chinese_text(engine: Engine, compare: Any) -> None:
    table = pa.table({"指标": ["营业收入", "利润总额"], "v": [1.5, 2.5]})
    sql = 'SELECT "指标", v FROM "supervision.indicator_values" WHERE "指标" LIKE \'营业%\''
    actual = engine.query(sql, tables={"supervision.indicator_values": table})
    assert actual.column_names == ["指标", "v"]
    compare.rows(actual, [("营业收入", 1.5)], ordered=True)


def test_concurrent_queries_keep_their_own_tables(engine: Engine) -> None:
    def count(size: int) -> int:
        table = pa.table({"x": list(range(size))})
        result = engine.query("SELECT count(*) AS n FROM t", tables={"t": table})
        return int(result.column("n")[0].as_py())

    sizes = [1, 2, 3, 5, 8, 13]
    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        assert list(pool.map(count, sizes)) == sizes


def test_queries_cannot_read_files_behind_the_scope(engine: Engine, tmp_path: Path) -> None:
    """SQL must not reach files around the registered relations (and their row filters)."""
    path = tmp_path / "other_scope.parquet"
    pq.write_table(FACTS, path)
    with pytest.raises(Exception, match=r"(?i)parquet|access|disabled|not found|cannot"):
        engine.query(f"SELECT count(*) AS n FROM read_parquet('{path}')", tables={})


# --- randomized: generated fact tables, the same answers ------------------------------------------

_fact = st.fixed_dictionaries(
    {
        "enterprise_id": st.integers(1, 5),
        "period": st.sampled_from(PERIODS),
        "item_code": st.sampled_from(ITEMS[:3]),
        "scope": st.sampled_from(["g1", "g2"]),
        "value": st.one_of(st.none(), st.integers(-(10**6), 10**6).map(lambda c: c / 100)),
    }
)
RANDOM_QUERIES = [
    """SELECT period, item_code, sum(value) AS s, count(value) AS c, avg(value) AS a,
              min(value) AS lo, max(value) AS hi, count(DISTINCT enterprise_id) AS e
       FROM t GROUP BY period, item_code""",
    """WITH m AS (SELECT enterprise_id, period, sum(value) AS v FROM t
                 GROUP BY enterprise_id, period)
       SELECT enterprise_id, period, v,
              lag(v) OVER (PARTITION BY enterprise_id ORDER BY period) AS prev,
              sum(v) OVER (PARTITION BY enterprise_id ORDER BY period) AS running,
              row_number() OVER (PARTITION BY period ORDER BY v DESC NULLS LAST,
                                 enterprise_id) AS rn
       FROM m""",
    """SELECT enterprise_id, sum(value) FILTER (WHERE item_code = 'revenue') AS revenue,
              sum(value) FILTER (WHERE item_code = 'profit') /
                NULLIF(sum(value) FILTER (WHERE item_code = 'revenue'), 0) AS margin
       FROM t WHERE value IS NOT NULL GROUP BY enterprise_id""",
]
_RANDOM_SCHEMA = pa.schema(
    [
        ("enterprise_id", pa.int64()),
        ("period", pa.string()),
        ("item_code", pa.string()),
        ("scope", pa.string()),
        ("value", pa.float64()),
    ]
)


@settings(max_examples=5, derandomize=True, deadline=None, database=None)
@given(rows=st.lists(_fact, max_size=40), scopes=st.sampled_from([("g1",), ("g1", "g2")]))
def test_random_fact_tables_agree(
    engine: Engine,
    reference: DuckDBEngine,
    compare: Any,
    rows: list[dict[str, Any]],
    scopes: tuple[str, ...],
) -> None:
    table = pa.Table.from_pylist(rows, schema=_RANDOM_SCHEMA)
    tables: dict[str, Relation | pa.Table] = {
        "t": Relation(table, row_filter=RowFilter("scope", scopes))
    }
    for sql in RANDOM_QUERIES:
        actual = engine.query(sql, tables=tables)
        compare.tables(actual, reference.query(sql, tables=tables), ordered=False)
