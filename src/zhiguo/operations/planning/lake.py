"""Publish a stored plan's chosen sites to the lake dataset ``operations.plan_sites``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiguo.datacenter.catalog import record_commit
from zhiguo.datacenter.lake import open_table
from zhiguo.operations.planning.datasets import PLAN_SITES
from zhiguo.operations.planning.models import OperationsPlan, OperationsPlanSite
from zhiguo.operations.sites.models import Site

__all__ = ["publish_plan"]


def publish_plan(
    session: Session, plan: OperationsPlan, *, lake_root: Path, actor: str = "system"
) -> int:
    """Append the plan's chosen sites as one commit (with its lineage in the catalog);
    returns the new table version."""
    rows = session.execute(
        select(OperationsPlanSite, Site)
        .join(Site, Site.id == OperationsPlanSite.site_id)
        .where(OperationsPlanSite.plan_id == plan.id)
        .order_by(Site.id)
    ).all()
    created = plan.created_at or datetime.now(UTC)
    if created.tzinfo is None:  # SQLite hands back naive UTC
        created = created.replace(tzinfo=UTC)
    n = len(rows)

    def const(value: object, type_: pa.DataType) -> pa.Array:
        return pa.array([value] * n, type=type_)

    table = pa.table(
        {
            "plan_id": const(plan.id, pa.int64()),
            "created_at": const(created, pa.timestamp("us", tz="UTC")),
            "mode": const(plan.mode, pa.string()),
            "band": const(plan.band, pa.string()),
            "site_id": pa.array([s.id for _, s in rows], type=pa.int64()),
            "code": pa.array([s.code for _, s in rows], type=pa.string()),
            "enterprise_id": pa.array([s.enterprise_id for _, s in rows], type=pa.int64()),
            "site_type": pa.array([s.site_type for _, s in rows], type=pa.string()),
            "lon": pa.array([s.lon for _, s in rows], type=pa.float64()),
            "lat": pa.array([s.lat for _, s in rows], type=pa.float64()),
            "pinned": pa.array([ps.pinned for ps, _ in rows], type=pa.bool_()),
            "cost": pa.array([ps.cost for ps, _ in rows], type=pa.float64()),
            "plan_cost": const(plan.cost, pa.float64()),
            "plan_coverage_share": const(plan.coverage_share, pa.float64()),
            "plan_gap": const(plan.gap, pa.float64()),
        }
    )
    version = open_table(lake_root, PLAN_SITES.name).commit(
        table, metadata={"zhiguo_action": "publish_plan", "plan_id": str(plan.id)}
    )
    record_commit(
        session, dataset=PLAN_SITES.name, version=version, operation="publish", rows=n,
        committed_by=actor,
    )  # fmt: skip
    return version
