"""Registry errors and the import rules, each with a stable code and zh/en text.

The rule table is the single source of every registry validation message; docs and tests
enumerate it, so a new rule is one row here plus the check that raises it.
"""

from __future__ import annotations

from typing import Any

from zhiguo.core.errors import InputError, Location, Problem, render_problem

__all__ = ["RULES", "UnknownTableFile", "problem"]

# rule id: (code, zh template, en template)
RULES: dict[str, tuple[str, str, str]] = {
    "file.unreadable": (
        "ZG-REG-001",
        "无法读取文件（不是有效的 xlsx/csv，或已损坏）：{detail}",
        "Cannot read the file (not a valid xlsx/csv, or damaged): {detail}",
    ),
    "file.no_sheet": (
        "ZG-REG-002",
        "找不到企业或股权数据（工作表应为“企业”/“股权”，或表头含统一社会信用代码）",
        "No enterprise or ownership data found (sheets '企业'/'股权' or a USCC header)",
    ),
    "column.missing": ("ZG-REG-003", "缺少必需列 {column}", "Required column {column} is missing"),
    "column.unknown": (
        "ZG-REG-004",
        "无法识别的列 {column}，已忽略",
        "Unrecognised column {column}; ignored",
    ),
    "file.no_rows": (
        "ZG-REG-006",
        "表中只有表头，没有数据行",
        "The table has a header but no data rows",
    ),
    "value.required": ("ZG-REG-010", "{column} 不能为空", "{column_en} must not be empty"),
    "value.type": (
        "ZG-REG-011",
        "{column} 的值 {value!r} 无效：{detail}",
        "{column_en} value {value!r} is invalid: {detail_en}",
    ),
    "uscc.invalid": ("ZG-REG-012", "{detail}", "{detail_en}"),
    "uscc.numeric": (
        "ZG-REG-013",
        "统一社会信用代码被存为数字 {value!r}（精度已丢失），请将该列设为文本格式",
        "USCC stored as a number {value!r} (precision lost); format the column as text",
    ),
    "enterprise.duplicate": (
        "ZG-REG-020",
        "统一社会信用代码 {uscc} 重复（首次出现在第 {first_row} 行）",
        "Duplicate USCC {uscc} (first seen in row {first_row})",
    ),
    "enterprise.level_mismatch": (
        "ZG-REG-021",
        "级次 {value} 与产权树计算的级次 {expected} 不一致（以产权树为准）",
        "Level {value} differs from the ownership tree's level {expected} (the tree wins)",
    ),
    "ownership.unknown_parent": (
        "ZG-REG-030",
        "股东 {uscc} 不在名录中，也不在本文件中",
        "Parent {uscc} is neither in the registry nor in this file",
    ),
    "ownership.unknown_child": (
        "ZG-REG-031",
        "被投资企业 {uscc} 不在名录中，也不在本文件中",
        "Child {uscc} is neither in the registry nor in this file",
    ),
    "ownership.self": ("ZG-REG-032", "企业不能持有自身股权", "An enterprise cannot own itself"),
    "ownership.share_range": (
        "ZG-REG-033",
        "持股比例 {value} 应大于 0 且不超过 100",
        "Share {value} must be above 0 and at most 100",
    ),
    "ownership.dates": (
        "ZG-REG-034",
        "失效日期 {valid_to} 应晚于生效日期 {valid_from}",
        "Effective-to {valid_to} must be after effective-from {valid_from}",
    ),
    "ownership.duplicate": (
        "ZG-REG-035",
        "股权关系重复（与第 {first_row} 行的股东、子企业和生效日期相同）",
        "Duplicate ownership edge (same parent, child and start as row {first_row})",
    ),
    "ownership.overlap": (
        "ZG-REG-036",
        "{parent} 对 {child} 的持股期间与 {other} 重叠",
        "Holding period of {parent} in {child} overlaps {other}",
    ),
    "ownership.two_controlling": (
        "ZG-REG-037",
        "{child} 在 {day} 同时有两个控股股东（{a} 与 {b}）",
        "{child} has two controlling parents on {day} ({a} and {b})",
    ),
    "ownership.share_over_100": (
        "ZG-REG-038",
        "{child} 在 {day} 的持股比例合计 {total}% 超过 100%",
        "Shares in {child} sum to {total}% on {day}, over 100%",
    ),
    "ownership.cycle": (
        "ZG-REG-039",
        "股权循环：{cycle}",
        "Ownership cycle: {cycle}",
    ),
}


def problem(rule: str, location: Location, severity: str = "error", **fields: Any) -> Problem:
    """A located :class:`Problem` for ``rule`` of this package's rule table."""
    return render_problem(RULES, rule, location, severity, **fields)


class UnknownTableFile(InputError):
    code = "ZG-REG-005"
    title_zh = "无法识别的文件类型（支持 .xlsx、.csv）"
    title_en = "Unsupported file type (.xlsx and .csv are supported)"
