"""Masking (脱敏) of personal-information fields, as a policy table.

No regulation fixes the positions (see the security reference, "Masking defaults"); these
are common practice and a deployment may replace :data:`MASKING_POLICY`. One rule, three
renderings that agree character for character:

* :func:`mask_value` — one Python string (metadata-DB fields in API and page output);
* :func:`mask_array` — a whole Arrow column with ``pyarrow.compute`` (lake reads);
* :func:`mask_sql` — a SQL expression the query engines evaluate (DuckDB and Spark share the
  functions used: ``length``, ``substr``, ``repeat``, ``instr``, ``concat``).

A value too short to keep both ends is masked whole, so a mask never shows every character.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "MASKING_POLICY",
    "PERSONAL_DB_FIELDS",
    "MaskRule",
    "mask_array",
    "mask_record",
    "mask_sql",
    "mask_value",
]

STAR = "*"


@dataclass(frozen=True)
class MaskRule:
    """How to mask one kind of value.

    ``keep`` (the default): keep ``first`` leading and ``last`` trailing characters, star the
    rest. ``hide_tail``: star the last ``last`` characters. ``email``: keep the first
    character of the local part and the whole ``@domain``. ``all``: star everything.
    """

    mode: str = "keep"
    first: int = 0
    last: int = 0


MASKING_POLICY: dict[str, MaskRule] = {
    "id_number": MaskRule("keep", 1, 2),  # 身份证号: 11010519491231002X → 1***************2X
    "phone": MaskRule("keep", 3, 4),  # 手机号: 13800138000 → 138****8000
    "landline": MaskRule("keep", 4, 2),  # 座机: 010-62345678 → 010-******78
    "name": MaskRule("keep", 1, 0),  # 中文姓名: 张三丰 → 张**
    "address": MaskRule("hide_tail", 0, 8),  # 地址: hide the last 8 characters
    "email": MaskRule("email"),  # 电子邮箱: zhang@example.cn → z****@example.cn
    "bank_card": MaskRule("keep", 4, 4),  # 银行卡: keep first 4 and last 4
    "location": MaskRule("all"),  # coordinates: nothing kept
}
"""Personal-information type (catalog ``PersonalInfo`` values) → rule."""


PERSONAL_DB_FIELDS: dict[str, dict[str, str]] = {
    # metadata-DB personal fields (stored SM4-GCM encrypted) → their masking type
    "enterprises": {"legal_representative": "name", "contact_phone": "phone"},
}
"""Table → {column → personal-information type}: what API and page output must mask."""


def mask_record(
    record: Mapping[str, Any], fields: Mapping[str, str], *, unmask: bool
) -> dict[str, Any]:
    """``record`` with each of ``fields`` (column → type) masked, unless ``unmask`` (the
    caller's scope ``may_unmask``; the caller audits the use as ``data.unmask``)."""
    out = dict(record)
    if unmask:
        return out
    for column, kind in fields.items():
        if column in out and (out[column] is None or isinstance(out[column], str)):
            out[column] = mask_value(kind, out[column])
    return out


def _rule(kind: str) -> MaskRule:
    # An unknown kind is masked whole: a new personal type is never shown by accident.
    return MASKING_POLICY.get(kind, MaskRule("all"))


# ------------------------------------------------------------------------------ one value
def mask_value(kind: str, value: str | None) -> str | None:
    """``value`` masked by the rule for ``kind`` (None stays None)."""
    if value is None:
        return None
    rule = _rule(kind)
    n = len(value)
    if rule.mode == "all":
        return STAR * n
    if rule.mode == "hide_tail":
        return STAR * n if n <= rule.last else value[: n - rule.last] + STAR * rule.last
    if rule.mode == "email":
        at = value.find("@")
        if at < 1:
            return _keep(value, 1, 0)
        return value[0] + STAR * (at - 1) + value[at:]
    return _keep(value, rule.first, rule.last)


def _keep(value: str, first: int, last: int) -> str:
    n = len(value)
    if n <= first + last:
        return STAR * n
    return value[:first] + STAR * (n - first - last) + value[n - last :]


# ------------------------------------------------------------------------------ Arrow
def mask_array(kind: str, values: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """The string column ``values`` masked by the rule for ``kind``, vectorised."""
    rule = _rule(kind)
    values = values.cast(pa.string())
    n = pc.utf8_length(values)
    if rule.mode == "all":
        return _stars(n)
    if rule.mode == "hide_tail":
        short = pc.less_equal(n, rule.last)
        head = pc.utf8_slice_codeunits(values, 0, -rule.last) if rule.last else values
        masked = pc.binary_join_element_wise(head, STAR * rule.last, "")
        return pc.if_else(short, _stars(n), masked)
    if rule.mode == "email":
        parts = pc.split_pattern(values, "@", max_splits=1)
        local_n = pc.utf8_length(pc.list_element(parts, 0))
        has_at = pc.and_(pc.equal(pc.list_value_length(parts), 2), pc.greater_equal(local_n, 1))
        domain = pc.replace_substring_regex(values, "^[^@]*@", "", max_replacements=1)
        first = pc.utf8_slice_codeunits(values, 0, 1)
        stars = _stars(pc.subtract(local_n, 1))
        masked = pc.binary_join_element_wise(first, stars, "@", domain, "")
        return pc.if_else(has_at, masked, _keep_array(values, n, 1, 0))
    return _keep_array(values, n, rule.first, rule.last)


def _stars(count: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    return pc.binary_repeat(pa.scalar(STAR), pc.max_element_wise(count, 0, skip_nulls=False))


def _keep_array(
    values: pa.Array | pa.ChunkedArray, n: pa.Array | pa.ChunkedArray, first: int, last: int
) -> pa.Array | pa.ChunkedArray:
    short = pc.less_equal(n, first + last)
    head = pc.utf8_slice_codeunits(values, 0, first)
    tail = pc.utf8_slice_codeunits(values, -last) if last else pc.utf8_slice_codeunits(values, 0, 0)
    middle = _stars(pc.subtract(n, first + last))
    masked = pc.binary_join_element_wise(head, middle, tail, "")
    return pc.if_else(short, _stars(n), masked)


# ------------------------------------------------------------------------------ SQL
def mask_sql(kind: str, column: str) -> str:
    """A SQL expression masking the (already quoted) ``column`` by the rule for ``kind``.

    Written in the functions DuckDB and Spark SQL both have, with the same semantics.
    """
    rule = _rule(kind)
    c = column
    n = f"length({c})"
    if rule.mode == "all":
        body = f"repeat('*', {n})"
    elif rule.mode == "hide_tail":
        body = (
            f"CASE WHEN {n} <= {rule.last} THEN repeat('*', {n}) "
            f"ELSE concat(substr({c}, 1, {n} - {rule.last}), '{STAR * rule.last}') END"
        )
    elif rule.mode == "email":
        at = f"instr({c}, '@')"
        body = (
            f"CASE WHEN {at} > 1 THEN concat(substr({c}, 1, 1), repeat('*', {at} - 2), "
            f"substr({c}, {at})) ELSE {_keep_sql(c, 1, 0)} END"
        )
    else:
        body = _keep_sql(c, rule.first, rule.last)
    return f"CASE WHEN {c} IS NULL THEN NULL ELSE {body} END"


def _keep_sql(c: str, first: int, last: int) -> str:
    n = f"length({c})"
    tail = f"substr({c}, {n} - {last} + 1)" if last else "''"
    head = f"substr({c}, 1, {first})" if first else "''"
    return (
        f"CASE WHEN {n} <= {first + last} THEN repeat('*', {n}) "
        f"ELSE concat({head}, repeat('*', {n} - {first + last}), {tail}) END"
    )
