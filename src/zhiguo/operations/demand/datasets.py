"""Lake datasets published by operations.demand (registered through the catalog registry).

``operations.demand`` holds every published demand raster, one row per pixel with weight > 0,
each row carrying its raster's grid (corner, size, resolution, CRS) so that
:func:`~zhiguo.operations.demand.latest_demand` rebuilds the grid exactly. Demand belongs to
no enterprise: the dataset is open (一般, no personal information; the synthetic raster is
fictitious and an imported one is an aggregate per pixel).
"""

from __future__ import annotations

from typing import Any

from zhiguo.datacenter.catalog.schemas import ColumnSpec, DatasetSpec

__all__ = ["DATASETS", "DEMAND"]


def _col(name: str, type_: str, zh: str, en: str, unit: str | None = None, **kw: Any) -> ColumnSpec:
    return ColumnSpec(
        name=name,
        type=type_,
        label_zh=zh,
        label_en=en,
        unit=unit,
        nullable=False,
        **kw,
    )


DEMAND = DatasetSpec(
    name="operations.demand",
    title_zh="需求栅格",
    title_en="Demand raster",
    description=(
        "Population or traffic weight per pixel of a grid over the city in the planning CRS "
        "(one row per pixel with weight > 0; row 0 is the southernmost). Each publication is "
        "one raster_id; the latest published_at is the current demand."
    ),
    owner_platform="operations",
    columns=(
        _col("raster_id", "string", "栅格编号", "Raster id"),
        _col("published_at", "timestamp", "发布时间", "Published at"),
        _col("source", "string", "来源", "Source", description="synthetic seed=… or file sha256=…"),
        _col("unit", "string", "单位", "Unit", description="people | traffic"),
        _col("crs", "string", "坐标系", "CRS", description="EPSG:4547 | EPSG:32650"),
        _col("x_min", "float64", "网格西界", "Grid west edge", "m"),
        _col("y_min", "float64", "网格南界", "Grid south edge", "m"),
        _col("nx", "int32", "列数", "Columns", "px"),
        _col("ny", "int32", "行数", "Rows", "px"),
        _col("resolution_m", "float64", "分辨率", "Resolution", "m"),
        _col("row", "int32", "行", "Row", description="0 = southernmost"),
        _col("col", "int32", "列", "Column"),
        _col("x_m", "float64", "像元中心 x", "Pixel centre x", "m"),
        _col("y_m", "float64", "像元中心 y", "Pixel centre y", "m"),
        _col("district_code", "int32", "区代码", "District code"),
        _col("weight", "float64", "权重", "Weight", description="people or traffic weight"),
    ),
    primary_key=("raster_id", "row", "col"),
    open=True,
)

DATASETS: tuple[DatasetSpec, ...] = (DEMAND,)
