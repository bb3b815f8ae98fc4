"""The coverage matrix: which demand pixels each candidate covers, aggregated exactly."""

from __future__ import annotations

import numpy as np
import pytest

from zhiguo.operations.coverage.kernel import Grid, Sites, nlos_pathloss_db
from zhiguo.operations.coverage.siteradio import eirp_dbm
from zhiguo.operations.planning.matrix import aggregate_rows, coverage_matrix, site_reach_m
from zhiguo.operations.radio import get_band

FC = 3.5


def rows_of(m) -> list[tuple[list[int], float]]:
    return [
        (sorted(m.indices[m.indptr[r] : m.indptr[r + 1]].tolist()), float(m.weight[r]))
        for r in range(m.n_rows)
    ]


def test_hand_built_three_sites() -> None:
    # one row of 20 pixels (50 m) from x = 0 to 1000; strong sites, a 500 m cut-off decides:
    # A at x = 0 reaches centres 25..475 (the left half), B at x = 1000 the right half, C in
    # the middle all of it, D far away nothing.
    grid = Grid(x_min=0.0, y_min=0.0, nx=20, ny=1, resolution_m=50.0)
    sites = Sites.build(x=[0.0, 1000.0, 500.0, 9000.0], y=[25.0] * 4, height_m=30.0, eirp_dbm=40.0)
    w = np.arange(1.0, 21.0)[None, :]
    w[0, 3] = 0.0  # no demand: not a row
    m = coverage_matrix(grid, w, sites, fc_ghz=FC, threshold_dbm=-105.0, cutoff_m=500.0)
    left = w[0, :10].sum()
    right = w[0, 10:].sum()
    assert rows_of(m) == [([0, 2], left), ([1, 2], right)]
    assert m.pixel.size == 19 and m.pairs == 19 * 2
    assert m.total_weight == pytest.approx(w.sum())
    # the way back: every pixel of the left half maps to row 0
    assert set(m.row_of_pixel[m.pixel < 10].tolist()) == {0}
    assert set(m.row_of_pixel[m.pixel >= 10].tolist()) == {1}
    # what all allowed columns reach; without C and A only the right half
    assert m.reachable_weight(np.array([True, True, True, True])) == pytest.approx(w.sum())
    assert m.reachable_weight(np.array([False, True, False, True])) == pytest.approx(right)


def test_threshold_decides_and_unreached_pixels_share_an_empty_row() -> None:
    grid = Grid(x_min=0.0, y_min=0.0, nx=40, ny=1, resolution_m=50.0)
    band = get_band("n78")
    sites = Sites.build(x=[0.0], y=[25.0], height_m=30.0, eirp_dbm=eirp_dbm("rooftop", band))
    m = coverage_matrix(
        grid, np.ones((1, 40)), sites, fc_ghz=FC, threshold_dbm=-105.0, cutoff_m=2500.0
    )
    reach = site_reach_m(sites, fc_ghz=FC, threshold_dbm=-105.0, cutoff_m=2500.0)[0]
    assert 300.0 < reach < 600.0  # a rooftop macro at n78: a few hundred metres
    n_in = int(np.count_nonzero(np.hypot(grid.centres_x(), 0.0) <= reach))
    assert rows_of(m) == [([0], float(n_in)), ([], float(40 - n_in))]


def test_matches_brute_force_with_the_kernel_path_loss() -> None:
    rng = np.random.default_rng(7)
    grid = Grid(x_min=1000.0, y_min=2000.0, nx=30, ny=25, resolution_m=40.0)
    n = 12
    band = get_band("n78")
    types = rng.choice(["rooftop", "smart_pole", "hub"], n)
    sites = Sites.build(
        x=rng.uniform(900, 2300, n),
        y=rng.uniform(1900, 3100, n),
        height_m=np.where(types == "smart_pole", 10.0, 25.0),
        eirp_dbm=[eirp_dbm(t, band) for t in types],
        scenario=["UMi" if t == "smart_pole" else "UMa" for t in types],
    )
    w = rng.integers(0, 4, (grid.ny, grid.nx)).astype(float)
    m = coverage_matrix(grid, w, sites, fc_ghz=FC, threshold_dbm=-100.0, cutoff_m=1500.0)
    xx, yy = np.meshgrid(grid.centres_x(), grid.centres_y())
    d = np.hypot(xx.ravel()[:, None] - sites.x, yy.ravel()[:, None] - sites.y)
    rsrp = sites.eirp_dbm - nlos_pathloss_db(sites, d, fc_ghz=FC)
    a = (rsrp >= -100.0) & (d <= 1500.0)
    expected: dict[tuple[int, ...], float] = {}
    for p in np.flatnonzero(w.ravel() > 0):
        key = tuple(np.flatnonzero(a[p]).tolist())
        expected[key] = expected.get(key, 0.0) + w.ravel()[p]
    got = {tuple(cols): wt for cols, wt in rows_of(m)}
    assert got == pytest.approx(expected)
    assert m.pairs == int(a[w.ravel() > 0].sum())
    assert len(got) < int(np.count_nonzero(w))  # aggregation did merge rows


def test_aggregation_sums_weights_and_keeps_coverage() -> None:
    pixel = np.arange(6, dtype=np.int64)
    weight = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    # pixel → sites: 0:{0,1} 1:{2} 2:{0,1} 3:{} 4:{2} 5:{}
    pp = np.array([0, 0, 1, 2, 2, 4])
    ps = np.array([1, 0, 2, 0, 1, 2])
    m = aggregate_rows(pixel, weight, pp, ps, n_cols=3)
    assert rows_of(m) == [([0, 1], 4.0), ([2], 7.0), ([], 10.0)]
    assert m.row_of_pixel.tolist() == [0, 1, 0, 2, 1, 2]
    # coverage of any column set is the same before and after aggregation
    for chosen in ({0}, {2}, {1, 2}, set()):
        before = sum(weight[p] for p in range(6) if set(ps[pp == p].tolist()) & chosen)
        after = sum(wt for cols, wt in rows_of(m) if set(cols) & chosen)
        assert before == after
