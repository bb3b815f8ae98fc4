"""Evaluating enterprises against the standard values: score, grade, rank per class, and an
enterprise's indicators placed on the five-level scale.

Indicator values come from ``supervision.indicator_values`` through the engine, narrowed to
the caller's scope (so an enterprise user evaluates and ranks only what it may see); the
size class comes from operating revenue in ``flash_report``, read the same way. Standard
values, classes and the ownership tree (for inheriting a class) come from the metadata DB.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from zhiguo.core.access import Scope
from zhiguo.core.errors import InputError
from zhiguo.core.periods import Period
from zhiguo.core.settings import EngineSettings
from zhiguo.datacenter.engine import open_engine
from zhiguo.datacenter.lake import open_table, scoped_snapshot
from zhiguo.registry import Enterprise, OwnershipEdge, get_enterprise, scope_filter
from zhiguo.supervision.datasets import PORTFOLIO_ID

from .errors import NoIndicatorValues
from .schemas import (
    EnterpriseEvaluation,
    GroupScore,
    IndicatorScore,
    Placement,
    StandardValues,
)
from .scoring import (
    ClassScheme,
    IndicatorSpec,
    Scheme,
    Weighted,
    band_of,
    coefficient_of,
    grade_for,
    load_scheme,
    rank,
    renormalised_total,
)
from .standard_values import StandardIndex, choose_edition, load_index

__all__ = ["EVALUATED_LEVELS", "evaluate", "place_on_scale"]

EVALUATED_LEVELS: dict[str, str] = {"entity": "single", "group": "consolidated", "subtree": ""}
"""Levels of ``supervision.indicator_values`` that can be evaluated → the flash-report type
whose operating revenue sets the size class (a subtree's is the sum of its 单户 reports,
which is not read here: subtrees are matched with size class ``all``)."""

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_CHUNK = 900


@dataclass(frozen=True)
class _Value:
    value: float | None
    unit: str | None
    status: str
    reason: str | None


def _literals(codes: Iterable[str]) -> str:
    wanted = sorted(set(codes))
    for code in wanted:
        if not _CODE.match(code):  # scheme codes are identifiers; never inline anything else
            raise InputError(f"指标代码 {code!r} 无效", f"Invalid indicator code {code!r}")
    return ", ".join(f"'{c}'" for c in wanted) or "''"


def _read_values(
    *,
    lake_root: Path,
    engine_settings: EngineSettings | None,
    scope: Scope,
    period: Period,
    level: str,
    codes: Iterable[str],
    version: int | None,
    enterprise_id: int | None = None,
) -> dict[tuple[int, str, str], _Value]:
    """(enterprise, indicator, caliber) → value for ``period``/``level`` within ``scope``."""
    table = open_table(lake_root, "supervision.indicator_values")
    if not table.exists():
        raise NoIndicatorValues()
    relation = scoped_snapshot(table, scope, version=version)
    sql = (
        "SELECT enterprise_id, indicator_code, caliber, value, unit, status, reason "
        "FROM iv WHERE period = $period AND level = $level AND enterprise_id <> $portfolio "
        f"AND indicator_code IN ({_literals(codes)})"
    )
    params: dict[str, Any] = {"period": str(period), "level": level, "portfolio": PORTFOLIO_ID}
    if enterprise_id is not None:
        sql += " AND enterprise_id = $eid"
        params["eid"] = enterprise_id
    result = open_engine(engine_settings).query(sql, tables={"iv": relation}, params=params)
    return {
        (int(r["enterprise_id"]), r["indicator_code"], r["caliber"]): _Value(
            r["value"], r["unit"], r["status"], r["reason"]
        )
        for r in result.to_pylist()
    }


def _read_revenue(
    *,
    lake_root: Path,
    engine_settings: EngineSettings | None,
    scope: Scope,
    period: Period,
    level: str,
    scheme: Scheme,
    ids: set[int],
) -> dict[int, float]:
    """Annual operating revenue (元) per enterprise from its flash report of ``level``'s type;
    YTD is annualised (× 12 / month) when the scheme says so. Empty without a flash report."""
    report_type = EVALUATED_LEVELS.get(level, "")
    table = open_table(lake_root, "flash_report")
    if not report_type or not ids or not table.exists():
        return {}
    result = open_engine(engine_settings).query(
        "SELECT enterprise_id, sum(value) AS revenue FROM fr WHERE period = $period "
        "AND report_type = $rt AND item_code = $item AND caliber = 'ytd' AND scope = 'total' "
        "GROUP BY enterprise_id",
        tables={"fr": scoped_snapshot(table, scope)},
        params={"period": str(period), "rt": report_type, "item": scheme.revenue_item},
    )
    factor = 12.0 / period.month if scheme.annualise_revenue else 1.0
    return {
        int(r["enterprise_id"]): float(r["revenue"]) * factor
        for r in result.to_pylist()
        if r["revenue"] is not None and int(r["enterprise_id"]) in ids
    }


def _enterprises(session: Session, scope: Scope, ids: Iterable[int]) -> dict[int, Enterprise]:
    wanted = sorted(set(ids))
    found: dict[int, Enterprise] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        stmt = scope_filter(select(Enterprise).where(Enterprise.id.in_(chunk)), scope)
        found.update({e.id: e for e in session.scalars(stmt)})
    return found


def _classes(
    session: Session, enterprises: Mapping[int, Enterprise], day: date, scheme: Scheme
) -> dict[int, tuple[str, str]]:
    """enterprise → (class, source): its own 功能分类, else its nearest controlling
    ancestor's on ``day`` (classes are registry metadata, read whatever the scope), else the
    scheme's fallback class."""
    out: dict[int, tuple[str, str]] = {}
    pending = []
    for eid, ent in enterprises.items():
        if ent.supervision_class in scheme.classes:
            out[eid] = (str(ent.supervision_class), "own")
        else:
            pending.append(eid)
    if not pending:
        return out
    e = OwnershipEdge
    parent_of = dict(
        session.execute(
            select(e.child_id, e.parent_id).where(
                e.controlling.is_(True),
                e.valid_from <= day,
                or_(e.valid_to.is_(None), e.valid_to > day),
            )
        ).all()
    )
    class_of = dict(
        session.execute(
            select(Enterprise.id, Enterprise.supervision_class).where(
                Enterprise.supervision_class.is_not(None)
            )
        ).all()
    )
    for eid in pending:
        current, seen = parent_of.get(eid), {eid}
        while current is not None and current not in seen:
            if class_of.get(current) in scheme.classes:
                out[eid] = (str(class_of[current]), "inherited")
                break
            seen.add(current)
            current = parent_of.get(current)
        else:
            out[eid] = (scheme.fallback_class, "fallback")
    return out


def _adjusted(spec: IndicatorSpec, value: float | None, period: Period) -> float | None:
    if value is None or not spec.annualise or period.month == 12:
        return value
    return value * 12.0 / period.month


def _exclusion(
    found: _Value | None, standard: StandardValues | None, index: StandardIndex, where: str
) -> tuple[str, str] | None:
    if found is None:
        return "本期无该指标值", "no value for this period"
    if found.status != "ok" or found.value is None:
        why = found.reason or ""
        return f"无法计算：{why}".rstrip("："), f"not computable: {why}".rstrip(": ")
    if index.edition is None:
        return "尚未导入标准值", "no standard values imported"
    if standard is None:
        return (
            f"{index.edition} 年版标准值中没有匹配的行（{where}）",
            f"no matching row in the {index.edition} standard values ({where})",
        )
    return None


def _score_indicator(
    spec: IndicatorSpec,
    weight: float,
    found: _Value | None,
    standard: StandardValues | None,
    index: StandardIndex,
    scheme: Scheme,
    period: Period,
    where: str,
) -> IndicatorScore:
    raw = found.value if found is not None else None
    value = _adjusted(spec, raw if found is not None and found.status == "ok" else None, period)
    excluded = _exclusion(found, standard, index, where)
    band = coefficient = score = None
    if excluded is None and value is not None and standard is not None:
        levels = standard.levels()
        band = band_of(value, levels, spec.direction)
        coefficient = coefficient_of(value, levels, spec.direction, scheme.coefficients)
        score = weight * coefficient
    return IndicatorScore(
        code=spec.code,
        name_zh=spec.name_zh,
        name_en=spec.name_en,
        group=spec.group,
        direction=spec.direction,
        weight=weight,
        value=value,
        raw_value=raw,
        unit=found.unit if found is not None else None,
        band=band,
        coefficient=coefficient,
        score=score,
        standard=standard,
        excluded=excluded is not None,
        reason_zh=excluded[0] if excluded else None,
        reason_en=excluded[1] if excluded else None,
    )


def _evaluate_one(
    ent: Enterprise,
    klass: ClassScheme,
    class_source: str,
    size_class: str,
    revenue: float | None,
    values: Mapping[tuple[int, str, str], _Value],
    index: StandardIndex,
    scheme: Scheme,
    period: Period,
) -> EnterpriseEvaluation:
    where = f"{ent.industry_code or '-'} / {size_class}"
    items: list[IndicatorScore] = []
    for code, weight in klass.weights.items():
        spec = scheme.indicators[code]
        found = values.get((ent.id, code, spec.caliber))
        standard = index.match(code, ent.industry_code or "", size_class)
        items.append(_score_indicator(spec, weight, found, standard, index, scheme, period, where))
    total, coverage = renormalised_total(Weighted(i.weight, i.score) for i in items)
    reason: tuple[str, str] | None = None
    if total is not None and coverage + 1e-9 < scheme.min_coverage_pct:
        reason = (
            f"可评价指标权重仅占 {coverage:.0f}%，低于 {scheme.min_coverage_pct:g}%，不予评分",
            f"only {coverage:.0f}% of the weight could be scored (minimum "
            f"{scheme.min_coverage_pct:g}%); no total",
        )
        total = None
    elif total is None:
        reason = ("没有可评价的指标", "no indicator could be scored")
    grade = grade_for(total, scheme.grades) if total is not None else None
    groups = []
    for gcode, (gzh, gen) in scheme.groups.items():
        members = [i for i in items if i.group == gcode]
        if members:
            groups.append(
                GroupScore(
                    code=gcode,
                    label_zh=gzh,
                    label_en=gen,
                    weight=sum(i.weight for i in members),
                    score=sum(i.score or 0.0 for i in members),
                )
            )
    return EnterpriseEvaluation(
        enterprise_id=ent.id,
        uscc=ent.uscc,
        name_zh=ent.name_zh,
        supervision_class=klass.code,
        class_source=class_source,
        industry_code=ent.industry_code or "",
        size_class=size_class,
        revenue=revenue,
        total_score=total,
        coverage_pct=coverage,
        grade=grade.code if grade else None,
        grade_zh=grade.label_zh if grade else None,
        rank=None,
        ranked_in_class=0,
        reason_zh=reason[0] if reason else None,
        reason_en=reason[1] if reason else None,
        groups=groups,
        indicators=items,
    )


def _check_level(level: str) -> None:
    if level not in EVALUATED_LEVELS:
        raise InputError(
            f"层级 {level!r} 无效，应为 {'/'.join(EVALUATED_LEVELS)}",
            f"Invalid level {level!r}; expected {'/'.join(EVALUATED_LEVELS)}",
        )


def evaluate(
    *,
    session: Session,
    lake_root: Path,
    engine_settings: EngineSettings | None,
    scope: Scope,
    period: str | Period,
    supervision_class: str | None = None,
    level: str = "group",
    edition: int | None = None,
    scheme: Scheme | None = None,
    version: int | None = None,
) -> list[EnterpriseEvaluation]:
    """Score, grade and rank every enterprise in ``scope`` with indicator values at ``level``
    for ``period`` (as of lake ``version`` of the indicator values, latest if None).

    ``edition`` picks the standard values (default: the newest not later than the period's
    year). Ranks are competition ranks within each supervision class among the enterprises
    evaluated together — for an enterprise user, its own subtree. With
    ``supervision_class``, only that class is returned. Sorted by class, rank, enterprise id.
    Raises :class:`NoIndicatorValues` when indicator values were never computed.
    """
    _check_level(level)
    scheme = scheme or load_scheme()
    if supervision_class is not None and supervision_class not in scheme.classes:
        raise InputError(
            f"功能分类 {supervision_class!r} 无效，应为 {'/'.join(scheme.classes)}",
            f"Invalid class {supervision_class!r}; expected {'/'.join(scheme.classes)}",
        )
    when = Period.parse(period)
    codes = {c for klass in scheme.classes.values() for c in klass.weights}
    values = _read_values(
        lake_root=lake_root,
        engine_settings=engine_settings,
        scope=scope,
        period=when,
        level=level,
        codes=codes,
        version=version,
    )
    enterprises = _enterprises(session, scope, {key[0] for key in values})
    classes = _classes(session, enterprises, when.last_day(), scheme)
    if supervision_class is not None:
        enterprises = {k: e for k, e in enterprises.items() if classes[k][0] == supervision_class}
    revenue = _read_revenue(
        lake_root=lake_root,
        engine_settings=engine_settings,
        scope=scope,
        period=when,
        level=level,
        scheme=scheme,
        ids=set(enterprises),
    )
    index = load_index(
        session=session, edition=choose_edition(session=session, year=when.year, edition=edition)
    )
    results = []
    for eid, ent in enterprises.items():
        klass_code, source = classes[eid]
        size = scheme.size_rule(ent.industry_code or "").size_of(revenue.get(eid))
        results.append(
            _evaluate_one(
                ent, scheme.classes[klass_code], source, size, revenue.get(eid), values, index,
                scheme, when,
            )
        )  # fmt: skip
    for klass_code in scheme.classes:
        members = [r for r in results if r.supervision_class == klass_code]
        ranks = rank({r.enterprise_id: r.total_score for r in members})
        for r in members:
            r.rank = ranks.get(r.enterprise_id)
            r.ranked_in_class = len(ranks)
    order = {code: i for i, code in enumerate(scheme.classes)}
    results.sort(
        key=lambda r: (order[r.supervision_class], r.rank is None, r.rank or 0, r.enterprise_id)
    )
    return results


def place_on_scale(
    *,
    session: Session,
    lake_root: Path,
    engine_settings: EngineSettings | None,
    scope: Scope,
    enterprise_id: int,
    period: str | Period,
    level: str = "group",
    edition: int | None = None,
    scheme: Scheme | None = None,
    version: int | None = None,
) -> list[Placement]:
    """One enterprise's indicators for ``period`` against its five standard values.

    Lists the indicators weighted for its class plus every other indicator with a matching
    standard value, in the scheme's order; each with its value (annualised as the scheme
    says), status, the matched standard values (or None) and the band the value reaches.
    ``NotFound`` when the enterprise is outside ``scope``.
    """
    _check_level(level)
    scheme = scheme or load_scheme()
    when = Period.parse(period)
    ent = get_enterprise(session=session, scope=scope, enterprise_id=enterprise_id)
    klass_code, _source = _classes(session, {ent.id: ent}, when.last_day(), scheme)[ent.id]
    index = load_index(
        session=session, edition=choose_edition(session=session, year=when.year, edition=edition)
    )
    revenue = _read_revenue(
        lake_root=lake_root,
        engine_settings=engine_settings,
        scope=scope,
        period=when,
        level=level,
        scheme=scheme,
        ids={ent.id},
    )
    size = scheme.size_rule(ent.industry_code or "").size_of(revenue.get(ent.id))
    weighted = scheme.classes[klass_code].weights
    with_standard = index.indicators()
    codes = [c for c in scheme.indicators if c in weighted or c in with_standard]
    try:
        values = _read_values(
            lake_root=lake_root,
            engine_settings=engine_settings,
            scope=scope,
            period=when,
            level=level,
            codes=codes,
            version=version,
            enterprise_id=ent.id,
        )
    except NoIndicatorValues:
        values = {}
    out: list[Placement] = []
    for code in codes:
        spec = scheme.indicators[code]
        standard = index.match(code, ent.industry_code or "", size)
        if code not in weighted and standard is None:
            continue
        found = values.get((ent.id, code, spec.caliber))
        ok = found is not None and found.status == "ok" and found.value is not None
        value = _adjusted(spec, found.value if ok and found else None, when)
        out.append(
            Placement(
                code=code,
                name_zh=spec.name_zh,
                name_en=spec.name_en,
                group=spec.group,
                direction=spec.direction,
                value=value,
                unit=found.unit if found else None,
                status=(found.status if found else "missing"),
                reason=found.reason if found else None,
                band=(
                    band_of(value, standard.levels(), spec.direction)
                    if value is not None and standard is not None
                    else None
                ),
                standard=standard,
            )
        )
    return out
