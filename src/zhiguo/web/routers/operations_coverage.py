"""Coverage API (issue 6): run a coverage prediction, list runs, read a run and its heat maps.

Policy (web.policy): REGULATOR on every route — coverage is computed over every SOE site of
the portfolio. A run is synchronous (the full city at 50 m takes seconds); it is audited as
``operations.coverage_run``. The run JSON is ``operations.coverage.runs.run_json``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import FileResponse
from pydantic import Field

from zhiguo.operations.coverage.run import run_coverage_with_settings
from zhiguo.operations.coverage.runs import (
    RunInfo,
    get_run,
    heatmap_file,
    latest_run,
    list_runs,
    run_json,
)

from ..deps import RegulatorDep, RequestInfoDep, SessionDep, SettingsDep
from ..policy import REGULATOR
from ..schemas import StrictModel
from .audit_api import audit_request

__all__ = ["router"]

router = APIRouter(prefix="/api/operations/coverage", tags=["operations"], dependencies=[REGULATOR])

BandQuery = Annotated[str, Query(pattern=r"^[nN][0-9]{1,3}$")]
RunIdPath = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


class RunIn(StrictModel):
    band: str = Field(pattern=r"^[nN][0-9]{1,3}$")
    resolution_m: float | None = Field(
        None, ge=50, le=1000, description="≥ 50 m here; finer grids from the CLI"
    )
    cutoff_m: float | None = Field(None, ge=100, le=5000)
    threshold_dbm: float | None = Field(None, ge=-140, le=-60)
    sites: Literal["built", "all"] = "built"
    use_demand: bool = True


@router.post("/runs", status_code=201)
def create_run(
    body: RunIn,
    db: SessionDep,
    settings: SettingsDep,
    principal: RegulatorDep,
    info: RequestInfoDep,
) -> dict[str, Any]:
    """Run the coverage prediction for a band and publish it (201 with the run JSON)."""
    result = run_coverage_with_settings(
        db, settings, band=body.band, resolution_m=body.resolution_m, cutoff_m=body.cutoff_m,
        threshold_dbm=body.threshold_dbm, sites=body.sites, use_demand=body.use_demand,
        actor=principal.username,
    )  # fmt: skip
    audit_request(
        db, principal, info, event_type="operations.coverage_run",
        object=f"coverage_run:{result.run_id}",
        detail={"band": result.band, "sites": result.sites, "sites_mode": body.sites,
                "area_share": result.city.area_share},
    )  # fmt: skip
    return run_json(RunInfo.of(result))


@router.get("/runs")
def runs(
    settings: SettingsDep,
    band: Annotated[str | None, Query(pattern=r"^[nN][0-9]{1,3}$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """Published runs, newest first."""
    return [run_json(i) for i in list_runs(settings.workspace / "lake", band=band, limit=limit)]


@router.get("/latest")
def latest(settings: SettingsDep, band: BandQuery = "n78") -> dict[str, Any]:
    """The latest run of a band (404 if none)."""
    return run_json(latest_run(settings.workspace / "lake", band))


@router.get("/runs/{run_id}")
def run(settings: SettingsDep, run_id: RunIdPath) -> dict[str, Any]:
    return run_json(get_run(settings.workspace / "lake", run_id))


@router.get("/runs/{run_id}/heatmap.png", response_class=FileResponse)
def heatmap_png(settings: SettingsDep, run_id: RunIdPath) -> FileResponse:
    """RGBA PNG, equirectangular over the run's bounds_lonlat."""
    path = heatmap_file(settings.workspace / "lake", settings.workspace / "reports", run_id, "png")
    return FileResponse(path, media_type="image/png")


@router.get("/runs/{run_id}/heatmap.geojson", response_class=FileResponse)
def heatmap_geojson(settings: SettingsDep, run_id: RunIdPath) -> FileResponse:
    """RSRP class polygons in WGS84."""
    path = heatmap_file(
        settings.workspace / "lake", settings.workspace / "reports", run_id, "geojson"
    )
    return FileResponse(path, media_type="application/geo+json")
