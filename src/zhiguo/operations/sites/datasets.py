"""Lake datasets published by operations.sites (registered through the catalog registry).

``operations.sites`` is the whole site table as of an import: every version holds every
site (a snapshot, written with Delta ``overwrite``), so "the sites as of version v" is one
read and time travel shows how the stock changed.

Classification: 一般 (general) throughout, rent included. GB/T 43697-2024 keeps 重要数据
for data whose leak would endanger national security or the public interest at scale;
where an enterprise's rooftops are and what it asks for them is commercial information the
owner publishes to carriers anyway. Who sees which rows is the scope's business
(``enterprise_id``): an enterprise reads only its own subtree's sites. Derived datasets
(coverage, plans) inherit 一般 without a downgrade.
"""

from __future__ import annotations

from zhiguo.datacenter.catalog.schemas import ColumnSpec, DatasetSpec

__all__ = ["DATASETS", "SITES"]


def _col(name: str, type_: str, zh: str, en: str, **kw: object) -> ColumnSpec:
    return ColumnSpec(name=name, type=type_, label_zh=zh, label_en=en, **kw)


SITES = DatasetSpec(
    name="operations.sites",
    title_zh="国企站址资源",
    title_en="SOE site resources",
    description=(
        "Every site an SOE offers for 5G equipment (rooftop, smart pole, transit hub, park, "
        "tower, indoor venue): where (WGS84 and projected metres, district), how high, the "
        "owning enterprise, status and carriers on site, power, fibre, load limit, rent and "
        "restrictions. Each version is the whole table after one import."
    ),
    owner_platform="operations",
    columns=(
        _col("site_id", "int64", "站址编号", "Site id", nullable=False),
        _col("code", "string", "站址编码", "Site code", nullable=False),
        _col("name_zh", "string", "站址名称", "Name", nullable=False),
        _col("name_en", "string", "英文名称", "English name"),
        _col(
            "site_type",
            "string",
            "类型",
            "Type",
            nullable=False,
            description="rooftop | smart_pole | hub | park | tower | indoor",
        ),
        _col("enterprise_id", "int64", "产权单位", "Owner enterprise id", nullable=False),
        _col(
            "lon",
            "float64",
            "经度",
            "Longitude",
            unit="degree",
            nullable=False,
            description="WGS84.",
        ),
        _col(
            "lat",
            "float64",
            "纬度",
            "Latitude",
            unit="degree",
            nullable=False,
            description="WGS84.",
        ),
        _col(
            "x_m",
            "float64",
            "横坐标",
            "Easting",
            unit="m",
            nullable=False,
            description="operations.projected_crs (EPSG:4547 by default).",
        ),
        _col("y_m", "float64", "纵坐标", "Northing", unit="m", nullable=False),
        _col(
            "district_code",
            "int32",
            "所在区",
            "District code",
            description="Index of the district in the city's outlines; null when outside.",
        ),
        _col("height_m", "float64", "挂高", "Mounting height", unit="m", nullable=False),
        _col(
            "status",
            "string",
            "状态",
            "Status",
            nullable=False,
            description="available | reserved | leased | in_service | unavailable",
        ),
        _col(
            "carriers",
            "string",
            "已入驻运营商",
            "Carriers on site",
            description="Comma list: telecom, mobile, unicom, cbn.",
        ),
        _col("power_kw", "float64", "供电容量", "Power available", unit="kW"),
        _col("has_fibre", "bool", "光纤", "Fibre on site", nullable=False),
        _col("load_limit_kg", "float64", "承重", "Load limit", unit="kg"),
        _col("rent_cny_year", "float64", "年租金", "Rent", unit="CNY/year"),
        _col("restrictions", "string", "限制条件", "Restrictions"),
        _col("updated_at", "timestamp", "更新时间", "Updated at", nullable=False),
    ),
    primary_key=("site_id",),
    scope_column="enterprise_id",
    retention_days=None,
)

DATASETS: tuple[DatasetSpec, ...] = (SITES,)
