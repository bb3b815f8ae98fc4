"""The DuckDB → Spark transpiler on its own: parameters as literals, divisors, refusals.

These run without Spark or Java; the conformance suite checks the same SQL on real Spark.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
import sqlglot
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlglot import exp

from zhiguo.datacenter.engine.spark import SESSION_CONF, to_spark_sql


def test_session_settings_that_results_depend_on() -> None:
    assert SESSION_CONF["spark.sql.ansi.enabled"] == "true"
    assert SESSION_CONF["spark.sql.session.timeZone"] == "UTC"
    assert SESSION_CONF["spark.sql.runSQLOnFiles"] == "false"


@settings(max_examples=200, derandomize=True, database=None)
@given(text=st.text())
def test_a_string_parameter_stays_one_literal(text: str) -> None:
    sql = to_spark_sql("SELECT 1 AS x FROM t WHERE name = $name", {"name": text})
    tree = sqlglot.parse_one(sql, read="spark")
    literals = [node for node in tree.find_all(exp.Literal) if node.is_string]
    assert [node.this for node in literals] == [text]
    assert isinstance(tree.find(exp.Where).this, exp.EQ)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("value", "spark"),
    [
        (None, "NULL"),
        (True, "TRUE"),
        (7, "7"),
        (-7, "-7"),
        (np.int64(9), "9"),
        (2**40, "1099511627776"),
        (0.1, "CAST(0.1 AS DOUBLE)"),
        (float("inf"), "CAST('Infinity' AS DOUBLE)"),
        (float("nan"), "CAST('NaN' AS DOUBLE)"),
        (Decimal("12.345"), "CAST(12.345 AS DECIMAL(5, 3))"),
        (Decimal("1E+2"), "CAST(100 AS DECIMAL(3, 0))"),
        (Decimal("0.05"), "CAST(0.05 AS DECIMAL(2, 2))"),
        ("it's", "'it\\'s'"),
        (dt.date(2024, 2, 29), "CAST('2024-02-29' AS DATE)"),
        (dt.datetime(2024, 3, 1, 7, 30), "CAST('2024-03-01 07:30:00' AS TIMESTAMP_NTZ)"),
        (
            dt.datetime(2024, 3, 1, 7, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))),
            "CAST('2024-02-29 23:30:00' AS TIMESTAMP)",
        ),
    ],
)
def test_parameters_become_typed_literals(value: Any, spark: str) -> None:
    assert to_spark_sql("SELECT $v AS v", {"v": value}) == f"SELECT {spark} AS v"


@pytest.mark.parametrize(
    ("sql", "params", "error"),
    [
        ("SELECT $a AS a", {}, ValueError),
        ("SELECT 1 AS a", {"a": 1}, ValueError),
        ("SELECT ? AS a", {}, ValueError),
        ("SELECT $a AS a", {"a": [1, 2]}, TypeError),
        ("SELECT $a AS a", {"a": Decimal("NaN")}, ValueError),
        ("SELECT 1 AS a; SELECT 2 AS a", None, ValueError),
        ("CREATE TABLE x AS SELECT 1 AS a", None, ValueError),
        ("DROP VIEW facts", None, ValueError),
        ("INSERT INTO facts VALUES (1)", None, ValueError),
    ],
    ids=["missing", "unused", "positional", "list", "nan-decimal", "two", "ddl", "drop", "dml"],
)
def test_refusals(sql: str, params: dict[str, Any] | None, error: type[Exception]) -> None:
    with pytest.raises(error):
        to_spark_sql(sql, params)


@pytest.mark.parametrize(
    ("duckdb", "spark"),
    [
        ("SELECT a / b AS x FROM t", "SELECT a / NULLIF(b, 0) AS x FROM t"),
        ("SELECT a // b AS x FROM t", "SELECT a DIV NULLIF(b, 0) AS x FROM t"),
        ("SELECT a % b AS x FROM t", "SELECT a % NULLIF(b, 0) AS x FROM t"),
        ("SELECT a / 4 AS x FROM t", "SELECT a / 4 AS x FROM t"),
        ("SELECT a / NULLIF(b, 0) AS x FROM t", "SELECT a / NULLIF(b, 0) AS x FROM t"),
        (
            "SELECT a / (b / c) AS x FROM t",
            "SELECT a / NULLIF((b / NULLIF(c, 0)), 0) AS x FROM t",
        ),
        ("SELECT a / $d AS x FROM t", "SELECT a / NULLIF(0, 0) AS x FROM t"),
    ],
)
def test_division_by_zero_is_null(duckdb: str, spark: str) -> None:
    params = {"d": 0} if "$d" in duckdb else None
    assert to_spark_sql(duckdb, params) == spark


def test_duckdb_idioms_are_translated() -> None:
    sql = to_spark_sql(
        """SELECT substr(period, 1, 4) AS y, strftime(submitted_at, '%Y-%m') AS m,
                  sum(value) FILTER (WHERE item_code = 'revenue') AS revenue,
                  lag(value) OVER (PARTITION BY enterprise_id ORDER BY period) AS prev
           FROM "supervision.facts" GROUP BY ALL ORDER BY y LIMIT 5"""
    )
    assert "SUBSTRING(period, 1, 4)" in sql
    assert "DATE_FORMAT(submitted_at, 'yyyy-MM')" in sql
    assert "FILTER(WHERE item_code = 'revenue')" in sql
    assert "ORDER BY period NULLS LAST" in sql  # DuckDB sorts NULLs last; Spark first
    assert "FROM `supervision.facts`" in sql
