"""The scoring scheme (``scheme.toml``) and the 功效系数法 arithmetic, free of I/O.

Method (《中央企业综合绩效评价实施细则》, 功效系数法): the five standard values of an indicator
(优秀/良好/平均/较低/较差, best first) split its range into bands. An actual value that reaches
level *i* but not the better level *i − 1* scores::

    weight × (c_i + (actual − v_i) / (v_{i−1} − v_i) × (c_{i−1} − c_i))

with the level coefficients c = 1.0/0.8/0.6/0.4/0.2 (so the step is 0.2); reaching 优秀 scores
the full weight, falling short of 较差 scores 0. "Reaching" means ≥ for indicators where higher
is better and ≤ where lower is better (debt ratio), so one formula serves both directions.

An indicator without a value or without standard values is excluded and the remaining weights
renormalised to 100; the reason is kept. The grade comes from the total (优 ≥ 85, 良 ≥ 70, …).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

from .errors import SchemeError

__all__ = [
    "BELOW_POOR",
    "DIRECTIONS",
    "LEVEL_CODES",
    "SIZE_CLASSES",
    "ClassScheme",
    "GradeBand",
    "IndicatorSpec",
    "Level",
    "Scheme",
    "SizeRule",
    "Weighted",
    "band_of",
    "coefficient_of",
    "grade_for",
    "is_monotonic",
    "load_scheme",
    "rank",
    "renormalised_total",
]

LEVEL_CODES: tuple[str, ...] = ("excellent", "good", "average", "low", "poor")
"""The five standard-value levels, best first (优秀, 良好, 平均, 较低, 较差)."""
BELOW_POOR = "below_poor"
"""The band of a value that does not even reach 较差."""
DIRECTIONS: tuple[str, ...] = ("higher", "lower")
SIZE_CLASSES: tuple[str, ...] = ("all", "large", "medium", "small")


@dataclass(frozen=True)
class Level:
    code: str
    label_zh: str
    label_en: str
    coefficient: float


@dataclass(frozen=True)
class GradeBand:
    code: str
    label_zh: str
    label_en: str
    min_score: float


@dataclass(frozen=True)
class IndicatorSpec:
    """What the scheme knows about an indicator that may carry standard values."""

    code: str
    group: str
    name_zh: str
    name_en: str
    direction: str  # higher | lower
    caliber: str = "default"
    annualise: bool = False


@dataclass(frozen=True)
class ClassScheme:
    """The weights of one supervision class (功能分类); they sum to 100."""

    code: str
    label_zh: str
    label_en: str
    weights: Mapping[str, float]


@dataclass(frozen=True)
class SizeRule:
    """Revenue thresholds (元, annual) for 大型/中型; below ``medium_min`` is 小型."""

    large_min: float
    medium_min: float

    def size_of(self, revenue: float | None) -> str:
        if revenue is None or not math.isfinite(revenue):
            return "all"
        if revenue >= self.large_min:
            return "large"
        if revenue >= self.medium_min:
            return "medium"
        return "small"


@dataclass(frozen=True)
class Scheme:
    """A whole scoring scheme: levels, grades, indicators, class weights, size rules."""

    version: str
    levels: tuple[Level, ...]
    grades: tuple[GradeBand, ...]
    indicators: Mapping[str, IndicatorSpec]
    groups: Mapping[str, tuple[str, str]]  # code → (zh, en)
    classes: Mapping[str, ClassScheme]
    size_default: SizeRule
    size_by_section: Mapping[str, SizeRule] = field(default_factory=dict)
    revenue_item: str = "operating_revenue"
    annualise_revenue: bool = True
    min_coverage_pct: float = 50.0
    fallback_class: str = "commercial_2"

    @property
    def directions(self) -> dict[str, str]:
        """indicator code → ``higher``/``lower``: the ``directions`` an import checks with."""
        return {code: spec.direction for code, spec in self.indicators.items()}

    @property
    def coefficients(self) -> tuple[float, ...]:
        return tuple(level.coefficient for level in self.levels)

    def size_rule(self, industry_code: str) -> SizeRule:
        return self.size_by_section.get(industry_code[:1], self.size_default)


def _need(doc: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in doc:
        raise SchemeError(f"评价方案缺少 {where}.{key}", f"Scheme lacks {where}.{key}")
    return doc[key]


def _size_rule(doc: Mapping[str, Any], where: str) -> SizeRule:
    rule = SizeRule(float(_need(doc, "large_min", where)), float(_need(doc, "medium_min", where)))
    if not 0 <= rule.medium_min <= rule.large_min:
        raise SchemeError(
            f"评价方案 {where}：中型门槛应不高于大型门槛", f"Scheme {where}: medium_min > large_min"
        )
    return rule


def _parse(doc: Mapping[str, Any]) -> Scheme:
    levels = tuple(
        Level(str(d["code"]), str(d["label_zh"]), str(d["label_en"]), float(d["coefficient"]))
        for d in _need(doc, "levels", "scheme")
    )
    if tuple(level.code for level in levels) != LEVEL_CODES:
        raise SchemeError(
            f"评价方案的档次应为 {'、'.join(LEVEL_CODES)}（由优到差）",
            f"Scheme levels must be {', '.join(LEVEL_CODES)} (best first)",
        )
    coefs = [level.coefficient for level in levels]
    if any(a <= b for a, b in pairwise(coefs)) or coefs[-1] < 0:
        raise SchemeError("档次系数应由高到低递减", "Level coefficients must strictly decrease")
    grades = tuple(
        GradeBand(str(d["code"]), str(d["label_zh"]), str(d["label_en"]), float(d["min_score"]))
        for d in _need(doc, "grades", "scheme")
    )
    if not grades or any(a.min_score <= b.min_score for a, b in pairwise(grades)):
        raise SchemeError(
            "等级应按最低分由高到低排列", "Grades must be ordered by min_score, high first"
        )
    groups = {k: (str(v["label_zh"]), str(v["label_en"])) for k, v in doc.get("groups", {}).items()}
    indicators: dict[str, IndicatorSpec] = {}
    for code, d in _need(doc, "indicators", "scheme").items():
        spec = IndicatorSpec(
            code=code,
            group=str(_need(d, "group", f"indicators.{code}")),
            name_zh=str(d.get("name_zh", code)),
            name_en=str(d.get("name_en", code)),
            direction=str(_need(d, "direction", f"indicators.{code}")),
            caliber=str(d.get("caliber", "default")),
            annualise=bool(d.get("annualise", False)),
        )
        if spec.direction not in DIRECTIONS or spec.group not in groups:
            raise SchemeError(
                f"指标 {code} 的方向或分组无效", f"Indicator {code}: bad direction or group"
            )
        indicators[code] = spec
    classes: dict[str, ClassScheme] = {}
    for code, d in _need(doc, "classes", "scheme").items():
        weights = {k: float(v) for k, v in _need(d, "weights", f"classes.{code}").items()}
        unknown = sorted(set(weights) - set(indicators))
        if unknown:
            raise SchemeError(
                f"类别 {code} 的权重引用了未定义的指标 {', '.join(unknown)}",
                f"Class {code} weights name undefined indicators {', '.join(unknown)}",
            )
        total = sum(weights.values())
        if abs(total - 100.0) > 1e-6 or any(w <= 0 for w in weights.values()):
            raise SchemeError(
                f"类别 {code} 的权重之和为 {total:g}，应为 100（且每项为正）",
                f"Class {code} weights sum to {total:g}; they must be positive and sum to 100",
            )
        classes[code] = ClassScheme(
            code, str(d.get("label_zh", code)), str(d.get("label_en", code)), weights
        )
    size = _need(doc, "size", "scheme")
    fallback = str(doc.get("fallback_class", "commercial_2"))
    if fallback not in classes:
        raise SchemeError(
            f"fallback_class {fallback} 不是已定义的类别", f"fallback_class {fallback} undefined"
        )
    return Scheme(
        version=str(doc.get("version", "")),
        levels=levels,
        grades=grades,
        indicators=indicators,
        groups=groups,
        classes=classes,
        size_default=_size_rule(size, "size"),
        size_by_section={
            letter.upper(): _size_rule(rule, f"size.by_section.{letter}")
            for letter, rule in size.get("by_section", {}).items()
        },
        revenue_item=str(size.get("revenue_item", "operating_revenue")),
        annualise_revenue=bool(size.get("annualise", True)),
        min_coverage_pct=float(doc.get("min_coverage_pct", 50.0)),
        fallback_class=fallback,
    )


def load_scheme(path: Path | None = None) -> Scheme:
    """The scheme in ``path`` (a deployment's own TOML), or the built-in ``scheme.toml``."""
    if path is None:
        text = resources.files(__package__).joinpath("scheme.toml").read_text(encoding="utf-8")
        label = "scheme.toml"
    else:
        text = path.read_text(encoding="utf-8")
        label = path.name
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SchemeError(
            f"{label} 不是有效的 TOML：{exc}", f"{label} is not valid TOML: {exc}"
        ) from exc
    try:
        return _parse(doc)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SchemeError(
            f"{label} 结构无效：{exc!r}", f"{label} has an invalid structure: {exc!r}"
        ) from exc


def _reaches(actual: float, standard: float, direction: str) -> bool:
    return actual >= standard if direction == "higher" else actual <= standard


def is_monotonic(values: Sequence[float], direction: str) -> bool:
    """Best-first values never get better from one level to the next (ties allowed):
    non-increasing when higher is better, non-decreasing when lower is better."""
    pairs = pairwise(values)
    if direction == "higher":
        return all(a >= b for a, b in pairs)
    return all(a <= b for a, b in pairs)


def band_of(actual: float, standards: Sequence[float], direction: str) -> str:
    """The best level ``actual`` reaches (``excellent`` … ``poor``), or ``below_poor``."""
    for code, standard in zip(LEVEL_CODES, standards, strict=True):
        if _reaches(actual, standard, direction):
            return code
    return BELOW_POOR


def coefficient_of(
    actual: float,
    standards: Sequence[float],
    direction: str,
    coefficients: Sequence[float] = (1.0, 0.8, 0.6, 0.4, 0.2),
) -> float:
    """The 功效系数 (0 … 1) of ``actual`` against the five best-first ``standards``.

    《中央企业综合绩效评价实施细则》功效系数法: the coefficient of the band's own level plus the
    interpolated share of the step to the next better level; 1 at or beyond 优秀, 0 short of
    较差. Reaching level *i* but not *i − 1* implies ``standards[i] != standards[i − 1]``, so
    the division is always defined.
    """
    for i, standard in enumerate(standards):
        if not _reaches(actual, standard, direction):
            continue
        if i == 0:
            return coefficients[0]
        better = standards[i - 1]
        share = (actual - standard) / (better - standard)
        return coefficients[i] + share * (coefficients[i - 1] - coefficients[i])
    return 0.0


@dataclass(frozen=True)
class Weighted:
    """One indicator's weight and score (``score`` None = excluded)."""

    weight: float
    score: float | None


def renormalised_total(items: Iterable[Weighted]) -> tuple[float | None, float]:
    """Σ scores × 100 / Σ weights of the included indicators, and the included weight share
    (% of the class total). Excluded indicators drop out and the rest are scaled up to 100."""
    items = list(items)
    total_weight = sum(i.weight for i in items)
    included = [i for i in items if i.score is not None]
    kept_weight = sum(i.weight for i in included)
    coverage = 100.0 * kept_weight / total_weight if total_weight else 0.0
    if not kept_weight:
        return None, coverage
    return sum(i.score or 0.0 for i in included) * 100.0 / kept_weight, coverage


def grade_for(total: float, grades: Sequence[GradeBand]) -> GradeBand:
    """The first (highest) grade band whose minimum ``total`` reaches; the last otherwise."""
    for band in grades:
        if total >= band.min_score - 1e-9:
            return band
    return grades[-1]


def rank(scores: Mapping[int, float | None]) -> dict[int, int]:
    """Competition ranks (1, 2, 2, 4) by score, highest first; None scores are not ranked.
    Ties compare at 1e-9 so floating noise does not split them."""
    ordered = sorted(
        ((key, value) for key, value in scores.items() if value is not None),
        key=lambda kv: (-kv[1], kv[0]),
    )
    ranks: dict[int, int] = {}
    previous: float | None = None
    current = 0
    for position, (key, value) in enumerate(ordered, start=1):
        if previous is None or abs(value - previous) > 1e-9:
            current = position
            previous = value
        ranks[key] = current
    return ranks
