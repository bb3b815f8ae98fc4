"""The monthly report as xlsx (openpyxl): one sheet per section, formatted for reading.

Ratios are written as fractions with the ``0.00%`` format (a value of 65.43 % is stored as
0.6543), money and other amounts with ``#,##0.00``. Where a reader expects arithmetic the
cell holds a formula, so a changed input recomputes: the change column (``=本期−上年同期``),
the groups' total/average row (``=SUM``/``=AVERAGE``) and the alert and submission totals
(``=SUM``). Headers are styled, panes frozen below them, widths set for Chinese text.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from zhiguo.supervision.reports.content import MonthlyReport
from zhiguo.supervision.reports.labels import (
    ALERT_STATUSES,
    SEVERITIES,
    SUBMISSION_STATUSES,
    enum_label,
    label,
)

__all__ = ["AMOUNT_FORMAT", "PERCENT_FORMAT", "SHEETS", "sheet_names", "write_xlsx"]

PERCENT_FORMAT = "0.00%"
AMOUNT_FORMAT = "#,##0.00"
SHEETS = ("sec_cover", "sec_headline", "sec_trend", "sec_groups", "sec_alerts", "sec_submissions")
"""Label keys of the sheets, in order."""

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F3864")
_TITLE_FONT = Font(bold=True, size=14)
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_TOTAL_FONT = Font(bold=True)
_TOTAL_FILL = PatternFill("solid", fgColor="D9E1F2")
_NOTE_FONT = Font(italic=True, color="595959", size=9)
_DEMO_FONT = Font(bold=True, color="C00000", size=12)


def sheet_names(lang: str) -> list[str]:
    return [label(key, lang) for key in SHEETS]


def _scaled(value: float | None, unit: str) -> float | None:
    """What goes into a cell: ratios as fractions (for 0.00%), the rest as they are."""
    if value is None:
        return None
    return value / 100 if unit == "%" else value


def _format(unit: str) -> str:
    return PERCENT_FORMAT if unit == "%" else AMOUNT_FORMAT


def _title(ws: Worksheet, text: str, row: int = 1) -> None:
    ws.cell(row=row, column=1, value=text).font = _TITLE_FONT


def _header(ws: Worksheet, row: int, values: Sequence[str]) -> None:
    for col, text in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=text)
        cell.font, cell.fill, cell.border = _HEADER_FONT, _HEADER_FILL, _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _put(ws: Worksheet, row: int, col: int, value: Any, number_format: str | None = None) -> None:
    cell = ws.cell(row=row, column=col, value=value)
    cell.border = _BORDER
    if number_format:
        cell.number_format = number_format


def _widths(ws: Worksheet, widths: Sequence[float]) -> None:
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def _note(ws: Worksheet, row: int, text: str) -> None:
    ws.cell(row=row, column=1, value=text).font = _NOTE_FONT


def _cover(ws: Worksheet, report: MonthlyReport, lang: str) -> None:
    p = report.period
    _title(ws, label("title", lang, year=p.year, month=p.month))
    ws.cell(row=2, column=1, value=label("subtitle", lang)).font = _NOTE_FONT
    scope = report.scope_text(lang)
    pairs = [
        (label("period", lang), str(p)),
        (label("generated_at", lang), report.generated_at.strftime("%Y-%m-%d %H:%M:%S %Z")),
        (label("scope", lang), scope),
        (label("flash_version", lang), report.flash_versions_text),
        (label("iv_version", lang), f"v{report.indicator_values_version}"),
    ]
    for i, (key, value) in enumerate(pairs, start=4):
        ws.cell(row=i, column=1, value=key).font = _TOTAL_FONT
        ws.cell(row=i, column=2, value=value)
    row = 4 + len(pairs) + 1
    source = label(
        "data_source", lang, flash=report.flash_versions_text, iv=report.indicator_values_version
    )
    ws.cell(row=row, column=1, value=source)
    if report.demo:
        row += 1
        ws.cell(row=row, column=1, value=label("demo", lang)).font = _DEMO_FONT
    if not report.whole_portfolio:
        row += 1
        _note(ws, row, label("portfolio_hidden", lang))
    _widths(ws, [40, 60])


def _headline(ws: Worksheet, report: MonthlyReport, lang: str) -> None:
    _title(ws, label("headline_title", lang, subject=report.subject(lang) or "—"))
    _header(
        ws,
        3,
        [
            label("indicator", lang),
            "code",
            label("unit", lang),
            label("this_period", lang),
            label("last_year", lang),
            label("change", lang),
        ],
    )
    row = 4
    for line in report.headline:
        fmt = _format(line.unit)
        _put(ws, row, 1, line.indicator.name(lang))
        _put(ws, row, 2, line.indicator.code)
        _put(ws, row, 3, line.unit)
        _put(ws, row, 4, _scaled(line.value, line.unit), fmt)
        _put(ws, row, 5, _scaled(line.last_year, line.unit), fmt)
        change = f"=D{row}-E{row}" if line.change is not None else None
        _put(ws, row, 6, change, fmt)
        row += 1
    if not report.whole_portfolio:
        _note(ws, row + 1, label("portfolio_hidden", lang))
        row += 1
    if not report.headline:
        row += 1
        _note(ws, row, label("no_headline", lang))
    _note(ws, row + 1, label("change_note", lang))
    ws.freeze_panes = "B4"
    _widths(ws, [22, 24, 10, 18, 18, 18])


def _trend(ws: Worksheet, report: MonthlyReport, lang: str) -> None:
    _title(ws, label("headline_title", lang, subject=report.subject(lang) or "—"))
    lines = list(report.headline)
    _header(
        ws, 3, [label("month", lang)] + [f"{ln.indicator.name(lang)}（{ln.unit}）" for ln in lines]
    )
    periods = report.trend_periods()
    for i, period in enumerate(periods):
        _put(ws, 4 + i, 1, period)
        for j, line in enumerate(lines, start=2):
            _put(ws, 4 + i, j, _scaled(line.trend[i].value, line.unit), _format(line.unit))
    last = 3 + len(periods)
    for j, line in enumerate(lines, start=2):
        chart = LineChart()
        chart.title = label("trend_title", lang, name=line.indicator.name(lang))
        chart.height, chart.width = 6.5, 12
        chart.legend = None
        chart.y_axis.number_format = _format(line.unit)
        chart.add_data(Reference(ws, min_col=j, min_row=3, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=4, max_row=last))
        anchor_col = get_column_letter(len(lines) + 3 + ((j - 2) % 2) * 8)
        ws.add_chart(chart, f"{anchor_col}{3 + ((j - 2) // 2) * 14}")
    ws.freeze_panes = "B4"
    _widths(ws, [12] + [20] * len(lines))


def _groups(ws: Worksheet, report: MonthlyReport, lang: str) -> None:
    _title(ws, label("groups_title", lang))
    inds = report.indicators
    header = [label("uscc", lang), label("enterprise", lang)]
    header += [f"{ind.name(lang)}（{report.units.get(ind.code, '')}）" for ind in inds]
    header += [label("rank_of", lang, name=ind.name(lang)) for ind in inds]
    _header(ws, 3, header)
    first = 4
    for i, g in enumerate(report.groups):
        row = first + i
        _put(ws, row, 1, g.uscc)
        _put(ws, row, 2, g.name(lang))
        for j, ind in enumerate(inds):
            unit = report.units.get(ind.code, "")
            _put(ws, row, 3 + j, _scaled(g.values.get(ind.code), unit), _format(unit))
            _put(ws, row, 3 + len(inds) + j, g.ranks.get(ind.code))
    last = first + len(report.groups) - 1
    if report.groups:
        total = last + 1
        _put(ws, total, 1, label("total_row", lang))
        _put(ws, total, 2, None)
        for j, ind in enumerate(inds):
            col = get_column_letter(3 + j)
            unit = report.units.get(ind.code, "")
            has_values = any(g.values.get(ind.code) is not None for g in report.groups)
            fn = "SUM" if unit == "元" else "AVERAGE"
            formula = f"={fn}({col}{first}:{col}{last})" if has_values else None
            _put(ws, total, 3 + j, formula, _format(unit))
        for c in range(1, len(header) + 1):
            cell = ws.cell(row=total, column=c)
            cell.font, cell.fill, cell.border = _TOTAL_FONT, _TOTAL_FILL, _BORDER
        _note(ws, total + 2, label("groups_note", lang))
    else:
        _note(ws, first, label("no_groups", lang))
    ws.freeze_panes = "C4"
    _widths(ws, [22, 30] + [18] * len(inds) + [12] * len(inds))


def _alerts(ws: Worksheet, report: MonthlyReport, lang: str) -> None:
    _title(ws, label("alerts_title", lang, period=report.period))
    statuses = report.alert_statuses
    header = [label("severity", lang)] + [enum_label(ALERT_STATUSES, s, lang) for s in statuses]
    _header(ws, 3, [*header, label("total", lang)])
    n = len(statuses)
    end_col = get_column_letter(1 + n)
    first = 4
    for i, sev in enumerate(report.severities):
        row = first + i
        _put(ws, row, 1, enum_label(SEVERITIES, sev, lang))
        for j, st in enumerate(statuses, start=2):
            _put(ws, row, j, report.alert_counts.get((sev, st), 0))
        _put(ws, row, n + 2, f"=SUM(B{row}:{end_col}{row})")
    last = first + len(report.severities) - 1
    total = last + 1
    _put(ws, total, 1, label("total", lang))
    for j in range(2, n + 3):
        col = get_column_letter(j)
        _put(ws, total, j, f"=SUM({col}{first}:{col}{last})")
        ws.cell(row=total, column=j).font = _TOTAL_FONT
    ws.cell(row=total, column=1).font = _TOTAL_FONT

    row = total + 2
    ws.cell(row=row, column=1, value=label("red_alerts", lang)).font = _TOTAL_FONT
    row += 1
    alert_header = [
        label("enterprise", lang),
        label("rule", lang),
        label("indicator", lang),
        label("value", lang),
        label("threshold", lang),
        label("status", lang),
        label("first_period", lang),
        label("message", lang),
    ]
    _header(ws, row, alert_header)
    for a in report.red_alerts:
        row += 1
        values: list[Any] = [
            a.enterprise(lang),
            a.rule_code,
            a.indicator_code or "",
            a.value,
            a.threshold,
            enum_label(ALERT_STATUSES, a.status, lang),
            a.period,
            a.message(lang),
        ]
        for c, v in enumerate(values, start=1):
            _put(ws, row, c, v, AMOUNT_FORMAT if c in (4, 5) else None)
    if not report.red_alerts:
        row += 1
        _note(ws, row, label("none", lang))

    row += 2
    title = label("overdue_title", lang, date=report.report_date)
    ws.cell(row=row, column=1, value=title).font = _TOTAL_FONT
    row += 1
    _header(
        ws,
        row,
        [
            label("enterprise", lang),
            label("rule", lang),
            label("severity", lang),
            label("first_period", lang),
            label("due_date", lang),
            label("days_overdue", lang),
            label("status", lang),
            label("message", lang),
        ],
    )
    for a in report.overdue:
        row += 1
        days = (report.report_date - a.due_date).days if a.due_date else None
        overdue: list[Any] = [
            a.enterprise(lang),
            a.rule_code,
            enum_label(SEVERITIES, a.severity, lang),
            a.period,
            a.due_date,
            days,
            enum_label(ALERT_STATUSES, a.status, lang),
            a.message(lang),
        ]
        for c, v in enumerate(overdue, start=1):
            _put(ws, row, c, v, "yyyy-mm-dd" if c == 5 else None)
    if not report.overdue:
        row += 1
        _note(ws, row, label("none", lang))
    ws.freeze_panes = "B4"
    _widths(ws, [28, 22, 16, 14, 14, 12, 12, 60])


def _submissions(ws: Worksheet, report: MonthlyReport, lang: str) -> None:
    _title(ws, label("submissions_title", lang, period=report.period))
    deadline = report.submission_deadline.astimezone(report.generated_at.tzinfo)
    c = "：" if lang == "zh" else ": "
    ws.cell(row=2, column=1, value=f"{label('deadline', lang)}{c}{deadline:%Y-%m-%d %H:%M %Z}")
    keys = list(report.submission_counts)
    _header(
        ws, 3, [enum_label(SUBMISSION_STATUSES, k, lang) for k in keys] + [label("total", lang)]
    )
    for j, k in enumerate(keys, start=1):
        _put(ws, 4, j, report.submission_counts[k])
    _put(ws, 4, len(keys) + 1, f"=SUM(A4:{get_column_letter(len(keys))}4)")
    row = 6
    ws.cell(row=row, column=1, value=label("reminders", lang)).font = _TOTAL_FONT
    row += 1
    _header(
        ws,
        row,
        [
            label("uscc", lang),
            label("enterprise", lang),
            label("level", lang),
            label("status", lang),
            label("submitted_at", lang),
            label("days_late", lang),
        ],
    )
    for s in report.reminders:
        row += 1
        submitted = (
            s.submitted_at.astimezone(report.generated_at.tzinfo).replace(tzinfo=None)
            if s.submitted_at
            else None
        )
        values: list[Any] = [
            s.uscc,
            s.name_zh,
            s.level,
            enum_label(SUBMISSION_STATUSES, s.status, lang),
            submitted,
            s.days_late,
        ]
        for col, v in enumerate(values, start=1):
            _put(ws, row, col, v, "yyyy-mm-dd hh:mm" if col == 5 else None)
    ws.freeze_panes = "A4"
    _widths(ws, [22, 32, 10, 12, 18, 12])


def write_xlsx(report: MonthlyReport, path: Path, *, lang: str = "zh") -> Path:
    """Write the report's workbook to ``path`` atomically (a temporary file, then a rename)."""
    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    writers = (_cover, _headline, _trend, _groups, _alerts, _submissions)
    for name, writer in zip(sheet_names(lang), writers, strict=True):
        writer(wb.create_sheet(name), report, lang)
    p = report.period
    wb.properties.title = label("title", lang, year=p.year, month=p.month)
    wb.properties.creator = "zhiguo"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path
