"""TR 38.901 Table 7.4.1-1 path loss against values computed independently of the code.

Two independent sources:
- the ns-3 test suite's reference values (``src/propagation/test/three-gpp-propagation-loss-
  model-test-suite.cc``; pt = 0 dBm so PL = −pr; fc = 5 GHz, hUT = 1.5 m, RMa W = 20 m,
  h = 5 m), given there to 4 decimals — ``shared/domain/radio.md`` has no 38.901 vector table;
- hand computations below, written out as plain arithmetic from the table's formulas.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from zhiguo.operations.radio import (
    NeedsRandomness,
    OutOfRange,
    RadioError,
    UnknownScenario,
    breakpoint_distance_m,
    describe_link,
    draw_uma_he,
    pathloss,
    pathloss_db,
    uma_c,
)

log10 = math.log10
FOUR_DECIMALS = 5e-5  # a reference rounded to 4 decimals

# (scenario, hBS, d2D, LOS?, PL dB) — ns-3 reference vectors at fc = 5 GHz, hUT = 1.5 m
NS3_VECTORS = [
    ("RMa", 35.0, 10.0, True, 77.3784),
    ("RMa", 35.0, 100.0, True, 87.2965),
    ("RMa", 35.0, 1000.0, True, 108.5577),
    ("RMa", 35.0, 10000.0, True, 140.3896),
    ("RMa", 35.0, 10.0, False, 77.3784),
    ("RMa", 35.0, 100.0, False, 95.7718),
    ("RMa", 35.0, 1000.0, False, 133.5223),
    ("RMa", 35.0, 5000.0, False, 160.5169),
    ("UMa", 25.0, 10.0, True, 72.9380),
    ("UMa", 25.0, 100.0, True, 86.2362),
    ("UMa", 25.0, 1000.0, True, 109.7252),
    ("UMa", 25.0, 5000.0, True, 137.6794),
    ("UMa", 25.0, 10.0, False, 82.5131),
    ("UMa", 25.0, 100.0, False, 106.1356),
    ("UMa", 25.0, 1000.0, False, 144.7641),
    ("UMa", 25.0, 5000.0, False, 172.0753),
    ("UMi", 10.0, 10.0, True, 69.8591),
    ("UMi", 10.0, 100.0, True, 88.4122),
    ("UMi", 10.0, 1000.0, True, 119.3114),
    ("UMi", 10.0, 5000.0, True, 147.2696),
    ("UMi", 10.0, 10.0, False, 76.7563),
    ("UMi", 10.0, 100.0, False, 107.9432),
    ("UMi", 10.0, 1000.0, False, 143.1886),
    ("UMi", 10.0, 5000.0, False, 167.8617),
    ("InH", 3.0, 1.0, True, 50.8072),
    ("InH", 3.0, 10.0, True, 63.7630),
    ("InH", 3.0, 50.0, True, 75.7750),
    ("InH", 3.0, 100.0, True, 80.9802),
    ("InH", 3.0, 1.0, False, 50.8072),
    ("InH", 3.0, 10.0, False, 73.1894),
    ("InH", 3.0, 50.0, False, 99.7824),
    ("InH", 3.0, 100.0, False, 111.3062),
]


@pytest.mark.parametrize(("scenario", "hbs", "d2d", "los", "expected"), NS3_VECTORS)
def test_agrees_with_the_ns3_reference_vectors(
    scenario: str, hbs: float, d2d: float, los: bool, expected: float
) -> None:
    got = pathloss(scenario, los=los, fc_ghz=5.0, d2d=d2d, hbs=hbs, hut=1.5)
    assert got == pytest.approx(expected, abs=FOUR_DECIMALS)


def _d3(d2d: float, hbs: float, hut: float) -> float:
    return math.sqrt(d2d**2 + (hbs - hut) ** 2)


# Hand computations: each line is the formula of Table 7.4.1-1 typed out again.
def _hand_cases() -> list[tuple[str, dict[str, float | bool], float]]:
    cases: list[tuple[str, dict[str, float | bool], float]] = []
    # UMa n78, hBS 25, hUT 1.5, d2D 200 (< d'BP = 4·24·0.5·3.5e9/3e8 = 560 m): PL1
    d = _d3(200, 25, 1.5)
    cases.append(("UMa", {"los": True, "fc_ghz": 3.5, "d2d": 200, "hbs": 25, "hut": 1.5},
                  28.0 + 22 * log10(d) + 20 * log10(3.5)))  # fmt: skip
    # UMa n78 d2D 1000 > 560: PL2
    d = _d3(1000, 25, 1.5)
    pl2 = 28.0 + 40 * log10(d) + 20 * log10(3.5) - 9 * log10(560**2 + 23.5**2)
    cases.append(("UMa", {"los": True, "fc_ghz": 3.5, "d2d": 1000, "hbs": 25, "hut": 1.5}, pl2))
    nlos = 13.54 + 39.08 * log10(d) + 20 * log10(3.5) - 0.6 * (1.5 - 1.5)
    cases.append(("UMa", {"los": False, "fc_ghz": 3.5, "d2d": 1000, "hbs": 25, "hut": 1.5},
                  max(pl2, nlos)))  # fmt: skip
    # UMa from a 35 m SOE rooftop, n41, hUT 10 m (extrapolated hBS), NLOS at 800 m
    d = _d3(800, 35, 10)
    dbp = 4 * (35 - 1) * (10 - 1) * 2.595e9 / 3.0e8
    los = (
        (28.0 + 22 * log10(d) + 20 * log10(2.595))
        if dbp >= 800
        else (28.0 + 40 * log10(d) + 20 * log10(2.595) - 9 * log10(dbp**2 + 25**2))
    )
    nlos = 13.54 + 39.08 * log10(d) + 20 * log10(2.595) - 0.6 * (10 - 1.5)
    cases.append(("UMa", {"los": False, "fc_ghz": 2.595, "d2d": 800, "hbs": 35, "hut": 10},
                  max(los, nlos)))  # fmt: skip
    # UMi from a smart pole at 8 m (not ns-3's fixed 10 m), n78, d2D 300 > d'BP = 163.33 m
    d = _d3(300, 8, 1.5)
    dbp = 4 * 7 * 0.5 * 3.5e9 / 3.0e8
    pl2 = 32.4 + 40 * log10(d) + 20 * log10(3.5) - 9.5 * log10(dbp**2 + 6.5**2)
    cases.append(("UMi", {"los": True, "fc_ghz": 3.5, "d2d": 300, "hbs": 8, "hut": 1.5}, pl2))
    nlos = 35.3 * log10(d) + 22.4 + 21.3 * log10(3.5) - 0.3 * (1.5 - 1.5)
    cases.append(("UMi", {"los": False, "fc_ghz": 3.5, "d2d": 300, "hbs": 8, "hut": 1.5},
                  max(pl2, nlos)))  # fmt: skip
    # UMi PL1 at 100 m, UT on a 4th floor (hUT 12 m), n79
    d = _d3(100, 10, 12)
    cases.append(("UMi", {"los": True, "fc_ghz": 4.9, "d2d": 100, "hbs": 10, "hut": 12},
                  32.4 + 21 * log10(d) + 20 * log10(4.9)))  # fmt: skip

    # RMa n28 (0.773 GHz), hBS 35, hUT 1.5, W 20, h 5: dBP = 2π·35·1.5·0.773e9/3e8
    def rma_pl1(dist: float, fc: float, h: float) -> float:
        return (20 * log10(40 * math.pi * dist * fc / 3) + min(0.03 * h**1.72, 10) * log10(dist)
                - min(0.044 * h**1.72, 14.77) + 0.002 * log10(h) * dist)  # fmt: skip

    dbp = 2 * math.pi * 35 * 1.5 * 0.773e9 / 3.0e8  # ≈ 849.9 m
    d = _d3(500, 35, 1.5)
    cases.append(("RMa", {"los": True, "fc_ghz": 0.773, "d2d": 500, "hbs": 35, "hut": 1.5},
                  rma_pl1(d, 0.773, 5)))  # fmt: skip
    d = _d3(3000, 35, 1.5)
    los = rma_pl1(dbp, 0.773, 5) + 40 * log10(d / dbp)
    cases.append(("RMa", {"los": True, "fc_ghz": 0.773, "d2d": 3000, "hbs": 35, "hut": 1.5}, los))
    nlos = (161.04 - 7.1 * log10(20) + 7.5 * log10(5) - (24.37 - 3.7 * (5 / 35) ** 2) * log10(35)
            + (43.42 - 3.1 * log10(35)) * (log10(d) - 3) + 20 * log10(0.773)
            - (3.2 * log10(11.75 * 1.5) ** 2 - 4.97))  # fmt: skip
    cases.append(("RMa", {"los": False, "fc_ghz": 0.773, "d2d": 3000, "hbs": 35, "hut": 1.5},
                  max(los, nlos)))  # fmt: skip
    # RMa with W = 30 m, h = 10 m, hBS 50, hUT 3, n41, NLOS at 2 km
    d = _d3(2000, 50, 3)
    dbp = 2 * math.pi * 50 * 3 * 2.595e9 / 3.0e8
    los = rma_pl1(d, 2.595, 10) if dbp >= 2000 else rma_pl1(dbp, 2.595, 10) + 40 * log10(d / dbp)
    nlos = (161.04 - 7.1 * log10(30) + 7.5 * log10(10) - (24.37 - 3.7 * (10 / 50) ** 2) * log10(50)
            + (43.42 - 3.1 * log10(50)) * (log10(d) - 3) + 20 * log10(2.595)
            - (3.2 * log10(11.75 * 3) ** 2 - 4.97))  # fmt: skip
    cases.append(("RMa", {"los": False, "fc_ghz": 2.595, "d2d": 2000, "hbs": 50, "hut": 3,
                          "street_width": 30, "building_height": 10}, max(los, nlos)))  # fmt: skip
    # InH office n78, ceiling 3 m, UT 1 m, 30 m
    d = _d3(30, 3, 1)
    los = 32.4 + 17.3 * log10(d) + 20 * log10(3.5)
    cases.append(("InH", {"los": True, "fc_ghz": 3.5, "d2d": 30, "hbs": 3, "hut": 1}, los))
    nlos = 17.3 + 38.3 * log10(d) + 24.9 * log10(3.5)
    cases.append(("InH", {"los": False, "fc_ghz": 3.5, "d2d": 30, "hbs": 3, "hut": 1},
                  max(los, nlos)))  # fmt: skip
    return cases


@pytest.mark.parametrize(("scenario", "kwargs", "expected"), _hand_cases())
def test_agrees_with_hand_computation(
    scenario: str, kwargs: dict[str, float], expected: float
) -> None:
    got = pathloss(scenario, **kwargs)  # type: ignore[arg-type]
    assert round(got, 4) == round(expected, 4)
    assert got == pytest.approx(expected, abs=1e-9)


def test_breakpoint_distances_by_hand() -> None:
    assert float(breakpoint_distance_m("UMa", fc_ghz=3.5, hbs=25, hut=1.5)) == pytest.approx(560)
    umi = float(breakpoint_distance_m("UMi", fc_ghz=3.5, hbs=10, hut=1.5))
    assert umi == pytest.approx(4 * 9 * 0.5 * 3.5e9 / 3e8)  # 210 m
    rma = float(breakpoint_distance_m("RMa", fc_ghz=3.5, hbs=35, hut=1.5))
    assert rma == pytest.approx(2 * math.pi * 35 * 1.5 * 3.5e9 / 3e8)  # actual heights, no hE
    assert math.isnan(float(breakpoint_distance_m("InH", fc_ghz=3.5, hbs=3, hut=1)))


def test_exactly_at_the_uma_breakpoint_pl1_applies_and_the_curve_is_continuous() -> None:
    # d'BP = 560 m exactly for n78, hBS 25, hUT 1.5 (hE = 1)
    d = _d3(560, 25, 1.5)
    pl1 = 28.0 + 22 * log10(d) + 20 * log10(3.5)
    at = describe_link("UMa", los=True, fc_ghz=3.5, d2d=560.0, hbs=25, hut=1.5)
    assert at.branch == "PL1" and at.breakpoint_m == pytest.approx(560.0)
    assert at.pathloss_db == pytest.approx(pl1, abs=1e-9)
    past = describe_link("UMa", los=True, fc_ghz=3.5, d2d=560.0 + 1e-6, hbs=25, hut=1.5)
    assert past.branch == "PL2"
    assert past.pathloss_db == pytest.approx(pl1, abs=1e-5)  # PL2(d'BP) = PL1(d'BP)


def test_exactly_at_the_rma_breakpoint() -> None:
    dbp = 2 * math.pi * 35 * 1.5 * 3.5e9 / 3.0e8
    below = describe_link("RMa", los=True, fc_ghz=3.5, d2d=dbp * (1 - 1e-12), hbs=35, hut=1.5)
    beyond = describe_link("RMa", los=True, fc_ghz=3.5, d2d=dbp * (1 + 1e-12), hbs=35, hut=1.5)
    assert below.branch == "PL1" and beyond.branch == "PL2"
    assert below.sigma_sf_db == 4.0 and beyond.sigma_sf_db == 6.0
    # PL1(dBP) taken at distance dBP (ns-3/Sionna) vs at d3D: a jump well under 0.1 dB
    assert abs(below.pathloss_db - beyond.pathloss_db) < 0.1


@pytest.mark.parametrize(
    ("scenario", "hbs", "low", "high_los", "high_nlos"),
    [("UMa", 25, 10, 5000, 5000), ("UMi", 10, 10, 5000, 5000), ("RMa", 35, 10, 10000, 5000)],
)
def test_distance_edges_are_valid_and_beyond_them_is_an_error(
    scenario: str, hbs: float, low: float, high_los: float, high_nlos: float
) -> None:
    for los, high in ((True, high_los), (False, high_nlos)):
        args = {"los": los, "fc_ghz": 3.5, "hbs": hbs, "hut": 1.5}
        assert math.isfinite(pathloss(scenario, d2d=low, **args))  # type: ignore[arg-type]
        assert math.isfinite(pathloss(scenario, d2d=high, **args))  # type: ignore[arg-type]
        for bad in (low - 0.001, high + 0.001):
            with pytest.raises(OutOfRange) as err:
                pathloss(scenario, d2d=bad, **args)  # type: ignore[arg-type]
            assert err.value.parameter == "d2d" and err.value.value == bad
            assert (err.value.low, err.value.high) == (low, high)


def test_ten_metres_by_hand() -> None:
    d = _d3(10, 25, 1.5)
    los = 28.0 + 22 * log10(d) + 20 * log10(3.5)
    nlos = 13.54 + 39.08 * log10(d) + 20 * log10(3.5)
    assert pathloss("UMa", los=True, fc_ghz=3.5, d2d=10, hbs=25, hut=1.5) == pytest.approx(los)
    assert pathloss("UMa", los=False, fc_ghz=3.5, d2d=10, hbs=25, hut=1.5) == pytest.approx(
        max(los, nlos)
    )


def test_five_km_by_hand() -> None:
    d = _d3(5000, 10, 1.5)
    dbp = 4 * 9 * 0.5 * 3.5e9 / 3e8
    los = 32.4 + 40 * log10(d) + 20 * log10(3.5) - 9.5 * log10(dbp**2 + 8.5**2)
    assert pathloss("UMi", los=True, fc_ghz=3.5, d2d=5000, hbs=10, hut=1.5) == pytest.approx(los)


def test_nlos_is_the_max_of_los_and_nlos_prime_everywhere() -> None:
    d = np.geomspace(10, 5000, 200)
    for scenario, hbs in (("UMa", 25), ("UMi", 10), ("RMa", 35)):
        for fc in (0.773, 3.5, 28.0):
            los = pathloss_db(scenario, los=True, fc_ghz=fc, d2d=d, hbs=hbs, hut=1.5)
            nlos = pathloss_db(scenario, los=False, fc_ghz=fc, d2d=d, hbs=hbs, hut=1.5)
            assert np.all(nlos >= los)
    # where NLOS' falls below LOS the NLOS value *is* the LOS value (InH at d3D ≈ 1.8 m)
    link = describe_link("InH", los=False, fc_ghz=5.0, d2d=1.0, hbs=3, hut=1.5)
    assert link.pl_nlos_prime_db < link.pl_los_db
    assert link.pathloss_db == link.pl_los_db


def test_vectorised_equals_scalar() -> None:
    rng = np.random.default_rng(7)
    d2d = rng.uniform(10, 5000, 64)
    hut = rng.uniform(1.5, 12.5, 64)
    los = rng.random(64) < 0.5
    for scenario, hbs, fc in (("UMa", 25.0, 3.5), ("UMi", 8.0, 2.6), ("RMa", 35.0, 0.773)):
        h = np.minimum(hut, 10.0) if scenario == "RMa" else hut
        vec = pathloss_db(scenario, los=los, fc_ghz=fc, d2d=d2d, hbs=hbs, hut=h)
        one = [
            pathloss(scenario, los=bool(lo), fc_ghz=fc, d2d=float(d), hbs=hbs, hut=float(u))
            for lo, d, u in zip(los, d2d, h, strict=True)
        ]
        np.testing.assert_allclose(vec, one, rtol=0, atol=1e-12)
    # broadcasting: a (3, 1) column of heights against a row of distances
    grid = pathloss_db("UMa", los=False, fc_ghz=3.5, d2d=[[50, 500]], hbs=[[20], [25], [30]],
                       hut=1.5)  # fmt: skip
    assert grid.shape == (3, 2)
    assert grid[1, 1] == pytest.approx(
        pathloss("UMa", los=False, fc_ghz=3.5, d2d=500, hbs=25, hut=1.5)
    )


def test_uma_below_13_m_is_deterministic() -> None:
    a = pathloss("UMa", los=True, fc_ghz=3.5, d2d=300, hbs=25, hut=12.9)
    b = pathloss("UMa", los=True, fc_ghz=3.5, d2d=300, hbs=25, hut=12.9,
                 rng=np.random.default_rng(1))  # fmt: skip
    assert a == b
    assert float(uma_c(300, 12.9)) == 0.0
    assert float(uma_c(18, 20)) == 0.0  # g(d2D) = 0 for d2D ≤ 18 m
    c = ((20 - 13) / 10) ** 1.5 * (5 / 4) * (300 / 100) ** 3 * math.exp(-300 / 150)  # by hand
    assert float(uma_c(300, 20)) == pytest.approx(c)


def test_uma_from_13_m_draws_he_per_link() -> None:
    with pytest.raises(NeedsRandomness) as err:
        pathloss("UMa", los=True, fc_ghz=3.5, d2d=300, hbs=25, hut=20)
    assert err.value.code == "ZG-RADIO-005"
    # d2D ≤ 18 m: C = 0, hE = 1 — no randomness needed
    pathloss("UMa", los=True, fc_ghz=3.5, d2d=15, hbs=25, hut=20)
    n = 20_000
    he = draw_uma_he(np.full(n, 300.0), np.full(n, 20.0), np.random.default_rng(5))
    assert set(np.unique(he)) <= {1.0, 12.0, 15.0, 18.0}  # {12, 15, …, hUT − 1.5 = 18.5}
    c = ((20 - 13) / 10) ** 1.5 * 1.25 * 27 * math.exp(-2)
    assert np.mean(he == 1.0) == pytest.approx(1 / (1 + c), abs=0.02)
    upper = he[he > 1]
    for value in (12.0, 15.0, 18.0):
        assert np.mean(upper == value) == pytest.approx(1 / 3, abs=0.03)
    # the path loss of a link is the formula at its drawn hE; same seed, same draw
    kw = {"los": True, "fc_ghz": 3.5, "d2d": np.full(64, 1000.0), "hbs": 25, "hut": 20}
    pl = pathloss_db("UMa", rng=np.random.default_rng(9), **kw)  # type: ignore[arg-type]
    again = pathloss_db("UMa", rng=np.random.default_rng(9), **kw)  # type: ignore[arg-type]
    np.testing.assert_array_equal(pl, again)
    d = _d3(1000, 25, 20)
    allowed = []
    for h_e in (1.0, 12.0, 15.0, 18.0):
        dbp = 4 * (25 - h_e) * (20 - h_e) * 3.5e9 / 3e8
        allowed.append(28 + 22 * log10(d) + 20 * log10(3.5) if dbp >= 1000 else
                       28 + 40 * log10(d) + 20 * log10(3.5) - 9 * log10(dbp**2 + 5**2))  # fmt: skip
    assert all(min(abs(v - a) for a in allowed) < 1e-9 for v in pl)
    assert len({round(float(v), 6) for v in pl}) > 1  # links differ (hE 18 → d'BP 653 m: PL2)
    # a fixed hE is also accepted
    fixed = pathloss("UMa", los=True, fc_ghz=3.5, d2d=1000, hbs=25, hut=20, he=18)
    assert fixed == pytest.approx(allowed[3])


def test_validity_errors_name_parameter_value_and_range_in_both_languages() -> None:
    with pytest.raises(OutOfRange) as err:
        pathloss("UMa", los=True, fc_ghz=3.5, d2d=100, hbs=25, hut=30)
    e = err.value
    assert e.code == "ZG-RADIO-002" and e.parameter == "hut" and e.value == 30
    assert "hut = 30 m" in e.message_zh and "[1.5, 22.5]" in e.message_zh
    assert "hut = 30 m" in e.message_en and "[1.5, 22.5]" in e.message_en
    assert "Table 7.4.1-1" in e.message_en
    with pytest.raises(OutOfRange) as err:
        pathloss("RMa", los=True, fc_ghz=35, d2d=100, hbs=35, hut=1.5)
    assert err.value.parameter == "fc" and err.value.high == 30
    with pytest.raises(OutOfRange) as err:
        pathloss("UMi", los=True, fc_ghz=0.4, d2d=100, hbs=10, hut=1.5)
    assert err.value.parameter == "fc" and err.value.low == 0.5
    with pytest.raises(OutOfRange) as err:
        pathloss("RMa", los=False, fc_ghz=0.773, d2d=100, hbs=35, hut=1.5, street_width=60)
    assert err.value.parameter == "street_width"
    with pytest.raises(OutOfRange) as err:
        pathloss("RMa", los=False, fc_ghz=0.773, d2d=100, hbs=35, hut=1.5, building_height=2)
    assert err.value.parameter == "building_height"
    with pytest.raises(OutOfRange) as err:
        pathloss("UMa", los=True, fc_ghz=3.5, d2d=100, hbs=15, hut=20, he=12)
    assert err.value.parameter == "hbs"
    with pytest.raises(OutOfRange) as err:
        pathloss("InH", los=True, fc_ghz=3.5, d2d=0.1, hbs=1.5, hut=1.0)
    assert err.value.parameter == "d3d" and err.value.low == 1.0
    with pytest.raises(OutOfRange) as err:
        pathloss("UMa", los=True, fc_ghz=3.5, d2d=100, hbs=25, hut=5, he=12)
    assert err.value.parameter == "he"
    with pytest.raises(OutOfRange) as err:  # arrays: the first offender and how many
        pathloss_db("UMa", los=True, fc_ghz=3.5, d2d=[100, 3, 4], hbs=25, hut=1.5)
    assert err.value.value == 3 and err.value.details["count"] == 2
    with pytest.raises(RadioError) as err2:
        pathloss("UMa", los=True, fc_ghz=math.nan, d2d=100, hbs=25, hut=1.5)
    assert err2.value.code == "ZG-RADIO-001"
    with pytest.raises(UnknownScenario):
        pathloss("SMa", los=True, fc_ghz=3.5, d2d=100, hbs=25, hut=1.5)


def test_extrapolated_heights_are_flagged_not_refused() -> None:
    link = describe_link("UMa", los=False, fc_ghz=3.5, d2d=400, hbs=45, hut=1.5)
    assert link.notes and "25" in link.notes[0][1]
    assert not describe_link("UMa", los=False, fc_ghz=3.5, d2d=400, hbs=25, hut=1.5).notes
