"""The monthly supervision report (月度监管报告) of a period, as xlsx and PDF.

:func:`build_monthly_report` gathers the period's figures once — the headline indicators
(一利五率) with their 13-month trends, the top-level groups ranked, alerts by severity and
status with the red ones and overdue rectifications, and the flash-report submissions —
through the engine and the metadata DB, narrowed to the caller's scope, and renders them
with openpyxl (formulas where a reader expects them) and matplotlib (Chinese text embedded
with Noto Sans CJK). A period without indicator values is an error, never an empty report.
"""

from zhiguo.supervision.reports.charts import cjk_font_path
from zhiguo.supervision.reports.content import (
    HEADLINE,
    AlertLine,
    GroupLine,
    HeadlineIndicator,
    HeadlineLine,
    MonthlyReport,
    SubmissionLine,
    TrendPoint,
    gather_monthly_report,
    headline_for,
)
from zhiguo.supervision.reports.errors import (
    ReportDataMissing,
    ReportFontMissing,
    ReportOptionInvalid,
)
from zhiguo.supervision.reports.pdf import write_pdf
from zhiguo.supervision.reports.service import (
    FORMATS,
    LANGS,
    build_monthly_report,
    report_file_name,
)
from zhiguo.supervision.reports.xlsx import sheet_names, write_xlsx

__all__ = [
    "FORMATS",
    "HEADLINE",
    "LANGS",
    "AlertLine",
    "GroupLine",
    "HeadlineIndicator",
    "HeadlineLine",
    "MonthlyReport",
    "ReportDataMissing",
    "ReportFontMissing",
    "ReportOptionInvalid",
    "SubmissionLine",
    "TrendPoint",
    "build_monthly_report",
    "cjk_font_path",
    "gather_monthly_report",
    "headline_for",
    "report_file_name",
    "sheet_names",
    "write_pdf",
    "write_xlsx",
]
