"""Alert errors and the one table of rule-file rules, each with a stable code and zh/en text.

A bad rule file is rejected whole (:class:`RuleFileRejected`) with every problem located by
file, line and field; nothing of it is used. A new check is one row in :data:`RULES` plus the
line in ``rules.py`` that raises it.
"""

from __future__ import annotations

from typing import Any

from zhiguo.core.errors import (
    InputError,
    Location,
    NotFound,
    PermissionDenied,
    Problem,
    render_problem,
)

__all__ = [
    "RULES",
    "AlertNotFound",
    "RuleFileRejected",
    "RunNotAllowed",
    "problem",
]

# rule id: (code, zh template, en template)
RULES: dict[str, tuple[str, str, str]] = {
    "file.unreadable": (
        "ZG-ALERT-001",
        "无法读取规则文件：{detail}",
        "Cannot read the rule file: {detail_en}",
    ),
    "file.syntax": (
        "ZG-ALERT-002",
        "规则文件不是有效的 TOML：{detail}",
        "The rule file is not valid TOML: {detail_en}",
    ),
    "file.no_rules": (
        "ZG-ALERT-003",
        "规则文件中没有 [[rule]] 规则",
        "The rule file holds no [[rule]] entries",
    ),
    "rule.field_missing": (
        "ZG-ALERT-010",
        "规则 {rule_code} 缺少必填字段 {field}",
        "Rule {rule_code} lacks the required field {field}",
    ),
    "rule.field_type": (
        "ZG-ALERT-011",
        "规则 {rule_code} 的字段 {field} 无效：{detail}",
        "Rule {rule_code}: field {field} is invalid: {detail_en}",
    ),
    "rule.field_unknown": (
        "ZG-ALERT-012",
        "规则 {rule_code} 含无法识别的字段 {field}（可用：{allowed}）",
        "Rule {rule_code} has an unrecognised field {field} (allowed: {allowed})",
    ),
    "rule.unknown_family": (
        "ZG-ALERT-013",
        "规则 {rule_code} 的类别 {value!r} 无法识别（可用：{allowed}）",
        "Rule {rule_code}: family {value!r} is not recognised (allowed: {allowed})",
    ),
    "rule.bad_severity": (
        "ZG-ALERT-014",
        "规则 {rule_code} 的预警等级 {value!r} 无效（应为 yellow 黄 / orange 橙 / red 红）",
        "Rule {rule_code}: severity {value!r} is invalid (yellow / orange / red)",
    ),
    "rule.bad_years": (
        "ZG-ALERT-015",
        "规则 {rule_code} 的适用年度无效：{detail}",
        "Rule {rule_code}: the valid years are invalid: {detail_en}",
    ),
    "rule.duplicate_version": (
        "ZG-ALERT-016",
        "规则 {rule_code} 的版本 {version} 重复（已在 {first} 定义）",
        "Rule {rule_code} version {version} is defined twice (first in {first})",
    ),
    "rule.same_start": (
        "ZG-ALERT-017",
        "规则 {rule_code} 有两个版本（{version} 与 {other}）都从 {year} 年起适用",
        "Rule {rule_code} has two versions ({version} and {other}) both starting in {year}",
    ),
    "param.missing": (
        "ZG-ALERT-020",
        "规则 {rule_code} 缺少参数 {param}",
        "Rule {rule_code} lacks the parameter {param}",
    ),
    "param.unknown": (
        "ZG-ALERT-021",
        "规则 {rule_code} 的参数 {param} 无法识别（{family} 类可用：{allowed}）",
        "Rule {rule_code}: parameter {param} is not recognised (a {family} rule takes: {allowed})",
    ),
    "param.type": (
        "ZG-ALERT-022",
        "规则 {rule_code} 的参数 {param} 无效：{detail}",
        "Rule {rule_code}: parameter {param} is invalid: {detail_en}",
    ),
    "param.unknown_indicator": (
        "ZG-ALERT-023",
        "规则 {rule_code} 引用了指标库中没有的指标 {value!r}",
        "Rule {rule_code} refers to indicator {value!r}, which the indicator library lacks",
    ),
}


def problem(rule: str, location: Location, **fields: Any) -> Problem:
    """A located :class:`Problem` for ``rule`` of the rule-file table."""
    return render_problem(RULES, rule, location, "error", **fields)


class RuleFileRejected(InputError):
    """A rule file with problems: it lists every one, and none of the file's rules is used."""

    code = "ZG-ALERT-100"
    title_zh = "预警规则文件被拒绝"
    title_en = "Alert rule file rejected"

    def __init__(self, problems: list[Problem], *, file: str | None = None) -> None:
        self.problems = problems
        first = problems[0] if problems else None
        head_zh = f"：{first.message_zh}" if first else ""
        head_en = f": {first.message_en}" if first else ""
        more_zh = f"（另有 {len(problems) - 1} 个问题）" if len(problems) > 1 else ""
        more_en = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(
            f"预警规则文件被拒绝，发现 {len(problems)} 个问题{head_zh}{more_zh}",
            f"Alert rule file rejected with {len(problems)} problem(s){head_en}{more_en}",
            location=first.location if first else Location(file=file),
            details={"problems": [p.as_dict() for p in problems]},
        )


class AlertNotFound(NotFound):
    """No such alert — or one outside the caller's scope (the same answer, on purpose)."""

    code = "ZG-ALERT-404"
    title_zh = "未找到预警"
    title_en = "Alert not found"


class RunNotAllowed(PermissionDenied):
    """Running the rules needs the whole portfolio: baselines and peer groups are computed over
    every enterprise, so a partial scope would give different lines."""

    code = "ZG-ALERT-403"
    title_zh = "只有监管机构可以运行预警规则"
    title_en = "Only the regulator may run the alert rules"
