"""SOE site resources (站址资源): import from CSV/xlsx/GeoJSON in WGS84 or GCJ-02 with every
problem located and nothing half-written, the lake dataset ``operations.sites``, and reads
within the caller's scope. See ``README.md``."""

from zhiguo.operations.sites.datasets import SITES
from zhiguo.operations.sites.errors import RULES, SiteNotFound
from zhiguo.operations.sites.models import Site
from zhiguo.operations.sites.schemas import SiteImportResult, SiteOut, SitePage
from zhiguo.operations.sites.service import (
    get_site,
    import_sites,
    list_sites,
    publish_sites,
    sites_geojson,
    sites_table,
)
from zhiguo.operations.sites.synthetic import generate_sites, write_sites
from zhiguo.operations.sites.types import (
    CARRIERS,
    SITE_STATUSES,
    SITE_TYPES,
    SiteStatus,
    SiteType,
)

__all__ = [
    "CARRIERS",
    "RULES",
    "SITES",
    "SITE_STATUSES",
    "SITE_TYPES",
    "Site",
    "SiteImportResult",
    "SiteNotFound",
    "SiteOut",
    "SitePage",
    "SiteStatus",
    "SiteType",
    "generate_sites",
    "get_site",
    "import_sites",
    "list_sites",
    "publish_sites",
    "sites_geojson",
    "sites_table",
    "write_sites",
]
