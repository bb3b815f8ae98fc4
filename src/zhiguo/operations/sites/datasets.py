"""Lake datasets published by operations.sites (registered through the catalog registry)."""

from __future__ import annotations

from zhiguo.datacenter.catalog.schemas import DatasetSpec

__all__ = ["DATASETS"]

DATASETS: tuple[DatasetSpec, ...] = ()
