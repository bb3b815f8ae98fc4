"""What the service returns about a site (the API's JSON shape)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

__all__ = ["SiteImportResult", "SiteOut", "SitePage"]


class SiteOut(BaseModel):
    """One site with its owner's and district's names (within the caller's scope)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name_zh: str
    name_en: str
    site_type: str
    enterprise_id: int
    enterprise_uscc: str
    enterprise_name: str
    lon: float
    lat: float
    x_m: float
    y_m: float
    district_code: int | None
    district_zh: str
    district_en: str
    height_m: float
    status: str
    carriers: list[str]
    power_kw: float | None
    has_fibre: bool
    load_limit_kg: float | None
    rent_cny_year: Decimal | None
    restrictions: str
    source_file: str
    source_sha256: str
    updated_at: datetime | None


class SitePage(BaseModel):
    items: list[SiteOut]
    total: int
    limit: int
    offset: int


class SiteImportResult(BaseModel):
    """An accepted import: counts, the lake version it published, the kept file."""

    file: str
    sha256: str
    rows: int
    imported: int  # new codes
    updated: int  # existing codes whose values changed
    unchanged: int
    version: int  # operations.sites lake version
    seconds: dict[str, float] = {}
