"""The operations map page and its district outlines: rendered in zh and en without inline
script, the outlines served in WGS84 (converted from the bundled GCJ-02 file) inside
Shenzhen's box, the ``public`` role refused, anonymous callers sent to log in."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

import numpy as np
import pytest
import shapely
from shapely import affinity
from shapely.geometry import shape

from zhiguo.core import Role, session_scope
from zhiguo.operations.geo import Projector, gcj02_to_wgs84
from zhiguo.security import add_user
from zhiguo.web.routers.operations_map import TEXT

HTML = {"Accept": "text/html"}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>")
DISTRICTS = "/api/operations/map/districts.geojson"
# Shenzhen: about 113.75–114.65 °E, 22.4–22.9 °N (WGS84).
LON_BOX, LAT_BOX = (113.70, 114.70), (22.35, 22.90)


@pytest.fixture
def citizen(app_world: Any) -> Any:
    """A client logged in with the ``public`` role."""
    with session_scope(app_world.app.state.sessionmaker) as session:
        add_user(
            session=session,
            username="citizen",
            role=Role.PUBLIC,
            password="Citizen-Pass-2024!",
            must_change_password=False,
        )
    client = app_world.client(None)
    assert app_world.log_in(client, "citizen", "Citizen-Pass-2024!").status_code == 200
    return client


def test_map_texts_exist_in_both_languages() -> None:
    assert set(TEXT["zh"]) == set(TEXT["en"])


def test_the_map_page_renders_in_chinese_with_its_data_sources(app_world: Any) -> None:
    page = app_world.client("analyst").get("/operations/map", headers=HTML)
    assert page.status_code == 200
    html = page.text
    assert 'lang="zh-CN"' in html and "5G 站址地图" in html
    assert not INLINE_SCRIPT.search(html)
    assert '<script src="/static/vendor/echarts.min.js"' in html
    assert '<script src="/static/js/operations_map.js"' in html
    assert 'href="/static/css/operations.css"' in html
    assert 'data-districts-url="/api/operations/map/districts.geojson"' in html
    assert 'data-sites-url="/api/operations/sites.geojson"' in html
    assert 'data-plans-url="/api/operations/plans"' in html
    assert 'data-coverage-url="/api/operations/coverage/runs"' in html
    assert 'data-regulator="true"' in html and 'data-testid="plan-form"' in html
    # the top nav links the operations pages, and the sub-navigation all three of them
    assert '<a href="/operations/map">智慧运营</a>' in html
    subnav = html[html.index('data-testid="ops-subnav"') :]
    subnav = subnav[: subnav.index("</nav>")]
    for href, label in (("/operations/map", "地图"), ("/operations/sites", "站址")):
        assert f'href="{href}"' in subnav and label in subnav
    assert 'href="/operations/leases"' in subnav and "租赁" in subnav
    # the texts the script shows travel as JSON in data-labels (escaped by Jinja)
    labels = json.loads(unescape(re.search(r'data-labels="([^"]*)"', html).group(1)))  # type: ignore[union-attr]
    assert labels["plan.gap"] == "与界的差距" and labels["type.smart_pole"] == "智慧杆"


def test_the_map_page_renders_in_english(app_world: Any) -> None:
    html = app_world.client("analyst").get("/operations/map?lang=en", headers=HTML).text
    assert '<html lang="en">' in html
    assert "5G site map" in html and "Run a plan" in html and "Gap to the bound" in html
    assert '<a href="/operations/map">Operations</a>' in html
    labels = json.loads(unescape(re.search(r'data-labels="([^"]*)"', html).group(1)))  # type: ignore[union-attr]
    assert labels["plan.gap"] == "Gap to the bound"


def test_an_enterprise_user_sees_the_map_without_the_plan_form(app_world: Any) -> None:
    html = app_world.client("off_g1").get("/operations/map", headers=HTML).text
    assert 'data-regulator="false"' in html
    assert 'data-testid="plan-form"' not in html


def test_the_district_outlines_are_wgs84_inside_shenzhen(app_world: Any) -> None:
    response = app_world.client("off_g1").get(DISTRICTS)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection"
    names = {f["properties"]["name"] for f in body["features"]}
    assert len(body["features"]) == 8 and {"福田区", "南山区", "罗湖区"} <= names
    assert all(f["properties"]["name_en"] for f in body["features"])
    geoms = [shape(f["geometry"]) for f in body["features"]]
    west, south, east, north = shapely.union_all(geoms).bounds
    assert LON_BOX[0] < west < east < LON_BOX[1]
    assert LAT_BOX[0] < south < north < LAT_BOX[1]
    assert 1900 < sum(_area_km2(g) for g in geoms) < 2400


def test_the_outlines_are_the_bundled_gcj02_file_shifted_to_wgs84(app_world: Any) -> None:
    """GCJ-02 is offset from WGS84 by a few hundred metres around Shenzhen: the served
    outline must be the bundled one moved by that offset, not the raw file."""
    bundled = app_world.client("analyst").get("/static/vendor/geo/shenzhen-districts.geojson")
    served = app_world.client("analyst").get(DISTRICTS).json()
    raw = {f["properties"]["name"]: shape(f["geometry"]) for f in bundled.json()["features"]}
    for feature in served["features"]:
        out = shape(feature["geometry"])
        gcj = raw[feature["properties"]["name"]]
        lon, lat = gcj.representative_point().coords[0]
        wlon, wlat = gcj02_to_wgs84(lon, lat)
        shift = (float(wlon) - lon, float(wlat) - lat)
        assert 0.002 < abs(shift[0]) + abs(shift[1]) < 0.02  # ≈ 0.5 km in Shenzhen
        moved = affinity.translate(gcj, *shift)
        assert out.symmetric_difference(moved).area < 0.02 * out.area
        assert out.symmetric_difference(gcj).area > 0.02 * out.area


def test_the_public_role_is_refused(citizen: Any) -> None:
    assert citizen.get("/operations/map", headers=HTML).status_code == 403
    nav = citizen.get("/", headers=HTML).text
    assert 'href="/operations/map"' not in nav


def test_anonymous_callers_are_sent_to_log_in(app_world: Any) -> None:
    anonymous = app_world.client(None)
    page = anonymous.get("/operations/map", headers=HTML)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    assert anonymous.get(DISTRICTS).status_code == 401


def _area_km2(geom: Any) -> float:
    """Area of a lon/lat geometry in km², projected to CGCS2000 GK (EPSG:4547)."""
    projector = Projector("EPSG:4547")

    def to_m(ll: Any) -> Any:
        return np.column_stack(projector.to_xy(ll[:, 0], ll[:, 1]))

    return float(shapely.transform(geom, to_m).area) / 1e6
