"""Evaluation errors and the standard-value import rules, each with a stable code and zh/en
text (``ZG-EVAL-0xx``).

The rule table is the single source of every import message; a new rule is one row here plus
the check that raises it. Problems from the xlsx structural guard keep their ingest codes.
"""

from __future__ import annotations

from typing import Any

from zhiguo.core.errors import ConfigError, InputError, Location, NotFound, Problem, render_problem

__all__ = ["RULES", "NoIndicatorValues", "SchemeError", "UnknownBenchmarkFile", "problem"]

# rule id: (code, zh template, en template)
RULES: dict[str, tuple[str, str, str]] = {
    "file.unreadable": (
        "ZG-EVAL-001",
        "无法读取文件（不是有效的 xlsx/csv，或已损坏）：{detail}",
        "Cannot read the file (not a valid xlsx/csv, or damaged): {detail}",
    ),
    "file.no_table": (
        "ZG-EVAL-003",
        "找不到标准值表（表头应含 指标/indicator_code 与 优秀值/excellent 等列）",
        "No standard-value table found (the header needs indicator_code, excellent, … columns)",
    ),
    "file.no_rows": (
        "ZG-EVAL-004",
        "表中只有表头，没有数据行",
        "The table has a header but no data rows",
    ),
    "column.missing": (
        "ZG-EVAL-005",
        "缺少必需列 {column}",
        "Required column {column_en} is missing",
    ),
    "column.unknown": (
        "ZG-EVAL-006",
        "无法识别的列 {column}，已忽略",
        "Unrecognised column {column}; ignored",
    ),
    "column.duplicate": (
        "ZG-EVAL-007",
        "列 {column} 出现了不止一次",
        "Column {column_en} appears more than once",
    ),
    "edition.missing": (
        "ZG-EVAL-010",
        "缺少标准值年度：文件没有“年度”列，也未指定 --edition",
        "No edition: the file has no edition column and none was given (--edition)",
    ),
    "edition.invalid": (
        "ZG-EVAL-011",
        "年度 {value!r} 无效，应为 2000–2100 的年份",
        "Edition {value!r} is invalid; expected a year 2000–2100",
    ),
    "edition.mismatch": (
        "ZG-EVAL-012",
        "年度 {value} 与指定的年度 {expected} 不一致",
        "Edition {value} differs from the edition given ({expected})",
    ),
    "industry.invalid": (
        "ZG-EVAL-013",
        "行业代码 {value!r} 不是 GB/T 4754-2017 代码（或 ALL/全行业）",
        "Industry code {value!r} is not a GB/T 4754-2017 code (or ALL)",
    ),
    "size.invalid": (
        "ZG-EVAL-014",
        "规模 {value!r} 无效，应为 全部/大型/中型/小型",
        "Size class {value!r} is invalid; expected all, large, medium or small",
    ),
    "indicator.unknown": (
        "ZG-EVAL-020",
        "未知的指标代码 {value!r}",
        "Unknown indicator code {value!r}",
    ),
    "value.required": (
        "ZG-EVAL-021",
        "{column} 不能为空",
        "{column_en} must not be empty",
    ),
    "value.not_numeric": (
        "ZG-EVAL-022",
        "{column} 的值 {value!r} 不是数字",
        "{column_en} value {value!r} is not a number",
    ),
    "levels.not_monotonic": (
        "ZG-EVAL-023",
        "指标 {indicator} {direction_zh}，五档标准值应依次{order_zh}：{values}",
        "Indicator {indicator} ({direction_en}): the five levels must {order_en}: {values}",
    ),
    "row.duplicate": (
        "ZG-EVAL-024",
        "与第 {first_row} 行重复（年度、行业、规模、指标相同）",
        "Duplicate of row {first_row} (same edition, industry, size class and indicator)",
    ),
}


def problem(rule: str, location: Location, severity: str = "error", **fields: Any) -> Problem:
    """A located :class:`Problem` for ``rule`` of this package's rule table."""
    return render_problem(RULES, rule, location, severity, **fields)


class UnknownBenchmarkFile(InputError):
    code = "ZG-EVAL-002"
    title_zh = "无法识别的文件类型（标准值支持 .xlsx、.csv）"
    title_en = "Unsupported file type (standard values: .xlsx and .csv)"


class SchemeError(ConfigError):
    """The scoring scheme (``scheme.toml`` or a deployment's own) is inconsistent."""

    code = "ZG-EVAL-050"
    title_zh = "评价方案配置错误"
    title_en = "Scoring scheme is invalid"


class NoIndicatorValues(NotFound):
    """Evaluation needs ``supervision.indicator_values``; it has not been computed yet."""

    code = "ZG-EVAL-060"
    title_zh = "尚未计算监管指标值，无法评价"
    title_en = "Indicator values have not been computed yet; nothing to evaluate"
