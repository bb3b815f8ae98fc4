"""3GPP TR 38.901 (V16/V17) basic path loss, Table 7.4.1-1, and LOS probability, Table 7.4.2-1.

Conventions (Table 7.4.1-1 notes): ``fc`` is the centre frequency in GHz inside the formulas and
in Hz inside the breakpoint formulas; heights and distances in metres; log = log10;
``d3D = sqrt(d2D² + (hBS − hUT)²)``; the branch (PL1/PL2, validity) is chosen on **d2D**, the
formulas use **d3D**; ``c = 3.0e8 m/s`` (Notes 1 and 5). The values are *basic* path loss: no
shadow fading, no O2I penetration, no antenna gain (see ``fading.py``, ``linkbudget.py``).

Every function broadcasts numpy arrays (they feed the coverage kernel); :func:`pathloss` and
:func:`describe_link` are the scalar wrappers. Inputs outside a formula's validity range raise
:class:`~zhiguo.operations.radio.errors.OutOfRange` naming the parameter, value and range.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from zhiguo.operations.radio.errors import (
    NeedsRandomness,
    OutOfRange,
    RadioError,
    UnknownScenario,
)

__all__ = [
    "SCENARIOS",
    "SPEED_OF_LIGHT",
    "LinkPathloss",
    "Range",
    "Scenario",
    "breakpoint_distance_m",
    "describe_link",
    "draw_uma_he",
    "get_scenario",
    "los_probability",
    "los_weighted_pathloss_db",
    "pathloss",
    "pathloss_db",
    "uma_c",
]

Array = npt.NDArray[np.float64]

SPEED_OF_LIGHT = 3.0e8  # m/s — TR 38.901 Table 7.4.1-1 Notes 1 and 5 (not 299 792 458)
TABLE = "3GPP TR 38.901 Table 7.4.1-1"
ENVELOPE = "zhiguo planning envelope; the table fixes hBS"


@dataclass(frozen=True)
class Range:
    """A closed validity interval and where it comes from."""

    low: float
    high: float
    unit: str = "m"
    source: str = TABLE


@dataclass(frozen=True)
class _Parts:
    """What one scenario formula gives: LOS loss, NLOS' (None for none) and breakpoint."""

    los: Array
    nlos_prime: Array
    d_bp: Array
    pl1: npt.NDArray[np.bool_]  # True where the LOS formula used PL1


_Formula = Callable[[Array, Array, Array, Array, Array, Array, Array, Array], _Parts]


@dataclass(frozen=True)
class Scenario:
    """One propagation scenario of Table 7.4.1-1: formulas, validity and defaults."""

    name: str
    label_zh: str
    label_en: str
    formula: _Formula
    fc_ghz: Range
    d2d_los: Range
    d2d_nlos: Range
    hbs: Range
    hut: Range
    nominal_hbs: float
    sigma_sf_los_db: float
    sigma_sf_nlos_db: float
    d3d: Range | None = None
    aliases: tuple[str, ...] = field(default=())


def _log10(x: Array) -> Array:
    return np.log10(x)


# --- UMa / UMi breakpoint: TR 38.901 Table 7.4.1-1 Note 1 -------------------------------
def _dbp_prime(fc_ghz: Array, hbs: Array, hut: Array, he: Array) -> Array:
    # d'BP = 4 h'BS h'UT fc / c, h'BS = hBS − hE, h'UT = hUT − hE, fc in Hz (Note 1)
    return 4.0 * (hbs - he) * (hut - he) * (fc_ghz * 1e9) / SPEED_OF_LIGHT


def uma_c(d2d: npt.ArrayLike, hut: npt.ArrayLike) -> Array:
    """C(d2D, hUT) of Table 7.4.1-1 Note 1: 0 for hUT < 13 m; ((hUT−13)/10)^1.5·g(d2D)
    for 13 ≤ hUT ≤ 23 m, g = 0 for d2D ≤ 18 m else (5/4)(d2D/100)³·exp(−d2D/150)."""
    d = np.asarray(d2d, dtype=np.float64)
    h = np.asarray(hut, dtype=np.float64)
    g = np.where(d <= 18.0, 0.0, 1.25 * (d / 100.0) ** 3 * np.exp(-d / 150.0))
    c = np.where(h < 13.0, 0.0, (np.clip(h - 13.0, 0.0, None) / 10.0) ** 1.5 * g)
    return np.asarray(c, dtype=np.float64)


def draw_uma_he(d2d: npt.ArrayLike, hut: npt.ArrayLike, rng: np.random.Generator) -> Array:
    """Effective environment height hE per link (Table 7.4.1-1 Note 1): 1 m with probability
    1/(1 + C(d2D, hUT)), else uniform on the discrete set {12, 15, …, hUT − 1.5} m.

    Where hUT − 1.5 < 12 the set is taken as {12} (as ns-3 does); a fresh draw per link."""
    d, h = np.broadcast_arrays(np.asarray(d2d, dtype=np.float64), np.asarray(hut, dtype=np.float64))
    p_one = 1.0 / (1.0 + uma_c(d, h))
    k_max = np.floor((np.maximum(h - 1.5, 12.0) - 12.0) / 3.0 + 1e-9)
    k = np.floor(rng.random(d.shape) * (k_max + 1.0))
    he = np.where(rng.random(d.shape) < p_one, 1.0, 12.0 + 3.0 * k)
    return np.asarray(he, dtype=np.float64)


# --- UMa: TR 38.901 Table 7.4.1-1 --------------------------------------------------------
def _uma(
    fc: Array, d2d: Array, d3d: Array, hbs: Array, hut: Array, he: Array, w: Array, h: Array
) -> _Parts:
    del w, h
    d_bp = _dbp_prime(fc, hbs, hut, he)
    lg_d, lg_f = _log10(d3d), _log10(fc)
    pl1 = 28.0 + 22.0 * lg_d + 20.0 * lg_f  # PL1, 10 m ≤ d2D ≤ d'BP
    # PL2, d'BP ≤ d2D ≤ 5 km
    pl2 = 28.0 + 40.0 * lg_d + 20.0 * lg_f - 9.0 * _log10(d_bp**2 + (hbs - hut) ** 2)
    use1 = d2d <= d_bp
    los = np.where(use1, pl1, pl2)
    # PL'UMa-NLOS = 13.54 + 39.08 log10(d3D) + 20 log10(fc) − 0.6 (hUT − 1.5)
    nlos = 13.54 + 39.08 * lg_d + 20.0 * lg_f - 0.6 * (hut - 1.5)
    return _Parts(los, nlos, d_bp, use1)


# --- UMi-Street Canyon: TR 38.901 Table 7.4.1-1 -------------------------------------------
def _umi(
    fc: Array, d2d: Array, d3d: Array, hbs: Array, hut: Array, he: Array, w: Array, h: Array
) -> _Parts:
    del w, h
    d_bp = _dbp_prime(fc, hbs, hut, he)  # hE = 1 m for UMi (Note 1)
    lg_d, lg_f = _log10(d3d), _log10(fc)
    pl1 = 32.4 + 21.0 * lg_d + 20.0 * lg_f  # PL1, 10 m ≤ d2D ≤ d'BP
    # PL2, d'BP ≤ d2D ≤ 5 km
    pl2 = 32.4 + 40.0 * lg_d + 20.0 * lg_f - 9.5 * _log10(d_bp**2 + (hbs - hut) ** 2)
    use1 = d2d <= d_bp
    los = np.where(use1, pl1, pl2)
    # PL'UMi-NLOS = 35.3 log10(d3D) + 22.4 + 21.3 log10(fc) − 0.3 (hUT − 1.5)
    nlos = 35.3 * lg_d + 22.4 + 21.3 * lg_f - 0.3 * (hut - 1.5)
    return _Parts(los, nlos, d_bp, use1)


# --- RMa: TR 38.901 Table 7.4.1-1 (Note 5 for dBP) ----------------------------------------
def _rma_pl1(fc: Array, d: Array, h: Array) -> Array:
    # PL1 = 20 log10(40π d3D fc / 3) + min(0.03 h^1.72, 10) log10(d3D)
    #       − min(0.044 h^1.72, 14.77) + 0.002 log10(h) d3D
    h172 = h**1.72
    return (
        20.0 * _log10(40.0 * math.pi * d * fc / 3.0)
        + np.minimum(0.03 * h172, 10.0) * _log10(d)
        - np.minimum(0.044 * h172, 14.77)
        + 0.002 * _log10(h) * d
    )


def _rma(
    fc: Array, d2d: Array, d3d: Array, hbs: Array, hut: Array, he: Array, w: Array, h: Array
) -> _Parts:
    del he
    d_bp = 2.0 * math.pi * hbs * hut * (fc * 1e9) / SPEED_OF_LIGHT  # dBP, Note 5, fc in Hz
    use1 = d2d <= d_bp
    pl1 = _rma_pl1(fc, d3d, h)
    # PL2 = PL1(dBP) + 40 log10(d3D / dBP); PL1(dBP) evaluated at distance dBP (ns-3, Sionna)
    pl2 = _rma_pl1(fc, d_bp, h) + 40.0 * _log10(d3d / d_bp)
    los = np.where(use1, pl1, pl2)
    # PL'RMa-NLOS = 161.04 − 7.1 log10(W) + 7.5 log10(h) − (24.37 − 3.7 (h/hBS)²) log10(hBS)
    #   + (43.42 − 3.1 log10(hBS)) (log10(d3D) − 3) + 20 log10(fc)
    #   − (3.2 (log10(11.75 hUT))² − 4.97)
    lg_hbs = _log10(hbs)
    nlos = (
        161.04
        - 7.1 * _log10(w)
        + 7.5 * _log10(h)
        - (24.37 - 3.7 * (h / hbs) ** 2) * lg_hbs
        + (43.42 - 3.1 * lg_hbs) * (_log10(d3d) - 3.0)
        + 20.0 * _log10(fc)
        - (3.2 * _log10(11.75 * hut) ** 2 - 4.97)
    )
    return _Parts(los, nlos, d_bp, use1)


# --- InH-Office (mixed and open office share the path loss): Table 7.4.1-1 ----------------
def _inh(
    fc: Array, d2d: Array, d3d: Array, hbs: Array, hut: Array, he: Array, w: Array, h: Array
) -> _Parts:
    del d2d, hbs, hut, he, w, h
    lg_d, lg_f = _log10(d3d), _log10(fc)
    los = 32.4 + 17.3 * lg_d + 20.0 * lg_f  # PL_InH-LOS, 1 m ≤ d3D ≤ 150 m
    nlos = 17.3 + 38.3 * lg_d + 24.9 * lg_f  # PL'_InH-NLOS, 1 m ≤ d3D ≤ 150 m
    return _Parts(los, nlos, np.full_like(d3d, np.nan), np.ones(d3d.shape, dtype=np.bool_))


_FC = Range(0.5, 100.0, "GHz", "TR 38.901 §7.4.1 (0.5 GHz – fH = 100 GHz)")

SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            "UMa", "城区宏站", "Urban macro", _uma, _FC,
            d2d_los=Range(10.0, 5000.0), d2d_nlos=Range(10.0, 5000.0),
            hbs=Range(10.0, 150.0, source=ENVELOPE + " = 25 m"), hut=Range(1.5, 22.5),
            nominal_hbs=25.0, sigma_sf_los_db=4.0, sigma_sf_nlos_db=6.0,
        ),
        Scenario(
            "UMi", "城区微站（街道峡谷）", "Urban micro, street canyon", _umi, _FC,
            d2d_los=Range(10.0, 5000.0), d2d_nlos=Range(10.0, 5000.0),
            hbs=Range(3.0, 50.0, source=ENVELOPE + " = 10 m"), hut=Range(1.5, 22.5),
            nominal_hbs=10.0, sigma_sf_los_db=4.0, sigma_sf_nlos_db=7.82,
            aliases=("UMI-SC", "UMI-STREET-CANYON"),
        ),
        Scenario(
            "RMa", "农村宏站", "Rural macro", _rma,
            Range(0.5, 30.0, "GHz", "TR 38.901 §7.4.1 (RMa stated up to 30 GHz)"),
            d2d_los=Range(10.0, 10000.0), d2d_nlos=Range(10.0, 5000.0),
            hbs=Range(10.0, 150.0), hut=Range(1.0, 10.0),
            nominal_hbs=35.0, sigma_sf_los_db=4.0, sigma_sf_nlos_db=8.0,
        ),
        Scenario(
            "InH", "室内热点（办公室）", "Indoor hotspot, office", _inh, _FC,
            d2d_los=Range(0.0, 150.0), d2d_nlos=Range(0.0, 150.0),
            hbs=Range(1.0, 10.0, source=ENVELOPE + " = 3 m"),
            hut=Range(0.5, 5.0, source="zhiguo planning envelope (table: hUT = 1 m)"),
            nominal_hbs=3.0, sigma_sf_los_db=3.0, sigma_sf_nlos_db=8.03,
            d3d=Range(1.0, 150.0), aliases=("INH-OFFICE",),
        ),
    )
}  # fmt: skip
_RMA_W = Range(5.0, 50.0)
_RMA_H = Range(5.0, 50.0)


def get_scenario(name: str) -> Scenario:
    """The scenario called ``name`` (case-insensitive: ``uma``, ``UMi``, ``umi-sc``…)."""
    key = name.strip().upper()
    for s in SCENARIOS.values():
        if key == s.name.upper() or key in s.aliases:
            return s
    raise UnknownScenario(name, list(SCENARIOS))


def _arr(name: str, value: npt.ArrayLike) -> Array:
    a = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(a)):
        raise RadioError(
            f"参数 {name} 含有非有限数值（NaN 或无穷）",
            f"parameter {name} holds a value that is not finite (NaN or infinity)",
        )
    return a


def _check(name: str, a: Array, rng: Range, context: str, high: Array | None = None) -> None:
    hi = rng.high if high is None else high
    bad = (a < rng.low) | (a > hi)
    if np.any(bad):
        first = np.argwhere(bad)[0]
        value = float(a[tuple(first)])
        upper = float(np.broadcast_to(hi, a.shape)[tuple(first)])
        raise OutOfRange(
            name, value, rng.low, upper, unit=rng.unit, context=context,
            source=rng.source, count=int(np.count_nonzero(bad)),
        )  # fmt: skip


@dataclass(frozen=True)
class _Link:
    scenario: Scenario
    los: npt.NDArray[np.bool_]
    fc: Array
    d2d: Array
    d3d: Array
    hbs: Array
    hut: Array
    he: Array
    w: Array
    h: Array


def _link(
    scenario: str | Scenario,
    *,
    los: npt.ArrayLike,
    fc_ghz: npt.ArrayLike,
    d2d: npt.ArrayLike,
    hbs: npt.ArrayLike,
    hut: npt.ArrayLike,
    street_width: npt.ArrayLike,
    building_height: npt.ArrayLike,
    he: npt.ArrayLike | None,
    rng: np.random.Generator | None,
) -> _Link:
    s = scenario if isinstance(scenario, Scenario) else get_scenario(scenario)
    arrays = np.broadcast_arrays(
        np.asarray(los, dtype=np.bool_),
        _arr("fc", fc_ghz), _arr("d2d", d2d), _arr("hbs", hbs), _arr("hut", hut),
        _arr("street_width", street_width), _arr("building_height", building_height),
    )  # fmt: skip
    los_a = np.asarray(arrays[0], dtype=np.bool_)
    fc, d2, hb, hu, w, h = (np.asarray(a, dtype=np.float64) for a in arrays[1:])
    _check("fc", fc, s.fc_ghz, s.name)
    d2d_hi = np.where(los_a, s.d2d_los.high, s.d2d_nlos.high)
    _check("d2d", d2, s.d2d_los, s.name, high=d2d_hi)
    _check("hut", hu, s.hut, s.name)
    _check("hbs", hb, s.hbs, s.name)
    if s.name == "UMa" and np.any(hb <= hu):
        i = tuple(np.argwhere(hb <= hu)[0])
        raise OutOfRange(
            "hbs", float(hb[i]), float(hu[i]), s.hbs.high, context="UMa (hBS > hUT)",
            source="TR 38.901 Note 1: h'BS = hBS − hE > 0",
        )  # fmt: skip
    if s.name == "RMa":
        _check("street_width", w, _RMA_W, s.name)
        _check("building_height", h, _RMA_H, s.name)
    d3 = np.sqrt(d2 * d2 + (hb - hu) ** 2)
    if s.d3d is not None:
        _check("d3d", d3, s.d3d, s.name)
    if s.name == "UMa":
        if he is not None:
            he_a = np.broadcast_to(_arr("he", he), d2.shape).astype(np.float64)
            # hE = 1 m, or one of {12, 15, …, hUT − 1.5} m for hUT ≥ 13 m (Note 1)
            he_hi = np.where(hu >= 13.0, np.maximum(hu - 1.5, 12.0), 1.0)
            _check("he", he_a, Range(1.0, 1.0, source="TR 38.901 Note 1"), "UMa", high=he_hi)
        else:
            needs = uma_c(d2, hu) > 0.0
            if np.any(needs) and rng is None:
                raise NeedsRandomness(float(hu[tuple(np.argwhere(needs)[0])]))
            he_a = draw_uma_he(d2, hu, rng) if rng is not None else np.ones_like(d2)
    else:
        he_a = np.ones_like(d2)  # UMi: hE = 1 m (Note 1); unused by RMa and InH
    return _Link(s, los_a, fc, d2, d3, hb, hu, he_a, w, h)


def _evaluate(link: _Link) -> tuple[Array, _Parts]:
    parts = link.scenario.formula(
        link.fc, link.d2d, link.d3d, link.hbs, link.hut, link.he, link.w, link.h
    )
    # NLOS = max(PL_LOS, PL'_NLOS) for every scenario of Table 7.4.1-1
    pl = np.where(link.los, parts.los, np.maximum(parts.los, parts.nlos_prime))
    return np.asarray(pl, dtype=np.float64), parts


def pathloss_db(
    scenario: str | Scenario,
    *,
    los: npt.ArrayLike,
    fc_ghz: npt.ArrayLike,
    d2d: npt.ArrayLike,
    hbs: npt.ArrayLike,
    hut: npt.ArrayLike,
    street_width: npt.ArrayLike = 20.0,
    building_height: npt.ArrayLike = 5.0,
    he: npt.ArrayLike | None = None,
    rng: np.random.Generator | None = None,
) -> Array:
    """Basic path loss in dB (Table 7.4.1-1), broadcast over every array argument.

    ``los`` is True (LOS) or False (NLOS, = max(PL_LOS, PL'_NLOS)), or a boolean array.
    ``street_width``/``building_height`` (W, h) are used by RMa only (defaults 20 m / 5 m).
    UMa links with hUT ≥ 13 m need ``rng`` (hE drawn per link) or a fixed ``he``."""
    pl, _ = _evaluate(
        _link(
            scenario, los=los, fc_ghz=fc_ghz, d2d=d2d, hbs=hbs, hut=hut,
            street_width=street_width, building_height=building_height, he=he, rng=rng,
        )
    )  # fmt: skip
    return pl


def pathloss(
    scenario: str,
    *,
    los: bool,
    fc_ghz: float,
    d2d: float,
    hbs: float,
    hut: float,
    street_width: float = 20.0,
    building_height: float = 5.0,
    he: float | None = None,
    rng: np.random.Generator | None = None,
) -> float:
    """Scalar :func:`pathloss_db`."""
    return float(
        pathloss_db(
            scenario, los=los, fc_ghz=fc_ghz, d2d=d2d, hbs=hbs, hut=hut,
            street_width=street_width, building_height=building_height, he=he, rng=rng,
        )
    )  # fmt: skip


def breakpoint_distance_m(
    scenario: str,
    *,
    fc_ghz: npt.ArrayLike,
    hbs: npt.ArrayLike,
    hut: npt.ArrayLike,
    he: npt.ArrayLike = 1.0,
) -> Array:
    """d'BP (UMa/UMi, Note 1, with effective heights) or dBP (RMa, Note 5); NaN for InH."""
    s = get_scenario(scenario)
    fc, hb, hu, e = (np.asarray(x, dtype=np.float64) for x in (fc_ghz, hbs, hut, he))
    if s.name == "RMa":
        return np.asarray(2.0 * math.pi * hb * hu * fc * 1e9 / SPEED_OF_LIGHT, np.float64)
    if s.name in ("UMa", "UMi"):
        return _dbp_prime(fc, hb, hu, e if s.name == "UMa" else np.ones_like(e))
    return np.full(np.broadcast(fc, hb, hu).shape, np.nan)


@dataclass(frozen=True)
class LinkPathloss:
    """One link, explained: what :func:`describe_link` returns and ``--verbose`` prints."""

    scenario: str
    los: bool
    fc_ghz: float
    d2d: float
    d3d: float
    hbs: float
    hut: float
    he: float
    breakpoint_m: float | None
    branch: str  # "PL1", "PL2" or "-" (InH)
    pl_los_db: float
    pl_nlos_prime_db: float
    pathloss_db: float
    sigma_sf_db: float
    notes: tuple[tuple[str, str], ...]  # (zh, en) extrapolation notes


def describe_link(
    scenario: str,
    *,
    los: bool,
    fc_ghz: float,
    d2d: float,
    hbs: float,
    hut: float,
    street_width: float = 20.0,
    building_height: float = 5.0,
    he: float | None = None,
    rng: np.random.Generator | None = None,
) -> LinkPathloss:
    """Scalar path loss with its breakpoint, branch, hE, σSF and extrapolation notes."""
    link = _link(
        scenario, los=los, fc_ghz=fc_ghz, d2d=d2d, hbs=hbs, hut=hut,
        street_width=street_width, building_height=building_height, he=he, rng=rng,
    )  # fmt: skip
    pl, parts = _evaluate(link)
    s = link.scenario
    bp = float(parts.d_bp)
    notes: list[tuple[str, str]] = []
    if s.name != "RMa" and float(link.hbs) != s.nominal_hbs:
        notes.append(
            (
                f"hBS = {float(link.hbs):g} m 不同于 {s.name} 表定值 {s.nominal_hbs:g} m：外推",
                f"hBS = {float(link.hbs):g} m differs from {s.name}'s fixed "
                f"{s.nominal_hbs:g} m in Table 7.4.1-1: an extrapolation",
            )
        )
    sigma = s.sigma_sf_los_db if los else s.sigma_sf_nlos_db
    if s.name == "RMa" and los and not bool(parts.pl1):
        sigma = 6.0  # RMa LOS σSF = 6 dB beyond dBP (Table 7.4.1-1)
    return LinkPathloss(
        scenario=s.name, los=los, fc_ghz=fc_ghz, d2d=d2d, d3d=float(link.d3d), hbs=hbs,
        hut=hut, he=float(link.he), breakpoint_m=None if math.isnan(bp) else bp,
        branch="-" if s.name == "InH" else ("PL1" if bool(parts.pl1) else "PL2"),
        pl_los_db=float(parts.los), pl_nlos_prime_db=float(parts.nlos_prime),
        pathloss_db=float(pl), sigma_sf_db=sigma, notes=tuple(notes),
    )  # fmt: skip


# --- LOS probability: TR 38.901 Table 7.4.2-1 (outdoor users, d2D-out in m) ---------------
def los_probability(
    scenario: str, d2d_out: npt.ArrayLike, hut: npt.ArrayLike = 1.5, *, office: str = "mixed"
) -> Array:
    """Pr_LOS of Table 7.4.2-1. ``office`` picks InH-Office ``mixed`` or ``open``."""
    s = get_scenario(scenario)
    d = _arr("d2d", d2d_out)
    _check("d2d", d, Range(0.0, math.inf), s.name)
    if s.name == "RMa":
        p = np.where(d <= 10.0, 1.0, np.exp(-(d - 10.0) / 1000.0))
    elif s.name == "UMi":
        dd = np.maximum(d, 18.0)
        p = np.where(d <= 18.0, 1.0, 18.0 / dd + np.exp(-dd / 36.0) * (1.0 - 18.0 / dd))
    elif s.name == "UMa":
        h = _arr("hut", hut)
        _check("hut", h, Range(0.0, 23.0, source="TR 38.901 Table 7.4.2-1"), s.name)
        dd = np.maximum(d, 18.0)
        # C'(hUT) = 0 for hUT ≤ 13 m, ((hUT − 13)/10)^1.5 for 13 < hUT ≤ 23 m
        c = np.where(h <= 13.0, 0.0, (np.clip(h - 13.0, 0.0, None) / 10.0) ** 1.5)
        base = 18.0 / dd + np.exp(-dd / 63.0) * (1.0 - 18.0 / dd)
        p = np.where(
            d <= 18.0, 1.0, base * (1.0 + c * 1.25 * (dd / 100.0) ** 3 * np.exp(-dd / 150.0))
        )
    elif office == "mixed":  # InH-Mixed office
        p = np.where(
            d <= 1.2,
            1.0,
            np.where(d < 6.5, np.exp(-(d - 1.2) / 4.7), np.exp(-(d - 6.5) / 32.6) * 0.32),
        )
    elif office == "open":  # InH-Open office
        p = np.where(
            d <= 5.0,
            1.0,
            np.where(d <= 49.0, np.exp(-(d - 5.0) / 70.8), np.exp(-(d - 49.0) / 211.7) * 0.54),
        )
    else:
        raise UnknownScenario(f"InH-{office}", ["InH office=mixed", "InH office=open"])
    return np.asarray(p, dtype=np.float64)


def los_weighted_pathloss_db(
    scenario: str,
    *,
    fc_ghz: npt.ArrayLike,
    d2d: npt.ArrayLike,
    hbs: npt.ArrayLike,
    hut: npt.ArrayLike,
    street_width: npt.ArrayLike = 20.0,
    building_height: npt.ArrayLike = 5.0,
    he: npt.ArrayLike | None = None,
    rng: np.random.Generator | None = None,
    office: str = "mixed",
) -> Array:
    """A deterministic coverage-map choice (no UE drop): the LOS-probability-weighted mean of
    the LOS and NLOS *received power*, −10 log10(p·10^(−PL_LOS/10) + (1−p)·10^(−PL_NLOS/10)).
    Not a 3GPP formula — the standard draws LOS per link; plain NLOS is the conservative one."""
    link = _link(
        scenario, los=True, fc_ghz=fc_ghz, d2d=d2d, hbs=hbs, hut=hut,
        street_width=street_width, building_height=building_height, he=he, rng=rng,
    )  # fmt: skip
    _, parts = _evaluate(link)
    nlos = np.maximum(parts.los, parts.nlos_prime)
    p = los_probability(link.scenario.name, link.d2d, link.hut, office=office)
    lin = p * 10.0 ** (-parts.los / 10.0) + (1.0 - p) * 10.0 ** (-nlos / 10.0)
    return np.asarray(-10.0 * np.log10(lin), dtype=np.float64)
