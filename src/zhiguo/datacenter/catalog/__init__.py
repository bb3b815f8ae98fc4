"""The catalog: datasets declared as data (columns, units, labels, classification, retention),
registered through one registry, mirrored in the metadata DB, with the lineage of every table
version (which inbox file and batch, or which input versions, produced it)."""

from zhiguo.datacenter.catalog.models import DatasetEntry, TableCommit
from zhiguo.datacenter.catalog.registry import (
    BUILTIN_DATASET_MODULES,
    DatasetRegistry,
    default_registry,
    register_dataset,
)
from zhiguo.datacenter.catalog.schemas import (
    Classification,
    ColumnSpec,
    DatasetSpec,
    PersonalInfo,
)
from zhiguo.datacenter.catalog.service import (
    DatasetDetail,
    dataset_detail,
    list_datasets,
    record_commit,
    sync_catalog,
)

__all__ = [
    "BUILTIN_DATASET_MODULES",
    "Classification",
    "ColumnSpec",
    "DatasetDetail",
    "DatasetEntry",
    "DatasetRegistry",
    "DatasetSpec",
    "PersonalInfo",
    "TableCommit",
    "dataset_detail",
    "default_registry",
    "list_datasets",
    "record_commit",
    "register_dataset",
    "sync_catalog",
]
