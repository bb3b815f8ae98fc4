"""Lake datasets published by operations.leasing (registered through the catalog registry).

``operations.leases`` is the whole lease table as of a publication (a snapshot written with
Delta ``overwrite``), so time travel shows how the pipeline moved. Scope column
``enterprise_id`` (the site's owner): an enterprise reads only its own group's leases.

Classification: 一般 (general), like ``operations.sites``: where a site is, who leases it and
the agreed rent is commercial information between the owner and the carrier, not data whose
leak endangers national security or the public interest at scale (GB/T 43697-2024 §6).
"""

from __future__ import annotations

from zhiguo.datacenter.catalog.schemas import ColumnSpec, DatasetSpec

__all__ = ["DATASETS", "LEASES"]


def _col(name: str, type_: str, zh: str, en: str, **kw: object) -> ColumnSpec:
    return ColumnSpec(name=name, type=type_, label_zh=zh, label_en=en, **kw)


LEASES = DatasetSpec(
    name="operations.leases",
    title_zh="站址租赁",
    title_en="Site leases",
    description=(
        "Every lease of an SOE site to a carrier (telecom, mobile, unicom, cbn, tower): the "
        "site and its owning enterprise, the carrier, the lifecycle state (request, survey, "
        "approval, contract, active, ended, rejected, withdrawn), rent and term. Each version "
        "is the whole table when published."
    ),
    owner_platform="operations",
    columns=(
        _col("lease_id", "int64", "租赁编号", "Lease id", nullable=False),
        _col("site_id", "int64", "站址编号", "Site id", nullable=False),
        _col("site_code", "string", "站址编码", "Site code", nullable=False),
        _col("enterprise_id", "int64", "产权单位", "Owner enterprise id", nullable=False),
        _col(
            "carrier",
            "string",
            "运营商",
            "Carrier",
            nullable=False,
            description="telecom | mobile | unicom | cbn | tower",
        ),
        _col("request_id", "int64", "需求编号", "Request id"),
        _col(
            "state",
            "string",
            "状态",
            "State",
            nullable=False,
            description="request | survey | approval | contract | active | ended | rejected "
            "| withdrawn",
        ),
        _col("rent_cny_year", "float64", "年租金", "Annual rent", unit="CNY/year"),
        _col("start_date", "date", "起租日", "Start"),
        _col("end_date", "date", "到期日", "End", description="Last day of the term (included)."),
        _col("ended_on", "date", "终止日", "Ended on"),
        _col("updated_at", "timestamp", "更新时间", "Updated at", nullable=False),
    ),
    primary_key=("lease_id",),
    scope_column="enterprise_id",
    inputs=("operations.sites",),
    retention_days=None,
)

DATASETS: tuple[DatasetSpec, ...] = (LEASES,)
