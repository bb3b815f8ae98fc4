"""Errors of the monthly report, each with a stable code and zh/en text::

NotFound (core)
└── ReportDataMissing        ZG-REPORT-001  no indicator values for the period in scope
InputError (core)
└── ReportOptionInvalid      ZG-REPORT-002  an unknown format or language
DependencyMissing (core)
└── ReportFontMissing        ZG-REPORT-003  no Noto Sans CJK font for the PDF
"""

from __future__ import annotations

from zhiguo.core.errors import DependencyMissing, InputError, NotFound

__all__ = ["ReportDataMissing", "ReportFontMissing", "ReportOptionInvalid"]


class ReportDataMissing(NotFound):
    """The period has no indicator values the caller may see: a report would be empty."""

    code = "ZG-REPORT-001"
    title_zh = "该期间没有可用于报告的指标数据"
    title_en = "No indicator data for the report's period"


class ReportOptionInvalid(InputError):
    code = "ZG-REPORT-002"
    title_zh = "报告选项无效"
    title_en = "Invalid report option"


class ReportFontMissing(DependencyMissing):
    code = "ZG-REPORT-003"
    title_zh = "缺少中文字体 Noto Sans CJK"
    title_en = "Chinese font Noto Sans CJK missing"
