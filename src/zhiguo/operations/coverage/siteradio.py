"""What each kind of SOE site radiates: scenario and transmit power by site type.

One place for the rule "a smart pole is a UMi small cell, a rooftop is a UMa macro", shared
by the coverage run and the site-selection matrix so both predict the same thing.

Powers follow radio.md §3.2: a macro AAU at 200 W per 100 MHz carrier (53 dBm); smart-pole
units are TS 38.104 Medium Range class (≤ 38 dBm per connector; we take 38 dBm total with
a smaller antenna). Indoor venues are not part of the outdoor raster (TR 38.901 InH is an
indoor model): they get no outdoor prediction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from zhiguo.operations.coverage.kernel import Sites
from zhiguo.operations.radio.bands import Band
from zhiguo.operations.radio.linkbudget import LinkBudget

__all__ = ["OUTDOOR_TYPES", "RADIO_BY_TYPE", "SiteLike", "SiteRadio", "eirp_dbm", "kernel_sites"]


@dataclass(frozen=True)
class SiteRadio:
    scenario: str  # TR 38.901 Table 7.4.1-1 scenario used for the site's links
    tx_power_dbm: float  # per carrier
    antenna_gain_dbi: float


RADIO_BY_TYPE: dict[str, SiteRadio] = {
    "rooftop": SiteRadio("UMa", 53.0, 8.0),
    "tower": SiteRadio("UMa", 53.0, 8.0),
    "hub": SiteRadio("UMa", 50.0, 8.0),
    "park": SiteRadio("UMa", 50.0, 8.0),
    "smart_pole": SiteRadio("UMi", 38.0, 5.0),
}
"""Outdoor site types; ``indoor`` is absent on purpose (no outdoor prediction)."""

OUTDOOR_TYPES = frozenset(RADIO_BY_TYPE)


class SiteLike(Protocol):
    @property
    def x_m(self) -> float: ...
    @property
    def y_m(self) -> float: ...
    @property
    def height_m(self) -> float: ...
    @property
    def site_type(self) -> str: ...


def eirp_dbm(site_type: str, band: Band) -> float:
    """Per-RE EIRP towards the user (UE-side gains and losses folded in) for a site type."""
    radio = RADIO_BY_TYPE[site_type]
    budget = LinkBudget(
        band, tx_power_dbm=radio.tx_power_dbm, antenna_gain_dbi=radio.antenna_gain_dbi, pattern=None
    )
    return budget.rsrp_at(0.0)


def kernel_sites(sites: Sequence[SiteLike], band: Band) -> Sites:
    """The kernel's view of outdoor sites, in the given order (callers drop indoor ones first;
    a ``KeyError`` names an unexpected type)."""
    eirp = {t: eirp_dbm(t, band) for t in RADIO_BY_TYPE}
    return Sites.build(
        x=np.array([s.x_m for s in sites], dtype=float),
        y=np.array([s.y_m for s in sites], dtype=float),
        height_m=np.array([s.height_m for s in sites], dtype=float),
        eirp_dbm=np.array([eirp[s.site_type] for s in sites], dtype=float),
        scenario=tuple(RADIO_BY_TYPE[s.site_type].scenario for s in sites),
    )
