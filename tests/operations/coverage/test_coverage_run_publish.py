"""The coverage run end to end: sites from the sites table (built vs all, indoor left out),
the lake datasets, the run registry and its JSON, the files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from coverage_fixtures import FAR_EAST, FUTIAN, add_site
from sqlalchemy.orm import Session

from zhiguo.datacenter.catalog import default_registry
from zhiguo.datacenter.catalog.models import TableCommit
from zhiguo.datacenter.lake import open_table
from zhiguo.operations.coverage.errors import CoverageError, NoCoverageRun
from zhiguo.operations.coverage.run import load_run_sites, run_coverage
from zhiguo.operations.coverage.runs import get_run, heatmap_file, latest_run, list_runs, run_json
from zhiguo.operations.demand import publish_demand, synthetic_demand
from zhiguo.operations.geo import load_city


def test_datasets_are_declared_open() -> None:
    reg = default_registry()
    for name in ("operations.coverage_pixels", "operations.coverage_summary"):
        assert reg.get(name).public_readable


def test_built_and_all_site_sets(sample_session: Session) -> None:
    city = load_city()
    built = add_site(sample_session, city, "S-BUILT", FUTIAN)
    offered = add_site(sample_session, city, "S-OFFER", FAR_EAST, site_type="smart_pole",
                       status="available", height_m=10.0)  # fmt: skip
    add_site(sample_session, city, "S-INDOOR", FUTIAN, site_type="indoor")
    add_site(sample_session, city, "S-GONE", FUTIAN, status="unavailable")
    assert [s.id for s in load_run_sites(sample_session, "built")] == [built.id]
    assert [s.id for s in load_run_sites(sample_session, "all")] == sorted([built.id, offered.id])
    with pytest.raises(CoverageError):
        load_run_sites(sample_session, "some")


def test_run_publishes_pixels_summary_and_heatmaps(sample_session: Session, tmp_path: Path) -> None:
    city = load_city()
    lake, reports = tmp_path / "lake", tmp_path / "reports"
    built = add_site(sample_session, city, "S-BUILT", FUTIAN)
    add_site(sample_session, city, "S-OFFER", FAR_EAST, status="available")
    with pytest.raises(NoCoverageRun):
        latest_run(lake, "n78")
    first = run_coverage(
        sample_session, lake_root=lake, reports_root=reports, city=city, band="n78",
        resolution_m=400, sites="built",
    )  # fmt: skip
    assert first.sites == 1 and first.city.demand_share is None
    publish_demand(synthetic_demand(city, resolution_m=400), lake_root=lake, city=city)
    second = run_coverage(
        sample_session, lake_root=lake, reports_root=reports, city=city, band="N78",
        resolution_m=400, sites="all", threshold_dbm=-100,
    )  # fmt: skip
    assert second.sites == 2
    assert second.city.area_share > first.city.area_share
    assert second.city.demand_share is not None and 0 < second.city.demand_share < 1
    # the pixels: every pixel inside the city, the server ids are site ids
    pixels = open_table(lake, "operations.coverage_pixels").snapshot().to_table().to_pylist()
    mine = [p for p in pixels if p["run_id"] == first.run_id]
    assert len(mine) == first.city.pixels == int((first.district >= 0).sum())
    served = {p["server_site_id"] for p in mine if p["server_site_id"] is not None}
    assert served == {built.id}
    assert all(p["rsrp_dbm"] is None for p in mine if p["server_site_id"] is None)
    # the registry
    runs = list_runs(lake)
    assert [r.run_id for r in runs] == [second.run_id, first.run_id]
    assert latest_run(lake, "n78").run_id == second.run_id
    info = get_run(lake, first.run_id)
    assert info.city.covered_pixels == first.city.covered_pixels
    assert [d.code for d in info.districts] == [d.code for d in city.districts]
    doc = run_json(get_run(lake, second.run_id))
    assert doc["band"] == "n78" and doc["threshold_dbm"] == -100 and doc["sites_mode"] == "all"
    assert doc["summary"]["demand_share"] == pytest.approx(second.city.demand_share)
    assert doc["summary"]["sites"] == 2
    assert len(doc["bounds_lonlat"]) == 4
    assert doc["heatmap_png"].endswith(f"/runs/{second.run_id}/heatmap.png")
    assert {d["name_en"] for d in doc["summary"]["districts"]} >= {"Futian", "Longgang"}
    assert heatmap_file(lake, reports, first.run_id, "png").stat().st_size > 100
    assert heatmap_file(lake, reports, first.run_id, "geojson").suffix == ".geojson"
    with pytest.raises(NoCoverageRun):
        get_run(lake, "../../etc/passwd")
    with pytest.raises(NoCoverageRun):
        heatmap_file(lake, reports, first.run_id, "svg")
    assert np.isfinite(first.coverage.rsrp_dbm).any()


def test_lineage_is_recorded(sample_session: Session, tmp_path: Path) -> None:
    city = load_city()
    add_site(sample_session, city, "S-1", FUTIAN)
    result = run_coverage(
        sample_session, lake_root=tmp_path / "lake", reports_root=tmp_path / "r", city=city,
        band="n41", resolution_m=500, demand=None,
    )  # fmt: skip
    commits = (
        sample_session.query(TableCommit)
        .filter(TableCommit.dataset.like("operations.coverage%"))
        .all()
    )
    assert {c.dataset for c in commits} == {
        "operations.coverage_pixels",
        "operations.coverage_summary",
    }
    assert result.published["operations.coverage_summary"] >= 0
