"""Longitude/latitude ↔ metres in the planning CRS (pyproj; no grids, nothing downloaded).

EPSG:4547 is CGCS2000 / 3-degree Gauss-Krüger CM 114E (false easting 500 km, no zone
prefix) — the national mapping standard's projection for Shenzhen's meridian. UTM 50N
(EPSG:32650) is accepted too. CGCS2000 and WGS84 differ by centimetres, so WGS84 input goes
straight in (EPSG:4490 and EPSG:4326 are treated alike; pyproj's own transformation between
them is the null transformation).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS, Transformer

from zhiguo.core.errors import ConfigError

__all__ = ["ALLOWED_CRS", "Projector"]

ALLOWED_CRS = ("EPSG:4547", "EPSG:32650")
"""Projected CRSs the platform plans in: metric, conformal, covering Shenzhen."""


@dataclass(frozen=True)
class Projector:
    """WGS84 lon/lat ↔ projected x/y metres (easting, northing)."""

    crs: str = "EPSG:4547"
    _forward: Transformer = field(init=False, repr=False, compare=False)
    _inverse: Transformer = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.crs not in ALLOWED_CRS:
            raise ConfigError(
                f"规划坐标系须为 {', '.join(ALLOWED_CRS)} 之一，而不是 {self.crs}",
                f"the planning CRS must be one of {', '.join(ALLOWED_CRS)}, not {self.crs}",
            )
        target = CRS.from_user_input(self.crs)
        object.__setattr__(
            self, "_forward", Transformer.from_crs("EPSG:4326", target, always_xy=True)
        )
        object.__setattr__(
            self, "_inverse", Transformer.from_crs(target, "EPSG:4326", always_xy=True)
        )

    def to_xy(
        self, lon: ArrayLike, lat: ArrayLike
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Project WGS84 degrees to metres."""
        x, y = self._forward.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)

    def to_lonlat(
        self, x: ArrayLike, y: ArrayLike
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Metres back to WGS84 degrees."""
        lon, lat = self._inverse.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
