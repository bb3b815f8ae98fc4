"""Lake snapshots through the engines: a real Delta table, partitioned and not, at each version.

DuckDB reads a version as an Arrow dataset; Spark reads the same version's Parquet files with
the partition values Delta keeps in its log. Both must answer like the rows that were written.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake

from zhiguo.datacenter.engine import DuckDBEngine, Engine, Relation, RowFilter

UTC = dt.UTC
SCHEMA = pa.schema(
    [
        ("enterprise_id", pa.int64()),
        ("period", pa.string()),
        ("item_code", pa.string()),
        ("scope", pa.string()),
        ("value", pa.float64()),
        ("submitted_at", pa.timestamp("us", tz="UTC")),
    ]
)
# Partition values with spaces, slashes, percent signs, glob characters and Chinese text:
# Delta escapes them in paths, and Spark must neither decode nor glob them a second time.
SCOPES = ["g1", "g 2", "组/3", "a%b", "[x]*{y}", None]


def _rows(periods: list[str], *, factor: float = 1.0) -> list[dict[str, Any]]:
    rows = []
    for eid, scope in enumerate(SCOPES, start=1):
        for month, period in enumerate(periods, start=1):
            for item in ("revenue", "profit"):
                rows.append(
                    {
                        "enterprise_id": eid,
                        "period": period,
                        "item_code": item,
                        "scope": scope,
                        "value": None if (eid, item) == (2, "profit") else eid * 100.25 * factor,
                        "submitted_at": dt.datetime(2024, month + 1, 5, eid, tzinfo=UTC),
                    }
                )
    return rows


def _table(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def delta_relation(
    path: Path, version: int | None = None, row_filter: RowFilter | None = None
) -> Relation:
    """How the lake hands a snapshot to the engine: dataset, file URIs, partition values.

    ``get_add_actions`` lists each file's partition values under its path relative to the
    table, percent-encoded as in the log; ``file_uris`` gives the absolute URIs the files
    really have (that path decoded, under the table root).
    """
    table = DeltaTable(str(path), version=version)
    actions = pa.table(table.get_add_actions(flatten=False))
    partitions = (
        actions.column("partition").to_pylist()
        if "partition" in actions.column_names
        else [{}] * actions.num_rows
    )
    by_relative_path = {
        unquote(log_path): {k: None if v is None else str(v) for k, v in (parts or {}).items()}
        for log_path, parts in zip(actions.column("path").to_pylist(), partitions, strict=True)
    }
    files = table.file_uris()
    values = {}
    for uri in files:
        # the relative path has one directory per partition column, then the file name
        depth = len(table.metadata().partition_columns) + 1
        values[uri] = by_relative_path["/".join(uri.split("/")[-depth:])]
    assert len(values) == len(by_relative_path), "add actions and file URIs must agree"
    return Relation(table.to_pyarrow_dataset(), files, values, row_filter)


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Two Delta tables with three versions each; the rows each version should show."""
    root = tmp_path_factory.mktemp("lake")
    v0 = _rows(["2024-01", "2024-02"])
    v1 = v0 + _rows(["2024-03"])
    revised_feb = [
        {**r, "value": None if r["value"] is None else r["value"] * 2}
        for r in v1
        if r["period"] == "2024-02"
    ]
    v2 = [r for r in v1 if r["period"] != "2024-02"] + revised_feb
    by_period, by_scope, flat = root / "by_period", root / "by_scope", root / "flat"
    for path, partition_by in [(by_period, ["period"]), (by_scope, ["scope"]), (flat, None)]:
        write_deltalake(str(path), _table(v0), partition_by=partition_by)
        write_deltalake(str(path), _table(_rows(["2024-03"])), mode="append")
        # A resubmission of February: one atomic overwrite of the rows it replaces.
        write_deltalake(
            str(path), _table(revised_feb), mode="overwrite", predicate="period = '2024-02'"
        )
    return {
        "paths": {"by_period": by_period, "by_scope": by_scope, "flat": flat},
        "versions": [v0, v1, v2],
    }


SUMMARY = """
    SELECT period, scope, count(*) AS n, count(value) AS n_value, sum(value) AS total,
           max(submitted_at) AS latest
    FROM facts GROUP BY period, scope
"""


def _summary(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    groups: dict[tuple[str, str | None], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["period"], row["scope"]), []).append(row)
    out = []
    for (period, scope), members in groups.items():
        values = [m["value"] for m in members if m["value"] is not None]
        latest = max(m["submitted_at"] for m in members)
        total = float(sum(values)) if values else None
        out.append((period, scope, len(members), len(values), total, latest))
    return out


@pytest.mark.parametrize("layout", ["by_period", "by_scope", "flat"])
@pytest.mark.parametrize("version", [0, 1, 2, None], ids=["v0", "v1", "v2", "latest"])
def test_each_version_reads_as_written(
    engine: Engine,
    reference: DuckDBEngine,
    compare: Any,
    lake: dict[str, Any],
    layout: str,
    version: int | None,
) -> None:
    relation = delta_relation(lake["paths"][layout], version)
    rows = lake["versions"][2 if version is None else version]
    actual = engine.query(SUMMARY, tables={"facts": relation})
    compare.rows(actual, _summary(rows), ordered=False)
    compare.tables(actual, reference.query(SUMMARY, tables={"facts": relation}), ordered=False)


@pytest.mark.parametrize("layout", ["by_period", "by_scope", "flat"])
def test_select_star_keeps_the_table_schema(
    engine: Engine, reference: DuckDBEngine, compare: Any, lake: dict[str, Any], layout: str
) -> None:
    relation = delta_relation(lake["paths"][layout])
    actual = engine.query("SELECT * FROM facts", tables={"facts": relation})
    assert actual.column_names == relation.schema.names
    wanted = reference.query("SELECT * FROM facts", tables={"facts": relation})
    compare.tables(actual, wanted, ordered=False)


def test_time_travel_answers_what_was_known_then(engine: Engine, lake: dict[str, Any]) -> None:
    sql = """SELECT sum(value) FILTER (WHERE period = '2024-02') AS february,
                    count(DISTINCT period) AS periods FROM facts"""
    path = lake["paths"]["by_period"]
    first, latest = (
        engine.query(sql, tables={"facts": delta_relation(path, v)}).to_pylist()[0]
        for v in (0, None)
    )
    assert latest["february"] == pytest.approx(2 * first["february"])
    assert (first["periods"], latest["periods"]) == (2, 3)


@pytest.mark.parametrize("layout", ["by_scope", "flat"])
@pytest.mark.parametrize("scopes", [("g 2", "组/3"), ("[x]*{y}",), ()])
def test_scope_filter_on_a_snapshot(
    engine: Engine,
    compare: Any,
    lake: dict[str, Any],
    layout: str,
    scopes: tuple[str, ...],
) -> None:
    relation = delta_relation(lake["paths"][layout], row_filter=RowFilter("scope", scopes))
    visible = [r for r in lake["versions"][2] if r["scope"] in scopes]
    sql = "SELECT count(*) AS n, count(DISTINCT scope) AS scopes, sum(value) AS total FROM facts"
    values = [r["value"] for r in visible if r["value"] is not None]
    expected = (len(visible), len(set(scopes)), float(sum(values)) if values else None)
    compare.rows(engine.query(sql, tables={"facts": relation}), [expected], ordered=True)


def test_the_lake_really_is_partitioned(lake: dict[str, Any]) -> None:
    """Guard the fixture: partition values live in directory names, not in the files."""
    by_scope = lake["paths"]["by_scope"]
    names = {p.name for p in by_scope.iterdir()}
    assert "scope=g1" in names and any(n.startswith("scope=%5B") for n in names), names
    assert not any(p.name.startswith("period=") for p in lake["paths"]["flat"].iterdir())
    assert os.listdir(lake["paths"]["by_period"] / "period=2024-01")
