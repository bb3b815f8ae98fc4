"""Fictitious but plausible SOE sites for the demo and tests, and writers for site files.

The layout follows how such stock sits in a real city: rooftops, hubs and parks cluster
around dense cores (here the districts' representative points), smart poles line the roads
(straight corridors between cores, a few metres off the centre line), towers stand in the
suburbs (away from every core). Some sites are already in service with carriers on them.
Names and codes are invented (``{prefix}00042``); owners are the USCCs given.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from zhiguo.operations.geo import City, wgs84_to_gcj02
from zhiguo.operations.sites.readers import COLUMNS
from zhiguo.operations.sites.types import CARRIERS, SITE_TYPES

__all__ = ["FILE_COLUMNS", "generate_sites", "write_sites"]

FILE_COLUMNS = (
    "code",
    "name",
    "name_en",
    "type",
    "owner_uscc",
    "lon",
    "lat",
    "height_m",
    "status",
    "carriers",
    "power_kw",
    "fibre",
    "load_limit_kg",
    "rent_cny_year",
    "restrictions",
)
"""Columns of generated rows and written files (canonical names; files get Chinese headers)."""

_MIX = {
    "rooftop": 0.34,
    "smart_pole": 0.36,
    "hub": 0.06,
    "park": 0.10,
    "tower": 0.09,
    "indoor": 0.05,
}
_HEIGHT = {
    "rooftop": (18.0, 120.0),
    "smart_pole": (6.0, 15.0),
    "hub": (12.0, 40.0),
    "park": (15.0, 60.0),
    "tower": (25.0, 60.0),
    "indoor": (3.0, 20.0),
}
_RENT = {
    "rooftop": 30000.0,
    "smart_pole": 6000.0,
    "hub": 40000.0,
    "park": 20000.0,
    "tower": 25000.0,
    "indoor": 15000.0,
}
_RESTRICTIONS = ("", "", "", "夜间施工受限", "需业主同意方可进场", "限重载设备", "临近学校，需公示")


def _inside(city: City, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.bool_]:
    return np.asarray(city.district_of_xy(x, y)) >= 0


def _cores(city: City) -> NDArray[np.float64]:
    pts = [d.xy.representative_point() for d in city.districts]
    return np.array([[p.x, p.y] for p in pts], dtype=float)


def _sample(city: City, kind: str, n: int, rng: np.random.Generator) -> NDArray[np.float64]:
    """``n`` points of type ``kind`` inside the city (rejection sampling)."""
    cores = _cores(city)
    x0, y0, x1, y1 = city.bounds_xy
    out: list[NDArray[np.float64]] = []
    have = 0
    for _ in range(200):
        if have >= n:
            break
        m = max(4 * (n - have), 64)
        if kind in ("rooftop", "hub", "park", "indoor"):
            sigma = {"rooftop": 2500.0, "hub": 3500.0, "park": 5000.0, "indoor": 2000.0}[kind]
            c = cores[rng.integers(0, len(cores), m)]
            pts = c + rng.normal(0.0, sigma, (m, 2))
        elif kind == "smart_pole":
            a = cores[rng.integers(0, len(cores), m)]
            b = cores[rng.integers(0, len(cores), m)]
            t = rng.random((m, 1))
            line = a + t * (b - a)
            d = b - a
            norm = np.hypot(d[:, 0], d[:, 1])[:, None]
            perp = np.column_stack([-d[:, 1], d[:, 0]]) / np.where(norm > 0, norm, 1.0)
            pts = line + perp * rng.normal(0.0, 15.0, (m, 1))
        else:  # tower: suburbs, at least 4 km from every core
            pts = np.column_stack([rng.uniform(x0, x1, m), rng.uniform(y0, y1, m)])
            dist = cKDTree(cores).query(pts)[0]
            pts = pts[dist > 4000.0]
        pts = pts[_inside(city, pts[:, 0], pts[:, 1])] if len(pts) else pts
        out.append(pts)
        have += len(pts)
    allp = np.concatenate(out) if out else np.empty((0, 2))
    return allp[:n]


def generate_sites(
    city: City,
    enterprises: Sequence[str],
    *,
    n: int,
    seed: int = 0,
    prefix: str = "ZG-",
    in_service_share: float = 0.15,
) -> list[dict[str, Any]]:
    """``n`` fictitious sites owned by ``enterprises`` (USCCs, round-robin by seed), as rows
    with the :data:`FILE_COLUMNS` keys (WGS84 lon/lat), at least 5 m apart."""
    if not enterprises:
        raise ValueError("generate_sites needs at least one owner")
    rng = np.random.default_rng(seed)
    kinds = rng.choice(list(_MIX), size=n, p=list(_MIX.values()))
    xy = np.empty((n, 2))
    for kind in _MIX:
        idx = np.flatnonzero(kinds == kind)
        if idx.size:
            pts = _sample(city, kind, idx.size, rng)
            if len(pts) < idx.size:  # a tiny city: fall back to rooftops near the cores
                pts = np.concatenate([pts, _sample(city, "rooftop", idx.size - len(pts), rng)])
            xy[idx] = pts[: idx.size]
    # keep every pair ≥ 5 m apart (the import refuses duplicates within 1 m)
    for _ in range(20):
        close = cKDTree(xy).query_pairs(5.0, output_type="ndarray")
        if not len(close):
            break
        move = np.unique(close[:, 1])
        xy[move] += rng.normal(0.0, 20.0, (move.size, 2))
        bad = move[~_inside(city, xy[move, 0], xy[move, 1])]
        xy[bad] = xy[bad] - rng.normal(0.0, 20.0, (bad.size, 2))
    lon, lat = city.projector.to_lonlat(xy[:, 0], xy[:, 1])
    district = city.district_of_xy(xy[:, 0], xy[:, 1])
    carriers = list(CARRIERS)
    rows: list[dict[str, Any]] = []
    for i in range(n):
        kind = str(kinds[i])
        t = SITE_TYPES[kind]
        d = city.districts[int(district[i])] if district[i] >= 0 else None
        lo, hi = _HEIGHT[kind]
        in_service = rng.random() < in_service_share
        on_site = (
            sorted(rng.choice(carriers, size=int(rng.integers(1, 3)), replace=False).tolist())
            if in_service
            else []
        )
        status = (
            "in_service"
            if in_service
            else str(rng.choice(["available", "available", "available", "reserved", "unavailable"]))
        )
        rows.append(
            {
                "code": f"{prefix}{i + 1:05d}",
                "name": f"{d.name_zh if d else ''}{t.label_zh.split('/')[0]}{i + 1:05d}号",
                "name_en": f"{d.name_en if d else ''} {t.label_en} {i + 1:05d}".strip(),
                "type": kind,
                "owner_uscc": enterprises[int(rng.integers(0, len(enterprises)))],
                "lon": round(float(lon[i]), 7),
                "lat": round(float(lat[i]), 7),
                "height_m": round(float(rng.uniform(lo, hi)), 1),
                "status": status,
                "carriers": ",".join(on_site),
                "power_kw": round(float(rng.choice([5.0, 10.0, 15.0, 20.0, 30.0])), 1),
                "fibre": "是" if rng.random() < 0.7 else "否",
                "load_limit_kg": t.default_load_kg,
                "rent_cny_year": round(float(_RENT[kind] * rng.uniform(0.6, 1.6)), -2),
                "restrictions": str(rng.choice(_RESTRICTIONS)),
            }
        )
    return rows


def _file_rows(rows: Sequence[dict[str, Any]], datum: str) -> list[dict[str, Any]]:
    if datum == "wgs84" or not rows:
        return [dict(r) for r in rows]
    lon, lat = wgs84_to_gcj02([r["lon"] for r in rows], [r["lat"] for r in rows])
    return [
        {**r, "lon": round(float(a), 7), "lat": round(float(b), 7)}
        for r, a, b in zip(rows, lon, lat, strict=True)
    ]


def write_sites(
    rows: Sequence[dict[str, Any]], path: Path, *, datum: str = "wgs84", sheet: str = "站址"
) -> Path:
    """Write ``rows`` as a site file by suffix: .csv (UTF-8 with BOM, Chinese headers), .xlsx
    (one sheet), .geojson (Point features, ``datum`` declared at the top). Coordinates are
    converted to GCJ-02 when ``datum="gcj02"``."""
    data = _file_rows(rows, datum)
    headers = [COLUMNS[c][0] for c in FILE_COLUMNS]
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(headers)
            for r in data:
                writer.writerow(["" if r.get(c) is None else r.get(c) for c in FILE_COLUMNS])
    elif suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        ws = book.create_sheet(sheet)
        ws.append(headers)
        for r in data:
            ws.append([r.get(c) for c in FILE_COLUMNS])
        book.save(path)
    elif suffix in (".geojson", ".json"):
        features = [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                "properties": {c: r.get(c) for c in FILE_COLUMNS if c not in ("lon", "lat")},
            }
            for r in data
        ]
        doc = {"type": "FeatureCollection", "datum": datum, "features": features}
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    else:
        raise ValueError(f"unsupported site file suffix {suffix}")
    return path
