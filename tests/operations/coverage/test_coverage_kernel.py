"""The coverage kernel against the radio package, a hand-built 3-site case, plain SINR
arithmetic, the float32 bound and chunking invariance."""

from __future__ import annotations

import math

import numpy as np
import pytest

from zhiguo.operations.coverage import (
    FLOAT32_RSRP_TOL_DB,
    FLOAT32_SINR_TOL_DB,
    Grid,
    Sites,
    best_server_map,
    nlos_pathloss_db,
    plan_tiles,
)
from zhiguo.operations.radio import OutOfRange, get_band, pathloss_db, thermal_noise_dbm

N78 = get_band("n78")


def random_city(n: int = 60, seed: int = 3) -> tuple[Grid, Sites]:
    rng = np.random.default_rng(seed)
    grid = Grid(500_000.0, 2_490_000.0, 90, 70, 50.0)  # EPSG:4547-like coordinates
    pole = rng.random(n) < 0.4
    sites = Sites.build(
        x=grid.x_min - 500 + rng.random(n) * 5_500,
        y=grid.y_min - 500 + rng.random(n) * 4_500,
        height_m=np.where(pole, rng.uniform(6, 12, n), rng.uniform(25, 45, n)),
        eirp_dbm=np.where(pole, 12.0, 28.0) + rng.uniform(0, 4, n),
        scenario=["UMi" if p else "UMa" for p in pole],
    )
    return grid, sites


@pytest.mark.parametrize("scenario", ["UMa", "UMi"])
@pytest.mark.parametrize("fc", [0.773, 2.595, 3.5, 4.9])
def test_pathloss_equals_radio_package_on_random_pairs(scenario: str, fc: float) -> None:
    rng = np.random.default_rng(7)
    n = 400
    hbs = rng.uniform(6.0, 60.0, n) if scenario == "UMi" else rng.uniform(10.0, 60.0, n)
    hbs = np.minimum(hbs, 50.0) if scenario == "UMi" else hbs
    d2d = np.exp(rng.uniform(np.log(10.0), np.log(5000.0), n))
    hut = 1.5
    sites = Sites.build(x=np.zeros(n), y=np.zeros(n), height_m=hbs, eirp_dbm=0.0, scenario=scenario)
    ours = nlos_pathloss_db(sites, d2d, fc_ghz=fc, hut_m=hut)  # pair j: site j at d2d[j]
    ref = pathloss_db(scenario, los=False, fc_ghz=fc, d2d=d2d, hbs=hbs, hut=hut)
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-9)


def test_raster_rsrp_equals_radio_package_per_pixel() -> None:
    """One UMa and one UMi site: the raster's RSRP at every covered pixel is EIRP −
    radio.pathloss_db of the best site (float64, to 1e-9 dB)."""
    grid = Grid(1_000.0, 2_000.0, 60, 50, 25.0)
    sites = Sites.build(
        x=[1_400.0, 2_300.0],
        y=[2_600.0, 2_900.0],
        height_m=[30.0, 8.0],
        eirp_dbm=[28.0, 14.0],
        scenario=["UMa", "UMi"],
    )
    out = best_server_map(grid, sites, N78, cutoff_m=600.0, threads=1)
    yy, xx = np.meshgrid(grid.centres_y(), grid.centres_x(), indexing="ij")
    expect = np.full(out.rsrp_dbm.shape, -np.inf)
    for j, scen in enumerate(("UMa", "UMi")):
        d = np.hypot(xx - sites.x[j], yy - sites.y[j])
        pl = pathloss_db(
            scen,
            los=False,
            fc_ghz=3.5,
            d2d=np.clip(d, 10.0, 5000.0),
            hbs=sites.height_m[j],
            hut=1.5,
        )
        expect = np.maximum(expect, np.where(d <= 600.0, sites.eirp_dbm[j] - pl, -np.inf))
    assert np.array_equal(np.isfinite(out.rsrp_dbm), np.isfinite(expect))
    cov = np.isfinite(expect)
    assert cov.sum() > 100 and (~cov).sum() > 100
    np.testing.assert_allclose(out.rsrp_dbm[cov], expect[cov], rtol=0, atol=1e-9)


def test_cutoff_is_honoured() -> None:
    grid, sites = random_city()
    cutoff = 1_200.0
    out = best_server_map(grid, sites, N78, cutoff_m=cutoff, threads=1)
    yy, xx = np.meshgrid(grid.centres_y(), grid.centres_x(), indexing="ij")
    d = np.hypot(xx[..., None] - sites.x, yy[..., None] - sites.y)
    within = d <= cutoff
    # a pixel is served iff some site is within the cut-off, and its server is one of them
    assert np.array_equal(out.server >= 0, within.any(axis=-1))
    r, c = np.nonzero(out.server >= 0)
    assert np.all(d[r, c, out.server[r, c]] <= cutoff)
    assert np.all(out.rsrp_dbm[out.server < 0] == -np.inf)
    assert np.all(out.sinr_db[out.server < 0] == -np.inf)
    # a strong site just beyond the cut-off neither serves nor interferes
    lone = Grid(0.0, 0.0, 1, 1, 10.0)
    two = Sites.build(
        x=[505.0, 2_000.0 + 5.0 + 1.0], y=[5.0, 5.0], height_m=[25.0, 25.0], eirp_dbm=[0.0, 60.0]
    )
    one = best_server_map(lone, two, N78, cutoff_m=2_000.0, threads=1)
    assert one.server[0, 0] == 0
    alone = best_server_map(
        lone,
        Sites.build(x=[505.0], y=[5.0], height_m=[25.0], eirp_dbm=[0.0]),
        N78,
        cutoff_m=2_000.0,
        threads=1,
    )
    assert one.sinr_db[0, 0] == alone.sinr_db[0, 0]


def _uma_nlos_by_hand(d2d: float, hbs: float, fc: float = 3.5, hut: float = 1.5) -> float:
    """TR 38.901 Table 7.4.1-1 UMa NLOS, typed out: max(PL_LOS, PL')."""
    d3d = math.sqrt(d2d**2 + (hbs - hut) ** 2)
    d_bp = 4 * (hbs - 1) * (hut - 1) * fc * 1e9 / 3.0e8
    if d2d <= d_bp:
        los = 28.0 + 22 * math.log10(d3d) + 20 * math.log10(fc)
    else:
        los = (
            28.0
            + 40 * math.log10(d3d)
            + 20 * math.log10(fc)
            - 9 * math.log10(d_bp**2 + (hbs - hut) ** 2)
        )
    nlos = 13.54 + 39.08 * math.log10(d3d) + 20 * math.log10(fc) - 0.6 * (hut - 1.5)
    return max(los, nlos)


def test_best_server_and_sinr_on_three_sites_by_hand() -> None:
    """Three UMa sites on a line, one pixel row; RSRP, server and SINR by plain arithmetic."""
    grid = Grid(0.0, 0.0, 5, 1, 100.0)  # pixel centres x = 50, 150, 250, 350, 450; y = 50
    xs, eirp = [0.0, 300.0, 600.0], [20.0, 26.0, 23.0]
    sites = Sites.build(x=xs, y=[50.0] * 3, height_m=[25.0] * 3, eirp_dbm=eirp)
    noise = float(thermal_noise_dbm(30e3, 7.0))  # −174 + 10 log10(30 kHz) + 7 dB
    assert noise == pytest.approx(-122.228787, abs=1e-6)
    out = best_server_map(grid, sites, N78, cutoff_m=1_000.0, threads=1)
    for col, px in enumerate([50.0, 150.0, 250.0, 350.0, 450.0]):
        rsrp = [e - _uma_nlos_by_hand(abs(px - x), 25.0) for x, e in zip(xs, eirp, strict=True)]
        best = int(np.argmax(rsrp))
        mw = [10 ** (r / 10) for r in rsrp]
        sinr = 10 * math.log10(mw[best] / (10 ** (noise / 10) + sum(mw) - mw[best]))
        assert out.server[0, col] == best
        assert out.rsrp_dbm[0, col] == pytest.approx(rsrp[best], abs=1e-9)
        assert out.sinr_db[0, col] == pytest.approx(sinr, abs=1e-9)
    # by hand: at x = 50 site 0 is 50 m away (EIRP 20) and site 1 250 m (EIRP 26): 39.08 ·
    # log10(251.1 / 55.25) = 25.7 dB more loss outweighs 6 dB more EIRP → site 0. At 150 and
    # 450 m two sites are equally far: the higher EIRP wins (site 1: 26 > 20, 26 > 23).
    assert list(out.server[0]) == [0, 1, 1, 1, 1]
    # x = 250: site 1 at d2D = 50 m, d3D = √(50² + 23.5²) = 55.2472 m, d'BP = 4·24·0.5·3.5e9
    # / 3e8 = 560 m ≥ d2D → PL1 = 28 + 22·1.74231 + 20·0.54407 = 77.2122; PL' = 13.54 +
    # 39.08·1.74231 + 10.88136 = 92.5108 (the max) → RSRP = 26 − 92.5108 = −66.5108 dBm
    assert out.rsrp_dbm[0, 2] == pytest.approx(-66.5108, abs=1e-4)
    # half load halves the interference: SINR rises
    half = best_server_map(grid, sites, N78, cutoff_m=1_000.0, load=0.5, threads=1)
    assert np.all(half.sinr_db > out.sinr_db)


def test_pixels_nearer_than_10m_take_the_10m_value() -> None:
    grid = Grid(0.0, 0.0, 1, 1, 10.0)  # centre (5, 5)
    at = Sites.build(x=[5.0], y=[5.0], height_m=[25.0], eirp_dbm=[20.0])
    ten = Sites.build(x=[15.0], y=[5.0], height_m=[25.0], eirp_dbm=[20.0])
    a = best_server_map(grid, at, N78, threads=1)
    b = best_server_map(grid, ten, N78, threads=1)
    assert a.rsrp_dbm[0, 0] == pytest.approx(b.rsrp_dbm[0, 0], abs=1e-12)
    assert a.rsrp_dbm[0, 0] == pytest.approx(20.0 - _uma_nlos_by_hand(10.0, 25.0), abs=1e-9)


def test_float32_within_its_bound() -> None:
    grid, sites = random_city(n=120, seed=11)
    f64 = best_server_map(grid, sites, N78, cutoff_m=2_500.0, threads=1)
    f32 = best_server_map(grid, sites, N78, cutoff_m=2_500.0, dtype=np.float32, threads=1)
    cov = np.isfinite(f64.rsrp_dbm)
    assert np.array_equal(cov, np.isfinite(f32.rsrp_dbm))
    assert np.max(np.abs(f32.rsrp_dbm[cov] - f64.rsrp_dbm[cov])) <= FLOAT32_RSRP_TOL_DB
    band = cov & (np.abs(f64.sinr_db) <= 60)
    assert np.max(np.abs(f32.sinr_db[band] - f64.sinr_db[band])) <= FLOAT32_SINR_TOL_DB
    assert np.mean(f32.server == f64.server) > 0.999


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_chunking_and_threads_give_identical_results(dtype: type[np.floating]) -> None:  # type: ignore[type-arg]
    grid, sites = random_city(n=80, seed=5)
    plan = plan_tiles(grid, sites, cutoff_m=2_000.0, tile_px=8)
    ref = best_server_map(
        grid, sites, N78, cutoff_m=2_000.0, dtype=dtype, plan=plan, chunk_pairs=1, threads=1
    )
    for chunk, threads in [(1 << 10, 1), (5_000, 2), (1 << 14, 2), (1 << 30, 1)]:
        out = best_server_map(
            grid,
            sites,
            N78,
            cutoff_m=2_000.0,
            dtype=dtype,
            plan=plan,
            chunk_pairs=chunk,
            threads=threads,
        )
        assert np.array_equal(out.rsrp_dbm, ref.rsrp_dbm)
        assert np.array_equal(out.sinr_db, ref.sinr_db)
        assert np.array_equal(out.server, ref.server)
    # a different tile size changes only summation order
    other = best_server_map(grid, sites, N78, cutoff_m=2_000.0, dtype=dtype, tile_px=16)
    assert np.array_equal(other.server, ref.server)
    np.testing.assert_allclose(other.rsrp_dbm, ref.rsrp_dbm, rtol=0, atol=1e-9)


def test_plan_counts_pairs_within_the_cutoff() -> None:
    grid, sites = random_city(n=50, seed=2)
    plan = plan_tiles(grid, sites, cutoff_m=1_500.0, tile_px=16, count_pairs=True)
    yy, xx = np.meshgrid(grid.centres_y(), grid.centres_x(), indexing="ij")
    d = np.hypot(xx[..., None] - sites.x, yy[..., None] - sites.y)
    assert plan.in_cutoff_pairs == int(np.count_nonzero(d <= 1_500.0))
    assert plan.pairs >= plan.in_cutoff_pairs


def test_inputs_outside_the_model_are_refused() -> None:
    grid = Grid(0.0, 0.0, 4, 4, 50.0)
    ok = {"x": [0.0], "y": [0.0], "height_m": [25.0], "eirp_dbm": [20.0]}
    with pytest.raises(OutOfRange):
        best_server_map(grid, Sites.build(**ok), N78, hut_m=15.0)  # hE would be random
    with pytest.raises(OutOfRange):
        best_server_map(grid, Sites.build(**{**ok, "height_m": [1.0]}), N78)
    with pytest.raises(OutOfRange):
        best_server_map(grid, Sites.build(**ok), N78, cutoff_m=6_000.0)
    with pytest.raises(OutOfRange):
        best_server_map(grid, Sites.build(**{**ok, "eirp_dbm": [120.0]}), N78)
    with pytest.raises(OutOfRange):
        Sites.build(**ok, scenario="RMa")
