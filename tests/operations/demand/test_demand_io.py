"""Demand from CSV and GeoTIFF: points binned onto the grid, rasters area-summed, round trips,
and every bad input named with its location (nothing returned)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import tifffile

from zhiguo.core.errors import ImportRejected
from zhiguo.operations.demand import (
    DemandError,
    DemandRaster,
    read_demand_csv,
    read_demand_file,
    read_demand_geotiff,
    synthetic_demand,
    write_demand_geotiff,
)
from zhiguo.operations.geo import load_city, wgs84_to_gcj02

FUTIAN = (114.0550, 22.5400)
LONGGANG = (114.2500, 22.7200)


@pytest.fixture(scope="module")
def city():
    return load_city()


def _pixel(r: DemandRaster, city, lon: float, lat: float) -> tuple[int, int]:
    x, y = city.projector.to_xy(lon, lat)
    g = r.grid
    return int((y - g.y_min) // g.resolution_m), int((x - g.x_min) // g.resolution_m)


def _csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _codes(exc: pytest.ExceptionInfo[ImportRejected]) -> list[tuple[str, int | None, str | None]]:
    return [
        (p["code"], p["location"].get("row"), p["location"].get("column"))
        for p in exc.value.details["problems"]
    ]


def test_csv_points_are_summed_into_their_pixels(city, tmp_path: Path) -> None:
    f = _csv(
        tmp_path / "d.csv",
        f"lon,lat,weight\n{FUTIAN[0]},{FUTIAN[1]},100\n{FUTIAN[0]},{FUTIAN[1]},50\n"
        f"{LONGGANG[0]},{LONGGANG[1]},7.5\n",
    )
    r = read_demand_csv(f, city, resolution_m=200)
    assert r.total == pytest.approx(157.5)
    assert r.weight[_pixel(r, city, *FUTIAN)] == pytest.approx(150)
    assert r.weight[_pixel(r, city, *LONGGANG)] == pytest.approx(7.5)
    assert np.count_nonzero(r.weight) == 2
    assert "sha256=" in r.source


def test_gcj02_declared_lands_where_wgs84_does(city, tmp_path: Path) -> None:
    glon, glat = wgs84_to_gcj02(np.array([FUTIAN[0]]), np.array([FUTIAN[1]]))
    f = _csv(tmp_path / "g.csv", f"lon,lat,weight\n{glon[0]:.8f},{glat[0]:.8f},9\n")
    r = read_demand_csv(f, city, resolution_m=100, datum="gcj02")
    assert r.weight[_pixel(r, city, *FUTIAN)] == pytest.approx(9)
    # read as WGS84 it lands elsewhere (the GCJ-02 offset is hundreds of metres)
    wrong = read_demand_csv(f, city, resolution_m=100, datum="wgs84")
    assert wrong.weight[_pixel(r, city, *FUTIAN)] == 0


def test_projected_csv(city, tmp_path: Path) -> None:
    x, y = city.projector.to_xy(*FUTIAN)
    f = _csv(tmp_path / "xy.csv", f"x_m,y_m,weight\n{float(x)},{float(y)},3\n")
    r = read_demand_csv(f, city, resolution_m=200, unit="traffic")
    assert r.unit == "traffic"
    assert r.weight[_pixel(r, city, *FUTIAN)] == pytest.approx(3)


def test_bad_csv_rows_are_each_named(city, tmp_path: Path) -> None:
    f = _csv(
        tmp_path / "bad.csv",
        "lon,lat,weight\n"
        f"{FUTIAN[0]},{FUTIAN[1]},-1\n"  # row 2: negative
        f"{FUTIAN[0]},{FUTIAN[1]},nan\n"  # row 3: NaN
        f"{FUTIAN[0]},{FUTIAN[1]},many\n"  # row 4: not a number
        f"{FUTIAN[1]},{FUTIAN[0]},1\n"  # row 5: swapped
        "114.17,22.30,1\n",  # row 6: Hong Kong, outside the city
    )
    with pytest.raises(ImportRejected) as exc:
        read_demand_csv(f, city, resolution_m=200)
    codes = _codes(exc)
    assert ("ZG-DEMAND-012", 2, "weight") in codes
    assert ("ZG-DEMAND-012", 3, "weight") in codes
    assert ("ZG-DEMAND-011", 4, "weight") in codes
    assert ("ZG-DEMAND-014", 5, "lon") in codes
    assert all(c[0] != "ZG-DEMAND-013" for c in codes)  # outside is checked once rows parse
    good_but_outside = _csv(tmp_path / "out.csv", "lon,lat,weight\n114.17,22.30,1\n")
    with pytest.raises(ImportRejected) as exc2:
        read_demand_csv(good_but_outside, city, resolution_m=200)
    assert _codes(exc2) == [("ZG-DEMAND-013", 2, "lon")]
    problem = exc2.value.details["problems"][0]
    assert "市界外" in problem["message_zh"] and "outside the city" in problem["message_en"]


def test_missing_columns_and_empty_files(city, tmp_path: Path) -> None:
    with pytest.raises(ImportRejected) as exc:
        read_demand_csv(_csv(tmp_path / "c.csv", "lng,lat,w\n1,2,3\n"), city)
    assert _codes(exc) == [("ZG-DEMAND-010", 1, None)]
    with pytest.raises(ImportRejected) as exc2:
        read_demand_csv(_csv(tmp_path / "e.csv", "lon,lat,weight\n"), city)
    assert _codes(exc2)[0][0] == "ZG-DEMAND-015"
    with pytest.raises(DemandError):
        read_demand_csv(_csv(tmp_path / "u.csv", "lon,lat,weight\n"), city, unit="cars")
    with pytest.raises(DemandError):
        read_demand_file(_csv(tmp_path / "d.xlsx", ""), city)


def test_geotiff_round_trip_and_area_sum(city, tmp_path: Path) -> None:
    src = synthetic_demand(city, resolution_m=400, seed=1)
    path = write_demand_geotiff(tmp_path / "d.tif", src)
    back = read_demand_file(path, city, resolution_m=400)
    assert back.grid == src.grid
    np.testing.assert_allclose(back.weight, src.weight, rtol=1e-12, atol=1e-9)
    # onto a finer grid: split, totals kept; onto a coarser one: summed
    fine = read_demand_geotiff(path, city, resolution_m=200)
    coarse = read_demand_geotiff(path, city, resolution_m=800)
    assert fine.total == pytest.approx(src.total, rel=1e-9)
    assert coarse.total == pytest.approx(src.total, rel=1e-9)
    assert np.count_nonzero(fine.weight) > 3 * np.count_nonzero(src.weight)


def test_geotiff_in_utm_is_reprojected(city, tmp_path: Path) -> None:
    from pyproj import Transformer

    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32650", always_xy=True)
    x, y = to_utm.transform(*FUTIAN)
    data = np.zeros((3, 3))
    data[1, 1] = 42.0  # the centre cell's centre is FUTIAN
    geokeys = (1, 1, 0, 1, 3072, 0, 1, 32650)
    path = tmp_path / "utm.tif"
    tifffile.imwrite(
        path,
        data,
        extratags=[
            (33550, "d", 3, (100.0, 100.0, 0.0), False),
            (33922, "d", 6, (0, 0, 0, x - 150.0, y + 150.0, 0), False),
            (34735, "H", len(geokeys), geokeys, False),
        ],
    )
    r = read_demand_geotiff(path, city, resolution_m=200)
    assert r.total == pytest.approx(42.0)
    assert r.weight[_pixel(r, city, *FUTIAN)] == pytest.approx(42.0)


def _tif(path: Path, data: np.ndarray, *, crs: int | None = 4547, tags: bool = True,
         x0: float = 500_000.0, y0: float = 2_495_000.0) -> Path:  # fmt: skip
    extratags = []
    if tags:
        extratags += [
            (33550, "d", 3, (100.0, 100.0, 0.0), False),
            (33922, "d", 6, (0, 0, 0, x0, y0, 0), False),
        ]
    if crs is not None:
        keys = (1, 1, 0, 1, 3072, 0, 1, crs)
        extratags.append((34735, "H", len(keys), keys, False))
    tifffile.imwrite(path, data, extratags=extratags)
    return path


def test_bad_geotiffs_are_each_named(city, tmp_path: Path) -> None:
    x, y = city.projector.to_xy(*FUTIAN)
    ok = np.ones((2, 2))
    with pytest.raises(ImportRejected) as e1:
        read_demand_geotiff(_tif(tmp_path / "a.tif", ok, tags=False), city)
    assert {c[0] for c in _codes(e1)} == {"ZG-DEMAND-020"}
    assert len(_codes(e1)) == 2  # scale and tie point named
    with pytest.raises(ImportRejected) as e2:
        read_demand_geotiff(_tif(tmp_path / "b.tif", ok, crs=None), city)
    assert "34735" in e2.value.details["problems"][0]["message_en"]
    with pytest.raises(ImportRejected) as e3:
        read_demand_geotiff(_tif(tmp_path / "c.tif", ok, crs=4326), city)
    assert _codes(e3)[0][0] == "ZG-DEMAND-021"
    assert "EPSG:4326" in e3.value.details["problems"][0]["message_en"]
    bad = np.ones((2, 3))
    bad[1, 2] = -5
    with pytest.raises(ImportRejected) as e4:
        read_demand_geotiff(_tif(tmp_path / "d.tif", bad, x0=float(x), y0=float(y)), city)
    assert _codes(e4) == [("ZG-DEMAND-012", 2, "3")]
    with pytest.raises(ImportRejected) as e5:  # a raster far out at sea
        read_demand_geotiff(_tif(tmp_path / "e.tif", ok, x0=float(x), y0=float(y) - 60_000), city)
    assert {c[0] for c in _codes(e5)} == {"ZG-DEMAND-023"}
    (tmp_path / "f.tif").write_bytes(b"not a tiff")
    with pytest.raises(ImportRejected) as e6:
        read_demand_geotiff(tmp_path / "f.tif", city)
    assert _codes(e6)[0][0] == "ZG-DEMAND-022"
