"""Masking rules (脱敏) from the reference, and the three renderings of each rule — Python,
Arrow (pyarrow.compute) and SQL (DuckDB here; Spark in test_clearance_levels) — agree."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhiguo.security.masking import MASKING_POLICY, mask_array, mask_sql, mask_value

REFERENCE = [
    ("id_number", "11010519491231002X", "1***************2X"),
    ("phone", "13800138000", "138****8000"),
    ("landline", "01062345678", "0106*****78"),
    ("name", "张三丰", "张**"),
    ("address", "北京市海淀区中关村大街27号院1号楼", "北京市海淀区中关村大********"),
    ("email", "zhang.san@example.cn", "z********@example.cn"),
    ("bank_card", "6222021234567890123", "6222***********0123"),
    ("location", "39.9042,116.4074", "****************"),
]


@pytest.mark.parametrize(("kind", "value", "expected"), REFERENCE, ids=[r[0] for r in REFERENCE])
def test_reference_examples(kind: str, value: str, expected: str) -> None:
    assert mask_value(kind, value) == expected
    assert mask_array(kind, pa.array([value])).to_pylist() == [expected]


def test_every_personal_type_has_a_rule() -> None:
    from zhiguo.datacenter.catalog import PersonalInfo

    assert {p.value for p in PersonalInfo} <= set(MASKING_POLICY)


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("id_number", "123", "***"),  # too short to keep both ends: masked whole
        ("phone", "1380013", "*******"),
        ("name", "张", "*"),
        ("address", "短地址", "***"),
        ("email", "noatsign", "n*******"),
        ("email", "@domain.cn", "@*********"),  # no local part: first character only
        ("unknown-type", "secret", "******"),  # a new personal type is never shown
        ("phone", None, None),
        ("phone", "", ""),
    ],
)
def test_short_odd_and_missing_values(kind: str, value: str | None, expected: str | None) -> None:
    assert mask_value(kind, value) == expected


def _sql(kind: str, values: list[str | None]) -> list[str | None]:
    con = duckdb.connect()
    con.register("t", pa.table({"v": pa.array(values, pa.string())}))
    return [
        r[0]
        for r in con.execute(f"SELECT {mask_sql(kind, chr(34) + 'v' + chr(34))} FROM t").fetchall()
    ]


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from([*MASKING_POLICY, "other"]),
    values=st.lists(st.one_of(st.none(), st.text(max_size=30)), min_size=1, max_size=8),
)
def test_python_arrow_and_sql_agree(kind: str, values: list[str | None]) -> None:
    expected = [mask_value(kind, v) for v in values]
    assert mask_array(kind, pa.array(values, pa.string())).to_pylist() == expected
    assert _sql(kind, values) == expected
    for value, masked in zip(values, expected, strict=True):
        if value:
            assert masked != value or set(value) == {"*"}  # never shown in full
            assert len(masked or "") == len(value)


def test_enterprise_personal_db_fields_masked_unless_unmask() -> None:
    from zhiguo.security.masking import PERSONAL_DB_FIELDS, mask_record

    row = {
        "uscc": "91110000100000000A",
        "legal_representative": "张三丰",
        "contact_phone": "13800138000",
    }
    fields = PERSONAL_DB_FIELDS["enterprises"]
    assert mask_record(row, fields, unmask=False) == {
        "uscc": "91110000100000000A",
        "legal_representative": "张**",
        "contact_phone": "138****8000",
    }
    assert mask_record(row, fields, unmask=True) == row
