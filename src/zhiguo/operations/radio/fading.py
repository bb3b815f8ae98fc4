"""Shadow fading (TR 38.901 Table 7.4.1-1 σSF) and outdoor-to-indoor penetration (§7.4.3).

Random parts take an explicit seeded ``numpy.random.Generator``: nothing here draws from a
global state, so a coverage run with the same seed gives the same map.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

from zhiguo.operations.radio.errors import OutOfRange, RadioError
from zhiguo.operations.radio.pathloss import breakpoint_distance_m, get_scenario

__all__ = [
    "O2I_SIGMA_HIGH_DB",
    "O2I_SIGMA_LOW_DB",
    "draw_d2d_in",
    "draw_shadow_fading_db",
    "o2i_high_loss_db",
    "o2i_low_loss_db",
    "o2i_sub6_loss_db",
    "shadow_fading_std_db",
    "shadowing_margin_db",
]

Array = npt.NDArray[np.float64]

O2I_SIGMA_LOW_DB = 4.4  # σP, low-loss model, TR 38.901 Table 7.4.3-2 (a std, not a variance)
O2I_SIGMA_HIGH_DB = 6.5  # σP, high-loss model, TR 38.901 Table 7.4.3-2


def shadow_fading_std_db(
    scenario: str,
    *,
    los: npt.ArrayLike,
    d2d: npt.ArrayLike = 0.0,
    fc_ghz: npt.ArrayLike = 3.5,
    hbs: npt.ArrayLike = 35.0,
    hut: npt.ArrayLike = 1.5,
) -> Array:
    """σSF in dB (Table 7.4.1-1): UMa 4/6, UMi 4/7.82, InH 3/8.03, RMa NLOS 8 and RMa LOS
    4 dB up to dBP, 6 dB beyond (hence d2D, fc, hBS, hUT — used by RMa LOS only)."""
    s = get_scenario(scenario)
    los_a = np.asarray(los, dtype=np.bool_)
    if s.name == "RMa":
        d = np.asarray(d2d, dtype=np.float64)
        d_bp = breakpoint_distance_m("RMa", fc_ghz=fc_ghz, hbs=hbs, hut=hut)
        sigma_los = np.where(d <= d_bp, 4.0, 6.0)
        return np.asarray(np.where(los_a, sigma_los, s.sigma_sf_nlos_db), dtype=np.float64)
    return np.asarray(np.where(los_a, s.sigma_sf_los_db, s.sigma_sf_nlos_db), dtype=np.float64)


def draw_shadow_fading_db(sigma_db: npt.ArrayLike, rng: np.random.Generator) -> Array:
    """Log-normal shadow fading: one N(0, σ²) dB draw per element of ``sigma_db``
    (spatially uncorrelated; the correlation distances of Table 7.5-6 are the caller's)."""
    sigma = np.asarray(sigma_db, dtype=np.float64)
    return np.asarray(rng.standard_normal(sigma.shape) * sigma, dtype=np.float64)


def shadowing_margin_db(sigma_db: float, edge_probability: float) -> float:
    """Margin z_p·σ so that a log-normal shadowed link is above its median with probability
    ``edge_probability`` (e.g. 0.9 at σ = 6 dB → 7.69 dB)."""
    if not 0.0 < edge_probability < 1.0:
        raise OutOfRange("edge_probability", edge_probability, 0.0, 1.0, unit="",
                         source="a probability")  # fmt: skip
    return NormalDist().inv_cdf(edge_probability) * sigma_db


def draw_d2d_in(scenario: str, size: int | tuple[int, ...], rng: np.random.Generator) -> Array:
    """Indoor distance d2D-in (TR 38.901 Table 7.4.3-2 note): the minimum of two independent
    uniform draws on [0, 25] m for UMa and UMi, on [0, 10] m for RMa."""
    s = get_scenario(scenario)
    if s.name == "InH":
        raise RadioError(
            "InH 场景没有室外到室内穿透（d2D-in）", "InH has no outdoor-to-indoor d2D-in"
        )
    top = 10.0 if s.name == "RMa" else 25.0
    a = rng.uniform(0.0, top, size)
    b = rng.uniform(0.0, top, size)
    return np.asarray(np.minimum(a, b), dtype=np.float64)


def _penetration(
    fc_ghz: npt.ArrayLike,
    d2d_in: npt.ArrayLike,
    rng: np.random.Generator | None,
    *,
    glass_share: float,
    glass_db: Array,
    sigma: float,
) -> Array:
    fc = np.asarray(fc_ghz, dtype=np.float64)
    d_in = np.asarray(d2d_in, dtype=np.float64)
    if np.any(fc < 0.5) or np.any(fc > 100.0):
        raise OutOfRange("fc", float(np.ravel(fc)[0]), 0.5, 100.0, unit="GHz",
                         source="TR 38.901 Table 7.4.3-1")  # fmt: skip
    if np.any(d_in < 0.0):
        raise OutOfRange("d2d_in", float(np.min(d_in)), 0.0, math.inf, source="§7.4.3")
    l_concrete = 5.0 + 4.0 * fc  # L_concrete = 5 + 4 fc, Table 7.4.3-1
    # PL_tw = 5 − 10 log10(a·10^(−L_glass/10) + (1−a)·10^(−L_concrete/10)), Table 7.4.3-2
    pl_tw = 5.0 - 10.0 * np.log10(
        glass_share * 10.0 ** (-glass_db / 10.0)
        + (1.0 - glass_share) * 10.0 ** (-l_concrete / 10.0)
    )
    loss = pl_tw + 0.5 * d_in  # PL_in = 0.5 d2D-in, Table 7.4.3-2
    if rng is not None:
        loss = loss + rng.standard_normal(np.shape(loss)) * sigma  # N(0, σP²)
    return np.asarray(loss, dtype=np.float64)


def o2i_low_loss_db(
    fc_ghz: npt.ArrayLike, d2d_in: npt.ArrayLike, rng: np.random.Generator | None = None
) -> Array:
    """Low-loss O2I model (TR 38.901 Table 7.4.3-2): 30 % standard glass, 70 % concrete,
    L_glass = 2 + 0.2 fc (Table 7.4.3-1); plus 0.5·d2D-in; plus N(0, 4.4²) dB if ``rng``."""
    glass = 2.0 + 0.2 * np.asarray(fc_ghz, dtype=np.float64)  # L_glass, Table 7.4.3-1
    return _penetration(fc_ghz, d2d_in, rng, glass_share=0.3, glass_db=glass,
                        sigma=O2I_SIGMA_LOW_DB)  # fmt: skip


def o2i_high_loss_db(
    fc_ghz: npt.ArrayLike, d2d_in: npt.ArrayLike, rng: np.random.Generator | None = None
) -> Array:
    """High-loss O2I model (TR 38.901 Table 7.4.3-2): 70 % IRR glass, 30 % concrete,
    L_IRRglass = 23 + 0.3 fc (Table 7.4.3-1); plus 0.5·d2D-in; plus N(0, 6.5²) dB if ``rng``."""
    irr = 23.0 + 0.3 * np.asarray(fc_ghz, dtype=np.float64)  # L_IRRglass, Table 7.4.3-1
    return _penetration(fc_ghz, d2d_in, rng, glass_share=0.7, glass_db=irr,
                        sigma=O2I_SIGMA_HIGH_DB)  # fmt: skip


def o2i_sub6_loss_db(d2d_in: npt.ArrayLike, fc_ghz: npt.ArrayLike = 3.5) -> Array:
    """Backward-compatible sub-6 GHz O2I model (TR 38.901 Table 7.4.3-3): PL_tw = 20 dB,
    PL_in = 0.5·d2D-in, σP = 0. Valid below 6 GHz only."""
    fc = np.asarray(fc_ghz, dtype=np.float64)
    if np.any(fc > 6.0) or np.any(fc < 0.5):
        raise OutOfRange("fc", float(np.ravel(fc)[0]), 0.5, 6.0, unit="GHz",
                         source="TR 38.901 Table 7.4.3-3")  # fmt: skip
    d_in = np.asarray(d2d_in, dtype=np.float64)
    if np.any(d_in < 0.0):
        raise OutOfRange("d2d_in", float(np.min(d_in)), 0.0, math.inf, source="§7.4.3")
    return np.asarray(20.0 + 0.5 * d_in, dtype=np.float64)
