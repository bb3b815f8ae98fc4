"""Lake datasets published by operations.coverage (registered through the catalog registry).

A coverage run publishes ``operations.coverage_pixels`` (one row per pixel inside the city)
and ``operations.coverage_summary`` (one row for the whole city, ``district_code`` −1, and one
per district). The summary rows of a run are its registry entry: run parameters, bounds and
shares. Both belong to no enterprise and are open (一般): a coverage prediction says where
signal is expected, not whose equipment is where beyond the public site ids.
"""

from __future__ import annotations

from typing import Any

from zhiguo.datacenter.catalog.schemas import ColumnSpec, DatasetSpec

__all__ = ["COVERAGE_PIXELS", "COVERAGE_SUMMARY", "DATASETS"]


def _col(name: str, type_: Any, zh: str, en: str, unit: str | None = None, **kw: Any) -> ColumnSpec:
    kw.setdefault("nullable", False)
    return ColumnSpec(name=name, type=type_, label_zh=zh, label_en=en, unit=unit, **kw)


COVERAGE_PIXELS = DatasetSpec(
    name="operations.coverage_pixels",
    title_zh="覆盖预测像元",
    title_en="Coverage prediction pixels",
    description=(
        "Best-server SS-RSRP, SINR and serving site per pixel inside the city for one coverage "
        "run (TR 38.901 UMa/UMi NLOS, distance cut-off); null RSRP/SINR/server where no site "
        "is within the cut-off. Row 0 is the southernmost; x_m/y_m are pixel centres in the "
        "planning CRS."
    ),
    owner_platform="operations",
    columns=(
        _col("run_id", "string", "运行编号", "Run id"),
        _col("band", "string", "频段", "Band"),
        _col("row", "int32", "行", "Row"),
        _col("col", "int32", "列", "Column"),
        _col("x_m", "float64", "像元中心 x", "Pixel centre x", "m"),
        _col("y_m", "float64", "像元中心 y", "Pixel centre y", "m"),
        _col("rsrp_dbm", "float64", "参考信号接收功率", "SS-RSRP", "dBm", nullable=True),
        _col("sinr_db", "float64", "信干噪比", "SINR", "dB", nullable=True),
        _col("server_site_id", "int64", "主服务站点", "Serving site id", nullable=True),
        _col("district_code", "int32", "区代码", "District code"),
    ),
    primary_key=("run_id", "row", "col"),
    open=True,
)

COVERAGE_SUMMARY = DatasetSpec(
    name="operations.coverage_summary",
    title_zh="覆盖率汇总",
    title_en="Coverage summary",
    description=(
        "Per coverage run: area share (covered pixels / pixels) and demand-weighted share "
        "(covered weight / weight) for the whole city (district_code −1) and each district, "
        "with the run's parameters. A pixel is covered where RSRP ≥ threshold_dbm."
    ),
    owner_platform="operations",
    columns=(
        _col("run_id", "string", "运行编号", "Run id"),
        _col("band", "string", "频段", "Band"),
        _col("created_at", "timestamp", "运行时间", "Run at"),
        _col("resolution_m", "float64", "分辨率", "Resolution", "m"),
        _col("cutoff_m", "float64", "截止距离", "Cut-off distance", "m"),
        _col("threshold_dbm", "float64", "覆盖门限", "Coverage threshold", "dBm"),
        _col("sites_mode", "string", "站点集合", "Site set", description="built | all"),
        _col("sites", "int32", "站点数", "Sites"),
        _col("demand_source", "string", "需求来源", "Demand source", nullable=True),
        _col("west", "float64", "西界经度", "West longitude", "°"),
        _col("south", "float64", "南界纬度", "South latitude", "°"),
        _col("east", "float64", "东界经度", "East longitude", "°"),
        _col("north", "float64", "北界纬度", "North latitude", "°"),
        _col("district_code", "int32", "区代码", "District code", description="−1 = whole city"),
        _col("district_zh", "string", "区", "District (zh)"),
        _col("district_en", "string", "区（英文）", "District"),
        _col("pixels", "int64", "像元数", "Pixels"),
        _col("covered_pixels", "int64", "覆盖像元数", "Covered pixels"),
        _col("area_share", "float64", "面积覆盖率", "Area share"),
        _col("demand_weight", "float64", "需求权重", "Demand weight", nullable=True),
        _col("covered_weight", "float64", "覆盖需求权重", "Covered demand weight", nullable=True),
        _col("demand_share", "float64", "需求覆盖率", "Demand-weighted share", nullable=True),
    ),
    primary_key=("run_id", "district_code"),
    open=True,
)

DATASETS: tuple[DatasetSpec, ...] = (COVERAGE_PIXELS, COVERAGE_SUMMARY)
