"""Matching: which sites qualify for a request, and their ranking by coverage gain over the
carrier's in-service sites (uniform weight, or a demand raster's)."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pytest
from leasing_fixtures import CENTRE, CX, CY, PROJECTOR, add_site, carrier, point_request, regulator
from sqlalchemy.orm import Session

from zhiguo.operations.coverage.kernel import Grid
from zhiguo.operations.leasing import (
    BadArea,
    MatchCandidate,
    coverage_gain,
    create_request,
    match_request,
)
from zhiguo.operations.leasing.matching import area_xy


@dataclass(frozen=True)
class _Site:
    x_m: float
    y_m: float
    height_m: float
    site_type: str


@dataclass(frozen=True)
class _Demand:
    grid: Grid
    weight: np.ndarray


def _north_only_demand() -> _Demand:
    """Weight 1 north of CENTRE, 0 south of it (a 100 m raster over 4 km × 4 km)."""
    grid = Grid(x_min=CX - 2000, y_min=CY - 2000, nx=40, ny=40, resolution_m=100.0)
    weight = np.zeros((40, 40))
    weight[20:, :] = 1.0  # rows north of CY
    return _Demand(grid, weight)


def test_the_filter_keeps_only_sites_meeting_the_requirements(sample_session: Session) -> None:
    s = sample_session
    good = add_site(s, "A1", dx=300)
    add_site(s, "A1", dx=-300, height_m=12)  # too low
    add_site(s, "B1", dy=300, power_kw=2)  # too little power
    add_site(s, "B1", dy=-300, has_fibre=False)  # no fibre
    add_site(s, "A2", dx=200, dy=200, status="leased")  # not available
    add_site(s, "A2", dx=2000)  # outside the 800 m disc
    add_site(s, "A2", dx=-200, dy=-200, site_type="indoor")  # indoor, request is outdoor
    pole = add_site(s, "B11", dx=-100, site_type="smart_pole", height_m=20)
    req = point_request(s, carrier(), min_height_m=20, power_kw=5, needs_fibre=True)
    report = match_request(session=s, caller=carrier(), request_id=req)
    assert {c.site_id for c in report.candidates} == {good.id, pole.id}
    assert report.weighting == "uniform" and report.area_pixels > 0
    # the macro on a rooftop covers more of the area than a small cell
    assert [c.site_id for c in report.candidates] == [good.id, pole.id]


def test_a_site_near_the_carriers_own_coverage_gains_less(sample_session: Session) -> None:
    s = sample_session
    east = add_site(s, "A1", dx=600)
    west = add_site(s, "B1", dx=-600)
    add_site(s, "A2", dx=-700, status="in_service", carriers="mobile,unicom")
    mobile = match_request(
        session=s, caller=carrier("mobile"), request_id=point_request(s, carrier("mobile"))
    )
    gains = {c.site_id: c.gain_weight for c in mobile.candidates}
    assert gains[east.id] > gains[west.id] > 0
    assert mobile.existing_sites == 1 and mobile.covered_before_share > 0
    # telecom has nothing there: east and west are mirror images, equal gains
    telecom = match_request(
        session=s, caller=carrier("telecom"), request_id=point_request(s, carrier("telecom"))
    )
    gains_t = {c.site_id: c.gain_weight for c in telecom.candidates}
    assert telecom.existing_sites == 0
    assert gains_t[east.id] == pytest.approx(gains_t[west.id], rel=0.02)
    assert gains_t[west.id] > gains[west.id]


def test_demand_weights_the_gain(sample_session: Session) -> None:
    s = sample_session
    south = add_site(s, "A1", dy=-600)
    north = add_site(s, "A1", dy=600)
    req = point_request(s, carrier())
    uniform = match_request(session=s, caller=carrier(), request_id=req)
    by_id = {c.site_id: c for c in uniform.candidates}
    assert by_id[north.id].gain_weight == pytest.approx(by_id[south.id].gain_weight, rel=0.02)
    weighted = match_request(
        session=s, caller=regulator(), request_id=req, demand=_north_only_demand()
    )
    assert weighted.weighting == "demand"
    assert weighted.candidates[0].site_id == north.id
    ranked = {c.site_id: c.gain_weight for c in weighted.candidates}
    assert ranked[south.id] == 0.0 < ranked[north.id]


def test_a_carrier_sees_no_other_carriers_data_in_matches() -> None:
    names = {f.name for f in fields(MatchCandidate)}
    assert {"owner", "height_m", "site_type", "lon", "lat"} <= names
    assert not names & {"carriers", "status", "rent_cny_year", "leases", "restrictions"}


def test_a_polygon_request(sample_session: Session) -> None:
    s = sample_session
    inside = add_site(s, "A1", dx=100, dy=100)
    add_site(s, "A1", dx=-400, dy=-400)  # outside the square
    lon0, lat0 = (float(v[0]) for v in PROJECTOR.to_lonlat([CX - 200], [CY - 200]))
    lon1, lat1 = (float(v[0]) for v in PROJECTOR.to_lonlat([CX + 300], [CY + 300]))
    square = {
        "type": "Polygon",
        "coordinates": [[[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]],
    }
    req = create_request(session=s, caller=carrier(), band="n41", area_geojson=square)
    report = match_request(session=s, caller=carrier(), request_id=req.id, resolution_m=25)
    assert [c.site_id for c in report.candidates] == [inside.id]
    assert 350 <= report.area_pixels <= 450  # 500 m × 500 m at 25 m = 400


@pytest.mark.parametrize(
    "area",
    [
        {"radius_m": None},  # neither disc nor polygon
        {"radius_m": 5.0},  # radius too small
        {"area_geojson": {"type": "Point", "coordinates": [114.06, 22.54]}},
        {
            "area_geojson": {  # a bow tie: self-intersecting
                "type": "Polygon",
                "coordinates": [
                    [[114.0, 22.5], [114.1, 22.6], [114.1, 22.5], [114.0, 22.6], [114.0, 22.5]]
                ],
            },
            "radius_m": None,
        },
    ],
)
def test_bad_areas_are_refused(sample_session: Session, area: dict[str, object]) -> None:
    kw: dict[str, object] = {"lon": CENTRE[0], "lat": CENTRE[1], "radius_m": 500.0}
    kw.update(area)
    if "area_geojson" in area:
        kw.update(lon=None, lat=None, radius_m=None)
    with pytest.raises(BadArea):
        create_request(session=sample_session, caller=carrier(), band="n78", **kw)  # type: ignore[arg-type]


def test_indoor_candidates_have_no_outdoor_gain() -> None:
    area = area_xy(
        projector=PROJECTOR, lon=CENTRE[0], lat=CENTRE[1], radius_m=500, area_geojson=None
    )
    cov = coverage_gain(
        area,
        [_Site(CX, CY, 20, "indoor"), _Site(CX, CY, 20, "rooftop")],
        [],
        band="n78",
        threshold_dbm=-105,
        resolution_m=50,
        cutoff_m=2500,
    )
    assert cov.gain[0] == 0 and cov.gain[1] > 0
    assert cov.covered_before == 0 and cov.weighting == "uniform"
