"""GCJ-02 ↔ WGS84 against vectors published with independent implementations."""

from __future__ import annotations

import numpy as np
import pytest

from zhiguo.operations.geo import gcj02_to_wgs84, in_china, wgs84_to_gcj02

# (wgs lon, wgs lat, gcj lon, gcj lat): eviltransform's test table (Shanghai, Shenzhen,
# Beijing) and coordtransform's README example (Beijing).
VECTORS = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),
    (116.404, 39.915, 116.41024449916938, 39.91640428150164),
]


@pytest.mark.parametrize(("wlon", "wlat", "glon", "glat"), VECTORS)
def test_forward_matches_published_vectors(
    wlon: float, wlat: float, glon: float, glat: float
) -> None:
    lon, lat = wgs84_to_gcj02(wlon, wlat)
    assert float(lon) == pytest.approx(glon, abs=1e-9)
    assert float(lat) == pytest.approx(glat, abs=1e-9)


@pytest.mark.parametrize(("wlon", "wlat", "glon", "glat"), VECTORS)
def test_inverse_recovers_wgs84_to_a_millimetre(
    wlon: float, wlat: float, glon: float, glat: float
) -> None:
    lon, lat = gcj02_to_wgs84(glon, glat)
    # 1e-8° is about a millimetre; the one-step inverse found in much public code is off by metres.
    assert float(lon) == pytest.approx(wlon, abs=1e-8)
    assert float(lat) == pytest.approx(wlat, abs=1e-8)


def test_round_trip_over_the_city_is_exact_and_the_offset_is_hundreds_of_metres() -> None:
    rng = np.random.default_rng(7)
    lon = rng.uniform(113.75, 114.6, 2000)
    lat = rng.uniform(22.4, 22.87, 2000)
    glon, glat = wgs84_to_gcj02(lon, lat)
    back_lon, back_lat = gcj02_to_wgs84(glon, glat)
    assert np.max(np.abs(back_lon - lon)) < 1e-9
    assert np.max(np.abs(back_lat - lat)) < 1e-9
    metres = np.hypot((glon - lon) * 102_800, (glat - lat) * 110_800)
    assert metres.min() > 200 and metres.max() < 800


def test_no_offset_outside_china() -> None:
    assert not bool(in_china(2.35, 48.85))
    lon, lat = wgs84_to_gcj02(2.35, 48.85)
    assert (float(lon), float(lat)) == (2.35, 48.85)
    lon, lat = gcj02_to_wgs84(2.35, 48.85)
    assert (float(lon), float(lat)) == (2.35, 48.85)
