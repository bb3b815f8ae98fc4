"""Importing, listing and publishing SOE sites.

**Order of an import ("never half-written").** The file is kept in the inbox first (by
SHA-256, whatever happens next). It is read and judged completely; any problem rejects it
with every problem located and nothing written. Otherwise, inside the caller's DB
transaction: a PostgreSQL advisory lock serialises site imports; new codes are inserted and
known codes updated (one bulk statement each); the whole current table — read back through
the same transaction — is published as one new version of the lake dataset
``operations.sites`` and its lineage row recorded. Only then does the caller commit. If the
publish fails, the exception rolls the DB change back: nothing is written. The one
remaining window — the DB commit failing after the lake commit succeeded — leaves a lake
version ahead of the DB with no lineage row; :func:`publish_sites` (``zhiguo sites
publish``) republishes the DB's table, and the next import does so anyway, since every
version is the whole table.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import Session

from zhiguo.core.access import Scope
from zhiguo.core.errors import ImportRejected, Location
from zhiguo.core.inbox import Received, keep_path, record_outcome
from zhiguo.core.settings import OperationsSettings
from zhiguo.datacenter.catalog import record_commit
from zhiguo.datacenter.lake import open_table
from zhiguo.operations.geo import City, city_from_settings
from zhiguo.operations.sites.datasets import SITES
from zhiguo.operations.sites.errors import SiteNotFound, problem
from zhiguo.operations.sites.models import Site
from zhiguo.operations.sites.readers import read_sites_file
from zhiguo.operations.sites.schemas import SiteImportResult, SiteOut
from zhiguo.operations.sites.validate import ExistingSites, validate_sites
from zhiguo.registry import Enterprise

__all__ = [
    "INBOX_AREA",
    "get_site",
    "import_sites",
    "list_sites",
    "publish_sites",
    "sites_geojson",
    "sites_table",
]

INBOX_AREA = "operations.sites"
"""Inbox folder of received site files."""

_FIELDS = (
    "name_zh",
    "name_en",
    "site_type",
    "enterprise_id",
    "lon",
    "lat",
    "x_m",
    "y_m",
    "district_code",
    "height_m",
    "status",
    "carriers",
    "power_kw",
    "has_fibre",
    "load_limit_kg",
    "rent_cny_year",
    "restrictions",
)

Progress = Callable[[str], None]


_TOLERANCE = {"lon": 1e-7, "lat": 1e-7, "x_m": 0.02, "y_m": 0.02}
"""Position changes below ≈ 1 cm (a GCJ-02 round trip, a re-projection) are no change."""


def _same(a: Any, b: Any, name: str = "") -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        tol = _TOLERANCE.get(name, 1e-9 * max(1.0, abs(float(a))))
        return abs(float(a) - float(b)) <= tol
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        if a is None or b is None:
            return a is b
        return Decimal(a) == Decimal(b)
    return bool(a == b)


def _lock(session: Session) -> None:
    """Serialise site imports on PostgreSQL (SQLite writers are serial anyway)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext('operations.sites'))"))


def import_sites(
    *,
    session: Session,
    path: Path,
    lake_root: Path,
    scope: Scope,
    actor: str,
    inbox: Path | None = None,
    datum: str | None = None,
    sheet: str | None = None,
    ops: OperationsSettings | None = None,
    city: City | None = None,
    file_label: str | None = None,
    progress: Progress | None = None,
) -> SiteImportResult:
    """Import a CSV/xlsx/GeoJSON site file for owners within ``scope``, all or nothing,
    and publish the table (see the module doc for the order). ``datum`` is the file's
    declared datum (``wgs84``/``gcj02``); None takes the GeoJSON's own declaration, else
    WGS84. Raises :class:`ImportRejected` with every located problem."""
    say = progress or (lambda _m: None)
    ops = ops or OperationsSettings()
    label = file_label or path.name
    clock: dict[str, float] = {}
    t0 = time.perf_counter()
    received: Received | None = None
    if inbox is not None:
        received = keep_path(inbox, INBOX_AREA, path, name=label, sender=actor)
        say(f"kept {label} sha256={received.sha256[:12]}…")
    try:
        raw = read_sites_file(path, file_label=label, sheet=sheet)
        clock["read"] = time.perf_counter() - t0
        say(f"read {len(raw)} rows")
        t1 = time.perf_counter()
        chosen = (datum or raw.datum or "wgs84").strip().lower()
        if datum and raw.datum and datum.strip().lower() != raw.datum:
            conflict = problem(
                "file.datum_conflict", Location(file=label), given=datum, declared=raw.datum
            )
            raise ImportRejected([conflict], file=label)
        city = city or city_from_settings(ops)
        existing = ExistingSites.load(session)
        parsed = validate_sites(
            raw,
            session=session,
            city=city,
            scope=scope,
            datum=chosen,
            tolerance_m=ops.boundary_tolerance_m,
            existing=existing,
        )
        clock["validate"] = time.perf_counter() - t1
        if parsed.problems:
            say(f"{len(parsed.problems)} problem(s): rejected, nothing written")
            raise ImportRejected(parsed.problems, file=label)
    except ImportRejected as exc:
        if received is not None:
            record_outcome(
                received, {"result": "rejected", "by": actor, "problems": exc.details["problems"]}
            )
        raise
    t2 = time.perf_counter()
    sha = received.sha256 if received is not None else _sha256(path)
    _lock(session)
    current = {s.code: s for s in session.scalars(select(Site))}
    now = datetime.now(UTC)
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    unchanged = 0
    for row in parsed.rows:
        values = {k: row[k] for k in _FIELDS}
        known = current.get(row["code"])
        if known is None:
            inserts.append(
                {
                    "code": row["code"],
                    **values,
                    "source_file": label[:300],
                    "source_sha256": sha,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        elif all(_same(getattr(known, k), values[k], k) for k in _FIELDS):
            unchanged += 1
        else:
            updates.append(
                {
                    "id": known.id,
                    **values,
                    "source_file": label[:300],
                    "source_sha256": sha,
                    "updated_at": now,
                }
            )
    if inserts:
        session.execute(insert(Site), inserts)
    if updates:
        session.execute(update(Site), updates)
    session.flush()
    session.expire_all()
    clock["write"] = time.perf_counter() - t2
    say(f"{len(inserts)} new, {len(updates)} updated, {unchanged} unchanged")
    t3 = time.perf_counter()
    version = publish_sites(
        session=session, lake_root=lake_root, actor=actor, inbox_sha256=sha, operation="import"
    )
    clock["publish"] = time.perf_counter() - t3
    say(f"published {SITES.name} v{version}")
    if received is not None:
        record_outcome(
            received,
            {
                "result": "accepted",
                "by": actor,
                "lake_version": version,
                "new": len(inserts),
                "updated": len(updates),
            },
        )
    return SiteImportResult(
        file=label,
        sha256=sha,
        rows=len(parsed.rows),
        imported=len(inserts),
        updated=len(updates),
        unchanged=unchanged,
        version=version,
        seconds=clock,
    )


def _sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _utc(value: datetime | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def sites_table(session: Session) -> pa.Table:
    """The whole site table as the lake dataset's rows."""
    sites = list(session.scalars(select(Site).order_by(Site.id)))
    cols: dict[str, list[Any]] = {
        "site_id": [s.id for s in sites],
        "code": [s.code for s in sites],
        "name_zh": [s.name_zh for s in sites],
        "name_en": [s.name_en for s in sites],
        "site_type": [s.site_type for s in sites],
        "enterprise_id": [s.enterprise_id for s in sites],
        "lon": [s.lon for s in sites],
        "lat": [s.lat for s in sites],
        "x_m": [s.x_m for s in sites],
        "y_m": [s.y_m for s in sites],
        "district_code": [s.district_code for s in sites],
        "height_m": [s.height_m for s in sites],
        "status": [s.status for s in sites],
        "carriers": [s.carriers for s in sites],
        "power_kw": [s.power_kw for s in sites],
        "has_fibre": [bool(s.has_fibre) for s in sites],
        "load_limit_kg": [s.load_limit_kg for s in sites],
        "rent_cny_year": [
            float(s.rent_cny_year) if s.rent_cny_year is not None else None for s in sites
        ],
        "restrictions": [s.restrictions for s in sites],
        "updated_at": [_utc(s.updated_at) for s in sites],
    }
    schema = SITES.arrow_schema
    return pa.table({f.name: pa.array(cols[f.name], type=f.type) for f in schema}, schema=schema)


def publish_sites(
    *,
    session: Session,
    lake_root: Path,
    actor: str,
    inbox_sha256: str | None = None,
    operation: str = "publish",
) -> int:
    """Write the whole current table as a new version of ``operations.sites`` (Delta
    overwrite: one atomic commit) and record its lineage in ``session``; the new version."""
    data = sites_table(session)
    version = open_table(lake_root, SITES.name).replace_all(
        data, metadata={"zhiguo_action": f"sites.{operation}", "by": actor[:100]}
    )
    record_commit(
        session,
        dataset=SITES.name,
        version=version,
        operation=operation,
        rows=data.num_rows,
        committed_by=actor,
        inbox_sha256=inbox_sha256,
    )
    return version


# ----------------------------------------------------------------------------- reading


def _out(site: Site, ent: Enterprise, city: City | None) -> SiteOut:
    d = (
        city.districts[site.district_code]
        if city is not None
        and site.district_code is not None
        and 0 <= site.district_code < len(city.districts)
        else None
    )
    return SiteOut(
        id=site.id,
        code=site.code,
        name_zh=site.name_zh,
        name_en=site.name_en,
        site_type=site.site_type,
        enterprise_id=site.enterprise_id,
        enterprise_uscc=ent.uscc,
        enterprise_name=ent.name_zh,
        lon=site.lon,
        lat=site.lat,
        x_m=site.x_m,
        y_m=site.y_m,
        district_code=site.district_code,
        district_zh=d.name_zh if d else "",
        district_en=d.name_en if d else "",
        height_m=site.height_m,
        status=site.status,
        carriers=[c for c in site.carriers.split(",") if c],
        power_kw=site.power_kw,
        has_fibre=bool(site.has_fibre),
        load_limit_kg=site.load_limit_kg,
        rent_cny_year=site.rent_cny_year,
        restrictions=site.restrictions,
        source_file=site.source_file,
        source_sha256=site.source_sha256,
        updated_at=site.updated_at,
    )


def list_sites(
    *,
    session: Session,
    scope: Scope,
    site_type: str | None = None,
    status: str | None = None,
    district: int | None = None,
    enterprise_id: int | None = None,
    q: str | None = None,
    limit: int | None = 100,
    offset: int = 0,
    city: City | None = None,
) -> tuple[list[SiteOut], int]:
    """Sites the caller may see (their owner in ``scope``), filtered, by code; and the total."""
    stmt = select(Site, Enterprise).join(Enterprise, Enterprise.id == Site.enterprise_id)
    if scope.enterprise_ids is not None:
        if not scope.enterprise_ids:
            return [], 0
        stmt = stmt.where(Site.enterprise_id.in_(sorted(scope.enterprise_ids)))
    if site_type:
        stmt = stmt.where(Site.site_type == site_type)
    if status:
        stmt = stmt.where(Site.status == status)
    if district is not None:
        stmt = stmt.where(Site.district_code == district)
    if enterprise_id is not None:
        stmt = stmt.where(Site.enterprise_id == enterprise_id)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(Site.code.ilike(like) | Site.name_zh.ilike(like))
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    stmt = stmt.order_by(Site.code).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [_out(s, e, city) for s, e in session.execute(stmt).all()], total


def get_site(*, session: Session, scope: Scope, site_id: int, city: City | None = None) -> SiteOut:
    """One site; :class:`SiteNotFound` when there is none or it is outside ``scope``."""
    row = session.execute(
        select(Site, Enterprise)
        .join(Enterprise, Enterprise.id == Site.enterprise_id)
        .where(Site.id == site_id)
    ).one_or_none()
    if row is None or not scope.allows(row[0].enterprise_id):
        raise SiteNotFound(f"站址 {site_id} 不存在", f"No site {site_id}")
    return _out(row[0], row[1], city)


def sites_geojson(*, session: Session, scope: Scope, city: City | None = None) -> dict[str, Any]:
    """The sites the caller may see as a WGS84 FeatureCollection (for the map page)."""
    sites, _ = list_sites(session=session, scope=scope, limit=None, city=city)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(s.lon, 7), round(s.lat, 7)]},
                "properties": {
                    "id": s.id,
                    "code": s.code,
                    "name": s.name_zh,
                    "name_en": s.name_en,
                    "site_type": s.site_type,
                    "status": s.status,
                    "height_m": s.height_m,
                    "enterprise": s.enterprise_name,
                    "district": s.district_zh,
                },
            }
            for s in sites
        ],
    }
