"""Matching a carrier's demand to SOE sites, ranked by coverage gain.

For a request's area (a point + radius, or a polygon) the candidates are the SOE sites inside
it that meet its requirements (height, power, fibre, placement, status ``available``). Each
outdoor candidate is scored by the **coverage gain**: the demand weight of the area's pixels
it covers (best-server RSRP ≥ threshold, TR 38.901 UMa/UMi NLOS through the coverage
kernel) that the carrier's existing ``in_service`` sites do not cover already::

    gain(s) = Σ_p w_p · [p ∈ area] · [RSRP_s(p) ≥ T] · [max_e RSRP_e(p) < T]

with ``w_p`` the demand raster's weight at the pixel centre (``operations.demand``) or 1
(uniform) where none is given. This is the marginal gain of the maximal covering location
problem (Church & ReVelle 1974) for one added site. Interference a new site adds is not
counted (RSRP only). Indoor candidates have no outdoor prediction: gain 0, ranked by distance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from zhiguo.operations.coverage.kernel import Grid, best_server_map
from zhiguo.operations.coverage.siteradio import OUTDOOR_TYPES, SiteLike, kernel_sites
from zhiguo.operations.geo import Projector
from zhiguo.operations.radio.bands import get_band

from .errors import BadArea

__all__ = [
    "MAX_AREA_PIXELS",
    "AreaCoverage",
    "DemandLike",
    "area_grid",
    "area_xy",
    "coverage_gain",
]

MAX_AREA_PIXELS = 250_000
"""Above this the area's grid is coarsened (a request is a neighbourhood, not a city)."""


class DemandLike(Protocol):
    """What matching reads of ``operations.demand.DemandRaster``."""

    @property
    def grid(self) -> Grid: ...
    @property
    def weight(self) -> npt.NDArray[np.float64]: ...


def area_xy(
    *,
    projector: Projector,
    lon: float | None,
    lat: float | None,
    radius_m: float | None,
    area_geojson: dict[str, Any] | None,
) -> BaseGeometry:
    """The request's area in projected metres: a disc, or the polygon projected vertex by
    vertex (WGS84 → planning CRS)."""
    if area_geojson is not None:
        try:
            geom = shape(area_geojson)
        except Exception as exc:  # shapely raises several kinds for malformed GeoJSON
            raise BadArea(
                f"区域 GeoJSON 无法解析：{exc}", f"Area GeoJSON unreadable: {exc}"
            ) from exc
        if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
            raise BadArea("区域须为多边形（Polygon）", "The area must be a Polygon")

        def project(coords: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
            x, y = projector.to_xy(coords[:, 0], coords[:, 1])
            return np.column_stack([x, y])

        projected = shapely.transform(geom, project)
        if not projected.is_valid:
            raise BadArea(
                "区域多边形自相交或无效", "The area polygon is self-intersecting or invalid"
            )
        return projected
    if lon is None or lat is None or radius_m is None:
        raise BadArea(
            "须给出中心点经纬度与半径，或一个多边形",
            "Give a centre (lon, lat) and a radius, or a polygon",
        )
    x, y = projector.to_xy([lon], [lat])
    return Point(float(x[0]), float(y[0])).buffer(radius_m, quad_segs=32)


def area_grid(area: BaseGeometry, resolution_m: float) -> Grid:
    """A grid covering the area's bounds, coarsened past :data:`MAX_AREA_PIXELS`."""
    minx, miny, maxx, maxy = area.bounds
    res = resolution_m
    while True:
        x0, y0 = math.floor(minx / res) * res, math.floor(miny / res) * res
        nx = max(1, math.ceil((maxx - x0) / res))
        ny = max(1, math.ceil((maxy - y0) / res))
        if nx * ny <= MAX_AREA_PIXELS:
            return Grid(x_min=x0, y_min=y0, nx=nx, ny=ny, resolution_m=res)
        res *= 2


@dataclass(frozen=True)
class AreaCoverage:
    """The gains of the candidates (in their order) over one area."""

    grid: Grid
    pixels: int  # pixels of the grid whose centre lies in the area
    total_weight: float
    covered_before: float  # weight the existing sites already cover
    gain: npt.NDArray[np.float64]  # per candidate (0 for indoor ones)
    new_pixels: npt.NDArray[np.int64]
    weighting: str  # "demand" | "uniform"


def _weights(
    grid: Grid, inside: npt.NDArray[np.bool_], demand: DemandLike | None
) -> tuple[npt.NDArray[np.float64], str]:
    uniform = inside.astype(np.float64)
    if demand is None:
        return uniform, "uniform"
    d = demand.grid
    xs, ys = np.meshgrid(grid.centres_x(), grid.centres_y())
    col = np.floor((xs - d.x_min) / d.resolution_m).astype(np.int64)
    row = np.floor((ys - d.y_min) / d.resolution_m).astype(np.int64)
    ok = inside & (col >= 0) & (col < d.nx) & (row >= 0) & (row < d.ny)
    weight = np.zeros(inside.shape, dtype=np.float64)
    weight[ok] = demand.weight[row[ok], col[ok]]
    if not weight.sum() > 0:
        return uniform, "uniform"  # the area lies where the raster has no demand
    return weight, "demand"


def coverage_gain(
    area: BaseGeometry,
    candidates: Sequence[SiteLike],
    existing: Sequence[SiteLike],
    *,
    band: str,
    threshold_dbm: float,
    resolution_m: float,
    cutoff_m: float,
    demand: DemandLike | None = None,
) -> AreaCoverage:
    """Coverage gain of each candidate over ``existing`` (outdoor sites; indoor ones are
    skipped) on the pixels of ``area``. See the module docstring for the formula."""
    radio_band = get_band(band)
    grid = area_grid(area, resolution_m)
    xs, ys = np.meshgrid(grid.centres_x(), grid.centres_y())
    inside = np.asarray(shapely.contains_xy(area, xs, ys), dtype=bool)
    weight, weighting = _weights(grid, inside, demand)
    outdoor_existing = [s for s in existing if s.site_type in OUTDOOR_TYPES]
    if outdoor_existing:
        before = best_server_map(
            grid, kernel_sites(outdoor_existing, radio_band), radio_band, cutoff_m=cutoff_m
        )
        covered = before.rsrp_dbm >= threshold_dbm
    else:
        covered = np.zeros(inside.shape, dtype=bool)
    open_weight = np.where(covered, 0.0, weight)
    gains = np.zeros(len(candidates), dtype=np.float64)
    new_px = np.zeros(len(candidates), dtype=np.int64)
    for i, site in enumerate(candidates):
        if site.site_type not in OUTDOOR_TYPES:
            continue
        cov = best_server_map(grid, kernel_sites([site], radio_band), radio_band, cutoff_m=cutoff_m)
        hit = cov.rsrp_dbm >= threshold_dbm
        gains[i] = float(open_weight[hit].sum())
        new_px[i] = int(np.count_nonzero(hit & inside & ~covered))
    return AreaCoverage(
        grid=grid,
        pixels=int(inside.sum()),
        total_weight=float(weight.sum()),
        covered_before=float(weight[covered].sum()),
        gain=gains,
        new_pixels=new_px,
        weighting=weighting,
    )
