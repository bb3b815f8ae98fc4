"""Reading a site file into raw columns: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030), xlsx
(python-calamine, behind the data centre's xlsx guard) and GeoJSON (Point features).

Readers judge only the file's *form* (can it be read, which columns, which sheet); values
are judged in one place, :mod:`.validate`. Headers may be English or Chinese
(:data:`COLUMNS`); every row keeps the row number a person sees (CSV/xlsx: the spreadsheet row,
header = row 1 in CSV; GeoJSON: the feature's 1-based index).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from zhiguo.core.errors import ImportRejected, Location, Problem
from zhiguo.datacenter.ingest import refuse_unsafe_xlsx
from zhiguo.operations.sites.errors import problem

__all__ = ["COLUMNS", "REQUIRED", "SUFFIXES", "RawSites", "canonical_column", "read_sites_file"]

SUFFIXES = (".csv", ".xlsx", ".geojson", ".json")

COLUMNS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # canonical: (Chinese header, English label, other accepted spellings)
    "code": ("站址编码", "site code", ("编码", "站址编号", "site_code")),
    "name": ("站址名称", "site name", ("名称", "name_zh", "site_name")),
    "name_en": ("英文名称", "English name", ("站址英文名称",)),
    "type": ("类型", "type", ("站址类型", "site_type")),
    "owner_uscc": (
        "产权单位统一社会信用代码",
        "owner USCC",
        ("统一社会信用代码", "uscc", "owner_credit_code"),
    ),
    "owner_name": ("产权单位", "owner", ("产权单位名称", "owner_name", "企业名称")),
    "lon": ("经度", "longitude", ("lon", "lng", "long")),
    "lat": ("纬度", "latitude", ("lat",)),
    "height_m": ("挂高(米)", "height (m)", ("挂高", "高度", "height", "height_m", "挂高(m)")),
    "status": ("状态", "status", ("站址状态",)),
    "carriers": ("已入驻运营商", "carriers on site", ("运营商", "入驻运营商")),
    "power_kw": ("供电容量(kW)", "power (kW)", ("供电容量", "power", "power_kw")),
    "fibre": ("光纤", "fibre", ("fiber", "has_fibre", "光纤到位", "有无光纤")),
    "load_limit_kg": ("承重(kg)", "load limit (kg)", ("承重", "load_limit", "load_limit_kg")),
    "rent_cny_year": ("年租金(元)", "rent (CNY/year)", ("年租金", "rent", "rent_cny_year")),
    "restrictions": ("限制条件", "restrictions", ("限制", "备注限制")),
}
"""Every column the import understands, canonical name first."""

REQUIRED = ("code", "name", "type", "lon", "lat", "height_m")
"""Required columns; and one of ``owner_uscc`` / ``owner_name``."""


def _norm(text: str) -> str:
    text = str(text).strip().lower().replace("（", "(").replace("）", ")")
    return re.sub(r"[\s_\-]+", "", text)


_ALIASES: dict[str, str] = {}
for _canon, (_zh, _en, _others) in COLUMNS.items():
    for _name in (_canon, _zh, _en, *_others):
        _ALIASES.setdefault(_norm(_name), _canon)


def canonical_column(header: str) -> str | None:
    """The canonical column a header names (``挂高（米）`` → ``height_m``), or None."""
    return _ALIASES.get(_norm(header))


@dataclass
class RawSites:
    """A file's rows as raw cells, per canonical column, with their human row numbers."""

    file: str
    sheet: str | None = None
    columns: dict[str, list[Any]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # canonical -> header as written
    rows: list[int] = field(default_factory=list)
    datum: str | None = None  # declared inside the file (GeoJSON), if any
    problems: list[Problem] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def loc(self, index: int | None = None, column: str | None = None) -> Location:
        return Location(
            file=self.file,
            sheet=self.sheet,
            row=self.rows[index] if index is not None else None,
            column=self.headers.get(column, column) if column else None,
            field=column,
        )


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _from_grid(raw: RawSites, grid: list[list[Any]], first_row: int) -> RawSites:
    """Header = the first non-empty row; data = every later non-empty row."""
    start = next((i for i, r in enumerate(grid) if any(not _blank(c) for c in r)), None)
    if start is None:
        raw.problems.append(problem("file.empty", raw.loc()))
        return raw
    header = [str(c).strip() if not _blank(c) else "" for c in grid[start]]
    index: dict[str, int] = {}
    for pos, name in enumerate(header):
        canon = canonical_column(name) if name else None
        if canon is None:
            continue  # unknown columns are ignored (owners keep their own notes)
        if canon in index:
            raw.problems.append(
                problem(
                    "column.duplicate",
                    Location(file=raw.file, sheet=raw.sheet, row=start + first_row, column=name),
                    column=name,
                )
            )
            continue
        index[canon] = pos
        raw.headers[canon] = name
    raw.columns = {c: [] for c in index}
    for i in range(start + 1, len(grid)):
        row = grid[i]
        if all(_blank(c) for c in row):
            continue
        raw.rows.append(i + first_row)
        for canon, pos in index.items():
            value = row[pos] if pos < len(row) else None
            raw.columns[canon].append(None if _blank(value) else value)
    if not raw.rows:
        raw.problems.append(problem("file.empty", raw.loc()))
    return raw


def _decode(data: bytes, label: str) -> tuple[str | None, Problem | None]:
    # GB18030 is a superset of GBK
    encodings = ["utf-8-sig"] if data.startswith(codecs.BOM_UTF8) else ["utf-8", "gb18030"]
    last: UnicodeDecodeError | None = None
    for enc in encodings:
        try:
            return data.decode(enc), None
        except UnicodeDecodeError as exc:
            last = exc
    assert last is not None
    line = data[: last.start].count(b"\n") + 1
    return None, problem(
        "file.encoding", Location(file=label, row=line), line=line, encoding="/".join(encodings)
    )


def _read_csv(path: Path, label: str) -> RawSites:
    raw = RawSites(file=label)
    text, bad = _decode(path.read_bytes(), label)
    if bad is not None or text is None:
        raw.problems.append(bad or problem("file.unreadable", raw.loc(), detail="?"))
        return raw
    try:
        grid = [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raw.problems.append(problem("file.unreadable", raw.loc(), detail=str(exc)))
        return raw
    return _from_grid(raw, grid, first_row=1)


def _read_xlsx(path: Path, label: str, sheet: str | None) -> RawSites:
    refuse_unsafe_xlsx(path, file_label=label)  # bombs never reach calamine
    raw = RawSites(file=label)
    try:
        book = CalamineWorkbook.from_path(str(path))
        names = list(book.sheet_names)
        if sheet is not None and sheet not in names:
            raw.problems.append(
                problem("file.sheet", raw.loc(), sheet=sheet, sheets="、".join(names))
            )
            return raw
        raw.sheet = sheet or (names[0] if names else None)
        if raw.sheet is None:
            raw.problems.append(problem("file.empty", raw.loc()))
            return raw
        grid = book.get_sheet_by_name(raw.sheet).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own types for broken workbooks
        raw.problems.append(problem("file.unreadable", raw.loc(), detail=str(exc)[:200]))
        return raw
    return _from_grid(raw, [list(r) for r in grid], first_row=1)


def _read_geojson(path: Path, label: str) -> RawSites:
    raw = RawSites(file=label)
    text, bad = _decode(path.read_bytes(), label)
    try:
        if bad is not None or text is None:
            raise ValueError(bad.message_en if bad else "undecodable")
        doc = json.loads(text)
    except ValueError as exc:
        raw.problems.append(problem("file.unreadable", raw.loc(), detail=str(exc)[:200]))
        return raw
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raw.problems.append(
            problem(
                "file.unreadable",
                raw.loc(),
                detail="不是 GeoJSON FeatureCollection",
                detail_en="not a GeoJSON FeatureCollection",
            )
        )
        return raw
    top = doc.get("properties") if isinstance(doc.get("properties"), dict) else {}
    declared = doc.get("datum", top.get("datum") if top else None)
    raw.datum = str(declared).strip().lower() if declared is not None else None
    features = doc.get("features") or []
    keys: dict[str, str] = {}
    records: list[dict[str, Any]] = []
    for n, feature in enumerate(features, start=1):
        geom = feature.get("geometry") if isinstance(feature, dict) else None
        coords = geom.get("coordinates") if isinstance(geom, dict) else None
        props = feature.get("properties") if isinstance(feature, dict) else None
        record: dict[str, Any] = {}
        for key, value in (props or {}).items():
            canon = canonical_column(str(key))
            if canon is not None and canon not in ("lon", "lat"):
                keys.setdefault(canon, str(key))
                record[canon] = value
        if (
            not isinstance(geom, dict)
            or geom.get("type") != "Point"
            or not isinstance(coords, list)
            or len(coords) < 2
        ):
            kind = geom.get("type") if isinstance(geom, dict) else None
            raw.problems.append(
                problem(
                    "geojson.geometry",
                    Location(file=label, row=n, column="geometry"),
                    row=n,
                    detail=f"geometry {kind}",
                )
            )
            continue
        record["lon"], record["lat"] = coords[0], coords[1]
        raw.rows.append(n)
        records.append(record)
    keys["lon"] = "geometry"
    keys["lat"] = "geometry"
    raw.headers = keys
    raw.columns = {c: [None if _blank(r.get(c)) else r.get(c) for r in records] for c in keys}
    if not records and not raw.problems:
        raw.problems.append(problem("file.empty", raw.loc()))
    return raw


def read_sites_file(
    path: Path, *, file_label: str | None = None, sheet: str | None = None
) -> RawSites:
    """Read ``path`` by its suffix. Form problems are in ``.problems``; an unsafe xlsx is
    refused at once (:class:`ImportRejected`)."""
    label = file_label or path.name
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path, label)
    if suffix == ".xlsx":
        return _read_xlsx(path, label, sheet)
    if suffix in (".geojson", ".json"):
        return _read_geojson(path, label)
    raise ImportRejected(
        [problem("file.format", Location(file=label), suffix=suffix or "(none)")], file=label
    )
