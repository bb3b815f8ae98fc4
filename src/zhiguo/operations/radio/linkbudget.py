"""Downlink link budget: transmit power, antenna pattern and losses → RSRP and SINR.

- RSRP is the power of one resource element (EPRE): the carrier's total power spread evenly
  over its ``N_RB · 12`` subcarriers, ``EPRE = P_tot − 10 log10(N_RB · 12)``.
- Noise per RE: thermal ``−174 dBm/Hz + 10 log10(SCS) + NF``.
- Interference from other sites is summed in **linear** units (mW), never in dB.
- Antenna: the single-element pattern of TR 38.901 Table 7.3-1 (65° beamwidths, SLA 30 dB,
  8 dBi); an array's gain is the caller's ``antenna_gain_dbi``.

All functions broadcast numpy arrays; :meth:`LinkBudget.rsrp_at` is the scalar wrapper.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from zhiguo.operations.radio.bands import Band

__all__ = [
    "THERMAL_NOISE_DBM_PER_HZ",
    "AntennaPattern",
    "LinkBudget",
    "antenna_angles_deg",
    "best_server",
    "epre_dbm",
    "sinr_db",
    "thermal_noise_dbm",
]

Array = npt.NDArray[np.float64]

THERMAL_NOISE_DBM_PER_HZ = -174.0  # kT at 290 K


@dataclass(frozen=True)
class AntennaPattern:
    """TR 38.901 Table 7.3-1 single antenna element (θ zenith angle, φ azimuth, degrees)."""

    theta_3db_deg: float = 65.0
    phi_3db_deg: float = 65.0
    sla_v_db: float = 30.0
    a_max_db: float = 30.0
    g_max_dbi: float = 8.0

    def attenuation_db(self, theta_deg: npt.ArrayLike, phi_deg: npt.ArrayLike) -> Array:
        """A''(θ'', φ'') ≤ 0 dB relative to boresight (θ = 90°, φ = 0°)."""
        theta = np.asarray(theta_deg, dtype=np.float64)
        phi = np.asarray(phi_deg, dtype=np.float64)
        # A_dB(θ'', φ'' = 0) = −min(12 ((θ'' − 90°)/θ3dB)², SLA_V), Table 7.3-1
        a_v = -np.minimum(12.0 * ((theta - 90.0) / self.theta_3db_deg) ** 2, self.sla_v_db)
        # A_dB(θ'' = 90°, φ'') = −min(12 (φ''/φ3dB)², A_max), Table 7.3-1
        a_h = -np.minimum(12.0 * (phi / self.phi_3db_deg) ** 2, self.a_max_db)
        # A_dB(θ'', φ'') = −min(−(A_dB(θ'', 0) + A_dB(90°, φ'')), A_max), Table 7.3-1
        return np.asarray(-np.minimum(-(a_v + a_h), self.a_max_db), dtype=np.float64)

    def gain_dbi(self, theta_deg: npt.ArrayLike, phi_deg: npt.ArrayLike) -> Array:
        """Element gain G_E,max + A'' in dBi (Table 7.3-1: G_E,max = 8 dBi)."""
        return self.g_max_dbi + self.attenuation_db(theta_deg, phi_deg)


def antenna_angles_deg(
    dx_east: npt.ArrayLike,
    dy_north: npt.ArrayLike,
    hbs: npt.ArrayLike,
    hut: npt.ArrayLike,
    *,
    azimuth_deg: npt.ArrayLike = 0.0,
    downtilt_deg: npt.ArrayLike = 0.0,
) -> tuple[Array, Array]:
    """(θ'', φ'') of a user seen from a sector antenna: θ is the zenith angle (90° = horizon,
    > 90° below it), φ the bearing off the sector azimuth wrapped to (−180°, 180°].

    Downtilt is applied as an electrical tilt (θ'' = θ − tilt), the usual planning
    simplification of the full rotation of TR 38.901 §7.1.3."""
    dx = np.asarray(dx_east, dtype=np.float64)
    dy = np.asarray(dy_north, dtype=np.float64)
    dh = np.asarray(hbs, dtype=np.float64) - np.asarray(hut, dtype=np.float64)
    d2d = np.hypot(dx, dy)
    theta = 90.0 + np.degrees(np.arctan2(dh, d2d)) - np.asarray(downtilt_deg, np.float64)
    bearing = np.degrees(np.arctan2(dx, dy))  # clockwise from north
    phi = (bearing - np.asarray(azimuth_deg, dtype=np.float64) + 180.0) % 360.0 - 180.0
    return np.asarray(theta, np.float64), np.asarray(phi, np.float64)


def thermal_noise_dbm(bandwidth_hz: npt.ArrayLike, noise_figure_db: npt.ArrayLike) -> Array:
    """Receiver noise power: −174 dBm/Hz + 10 log10(B) + NF."""
    b = np.asarray(bandwidth_hz, dtype=np.float64)
    return np.asarray(
        THERMAL_NOISE_DBM_PER_HZ + 10.0 * np.log10(b) + np.asarray(noise_figure_db, np.float64),
        dtype=np.float64,
    )


def epre_dbm(tx_power_dbm: npt.ArrayLike, n_prb: npt.ArrayLike) -> Array:
    """Energy per resource element: P_tot − 10 log10(N_RB · 12) (equal power per RE)."""
    return np.asarray(
        np.asarray(tx_power_dbm, np.float64) - 10.0 * np.log10(np.asarray(n_prb, np.float64) * 12),
        dtype=np.float64,
    )


def _mw(dbm: npt.ArrayLike) -> Array:
    return np.asarray(10.0 ** (np.asarray(dbm, dtype=np.float64) / 10.0), dtype=np.float64)


def sinr_db(
    signal_dbm: npt.ArrayLike,
    noise_dbm: npt.ArrayLike,
    interference_dbm: npt.ArrayLike | None = None,
    *,
    load: float = 1.0,
) -> Array:
    """SINR = S / (N + load · Σ I), the sum over the **last axis** of ``interference_dbm``
    taken in mW. ``load`` is the interferers' resource occupancy (1 = fully loaded)."""
    s = _mw(signal_dbm)
    n = _mw(noise_dbm)
    i = 0.0 if interference_dbm is None else load * np.sum(_mw(interference_dbm), axis=-1)
    return np.asarray(10.0 * np.log10(s / (n + i)), dtype=np.float64)


def best_server(
    rsrp_dbm: npt.ArrayLike, noise_dbm: npt.ArrayLike, *, load: float = 1.0
) -> tuple[npt.NDArray[np.intp], Array, Array]:
    """Best server per location from RSRP with sites on the **last axis**: (site index,
    its RSRP, its SINR with every other site as interference, summed in mW)."""
    r = np.asarray(rsrp_dbm, dtype=np.float64)
    idx = np.argmax(r, axis=-1)
    best = np.take_along_axis(r, idx[..., None], axis=-1)[..., 0]
    lin = _mw(r)
    others = np.clip(np.sum(lin, axis=-1) - _mw(best), 0.0, None)
    sinr = 10.0 * np.log10(_mw(best) / (_mw(noise_dbm) + load * others))
    return idx, best, np.asarray(sinr, dtype=np.float64)


@dataclass(frozen=True)
class LinkBudget:
    """One downlink: a band's carrier, the gNB's power and antenna, losses and the UE.

    Defaults: 200 W per 100 MHz carrier = 53 dBm (radio.md §3.2, a 64T64R AAU example),
    the Table 7.3-1 element (8 dBi peak), no feeder (AAU), 3 dB body loss, UE 0 dBi, UE noise
    figure 7 dB. Powers and thresholds are per-carrier settings, not standard values."""

    band: Band
    tx_power_dbm: float = 53.0
    antenna_gain_dbi: float = 8.0  # peak gain; the pattern adds A'' ≤ 0 off boresight
    pattern: AntennaPattern | None = field(default_factory=AntennaPattern)
    cable_loss_db: float = 0.0
    body_loss_db: float = 3.0
    ue_antenna_gain_dbi: float = 0.0
    noise_figure_db: float = 7.0

    @property
    def epre_dbm(self) -> float:
        return float(epre_dbm(self.tx_power_dbm, self.band.n_prb))

    @property
    def noise_per_re_dbm(self) -> float:
        """Thermal noise in one subcarrier: −174 + 10 log10(SCS) + NF."""
        return float(thermal_noise_dbm(self.band.scs_hz, self.noise_figure_db))

    @property
    def noise_carrier_dbm(self) -> float:
        """Thermal noise over the occupied bandwidth N_RB · 12 · SCS."""
        return float(thermal_noise_dbm(self.band.n_re * self.band.scs_hz, self.noise_figure_db))

    def rsrp_dbm(
        self,
        pathloss_db: npt.ArrayLike,
        *,
        theta_deg: npt.ArrayLike = 90.0,
        phi_deg: npt.ArrayLike = 0.0,
        extra_loss_db: npt.ArrayLike = 0.0,
    ) -> Array:
        """RSRP = EPRE + G_tx(θ, φ) − cable − PL − extra (O2I, shadowing…) − body + G_ue."""
        att = 0.0 if self.pattern is None else self.pattern.attenuation_db(theta_deg, phi_deg)
        return np.asarray(
            self.epre_dbm
            + self.antenna_gain_dbi
            + att
            - self.cable_loss_db
            - np.asarray(pathloss_db, dtype=np.float64)
            - np.asarray(extra_loss_db, dtype=np.float64)
            - self.body_loss_db
            + self.ue_antenna_gain_dbi,
            dtype=np.float64,
        )

    def rsrp_at(
        self,
        pathloss_db: float,
        *,
        theta_deg: float = 90.0,
        phi_deg: float = 0.0,
        extra_loss_db: float = 0.0,
    ) -> float:
        """Scalar :meth:`rsrp_dbm`."""
        return float(
            self.rsrp_dbm(
                pathloss_db, theta_deg=theta_deg, phi_deg=phi_deg, extra_loss_db=extra_loss_db
            )
        )

    def sinr_db(
        self, rsrp_dbm: npt.ArrayLike, interference_rsrp_dbm: npt.ArrayLike | None = None
    ) -> Array:
        """SINR per RE against this UE's noise per RE and other sites' RSRP (last axis)."""
        return sinr_db(rsrp_dbm, self.noise_per_re_dbm, interference_rsrp_dbm)
