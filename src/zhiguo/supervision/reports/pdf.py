"""The monthly report as PDF: matplotlib's PdfPages, landscape A4, Chinese text embedded.

One weight of one font throughout (regular; headers stand out by colour), because each
embedded face is subset from a 20 MB collection and costs a second per file.

Pages: cover with the summary numbers; the 一利五率 trend charts; the groups table; alerts
(counts, red alerts, overdue rectifications); submissions. Sections flow down the page and
continue on the next; a list is cut after 60 rows with a pointer to the xlsx, which always
holds every row.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from zhiguo.supervision.reports.charts import A4_LANDSCAPE, report_style, trend_page
from zhiguo.supervision.reports.content import MonthlyReport
from zhiguo.supervision.reports.labels import (
    ALERT_STATUSES,
    SEVERITIES,
    SUBMISSION_STATUSES,
    enum_label,
    label,
)

if TYPE_CHECKING:
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure
    from matplotlib.table import Table

__all__ = ["format_value", "write_pdf"]


def format_value(value: float | None, unit: str, *, signed: bool = False) -> str:
    """``65.43%`` for ratios, ``1,234,567.89`` otherwise; ``—`` when there is no value."""
    if value is None:
        return "—"
    text = f"{value:+,.2f}" if signed else f"{value:,.2f}"
    return text + "%" if unit == "%" else text


def _save(pdf: PdfPages, fig: Figure) -> None:
    pdf.savefig(fig)  # type: ignore[no-untyped-call]


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _page(title: str, lang: str, report: MonthlyReport) -> Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=A4_LANDSCAPE)
    fig.text(0.04, 0.94, title, fontsize=15)
    footer = label("title", lang, year=report.period.year, month=report.period.month)
    if report.demo:
        footer += " · " + label("demo", lang)
    fig.text(0.04, 0.025, footer, fontsize=7, color="#7f8c8d")
    return fig


def _style(table: Table) -> None:
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    for (row, _col), cell in table.get_celld().items():
        cell.set_linewidth(0.3)
        if row == 0:
            cell.set_facecolor("#1f3864")
            cell.get_text().set_color("white")


def _table(
    fig: Figure,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    top: float,
    bottom: float,
    widths: Sequence[float] | None = None,
) -> None:
    ax = fig.add_axes((0.04, bottom, 0.92, top - bottom))
    ax.axis("off")
    if not rows:
        return
    table = ax.table(
        cellText=[list(r) for r in rows],
        colLabels=list(header),
        colWidths=list(widths) if widths else None,
        loc="upper center",
        cellLoc="center",
    )
    _style(table)
    table.scale(1, 1.35)


class _Flow:
    """Headings and tables placed top to bottom, starting a new page when one is full.

    Each table row is ``ROW_HEIGHT`` of the page; a table split across pages repeats its
    header. A list longer than ``MAX_ROWS`` stops there, pointing to the xlsx."""

    ROW_HEIGHT = 0.032
    TOP, BOTTOM = 0.9, 0.07
    MAX_ROWS = 60

    def __init__(self, pdf: PdfPages, report: MonthlyReport, lang: str) -> None:
        self.pdf, self.report, self.lang = pdf, report, lang
        self.fig: Figure | None = None
        self.title = ""
        self.heading_text = ""
        self.y = 0.0

    def page(self, title: str) -> Figure:
        self.close()
        self.title = title
        self.heading_text = ""
        self.fig = _page(title, self.lang, self.report)
        self.y = self.TOP
        return self.fig

    def _room(self, needed: float) -> Figure:
        if self.fig is None or self.y - needed < self.BOTTOM:
            heading = self.heading_text
            self.page(self.title)
            self.heading_text = heading  # the section goes on
        assert self.fig is not None
        return self.fig

    def text(self, text: str, *, size: float = 10, color: str = "black") -> None:
        fig = self._room(0.1)  # a heading never ends a page
        fig.text(0.04, self.y - 0.025, text, fontsize=size, color=color)
        self.y -= 0.045

    def heading(self, text: str) -> None:
        """A sub-heading, repeated when its table continues on the next page."""
        self.text(text, size=12)
        self.heading_text = text

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float] | None = None,
        empty: str | None = None,
    ) -> None:
        if not rows:
            self.text(empty or label("none", self.lang), size=9, color="#555555")
            return
        from matplotlib.transforms import Bbox

        shown = rows[: self.MAX_ROWS]
        i = 0
        while i < len(shown):
            before = self.fig
            fig = self._room(4 * self.ROW_HEIGHT)
            if fig is not before and self.heading_text:  # continued: repeat the heading
                self.text(self.heading_text + label("continued", self.lang), size=12)
            fits = int((self.y - self.BOTTOM) / self.ROW_HEIGHT) - 1
            chunk = shown[i : i + fits]
            height = (len(chunk) + 1) * self.ROW_HEIGHT
            ax = fig.add_axes((0.04, self.y - height, 0.92, height))
            ax.axis("off")
            table = ax.table(
                cellText=[list(r) for r in chunk],
                colLabels=list(header),
                colWidths=list(widths) if widths else None,
                bbox=Bbox.from_bounds(0.0, 0.0, 1.0, 1.0),
                cellLoc="center",
            )
            _style(table)
            self.y -= height + 0.02
            i += len(chunk)
        if len(rows) > len(shown):
            self.text(label("more_rows", self.lang, n=len(rows) - len(shown)), size=8)
        self.y -= 0.015

    def close(self) -> None:
        if self.fig is not None:
            _save(self.pdf, self.fig)
            self.fig = None


def _cover(pdf: PdfPages, report: MonthlyReport, lang: str) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=A4_LANDSCAPE)
    p = report.period
    fig.text(0.5, 0.9, label("title", lang, year=p.year, month=p.month), ha="center", fontsize=24)
    fig.text(0.5, 0.85, label("subtitle", lang), ha="center", fontsize=11, color="#555555")
    scope = report.scope_text(lang)
    c, sc = ("：", "；") if lang == "zh" else (": ", "; ")
    lines = [
        f"{label('period', lang)}{c}{p}",
        f"{label('generated_at', lang)}{c}{report.generated_at:%Y-%m-%d %H:%M:%S %Z}",
        f"{label('scope', lang)}{c}{_clip(scope, 80)}",
        f"{label('versions', lang)}{c}{label('flash_version', lang)} "
        f"{report.flash_versions_text}{sc}{label('iv_version', lang)} "
        f"v{report.indicator_values_version}",
        label(
            "data_source",
            lang,
            flash=report.flash_versions_text,
            iv=report.indicator_values_version,
        ),
    ]
    y = 0.78
    for line in lines:
        fig.text(0.08, y, line, fontsize=10)
        y -= 0.04
    if report.demo:
        fig.text(0.08, y, label("demo", lang), fontsize=12, color="#c0392b")
        y -= 0.045
    if not report.whole_portfolio:
        fig.text(0.08, y, label("portfolio_hidden", lang), fontsize=9, color="#7f8c8d")
        y -= 0.04
    fig.text(0.08, y - 0.01, label("summary", lang), fontsize=13)
    header = [
        label("indicator", lang),
        label("unit", lang),
        label("this_period", lang),
        label("last_year", lang),
        label("change", lang),
    ]
    rows = [
        [
            line.indicator.name(lang),
            line.unit,
            format_value(line.value, line.unit),
            format_value(line.last_year, line.unit),
            format_value(line.change, line.unit, signed=True),
        ]
        for line in report.headline
    ]
    if not rows:
        fig.text(0.08, y - 0.06, label("no_headline", lang), fontsize=10)
    _table(fig, header, rows, top=y - 0.03, bottom=0.2, widths=[0.3, 0.12, 0.2, 0.2, 0.18])
    counts = [
        f"{enum_label(SEVERITIES, s, lang)} "
        f"{sum(v for (sev, _st), v in report.alert_counts.items() if sev == s)}"
        for s in report.severities
    ]
    subs = [
        f"{enum_label(SUBMISSION_STATUSES, k, lang)} {v}"
        for k, v in report.submission_counts.items()
    ]
    fig.text(0.08, 0.13, f"{label('sec_alerts', lang)}{c}" + "  ".join(counts), fontsize=10)
    fig.text(0.08, 0.09, f"{label('sec_submissions', lang)}{c}" + "  ".join(subs), fontsize=10)
    _save(pdf, fig)


def _groups(flow: _Flow, report: MonthlyReport, lang: str) -> None:
    open_, close_ = ("（", "）") if lang == "zh" else (" (", ")")
    header = [label("enterprise", lang)] + [
        f"{ind.name(lang)}{open_}{report.units.get(ind.code, '')}{close_}"
        for ind in report.indicators
    ]
    rows = []
    for g in report.groups:
        cells = [_clip(g.name(lang), 18 if lang == "zh" else 32)]
        for ind in report.indicators:
            value = format_value(g.values.get(ind.code), report.units.get(ind.code, ""))
            rank = g.ranks.get(ind.code)
            cells.append(value if rank is None else f"{value}{open_}{rank}{close_}")
        rows.append(cells)
    n = len(report.indicators)
    flow.page(label("groups_title", lang))
    flow.table(header, rows, [0.22] + [0.78 / n] * n, label("no_groups", lang))
    if rows:
        flow.text(label("rank_note", lang), size=8, color="#555555")


def _alerts(flow: _Flow, report: MonthlyReport, lang: str) -> None:
    flow.page(label("alerts_title", lang, period=report.period))
    statuses = report.alert_statuses
    header = [label("severity", lang)] + [enum_label(ALERT_STATUSES, s, lang) for s in statuses]
    header.append(label("total", lang))
    rows = []
    for sev in report.severities:
        counts = [report.alert_counts.get((sev, st), 0) for st in statuses]
        rows.append([enum_label(SEVERITIES, sev, lang), *map(str, counts), str(sum(counts))])
    totals = [
        sum(report.alert_counts.get((sev, st), 0) for sev in report.severities) for st in statuses
    ]
    rows.append([label("total", lang), *map(str, totals), str(sum(totals))])
    flow.table(header, rows)
    flow.heading(label("red_alerts", lang))
    red_header = [
        label("enterprise", lang),
        label("rule", lang),
        label("value", lang),
        label("threshold", lang),
        label("status", lang),
        label("message", lang),
    ]
    red = [
        [
            _clip(a.enterprise(lang), 16 if lang == "zh" else 30),
            a.rule_code,
            format_value(a.value, ""),
            format_value(a.threshold, ""),
            enum_label(ALERT_STATUSES, a.status, lang),
            _clip(a.message(lang), 34 if lang == "zh" else 60),
        ]
        for a in report.red_alerts
    ]
    flow.table(red_header, red, [0.2, 0.14, 0.09, 0.09, 0.08, 0.4])
    flow.heading(label("overdue_title", lang, date=report.report_date))
    overdue_header = [
        label("enterprise", lang),
        label("rule", lang),
        label("severity", lang),
        label("first_period", lang),
        label("due_date", lang),
        label("days_overdue", lang),
    ]
    overdue = [
        [
            _clip(a.enterprise(lang), 20 if lang == "zh" else 36),
            a.rule_code,
            enum_label(SEVERITIES, a.severity, lang),
            a.period,
            str(a.due_date),
            str((report.report_date - a.due_date).days) if a.due_date else "",
        ]
        for a in report.overdue
    ]
    flow.table(overdue_header, overdue)


def _submissions(flow: _Flow, report: MonthlyReport, lang: str) -> None:
    flow.page(label("submissions_title", lang, period=report.period))
    tz = report.generated_at.tzinfo
    c = "：" if lang == "zh" else ": "
    deadline = report.submission_deadline.astimezone(tz)
    flow.text(f"{label('deadline', lang)}{c}{deadline:%Y-%m-%d %H:%M %Z}")
    header = [enum_label(SUBMISSION_STATUSES, k, lang) for k in report.submission_counts]
    header.append(label("total", lang))
    counts = list(report.submission_counts.values())
    flow.table(header, [[*map(str, counts), str(sum(counts))]])
    flow.heading(label("reminders", lang))
    rows = [
        [
            s.uscc,
            _clip(s.name_zh, 24),
            str(s.level),
            enum_label(SUBMISSION_STATUSES, s.status, lang),
            f"{s.submitted_at.astimezone(tz):%Y-%m-%d %H:%M}" if s.submitted_at else "—",
            str(s.days_late),
        ]
        for s in report.reminders
    ]
    header2 = [
        label("uscc", lang),
        label("enterprise", lang),
        label("level", lang),
        label("status", lang),
        label("submitted_at", lang),
        label("days_late", lang),
    ]
    flow.table(header2, rows, [0.18, 0.32, 0.08, 0.12, 0.18, 0.12])


def write_pdf(report: MonthlyReport, path: Path, *, lang: str = "zh") -> Path:
    """Write the report's PDF to ``path`` atomically (a temporary file, then a rename)."""
    from matplotlib.backends.backend_pdf import PdfPages

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".pdf", dir=path.parent)
    os.close(fd)
    try:
        with report_style():
            title = label("title", lang, year=report.period.year, month=report.period.month)
            with PdfPages(tmp, metadata={"Title": title, "Creator": "zhiguo"}) as pdf:
                _cover(pdf, report, lang)
                if report.headline:
                    _save(pdf, trend_page(report, lang))
                flow = _Flow(pdf, report, lang)
                _groups(flow, report, lang)
                _alerts(flow, report, lang)
                _submissions(flow, report, lang)
                flow.close()
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path
