"""The radio model: 3GPP TR 38.901 path loss, LOS probability, shadow fading and O2I
penetration, the carriers' NR bands, and a downlink link budget (RSRP, SINR).

Vectorised numpy functions (they feed the coverage kernel) with scalar wrappers; inputs
outside a formula's validity range raise ``OutOfRange`` (ZG-RADIO-002) naming the parameter.
"""

from zhiguo.operations.radio.bands import BANDS, Band, get_band, prb_count
from zhiguo.operations.radio.errors import (
    NeedsRandomness,
    OutOfRange,
    RadioError,
    UnknownBand,
    UnknownScenario,
)
from zhiguo.operations.radio.fading import (
    O2I_SIGMA_HIGH_DB,
    O2I_SIGMA_LOW_DB,
    draw_d2d_in,
    draw_shadow_fading_db,
    o2i_high_loss_db,
    o2i_low_loss_db,
    o2i_sub6_loss_db,
    shadow_fading_std_db,
    shadowing_margin_db,
)
from zhiguo.operations.radio.linkbudget import (
    THERMAL_NOISE_DBM_PER_HZ,
    AntennaPattern,
    LinkBudget,
    antenna_angles_deg,
    best_server,
    epre_dbm,
    sinr_db,
    thermal_noise_dbm,
)
from zhiguo.operations.radio.pathloss import (
    SCENARIOS,
    SPEED_OF_LIGHT,
    LinkPathloss,
    Range,
    Scenario,
    breakpoint_distance_m,
    describe_link,
    draw_uma_he,
    get_scenario,
    los_probability,
    los_weighted_pathloss_db,
    pathloss,
    pathloss_db,
    uma_c,
)

__all__ = [
    "BANDS",
    "O2I_SIGMA_HIGH_DB",
    "O2I_SIGMA_LOW_DB",
    "SCENARIOS",
    "SPEED_OF_LIGHT",
    "THERMAL_NOISE_DBM_PER_HZ",
    "AntennaPattern",
    "Band",
    "LinkBudget",
    "LinkPathloss",
    "NeedsRandomness",
    "OutOfRange",
    "RadioError",
    "Range",
    "Scenario",
    "UnknownBand",
    "UnknownScenario",
    "antenna_angles_deg",
    "best_server",
    "breakpoint_distance_m",
    "describe_link",
    "draw_d2d_in",
    "draw_shadow_fading_db",
    "draw_uma_he",
    "epre_dbm",
    "get_band",
    "get_scenario",
    "los_probability",
    "los_weighted_pathloss_db",
    "o2i_high_loss_db",
    "o2i_low_loss_db",
    "o2i_sub6_loss_db",
    "pathloss",
    "pathloss_db",
    "prb_count",
    "shadow_fading_std_db",
    "shadowing_margin_db",
    "sinr_db",
    "thermal_noise_dbm",
    "uma_c",
]
