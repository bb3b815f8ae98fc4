"""Rules about a submission's content (values, items, entities, periods, identities).

Codes ZG-INGEST-050..199. Merged with the file rules into ``errors.RULES``.
"""

from __future__ import annotations

__all__ = ["CONTENT_RULES"]

# rule id: (code, zh template, en template)
CONTENT_RULES: dict[str, tuple[str, str, str]] = {
    "value.not_number": (
        "ZG-INGEST-050",
        "{item} 的值 {value!r} 不是数字",
        "{item_en}: value {value!r} is not a number",
    ),
    "value.text_number": (
        "ZG-INGEST-051",
        "{item} 的值 {value!r} 是文本（千分位、全角数字或括号），请改为数字 {number}",
        "{item_en}: value {value!r} is text (separators, full-width digits or brackets); "
        "enter the number {number}",
    ),
    "value.not_finite": (
        "ZG-INGEST-052",
        "{item} 的值 {value!r} 不是有限数（NaN/无穷大）",
        "{item_en}: value {value!r} is not a finite number (NaN/infinity)",
    ),
    "value.negative": (
        "ZG-INGEST-053",
        "{item} 不能为负数，收到 {value}（按申报单位）",
        "{item_en} must not be negative; got {value} (in the declared unit)",
    ),
    "value.not_integer": (
        "ZG-INGEST-054",
        "{item} 应为整数（人数），收到 {value}",
        "{item_en} must be a whole number (persons); got {value}",
    ),
    "value.required_missing": (
        "ZG-INGEST-055",
        "必填项目 {item} 没有数值（收到 {value!r}）",
        "Required item {item_en} has no value (got {value!r})",
    ),
    "value.implausible": (
        "ZG-INGEST-056",
        "{item} 的值 {value} 元超出合理范围（上限 {limit} 元），请检查金额单位",
        "{item_en}: {value} yuan is beyond the plausible limit of {limit} yuan; check the unit",
    ),
    "item.unknown": (
        "ZG-INGEST-060",
        "未知的项目编码 {value!r}（{year} 年项目字典中没有）",
        "Unknown item code {value!r} (not in the {year} item dictionary)",
    ),
    "item.caliber_not_allowed": (
        "ZG-INGEST-061",
        "{item} 不适用口径“{caliber}”（允许：{allowed}）",
        "{item_en} does not take caliber '{caliber_en}' (allowed: {allowed_en})",
    ),
    "item.required_missing": (
        "ZG-INGEST-062",
        "报表缺少必填项目 {item}（{caliber}）：{entity} {period}",
        "The report lacks required item {item_en} ({caliber_en}): {entity} {period}",
    ),
    "dim.unknown": (
        "ZG-INGEST-063",
        "{column} 的值 {value!r} 无法识别（可用：{allowed}）",
        "{column} value {value!r} is not recognised (allowed: {allowed})",
    ),
    "dim.missing": (
        "ZG-INGEST-064",
        "{column} 不能为空",
        "{column} must not be empty",
    ),
    "unit.magnitude": (
        "ZG-INGEST-067",
        "金额单位疑似错误：资产总计 {value} 元是上期 {previous} 元的 {ratio} 倍"
        "（声明单位 {unit}），请确认是元还是万元",
        "Unit mix-up suspected: total assets {value} yuan is {ratio}× last period's {previous} "
        "yuan (declared unit {unit}); check yuan vs 10k yuan",
    ),
    "row.duplicate": (
        "ZG-INGEST-070",
        "重复的数据：{item}（{caliber}）在第 {first_row} 行已出现",
        "Duplicate figure: {item_en} ({caliber_en}) already given in row {first_row}",
    ),
    "entity.unknown": (
        "ZG-INGEST-080",
        "统一社会信用代码 {value} 未在企业名录中登记",
        "USCC {value} is not in the enterprise registry",
    ),
    "entity.out_of_scope": (
        "ZG-INGEST-081",
        "统一社会信用代码 {value} 未登记或不在您的报送范围内",
        "USCC {value} is not registered or is outside your reporting scope",
    ),
    "entity.inactive": (
        "ZG-INGEST-082",
        "企业 {value} 在名录中的状态为“{status}”，请确认是否仍应报送",
        "Enterprise {value} has registry status '{status}'; check it should still report",
    ),
    "period.invalid": (
        "ZG-INGEST-090",
        "期间 {value!r} 无效，应为 YYYY-MM",
        "Period {value!r} is invalid; expected YYYY-MM",
    ),
    "period.closed": (
        "ZG-INGEST-091",
        "期间 {value} 已关账，不再接收数据（如需更正请联系国资委重新开放）",
        "Period {value} is closed and accepts no data (ask the regulator to reopen it)",
    ),
    "period.future": (
        "ZG-INGEST-092",
        "期间 {value} 尚未结束，不能报送",
        "Period {value} has not ended yet; it cannot be reported",
    ),
    "rule.identity": (
        "ZG-INGEST-100",
        "勾稽关系不成立：{formula}（{caliber}）：左边 {lhs}，右边 {rhs}，差额 {diff}",
        "Identity broken: {formula_en} ({caliber_en}): left {lhs}, right {rhs}, difference {diff}",
    ),
    "rule.subtotal": (
        "ZG-INGEST-101",
        "合计小于其明细之和：{formula}（{caliber}）：合计 {lhs}，明细之和 {rhs}",
        "Subtotal below the sum of its parts: {formula_en} ({caliber_en}): total {lhs}, "
        "parts {rhs}",
    ),
    "rule.reasonable": (
        "ZG-INGEST-102",
        "合理性提示：{formula}（{caliber}）：左边 {lhs}，右边 {rhs}，偏差 {pct}%",
        "Reasonableness: {formula_en} ({caliber_en}): left {lhs}, right {rhs}, off by {pct}%",
    ),
    "crossperiod.ytd": (
        "ZG-INGEST-110",
        "{item} 本年累计 {ytd} ≠ 上期本年累计 {previous}（{previous_period}）+ 本月 {month}",
        "{item_en}: year-to-date {ytd} ≠ previous YTD {previous} ({previous_period}) "
        "+ this month {month}",
    ),
    "crossperiod.january": (
        "ZG-INGEST-111",
        "{item} 一月的本年累计 {ytd} 应等于本月 {month}",
        "{item_en}: in January the year-to-date {ytd} must equal this month {month}",
    ),
    "crossperiod.opening": (
        "ZG-INGEST-112",
        "{item} 年初余额 {opening} 与上年末期末余额 {previous}（{previous_period}）不一致",
        "{item_en}: opening balance {opening} differs from last year-end's closing {previous} "
        "({previous_period})",
    ),
    "problems.truncated": (
        "ZG-INGEST-199",
        "规则 {rule_name} 另有 {count} 处问题未逐条列出",
        "Rule {rule_name}: {count} more occurrence(s) not listed one by one",
    ),
}
