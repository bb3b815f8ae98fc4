"""What choosing a site costs, and which sites a plan must or must not take.

A candidate's cost is its rent for the planning horizon plus the equipment for its type
(a macro AAU on a rooftop costs more than a smart-pole small cell). Where another carrier is
already on site, the tower company's sharing rules (铁塔共享) apply and the new tenant pays a
discounted share — ``sharing_discount`` off the whole. Sites already in service carry the
network today: they are *pinned* (in every plan, at no cost). Sites that are unavailable,
reserved or leased to someone else, whose restrictions forbid the work, or that the user
excludes are *excluded* (never chosen).

The figures are planning defaults in CNY, not tariffs: a deployment passes its own
:class:`CostModel`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Protocol

import numpy as np
import numpy.typing as npt

__all__ = ["EXCLUDED_STATUSES", "PINNED_STATUS", "CandidateLike", "CostModel", "site_costs"]

PINNED_STATUS = "in_service"
EXCLUDED_STATUSES = frozenset({"unavailable", "reserved", "leased"})

_EQUIPMENT_CNY: Mapping[str, float] = MappingProxyType(
    {
        "rooftop": 250_000.0,
        "tower": 220_000.0,
        "hub": 200_000.0,
        "park": 200_000.0,
        "smart_pole": 60_000.0,
        "indoor": 80_000.0,
    }
)
_RENT_CNY_YEAR: Mapping[str, float] = MappingProxyType(
    {
        "rooftop": 30_000.0,
        "tower": 40_000.0,
        "hub": 25_000.0,
        "park": 20_000.0,
        "smart_pole": 6_000.0,
        "indoor": 15_000.0,
    }
)
_FORBIDDING_WORDS = ("禁止", "不得", "prohibit", "forbid", "not allowed")


class CandidateLike(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def site_type(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def carriers(self) -> str: ...
    @property
    def rent_cny_year(self) -> Decimal | float | None: ...
    @property
    def restrictions(self) -> str: ...


@dataclass(frozen=True)
class CostModel:
    """Planning cost parameters. ``rent_years`` is the horizon the rent is counted over;
    a site's own ``rent_cny_year`` wins over the type default; ``carrier`` is the carrier
    the plan is for (its own presence on a site is not "another carrier")."""

    equipment_cny: Mapping[str, float] = field(default_factory=lambda: _EQUIPMENT_CNY)
    default_rent_cny_year: Mapping[str, float] = field(default_factory=lambda: _RENT_CNY_YEAR)
    rent_years: float = 1.0
    sharing_discount: float = 0.3
    carrier: str | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.sharing_discount < 1.0 or self.rent_years < 0:
            raise ValueError("sharing_discount must be in [0, 1) and rent_years ≥ 0")

    def shared(self, site: CandidateLike) -> bool:
        on_site = {c.strip().lower() for c in (site.carriers or "").split(",") if c.strip()}
        on_site.discard((self.carrier or "").lower())
        return bool(on_site)

    def cost(self, site: CandidateLike) -> float:
        rent = site.rent_cny_year
        annual = (
            float(rent) if rent is not None else self.default_rent_cny_year.get(site.site_type, 0.0)
        )
        total = annual * self.rent_years + self.equipment_cny.get(site.site_type, 0.0)
        if self.shared(site):
            total *= 1.0 - self.sharing_discount
        return round(total, 2)


def _forbidden(restrictions: str) -> bool:
    text = (restrictions or "").lower()
    return any(w in text for w in _FORBIDDING_WORDS)


def site_costs(
    sites: Sequence[CandidateLike],
    model: CostModel | None = None,
    *,
    exclude_codes: Collection[str] = (),
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Per site: cost (0 for pinned ones), pinned (in service) and excluded flags."""
    model = model or CostModel()
    excluded_codes = set(exclude_codes)
    pinned = np.array([s.status == PINNED_STATUS for s in sites], dtype=np.bool_)
    excluded = np.array(
        [
            s.code in excluded_codes or s.status in EXCLUDED_STATUSES or _forbidden(s.restrictions)
            for s in sites
        ],
        dtype=np.bool_,
    )
    excluded &= ~pinned  # a site in service stays in the network whatever the list says
    cost = np.array([0.0 if p else model.cost(s) for s, p in zip(sites, pinned, strict=True)])
    return cost.astype(np.float64), pinned, excluded
