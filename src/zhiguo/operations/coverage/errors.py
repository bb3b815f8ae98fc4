"""Coverage-run errors, in zh and en, with stable codes.

::

    InputError                 ZG-INPUT-001 (core)
    └── CoverageError          ZG-COV-001 a coverage-run parameter is unusable
    NotFound                   ZG-NF-001 (core)
    └── NoCoverageRun          ZG-COV-002 no such coverage run (or none yet for a band)
"""

from __future__ import annotations

from zhiguo.core.errors import InputError, Location, NotFound

__all__ = ["CoverageError", "NoCoverageRun"]


class CoverageError(InputError):
    code = "ZG-COV-001"
    title_zh = "覆盖计算参数无效"
    title_en = "Invalid coverage-run parameter"

    @classmethod
    def param(cls, name: str, value: float, low: float, high: float, unit: str) -> CoverageError:
        return cls(
            f"参数 {name} = {value:g} {unit} 超出范围 [{low:g}, {high:g}] {unit}",
            f"parameter {name} = {value:g} {unit} is outside [{low:g}, {high:g}] {unit}",
            location=Location(field=name),
        )


class NoCoverageRun(NotFound):
    code = "ZG-COV-002"
    title_zh = "没有该覆盖计算结果"
    title_en = "No such coverage run"
    may_hide_scope = False  # whole-portfolio data for regulators: absence is an answer
