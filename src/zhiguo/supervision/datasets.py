"""The lake datasets supervision publishes (registered through the catalog registry).

``supervision.indicator_values`` is the contract between the indicator computation and
everything that reads indicators (alerts, evaluation, screens, reports): one row per
enterprise (or the portfolio) × level × period × indicator × caliber.
"""

from __future__ import annotations

from zhiguo.datacenter.catalog.schemas import Classification, ColumnSpec, DatasetSpec

__all__ = ["DATASETS", "INDICATOR_VALUES", "LEVELS", "PORTFOLIO_ID"]

PORTFOLIO_ID = 0
"""``enterprise_id`` of the portfolio rows (汇总 of every top-level group); no enterprise
scope contains it, so only the whole-portfolio scope reads them."""

LEVELS = ("entity", "group", "subtree", "portfolio")
"""entity = an entity's own 单户 report; group = a group's 合并 report; subtree = the 汇总 (plain
sum) of the 单户 reports of an enterprise and everything below it; portfolio = the 汇总 of the
top-level groups' 合并 reports."""

_I = Classification.important


INDICATOR_VALUES = DatasetSpec(
    name="supervision.indicator_values",
    title_zh="监管指标值",
    title_en="Supervision indicator values",
    description=(
        "Every indicator of the library computed from the flash report at every level: an "
        "entity's 单户 report, a group's 合并 report, the 汇总 of any subtree and the whole "
        "portfolio. Aggregates are ratios of sums (inputs are summed first, then divided). "
        "A value that cannot be computed is null with status not_computable and a reason. "
        "Each row names the flash_report version it was computed from and the library "
        "version of its definition."
    ),
    owner_platform="supervision",
    columns=(
        ColumnSpec(
            name="enterprise_id",
            type="int64",
            label_zh="企业编号",
            label_en="Enterprise id",
            description="0 = the portfolio.",
            nullable=False,
        ),
        ColumnSpec(
            name="level",
            type="string",
            label_zh="层级",
            label_en="Level",
            description="entity | group | subtree | portfolio",
            nullable=False,
        ),
        ColumnSpec(
            name="period", type="string", label_zh="期间", label_en="Period", nullable=False
        ),
        ColumnSpec(
            name="indicator_code",
            type="string",
            label_zh="指标",
            label_en="Indicator",
            nullable=False,
        ),
        ColumnSpec(
            name="caliber",
            type="string",
            label_zh="口径",
            label_en="Caliber",
            description="The indicator's caliber variant.",
            nullable=False,
        ),
        ColumnSpec(
            name="value",
            type="float64",
            label_zh="指标值",
            label_en="Value",
            description="In the indicator's unit.",
            classification=_I,
        ),
        ColumnSpec(name="unit", type="string", label_zh="单位", label_en="Unit", nullable=False),
        ColumnSpec(
            name="status",
            type="string",
            label_zh="状态",
            label_en="Status",
            description="ok | not_computable",
            nullable=False,
        ),
        ColumnSpec(
            name="reason",
            type="string",
            label_zh="原因",
            label_en="Reason",
            description="Why a value is not computable.",
        ),
        ColumnSpec(
            name="source_version",
            type="int64",
            label_zh="来源版本",
            label_en="Source version",
            description="The flash_report table version the value was computed from.",
            nullable=False,
        ),
        ColumnSpec(
            name="library_version",
            type="string",
            label_zh="指标库版本",
            label_en="Library version",
            description="Digest of the indicator definition used.",
            nullable=False,
        ),
        ColumnSpec(
            name="computed_at",
            type="timestamp",
            label_zh="计算时间",
            label_en="Computed at",
            nullable=False,
        ),
    ),
    primary_key=("enterprise_id", "level", "period", "indicator_code", "caliber"),
    replace_key=("period",),
    # one partition per period: a month's recompute replaces one folder, and readers asking
    # for a period (alerts, screens) open only its files
    partition_by=("period",),
    scope_column="enterprise_id",
    classification=_I,
    inputs=("flash_report",),
    retention_days=None,
)

DATASETS: tuple[DatasetSpec, ...] = (INDICATOR_VALUES,)
