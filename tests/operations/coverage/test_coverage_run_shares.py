"""A coverage run checked by hand: one site at a known spot, its RSRP, its coverage radius and
its district's share; demand shares with all demand in one pixel; the heat maps."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import numpy as np
import pytest
import shapely
from PIL import Image
from shapely.geometry import Point, shape

from zhiguo.operations.coverage.kernel import Sites, nlos_pathloss_db
from zhiguo.operations.coverage.outputs import heatmap_classes, heatmap_geojson, write_outputs
from zhiguo.operations.coverage.run import RunSite, compute_coverage
from zhiguo.operations.coverage.siteradio import eirp_dbm
from zhiguo.operations.demand import DemandRaster, city_grid, district_raster
from zhiguo.operations.geo import load_city
from zhiguo.operations.radio import get_band

RES = 200.0
THRESHOLD = -105.0
FUTIAN = (114.0550, 22.5400)
FAR_EAST = (114.5600, 22.5300)


@pytest.fixture(scope="module")
def city():
    return load_city()


@pytest.fixture(scope="module")
def one_site(city):
    grid = city_grid(city, RES)
    x, y = city.projector.to_xy(*FUTIAN)
    # put the site exactly on a pixel centre
    col = int((x - grid.x_min) // RES)
    row = int((y - grid.y_min) // RES)
    sx, sy = grid.x_min + (col + 0.5) * RES, grid.y_min + (row + 0.5) * RES
    site = RunSite(id=77, x_m=sx, y_m=sy, height_m=30.0, site_type="rooftop")
    result = compute_coverage(
        city, [site], "n78", resolution_m=RES, cutoff_m=2500, threshold_dbm=THRESHOLD
    )
    return result, site, (row, col)


def _radius(site: RunSite) -> float:
    """Distance where RSRP falls to the threshold, by bisection on the radio package's loss."""
    band = get_band("n78")
    eirp = eirp_dbm("rooftop", band)
    s = Sites.build(x=[0.0], y=[0.0], height_m=[site.height_m], eirp_dbm=[eirp], scenario="UMa")
    lo, hi = 10.0, 2500.0
    for _ in range(80):
        mid = (lo + hi) / 2
        pl = float(nlos_pathloss_db(s, np.array([[mid]]), fc_ghz=band.fc_ghz).ravel()[0])
        lo, hi = (mid, hi) if eirp - pl >= THRESHOLD else (lo, mid)
    return lo


def test_the_site_pixel_gets_the_kernel_rsrp(one_site) -> None:
    result, _site, (row, col) = one_site
    band = get_band("n78")
    s = Sites.build(x=[0.0], y=[0.0], height_m=[30.0], eirp_dbm=[0.0], scenario="UMa")
    pl10 = float(nlos_pathloss_db(s, np.array([[10.0]]), fc_ghz=band.fc_ghz).ravel()[0])
    expected = eirp_dbm("rooftop", band) - pl10  # d2D = 0 takes the 10 m value
    assert result.coverage.rsrp_dbm[row, col] == pytest.approx(expected, abs=1e-9)
    assert result.server_site_id[row, col] == 77
    # one pixel east: d2D = 200 m
    pl200 = float(nlos_pathloss_db(s, np.array([[RES]]), fc_ghz=band.fc_ghz).ravel()[0])
    assert result.coverage.rsrp_dbm[row, col + 1] == pytest.approx(
        eirp_dbm("rooftop", band) - pl200, abs=1e-9
    )
    assert result.sites == 1


def test_district_share_equals_the_hand_count(one_site, city) -> None:
    result, site, _ = one_site
    radius = _radius(site)
    assert 300 < radius < 2500
    grid = result.grid
    xx, yy = np.meshgrid(grid.centres_x(), grid.centres_y())
    dist = np.hypot(xx - site.x_m, yy - site.y_m)
    codes = city.district_of_xy(xx, yy)
    d = int(city.district_of_xy(site.x_m, site.y_m))
    assert city.districts[d].name_en == "Futian"
    near_edge = np.abs(dist - radius) < 1e-6
    assert not near_edge.any()
    in_d = codes == d
    expected = int((in_d & (dist <= radius)).sum()) / int(in_d.sum())
    share = next(s for s in result.districts if s.code == d)
    assert share.pixels == int(in_d.sum())
    assert share.area_share == pytest.approx(expected, abs=1e-12)
    assert 0 < share.area_share < 1
    inside = codes >= 0
    assert result.city.area_share == pytest.approx(
        int((inside & (dist <= radius)).sum()) / int(inside.sum()), abs=1e-12
    )
    others = [s for s in result.districts if s.code != d and s.covered_pixels == 0]
    assert len(others) >= 5
    assert result.city.demand_share is None


def _point_demand(city, lonlat: tuple[float, float]) -> DemandRaster:
    grid = city_grid(city, RES)
    district = district_raster(city, grid)
    weight = np.zeros((grid.ny, grid.nx))
    x, y = city.projector.to_xy(*lonlat)
    weight[int((y - grid.y_min) // RES), int((x - grid.x_min) // RES)] = 1000.0
    return DemandRaster(grid, weight, district, "test", "people")


@pytest.mark.parametrize(("where", "share"), [(FUTIAN, 1.0), (FAR_EAST, 0.0)])
def test_demand_in_one_pixel_is_all_or_nothing(city, one_site, where, share) -> None:
    _, site, _ = one_site
    r = compute_coverage(
        city, [site], "n78", resolution_m=RES, threshold_dbm=THRESHOLD,
        demand=_point_demand(city, where),
    )  # fmt: skip
    assert r.city.demand_share == share
    assert r.city.demand_weight == pytest.approx(1000.0)
    assert r.demand_source == "test"


def test_demand_on_another_grid_is_resampled(city, one_site) -> None:
    _, site, _ = one_site
    grid = city_grid(city, 100.0)
    district = district_raster(city, grid)
    weight = np.where(district >= 0, 1.0, 0.0)
    r = compute_coverage(
        city, [site], "n78", resolution_m=RES, threshold_dbm=THRESHOLD,
        demand=DemandRaster(grid, weight, district, "flat", "people"),
    )  # fmt: skip
    assert r.city.demand_weight == pytest.approx(weight.sum())
    # flat demand: the demand share is close to the area share
    assert r.city.demand_share == pytest.approx(r.city.area_share, rel=0.1)


def test_indoor_and_no_sites(city) -> None:
    x, y = city.projector.to_xy(*FUTIAN)
    indoor = RunSite(1, float(x), float(y), 3.0, "indoor")
    r = compute_coverage(city, [indoor], "n78", resolution_m=400)
    assert r.sites == 0
    assert r.city.covered_pixels == 0 and r.city.area_share == 0.0
    assert (r.server_site_id == -1).all()


def test_heatmap_classes_follow_the_threshold() -> None:
    five = heatmap_classes(-105)
    assert [c["lo"] for c in five] == [-85, -95, -105, -115, -125]
    assert [c["lo"] for c in heatmap_classes(-90)] == [-85, -95, -105, -110]


def test_heatmaps_are_opaque_at_the_site_and_transparent_far_away(
    city, one_site, tmp_path: Path
) -> None:
    result, site, _ = one_site
    files = write_outputs(result, city, tmp_path / "run")
    img = Image.open(io.BytesIO(files["png"].read_bytes()))
    assert img.mode == "RGBA"
    west, south, east, north = result.bounds_lonlat
    w, h = img.size
    lon, lat = (float(v) for v in city.projector.to_lonlat(site.x_m, site.y_m))

    def alpha(lon: float, lat: float) -> int:
        i = math.floor((lon - west) / (east - west) * w)
        j = math.floor((north - lat) / (north - south) * h)
        return int(img.getpixel((i, j))[3])

    assert alpha(lon, lat) > 0
    assert alpha(*FAR_EAST) == 0
    assert img.getpixel(
        (
            math.floor((lon - west) / (east - west) * w),
            math.floor((north - lat) / (north - south) * h),
        )
    )[:3] == (26, 150, 65)
    geo = json.loads(files["geojson"].read_text(encoding="utf-8"))
    assert geo == json.loads(json.dumps(heatmap_geojson(result, city)))
    strongest = shape(geo["features"][0]["geometry"])
    assert geo["features"][0]["properties"]["class"] == 0
    assert strongest.contains(Point(lon, lat))
    union = shapely.union_all([shape(f["geometry"]) for f in geo["features"]])
    assert not union.contains(Point(*FAR_EAST))
    assert files["summary"].read_text(encoding="utf-8").splitlines()[1].startswith("-1,全市")
