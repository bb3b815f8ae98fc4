"""GCJ-02 ↔ WGS84, vectorised.

GCJ-02 is the obfuscated datum Chinese map apps (高德, 腾讯; Baidu adds BD-09 on top) are
required to display. Its forward transform has been published many times since 2013; it is a
Krasovsky-ellipsoid offset driven by two trigonometric polynomials. We implement the
forward direction as published and invert it by fixed-point iteration (the offset varies by
well under a metre over the offset's own size, so a few steps reach 1e-9°), which the usual
one-step "approximate inverse" (error up to ≈ 1–2 m) does not.

Outside China's rectangle (72.004–137.8347°E, 0.8293–55.8271°N) there is no offset.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["gcj02_to_wgs84", "in_china", "wgs84_to_gcj02"]

_A = 6378245.0  # Krasovsky 1940 semi-major axis (m), as the published transform uses
_EE = 0.00669342162296594323  # its first eccentricity squared

Float = NDArray[np.float64]


def in_china(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """True where the GCJ-02 offset applies (the transform's own bounding rectangle)."""
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    return (x >= 72.004) & (x <= 137.8347) & (y >= 0.8293) & (y <= 55.8271)


def _offset_deg(lon: Float, lat: Float) -> tuple[Float, Float]:
    """The published offset (dlon, dlat) in degrees at a WGS84 point."""
    x = lon - 105.0
    y = lat - 35.0
    sx = np.sqrt(np.abs(x))
    pi = np.pi
    common = 20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sx
    dlat += common * 2.0 / 3.0
    dlat += (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sx
    dlon += common * 2.0 / 3.0
    dlon += (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    rad = lat / 180.0 * pi
    magic = 1.0 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad) * pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[Float, Float]:
    """WGS84 → GCJ-02 (degrees); points outside China are returned unchanged."""
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    dlon, dlat = _offset_deg(x, y)
    inside = in_china(x, y)
    return np.where(inside, x + dlon, x), np.where(inside, y + dlat, y)


def gcj02_to_wgs84(
    lon: ArrayLike, lat: ArrayLike, *, tol_deg: float = 1e-10
) -> tuple[Float, Float]:
    """GCJ-02 → WGS84 by fixed-point iteration on the forward transform (≤ 1e-10° residual)."""
    gx = np.asarray(lon, dtype=float)
    gy = np.asarray(lat, dtype=float)
    wx, wy = gx.copy(), gy.copy()
    for _ in range(30):
        fx, fy = wgs84_to_gcj02(wx, wy)
        ex, ey = fx - gx, fy - gy
        wx = wx - ex
        wy = wy - ey
        if (
            float(np.max(np.abs(ex), initial=0.0)) < tol_deg
            and float(np.max(np.abs(ey), initial=0.0)) < tol_deg
        ):
            break
    inside = in_china(gx, gy)
    return np.where(inside, wx, gx), np.where(inside, wy, gy)
