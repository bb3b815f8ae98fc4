"""The objective-factor ledger (客观增减因素台账, 国资委令第9号): objective increases and
decreases of state capital per enterprise and month, each with its evidence kept in the
inbox, and their year-to-date totals for the capital-preservation ratio
(国有资本保值增值率). The factor types are data (``factors.toml``)."""

from .errors import FactorTypesInvalid, InvalidAmount, InvalidDirection, UnknownFactorType
from .service import (
    DIRECTIONS,
    EVIDENCE_AREA,
    TOTALS_SCHEMA,
    FactorType,
    add_factor,
    factor_totals,
    factor_types,
    list_factors,
)

__all__ = [
    "DIRECTIONS",
    "EVIDENCE_AREA",
    "TOTALS_SCHEMA",
    "FactorType",
    "FactorTypesInvalid",
    "InvalidAmount",
    "InvalidDirection",
    "UnknownFactorType",
    "add_factor",
    "factor_totals",
    "factor_types",
    "list_factors",
]
