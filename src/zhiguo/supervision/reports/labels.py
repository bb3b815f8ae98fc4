"""The report's interface text in 简体中文 (default) and English, one table for xlsx and PDF.

Keys are stable ids; :func:`label` formats a template with keyword fields. Enumerations
(severity, alert status, submission status) are tables too, so a new status is one row.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ALERT_STATUSES",
    "LABELS",
    "SEVERITIES",
    "SUBMISSION_STATUSES",
    "enum_label",
    "label",
]

LABELS: dict[str, tuple[str, str]] = {
    "title": (
        "{year}年{month}月 国资监管月度报告",
        "Monthly supervision report, {year}-{month:02d}",
    ),
    "subtitle": ("智国 · 国资监管平台", "zhiguo state-owned asset supervision platform"),
    "generated_at": ("生成时间", "Generated at"),
    "report_date": ("报告日", "Report date"),
    "period": ("报告期间", "Period"),
    "scope": ("报告范围", "Scope"),
    "versions": ("数据版本", "Data versions"),
    "flash_version": ("财务快报 flash_report 版本", "flash_report version"),
    "iv_version": (
        "监管指标值 supervision.indicator_values 版本",
        "supervision.indicator_values version",
    ),
    "library_version": ("指标库版本", "Indicator library version"),
    "data_source": (
        "数据来源：智国大数据中心财务快报 flash_report {flash}，经指标库计算为 "
        "supervision.indicator_values v{iv}",
        "Source: zhiguo data centre, flash_report {flash}, computed into "
        "supervision.indicator_values v{iv}",
    ),
    "demo": (
        "示例数据，虚构，不代表任何真实企业",
        "Demo data: fictitious, not any real enterprise",
    ),
    "summary": ("本期要点", "Highlights"),
    "sec_cover": ("封面", "Cover"),
    "sec_headline": ("一利五率", "Headline indicators"),
    "sec_trend": ("趋势", "Trends"),
    "sec_groups": ("一级企业", "Groups"),
    "sec_alerts": ("预警", "Alerts"),
    "sec_submissions": ("报送", "Submissions"),
    "headline_title": ("{subject} 一利五率", "Headline indicators (一利五率): {subject}"),
    "portfolio": ("全部监管企业汇总", "Portfolio total"),
    "portfolio_hidden": (
        "全口径汇总指标仅对监管机构可见，不在您的数据范围内；以下为您范围内企业的数据。",
        "Portfolio totals are visible to the regulator only and are outside your scope; "
        "what follows covers the enterprises in your scope.",
    ),
    "no_headline": ("本期没有可显示的一利五率数据。", "No headline indicator values this period."),
    "indicator": ("指标", "Indicator"),
    "unit": ("单位", "Unit"),
    "this_period": ("本期", "This period"),
    "last_year": ("上年同期", "Same period last year"),
    "change": ("同比变动", "Change"),
    "change_note": (
        "同比变动 = 本期 − 上年同期（比率类为百分点）。",
        "Change = this period − same period last year (percentage points for ratios).",
    ),
    "trend_title": ("{name} 近13个月趋势", "{name}: last 13 months"),
    "month": ("月份", "Month"),
    "groups_title": ("一级企业一利五率及排名", "Groups: headline indicators and rank"),
    "enterprise": ("企业", "Enterprise"),
    "uscc": ("统一社会信用代码", "USCC"),
    "rank": ("排名", "Rank"),
    "rank_of": ("{name}排名", "{name} rank"),
    "rank_note": (
        "括号内为排名（1 为最好；资产负债率越低越好，其余越高越好）。",
        "Rank in brackets (1 = best; a lower debt ratio is better, higher is better for the rest).",
    ),
    "total_row": ("合计 / 简单平均", "Total / simple average"),
    "groups_note": (
        "利润总额为各集团合计；比率为各集团的简单平均，不等于全口径汇总比率（汇总为比值之和先求和再相除）。",
        "Total profit is the sum over groups; ratios are simple averages, not the portfolio "
        "ratio (which divides sums).",
    ),
    "no_groups": ("本期没有一级企业的合并口径指标。", "No group-level values this period."),
    "alerts_title": ("预警情况（{period}）", "Alerts ({period})"),
    "severity": ("等级", "Severity"),
    "status": ("状态", "Status"),
    "total": ("合计", "Total"),
    "count": ("数量", "Count"),
    "red_alerts": ("红色预警清单", "Red alerts"),
    "rule": ("规则", "Rule"),
    "value": ("指标值", "Value"),
    "threshold": ("阈值", "Threshold"),
    "message": ("说明", "Message"),
    "first_period": ("首次期间", "First period"),
    "due_date": ("整改期限", "Due date"),
    "days_overdue": ("逾期天数", "Days overdue"),
    "overdue_title": (
        "逾期未整改（已下发且整改期限早于 {date}）",
        "Overdue rectifications (dispatched, due before {date})",
    ),
    "none": ("无", "None"),
    "submissions_title": ("财务快报报送情况（{period}）", "Flash report submissions ({period})"),
    "deadline": ("报送截止", "Deadline"),
    "submitted_at": ("报送时间", "Submitted at"),
    "days_late": ("逾期天数", "Days late"),
    "reminders": ("逾期及未报送企业（催报清单）", "Late and missing (reminder list)"),
    "level": ("级次", "Level"),
    "continued": ("（续）", " (continued)"),
    "more_rows": ("…… 另有 {n} 行见 xlsx 报告", "… {n} more rows in the xlsx report"),
}

SEVERITIES: dict[str, tuple[str, str]] = {
    "red": ("红色", "Red"),
    "orange": ("橙色", "Orange"),
    "yellow": ("黄色", "Yellow"),
}
"""Alert severities, most severe first."""

ALERT_STATUSES: dict[str, tuple[str, str]] = {
    "raised": ("已触发", "Raised"),
    "dispatched": ("已下发", "Dispatched"),
    "responded": ("已反馈", "Responded"),
    "closed": ("已关闭", "Closed"),
    "dismissed": ("已撤销", "Dismissed"),
}
"""The rectification loop's states in order (a status seen in data but not here is shown
under its own code)."""

SUBMISSION_STATUSES: dict[str, tuple[str, str]] = {
    "on_time": ("按时报送", "On time"),
    "late": ("逾期报送", "Late"),
    "missing": ("未报送", "Missing"),
    "pending": ("待报送", "Pending"),
}


def label(key: str, lang: str, **fields: Any) -> str:
    """The text for ``key`` in ``lang`` ('zh' or 'en'), formatted with ``fields``."""
    zh, en = LABELS[key]
    text = zh if lang == "zh" else en
    return text.format(**fields) if fields else text


def enum_label(table: dict[str, tuple[str, str]], code: str, lang: str) -> str:
    """A value's label from an enumeration table; an unknown code shows as itself."""
    pair = table.get(code)
    if pair is None:
        return code
    return pair[0] if lang == "zh" else pair[1]
