"""What crosses the evaluation package's boundary: import results, standard-value rows and
editions, per-enterprise evaluation results and an enterprise's placement on the scale."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = [
    "BenchmarkImport",
    "BenchmarkRecord",
    "EditionSummary",
    "EnterpriseEvaluation",
    "GroupScore",
    "IndicatorScore",
    "Placement",
    "StandardValues",
]


class StandardValues(BaseModel):
    """The five levels of one indicator as matched for an enterprise, and the row's key."""

    model_config = ConfigDict(frozen=True)

    edition: int
    industry_code: str  # the matched GB/T 4754 prefix, or ALL
    size_class: str  # the matched size class (all when no size-specific row exists)
    excellent: float
    good: float
    average: float
    low: float
    poor: float
    fictitious: bool = False

    def levels(self) -> tuple[float, float, float, float, float]:
        """Best first: 优秀, 良好, 平均, 较低, 较差."""
        return (self.excellent, self.good, self.average, self.low, self.poor)


class BenchmarkRecord(BaseModel):
    """One validated row of a standard-value file, ready to store."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    edition: int
    industry_code: str
    size_class: str
    indicator_code: str
    excellent: float
    good: float
    average: float
    low: float
    poor: float


class BenchmarkImport(BaseModel):
    """What an accepted import wrote."""

    file: str
    editions: list[int]
    rows: int
    replaced: int  # rows of those editions that were there before and are now gone
    fictitious: bool
    inbox_sha256: str | None = None
    problems: list[dict[str, Any]] = []  # warnings only (errors reject the import)


class EditionSummary(BaseModel):
    edition: int
    rows: int
    industries: int
    indicators: int
    fictitious: bool
    source: str
    imported_by: str


class IndicatorScore(BaseModel):
    """One indicator of one enterprise's evaluation."""

    code: str
    name_zh: str
    name_en: str
    group: str
    direction: str
    weight: float
    value: float | None
    raw_value: float | None  # as stored in the lake, before any annualisation
    unit: str | None
    band: str | None  # excellent | good | average | low | poor | below_poor
    coefficient: float | None
    score: float | None  # weight × coefficient; None when excluded
    standard: StandardValues | None
    excluded: bool
    reason_zh: str | None = None
    reason_en: str | None = None


class GroupScore(BaseModel):
    code: str
    label_zh: str
    label_en: str
    weight: float  # the group's share of the class weights (before renormalisation)
    score: float  # sum of its included indicators' scores (before renormalisation)


class EnterpriseEvaluation(BaseModel):
    """One enterprise's result for a period and level."""

    enterprise_id: int
    uscc: str
    name_zh: str
    supervision_class: str
    class_source: str  # own | inherited | fallback
    industry_code: str
    size_class: str
    revenue: float | None  # annual operating revenue used for the size class (元)
    total_score: float | None
    coverage_pct: float
    grade: str | None
    grade_zh: str | None
    rank: int | None  # within supervision_class, among the enterprises evaluated together
    ranked_in_class: int
    reason_zh: str | None = None
    reason_en: str | None = None
    groups: list[GroupScore]
    indicators: list[IndicatorScore]


class Placement(BaseModel):
    """An enterprise's indicator against its five standard values (for the enterprise page)."""

    code: str
    name_zh: str
    name_en: str
    group: str
    direction: str
    value: float | None
    unit: str | None
    status: str  # ok | not_computable | missing
    reason: str | None
    band: str | None
    standard: StandardValues | None
