"""Datasets declared as data: columns, units, labels, classification, retention.

A :class:`DatasetSpec` is what a platform (or a deployment) registers; the catalog stores it,
the lake creates the table from it, the engine reads through it and security classifies by
it. Classification follows GB/T 43697-2024 (数据分类分级): 核心 > 重要 > 一般; the effective
level of a dataset is the highest of its own level and its columns' (就高从严).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, model_validator

from zhiguo.core.access import Classification

__all__ = ["Classification", "ColumnSpec", "DatasetSpec", "PersonalInfo"]

ColumnType = Literal["string", "int32", "int64", "float64", "bool", "date", "timestamp"]

_ARROW: dict[str, pa.DataType] = {
    "string": pa.string(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us", tz="UTC"),
}


class PersonalInfo(StrEnum):
    """Personal-information type of a column (PIPL / GB/T 35273), for masking policies."""

    name = "name"
    id_number = "id_number"
    phone = "phone"
    email = "email"
    address = "address"
    location = "location"
    landline = "landline"
    bank_card = "bank_card"


class ColumnSpec(BaseModel):
    """One column: its type, unit and labels, and how sensitive it is."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    type: ColumnType
    label_zh: str
    label_en: str
    description: str = ""
    unit: str | None = None
    nullable: bool = True
    classification: Classification = Classification.general
    personal_info: PersonalInfo | None = None

    @property
    def arrow_type(self) -> pa.DataType:
        return _ARROW[self.type]


class DatasetSpec(BaseModel):
    """A dataset of the lake, declared once and registered in the catalog."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$")
    title_zh: str
    title_en: str
    description: str
    owner_platform: Literal["datacenter", "supervision", "operations", "services"]
    columns: tuple[ColumnSpec, ...]
    primary_key: tuple[str, ...]
    partition_by: tuple[str, ...] = ()
    replace_key: tuple[str, ...] = Field(
        (),
        description="Columns identifying one submission: a new commit with the same values "
        "replaces the earlier rows (a correction), as a new version.",
    )
    scope_column: str | None = Field(
        None, description="Column holding the enterprise id that access scopes filter on."
    )
    classification: Classification = Classification.general
    retention_days: int | None = Field(None, ge=1, description="None keeps forever.")
    inputs: tuple[str, ...] = Field((), description="Datasets this one is derived from.")
    open: bool = Field(
        False,
        description="Open data (政务公开): the public may read it — only if it is also 一般 and "
        "holds no personal-information column.",
    )

    @model_validator(mode="after")
    def _columns_known(self) -> DatasetSpec:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"dataset {self.name}: duplicate column names")
        for group in ("primary_key", "partition_by", "replace_key"):
            for col in getattr(self, group):
                if col not in names:
                    raise ValueError(f"dataset {self.name}: {group} names unknown column {col}")
        if self.scope_column and self.scope_column not in names:
            raise ValueError(f"dataset {self.name}: scope_column {self.scope_column} unknown")
        return self

    @property
    def effective_classification(self) -> Classification:
        """就高从严: the highest of the dataset's own level and every column's."""
        return Classification.highest(
            [self.classification, *(c.classification for c in self.columns)]
        )

    @property
    def personal_columns(self) -> tuple[ColumnSpec, ...]:
        """Columns holding personal information (masked unless the caller may unmask)."""
        return tuple(c for c in self.columns if c.personal_info is not None)

    @property
    def public_readable(self) -> bool:
        """Open, 一般 and without personal fields: the only datasets the public may read."""
        return (
            self.open
            and self.effective_classification is Classification.general
            and not self.personal_columns
        )

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema(
            [pa.field(c.name, c.arrow_type, nullable=c.nullable) for c in self.columns]
        )

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)
