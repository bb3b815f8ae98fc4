"""Site type → radio: one rule shared by the coverage run and the planning matrix."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from zhiguo.operations.coverage.kernel import nlos_pathloss_db
from zhiguo.operations.coverage.siteradio import OUTDOOR_TYPES, eirp_dbm, kernel_sites
from zhiguo.operations.radio import pathloss_db
from zhiguo.operations.radio.bands import get_band


@dataclass
class Row:
    x_m: float
    y_m: float
    height_m: float
    site_type: str


def test_eirp_is_epre_plus_gain_minus_body_loss() -> None:
    band = get_band("n78")  # 273 PRB at 30 kHz → 3,276 RE
    epre = 53.0 - 10 * np.log10(273 * 12)
    assert eirp_dbm("rooftop", band) == pytest.approx(epre + 8.0 - 3.0, abs=1e-9)
    assert eirp_dbm("smart_pole", band) == pytest.approx(38.0 - 10 * np.log10(3276) + 5.0 - 3.0)


def test_indoor_venues_have_no_outdoor_prediction() -> None:
    assert "indoor" not in OUTDOOR_TYPES
    with pytest.raises(KeyError):
        kernel_sites([Row(0, 0, 5, "indoor")], get_band("n78"))


def test_poles_are_umi_and_rooftops_uma_in_the_kernel() -> None:
    band = get_band("n78")
    sites = kernel_sites([Row(0, 0, 30, "rooftop"), Row(0, 0, 10, "smart_pole")], band)
    assert sites.scenario == ("UMa", "UMi")
    kern = nlos_pathloss_db(sites, np.array([[200.0, 200.0]]), fc_ghz=band.fc_ghz)
    uma = pathloss_db("UMa", los=False, fc_ghz=band.fc_ghz, d2d=200.0, hbs=30.0, hut=1.5)
    umi = pathloss_db("UMi", los=False, fc_ghz=band.fc_ghz, d2d=200.0, hbs=10.0, hut=1.5)
    assert np.ravel(kern) == pytest.approx([float(uma), float(umi)], abs=1e-9)
