"""The synthetic demand raster: deterministic, city-shaped, zero outside, fictitious total."""

from __future__ import annotations

import numpy as np
import pytest

from zhiguo.operations.demand import SYNTHETIC_TOTAL, city_grid, synthetic_demand
from zhiguo.operations.geo import load_city


@pytest.fixture(scope="module")
def city():
    return load_city()


def _at(raster, city, lon: float, lat: float) -> float:
    x, y = city.projector.to_xy(lon, lat)
    g = raster.grid
    return float(
        raster.weight[int((y - g.y_min) // g.resolution_m), int((x - g.x_min) // g.resolution_m)]
    )


def test_same_seed_same_raster_other_seed_other_raster(city) -> None:
    a = synthetic_demand(city, resolution_m=400, seed=3)
    b = synthetic_demand(city, resolution_m=400, seed=3)
    c = synthetic_demand(city, resolution_m=400, seed=4)
    assert np.array_equal(a.weight, b.weight)
    assert not np.allclose(a.weight, c.weight)
    assert "seed=3" in a.source and a.unit == "people"


def test_total_is_the_fictitious_total_and_nothing_lies_outside(city) -> None:
    r = synthetic_demand(city, resolution_m=300)
    assert r.total == pytest.approx(SYNTHETIC_TOTAL, rel=1e-9)
    assert (r.weight >= 0).all()
    assert (r.weight[r.district < 0] == 0).all()
    assert r.grid == city_grid(city, 300)
    shares = r.by_district()
    assert set(shares) == {d.code for d in city.districts}
    assert all(v > 0 for v in shares.values())


def test_cores_are_dense_and_hills_nearly_empty(city) -> None:
    r = synthetic_demand(city, resolution_m=200)
    futian = _at(r, city, 114.055, 22.540)
    wutong = _at(r, city, 114.205, 22.585)  # Wutong Shan
    median_inside = float(np.median(r.weight[r.district >= 0]))
    assert futian > 5 * median_inside
    assert wutong < 0.2 * median_inside
    assert futian > 20 * wutong


def test_resolutions_show_the_same_city(city) -> None:
    fine = synthetic_demand(city, resolution_m=200)
    coarse = synthetic_demand(city, resolution_m=400)
    # district totals agree within a few % (only boundary pixels differ)
    for code, total in coarse.by_district().items():
        assert fine.by_district()[code] == pytest.approx(total, rel=0.05)
