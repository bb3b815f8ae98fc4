"""Lake datasets published by operations.planning (registered through the catalog registry).

``operations.plan_sites`` holds the sites every plan chose, one row per (plan, site), with
the plan's headline figures repeated on each row so an analysis needs no join. Rows carry
the site's owner (``enterprise_id``): an enterprise reads only the rows of its own subtree's
sites. A plan is an internal planning decision: 重要 (important).
"""

from __future__ import annotations

from typing import Any

from zhiguo.core.access import Classification
from zhiguo.datacenter.catalog.schemas import ColumnSpec, DatasetSpec

__all__ = ["DATASETS", "PLAN_SITES"]


def _col(name: str, type_: str, zh: str, en: str, unit: str | None = None, **kw: Any) -> ColumnSpec:
    kw.setdefault("nullable", False)
    return ColumnSpec(name=name, type=type_, label_zh=zh, label_en=en, unit=unit, **kw)


PLAN_SITES = DatasetSpec(
    name="operations.plan_sites",
    title_zh="选址规划站点",
    title_en="Site-selection plan sites",
    description=(
        "The sites each site-selection plan chose (pinned ones already in service included at "
        "no cost), with the plan's mode, band, cost, coverage share, bound and gap."
    ),
    owner_platform="operations",
    columns=(
        _col("plan_id", "int64", "规划编号", "Plan id"),
        _col("created_at", "timestamp", "规划时间", "Planned at"),
        _col("mode", "string", "模式", "Mode", description="set_cover | max_cover"),
        _col("band", "string", "频段", "Band"),
        _col("site_id", "int64", "站点编号", "Site id"),
        _col("code", "string", "站点编码", "Site code"),
        _col("enterprise_id", "int64", "产权单位", "Owner enterprise id"),
        _col("site_type", "string", "站点类型", "Site type"),
        _col("lon", "float64", "经度", "Longitude", "degree", description="WGS84"),
        _col("lat", "float64", "纬度", "Latitude", "degree", description="WGS84"),
        _col("pinned", "bool", "已建", "Already in service"),
        _col("cost", "float64", "站点成本", "Site cost", "CNY"),
        _col("plan_cost", "float64", "规划成本", "Plan cost", "CNY"),
        _col("plan_coverage_share", "float64", "规划覆盖率", "Plan coverage share"),
        _col("plan_gap", "float64", "与下界差距", "Gap to bound", nullable=True),
    ),
    primary_key=("plan_id", "site_id"),
    scope_column="enterprise_id",
    classification=Classification.important,
)

DATASETS: tuple[DatasetSpec, ...] = (PLAN_SITES,)
