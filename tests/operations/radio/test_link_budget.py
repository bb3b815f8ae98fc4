"""Link budget (EPRE → RSRP, noise, SINR with linear interference), the TR 38.901 Table 7.3-1
antenna element, the band table, shadow fading and O2I penetration — by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from zhiguo.operations.radio import (
    BANDS,
    AntennaPattern,
    LinkBudget,
    OutOfRange,
    RadioError,
    UnknownBand,
    antenna_angles_deg,
    best_server,
    draw_d2d_in,
    draw_shadow_fading_db,
    epre_dbm,
    get_band,
    o2i_high_loss_db,
    o2i_low_loss_db,
    o2i_sub6_loss_db,
    prb_count,
    shadow_fading_std_db,
    shadowing_margin_db,
    sinr_db,
    thermal_noise_dbm,
)

log10 = math.log10


def test_bands_and_prb_counts() -> None:
    assert set(BANDS) == {"n78", "n41", "n28", "n79"}
    n78 = get_band("N78")
    assert (n78.fc_ghz, n78.bandwidth_mhz, n78.scs_khz, n78.n_prb) == (3.5, 100, 30, 273)
    assert n78.n_re == 3276
    assert get_band("n28").n_prb == 160 and get_band("n28").duplex == "FDD"
    assert get_band("n41").n_prb == 273 and get_band("n79").n_prb == 273
    assert prb_count(60, 30) == 162 and prb_count(20, 15) == 106
    with pytest.raises(OutOfRange):
        prb_count(100, 15)
    with pytest.raises(OutOfRange):
        prb_count(20, 60)
    with pytest.raises(UnknownBand) as err:
        get_band("n77")
    assert err.value.code == "ZG-RADIO-004"


def test_element_pattern_by_hand() -> None:
    p = AntennaPattern()
    assert float(p.attenuation_db(90, 0)) == 0.0
    assert float(p.gain_dbi(90, 0)) == 8.0  # G_E,max
    assert float(p.attenuation_db(90 + 32.5, 0)) == pytest.approx(-3.0)  # half beamwidth
    assert float(p.attenuation_db(90, -32.5)) == pytest.approx(-3.0)
    assert float(p.attenuation_db(90 + 32.5, 32.5)) == pytest.approx(-6.0)
    assert float(p.attenuation_db(180, 0)) == pytest.approx(-12 * (90 / 65) ** 2)  # < SLA 30
    assert float(p.attenuation_db(90, 180)) == -30.0  # A_max
    assert float(p.attenuation_db(180, 180)) == -30.0  # combined floor A_max
    grid = p.attenuation_db(np.linspace(0, 180, 19)[:, None], np.linspace(-180, 180, 37))
    assert grid.shape == (19, 37) and np.all(grid <= 0) and np.all(grid >= -30)


def test_antenna_angles() -> None:
    theta, phi = antenna_angles_deg(100.0, 0.0, 25.0, 1.5, azimuth_deg=90.0, downtilt_deg=6.0)
    assert float(phi) == pytest.approx(0.0)
    assert float(theta) == pytest.approx(90 + math.degrees(math.atan(23.5 / 100)) - 6)
    _, phi = antenna_angles_deg(-1.0, 0.0, 25.0, 1.5, azimuth_deg=90.0)
    assert abs(float(phi)) == pytest.approx(180.0)
    _, phi = antenna_angles_deg(0.0, 10.0, 25.0, 1.5, azimuth_deg=350.0)
    assert float(phi) == pytest.approx(10.0)


def test_epre_noise_rsrp_by_hand() -> None:
    assert float(epre_dbm(53.0, 273)) == pytest.approx(53 - 10 * log10(273 * 12))  # 17.8466
    assert float(thermal_noise_dbm(30e3, 7.0)) == pytest.approx(-174 + 10 * log10(30e3) + 7)
    budget = LinkBudget(band=get_band("n78"))
    assert budget.epre_dbm == pytest.approx(17.8466, abs=5e-5)
    assert budget.noise_per_re_dbm == pytest.approx(-122.2288, abs=5e-5)
    assert budget.noise_carrier_dbm == pytest.approx(-174 + 10 * log10(3276 * 30e3) + 7)
    # boresight: EPRE + 8 dBi − 0 cable − PL − 3 body + 0 UE
    assert budget.rsrp_at(120.0) == pytest.approx(53 - 10 * log10(3276) + 8 - 120 - 3)
    off = budget.rsrp_at(120.0, theta_deg=90 + 32.5, extra_loss_db=20.0)
    assert off == pytest.approx(53 - 10 * log10(3276) + 8 - 3 - 120 - 20 - 3)
    lossy = LinkBudget(band=get_band("n28"), tx_power_dbm=49.0, antenna_gain_dbi=15.0,
                       pattern=None, cable_loss_db=2.0, body_loss_db=0.0,
                       ue_antenna_gain_dbi=-1.0, noise_figure_db=9.0)  # fmt: skip
    assert lossy.rsrp_at(100.0, phi_deg=120) == pytest.approx(
        49 - 10 * log10(160 * 12) + 15 - 2 - 100 - 1
    )
    assert lossy.noise_per_re_dbm == pytest.approx(-174 + 10 * log10(15e3) + 9)
    vec = budget.rsrp_dbm(np.array([100.0, 110.0, 120.0]))
    assert list(np.round(vec - vec[0], 9)) == [0.0, -10.0, -20.0]


def test_sinr_sums_interference_in_milliwatts() -> None:
    s, n = -97.1534, -122.2288
    interferers = [-100.0, -103.0]
    hand_i = 10 ** (-100 / 10) + 10 ** (-103 / 10)  # mW, not dB
    hand = 10 * log10(10 ** (s / 10) / (10 ** (n / 10) + hand_i))
    assert float(sinr_db(s, n, interferers)) == pytest.approx(hand)
    assert float(sinr_db(s, n)) == pytest.approx(s - n)  # SNR without interferers
    half = 10 * log10(10 ** (s / 10) / (10 ** (n / 10) + 0.5 * hand_i))
    assert float(sinr_db(s, n, interferers, load=0.5)) == pytest.approx(half)
    budget = LinkBudget(band=get_band("n78"))
    assert float(budget.sinr_db(s, interferers)) == pytest.approx(
        10 * log10(10 ** (s / 10) / (10 ** (budget.noise_per_re_dbm / 10) + hand_i))
    )
    many = sinr_db(np.full((4, 5), s), n, np.full((4, 5, 2), -100.0))
    assert many.shape == (4, 5)


def test_best_server() -> None:
    rsrp = np.array([[-90.0, -95.0, -100.0], [-110.0, -85.0, -99.0]])
    idx, best, sinr = best_server(rsrp, -122.0)
    assert list(idx) == [0, 1] and list(best) == [-90.0, -85.0]
    hand = -90 - 10 * log10(10 ** (-9.5) + 10 ** (-10.0) + 10 ** (-12.2))
    assert sinr[0] == pytest.approx(hand)
    assert sinr[1] == pytest.approx(float(sinr_db(-85.0, -122.0, [-110.0, -99.0])))


def test_shadow_fading_std_and_draws() -> None:
    assert float(shadow_fading_std_db("UMa", los=True)) == 4.0
    assert float(shadow_fading_std_db("UMa", los=False)) == 6.0
    assert float(shadow_fading_std_db("UMi", los=False)) == 7.82
    assert float(shadow_fading_std_db("InH", los=False)) == 8.03
    assert float(shadow_fading_std_db("RMa", los=False, d2d=100)) == 8.0
    dbp = 2 * math.pi * 35 * 1.5 * 3.5e9 / 3e8
    sig = shadow_fading_std_db("RMa", los=True, d2d=[dbp - 1, dbp + 1], fc_ghz=3.5, hbs=35, hut=1.5)
    assert list(sig) == [4.0, 6.0]
    sigma = np.full(50_000, 6.0)
    a = draw_shadow_fading_db(sigma, np.random.default_rng(3))
    b = draw_shadow_fading_db(sigma, np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)
    assert float(np.std(a)) == pytest.approx(6.0, rel=0.02)
    assert abs(float(np.mean(a))) < 0.1
    assert shadowing_margin_db(6.0, 0.9) == pytest.approx(7.69, abs=0.005)  # 1.2816 · 6
    with pytest.raises(OutOfRange):
        shadowing_margin_db(6.0, 1.0)


def test_o2i_penetration_by_hand() -> None:
    fc, d_in = 3.5, 10.0
    l_glass, l_concrete, l_irr = 2 + 0.2 * fc, 5 + 4 * fc, 23 + 0.3 * fc
    low = 5 - 10 * log10(0.3 * 10 ** (-l_glass / 10) + 0.7 * 10 ** (-l_concrete / 10)) + 0.5 * d_in
    high = 5 - 10 * log10(0.7 * 10 ** (-l_irr / 10) + 0.3 * 10 ** (-l_concrete / 10)) + 0.5 * d_in
    assert float(o2i_low_loss_db(fc, d_in)) == pytest.approx(low)
    assert float(o2i_high_loss_db(fc, d_in)) == pytest.approx(high)
    assert float(o2i_sub6_loss_db(d_in, fc)) == 25.0  # 20 dB + 0.5 · 10 m
    with pytest.raises(OutOfRange) as err:
        o2i_sub6_loss_db(5.0, 28.0)
    assert err.value.parameter == "fc" and err.value.high == 6.0
    # the random part: N(0, σP²) with σP = 4.4 dB (low) — a standard deviation, not a variance
    draws = o2i_low_loss_db(np.full(40_000, fc), 0.0, np.random.default_rng(11))
    assert float(np.std(draws)) == pytest.approx(4.4, rel=0.03)
    assert float(np.mean(draws)) == pytest.approx(low - 5.0, abs=0.1)


def test_indoor_distance_draws() -> None:
    rng = np.random.default_rng(2)
    uma = draw_d2d_in("UMa", 40_000, rng)
    assert float(uma.max()) <= 25.0 and float(uma.mean()) == pytest.approx(25 / 3, rel=0.03)
    rma = draw_d2d_in("RMa", 40_000, rng)
    assert float(rma.max()) <= 10.0 and float(rma.mean()) == pytest.approx(10 / 3, rel=0.03)
    with pytest.raises(RadioError):
        draw_d2d_in("InH", 3, rng)
