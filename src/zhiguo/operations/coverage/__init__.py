"""Coverage prediction: best-server RSRP, SINR and server id per pixel of a raster in a
projected metric CRS, for a set of sites and a band (TR 38.901 UMa/UMi NLOS, distance
cut-off). The kernel is tuned numpy; see ``README.md`` for its contracts and figures.
"""

from zhiguo.operations.coverage.kernel import (
    FLOAT32_RSRP_TOL_DB,
    FLOAT32_SINR_TOL_DB,
    CoverageMap,
    Grid,
    SiteConstants,
    Sites,
    TilePlan,
    best_server_map,
    nlos_pathloss_db,
    plan_tiles,
    site_constants,
)

__all__ = [
    "FLOAT32_RSRP_TOL_DB",
    "FLOAT32_SINR_TOL_DB",
    "CoverageMap",
    "Grid",
    "SiteConstants",
    "Sites",
    "TilePlan",
    "best_server_map",
    "nlos_pathloss_db",
    "plan_tiles",
    "site_constants",
]
