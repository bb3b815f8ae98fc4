"""Fixtures for classification tests: a small lake of made-up datasets at each level, one
with personal-information columns, and the engines (DuckDB, and Spark where installed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest
from classification_world import ROWS, make_spec

from zhiguo.core.access import Classification
from zhiguo.datacenter.catalog import DatasetRegistry
from zhiguo.datacenter.engine import DuckDBEngine, Engine, SparkEngine
from zhiguo.datacenter.lake import LakeTable


@pytest.fixture
def registry() -> DatasetRegistry:
    """general / important / core datasets, a personal one, an open one, an undeclared one."""
    reg = DatasetRegistry()
    for spec in (
        make_spec("t_general", Classification.general),
        make_spec("t_important", Classification.important),
        make_spec("t_core", Classification.core),
        make_spec("t_people", Classification.general, personal=True),
        make_spec("t_open", Classification.general, open_=True),
        make_spec("t_open_people", Classification.general, open_=True, personal=True),
        make_spec("t_open_important", Classification.important, open_=True),
        make_spec("t_undeclared", Classification.general, scoped=False),
    ):
        reg.register(spec)
    return reg


@pytest.fixture
def lake(tmp_path: Path, registry: DatasetRegistry) -> dict[str, LakeTable]:
    """Every test dataset committed once (three enterprises)."""
    root = tmp_path / "lake"
    tables = {}
    for spec in registry:
        table = LakeTable(root, spec)
        data = pa.table({c.name: ROWS[c.name] for c in spec.columns}, schema=spec.arrow_schema)
        table.commit(data)
        tables[spec.name] = table
    return tables


@pytest.fixture(scope="session")
def cls_spark_engine() -> Iterator[SparkEngine]:
    """The process-wide Spark engine (as tests/datacenter/engine does), stopped at the end."""
    engine = SparkEngine.get()
    yield engine
    SparkEngine.shutdown()


@pytest.fixture(params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def query_engine(request: pytest.FixtureRequest) -> Engine:
    """Each backend in turn."""
    if request.param == "spark":
        spark: SparkEngine = request.getfixturevalue("cls_spark_engine")
        return spark
    return DuckDBEngine()
