"""The flash-report (财务快报) item dictionary and its dimensions, versioned by year.

The items are data (``items.csv``, one row per item with ``from_year``/``to_year``), not code:
a new regime adds rows, it does not edit functions. Dimensions follow the fact model in
``shared/domain/supervision.md``: entity × period × item × caliber × scope × report type.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

__all__ = [
    "CALIBERS",
    "KIND_CALIBERS",
    "REPORT_TYPES",
    "SCOPES",
    "UNITS",
    "Item",
    "all_items",
    "items_for_year",
    "label_to_code",
]

ItemKind = Literal["flow", "balance", "average"]

# caliber code -> (zh, en); glossary: 本月/本年累计/上年同期累计/期末余额/年初余额
CALIBERS: dict[str, tuple[str, str]] = {
    "month": ("本月", "This month"),
    "ytd": ("本年累计", "Year to date"),
    "ytd_prior_year": ("上年同期累计", "Same period last year (YTD)"),
    "closing": ("期末余额", "Closing balance"),
    "opening": ("年初余额", "Opening balance (start of year)"),
}
# Which calibers an item of each kind may carry: flows accumulate over the year, balances
# are stocks at a date, averages (headcount) are YTD averages and never summed.
KIND_CALIBERS: dict[str, tuple[str, ...]] = {
    "flow": ("month", "ytd", "ytd_prior_year"),
    "balance": ("closing", "opening"),
    "average": ("ytd", "ytd_prior_year"),
}
SCOPES: dict[str, tuple[str, str]] = {
    "total": ("合计", "Total"),
    "domestic": ("境内", "Domestic"),
    "overseas": ("境外", "Overseas"),
}
REPORT_TYPES: dict[str, tuple[str, str]] = {
    "single": ("单户", "Single entity"),
    "consolidated": ("合并", "Consolidated"),
    "aggregated": ("汇总", "Aggregated"),
}
# Declared money unit -> factor to 元 (values are stored in 元).
UNITS: dict[str, float] = {"yuan": 1.0, "10k_yuan": 10_000.0}
UNIT_LABELS: dict[str, tuple[str, str]] = {"yuan": ("元", "yuan"), "10k_yuan": ("万元", "10k yuan")}


@dataclass(frozen=True)
class Item:
    """One line of the flash report."""

    code: str
    name_zh: str
    name_en: str
    block: str
    kind: ItemKind
    unit_kind: Literal["money", "headcount"]
    parent: str | None
    nonneg: bool
    required: bool
    from_year: int
    to_year: int | None

    @property
    def calibers(self) -> tuple[str, ...]:
        return KIND_CALIBERS[self.kind]

    def valid_in(self, year: int) -> bool:
        return self.from_year <= year and (self.to_year is None or year <= self.to_year)


@cache
def _all_items() -> tuple[Item, ...]:
    text = resources.files(__package__).joinpath("items.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines())
    return tuple(
        Item(
            code=r["code"],
            name_zh=r["name_zh"],
            name_en=r["name_en"],
            block=r["block"],
            kind=r["kind"],  # type: ignore[arg-type]
            unit_kind=r["unit_kind"],  # type: ignore[arg-type]
            parent=r["parent"] or None,
            nonneg=r["nonneg"] == "1",
            required=r["required"] == "1",
            from_year=int(r["from_year"]),
            to_year=int(r["to_year"]) if r["to_year"] else None,
        )
        for r in rows
    )


def all_items() -> tuple[Item, ...]:
    """Every item of every year (for names in messages)."""
    return _all_items()


@cache
def items_for_year(year: int) -> dict[str, Item]:
    """The item dictionary in force in ``year``, by code, in report order."""
    return {i.code: i for i in _all_items() if i.valid_in(year)}


@cache
def label_to_code() -> dict[str, dict[str, str]]:
    """Accepted spellings (code, zh, en, any case) of each dimension value -> its code."""
    out: dict[str, dict[str, str]] = {}
    for dim, table in (
        ("caliber", CALIBERS),
        ("scope", SCOPES),
        ("report_type", REPORT_TYPES),
        ("unit", UNIT_LABELS),
    ):
        mapping: dict[str, str] = {}
        for code, (zh, en) in table.items():
            for spelling in (code, zh, en, en.lower()):
                mapping[spelling] = code
        out[dim] = mapping
    out["unit"].update({"万": "10k_yuan", "人民币元": "yuan", "RMB": "yuan", "CNY": "yuan"})
    return out
