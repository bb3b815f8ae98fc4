"""企业绩效评价: five-level standard values (标准值) by industry and size, a configurable
功效系数 scoring scheme (``scheme.toml``), and per-class scores, grades and rankings.

Standard values are imported from xlsx/CSV all-or-nothing (``import_benchmarks``); an
enterprise's indicators, read from ``supervision.indicator_values`` through the engine within
the caller's scope, are placed on that scale (``place_on_scale``) and scored
(``evaluate``).
"""

from .errors import RULES, NoIndicatorValues, SchemeError, UnknownBenchmarkFile
from .schemas import (
    BenchmarkImport,
    BenchmarkRecord,
    EditionSummary,
    EnterpriseEvaluation,
    GroupScore,
    IndicatorScore,
    Placement,
    StandardValues,
)
from .scoring import (
    BELOW_POOR,
    LEVEL_CODES,
    SIZE_CLASSES,
    ClassScheme,
    GradeBand,
    IndicatorSpec,
    Scheme,
    band_of,
    coefficient_of,
    grade_for,
    load_scheme,
    rank,
    renormalised_total,
)
from .service import EVALUATED_LEVELS, evaluate, place_on_scale
from .standard_values import (
    ALL_INDUSTRIES,
    StandardIndex,
    choose_edition,
    import_benchmarks,
    list_benchmarks,
    list_editions,
    load_index,
)

__all__ = [
    "ALL_INDUSTRIES",
    "BELOW_POOR",
    "EVALUATED_LEVELS",
    "LEVEL_CODES",
    "RULES",
    "SIZE_CLASSES",
    "BenchmarkImport",
    "BenchmarkRecord",
    "ClassScheme",
    "EditionSummary",
    "EnterpriseEvaluation",
    "GradeBand",
    "GroupScore",
    "IndicatorScore",
    "IndicatorSpec",
    "NoIndicatorValues",
    "Placement",
    "Scheme",
    "SchemeError",
    "StandardIndex",
    "StandardValues",
    "UnknownBenchmarkFile",
    "band_of",
    "choose_edition",
    "coefficient_of",
    "evaluate",
    "grade_for",
    "import_benchmarks",
    "list_benchmarks",
    "list_editions",
    "load_index",
    "load_scheme",
    "place_on_scale",
    "rank",
    "renormalised_total",
]
