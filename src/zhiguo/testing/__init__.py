"""Builders for tests (product code, not mocks): valid USCCs, a small known registry with
two groups three levels deep, and helpers to write registry files.

Kept small and explicit so tests read as facts about a world the reader can hold in mind::

    G1 示例测试一集团            G2 示例测试二集团
    ├── A1 (100 %)              └── B1 (60 %)  + 30 % held by A1 (non-controlling)
    │   ├── A11 (51 %)              └── B11 (100 %)
    │   └── A12 (100 %)
    └── A2 (80 %, from 2020-01-01; before that 100 % G2's, 2015-01-01 → 2020-01-01)
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from zhiguo.core.uscc import make_uscc
from zhiguo.registry.schemas import EnterpriseRecord, OwnershipRecord, SupervisionClass
from zhiguo.registry.tables import ENTERPRISE_COLUMNS, OWNERSHIP_COLUMNS

__all__ = ["SAMPLE", "sample_records", "test_uscc", "write_registry_csv", "write_registry_xlsx"]


def test_uscc(n: int, division: str = "440300") -> str:
    """A valid, fictitious USCC numbered ``n`` (organisation code 7xxxxxxx)."""
    return make_uscc("9", "1", division, f"{70000000 + n:08d}")


test_uscc.__test__ = False  # type: ignore[attr-defined]  # not a pytest test

SAMPLE: dict[str, str] = {
    name: test_uscc(i)
    for i, name in enumerate(["G1", "A1", "A11", "A12", "A2", "G2", "B1", "B11"], start=1)
}


def sample_records() -> tuple[list[EnterpriseRecord], list[OwnershipRecord]]:
    s = SAMPLE

    def ent(key: str, name: str, code: str, **kw: Any) -> EnterpriseRecord:
        return EnterpriseRecord(
            uscc=s[key], name_zh=name, name_en=f"Demo Test {key}", short_name=key,
            industry_code=code, **kw,
        )  # fmt: skip

    enterprises = [
        ent("G1", "示例测试一集团有限公司", "D4610", industry_category="industrial",
            supervision_class=SupervisionClass.PUBLIC_WELFARE, state_share_pct=Decimal(100)),
        ent("A1", "示例测试一集团A1公司", "D4620", industry_category="industrial"),
        ent("A11", "示例测试一集团A11公司", "E4852", industry_category="non_industrial"),
        ent("A12", "示例测试一集团A12公司", "M7452", industry_category="research_tech"),
        ent("A2", "示例测试一集团A2公司", "J6739", industry_category="finance"),
        ent("G2", "示例测试二集团有限公司", "G5412", industry_category="non_industrial",
            supervision_class=SupervisionClass.COMMERCIAL_2, state_share_pct=Decimal(90)),
        ent("B1", "示例测试二集团B1公司", "G5412", industry_category="non_industrial"),
        ent("B11", "示例测试二集团B11公司", "L7212", industry_category="non_industrial"),
    ]  # fmt: skip

    def edge(child: str, parent: str, share: str, start: str, **kw: Any) -> OwnershipRecord:
        return OwnershipRecord(
            child_uscc=s[child], parent_uscc=s[parent], share_pct=Decimal(share),
            valid_from=date.fromisoformat(start), **kw,
        )  # fmt: skip

    ownership = [
        edge("A1", "G1", "100", "2010-01-01"),
        edge("A11", "A1", "51", "2012-06-01"),
        edge("A12", "A1", "100", "2012-06-01"),
        edge("A2", "G2", "100", "2015-01-01", valid_to=date(2020, 1, 1)),
        edge("A2", "G1", "80", "2020-01-01"),
        edge("B1", "G2", "60", "2011-01-01"),
        edge("B1", "A1", "30", "2016-03-01", controlling=False),
        edge("B11", "B1", "100", "2013-01-01"),
    ]
    return enterprises, ownership


def _rows(
    enterprises: list[EnterpriseRecord], ownership: list[OwnershipRecord]
) -> tuple[list[list[Any]], list[list[Any]]]:
    ent_rows = [
        [
            e.uscc, e.name_zh, e.name_en, e.short_name, e.industry_code, e.industry_category,
            e.region_code, e.status.value, "是" if e.is_listed else "否",
            e.supervision_class.value if e.supervision_class else "",
            "" if e.state_share_pct is None else str(e.state_share_pct), "",
        ]
        for e in enterprises
    ]  # fmt: skip
    own_rows = [
        [
            o.child_uscc, o.parent_uscc, str(o.share_pct), "是" if o.controlling else "否",
            o.valid_from.isoformat(), o.valid_to.isoformat() if o.valid_to else "",
        ]
        for o in ownership
    ]  # fmt: skip
    return ent_rows, own_rows


def write_registry_csv(
    path: Path,
    enterprises: list[EnterpriseRecord],
    ownership: list[OwnershipRecord],
    encoding: str = "utf-8-sig",
) -> Path:
    """Write the registry CSV pair (``X.csv`` + ``X.ownership.csv``) in ``encoding``."""
    import csv

    from zhiguo.registry.tables import ownership_csv_path

    ent_rows, own_rows = _rows(enterprises, ownership)
    for target, header, rows in (
        (path, [zh for _k, zh in ENTERPRISE_COLUMNS], ent_rows),
        (ownership_csv_path(path), [zh for _k, zh in OWNERSHIP_COLUMNS], own_rows),
    ):
        with target.open("w", encoding=encoding, newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(rows)
    return path


def write_registry_xlsx(
    path: Path, enterprises: list[EnterpriseRecord], ownership: list[OwnershipRecord]
) -> Path:
    from zhiguo.registry.tables import write_tables

    ent_rows, own_rows = _rows(enterprises, ownership)
    write_tables(path, ent_rows, own_rows)
    return path
