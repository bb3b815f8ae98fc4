"""The demo world's operations platform: SOE sites, demand, coverage, a plan and leases.

Everything here is FICTITIOUS — generated from the seed on the real Shenzhen district
outlines: no site, rent, demand figure or lease describes a real place or company. The
site file is imported through the same all-or-nothing import a data officer uses (so the
lake, the inbox and the catalog see it as a submission), and a file of bad sites is left for
the tour in ``bad-files/``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from zhiguo.core.access import Scope
from zhiguo.core.workspace import Workspace
from zhiguo.operations.coverage.run import run_coverage
from zhiguo.operations.demand import publish_demand, synthetic_demand
from zhiguo.operations.geo import city_from_settings
from zhiguo.operations.leasing.service import publish_leases
from zhiguo.operations.leasing.synthetic import seed_demo_leases
from zhiguo.operations.planning.service import plan_for_city
from zhiguo.operations.sites import generate_sites, import_sites, write_sites

from .world import AS_OF, World

__all__ = ["SITES_BY_SCALE", "OperationsDemo", "build_operations", "write_bad_sites"]

SITES_BY_SCALE = {"S": 800, "M": 3000, "L": 6000}
"""Fictitious SOE sites offered in each demo scale."""
SITE_OWNER_GROUPS = 8
"""The first groups of the world own the sites (officer1's group among them)."""
DEMO_PLAN_SECONDS = 15.0
"""Solver time limit for the demo's plan (the CLI default is 60 s)."""

Tick = Callable[[str, int, int], None]


@dataclass(frozen=True)
class OperationsDemo:
    sites: int
    demand_people: float
    coverage_run: str
    coverage_area_share: float
    plan_id: int
    plan_gap: float | None
    leases: int


def build_operations(
    session: Session, ws: Workspace, world: World, *, scale: str, seed: int, tick: Tick
) -> OperationsDemo:
    """Import the demo sites, publish a synthetic demand raster, run the as-built n78
    coverage and a budgeted plan, and seed leases in every state."""
    ops = ws.settings.operations
    city = city_from_settings(ops)
    owners = world.groups[:SITE_OWNER_GROUPS]
    rows = generate_sites(city, owners, n=SITES_BY_SCALE[scale], seed=seed)
    folder = ws.root / "operations"
    site_file = write_sites(rows, folder / "demo-sites.csv")
    write_sites(rows[:50], folder / "demo-sites-gcj02.geojson", datum="gcj02")
    imported = import_sites(
        session=session,
        path=site_file,
        lake_root=ws.lake,
        scope=Scope.everything(),
        actor="demo",
        inbox=ws.inbox,
        datum="wgs84",
        ops=ops,
        city=city,
    )
    session.commit()
    write_bad_sites(site_file, ws.root / "bad-files" / "sites-bad.csv")
    tick("operations", 1, 5)
    demand = synthetic_demand(city, resolution_m=ops.resolution_m, seed=seed)
    publish_demand(demand, lake_root=ws.lake, city=city, session=session, actor="demo")
    session.commit()
    tick("operations", 1, 5)
    coverage = run_coverage(
        session,
        lake_root=ws.lake,
        reports_root=ws.root / "reports",
        city=city,
        band="n78",
        resolution_m=ops.resolution_m,
        cutoff_m=ops.cutoff_m,
        threshold_dbm=ops.rsrp_threshold_dbm,
        sites="built",
        demand=demand,
        actor="demo",
    )
    session.commit()
    tick("operations", 1, 5)
    leases = seed_demo_leases(session=session, today=AS_OF, seed=seed)
    publish_leases(session=session, lake_root=ws.lake, actor="demo")
    session.commit()
    tick("operations", 1, 5)
    plan = plan_for_city(
        session,
        settings=ops,
        lake_root=ws.lake,
        scope=Scope.everything(),
        mode="max_cover",
        band="n78",
        budget=DEMO_PLAN_BUDGET_CNY,
        time_limit_s=DEMO_PLAN_SECONDS,
        created_by="demo",
    )
    session.commit()
    tick("operations", 1, 5)
    return OperationsDemo(
        sites=imported.rows,
        demand_people=float(demand.weight.sum()),
        coverage_run=str(coverage.run_id),
        coverage_area_share=float(coverage.city.area_share),
        plan_id=plan.id,
        plan_gap=plan.gap,
        leases=sum(leases.values()),
    )


DEMO_PLAN_BUDGET_CNY = 20_000_000.0
"""The demo plan's annual budget (fictitious): about seventy sites."""


def write_bad_sites(good: Path, target: Path) -> Path:
    """A copy of the first rows of ``good`` with the mistakes the import must catch, one per
    row: latitude and longitude swapped, a point outside the city, a duplicate within a
    metre, an impossible height."""
    with good.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = [next(reader) for _ in range(6)]
    col = {name: i for i, name in enumerate(header)}
    lon, lat, height, code = (_column(col, k) for k in ("经度", "纬度", "挂高", "站址编码"))
    rows[0][lon], rows[0][lat] = rows[0][lat], rows[0][lon]  # swapped
    rows[1][lon], rows[1][lat] = "116.3975", "39.9087"  # Beijing: outside the city
    rows[2][lon], rows[2][lat] = rows[3][lon], rows[3][lat]  # same point as the next row
    rows[2][code] = rows[2][code] + "-DUP"
    rows[4][height] = "-12"  # impossible height
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return target


def _column(col: dict[str, int], prefix: str) -> int:
    for name, i in col.items():
        if name.startswith(prefix):
            return i
    raise KeyError(prefix)
