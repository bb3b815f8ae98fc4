"""Demand: population or traffic weight per pixel of a grid over the city (issue 6, part 4).

A :class:`DemandRaster` is made by :func:`synthetic_demand` (a fictitious city on the real
district outlines), or read from a CSV of points or a GeoTIFF count raster
(:func:`read_demand_file`); :func:`publish_demand` commits it as the lake dataset
``operations.demand`` and :func:`latest_demand` reads the latest back. See ``README.md``.
"""

from zhiguo.operations.demand.errors import DemandError, NoDemand
from zhiguo.operations.demand.io import (
    read_demand_csv,
    read_demand_file,
    read_demand_geotiff,
    write_demand_geotiff,
)
from zhiguo.operations.demand.lake import PublishedDemand, latest_demand, publish_demand
from zhiguo.operations.demand.raster import (
    UNITS,
    DemandRaster,
    bin_points,
    city_grid,
    district_raster,
    resample,
)
from zhiguo.operations.demand.synthetic import SYNTHETIC_TOTAL, synthetic_demand

__all__ = [
    "SYNTHETIC_TOTAL",
    "UNITS",
    "DemandError",
    "DemandRaster",
    "NoDemand",
    "PublishedDemand",
    "bin_points",
    "city_grid",
    "district_raster",
    "latest_demand",
    "publish_demand",
    "read_demand_csv",
    "read_demand_file",
    "read_demand_geotiff",
    "resample",
    "synthetic_demand",
    "write_demand_geotiff",
]
