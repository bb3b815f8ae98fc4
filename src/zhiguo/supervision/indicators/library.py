"""The indicator library: the built-in file plus what analysts added, checked as a whole.

Loading compiles every formula of every caliber, so a library that loads is a library that
runs: unknown items or calibers, mixed units, unknown or circular indicator references and a
unit that does not match the formula's dimension are all refused here, with the definition
named. Each compiled formula has a digest; a computed value records it, so the definition a
number came from can always be found again.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from pydantic import ValidationError

from zhiguo.supervision.indicators.definitions import IndicatorSet, IndicatorSpec, input_kinds
from zhiguo.supervision.indicators.errors import FormulaError, LibraryError
from zhiguo.supervision.indicators.formula import UNITS, Compiled, InputRef, compile_formula

__all__ = [
    "CompiledIndicator",
    "Library",
    "builtin_library",
    "parse_definitions",
]


@dataclass(frozen=True)
class CompiledIndicator:
    """One caliber of one indicator, ready for the engine."""

    spec: IndicatorSpec
    caliber: str
    formula: str
    value_sql: str
    status_sql: str
    inputs: tuple[InputRef, ...]
    denominators: tuple[str, ...]
    digest: str

    @property
    def code(self) -> str:
        return self.spec.code

    @property
    def key(self) -> str:
        """A column-safe name for this indicator × caliber."""
        return f"{self.spec.code}__{self.caliber}"


class Library:
    """A checked set of indicator definitions and named indicator sets."""

    def __init__(
        self,
        specs: Iterable[IndicatorSpec],
        sets: Mapping[str, IndicatorSet],
        *,
        version: str,
        sources: Mapping[str, str] | None = None,
    ) -> None:
        self.version = version
        self.specs: dict[str, IndicatorSpec] = {}
        for spec in specs:
            self.specs[spec.code] = spec
        self.sets = dict(sets)
        self.sources = dict(sources or {})  # code -> "builtin" | "file v3" | "api v2"
        self._compiled: dict[tuple[str, str], Compiled] = {}
        self._visiting: list[tuple[str, str]] = []
        self.indicators: dict[tuple[str, str], CompiledIndicator] = {}
        self._inputs = input_kinds()
        for spec in self.specs.values():
            for caliber in spec.calibers:
                self.indicators[(spec.code, caliber)] = self._finish(spec, caliber)
        for name, iset in self.sets.items():
            for edition in iset.editions:
                unknown = [c for c in edition.indicators if c not in self.specs]
                if unknown:
                    raise LibraryError(
                        f"set {name}",
                        f"指标集引用了未知指标：{'、'.join(unknown)}",
                        f"the set refers to unknown indicators: {', '.join(unknown)}",
                    )

    # -- compilation ----------------------------------------------------------------------
    def _raw(self, code: str, caliber: str | None) -> Compiled:
        spec = self.specs.get(code)
        if spec is None:
            raise FormulaError(
                self._visiting[-1][0] if self._visiting else code,
                f"未知的项目或指标 {code}",
                f"unknown item or indicator {code}",
            )
        caliber = caliber or spec.default_caliber
        if caliber not in spec.calibers:
            raise FormulaError(
                self._visiting[-1][0] if self._visiting else code,
                f"指标 {code} 没有口径 {caliber}；可用：{'、'.join(spec.calibers)}",
                f"indicator {code} has no caliber {caliber}; allowed: {', '.join(spec.calibers)}",
            )
        key = (code, caliber)
        if key in self._compiled:
            return self._compiled[key]
        if key in self._visiting:
            cycle = " → ".join(f"{c}.{k}" for c, k in [*self._visiting, key])
            raise FormulaError(
                self._visiting[0][0],
                f"指标之间存在循环引用：{cycle}",
                f"circular reference between indicators: {cycle}",
            )
        self._visiting.append(key)
        try:
            compiled = compile_formula(
                spec.calibers[caliber],
                inputs=self._inputs,
                indicator=self._raw,
                where=f"{code}.{caliber}",
            )
        finally:
            self._visiting.pop()
        self._compiled[key] = compiled
        return compiled

    def _finish(self, spec: IndicatorSpec, caliber: str) -> CompiledIndicator:
        raw = self._raw(spec.code, caliber)
        dim, scale = UNITS[spec.unit]
        if raw.dim != dim:
            raise FormulaError(
                f"{spec.code}.{caliber}",
                f"公式的量纲与单位 {spec.unit} 不符",
                f"the formula's dimension {raw.dim} does not match the unit {spec.unit} {dim}",
            )
        value_sql = raw.sql if scale == 1.0 else f"({raw.sql} * {scale!r})"
        inputs = tuple(sorted(raw.inputs, key=lambda r: (r.item, r.caliber)))
        null_test = " OR ".join(f"{r.item}__{r.caliber} IS NULL" for r in inputs) or "FALSE"
        zero_test = " OR ".join(f"{d} = 0" for d in raw.denominators)
        status_sql = f"CASE WHEN {null_test} THEN 1 " + (
            f"WHEN {zero_test} THEN 2 ELSE 0 END" if zero_test else "ELSE 0 END"
        )
        digest = hashlib.sha256(
            json.dumps([spec.code, caliber, spec.unit, value_sql]).encode()
        ).hexdigest()[:12]
        return CompiledIndicator(
            spec=spec,
            caliber=caliber,
            formula=spec.calibers[caliber],
            value_sql=value_sql,
            status_sql=status_sql,
            inputs=inputs,
            denominators=tuple(raw.denominators),
            digest=digest,
        )

    # -- queries ----------------------------------------------------------------------------
    def for_year(self, year: int) -> list[CompiledIndicator]:
        """Every indicator × caliber valid in ``year``."""
        return [c for c in self.indicators.values() if c.spec.valid_in(year)]

    def get(self, code: str) -> IndicatorSpec:
        from zhiguo.core.errors import NotFound

        try:
            return self.specs[code]
        except KeyError:
            raise NotFound(f"没有指标 {code}", f"No indicator {code}") from None

    def set_for_year(self, name: str, year: int) -> tuple[str, ...]:
        iset = self.sets.get(name)
        return iset.for_year(year) if iset else ()

    def with_specs(self, specs: Iterable[IndicatorSpec], *, source: str) -> Library:
        """A new library with ``specs`` added or replacing same-coded ones (checked whole)."""
        merged = dict(self.specs)
        sources = dict(self.sources)
        for spec in specs:
            merged[spec.code] = spec
            sources[spec.code] = source
        return Library(merged.values(), self.sets, version=self.version, sources=sources)


def parse_definitions(data: Any, *, file: str | None = None) -> list[IndicatorSpec]:
    """Definitions from a parsed TOML/JSON document: ``{"indicators": {code: {...}}}`` or a
    list of objects with ``code``. Every problem is reported with the definition named."""
    raw: list[dict[str, Any]]
    if isinstance(data, dict) and isinstance(data.get("indicators"), dict):
        raw = [{"code": code, **body} for code, body in data["indicators"].items()]
    elif isinstance(data, dict) and isinstance(data.get("indicators"), list):
        raw = list(data["indicators"])
    elif isinstance(data, list):
        raw = list(data)
    else:
        raise LibraryError(
            file or "body",
            "找不到指标定义（应为 [indicators.<代码>] 表或指标对象列表）",
            "no indicator definitions found (expected [indicators.<code>] tables or a list)",
            file=file,
        )
    specs: list[IndicatorSpec] = []
    for i, body in enumerate(raw, start=1):
        where = str(body.get("code") or f"#{i}") if isinstance(body, dict) else f"#{i}"
        try:
            specs.append(IndicatorSpec.model_validate(body))
        except ValidationError as exc:
            detail = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'definition'}: {e['msg']}"
                for e in exc.errors()
            )
            raise LibraryError(
                where, f"定义字段有误：{detail}", f"invalid fields: {detail}", file=file
            ) from None
    return specs


@cache
def builtin_library() -> Library:
    """The library shipped in ``library.toml`` (checked; cached per process)."""
    text = resources.files(__package__).joinpath("library.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    specs = parse_definitions(data, file="library.toml")
    sets = {
        name: IndicatorSet.model_validate({"name": name, **body})
        for name, body in data.get("sets", {}).items()
    }
    return Library(
        specs,
        sets,
        version=str(data["meta"]["version"]),
        sources={s.code: "builtin" for s in specs},
    )
