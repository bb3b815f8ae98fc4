"""The indicator library (指标库) and its computation.

Definitions are data (``library.toml`` plus analysts' versions in the metadata DB), checked
as a whole before use (:class:`Library`); computation is one SQL statement through
``datacenter.engine`` at four levels (entity, group, subtree, portfolio), published as the
lake dataset ``supervision.indicator_values``.
"""

from zhiguo.supervision.indicators.compute import (
    STATUS_REASONS,
    TreeTables,
    evaluate,
    factor_table,
    indicator_sql,
    to_indicator_rows,
    tree_tables,
)
from zhiguo.supervision.indicators.definitions import (
    EXTRA_INPUTS,
    GROUPS,
    IndicatorSet,
    IndicatorSpec,
    input_kinds,
)
from zhiguo.supervision.indicators.errors import FormulaError, LibraryError
from zhiguo.supervision.indicators.formula import UNITS, compile_formula
from zhiguo.supervision.indicators.library import (
    CompiledIndicator,
    Library,
    builtin_library,
    parse_definitions,
)
from zhiguo.supervision.indicators.service import (
    ComputeResult,
    add_definitions,
    compute_indicators,
    load_definitions_file,
    load_library,
    read_indicator_values,
)

__all__ = [
    "EXTRA_INPUTS",
    "GROUPS",
    "STATUS_REASONS",
    "UNITS",
    "CompiledIndicator",
    "ComputeResult",
    "FormulaError",
    "IndicatorSet",
    "IndicatorSpec",
    "Library",
    "LibraryError",
    "TreeTables",
    "add_definitions",
    "builtin_library",
    "compile_formula",
    "compute_indicators",
    "evaluate",
    "factor_table",
    "indicator_sql",
    "input_kinds",
    "load_definitions_file",
    "load_library",
    "parse_definitions",
    "read_indicator_values",
    "to_indicator_rows",
    "tree_tables",
]
