"""Where things are: coordinate systems, the city's districts and its boundary.

Every operations module speaks two coordinate systems. Inputs and outputs for people and map
pages are longitude/latitude in **WGS84** (CGCS2000 agrees with it to centimetres, which the
planning here cannot see). Computation happens in metres in a **projected** CRS —
CGCS2000 3-degree Gauss-Krüger zone 38 (EPSG:4547, central meridian 114°E, Shenzhen's) by
default. Chinese map apps give **GCJ-02** ("Mars coordinates"), offset from WGS84 by a few
hundred metres: files declare which they use and :mod:`.gcj02` converts.
"""

from zhiguo.operations.geo.districts import City, District, city_from_settings, load_city
from zhiguo.operations.geo.gcj02 import gcj02_to_wgs84, in_china, wgs84_to_gcj02
from zhiguo.operations.geo.projection import Projector

__all__ = [
    "City",
    "District",
    "Projector",
    "city_from_settings",
    "gcj02_to_wgs84",
    "in_china",
    "load_city",
    "wgs84_to_gcj02",
]
