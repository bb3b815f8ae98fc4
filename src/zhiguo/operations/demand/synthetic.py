"""A plausible but **fictitious** demand raster on the real district outlines.

Nothing here is measured data: the places are real names with rough coordinates, every
amplitude, width and total is made up so that planning and coverage have a city-shaped
demand to work on (dense cores, transit corridors between them, suburbs with villages, hills
and parks nearly empty, nothing outside the city). The total is normalised to
:data:`SYNTHETIC_TOTAL` "people" — of the order of Shenzhen's resident population, but not it.

Every feature is a function of position (metres), not of pixels, so rasters of the same
seed at different resolutions show the same city (totals equal; a coarse raster is close to
the block sums of a fine one). The same seed gives the same raster, bit for bit.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy import ndimage

from zhiguo.operations.coverage.kernel import Grid
from zhiguo.operations.demand.raster import DemandRaster, city_grid, district_raster
from zhiguo.operations.geo import City

__all__ = ["CORES", "CORRIDORS", "HILLS", "SYNTHETIC_TOTAL", "synthetic_demand"]

SYNTHETIC_TOTAL = 17.5e6
"""Fictitious total weight ("people") of the synthetic city."""

# name: (lon, lat, peak density per km² (fictitious), Gaussian sigma in m)
CORES: dict[str, tuple[float, float, float, float]] = {
    "futian_cbd": (114.055, 22.540, 45_000, 1800),
    "luohu": (114.118, 22.548, 45_000, 1600),
    "nanshan_tech_park": (113.948, 22.540, 35_000, 1800),
    "shekou": (113.920, 22.495, 25_000, 1400),
    "baoan_centre": (113.885, 22.565, 35_000, 2000),
    "xixiang": (113.870, 22.590, 25_000, 1500),
    "shajing_fuyong": (113.820, 22.700, 20_000, 2500),
    "shiyan": (113.930, 22.680, 15_000, 1800),
    "longhua": (114.030, 22.655, 30_000, 2200),
    "minzhi": (114.040, 22.620, 25_000, 1500),
    "buji": (114.120, 22.605, 30_000, 1800),
    "henggang": (114.200, 22.650, 18_000, 1800),
    "longgang_centre": (114.250, 22.720, 28_000, 2200),
    "pingshan": (114.345, 22.695, 15_000, 2000),
    "guangming": (113.935, 22.760, 14_000, 2200),
    "yantian": (114.240, 22.560, 12_000, 1200),
}

# transit corridors (roughly the metro trunk lines): pairs of cores
CORRIDORS: tuple[tuple[str, str], ...] = (
    ("luohu", "futian_cbd"),
    ("futian_cbd", "nanshan_tech_park"),
    ("nanshan_tech_park", "baoan_centre"),
    ("baoan_centre", "xixiang"),
    ("xixiang", "shajing_fuyong"),
    ("nanshan_tech_park", "shekou"),
    ("futian_cbd", "minzhi"),
    ("minzhi", "longhua"),
    ("longhua", "guangming"),
    ("shiyan", "longhua"),
    ("luohu", "buji"),
    ("buji", "henggang"),
    ("henggang", "longgang_centre"),
    ("longgang_centre", "pingshan"),
    ("luohu", "yantian"),
)
CORRIDOR_DENSITY = 9_000.0  # per km² on the axis (fictitious)
CORRIDOR_SIGMA_M = 500.0

# hills, parks and reservoirs: (lon, lat, sigma m, depth: share of demand removed at centre)
HILLS: dict[str, tuple[float, float, float, float]] = {
    "wutong_shan": (114.205, 22.585, 2500, 0.95),
    "tanglang_shan": (114.000, 22.590, 1500, 0.90),
    "yangtai_shan": (113.960, 22.655, 1800, 0.90),
    "yinhu_meilin_hills": (114.080, 22.578, 1000, 0.85),
    "lianhua_shan": (114.055, 22.556, 450, 0.90),
    "shenzhen_reservoir": (114.145, 22.575, 900, 0.95),
    "phoenix_mountain": (113.860, 22.670, 1500, 0.85),
    "maluan_shan": (114.360, 22.640, 3000, 0.90),
    "pingshan_hills": (114.300, 22.625, 2500, 0.85),
    "dapeng_peninsula": (114.500, 22.580, 7000, 0.85),
    "qiniang_shan": (114.560, 22.520, 3000, 0.90),
    "guangming_forest": (113.950, 22.800, 2000, 0.80),
}

SUBURB_DENSITY = 2_500.0  # per km², modulated by a smooth log-normal field (fictitious)
VILLAGES = 90  # urban villages / industrial estates: small dense spots placed at random
_NOISE_CELL_M = 1000.0  # the suburb field is drawn on this lattice and interpolated

Arr = npt.NDArray[np.float64]


def _window(grid: Grid, x: float, y: float, reach: float) -> tuple[slice, slice]:
    res = grid.resolution_m
    c0 = max(0, math.floor((x - reach - grid.x_min) / res))
    c1 = min(grid.nx, math.ceil((x + reach - grid.x_min) / res) + 1)
    r0 = max(0, math.floor((y - reach - grid.y_min) / res))
    r1 = min(grid.ny, math.ceil((y + reach - grid.y_min) / res) + 1)
    return slice(r0, max(r0, r1)), slice(c0, max(c0, c1))


def _gaussian(grid: Grid, x: float, y: float, sigma: float) -> tuple[tuple[slice, slice], Arr]:
    """exp(−r²/2σ²) over the window within 4σ of (x, y)."""
    rows, cols = _window(grid, x, y, 4.0 * sigma)
    dx = grid.centres_x()[cols] - x
    dy = grid.centres_y()[rows] - y
    r2 = dy[:, None] ** 2 + dx[None, :] ** 2
    return (rows, cols), np.exp(-r2 / (2.0 * sigma * sigma))


def _segment(grid: Grid, a: tuple[float, float], b: tuple[float, float], sigma: float) -> Arr:
    """exp(−d²/2σ²), d the distance to segment ab, over the whole grid (0 far away)."""
    out = np.zeros((grid.ny, grid.nx))
    reach = 4.0 * sigma
    mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
    half = math.hypot(b[0] - a[0], b[1] - a[1]) / 2
    rows, cols = _window(grid, mid[0], mid[1], half + reach)
    px = grid.centres_x()[cols][None, :]
    py = grid.centres_y()[rows][:, None]
    vx, vy = b[0] - a[0], b[1] - a[1]
    t = np.clip(((px - a[0]) * vx + (py - a[1]) * vy) / max(vx * vx + vy * vy, 1e-9), 0, 1)
    d2 = (px - a[0] - t * vx) ** 2 + (py - a[1] - t * vy) ** 2
    out[rows, cols] = np.exp(-d2 / (2.0 * sigma * sigma))
    return out


def _suburb_field(grid: Grid, rng: np.random.Generator) -> Arr:
    """A smooth log-normal field (mean ≈ 1) drawn on a fixed 1 km lattice anchored at the
    grid's corner rounded to the lattice, interpolated bilinearly at the pixel centres."""
    cell = _NOISE_CELL_M
    x0 = math.floor(grid.x_min / cell) * cell
    y0 = math.floor(grid.y_min / cell) * cell
    nx = math.ceil((grid.x_min + grid.nx * grid.resolution_m - x0) / cell) + 2
    ny = math.ceil((grid.y_min + grid.ny * grid.resolution_m - y0) / cell) + 2
    # fixed lattice size per city extent, drawn before anything else: seed-deterministic
    lattice = ndimage.gaussian_filter(rng.standard_normal((ny, nx)), sigma=2.5)
    lattice /= max(float(lattice.std()), 1e-12)
    fx = (grid.centres_x() - x0) / cell
    fy = (grid.centres_y() - y0) / cell
    yy, xx = np.meshgrid(fy, fx, indexing="ij")
    field = ndimage.map_coordinates(lattice, [yy.ravel(), xx.ravel()], order=1, mode="nearest")
    out: Arr = np.exp(0.7 * np.asarray(field, dtype=np.float64).reshape(grid.ny, grid.nx) - 0.245)
    return out


def synthetic_demand(
    city: City, *, resolution_m: float = 50.0, seed: int = 0, total: float = SYNTHETIC_TOTAL
) -> DemandRaster:
    """The fictitious demand raster of ``city`` at ``resolution_m`` (see the module doc)."""
    grid = city_grid(city, resolution_m)
    district = district_raster(city, grid)
    rng = np.random.default_rng(seed)
    proj = city.projector
    density = SUBURB_DENSITY * _suburb_field(grid, rng)  # per km²
    xy: dict[str, tuple[float, float]] = {}
    for name, (lon, lat, peak, sigma) in CORES.items():
        x, y = proj.to_xy(lon, lat)
        xy[name] = (float(x), float(y))
        amp = peak * float(rng.uniform(0.85, 1.15))
        win, g = _gaussian(grid, xy[name][0], xy[name][1], sigma)
        density[win] += amp * g
    for a, b in CORRIDORS:
        density += (
            CORRIDOR_DENSITY
            * float(rng.uniform(0.8, 1.2))
            * _segment(grid, xy[a], xy[b], CORRIDOR_SIGMA_M)
        )
    x_lo, y_lo, x_hi, y_hi = city.bounds_xy
    vx = rng.uniform(x_lo, x_hi, VILLAGES)
    vy = rng.uniform(y_lo, y_hi, VILLAGES)
    va = rng.uniform(5_000, 15_000, VILLAGES)
    vs = rng.uniform(300, 600, VILLAGES)
    for x, y, amp, sigma in zip(vx, vy, va, vs, strict=True):
        win, g = _gaussian(grid, float(x), float(y), float(sigma))
        density[win] += float(amp) * g
    for lon, lat, sigma, depth in HILLS.values():
        x, y = proj.to_xy(lon, lat)
        win, g = _gaussian(grid, float(x), float(y), sigma)
        density[win] *= 1.0 - depth * g
    pixel_km2 = (grid.resolution_m / 1000.0) ** 2
    weight = np.where(district >= 0, density * pixel_km2, 0.0)
    weight *= total / max(float(weight.sum()), 1e-12)
    return DemandRaster(
        grid=grid,
        weight=weight,
        district=district,
        source=f"synthetic seed={seed} (fictitious)",
        unit="people",
    )
