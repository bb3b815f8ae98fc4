"""The coverage-run registry, read from ``operations.coverage_summary`` (no DB table: a run
exists once its summary rows are committed, after its pixels), and the run JSON of the web
contract."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from zhiguo.core.access import Scope
from zhiguo.datacenter.lake import open_table, scoped_snapshot
from zhiguo.operations.coverage.datasets import COVERAGE_SUMMARY
from zhiguo.operations.coverage.errors import NoCoverageRun
from zhiguo.operations.coverage.run import CoverageResult, DistrictShare

__all__ = ["RunInfo", "get_run", "heatmap_file", "latest_run", "list_runs", "run_json"]

RUN_ID = re.compile(r"^[0-9a-f]{32}$")
API_PREFIX = "/api/operations/coverage"


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    band: str
    created_at: datetime
    resolution_m: float
    cutoff_m: float
    threshold_dbm: float
    sites_mode: str
    sites: int
    demand_source: str | None
    bounds_lonlat: tuple[float, float, float, float]
    city: DistrictShare
    districts: list[DistrictShare]

    @classmethod
    def of(cls, result: CoverageResult) -> RunInfo:
        return cls(
            result.run_id, result.band, result.created_at, result.resolution_m, result.cutoff_m,
            result.threshold_dbm, result.sites_mode, result.sites, result.demand_source,
            result.bounds_lonlat, result.city, list(result.districts),
        )  # fmt: skip


def _summary(lake_root: Path) -> pa.Table:
    table = open_table(lake_root, COVERAGE_SUMMARY.name)
    if not table.exists():
        return COVERAGE_SUMMARY.arrow_schema.empty_table()
    return scoped_snapshot(table, Scope.everything()).to_table()


def _share(row: dict[str, Any]) -> DistrictShare:
    return DistrictShare(
        int(row["district_code"]), row["district_zh"], row["district_en"], int(row["pixels"]),
        int(row["covered_pixels"]), float(row["area_share"]), row["demand_weight"],
        row["covered_weight"], row["demand_share"],
    )  # fmt: skip


def _infos(rows: list[dict[str, Any]]) -> list[RunInfo]:
    by_run: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_run.setdefault(r["run_id"], []).append(r)
    out = []
    for run_id, group in by_run.items():
        head = next((r for r in group if r["district_code"] == -1), None)
        if head is None:
            continue
        districts = sorted(
            (r for r in group if r["district_code"] >= 0), key=lambda r: r["district_code"]
        )
        out.append(
            RunInfo(
                run_id,
                head["band"],
                head["created_at"],
                head["resolution_m"],
                head["cutoff_m"],
                head["threshold_dbm"],
                head["sites_mode"],
                int(head["sites"]),
                head["demand_source"],
                (head["west"], head["south"], head["east"], head["north"]),
                _share(head),
                [_share(r) for r in districts],
            )
        )
    out.sort(key=lambda i: i.created_at, reverse=True)
    return out


def list_runs(lake_root: Path, *, band: str | None = None, limit: int = 100) -> list[RunInfo]:
    """Published runs, newest first (optionally of one band)."""
    table = _summary(lake_root)
    if band:
        table = table.filter(pc.equal(table["band"], band.strip().lower()))
    return _infos(table.to_pylist())[:limit]


def get_run(lake_root: Path, run_id: str) -> RunInfo:
    if not RUN_ID.match(run_id):
        raise NoCoverageRun(f"没有覆盖计算 {run_id[:40]}", f"no coverage run {run_id[:40]}")
    table = _summary(lake_root)
    rows = table.filter(pc.equal(table["run_id"], run_id)).to_pylist()
    infos = _infos(rows)
    if not infos:
        raise NoCoverageRun(f"没有覆盖计算 {run_id}", f"no coverage run {run_id}")
    return infos[0]


def latest_run(lake_root: Path, band: str) -> RunInfo:
    runs = list_runs(lake_root, band=band, limit=1)
    if not runs:
        raise NoCoverageRun(f"频段 {band} 尚无覆盖计算", f"no coverage run for band {band} yet")
    return runs[0]


def heatmap_file(lake_root: Path, reports_root: Path, run_id: str, kind: str) -> Path:
    """The heat map file (``png`` or ``geojson``) of a published run; NotFound otherwise."""
    info = get_run(lake_root, run_id)
    name = {"png": "heatmap.png", "geojson": "heatmap.geojson"}.get(kind)
    path = reports_root / "coverage" / info.run_id / (name or "-")
    if name is None or not path.is_file():
        raise NoCoverageRun(
            f"覆盖计算 {run_id} 没有热力图 {kind}", f"coverage run {run_id} has no {kind} heat map"
        )
    return path


def _district_json(s: DistrictShare) -> dict[str, Any]:
    return {
        "code": s.code,
        "name_zh": s.name_zh,
        "name_en": s.name_en,
        "area_share": s.area_share,
        "demand_share": s.demand_share,
        "pixels": s.pixels,
        "covered_pixels": s.covered_pixels,
    }


def run_json(info: RunInfo, *, prefix: str = API_PREFIX) -> dict[str, Any]:
    """The run JSON of the web contract (shared by the API and the CLI's --json)."""
    return {
        "run_id": info.run_id,
        "band": info.band,
        "created_at": info.created_at.isoformat(),
        "resolution_m": info.resolution_m,
        "cutoff_m": info.cutoff_m,
        "threshold_dbm": info.threshold_dbm,
        "sites_mode": info.sites_mode,
        "bounds_lonlat": list(info.bounds_lonlat),
        "heatmap_png": f"{prefix}/runs/{info.run_id}/heatmap.png",
        "heatmap_geojson": f"{prefix}/runs/{info.run_id}/heatmap.geojson",
        "summary": {
            "area_share": info.city.area_share,
            "demand_share": info.city.demand_share,
            "sites": info.sites,
            "demand_source": info.demand_source,
            "districts": [_district_json(d) for d in info.districts],
        },
    }
