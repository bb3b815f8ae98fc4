"""Demand from files: CSV points and GeoTIFF count rasters, onto the planning grid.

CSV (UTF-8, header row): ``lon,lat,weight`` in WGS84 — or GCJ-02 when the caller declares
``datum="gcj02"`` (what Chinese map apps give) — or ``x_m,y_m,weight`` in the planning CRS.
Points are summed into the pixel they fall in.

GeoTIFF: one band of counts per pixel, georeferenced by the GeoTIFF 1.1 tags (OGC 19-008r4):
ModelPixelScaleTag (33550), ModelTiepointTag (33922) and GeoKeyDirectoryTag (34735) whose
ProjectedCSTypeGeoKey (3072) must be EPSG:4547 or EPSG:32650. Cells are point masses at their
centres (split into sub-cells when coarser than the grid), reprojected if the file's CRS is not
the planning CRS, and summed per target pixel: area-sum, which keeps totals (a count raster
must not be interpolated). GDAL_NODATA (42113) cells count as 0.

Every problem is located (row/column of the CSV, pixel of the raster) and named; one problem
rejects the whole file (:class:`ImportRejected`), nothing is published.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import tifffile
from pyproj import Transformer

from zhiguo.core.errors import ImportRejected, Location, Problem
from zhiguo.operations.coverage.kernel import Grid
from zhiguo.operations.demand.errors import DemandError, problem
from zhiguo.operations.demand.raster import (
    UNITS,
    DemandRaster,
    bin_points,
    city_grid,
    district_raster,
    subsample_cells,
)
from zhiguo.operations.geo import City, gcj02_to_wgs84

__all__ = ["read_demand_csv", "read_demand_file", "read_demand_geotiff", "write_demand_geotiff"]

TAG_PIXEL_SCALE = 33550
TAG_TIEPOINT = 33922
TAG_GEOKEYS = 34735
TAG_NODATA = 42113
KEY_PROJECTED_CS = 3072
ALLOWED_EPSG = (4547, 32650)
MAX_PROBLEMS = 200


def _check_unit(unit: str, datum: str) -> None:
    if unit not in UNITS:
        raise DemandError(
            f"单位须为 people 或 traffic，而不是 {unit}",
            f"unit must be people or traffic, not {unit}",
        )
    if datum not in ("wgs84", "gcj02"):
        raise DemandError(
            f"坐标系须为 wgs84 或 gcj02，而不是 {datum}",
            f"datum must be wgs84 or gcj02, not {datum}",
        )


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _finish(
    city: City, grid: Grid, xs: npt.NDArray[np.float64], ys: npt.NDArray[np.float64],
    ws: npt.NDArray[np.float64], source: str, unit: str,
) -> DemandRaster:  # fmt: skip
    district = district_raster(city, grid)
    weight = bin_points(grid, district, xs, ys, ws)
    return DemandRaster(grid=grid, weight=weight, district=district, source=source, unit=unit)


def _outside_problems(
    city: City, xs: npt.NDArray[np.float64], ys: npt.NDArray[np.float64], tolerance_m: float
) -> npt.NDArray[np.float64]:
    """Metres outside the city per point (0 inside or within the tolerance's reach)."""
    dist = np.zeros(xs.size)
    maybe = city.district_of_xy(xs, ys) < 0
    if maybe.any():
        dist[maybe] = city.distance_outside_m(xs[maybe], ys[maybe])
    return np.where(dist > tolerance_m, dist, 0.0)


def read_demand_csv(
    path: Path | str,
    city: City,
    *,
    resolution_m: float = 50.0,
    datum: str = "wgs84",
    unit: str = "people",
    tolerance_m: float = 300.0,
    name: str | None = None,
) -> DemandRaster:
    """Points of a CSV file binned onto the city grid (see the module doc)."""
    _check_unit(unit, datum)
    file = Path(path)
    raw = file.read_bytes()
    label = name or file.name
    text = raw.decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    problems: list[Problem] = []
    if {"lon", "lat", "weight"} <= set(header):
        cx, cy, kind = "lon", "lat", "lonlat"
    elif {"x_m", "y_m", "weight"} <= set(header):
        cx, cy, kind = "x_m", "y_m", "xy"
    else:
        raise ImportRejected(
            [problem("columns", Location(file=label, row=1), detail=",".join(header) or "—")],
            file=label,
        )
    ix, iy, iw = header.index(cx), header.index(cy), header.index("weight")
    rows: list[int] = []
    vals: list[tuple[float, float, float]] = []
    for line_no, rec in enumerate(reader, start=2):
        if not any(cell.strip() for cell in rec):
            continue
        got: list[float] = []
        for col, i in ((cx, ix), (cy, iy), ("weight", iw)):
            cell = rec[i].strip() if i < len(rec) else ""
            try:
                got.append(float(cell))
            except ValueError:
                problems.append(
                    problem(
                        "number",
                        Location(file=label, row=line_no, column=col),
                        column=col,
                        detail=cell,
                    )
                )
                got.append(float("nan"))
        if len(problems) >= MAX_PROBLEMS:
            break
        w = got[2]
        if not (np.isfinite(w) and w >= 0) and not any(
            p.location.row == line_no and p.location.column == "weight" for p in problems
        ):
            problems.append(
                problem(
                    "negative", Location(file=label, row=line_no, column="weight"), detail=f"{w:g}"
                )
            )
        if kind == "lonlat" and np.isfinite(got[0]) and np.isfinite(got[1]):
            lon, lat = got[0], got[1]
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                problems.append(
                    problem(
                        "lonlat",
                        Location(file=label, row=line_no, column="lon"),
                        detail=f"({lon:g}, {lat:g})",
                    )
                )
        rows.append(line_no)
        vals.append((got[0], got[1], w))
    if not vals and not problems:
        problems.append(problem("empty", Location(file=label)))
    if problems:
        raise ImportRejected(problems, file=label)
    arr = np.array(vals, dtype=np.float64)
    a, b, ws = arr[:, 0], arr[:, 1], arr[:, 2]
    if kind == "lonlat":
        if datum == "gcj02":
            a, b = gcj02_to_wgs84(a, b)
        xs, ys = city.projector.to_xy(a, b)
    else:
        xs, ys = a, b
    outside = _outside_problems(city, xs, ys, tolerance_m)
    for k in np.flatnonzero(outside)[:MAX_PROBLEMS]:
        problems.append(
            problem(
                "outside", Location(file=label, row=rows[k], column=cx),
                detail=f"{outside[k]:.0f}", tolerance=f"{tolerance_m:g}",
            )
        )  # fmt: skip
    if problems:
        raise ImportRejected(problems, file=label)
    grid = city_grid(city, resolution_m)
    return _finish(city, grid, xs, ys, ws, f"{label} sha256={_sha(raw)}", unit)


def _geokeys(directory: Any) -> dict[int, int]:
    keys = [int(v) for v in np.asarray(directory).ravel()]
    if len(keys) < 4:
        return {}
    n = keys[3]
    out: dict[int, int] = {}
    for k in range(n):
        key_id, location, _count, value = keys[4 + 4 * k : 8 + 4 * k]
        if location == 0:
            out[key_id] = value
    return out


def read_demand_geotiff(
    path: Path | str,
    city: City,
    *,
    resolution_m: float = 50.0,
    unit: str = "people",
    tolerance_m: float = 300.0,
    name: str | None = None,
) -> DemandRaster:
    """A count raster (GeoTIFF) area-summed onto the city grid (see the module doc)."""
    _check_unit(unit, "wgs84")
    file = Path(path)
    raw = file.read_bytes()
    label = name or file.name
    loc = Location(file=label)
    try:
        with tifffile.TiffFile(io.BytesIO(raw)) as tif:
            page = tif.pages.first
            tags = {t.code: t.value for t in page.tags.values()}
            data = np.asarray(page.asarray(), dtype=np.float64)
    except Exception as exc:  # tifffile raises many types on a bad file
        raise ImportRejected(
            [problem("tiff_shape", loc, detail=str(exc)[:200])], file=label
        ) from None
    problems: list[Problem] = []
    if data.ndim == 3 and data.shape[-1] == 1:
        data = data[..., 0]
    if data.ndim != 2:
        problems.append(problem("tiff_shape", loc, detail=f"shape {data.shape}"))
    for code, tag_name in (
        (TAG_PIXEL_SCALE, "ModelPixelScaleTag (33550)"),
        (TAG_TIEPOINT, "ModelTiepointTag (33922)"),
        (TAG_GEOKEYS, "GeoKeyDirectoryTag (34735)"),
    ):
        if code not in tags:
            problems.append(problem("tiff_tag", loc, detail=tag_name))
    if problems:
        raise ImportRejected(problems, file=label)
    epsg = _geokeys(tags[TAG_GEOKEYS]).get(KEY_PROJECTED_CS)
    if epsg not in ALLOWED_EPSG:
        shown = "—" if epsg is None else f"EPSG:{epsg}"
        raise ImportRejected([problem("tiff_crs", loc, detail=shown)], file=label)
    scale = [float(v) for v in np.asarray(tags[TAG_PIXEL_SCALE]).ravel()]
    tie = [float(v) for v in np.asarray(tags[TAG_TIEPOINT]).ravel()]
    if (
        len(scale) < 2
        or len(tie) < 6
        or scale[0] <= 0
        or scale[1] <= 0
        or abs(scale[0] - scale[1]) > 1e-6 * scale[0]
    ):
        raise ImportRejected(
            [problem("tiff_shape", loc, detail=f"pixel scale {scale[:2]}, tiepoint {tie[:6]}")],
            file=label,
        )
    nodata = tags.get(TAG_NODATA)
    if nodata is not None:
        try:
            nd = float(str(nodata).strip("\x00 "))
            data = np.where(data == nd, 0.0, data)
        except ValueError:
            pass
    bad = ~(np.isfinite(data) & (data >= 0))
    for r, c in np.argwhere(bad)[:MAX_PROBLEMS]:
        problems.append(
            problem(
                "negative", Location(file=label, row=int(r) + 1, column=str(int(c) + 1)),
                detail=f"{data[r, c]:g}",
            )
        )  # fmt: skip
    if problems:
        raise ImportRejected(problems, file=label)
    cell = scale[0]
    # raster (i, j) = (column, row) of the tie point, at model (X, Y); rows go south
    i0, j0, x_tie, y_tie = tie[0], tie[1], tie[3], tie[4]
    rr, cc = np.nonzero(data > 0)
    ws = data[rr, cc]
    xs = np.asarray(x_tie + (cc + 0.5 - i0) * cell, dtype=np.float64)
    ys = np.asarray(y_tie - (rr + 0.5 - j0) * scale[1], dtype=np.float64)
    planning = int(city.projector.crs.split(":")[1])
    if epsg != planning:
        tr = Transformer.from_crs(f"EPSG:{epsg}", city.projector.crs, always_xy=True)
        xs, ys = (np.asarray(v, dtype=np.float64) for v in tr.transform(xs, ys))
    outside = _outside_problems(city, xs, ys, tolerance_m + cell / 2)
    for k in np.flatnonzero(outside)[:MAX_PROBLEMS]:
        problems.append(
            problem(
                "tiff_outside",
                Location(file=label, row=int(rr[k]) + 1, column=str(int(cc[k]) + 1)),
                row=int(rr[k]) + 1, col=int(cc[k]) + 1, detail=f"{ws[k]:g}",
            )
        )  # fmt: skip
    if problems:
        raise ImportRejected(problems, file=label)
    if ws.size == 0:
        raise ImportRejected([problem("empty", loc)], file=label)
    grid = city_grid(city, resolution_m)
    px, py, pw = subsample_cells(xs, ys, ws, cell, grid.resolution_m)
    return _finish(city, grid, px, py, pw, f"{label} sha256={_sha(raw)}", unit)


def read_demand_file(
    path: Path | str,
    city: City,
    *,
    resolution_m: float = 50.0,
    datum: str = "wgs84",
    unit: str = "people",
    tolerance_m: float = 300.0,
    name: str | None = None,
) -> DemandRaster:
    """CSV or GeoTIFF by the file's suffix (``name`` for uploads kept under another name)."""
    label = name or Path(path).name
    suffix = Path(label).suffix.lower()
    if suffix in (".tif", ".tiff"):
        return read_demand_geotiff(
            path, city, resolution_m=resolution_m, unit=unit, tolerance_m=tolerance_m, name=label
        )
    if suffix in (".csv", ".txt"):
        return read_demand_csv(
            path, city, resolution_m=resolution_m, datum=datum, unit=unit,
            tolerance_m=tolerance_m, name=label,
        )  # fmt: skip
    raise DemandError(
        f"需求文件须为 .csv 或 .tif，而不是 {suffix or '无后缀'}",
        f"a demand file must be .csv or .tif, not {suffix or 'no suffix'}",
    )


def write_demand_geotiff(
    path: Path | str, raster: DemandRaster, *, epsg: int = 4547, nodata: float | None = None
) -> Path:
    """Write ``raster`` as a float64 GeoTIFF with the three GeoTIFF tags (north-up: the first
    row is the northernmost). ``epsg`` names the CRS of the raster's grid."""
    g = raster.grid
    out = Path(path)
    geokeys = (
        1, 1, 0, 3,
        1024, 0, 1, 1,  # GTModelTypeGeoKey = projected
        1025, 0, 1, 1,  # GTRasterTypeGeoKey = PixelIsArea
        KEY_PROJECTED_CS, 0, 1, epsg,
    )  # fmt: skip
    y_top = g.y_min + g.ny * g.resolution_m
    extratags: list[tuple[int, str, int, Any, bool]] = [
        (TAG_PIXEL_SCALE, "d", 3, (g.resolution_m, g.resolution_m, 0.0), False),
        (TAG_TIEPOINT, "d", 6, (0.0, 0.0, 0.0, g.x_min, y_top, 0.0), False),
        (TAG_GEOKEYS, "H", len(geokeys), geokeys, False),
    ]
    if nodata is not None:
        text = f"{nodata:g}"
        extratags.append((TAG_NODATA, "s", len(text) + 1, text, False))
    tifffile.imwrite(out, np.ascontiguousarray(np.flipud(raster.weight)), extratags=extratags)
    return out
