"""Helpers for the site tests: a few known-good rows in the sample registry's groups, and a
writer for hand-made files (import from here, not from conftest)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from zhiguo.operations.geo import City, load_city
from zhiguo.operations.sites.readers import COLUMNS
from zhiguo.testing import SAMPLE

# Points well inside Shenzhen (WGS84): Futian CBD, Nanshan, Luohu, Longgang.
FUTIAN = (114.0579, 22.5431)
NANSHAN = (113.9305, 22.5333)
LUOHU = (114.1315, 22.5482)
LONGGANG = (114.2470, 22.7200)


def city() -> City:
    return load_city()


def row(code: str, lonlat: tuple[float, float], **kw: Any) -> dict[str, Any]:
    base = {
        "code": code,
        "name": f"测试站址{code}",
        "type": "rooftop",
        "owner_uscc": SAMPLE["A1"],
        "lon": lonlat[0],
        "lat": lonlat[1],
        "height_m": 30,
        "status": "available",
        "carriers": "",
        "power_kw": 10,
        "fibre": "是",
        "load_limit_kg": 300,
        "rent_cny_year": 24000,
        "restrictions": "",
    }
    base.update(kw)
    return base


def good_rows() -> list[dict[str, Any]]:
    return [
        row("T-001", FUTIAN),
        row("T-002", NANSHAN, type="smart_pole", height_m=12, owner_uscc=SAMPLE["A11"]),
        row("T-003", LUOHU, type="tower", height_m=40, status="in_service", carriers="电信,移动"),
        row("T-004", LONGGANG, type="park", height_m=25, owner_uscc=SAMPLE["G2"]),
    ]


def write_csv(
    path: Path,
    rows: list[dict[str, Any]],
    *,
    chinese: bool = True,
    encoding: str = "utf-8",
    drop: tuple[str, ...] = (),
) -> Path:
    cols = [c for c in rows[0] if c not in drop]
    header = [COLUMNS[c][0] if chinese else c for c in cols]
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for r in rows:
            w.writerow([r.get(c, "") for c in cols])
    return path
