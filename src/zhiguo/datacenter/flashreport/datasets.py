"""The lake datasets the flash report publishes (registered through the catalog registry)."""

from __future__ import annotations

from zhiguo.datacenter.catalog.schemas import Classification, ColumnSpec, DatasetSpec

__all__ = ["DATASETS", "FLASH_REPORT"]

_I = Classification.important

FLASH_REPORT = DatasetSpec(
    name="flash_report",
    title_zh="财务快报",
    title_en="Monthly financial flash report",
    description=(
        "Every figure of every accepted monthly flash report: entity × period × item × "
        "caliber × scope × report type. Money in 元 (submissions in 万元 are converted); "
        "headcounts in persons. A correction replaces the entity's report for that period "
        "as a new table version; earlier versions stay readable."
    ),
    owner_platform="datacenter",
    columns=(
        ColumnSpec(
            name="enterprise_id",
            type="int64",
            nullable=False,
            label_zh="企业编号",
            label_en="Enterprise id",
            description="Registry id of the reporting entity.",
        ),
        ColumnSpec(
            name="uscc",
            type="string",
            nullable=False,
            label_zh="统一社会信用代码",
            label_en="USCC",
        ),
        ColumnSpec(
            name="period", type="string", nullable=False, label_zh="期间", label_en="Period"
        ),
        ColumnSpec(
            name="report_type",
            type="string",
            nullable=False,
            label_zh="报表类型",
            label_en="Report type",
            description="single 单户 | consolidated 合并 | aggregated 汇总",
        ),
        ColumnSpec(
            name="item_code", type="string", nullable=False, label_zh="项目", label_en="Item"
        ),
        ColumnSpec(
            name="caliber",
            type="string",
            nullable=False,
            label_zh="口径",
            label_en="Caliber",
            description="month 本月 | ytd 本年累计 | ytd_prior_year 上年同期累计 | "
            "closing 期末余额 | opening 年初余额",
        ),
        ColumnSpec(
            name="scope",
            type="string",
            nullable=False,
            label_zh="范围",
            label_en="Scope",
            description="total 合计 | domestic 境内 | overseas 境外",
        ),
        ColumnSpec(
            name="value",
            type="float64",
            nullable=False,
            unit="元",
            label_zh="金额/数量",
            label_en="Value",
            description="元 for money items, persons for headcount items.",
            classification=_I,
        ),
        ColumnSpec(
            name="unit_declared",
            type="string",
            nullable=False,
            label_zh="申报单位",
            label_en="Declared unit",
            description="The unit the submitter declared (yuan or 10k_yuan).",
        ),
        ColumnSpec(
            name="batch_id",
            type="string",
            nullable=False,
            label_zh="批次",
            label_en="Batch",
            description="The ingest batch (and through it the inbox file) that wrote the row.",
        ),
        ColumnSpec(
            name="submitted_at",
            type="timestamp",
            nullable=False,
            label_zh="报送时间",
            label_en="Submitted at",
        ),
    ),
    primary_key=("enterprise_id", "period", "report_type", "item_code", "caliber", "scope"),
    replace_key=("enterprise_id", "period", "report_type"),
    scope_column="enterprise_id",
    classification=_I,
    retention_days=None,
)

DATASETS: tuple[DatasetSpec, ...] = (FLASH_REPORT,)
