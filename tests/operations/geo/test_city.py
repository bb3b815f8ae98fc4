"""The bundled district outlines, the projection, and point → district lookups."""

from __future__ import annotations

import numpy as np
import pytest

from zhiguo.core.errors import ConfigError
from zhiguo.core.settings import OperationsSettings
from zhiguo.operations.geo import Projector, city_from_settings, load_city


def test_bundled_outlines_are_shenzhen_in_metres() -> None:
    city = city_from_settings(OperationsSettings())
    names = {d.name_zh for d in city.districts}
    assert {"福田区", "南山区", "罗湖区", "宝安区", "龙岗区"} <= names
    # Shenzhen is about 2,000 km² of land; the coarse outlines include some shore.
    assert 1800 < city.area_km2 < 2300
    x_min, y_min, x_max, y_max = city.bounds_xy
    # EPSG:4547 has its central meridian at 114°E with a 500 km false easting.
    assert 440_000 < x_min < x_max < 600_000
    assert 2_450_000 < y_min < y_max < 2_560_000


def test_points_fall_in_the_right_district() -> None:
    city = load_city()
    by_name = {d.name_zh: d.code for d in city.districts}
    # Civic Center (Futian) and Shenzhen Bay Sports Center (Nanshan), WGS84; Hong Kong outside.
    x, y = city.projector.to_xy([114.0596, 113.9437, 114.1694], [22.5429, 22.5115, 22.3193])
    codes = city.district_of_xy(x, y)
    assert codes[0] == by_name["福田区"]
    assert codes[1] == by_name["南山区"]
    assert codes[2] == -1
    assert city.distance_outside_m(x, y)[2] > 5_000


def test_projection_round_trips_and_matches_the_meridian() -> None:
    p = Projector("EPSG:4547")
    x, y = p.to_xy(114.0, 22.5)
    assert float(x) == pytest.approx(500_000.0, abs=1e-6)  # on the central meridian
    lon, lat = p.to_lonlat(x, y)
    assert float(lon) == pytest.approx(114.0, abs=1e-9)
    assert float(lat) == pytest.approx(22.5, abs=1e-9)
    utm = Projector("EPSG:32650")
    ux, _ = utm.to_xy(117.0, 22.5)  # UTM 50N's central meridian is 117°E
    assert float(ux) == pytest.approx(500_000.0, abs=1e-6)


def test_unknown_crs_and_missing_file_are_configuration_errors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError):
        Projector("EPSG:3857")
    with pytest.raises(ConfigError) as err:
        load_city(tmp_path / "none.geojson")
    assert "make assets" in err.value.message_en


def test_geojson_export_is_wgs84() -> None:
    gj = load_city().lonlat_geojson()
    coords = np.array([pt for f in gj["features"] for ring in _rings(f["geometry"]) for pt in ring])
    assert coords[:, 0].min() > 113.6 and coords[:, 0].max() < 114.7
    assert coords[:, 1].min() > 22.3 and coords[:, 1].max() < 22.9


def _rings(geom: dict) -> list:  # type: ignore[type-arg]
    if geom["type"] == "Polygon":
        return list(geom["coordinates"])
    return [ring for poly in geom["coordinates"] for ring in poly]
