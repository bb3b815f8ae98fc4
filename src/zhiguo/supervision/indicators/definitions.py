"""What an indicator definition is (pydantic), and the inputs a formula may read.

An analyst's file or API body is parsed into :class:`IndicatorSpec`; unknown fields are
rejected (a typo such as ``fromula`` must not silently drop a formula).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from zhiguo.datacenter.flashreport import all_items
from zhiguo.supervision.indicators.formula import UNITS, Dim

__all__ = [
    "EXTRA_INPUTS",
    "GROUPS",
    "IndicatorSet",
    "IndicatorSpec",
    "SetEdition",
    "input_kinds",
]

GROUPS: dict[str, tuple[str, str]] = {
    "yili_wulv": ("一利五率", "One profit, five ratios"),
    "profitability": ("盈利能力", "Profitability"),
    "asset_quality": ("资产质量", "Asset quality"),
    "debt_risk": ("债务风险", "Debt risk"),
    "growth": ("经营增长", "Growth"),
    "supplementary": ("补充指标", "Supplementary"),
    "risk": ("风险监测", "Risk monitoring"),
    "custom": ("自定义", "Custom"),
}

EXTRA_INPUTS: dict[str, tuple[str, Dim, tuple[str, ...], str, str]] = {
    "objective_increase": ("flow", (1, 0), ("ytd",), "客观增加因素", "Objective increases"),
    "objective_decrease": ("flow", (1, 0), ("ytd",), "客观减少因素", "Objective decreases"),
    "reporting_entities": ("count", (0, 0), ("count",), "报送户数", "Reporting entities"),
    "loss_entities": ("count", (0, 0), ("count",), "亏损户数", "Loss-making entities"),
    "loss_amount": ("flow", (1, 0), ("ytd",), "亏损额", "Losses of loss-making entities"),
}
"""Inputs that are not flash-report items: the objective-factor ledger (year to date) and
counts over the level's single-entity reports (亏损面 needs them)."""


def input_kinds() -> dict[str, tuple[str, Dim, tuple[str, ...]]]:
    """Every name a formula may read with its kind, dimension and allowed calibers."""
    out: dict[str, tuple[str, Dim, tuple[str, ...]]] = {}
    for item in all_items():
        dim: Dim = (1, 0) if item.unit_kind == "money" else (0, 1)
        out[item.code] = (item.kind, dim, item.calibers)
    for code, (kind, dim, calibers, _zh, _en) in EXTRA_INPUTS.items():
        out[code] = (kind, dim, calibers)
    return out


class IndicatorSpec(BaseModel):
    """One indicator: names, unit, direction, period basis and a formula per caliber."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,62}$")
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    group: str = "custom"
    unit: str
    direction: Literal["higher", "lower"] = "higher"
    period_basis: Literal["month", "ytd", "annualised", "balance", "yoy"] = "ytd"
    aggregation: Literal["ratio_of_sums"] = "ratio_of_sums"
    calibers: dict[str, str] = Field(default_factory=dict)
    formula: str | None = None
    default_caliber: str = "default"
    from_year: int = 2015
    to_year: int | None = None
    description: str = ""

    @model_validator(mode="after")
    def _one_formula_form(self) -> IndicatorSpec:
        if self.formula is not None:
            if self.calibers:
                raise ValueError("give either formula or calibers, not both")
            object.__setattr__(self, "calibers", {"default": self.formula})
            object.__setattr__(self, "formula", None)
        if not self.calibers:
            raise ValueError("an indicator needs a formula")
        if self.default_caliber not in self.calibers:
            raise ValueError(
                f"default_caliber {self.default_caliber!r} is not one of {sorted(self.calibers)}"
            )
        if self.unit not in UNITS:
            raise ValueError(f"unit {self.unit!r} is not one of {', '.join(UNITS)}")
        if self.group not in GROUPS:
            raise ValueError(f"group {self.group!r} is not one of {', '.join(GROUPS)}")
        for name in self.calibers:
            if not name.replace("_", "").isalnum() or not name[:1].isalpha():
                raise ValueError(f"caliber name {name!r} must be a lower-case identifier")
        return self

    def valid_in(self, year: int) -> bool:
        return self.from_year <= year and (self.to_year is None or year <= self.to_year)


class SetEdition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    from_year: int
    to_year: int | None = None
    indicators: tuple[str, ...]


class IndicatorSet(BaseModel):
    """A named list of indicators that changes by year (一利五率 2023–24 vs 2025–)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    name_zh: str
    name_en: str
    editions: tuple[SetEdition, ...]

    def for_year(self, year: int) -> tuple[str, ...]:
        for edition in self.editions:
            if edition.from_year <= year and (edition.to_year is None or year <= edition.to_year):
                return edition.indicators
        return ()
