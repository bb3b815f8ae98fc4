"""What the monthly report says, gathered once into plain dataclasses.

Every number comes from data: indicator values from the lake dataset
``supervision.indicator_values`` (read through ``datacenter.engine`` at one pinned version,
narrowed to the caller's scope), alerts from the metadata DB, submission states from the
reporting calendar. The xlsx and PDF writers only render a :class:`MonthlyReport`; they
never query anything themselves, so both files always show the same figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from zhiguo.core.access import Scope
from zhiguo.core.periods import Period
from zhiguo.core.settings import EngineSettings, IngestSettings
from zhiguo.datacenter.engine import open_engine
from zhiguo.datacenter.ingest import period_deadline, submission_states
from zhiguo.datacenter.lake import open_table, scoped_snapshot
from zhiguo.registry import Enterprise, scope_filter, top_level_ids
from zhiguo.supervision.datasets import INDICATOR_VALUES, PORTFOLIO_ID
from zhiguo.supervision.models import Alert
from zhiguo.supervision.reports.errors import ReportDataMissing
from zhiguo.supervision.reports.labels import ALERT_STATUSES, SEVERITIES, SUBMISSION_STATUSES

__all__ = [
    "HEADLINE",
    "TREND_MONTHS",
    "AlertLine",
    "GroupLine",
    "HeadlineIndicator",
    "HeadlineLine",
    "MonthlyReport",
    "SubmissionLine",
    "TrendPoint",
    "gather_monthly_report",
    "headline_for",
]

TREND_MONTHS = 13
"""Months in each trend chart: the period and the twelve before it (so last year's twin)."""


@dataclass(frozen=True)
class HeadlineIndicator:
    """One of 一利五率: its code, the calibers to read (first found wins), names, direction
    and the years it applies to (营业现金比率 until 2024, 营业收现率 from 2025)."""

    code: str
    calibers: tuple[str, ...]
    name_zh: str
    name_en: str
    higher_is_better: bool
    first_year: int | None = None
    last_year: int | None = None

    def applies(self, year: int) -> bool:
        return (self.first_year is None or year >= self.first_year) and (
            self.last_year is None or year <= self.last_year
        )

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" else self.name_en


HEADLINE: tuple[HeadlineIndicator, ...] = (
    HeadlineIndicator("total_profit", ("default",), "利润总额", "Total profit", True),
    HeadlineIndicator("debt_ratio", ("default",), "资产负债率", "Debt ratio", False),
    # SASAC caliber (average equity incl. minority interests) is ROE's default
    HeadlineIndicator(
        "roe", ("sasac_avg_incl_minority", "default"), "净资产收益率", "Return on equity", True
    ),
    HeadlineIndicator("rd_intensity", ("default",), "研发经费投入强度", "R&D intensity", True),
    HeadlineIndicator(
        "labour_productivity", ("default",), "全员劳动生产率", "Labour productivity", True
    ),
    HeadlineIndicator(
        "operating_cash_ratio",
        ("default",),
        "营业现金比率",
        "Operating cash ratio",
        True,
        last_year=2024,
    ),
    HeadlineIndicator(
        "cash_from_sales_ratio",
        ("default",),
        "营业收现率",
        "Cash-from-sales ratio",
        True,
        first_year=2025,
    ),
)
"""一利五率 (since 2023); the fifth rate changed in 2025."""


def headline_for(year: int) -> tuple[HeadlineIndicator, ...]:
    """The six headline indicators in force in ``year``."""
    return tuple(h for h in HEADLINE if h.applies(year))


@dataclass(frozen=True)
class TrendPoint:
    period: str
    value: float | None


@dataclass(frozen=True)
class HeadlineLine:
    """One headline indicator of the report's subject: now, a year ago, and 13 months."""

    indicator: HeadlineIndicator
    unit: str
    value: float | None
    last_year: float | None
    trend: tuple[TrendPoint, ...]

    @property
    def change(self) -> float | None:
        if self.value is None or self.last_year is None:
            return None
        return self.value - self.last_year


@dataclass(frozen=True)
class GroupLine:
    """A top-level group's headline values (合并 report) and its rank on each (1 = best)."""

    enterprise_id: int
    uscc: str
    name_zh: str
    name_en: str
    values: Mapping[str, float | None]
    ranks: Mapping[str, int | None]

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh" or not self.name_en else self.name_en


@dataclass(frozen=True)
class AlertLine:
    id: int
    enterprise_id: int
    enterprise_zh: str
    enterprise_en: str
    rule_code: str
    severity: str
    status: str
    period: str
    last_period: str
    indicator_code: str | None
    value: float | None
    threshold: float | None
    message_zh: str
    message_en: str
    due_date: date | None

    def enterprise(self, lang: str) -> str:
        return self.enterprise_zh if lang == "zh" or not self.enterprise_en else self.enterprise_en

    def message(self, lang: str) -> str:
        return self.message_zh if lang == "zh" else self.message_en


@dataclass(frozen=True)
class SubmissionLine:
    uscc: str
    name_zh: str
    level: int
    status: str
    submitted_at: datetime | None
    days_late: int


@dataclass(frozen=True)
class MonthlyReport:
    """Everything the monthly report shows for one period and one scope."""

    period: Period
    generated_at: datetime
    demo: bool
    whole_portfolio: bool
    scope_roots: tuple[tuple[str, str, str], ...]  # (uscc, name_zh, name_en) of each root
    subject_zh: str | None
    subject_en: str | None
    indicator_values_version: int
    flash_report_versions: tuple[int, ...]
    indicators: tuple[HeadlineIndicator, ...]
    headline: tuple[HeadlineLine, ...]
    units: Mapping[str, str]
    groups: tuple[GroupLine, ...]
    alert_counts: Mapping[tuple[str, str], int]
    severities: tuple[str, ...]
    alert_statuses: tuple[str, ...]
    red_alerts: tuple[AlertLine, ...]
    overdue: tuple[AlertLine, ...]
    submission_deadline: datetime
    submission_counts: Mapping[str, int]
    reminders: tuple[SubmissionLine, ...]

    @property
    def report_date(self) -> date:
        return self.generated_at.date()

    @property
    def flash_versions_text(self) -> str:
        return ", ".join(f"v{v}" for v in self.flash_report_versions) or "—"

    def scope_text(self, lang: str) -> str:
        """The scope in words: the whole portfolio, or the roots of the caller's subtree."""
        if self.whole_portfolio:
            return "全部监管企业（全口径）" if lang == "zh" else "Whole portfolio"
        names = [zh if lang == "zh" or not en else en for _u, zh, en in self.scope_roots]
        return ("、" if lang == "zh" else ", ").join(names) or "—"

    def subject(self, lang: str) -> str | None:
        return self.subject_zh if lang == "zh" or not self.subject_en else self.subject_en

    def trend_periods(self) -> list[str]:
        return [str(p) for p in Period.range(self.period.shift(1 - TREND_MONTHS), self.period)]


# -- gathering ------------------------------------------------------------------------


def _missing(period: Period) -> ReportDataMissing:
    return ReportDataMissing(
        f"{period} 没有可用的监管指标值（supervision.indicator_values 中无该期间数据，或均不在"
        f"您的数据范围内），不生成空报告；请先运行 zhiguo indicators compute --period {period}",
        f"No indicator values for {period} (supervision.indicator_values holds none for the "
        f"period, or none inside your scope); no empty report is written. Run "
        f"`zhiguo indicators compute --period {period}` first",
        details={"period": str(period)},
    )


def _read_values(
    lake_root: Path, engine_settings: EngineSettings, scope: Scope, period: Period
) -> tuple[int, tuple[int, ...], list[dict[str, Any]]]:
    """(indicator_values version read, flash_report versions behind P, the rows needed)."""
    table = open_table(lake_root, INDICATOR_VALUES.name)
    if not table.exists():
        raise _missing(period)
    version = table.version()
    relation = scoped_snapshot(table, scope, version=version)
    engine = open_engine(engine_settings)
    sources = engine.query(
        "SELECT DISTINCT source_version AS v FROM iv WHERE period = $period ORDER BY v",
        tables={"iv": relation},
        params={"period": str(period)},
    )
    if sources.num_rows == 0:
        raise _missing(period)
    flash = tuple(int(v) for v in sources.column("v").to_pylist() if v is not None)
    codes = sorted({h.code for h in HEADLINE})
    assert all(c.replace("_", "").isalnum() for c in codes)  # constants, safe as literals
    in_list = ", ".join(f"'{c}'" for c in codes)
    rows = engine.query(
        "SELECT enterprise_id, level, period, indicator_code, caliber, value, unit "
        "FROM iv WHERE period >= $start AND period <= $end "
        f"AND level IN ('portfolio', 'group') AND indicator_code IN ({in_list}) "
        "ORDER BY enterprise_id, level, indicator_code, caliber, period",
        tables={"iv": relation},
        params={"start": str(period.shift(1 - TREND_MONTHS)), "end": str(period)},
    )
    return version, flash, rows.to_pylist()


_Key = tuple[int, str, str, str]  # enterprise_id, level, indicator_code, period


def _index(
    rows: Sequence[Mapping[str, Any]],
) -> tuple[dict[_Key, float | None], dict[str, str]]:
    """Values keyed by (enterprise, level, code, period), each code's caliber chosen by the
    headline table's preference order; and the unit of each code."""
    preference = {h.code: h.calibers for h in HEADLINE}
    best: dict[_Key, tuple[int, float | None]] = {}
    units: dict[str, str] = {}
    for r in rows:
        code = str(r["indicator_code"])
        calibers = preference.get(code, ())
        if r["caliber"] not in calibers:
            continue
        rank = calibers.index(r["caliber"])
        key = (int(r["enterprise_id"]), str(r["level"]), code, str(r["period"]))
        value = None if r["value"] is None else float(r["value"])
        if key not in best or rank < best[key][0]:
            best[key] = (rank, value)
        units.setdefault(code, str(r["unit"]))
    return {k: v for k, (_r, v) in best.items()}, units


def _ranks(values: dict[int, float | None], higher_is_better: bool) -> dict[int, int | None]:
    """Competition ranking (1, 1, 3); groups without a value get no rank."""
    known = [v for v in values.values() if v is not None]
    out: dict[int, int | None] = {}
    for ent, v in values.items():
        if v is None:
            out[ent] = None
        else:
            better = sum(1 for o in known if (o > v if higher_is_better else o < v))
            out[ent] = better + 1
    return out


def _alert_line(alert: Alert, name_zh: str, name_en: str) -> AlertLine:
    return AlertLine(
        id=alert.id,
        enterprise_id=alert.enterprise_id,
        enterprise_zh=name_zh,
        enterprise_en=name_en,
        rule_code=alert.rule_code,
        severity=alert.severity,
        status=alert.status,
        period=alert.period,
        last_period=alert.last_period,
        indicator_code=alert.indicator_code,
        value=alert.value,
        threshold=alert.threshold,
        message_zh=alert.message_zh,
        message_en=alert.message_en,
        due_date=alert.due_date,
    )


def _alerts(
    session: Session, scope: Scope, period: Period, report_date: date
) -> tuple[dict[tuple[str, str], int], list[AlertLine], list[AlertLine]]:
    """Counts by (severity, status) of the period's alerts, its red ones, and every
    dispatched alert (up to the period) past its due date on the report date."""
    base = select(Alert, Enterprise.name_zh, Enterprise.name_en).join(
        Enterprise, Enterprise.id == Alert.enterprise_id
    )
    p = str(period)
    of_period = scope_filter(
        base.where(or_(Alert.period == p, Alert.last_period == p)), scope, Alert.enterprise_id
    ).order_by(Alert.severity, Enterprise.uscc, Alert.rule_code, Alert.id)
    counts: dict[tuple[str, str], int] = {}
    red: list[AlertLine] = []
    for alert, zh, en in session.execute(of_period).all():
        key = (alert.severity, alert.status)
        counts[key] = counts.get(key, 0) + 1
        if alert.severity == "red":
            red.append(_alert_line(alert, zh, en))
    overdue_stmt = scope_filter(
        base.where(
            Alert.status == "dispatched",
            Alert.due_date.is_not(None),
            Alert.due_date < report_date,
            Alert.period <= p,
        ),
        scope,
        Alert.enterprise_id,
    ).order_by(Alert.due_date, Enterprise.uscc, Alert.id)
    overdue = [_alert_line(a, zh, en) for a, zh, en in session.execute(overdue_stmt).all()]
    return counts, red, overdue


def _ordered(known: Sequence[str], seen: set[str]) -> tuple[str, ...]:
    return tuple(known) + tuple(sorted(seen - set(known)))


def gather_monthly_report(
    *,
    session: Session,
    lake_root: Path,
    engine_settings: EngineSettings,
    scope: Scope,
    period: Period | str,
    ingest_settings: IngestSettings | None = None,
    demo: bool = False,
    now: datetime | None = None,
) -> MonthlyReport:
    """Gather the monthly report of ``period`` as ``scope`` may see it.

    The whole-portfolio scope reports the portfolio (level ``portfolio``); an enterprise
    scope never sees the portfolio rows, so its headline section covers its own group when
    the scope has exactly one root, and says so. Raises :class:`ReportDataMissing` when the
    period has no indicator values inside the scope, rather than producing an empty report.
    """
    p = Period.parse(period)
    ingest = ingest_settings or IngestSettings()
    generated = (now or datetime.now(UTC)).astimezone(ZoneInfo(ingest.timezone))
    version, flash, rows = _read_values(lake_root, engine_settings, scope, p)
    values, units = _index(rows)
    indicators = headline_for(p.year)
    months = [str(m) for m in Period.range(p.shift(1 - TREND_MONTHS), p)]

    roots = top_level_ids(session=session, scope=scope, as_of=p.last_day())
    ents = {
        e.id: e
        for e in session.scalars(
            scope_filter(select(Enterprise).where(Enterprise.id.in_(roots)), scope)
        )
    }
    has_group_rows = {k[0] for k in values if k[1] == "group" and k[3] == str(p)}
    root_ids = [
        r for r in roots if r in ents and (ents[r].status == "active" or r in has_group_rows)
    ]

    # the headline subject: the portfolio, or the one group an enterprise scope holds
    subject: tuple[int, str] | None = None
    subject_zh: str | None = None
    subject_en: str | None = None
    if scope.is_unrestricted:
        subject = (PORTFOLIO_ID, "portfolio")
        subject_zh, subject_en = "全部监管企业汇总", "Portfolio total"
    elif len(root_ids) == 1:
        subject = (root_ids[0], "group")
        subject_zh, subject_en = ents[root_ids[0]].name_zh, ents[root_ids[0]].name_en
    headline: list[HeadlineLine] = []
    if subject is not None:
        for ind in indicators:
            trend = tuple(
                TrendPoint(m, values.get((subject[0], subject[1], ind.code, m))) for m in months
            )
            if all(t.value is None for t in trend):
                continue
            headline.append(
                HeadlineLine(
                    indicator=ind,
                    unit=units.get(ind.code, ""),
                    value=trend[-1].value,
                    last_year=values.get((subject[0], subject[1], ind.code, str(p.prior_year))),
                    trend=trend,
                )
            )

    group_values = {
        ind.code: {r: values.get((r, "group", ind.code, str(p))) for r in root_ids}
        for ind in indicators
    }
    ranks = {ind.code: _ranks(group_values[ind.code], ind.higher_is_better) for ind in indicators}
    groups = tuple(
        GroupLine(
            enterprise_id=r,
            uscc=ents[r].uscc,
            name_zh=ents[r].name_zh,
            name_en=ents[r].name_en,
            values={ind.code: group_values[ind.code][r] for ind in indicators},
            ranks={ind.code: ranks[ind.code][r] for ind in indicators},
        )
        for r in root_ids
    )

    counts, red, overdue = _alerts(session, scope, p, generated.date())
    states = submission_states(
        session, scope=scope, dataset="flash_report", period=p, settings=ingest, now=generated
    )
    sub_counts = {k: sum(1 for s in states if s.status == k) for k in SUBMISSION_STATUSES}
    reminders = tuple(
        SubmissionLine(s.uscc, s.name_zh, s.level, s.status, s.submitted_at, s.days_late)
        for s in states
        if s.status in ("late", "missing")
    )
    return MonthlyReport(
        period=p,
        generated_at=generated,
        demo=demo,
        whole_portfolio=scope.is_unrestricted,
        scope_roots=tuple((ents[r].uscc, ents[r].name_zh, ents[r].name_en) for r in root_ids),
        subject_zh=subject_zh,
        subject_en=subject_en,
        indicator_values_version=version,
        flash_report_versions=flash,
        indicators=indicators,
        headline=tuple(headline),
        units={ind.code: units.get(ind.code, "") for ind in indicators},
        groups=groups,
        alert_counts=counts,
        severities=_ordered(list(SEVERITIES), {s for s, _ in counts}),
        alert_statuses=_ordered(list(ALERT_STATUSES), {st for _, st in counts}),
        red_alerts=tuple(red),
        overdue=tuple(overdue),
        submission_deadline=period_deadline(session, "flash_report", p, ingest),
        submission_counts=sub_counts,
        reminders=reminders,
    )
