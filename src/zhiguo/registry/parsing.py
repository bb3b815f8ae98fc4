"""Reading one cell or one row of a registry file into records, or a located problem.

Each cell parser raises ``Bad`` with the rule that failed; ``parse_tables`` turns those into
:class:`~zhiguo.core.errors.Problem` with file, sheet, row and column, and keeps going so one
import reports every problem at once.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from zhiguo.core.errors import InvalidUSCC, Problem
from zhiguo.core.uscc import validate_uscc

from .errors import problem
from .industries import IndustryCategory, category_for, normalise_industry_code
from .schemas import (
    CLASS_ZH,
    STATUS_ZH,
    EnterpriseRecord,
    EnterpriseStatus,
    OwnershipRecord,
    SupervisionClass,
)
from .tables import Table

__all__ = ["Bad", "ParsedEnterprise", "ParsedOwnership", "parse_tables"]

ParsedEnterprise = tuple[EnterpriseRecord, Table, int]
ParsedOwnership = tuple[OwnershipRecord, Table, int]

_TRUE = {"是", "true", "yes", "y", "1", "t", "控股"}
_FALSE = {"否", "false", "no", "n", "0", "f", "", "参股"}
_CATEGORY_ZH = {c.label_zh: c.value for c in IndustryCategory}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MAX_LEVEL = 20
# Longest text each column may hold (the metadata DB's column sizes in models.py).
_MAX_LENGTH = {"name_zh": 200, "name_en": 300, "short_name": 100}


class Bad(ValueError):
    """A cell that cannot be parsed: the rule it broke, the column key, message fields."""

    def __init__(self, rule: str, key: str | None = None, **fields: Any) -> None:
        super().__init__(rule)
        self.rule = rule
        self.key = key
        self.fields = fields


def _invalid(key: str, value: Any, zh: str, en: str) -> Bad:
    return Bad("value.type", key, value=value, detail=zh, detail_en=en)


def _text(value: Any, key: str = "") -> str:
    """A trimmed cell as text; refuses control characters and text longer than the column."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if _CONTROL.search(text):
        raise _invalid(key, text[:40], "含有控制字符", "contains control characters")
    limit = _MAX_LENGTH.get(key)
    if limit is not None and len(text) > limit:
        raise _invalid(
            key, text[:40] + "…", f"超过 {limit} 个字符", f"longer than {limit} characters"
        )
    return text


def _uscc(value: Any, key: str) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise Bad("uscc.numeric", key, value=value)
    if not _text(value, key):
        raise Bad("value.required", key)
    try:
        return validate_uscc(value)
    except InvalidUSCC as exc:
        raise Bad("uscc.invalid", key, detail=exc.message_zh, detail_en=exc.message_en) from exc


def _bool(value: Any, key: str) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value, key).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _invalid(key, value, "应为 是/否", "expected yes/no (是/否)")


def _decimal(value: Any, key: str, low: Decimal, high: Decimal) -> Decimal | None:
    """A percentage-like number within [low, high], with at most 4 decimals kept."""
    text = _text(value, key).rstrip("%").strip()
    if not text:
        return None
    try:
        number = Decimal(str(round(float(text), 4))) if isinstance(value, float) else Decimal(text)
    except (InvalidOperation, ValueError, OverflowError) as exc:
        raise _invalid(key, value, "应为数字", "expected a number") from exc
    if not number.is_finite():
        raise _invalid(key, value, "应为数字", "expected a number")
    if not low <= number <= high:
        raise Bad("ownership.share_range", key, value=value)
    return number.quantize(Decimal("0.0001"))


def _date(value: Any, key: str) -> date | None:
    if value is None or _text(value, key) == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value, key).replace("/", "-").replace(".", "-")
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y年%m月%d日"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise _invalid(key, value, "应为有效日期 YYYY-MM-DD", "expected a valid date YYYY-MM-DD")


def _choice(value: Any, key: str, enum: Any, labels: dict[str, str]) -> Any:
    text = _text(value, key)
    if not text:
        return None
    reverse = {zh: code for code, zh in labels.items()}
    code = reverse.get(text, text.lower())
    try:
        return enum(code)
    except ValueError as exc:
        raise _invalid(
            key, value, f"应为 {'、'.join(labels.values())}", f"expected one of {', '.join(labels)}"
        ) from exc


def _parse_enterprise(values: dict[str, Any]) -> EnterpriseRecord:
    uscc = _uscc(values.get("uscc"), "uscc")
    name = _text(values.get("name_zh"), "name_zh")
    if not name:
        raise Bad("value.required", "name_zh")
    code_raw = _text(values.get("industry_code"), "industry_code")
    code = normalise_industry_code(code_raw) if code_raw else ""
    if code is None:
        raise _invalid(
            "industry_code", code_raw, "不是 GB/T 4754-2017 行业代码", "not a GB/T 4754-2017 code"
        )
    category_raw = _text(values.get("industry_category"), "industry_category")
    category = _CATEGORY_ZH.get(category_raw, category_raw.lower()) if category_raw else ""
    if category and category not in {c.value for c in IndustryCategory}:
        raise _invalid(
            "industry_category",
            category_raw,
            "应为 工业、非工业、科研技术、金融",
            "expected industrial, non_industrial, research_tech or finance",
        )
    region = _text(values.get("region_code"), "region_code")
    if region and not re.fullmatch(r"[0-9]{6}", region):
        raise _invalid(
            "region_code", region, "应为 6 位行政区划代码", "expected a 6-digit division code"
        )
    share = _decimal(values.get("state_share_pct"), "state_share_pct", Decimal(0), Decimal(100))
    level_text = _text(values.get("level"), "level")
    if level_text and not (
        re.fullmatch(r"[0-9]{1,2}", level_text) and 1 <= int(level_text) <= _MAX_LEVEL
    ):
        raise _invalid(
            "level", level_text, f"应为 1–{_MAX_LEVEL} 的整数", f"expected 1–{_MAX_LEVEL}"
        )
    status = _choice(values.get("status"), "status", EnterpriseStatus, STATUS_ZH)
    klass = _choice(
        values.get("supervision_class"), "supervision_class", SupervisionClass, CLASS_ZH
    )
    return EnterpriseRecord(
        uscc=uscc,
        name_zh=name,
        name_en=_text(values.get("name_en"), "name_en"),
        short_name=_text(values.get("short_name"), "short_name"),
        industry_code=code,
        industry_category=category or (category_for(code).value if code else "non_industrial"),
        region_code=region,
        status=status or EnterpriseStatus.ACTIVE,
        is_listed=_bool(values.get("is_listed"), "is_listed"),
        supervision_class=klass,
        state_share_pct=share,
        level=int(level_text) if level_text else None,
    )


def _parse_ownership(values: dict[str, Any]) -> OwnershipRecord:
    child = _uscc(values.get("child_uscc"), "child_uscc")
    parent = _uscc(values.get("parent_uscc"), "parent_uscc")
    if child == parent:
        raise Bad("ownership.self", "parent_uscc")
    share = _decimal(values.get("share_pct"), "share_pct", Decimal("0.0001"), Decimal(100))
    if share is None:
        raise Bad("value.required", "share_pct")
    start = _date(values.get("valid_from"), "valid_from")
    if start is None:
        raise Bad("value.required", "valid_from")
    end = _date(values.get("valid_to"), "valid_to")
    if end is not None and end <= start:
        raise Bad("ownership.dates", "valid_to", valid_from=start, valid_to=end)
    raw = values.get("controlling")
    return OwnershipRecord(
        child_uscc=child,
        parent_uscc=parent,
        share_pct=share,
        controlling=True if _text(raw, "controlling") == "" else _bool(raw, "controlling"),
        valid_from=start,
        valid_to=end,
    )


def parse_tables(
    tables: list[Table], problems: list[Problem]
) -> tuple[list[ParsedEnterprise], list[ParsedOwnership]]:
    """Every row of every table as a record, or as located problems (one per bad row)."""
    enterprises: list[ParsedEnterprise] = []
    ownership: list[ParsedOwnership] = []
    required = {"enterprise": ("uscc", "name_zh"), "ownership": ("child_uscc", "parent_uscc")}
    for table in tables:
        for text in table.unknown:
            problems.append(problem("column.unknown", table.loc(key=text), "warning", column=text))
        missing = [k for k in required[table.kind] if k not in table.header]
        for key in missing:
            problems.append(problem("column.missing", table.loc(key=key), column=key))
        if missing:
            continue
        for number, values in table.rows:
            try:
                if table.kind == "enterprise":
                    enterprises.append((_parse_enterprise(values), table, number))
                else:
                    ownership.append((_parse_ownership(values), table, number))
            except Bad as bad:
                fields = {
                    "column": table.header.get(bad.key or "", bad.key or ""),
                    "column_en": bad.key or "",
                    **bad.fields,
                }
                problems.append(problem(bad.rule, table.loc(number, bad.key), **fields))
    if tables and not any(table.rows for table in tables):
        problems.append(problem("file.no_rows", tables[0].loc()))
    return enterprises, ownership
