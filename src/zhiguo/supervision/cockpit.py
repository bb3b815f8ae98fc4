"""What the supervision screens show, computed here so routers stay thin: the cockpit
(驾驶舱) for the caller's scope and one enterprise's overview, plus two small helpers the
screens need (pasted indicator definitions, an alert attachment's file).

Every function is keyword-only and takes the caller's ``scope``: indicator values are read
through :func:`zhiguo.supervision.indicators.read_indicator_values` (narrowed by the data
centre), alerts through the scoped alert and rectification services.

- **Subject.** The whole-portfolio scope sees the portfolio row (``enterprise_id`` 0, level
  ``portfolio``); an enterprise user sees the top of its own subtree, at the best level it
  has (``group`` from the 合并 report, else ``subtree``, else ``entity``).
- **Reference line.** No target data exists yet, so each trend is drawn against the same
  month of the year before (``reference``), and the cockpit says so (``reference_kind``).
- **Worst movers.** Per headline indicator, the groups (top of the drill-down) with the
  largest adverse change. Point-in-time indicators (balances, annualised, monthly) compare
  with the month before (环比); year-to-date ones accumulate through the year, so a month's
  change says nothing — they compare with the same month a year before (同比). Changes are
  in percentage points for ``%`` indicators, in per cent of the earlier value otherwise.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiguo.core.access import Scope
from zhiguo.core.errors import InputError, NotFound
from zhiguo.core.periods import Period
from zhiguo.core.settings import EngineSettings
from zhiguo.datacenter.engine import open_engine
from zhiguo.datacenter.lake import open_table, scoped_snapshot
from zhiguo.registry import Enterprise, children_of, get_enterprise, path_to_root, top_level_ids
from zhiguo.security import User
from zhiguo.supervision.alerts import list_alerts
from zhiguo.supervision.datasets import INDICATOR_VALUES, PORTFOLIO_ID
from zhiguo.supervision.evaluation import EVALUATED_LEVELS, Placement, place_on_scale
from zhiguo.supervision.indicators import (
    IndicatorSpec,
    Library,
    LibraryError,
    load_library,
    parse_definitions,
    read_indicator_values,
)
from zhiguo.supervision.rectification import (
    INBOX_AREA,
    AlertView,
    AttachmentView,
    LoopCounts,
    history,
    loop_counts,
)

__all__ = [
    "HEADLINE_SET",
    "LEVEL_PREFERENCE",
    "MOVERS_PER_INDICATOR",
    "TREND_MONTHS",
    "AlertLine",
    "Cockpit",
    "DrillRow",
    "EnterpriseOverview",
    "Headline",
    "Mover",
    "Subject",
    "TrendPoint",
    "alert_inbox",
    "attachment_file",
    "cockpit",
    "enterprise_overview",
    "latest_period",
    "parse_definitions_text",
]

HEADLINE_SET = "yili_wulv"
"""The indicator set the cockpit leads with (一利五率; its edition follows the year)."""
TREND_MONTHS = 13
MOVERS_PER_INDICATOR = 3
LEVEL_PREFERENCE: tuple[str, ...] = ("group", "subtree", "entity")
"""Which level stands for an enterprise when several exist: its 合并 report first."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class TrendPoint(_Model):
    period: str
    value: float | None
    reference: float | None  # the same month a year before


class Headline(_Model):
    """One indicator of the subject for the period, with its 13-month trend."""

    code: str
    name_zh: str
    name_en: str
    unit: str
    direction: str
    caliber: str
    period_basis: str
    value: float | None
    status: str  # ok | not_computable | missing
    reason: str | None
    previous: float | None  # the month before
    last_year: float | None  # the same month a year before
    trend: list[TrendPoint]


class Subject(_Model):
    """Whose indicators a screen leads with: the portfolio (id 0) or an enterprise."""

    enterprise_id: int
    uscc: str
    name_zh: str
    level: str


class DrillRow(_Model):
    """An enterprise one step down the drill-down, with its headline values."""

    enterprise_id: int
    uscc: str
    name_zh: str
    level: str | None  # None: no indicator values for it in the period
    values: dict[str, float | None]


class Mover(_Model):
    indicator_code: str
    name_zh: str
    name_en: str
    unit: str
    direction: str
    enterprise_id: int
    uscc: str
    enterprise_name: str
    value: float
    compared_with: float
    compared_period: str
    basis: str  # mom (环比) | yoy (同比)
    change: float  # value − compared_with, in the unit
    adverse: float  # > 0 is worse: pp for % indicators, else per cent of compared_with
    change_unit: str  # pp | %


class AlertLine(_Model):
    id: int
    rule_code: str
    severity: str
    status: str
    period: str
    last_period: str
    message_zh: str
    message_en: str
    due_date: date | None


class Cockpit(_Model):
    period: str | None
    periods: list[str]
    subject: Subject | None
    set_name_zh: str
    set_name_en: str
    headlines: list[Headline]
    reference_kind: str  # prior_year: no targets exist, the line is the year before
    groups: list[DrillRow]
    movers: list[Mover]
    alerts: LoopCounts


class EnterpriseOverview(_Model):
    enterprise_id: int
    uscc: str
    name_zh: str
    name_en: str
    industry_code: str
    supervision_class: str | None
    path: list[DrillRow]  # root first, this enterprise last (values empty)
    period: str | None
    periods: list[str]
    level: str | None
    levels: list[str]
    headlines: list[Headline]
    placements: list[Placement]
    children: list[DrillRow]
    alerts: list[AlertLine]
    alert_total: int


# ---------------------------------------------------------------------------------- reading


def latest_period(
    *,
    lake_root: Path,
    engine_settings: EngineSettings,
    scope: Scope,
    enterprise_id: int | None = None,
) -> str | None:
    """The newest period with indicator values the caller may see (for one enterprise)."""
    table = open_table(lake_root, INDICATOR_VALUES.name)
    if not table.exists():
        return None
    where = "" if enterprise_id is None else f"WHERE enterprise_id = {int(enterprise_id)}"
    result = open_engine(engine_settings).query(
        f"SELECT max(period) AS p FROM v {where}",
        tables={"v": scoped_snapshot(table, scope)},
    )
    found = result.column("p").to_pylist()
    return str(found[0]) if found and found[0] is not None else None


def _levels_of(
    lake_root: Path, engine_settings: EngineSettings, scope: Scope, enterprise_id: int
) -> dict[str, str]:
    """The levels with values for the enterprise → the newest period of each."""
    table = open_table(lake_root, INDICATOR_VALUES.name)
    if not table.exists():
        return {}
    result = open_engine(engine_settings).query(
        "SELECT level, max(period) AS p FROM v "
        f"WHERE enterprise_id = {int(enterprise_id)} GROUP BY level",
        tables={"v": scoped_snapshot(table, scope)},
    )
    found = dict(
        zip(result.column("level").to_pylist(), result.column("p").to_pylist(), strict=True)
    )
    return {lv: str(found[lv]) for lv in (*LEVEL_PREFERENCE, "portfolio") if lv in found}


_Key = tuple[int, str, str, str]  # enterprise, level, period, code


def _values(
    *,
    lake_root: Path,
    engine_settings: EngineSettings,
    scope: Scope,
    library: Library,
    codes: Sequence[str],
    periods: Iterable[Period],
    enterprise_ids: Sequence[int],
    level: str | None = None,
) -> dict[_Key, dict[str, Any]]:
    """Rows of the indicators' default calibers, keyed by enterprise, level, period, code."""
    table = read_indicator_values(
        lake_root=lake_root,
        engine_settings=engine_settings,
        scope=scope,
        periods=[str(p) for p in periods],
        indicators=list(codes),
        level=level,
        enterprise_ids=list(enterprise_ids),
    )
    out: dict[_Key, dict[str, Any]] = {}
    for row in table.to_pylist():
        spec = library.specs.get(row["indicator_code"])
        if spec is None or row["caliber"] != spec.default_caliber:
            continue
        key = (int(row["enterprise_id"]), row["level"], row["period"], row["indicator_code"])
        out[key] = row
    return out


def _value(rows: dict[_Key, dict[str, Any]], key: _Key) -> float | None:
    row = rows.get(key)
    if row is None or row["status"] != "ok" or row["value"] is None:
        return None
    return float(row["value"])


def _headlines(
    rows: dict[_Key, dict[str, Any]],
    specs: Sequence[IndicatorSpec],
    enterprise_id: int,
    level: str,
    period: Period,
) -> list[Headline]:
    out = []
    for spec in specs:
        here = (enterprise_id, level, str(period), spec.code)
        row = rows.get(here)
        trend = [
            TrendPoint(
                period=str(p),
                value=_value(rows, (enterprise_id, level, str(p), spec.code)),
                reference=_value(rows, (enterprise_id, level, str(p.shift(-12)), spec.code)),
            )
            for p in _window(period)
        ]
        out.append(
            Headline(
                code=spec.code,
                name_zh=spec.name_zh,
                name_en=spec.name_en,
                unit=spec.unit,
                direction=spec.direction,
                caliber=spec.default_caliber,
                period_basis=spec.period_basis,
                value=_value(rows, here),
                status=str(row["status"]) if row else "missing",
                reason=(row.get("reason") or None) if row else None,
                previous=_value(rows, (enterprise_id, level, str(period.previous), spec.code)),
                last_year=_value(rows, (enterprise_id, level, str(period.shift(-12)), spec.code)),
                trend=trend,
            )
        )
    return out


def _window(period: Period) -> list[Period]:
    return [period.shift(-i) for i in range(TREND_MONTHS - 1, -1, -1)]


def _headline_specs(library: Library, period: Period) -> list[IndicatorSpec]:
    codes = library.set_for_year(HEADLINE_SET, period.year)
    return [library.specs[c] for c in codes if c in library.specs]


def _best_level(rows: dict[_Key, dict[str, Any]], enterprise_id: int, period: str) -> str | None:
    present = {k[1] for k in rows if k[0] == enterprise_id and k[2] == period}
    return next((lv for lv in LEVEL_PREFERENCE if lv in present), None)


def _drill_rows(
    rows: dict[_Key, dict[str, Any]],
    enterprises: Sequence[Enterprise],
    specs: Sequence[IndicatorSpec],
    period: str,
) -> list[DrillRow]:
    out = []
    for ent in enterprises:
        level = _best_level(rows, ent.id, period)
        values = {
            s.code: _value(rows, (ent.id, level, period, s.code)) if level else None for s in specs
        }
        out.append(
            DrillRow(
                enterprise_id=ent.id,
                uscc=ent.uscc,
                name_zh=ent.name_zh,
                level=level,
                values=values,
            )
        )
    return out


def _movers(
    rows: dict[_Key, dict[str, Any]],
    groups: Sequence[DrillRow],
    specs: Sequence[IndicatorSpec],
    period: Period,
) -> list[Mover]:
    out: list[Mover] = []
    for spec in specs:
        yoy = spec.period_basis == "ytd"
        then = period.shift(-12) if yoy else period.previous
        found = []
        for g in groups:
            if g.level is None:
                continue
            now = _value(rows, (g.enterprise_id, g.level, str(period), spec.code))
            before = _value(rows, (g.enterprise_id, g.level, str(then), spec.code))
            if now is None or before is None:
                continue
            change = now - before
            if spec.unit == "%":
                delta, change_unit = change, "pp"
            elif before != 0:
                delta, change_unit = change / abs(before) * 100.0, "%"
            else:
                continue
            adverse = delta if spec.direction == "lower" else -delta
            if adverse <= 0:
                continue
            found.append(
                Mover(
                    indicator_code=spec.code,
                    name_zh=spec.name_zh,
                    name_en=spec.name_en,
                    unit=spec.unit,
                    direction=spec.direction,
                    enterprise_id=g.enterprise_id,
                    uscc=g.uscc,
                    enterprise_name=g.name_zh,
                    value=now,
                    compared_with=before,
                    compared_period=str(then),
                    basis="yoy" if yoy else "mom",
                    change=change,
                    adverse=adverse,
                    change_unit=change_unit,
                )
            )
        found.sort(key=lambda m: (-m.adverse, m.enterprise_id))
        out.extend(found[:MOVERS_PER_INDICATOR])
    return out


def _enterprises(session: Session, scope: Scope, ids: Sequence[int]) -> list[Enterprise]:
    return [get_enterprise(session=session, scope=scope, enterprise_id=i) for i in ids]


def cockpit(
    *,
    session: Session,
    lake_root: Path,
    engine_settings: EngineSettings,
    scope: Scope,
    period: str | Period | None = None,
    today: date | None = None,
) -> Cockpit:
    """The cockpit for ``period`` (the newest with values when None): the subject's
    一利五率 with 13-month trends against the year before, the drill-down's first step (top-level
    groups, or the caller's own roots) with their values, the worst movers among them, and
    alert counts by status and severity (with overdue when ``today`` is given)."""
    library = load_library(session)
    label = (
        str(Period.parse(period))
        if period
        else latest_period(lake_root=lake_root, engine_settings=engine_settings, scope=scope)
    )
    when = Period.parse(label) if label else None
    counts = loop_counts(session=session, scope=scope, period=label, today=today)
    iset = library.sets.get(HEADLINE_SET)
    set_zh, set_en = (iset.name_zh, iset.name_en) if iset else (HEADLINE_SET, HEADLINE_SET)
    if when is None:
        return Cockpit(
            period=None, periods=[], subject=None, set_name_zh=set_zh, set_name_en=set_en,
            headlines=[], reference_kind="prior_year", groups=[], movers=[], alerts=counts,
        )  # fmt: skip
    specs = _headline_specs(library, when)
    codes = [s.code for s in specs]
    roots = _enterprises(session, scope, top_level_ids(session=session, scope=scope))
    root_ids = [e.id for e in roots]
    span = [when.shift(-i) for i in range(TREND_MONTHS + 12)]
    portfolio = [PORTFOLIO_ID] if scope.is_unrestricted else []
    rows = _values(  # one read: the subject's trends and the groups' recent values
        lake_root=lake_root, engine_settings=engine_settings, scope=scope, library=library,
        codes=codes, periods=span, enterprise_ids=[*portfolio, *root_ids],
    )  # fmt: skip
    groups = _drill_rows(rows, roots, specs, str(when))
    subject: Subject | None
    if scope.is_unrestricted:
        subject = Subject(
            enterprise_id=PORTFOLIO_ID, uscc="", name_zh="全部监管企业", level="portfolio"
        )
    else:
        first = next((g for g in groups if g.level), None)
        subject = (
            Subject(
                enterprise_id=first.enterprise_id,
                uscc=first.uscc,
                name_zh=first.name_zh,
                level=first.level or "group",
            )
            if first
            else None
        )
    headlines: list[Headline] = []
    if subject is not None:
        headlines = _headlines(rows, specs, subject.enterprise_id, subject.level, when)
    return Cockpit(
        period=label,
        periods=[str(p) for p in _window(when)],
        subject=subject,
        set_name_zh=set_zh,
        set_name_en=set_en,
        headlines=headlines,
        reference_kind="prior_year",
        groups=groups,
        movers=_movers(rows, groups, specs, when),
        alerts=counts,
    )


def enterprise_overview(
    *,
    session: Session,
    lake_root: Path,
    engine_settings: EngineSettings,
    scope: Scope,
    uscc: str,
    period: str | Period | None = None,
    level: str | None = None,
) -> EnterpriseOverview:
    """One enterprise (``NotFound`` outside ``scope``): its headline indicators at ``level``
    (the best it has when None) with trends, its indicators placed on the five-level
    standard values, its subsidiaries' headline values (the next drill-down step) and its
    alerts."""
    ent = get_enterprise(session=session, scope=scope, uscc=uscc)
    library = load_library(session)
    latest = _levels_of(lake_root, engine_settings, scope, ent.id)
    levels = list(latest)
    if level is not None and level not in latest:
        raise InputError(
            f"企业 {ent.uscc} 没有层级 {level} 的指标值；可用：{'、'.join(levels) or '无'}",
            f"Enterprise {ent.uscc} has no indicator values at level {level}; "
            f"available: {', '.join(levels) or 'none'}",
        )
    chosen = level or next((lv for lv in levels if lv in LEVEL_PREFERENCE), None)
    label = str(Period.parse(period)) if period else (latest[chosen] if chosen else None)
    alerts, alert_total = list_alerts(session=session, scope=scope, enterprise_id=ent.id, limit=20)
    path = path_to_root(session=session, scope=scope, enterprise_id=ent.id)
    crumbs = [
        DrillRow(enterprise_id=e.id, uscc=e.uscc, name_zh=e.name_zh, level=None, values={})
        for e in path
    ]
    headlines: list[Headline] = []
    placements: list[Placement] = []
    children: list[DrillRow] = []
    when = Period.parse(label) if label else None
    if when is not None and chosen is not None:
        specs = _headline_specs(library, when)
        kids = children_of(session=session, scope=scope, enterprise_id=ent.id)
        kid_ents = _enterprises(session, scope, sorted({k.child_id for k in kids}))
        span = [when.shift(-i) for i in range(TREND_MONTHS + 12)]
        rows = _values(  # one read: this enterprise's trends and its subsidiaries' values
            lake_root=lake_root, engine_settings=engine_settings, scope=scope, library=library,
            codes=[s.code for s in specs], periods=span,
            enterprise_ids=[ent.id, *(e.id for e in kid_ents)],
        )  # fmt: skip
        headlines = _headlines(rows, specs, ent.id, chosen, when)
        children = _drill_rows(rows, kid_ents, specs, str(when))
        if chosen in EVALUATED_LEVELS:
            placements = place_on_scale(
                session=session, lake_root=lake_root, engine_settings=engine_settings,
                scope=scope, enterprise_id=ent.id, period=when, level=chosen,
            )  # fmt: skip
    return EnterpriseOverview(
        enterprise_id=ent.id,
        uscc=ent.uscc,
        name_zh=ent.name_zh,
        name_en=ent.name_en,
        industry_code=ent.industry_code,
        supervision_class=ent.supervision_class,
        path=crumbs,
        period=label,
        periods=[str(p) for p in _window(when)] if when else [],
        level=chosen,
        levels=levels,
        headlines=headlines,
        placements=placements,
        children=children,
        alerts=[
            AlertLine(
                id=a.id,
                rule_code=a.rule_code,
                severity=a.severity,
                status=a.status,
                period=a.period,
                last_period=a.last_period,
                message_zh=a.message_zh,
                message_en=a.message_en,
                due_date=a.due_date,
            )
            for a in alerts
        ],
        alert_total=alert_total,
    )


# ---------------------------------------------------------------------------------- helpers


def parse_definitions_text(text: str, *, name: str = "pasted") -> list[IndicatorSpec]:
    """Indicator definitions from pasted or uploaded text: JSON, or TOML (the library file's
    format — whose ``[indicators.x]`` headers also start with ``[``, so JSON is tried first
    and TOML after); every problem names the definition."""
    body = text.strip()
    if not body:
        raise LibraryError(name, "没有指标定义", "no indicator definitions given", file=name)
    data: Any = None
    if body[0] in "{[":
        try:
            data = json.loads(body)
        except json.JSONDecodeError:
            data = None
    if data is None:
        try:
            data = tomllib.loads(body)
        except tomllib.TOMLDecodeError as exc:
            raise LibraryError(
                name,
                f"无法解析（应为 TOML 或 JSON）：{exc}",
                f"cannot parse (expected TOML or JSON): {exc}",
                file=name,
            ) from None
    return parse_definitions(data, file=name)


def attachment_file(
    *, session: Session, inbox: Path, scope: Scope, alert_id: int, attachment_id: int
) -> tuple[AttachmentView, Path]:
    """An alert's attachment and where the inbox keeps it; ``NotFound`` when the alert is
    outside ``scope``, the attachment is not the alert's, or its file is gone."""
    found = next(
        (
            a
            for a in history(session=session, alert_id=alert_id, scope=scope).attachments
            if a.id == attachment_id
        ),
        None,
    )
    if found is not None:
        suffix = Path(found.file_name).suffix.lower()[:10]  # as core.inbox.keep_file names it
        path = inbox / INBOX_AREA / f"{found.inbox_sha256}{suffix}"
        if path.is_file():
            return found, path
    raise NotFound(f"未找到附件 {attachment_id}", f"No attachment {attachment_id}")


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


def alert_inbox(
    *,
    session: Session,
    scope: Scope,
    period: str | Period | None = None,
    status: str | None = None,
    severity: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[AlertView], int]:
    """A page of the caller's alerts (gravest and newest first) as the inbox shows them —
    with the enterprise's and the assignee's names, read in one query each — and the total."""
    alerts, total = list_alerts(
        session=session, scope=scope, period=period, status=status, severity=severity,
        limit=limit, offset=offset,
    )  # fmt: skip
    ent_ids = sorted({a.enterprise_id for a in alerts})
    names: dict[int, str] = {
        int(i): str(n)
        for i, n in session.execute(
            select(Enterprise.id, Enterprise.name_zh).where(Enterprise.id.in_(ent_ids))
        )
    }
    user_ids = sorted({a.assignee_id for a in alerts if a.assignee_id is not None})
    users: dict[int, str] = {
        int(i): str(n)
        for i, n in session.execute(select(User.id, User.username).where(User.id.in_(user_ids)))
    }
    views = [
        AlertView(
            id=a.id, rule_code=a.rule_code, family=a.family, enterprise_id=a.enterprise_id,
            enterprise_name=names.get(a.enterprise_id, ""), level=a.level, period=a.period,
            last_period=a.last_period, periods_seen=a.periods_seen, severity=a.severity,
            status=a.status, indicator_code=a.indicator_code, value=a.value,
            threshold=a.threshold, message_zh=a.message_zh, message_en=a.message_en,
            assignee_id=a.assignee_id,
            assignee_username=users.get(a.assignee_id) if a.assignee_id is not None else None,
            due_date=a.due_date, raised_at=_aware(a.raised_at), updated_at=_aware(a.updated_at),
        )
        for a in alerts
    ]  # fmt: skip
    return views, total
