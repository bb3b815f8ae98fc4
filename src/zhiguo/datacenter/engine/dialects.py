"""Where the backends differ, declared as data rather than discovered in production.

SQL is written once in DuckDB's dialect, so DuckDB is the reference and a difference is listed
under the backend that departs from it. Each entry of ``UNSUPPORTED`` names a construct, says
what each engine does and gives the portable way to write it. The conformance suite
(``tests/datacenter/engine``) runs one case per entry as ``xfail(strict=True)``: when a backend
or sqlglot closes a gap the case passes, the suite fails, and the entry has to go — so this
table cannot quietly go stale. ``NOTES`` lists differences the suite tolerates by design.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["NOTES", "UNSUPPORTED"]

_SPARK: dict[str, str] = {
    "division_by_zero": (
        "x / 0, x // 0 and x % 0: Spark gives NULL (the transpiler wraps every divisor in"
        " NULLIF(divisor, 0); ANSI mode stays on); DuckDB gives ±inf/NaN for / and raises for"
        " // and %. Portable: x / NULLIF(y, 0), NULL on both."
    ),
    "integer_division_of_doubles": (
        "x // y on DOUBLE: DuckDB floors to a DOUBLE, Spark's DIV takes integers and decimals"
        " only and raises. Portable: CAST(floor(x / NULLIF(y, 0)) AS BIGINT), or // on"
        " integers."
    ),
    "sum_of_integers": (
        "sum() of an integer column: DuckDB returns HUGEINT (Arrow decimal128(38, 0)), Spark"
        " BIGINT. Portable: CAST(sum(x) AS BIGINT)."
    ),
    "avg_of_decimals": (
        "avg() of a DECIMAL: DuckDB returns DOUBLE, Spark DECIMAL. Portable:"
        " avg(CAST(x AS DOUBLE))."
    ),
    "round_double": (
        "round(x, n) or CAST(x AS DECIMAL) of a DOUBLE: DuckDB rounds the binary value"
        " (1.005 → 1.0), Spark its shortest decimal text (1.005 → 1.01). Portable: round a"
        " DECIMAL, round(CAST(x AS DECIMAL(18, 6)), 2)."
    ),
    "ceil_floor_type": (
        "ceil()/floor() of a DOUBLE: DuckDB returns DOUBLE, Spark BIGINT. Portable:"
        " CAST(ceil(x) AS BIGINT) or CAST(ceil(x) AS DOUBLE)."
    ),
    "date_plus_interval": (
        "DATE + INTERVAL: DuckDB returns TIMESTAMP, Spark DATE. Portable:"
        " CAST(d + INTERVAL 1 MONTH AS DATE)."
    ),
    "naive_timestamps": (
        "date_trunc() on a DATE and strptime(): DuckDB returns a naive TIMESTAMP, Spark a UTC"
        " instant. Portable: CAST(date_trunc('month', d) AS DATE), or keep periods as text."
    ),
    "regexp_replace_first": (
        "regexp_replace(s, p, r): DuckDB replaces the first match, Spark every match."
        " Portable: regexp_replace(s, p, r, 'g'), every match on both."
    ),
    "quantiles": (
        "quantile_cont(x, q) becomes a call Spark rejects, and percentile_cont(q) WITHIN GROUP"
        " becomes the approximate PERCENTILE_APPROX. Portable: median(x)."
    ),
    "list_nulls": (
        "list()/array_agg(): DuckDB keeps NULL elements and honours ORDER BY inside the call;"
        " Spark (collect_list) drops NULLs and the ORDER BY. Portable:"
        " list_sort(list(x) FILTER (WHERE x IS NOT NULL))."
    ),
    "epoch": (
        "epoch(ts): DuckDB gives seconds as DOUBLE with the fraction, Spark whole seconds;"
        " epoch_ms(ts) is transpiled to its inverse. Portable: compare timestamps directly."
    ),
    "qualify_star": (
        "QUALIFY with SELECT *: sqlglot rewrites it as a subquery and Spark's result gains the"
        " helper column _w. Portable: name the columns, or filter a window column in a CTE."
    ),
    "ordered_first": (
        "first(x ORDER BY y) is rejected by Spark. Portable: arg_min(x, y) / arg_max(x, y)"
        " (Spark MIN_BY / MAX_BY) with a tie-free y."
    ),
    "unaliased_names": (
        "Unaliased expressions are named differently (count_star() vs count(1)). Portable:"
        " alias every computed column."
    ),
    "statements": (
        "Spark runs exactly one query (SELECT, WITH, a set operation) per call; DuckDB runs"
        " any statement. Portable: one query per call."
    ),
    "parameter_types": (
        "Parameters: Spark binds None, bool, int, float, Decimal, str, date and datetime;"
        " DuckDB also lists and structs. Portable: scalar parameters."
    ),
}

UNSUPPORTED: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {"duckdb": MappingProxyType({}), "spark": MappingProxyType(_SPARK)}
)
"""backend → construct → what differs there and the portable way to write it."""

NOTES: Mapping[str, str] = MappingProxyType(
    {
        "integer_width": (
            "Integer widths differ (row_number, rank, length, extract: DuckDB BIGINT, Spark"
            " INT; 7 // 2: DuckDB INT, Spark BIGINT). Values agree; read them as Python ints."
        ),
        "decimal_precision": (
            "sum() of DECIMAL(p, s): DuckDB widens to DECIMAL(38, s), Spark to DECIMAL(p+10, s)."
            " Values agree."
        ),
        "time_zone": (
            "Spark runs with session time zone UTC. DuckDB uses its TimeZone setting (the"
            " machine's zone unless the engine sets it): strftime, date_trunc and CAST AS DATE"
            " of a TIMESTAMP WITH TIME ZONE agree only where that zone is UTC."
        ),
        "null_ordering": (
            "DuckDB sorts NULLs last; sqlglot writes NULLS LAST/FIRST explicitly for Spark, so"
            " ORDER BY ... LIMIT picks the same rows."
        ),
    }
)
"""Differences the conformance suite tolerates by design (values agree)."""
