"""Engine fixtures: every engine test runs once per backend (DuckDB, and Spark in local mode).

Spark starts once per test run (≈ 5–10 s) and stops at the end. Without PySpark or Java the
Spark half is left out and reported (tests/conftest.py), unless ZHIGUO_REQUIRE_ALL=1.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest

from zhiguo.datacenter.engine import DuckDBEngine, Engine, SparkEngine


@pytest.fixture(scope="session")
def spark_engine() -> Iterator[SparkEngine]:
    """The process-wide Spark engine, stopped when the test run ends."""
    engine = SparkEngine.get()
    yield engine
    SparkEngine.shutdown()


@pytest.fixture(scope="session")
def reference() -> DuckDBEngine:
    """The reference backend: SQL is written in DuckDB's dialect."""
    return DuckDBEngine()


@pytest.fixture(scope="session", params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def engine(request: pytest.FixtureRequest) -> Engine:
    """Each backend in turn (overrides the metadata-DB ``engine`` of tests/conftest.py here)."""
    if request.param == "spark":
        spark: SparkEngine = request.getfixturevalue("spark_engine")
        return spark
    return DuckDBEngine()


# --- comparing results ------------------------------------------------------------------------


def _category(kind: pa.DataType) -> str:
    """The logical type a consumer sees; integer widths and decimal precisions may differ."""
    if pa.types.is_integer(kind):
        return "integer"
    if pa.types.is_floating(kind):
        return "float"
    if pa.types.is_decimal(kind):
        return "decimal"
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return "string"
    if pa.types.is_timestamp(kind):
        return "timestamp with time zone" if kind.tz else "timestamp"
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return f"list<{_category(kind.value_type)}>"
    return str(kind)


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC)  # the same instant, whatever the zone's name
    return value


def _sort_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    key: list[Any] = []
    for value in row:
        if value is None:
            key.append((1, ""))
        elif isinstance(value, float):
            key.append((0, float(f"{value:.9g}")))  # robust to last-digit differences
        elif isinstance(value, list):
            key.append((0, repr(value)))
        else:
            key.append((0, value))
    return tuple(key)


def _same_value(left: Any, right: Any) -> bool:
    if isinstance(left, float) and isinstance(right, float):
        if math.isnan(left) or math.isnan(right):
            return math.isnan(left) and math.isnan(right)
        return math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-9)
    return bool(left == right) and type(left) is type(right)


class Compare:
    """Exact comparison of query results (row order only where the query fixes it)."""

    @staticmethod
    def rows_of(table: pa.Table, *, ordered: bool) -> list[tuple[Any, ...]]:
        rows = [tuple(_value(v) for v in row.values()) for row in table.to_pylist()]
        return rows if ordered else sorted(rows, key=_sort_key)

    def rows(self, actual: pa.Table, expected: list[tuple[Any, ...]], *, ordered: bool) -> None:
        """``actual`` holds exactly ``expected`` (Python values; floats within 1e-9)."""
        got = self.rows_of(actual, ordered=ordered)
        want = [tuple(_value(v) for v in row) for row in expected]
        want = want if ordered else sorted(want, key=_sort_key)
        assert len(got) == len(want), f"{len(got)} rows, expected {len(want)}:\n{got}\n{want}"
        for index, (left, right) in enumerate(zip(got, want, strict=True)):
            same = len(left) == len(right) and all(map(_same_value, left, right))
            assert same, f"row {index}: {left} != {right}"

    def tables(self, actual: pa.Table, expected: pa.Table, *, ordered: bool) -> None:
        """Same column names, logical types and rows as the reference result."""
        assert actual.column_names == expected.column_names
        kinds = [_category(f.type) for f in actual.schema]
        assert kinds == [_category(f.type) for f in expected.schema], (
            f"{actual.schema}\n!=\n{expected.schema}"
        )
        self.rows(actual, self.rows_of(expected, ordered=ordered), ordered=ordered)


@pytest.fixture(scope="session")
def compare() -> Compare:
    return Compare()
