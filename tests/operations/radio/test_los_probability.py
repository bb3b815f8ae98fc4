"""LOS probability, TR 38.901 Table 7.4.2-1, against hand computation; the LOS-weighted map
option sits between LOS and NLOS."""

from __future__ import annotations

import math

import numpy as np
import pytest

from zhiguo.operations.radio import (
    OutOfRange,
    UnknownScenario,
    los_probability,
    los_weighted_pathloss_db,
    pathloss_db,
)

exp = math.exp


def test_rma_by_hand() -> None:
    assert float(los_probability("RMa", 10.0)) == 1.0
    assert float(los_probability("RMa", 0.0)) == 1.0
    assert float(los_probability("RMa", 500.0)) == pytest.approx(exp(-(500 - 10) / 1000))


def test_umi_by_hand() -> None:
    assert float(los_probability("UMi", 18.0)) == 1.0
    d = 100.0
    assert float(los_probability("UMi", d)) == pytest.approx(18 / d + exp(-d / 36) * (1 - 18 / d))


def test_uma_by_hand_ground_and_upper_floor() -> None:
    d = 200.0
    base = 18 / d + exp(-d / 63) * (1 - 18 / d)
    assert float(los_probability("UMa", d, 1.5)) == pytest.approx(base)
    assert float(los_probability("UMa", d, 13.0)) == pytest.approx(base)  # C'(13) = 0
    c = ((20 - 13) / 10) ** 1.5
    upper = base * (1 + c * (5 / 4) * (d / 100) ** 3 * exp(-d / 150))
    assert float(los_probability("UMa", d, 20.0)) == pytest.approx(upper)
    assert float(los_probability("UMa", 18.0, 20.0)) == 1.0
    with pytest.raises(OutOfRange) as err:
        los_probability("UMa", d, 30.0)
    assert err.value.parameter == "hut" and err.value.high == 23.0


def test_inh_mixed_and_open_office_by_hand() -> None:
    assert float(los_probability("InH", 1.2)) == 1.0
    assert float(los_probability("InH", 3.0)) == pytest.approx(exp(-(3.0 - 1.2) / 4.7))
    assert float(los_probability("InH", 6.5)) == pytest.approx(exp(0) * 0.32)
    assert float(los_probability("InH", 20.0)) == pytest.approx(exp(-(20 - 6.5) / 32.6) * 0.32)
    assert float(los_probability("InH", 5.0, office="open")) == 1.0
    assert float(los_probability("InH", 30.0, office="open")) == pytest.approx(
        exp(-(30 - 5) / 70.8)
    )
    assert float(los_probability("InH", 49.0, office="open")) == pytest.approx(exp(-44 / 70.8))
    assert float(los_probability("InH", 100.0, office="open")) == pytest.approx(
        exp(-(100 - 49) / 211.7) * 0.54
    )
    with pytest.raises(UnknownScenario):
        los_probability("InH", 10.0, office="hall")


def test_probabilities_are_in_range_and_vectorised() -> None:
    d = np.linspace(0, 5000, 501)
    for scenario in ("RMa", "UMi", "UMa"):
        p = los_probability(scenario, d)
        assert p.shape == d.shape
        assert np.all((p >= 0) & (p <= 1))
        assert np.all(np.diff(p) <= 1e-12)  # non-increasing with distance for hUT = 1.5 m
        assert p[7] == pytest.approx(float(los_probability(scenario, float(d[7]))))
    with pytest.raises(OutOfRange):
        los_probability("UMi", -1.0)


def test_los_weighted_loss_lies_between_los_and_nlos() -> None:
    d = np.geomspace(20, 3000, 50)
    los = pathloss_db("UMa", los=True, fc_ghz=3.5, d2d=d, hbs=25, hut=1.5)
    nlos = pathloss_db("UMa", los=False, fc_ghz=3.5, d2d=d, hbs=25, hut=1.5)
    w = los_weighted_pathloss_db("UMa", fc_ghz=3.5, d2d=d, hbs=25, hut=1.5)
    assert np.all(w >= los - 1e-9) and np.all(w <= nlos + 1e-9)
    # by hand at 200 m: −10 log10(p·10^(−L/10) + (1 − p)·10^(−N/10))
    p = 18 / 200 + exp(-200 / 63) * (1 - 18 / 200)
    one_los = float(pathloss_db("UMa", los=True, fc_ghz=3.5, d2d=200, hbs=25, hut=1.5))
    one_nlos = float(pathloss_db("UMa", los=False, fc_ghz=3.5, d2d=200, hbs=25, hut=1.5))
    hand = -10 * math.log10(p * 10 ** (-one_los / 10) + (1 - p) * 10 ** (-one_nlos / 10))
    got = float(los_weighted_pathloss_db("UMa", fc_ghz=3.5, d2d=200, hbs=25, hut=1.5))
    assert got == pytest.approx(hand)
