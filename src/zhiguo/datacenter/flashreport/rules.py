"""The flash report's preset audit rules as data (``rules.toml`` plus subtotal rules derived
from the item dictionary's ``parent`` column), versioned by year."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from zhiguo.datacenter.flashreport.items import items_for_year

__all__ = ["AuditRule", "rules_for_year"]


@dataclass(frozen=True)
class AuditRule:
    """``lhs op Σ sign·rhs`` on one report and caliber. ``~`` = within ``tolerance_pct``."""

    id: str
    lhs: str
    op: Literal["=", ">=", "~"]
    rhs: tuple[tuple[int, str], ...]  # (sign, item code)
    calibers: tuple[str, ...]
    severity: Literal["error", "warning"]
    from_year: int
    tolerance_pct: float = 0.0

    @property
    def items(self) -> tuple[str, ...]:
        return (self.lhs, *(code for _, code in self.rhs))

    def formula(self, names: dict[str, str]) -> str:
        """Human form, e.g. ``资产总计 = 负债合计 + 所有者权益合计``."""
        parts = []
        for i, (sign, code) in enumerate(self.rhs):
            name = names.get(code, code)
            parts.append((("− " if sign < 0 else "+ ") if i else ("−" if sign < 0 else "")) + name)
        op = {"=": "=", ">=": "≥", "~": "≈"}[self.op]
        return f"{names.get(self.lhs, self.lhs)} {op} {' '.join(parts)}"


def _signed(code: str) -> tuple[int, str]:
    return (-1, code[1:]) if code.startswith("-") else (1, code)


@cache
def _declared() -> tuple[AuditRule, ...]:
    text = resources.files(__package__).joinpath("rules.toml").read_text(encoding="utf-8")
    return tuple(
        AuditRule(
            id=r["id"],
            lhs=r["lhs"],
            op=r["op"],
            rhs=tuple(_signed(c) for c in r["rhs"]),
            calibers=tuple(r["calibers"]),
            severity=r["severity"],
            from_year=int(r["from_year"]),
            tolerance_pct=float(r.get("tolerance_pct", 0)),
        )
        for r in tomllib.loads(text)["rule"]
    )


@cache
def rules_for_year(year: int) -> tuple[AuditRule, ...]:
    """Declared rules in force in ``year`` plus one subtotal rule per parent item."""
    items = items_for_year(year)
    rules = [r for r in _declared() if r.from_year <= year and all(c in items for c in r.items)]
    children: dict[str, list[str]] = {}
    for item in items.values():
        if item.parent and item.parent in items:
            children.setdefault(item.parent, []).append(item.code)
    for parent, kids in children.items():
        rules.append(
            AuditRule(
                id=f"subtotal.{parent}",
                lhs=parent,
                op=">=",
                rhs=tuple((1, k) for k in kids),
                calibers=items[parent].calibers,
                severity="error",
                from_year=items[parent].from_year,
            )
        )
    return tuple(rules)
