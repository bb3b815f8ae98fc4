"""Publishing a demand raster to the lake and reading the latest back, exactly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from zhiguo.core.errors import NotFound
from zhiguo.datacenter.catalog import default_registry
from zhiguo.datacenter.lake import open_table
from zhiguo.operations.demand import NoDemand, latest_demand, publish_demand, synthetic_demand
from zhiguo.operations.geo import load_city


def test_the_dataset_is_declared_open_and_general() -> None:
    spec = default_registry().get("operations.demand")
    assert spec.public_readable
    assert {"raster_id", "row", "col", "x_m", "y_m", "district_code", "weight"} <= {
        c.name for c in spec.columns
    }


def test_latest_demand_rebuilds_the_published_raster(tmp_path: Path) -> None:
    city = load_city()
    with pytest.raises(NoDemand) as exc:
        latest_demand(tmp_path, city=city)
    assert isinstance(exc.value, NotFound) and exc.value.code == "ZG-DEMAND-002"
    first = synthetic_demand(city, resolution_m=500, seed=1)
    second = synthetic_demand(city, resolution_m=400, seed=2)
    p1 = publish_demand(first, lake_root=tmp_path, city=city)
    p2 = publish_demand(second, lake_root=tmp_path, city=city)
    assert p2.version > p1.version and p1.raster_id != p2.raster_id
    assert p2.rows == np.count_nonzero(second.weight)
    back = latest_demand(tmp_path, city=city)
    assert back.grid == second.grid
    assert np.array_equal(back.weight, second.weight)
    assert np.array_equal(back.district, second.district)
    assert back.source == second.source and back.unit == "people"
    rows = open_table(tmp_path, "operations.demand").snapshot().to_table()
    assert rows.num_rows == p1.rows + p2.rows
