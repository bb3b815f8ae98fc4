"""Publish a demand raster to the lake and read the latest one back."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
from sqlalchemy.orm import Session

from zhiguo.core.access import Scope
from zhiguo.datacenter.catalog import record_commit
from zhiguo.datacenter.lake import open_table, scoped_snapshot
from zhiguo.operations.coverage.kernel import Grid
from zhiguo.operations.demand.datasets import DEMAND
from zhiguo.operations.demand.errors import DemandError, NoDemand
from zhiguo.operations.demand.raster import DemandRaster, district_raster
from zhiguo.operations.geo import City

__all__ = ["PublishedDemand", "latest_demand", "publish_demand"]


class PublishedDemand:
    """What :func:`publish_demand` wrote."""

    def __init__(self, raster_id: str, version: int, rows: int, total: float) -> None:
        self.raster_id = raster_id
        self.version = version
        self.rows = rows
        self.total = total


def publish_demand(
    raster: DemandRaster,
    *,
    lake_root: Path,
    city: City,
    session: Session | None = None,
    actor: str = "system",
) -> PublishedDemand:
    """Commit ``raster`` as a new raster_id of ``operations.demand`` (one atomic commit), with
    its lineage in the catalog when a ``session`` is given."""
    g = raster.grid
    flat = raster.weight.ravel()
    nz = np.flatnonzero(flat > 0)
    rows, cols = np.divmod(nz, g.nx)
    n = nz.size
    raster_id = uuid.uuid4().hex
    now = datetime.now(UTC)

    def const(value: object, type_: pa.DataType) -> pa.Array:
        return pa.array([value] * n, type=type_) if n else pa.array([], type=type_)

    table = pa.table(
        {
            "raster_id": const(raster_id, pa.string()),
            "published_at": const(now, pa.timestamp("us", tz="UTC")),
            "source": const(raster.source, pa.string()),
            "unit": const(raster.unit, pa.string()),
            "crs": const(city.projector.crs, pa.string()),
            "x_min": const(g.x_min, pa.float64()),
            "y_min": const(g.y_min, pa.float64()),
            "nx": const(g.nx, pa.int32()),
            "ny": const(g.ny, pa.int32()),
            "resolution_m": const(g.resolution_m, pa.float64()),
            "row": pa.array(rows.astype(np.int32)),
            "col": pa.array(cols.astype(np.int32)),
            "x_m": pa.array(g.x_min + (cols + 0.5) * g.resolution_m),
            "y_m": pa.array(g.y_min + (rows + 0.5) * g.resolution_m),
            "district_code": pa.array(raster.district.ravel()[nz].astype(np.int32)),
            "weight": pa.array(flat[nz]),
        }
    )
    lake = open_table(lake_root, DEMAND.name)
    version = lake.commit(
        table,
        metadata={
            "zhiguo_action": "publish_demand",
            "raster_id": raster_id,
            "source": raster.source,
        },
    )
    if session is not None:
        record_commit(
            session, dataset=DEMAND.name, version=version, operation="publish",
            rows=n, committed_by=actor,
        )  # fmt: skip
    return PublishedDemand(raster_id, version, n, float(flat[nz].sum()))


def _read(data: pa.Table | ds.Dataset, columns: list[str], flt: pc.Expression | None) -> pa.Table:
    if isinstance(data, pa.Table):
        return (data.filter(flt) if flt is not None else data).select(columns)
    return data.to_table(columns=columns, filter=flt)


def latest_demand(lake_root: Path, *, city: City) -> DemandRaster:
    """The most recently published demand raster (``NoDemand`` — a NotFound — if none)."""
    lake = open_table(lake_root, DEMAND.name)
    if not lake.exists():
        raise NoDemand(
            "尚未发布需求栅格（运行 zhiguo demand synth 或 demand import）",
            "no demand raster published yet (run zhiguo demand synth or demand import)",
        )
    relation = scoped_snapshot(lake, Scope.everything())
    data = relation.data
    ids = _read(data, ["raster_id", "published_at"], None)
    if ids.num_rows == 0:
        raise NoDemand()
    last = pc.max(ids["published_at"])
    raster_id = ids.filter(pc.equal(ids["published_at"], last))["raster_id"][0].as_py()
    cols = [
        "source",
        "unit",
        "crs",
        "x_min",
        "y_min",
        "nx",
        "ny",
        "resolution_m",
        "row",
        "col",
        "weight",
    ]
    rows = _read(data, cols, pc.field("raster_id") == raster_id)
    head = {c: rows[c][0].as_py() for c in cols[:8]}
    if head["crs"] != city.projector.crs:
        raise DemandError(
            f"需求栅格坐标系 {head['crs']} 与规划坐标系 {city.projector.crs} 不同，请重新发布",
            f"the demand raster's CRS {head['crs']} differs from the planning CRS "
            f"{city.projector.crs}; publish it again",
        )
    grid = Grid(
        x_min=float(head["x_min"]), y_min=float(head["y_min"]), nx=int(head["nx"]),
        ny=int(head["ny"]), resolution_m=float(head["resolution_m"]),
    )  # fmt: skip
    weight = np.zeros((grid.ny, grid.nx))
    weight[rows["row"].to_numpy(), rows["col"].to_numpy()] = rows["weight"].to_numpy()
    return DemandRaster(
        grid=grid, weight=weight, district=district_raster(city, grid),
        source=str(head["source"]), unit=str(head["unit"]),
    )  # fmt: skip
