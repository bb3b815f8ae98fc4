"""A coverage run: sites from the sites table, the kernel over the city, shares, outputs.

``compute_coverage`` is the pure part (sites + city + optional demand → rasters and shares);
``run_coverage`` loads the sites, the latest demand, computes, publishes the lake datasets
``operations.coverage_pixels`` / ``operations.coverage_summary`` and writes the heat maps
(PNG, GeoJSON) and a summary CSV under ``reports_root/coverage/<run_id>/``.

Two site sets: ``built`` — sites already carrying carrier equipment (status ``in_service``),
the network *as built*; ``all`` — every site offered (available, reserved, leased, in
service; not ``unavailable``), the *potential* coverage if all were used. Indoor venues have
no outdoor prediction (TR 38.901 InH is an indoor model) and are left out of both.

A pixel is covered where its best-server SS-RSRP ≥ ``threshold_dbm`` (radio.md §3.3: −105 dBm
is the usual n78 edge-of-coverage convention; a setting). Area share = covered pixels /
pixels inside the city (equal-area pixels, so it is the share of land); demand share =
covered weight / weight.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiguo.core.errors import Location
from zhiguo.core.settings import Settings
from zhiguo.operations.coverage.errors import CoverageError
from zhiguo.operations.coverage.kernel import CoverageMap, Grid, best_server_map
from zhiguo.operations.coverage.siteradio import OUTDOOR_TYPES, SiteLike, kernel_sites
from zhiguo.operations.demand import (
    DemandRaster,
    NoDemand,
    city_grid,
    district_raster,
    latest_demand,
    resample,
)
from zhiguo.operations.geo import City, city_from_settings
from zhiguo.operations.radio import get_band
from zhiguo.operations.sites.models import Site

__all__ = [
    "MAX_GRID_PIXELS",
    "SITE_SETS",
    "CoverageResult",
    "DistrictShare",
    "RunSite",
    "compute_coverage",
    "load_run_sites",
    "run_coverage",
    "run_coverage_with_settings",
]

SiteSet = Literal["built", "all"]
SITE_SETS: dict[str, tuple[str, ...]] = {
    "built": ("in_service",),
    "all": ("available", "reserved", "leased", "in_service"),
}
"""Statuses per site set: as built, or every offered site (potential coverage)."""

Progress = Callable[[str], None]

MAX_GRID_PIXELS = 8_000_000
"""Largest raster a run accepts (the city at 25 m is ≈ 7.4 M pixels; memory ≈ 0.5 kB/px)."""


class SiteWithId(SiteLike, Protocol):
    """A site the kernel can place (:class:`siteradio.SiteLike`) with its ``Site.id``."""

    @property
    def id(self) -> int: ...


@dataclass(frozen=True)
class RunSite:
    """The fields of a site the run needs (detached from the session)."""

    id: int
    x_m: float
    y_m: float
    height_m: float
    site_type: str


@dataclass(frozen=True)
class DistrictShare:
    code: int  # −1: the whole city
    name_zh: str
    name_en: str
    pixels: int
    covered_pixels: int
    area_share: float
    demand_weight: float | None
    covered_weight: float | None
    demand_share: float | None


@dataclass
class CoverageResult:
    run_id: str
    band: str
    created_at: datetime
    resolution_m: float
    cutoff_m: float
    threshold_dbm: float
    sites_mode: str
    grid: Grid
    coverage: CoverageMap
    district: npt.NDArray[np.int32]
    server_site_id: npt.NDArray[np.int64]  # (ny, nx), −1 where no server
    sites: int
    city: DistrictShare
    districts: list[DistrictShare]
    demand_source: str | None
    bounds_lonlat: tuple[float, float, float, float]
    seconds: dict[str, float] = field(default_factory=dict)
    published: dict[str, int] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def covered(self) -> npt.NDArray[np.bool_]:
        return self.coverage.rsrp_dbm >= self.threshold_dbm


def _check(resolution_m: float, cutoff_m: float, threshold_dbm: float) -> None:
    if not 5.0 <= resolution_m <= 1000.0:
        raise CoverageError.param("resolution_m", resolution_m, 5, 1000, "m")
    if not 100.0 <= cutoff_m <= 5000.0:
        raise CoverageError.param("cutoff_m", cutoff_m, 100, 5000, "m")
    if not -140.0 <= threshold_dbm <= -60.0:
        raise CoverageError.param("threshold_dbm", threshold_dbm, -140, -60, "dBm")


def city_bounds_lonlat(city: City) -> tuple[float, float, float, float]:
    """(west, south, east, north) of the city in WGS84 degrees."""
    import shapely

    b = shapely.union_all([d.lonlat for d in city.districts]).bounds
    return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))


def _share(
    code: int, name_zh: str, name_en: str, mask: npt.NDArray[np.bool_],
    covered: npt.NDArray[np.bool_], weight: npt.NDArray[np.float64] | None,
) -> DistrictShare:  # fmt: skip
    pixels = int(mask.sum())
    hit = int((mask & covered).sum())
    dw = cw = ds = None
    if weight is not None:
        dw = float(weight[mask].sum())
        cw = float(weight[mask & covered].sum())
        ds = cw / dw if dw > 0 else None
    return DistrictShare(
        code, name_zh, name_en, pixels, hit, hit / pixels if pixels else 0.0, dw, cw, ds
    )


def compute_coverage(
    city: City,
    sites: Sequence[SiteWithId],
    band: str,
    *,
    resolution_m: float = 50.0,
    cutoff_m: float = 2500.0,
    threshold_dbm: float = -105.0,
    demand: DemandRaster | None = None,
    sites_mode: str = "built",
    grid: Grid | None = None,
    progress: Progress | None = None,
) -> CoverageResult:
    """Best-server RSRP/SINR/server per pixel of the city grid for ``sites`` (outdoor types
    only: others are dropped), and the area and demand-weighted shares, city and district."""
    say = progress or (lambda _m: None)
    _check(resolution_m, cutoff_m, threshold_dbm)
    the_band = get_band(band)
    clock: dict[str, float] = {}
    t = time.perf_counter()
    grid = grid or city_grid(city, resolution_m)
    if grid.nx * grid.ny > MAX_GRID_PIXELS:
        raise CoverageError(
            f"栅格 {grid.nx} × {grid.ny} 像元过大（上限 {MAX_GRID_PIXELS:,}），请加大分辨率",
            f"a {grid.nx} × {grid.ny} raster is too large (limit {MAX_GRID_PIXELS:,} pixels); "
            "use a coarser resolution",
            location=Location(field="resolution_m"),
        )
    district = (
        demand.district
        if demand is not None and demand.grid == grid
        else district_raster(city, grid)
    )
    inside = district >= 0
    clock["grid"] = time.perf_counter() - t
    say(
        f"grid {grid.nx} × {grid.ny} at {grid.resolution_m:g} m, "
        f"{int(inside.sum()):,} px in the city"
    )
    outdoor = [s for s in sites if s.site_type in OUTDOOR_TYPES]
    ids = np.array([s.id for s in outdoor], dtype=np.int64)
    t = time.perf_counter()
    if outdoor:
        cmap = best_server_map(grid, kernel_sites(outdoor, the_band), the_band, cutoff_m=cutoff_m)
    else:
        shape = (grid.ny, grid.nx)
        cmap = CoverageMap(
            np.full(shape, -np.inf), np.full(shape, -1, np.int32), np.full(shape, -np.inf), 0, 0
        )
    clock["kernel"] = time.perf_counter() - t
    say(f"{len(outdoor):,} outdoor sites on {the_band.name}: kernel {clock['kernel']:.2f} s")
    server_id = np.where(cmap.server >= 0, ids[np.maximum(cmap.server, 0)] if ids.size else -1, -1)
    covered = cmap.rsrp_dbm >= threshold_dbm
    weight = None
    if demand is not None:
        t = time.perf_counter()
        weight = resample(demand, grid, district).weight
        clock["demand"] = time.perf_counter() - t
    whole = _share(-1, "全市", "Whole city", inside, covered, weight)
    per = [
        _share(d.code, d.name_zh, d.name_en, district == d.code, covered, weight)
        for d in city.districts
    ]
    return CoverageResult(
        run_id=uuid.uuid4().hex,
        band=the_band.name,
        created_at=datetime.now(UTC),
        resolution_m=grid.resolution_m,
        cutoff_m=cutoff_m,
        threshold_dbm=threshold_dbm,
        sites_mode=sites_mode,
        grid=grid,
        coverage=cmap,
        district=district,
        server_site_id=server_id.astype(np.int64),
        sites=len(outdoor),
        city=whole,
        districts=per,
        demand_source=demand.source if demand is not None else None,
        bounds_lonlat=city_bounds_lonlat(city),
        seconds=clock,
    )


def load_run_sites(session: Session, sites: str = "built") -> list[RunSite]:
    """Outdoor sites of a site set (``built`` or ``all``), by id."""
    if sites not in SITE_SETS:
        raise CoverageError(
            f"站点集合须为 built 或 all，而不是 {sites}",
            f"the site set must be built or all, not {sites}",
        )
    rows = session.execute(
        select(Site.id, Site.x_m, Site.y_m, Site.height_m, Site.site_type)
        .where(Site.status.in_(SITE_SETS[sites]), Site.site_type.in_(sorted(OUTDOOR_TYPES)))
        .order_by(Site.id)
    ).all()
    return [RunSite(int(r[0]), float(r[1]), float(r[2]), float(r[3]), str(r[4])) for r in rows]


def run_coverage(
    session: Session,
    *,
    lake_root: Path,
    reports_root: Path,
    city: City,
    band: str,
    resolution_m: float = 50.0,
    cutoff_m: float = 2500.0,
    threshold_dbm: float = -105.0,
    sites: str = "built",
    demand: DemandRaster | Literal["latest"] | None = "latest",
    publish: bool = True,
    actor: str = "system",
    progress: Progress | None = None,
) -> CoverageResult:
    """Load the site set, compute, publish both datasets and write the heat maps and the
    summary table (see the module doc). ``demand="latest"`` uses the latest published
    demand raster if there is one (demand shares are None without)."""
    from zhiguo.operations.coverage.outputs import publish_run, write_outputs

    say = progress or (lambda _m: None)
    t0 = time.perf_counter()
    run_sites = load_run_sites(session, sites)
    say(f"{len(run_sites):,} outdoor sites in set '{sites}'")
    raster: DemandRaster | None
    if demand == "latest":
        try:
            raster = latest_demand(lake_root, city=city)
            say(f"demand: {raster.source} ({raster.total:,.0f} {raster.unit})")
        except NoDemand:
            raster = None
            say("no demand raster published: demand shares left empty")
    else:
        raster = demand if isinstance(demand, DemandRaster) else None
    result = compute_coverage(
        city, run_sites, band, resolution_m=resolution_m, cutoff_m=cutoff_m,
        threshold_dbm=threshold_dbm, demand=raster, sites_mode=sites, progress=say,
    )  # fmt: skip
    t = time.perf_counter()
    result.files = write_outputs(result, city, reports_root / "coverage" / result.run_id)
    result.seconds["heatmaps"] = time.perf_counter() - t
    say(f"heat maps written: {result.seconds['heatmaps']:.2f} s")
    if publish:
        t = time.perf_counter()
        result.published = publish_run(result, lake_root=lake_root, session=session, actor=actor)
        result.seconds["publish"] = time.perf_counter() - t
        say(f"published {result.city.pixels:,} pixels: {result.seconds['publish']:.2f} s")
    result.seconds["total"] = time.perf_counter() - t0
    return result


def run_coverage_with_settings(
    session: Session,
    settings: Settings,
    *,
    band: str,
    resolution_m: float | None = None,
    cutoff_m: float | None = None,
    threshold_dbm: float | None = None,
    sites: str = "built",
    use_demand: bool = True,
    actor: str = "system",
    progress: Progress | None = None,
) -> CoverageResult:
    """:func:`run_coverage` in the workspace of ``settings``: its city, its lake and reports
    folders, and ``operations.*`` defaults for what is not given."""
    ops = settings.operations
    root = Path(settings.workspace)
    return run_coverage(
        session,
        lake_root=root / "lake",
        reports_root=root / "reports",
        city=city_from_settings(ops),
        band=band,
        resolution_m=ops.resolution_m if resolution_m is None else resolution_m,
        cutoff_m=ops.cutoff_m if cutoff_m is None else cutoff_m,
        threshold_dbm=ops.rsrp_threshold_dbm if threshold_dbm is None else threshold_dbm,
        sites=sites,
        demand="latest" if use_demand else None,
        actor=actor,
        progress=progress,
    )
