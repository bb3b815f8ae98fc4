"""The catalog: datasets declared as data (columns, units, labels, classification, retention),
registered through one registry, mirrored in the metadata DB, with the lineage of every table
version (which inbox file and batch, or which input versions, produced it)."""

from zhiguo.datacenter.catalog.labels import LabelCheck, label_key, verify_labels
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
    record_downgrade,
    repair_labels,
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
    "LabelCheck",
    "PersonalInfo",
    "TableCommit",
    "dataset_detail",
    "default_registry",
    "label_key",
    "list_datasets",
    "record_commit",
    "record_downgrade",
    "register_dataset",
    "repair_labels",
    "sync_catalog",
    "verify_labels",
]
