"""Made-up datasets for the classification tests (imported by conftest and tests)."""

from __future__ import annotations

from zhiguo.core.access import Classification
from zhiguo.datacenter.catalog import ColumnSpec, DatasetSpec, PersonalInfo


def make_spec(
    name: str,
    level: Classification,
    *,
    personal: bool = False,
    open_: bool = False,
    scoped: bool = True,
    inputs: tuple[str, ...] = (),
) -> DatasetSpec:
    columns = [
        ColumnSpec(name="enterprise_id", type="int64", label_zh="企业", label_en="enterprise"),
        ColumnSpec(name="amount", type="float64", label_zh="金额", label_en="amount"),
    ]
    if personal:
        columns += [
            ColumnSpec(
                name="legal_rep",
                type="string",
                label_zh="法定代表人",
                label_en="legal representative",
                personal_info=PersonalInfo.name,
            ),
            ColumnSpec(
                name="id_card",
                type="string",
                label_zh="身份证号",
                label_en="ID number",
                personal_info=PersonalInfo.id_number,
            ),
            ColumnSpec(
                name="mobile",
                type="string",
                label_zh="手机",
                label_en="mobile",
                personal_info=PersonalInfo.phone,
            ),
        ]
    return DatasetSpec(
        name=name,
        title_zh=name,
        title_en=name,
        description="test dataset",
        owner_platform="datacenter",
        columns=tuple(columns),
        primary_key=("enterprise_id",),
        scope_column="enterprise_id" if scoped else None,
        classification=level,
        open=open_,
        inputs=inputs,
    )


ROWS = {
    "enterprise_id": [1, 2, 3],
    "amount": [10.0, 20.0, 30.0],
    "legal_rep": ["张三丰", "李四", None],
    "id_card": ["11010519491231002X", "110105194912310011", None],
    "mobile": ["13800138000", "13912345678", None],
}
