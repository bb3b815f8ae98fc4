"""Records that cross the registry's boundary: import/export rows, API output, tree nodes.

``EnterpriseRecord`` and ``OwnershipRecord`` are exactly one row of the import file each;
the demo world, the API and the importer all speak them, so there is one shape to learn.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "EnterpriseOut",
    "EnterpriseRecord",
    "EnterpriseStatus",
    "ImportReport",
    "OwnershipOut",
    "OwnershipRecord",
    "RowOutcome",
    "SupervisionClass",
    "TreeNode",
]


class EnterpriseStatus(StrEnum):
    ACTIVE = "active"  # 存续
    SUSPENDED = "suspended"  # 停业/歇业
    DEREGISTERED = "deregistered"  # 注销


class SupervisionClass(StrEnum):
    """The regulator's functional class (功能分类)."""

    COMMERCIAL_1 = "commercial_1"  # 商业一类
    COMMERCIAL_2 = "commercial_2"  # 商业二类
    PUBLIC_WELFARE = "public_welfare"  # 公益类


STATUS_ZH = {"active": "存续", "suspended": "停业", "deregistered": "注销"}
CLASS_ZH = {"commercial_1": "商业一类", "commercial_2": "商业二类", "public_welfare": "公益类"}


class EnterpriseRecord(BaseModel):
    """One enterprise as the registry file states it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    uscc: str
    name_zh: str
    name_en: str = ""
    short_name: str = ""
    industry_code: str = ""
    industry_category: str = ""
    region_code: str = ""
    status: EnterpriseStatus = EnterpriseStatus.ACTIVE
    is_listed: bool = False
    supervision_class: SupervisionClass | None = None
    state_share_pct: Decimal | None = None
    level: int | None = None

    def column_values(self) -> dict[str, object]:
        """The ``enterprises`` columns this record sets (``level`` is derived, not stored
        from files)."""
        values = self.model_dump(exclude={"level"})
        values["status"] = self.status.value
        values["supervision_class"] = (
            self.supervision_class.value if self.supervision_class else None
        )
        return values


class OwnershipRecord(BaseModel):
    """One ownership edge: ``parent_uscc`` holds ``share_pct`` % of ``child_uscc``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    child_uscc: str
    parent_uscc: str
    share_pct: Decimal
    controlling: bool = True
    valid_from: date
    valid_to: date | None = None


class EnterpriseOut(BaseModel):
    """An enterprise as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    uscc: str
    name_zh: str
    name_en: str
    short_name: str
    industry_code: str
    industry_category: str
    level: int
    region_code: str
    status: str
    is_listed: bool
    supervision_class: str | None
    state_share_pct: Decimal | None


class OwnershipOut(BaseModel):
    parent_id: int
    parent_uscc: str
    parent_name: str
    child_id: int
    child_uscc: str
    child_name: str
    share_pct: Decimal
    controlling: bool
    valid_from: date
    valid_to: date | None


class TreeNode(BaseModel):
    """A node of the ownership tree (controlling edges only), as of a date."""

    id: int
    uscc: str
    name: str
    level: int
    share_pct: Decimal | None = None
    descendants: int = 0
    truncated: bool = False
    children: list[TreeNode] = Field(default_factory=list)


class RowOutcome(BaseModel):
    """What an import did (or would have done) with one row."""

    sheet: str
    row: int
    key: str
    action: str  # created | updated | unchanged | removed | rejected
    messages: list[str] = Field(default_factory=list)


class ImportReport(BaseModel):
    """The per-row report of an import; ``committed`` is False whenever any error exists."""

    file: str
    committed: bool
    dry_run: bool = False
    rows: list[RowOutcome] = Field(default_factory=list)
    problems: list[dict[str, object]] = Field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)
