"""Reading one cell or one row of a registry file into records, or a located problem.

Each cell parser raises ``Bad`` with the rule that failed; ``parse_tables`` turns those into
:class:`~zhiguo.core.errors.Problem` with file, sheet, row and column, and keeps going so one
import reports every problem at once.
"""

from __future__ import annotations

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


class Bad(ValueError):
    """A cell that cannot be parsed; carries the rule and message fields."""

    def __init__(self, rule: str, **fields: Any) -> None:
        super().__init__(rule)
        self.rule = rule
        self.fields = fields


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _uscc(value: Any, column: str) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise Bad("uscc.numeric", value=value)
    if not _text(value):
        raise Bad("value.required", column=column)
    try:
        return validate_uscc(value)
    except InvalidUSCC as exc:
        raise Bad("uscc.invalid", detail=exc.message_zh, detail_en=exc.message_en) from exc


def _bool(value: Any, column: str) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise Bad("value.type", column=column, value=value, detail="应为 是/否 (yes/no)")


def _decimal(value: Any, column: str) -> Decimal | None:
    text = _text(value).rstrip("%")
    if not text:
        return None
    try:
        number = Decimal(str(round(float(text), 4))) if isinstance(value, float) else Decimal(text)
    except (InvalidOperation, ValueError) as exc:
        raise Bad("value.type", column=column, value=value, detail="应为数字 (a number)") from exc
    if not number.is_finite():
        raise Bad("value.type", column=column, value=value, detail="应为数字 (a number)")
    return number.quantize(Decimal("0.0001"))


def _date(value: Any, column: str) -> date | None:
    if value is None or _text(value) == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y年%m月%d日"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise Bad("value.type", column=column, value=value, detail="应为日期 YYYY-MM-DD (a date)")


def _choice(value: Any, column: str, enum: Any, labels: dict[str, str]) -> Any:
    text = _text(value)
    if not text:
        return None
    reverse = {zh: key for key, zh in labels.items()}
    key = reverse.get(text, text.lower())
    try:
        return enum(key)
    except ValueError as exc:
        allowed = "、".join(labels.values())
        raise Bad("value.type", column=column, value=value, detail=f"应为 {allowed}") from exc


def _parse_enterprise(values: dict[str, Any], table: Table) -> EnterpriseRecord:
    col = table.header.get
    uscc = _uscc(values.get("uscc"), col("uscc", "uscc"))
    name = _text(values.get("name_zh"))
    if not name:
        raise Bad("value.required", column=col("name_zh", "name_zh"))
    code_raw = _text(values.get("industry_code"))
    code = normalise_industry_code(code_raw) if code_raw else ""
    if code is None:
        raise Bad(
            "value.type",
            column=col("industry_code", "industry_code"),
            value=code_raw,
            detail="不是 GB/T 4754-2017 行业代码 (not a GB/T 4754 code)",
        )
    category_raw = _text(values.get("industry_category"))
    category = _CATEGORY_ZH.get(category_raw, category_raw.lower()) if category_raw else ""
    if category and category not in {c.value for c in IndustryCategory}:
        raise Bad(
            "value.type",
            column=col("industry_category", "industry_category"),
            value=category_raw,
            detail="应为 工业、非工业、科研技术、金融",
        )
    region = _text(values.get("region_code"))
    if region and (len(region) != 6 or not region.isdigit()):
        raise Bad(
            "value.type",
            column=col("region_code", "region_code"),
            value=region,
            detail="应为 6 位行政区划代码 (6-digit division code)",
        )
    share = _decimal(values.get("state_share_pct"), col("state_share_pct", "state_share_pct"))
    if share is not None and not Decimal(0) <= share <= Decimal(100):
        raise Bad("ownership.share_range", value=share)
    level_text = _text(values.get("level"))
    if level_text and not level_text.isdigit():
        raise Bad("value.type", column=col("level", "level"), value=level_text, detail="整数")
    status = _choice(values.get("status"), col("status", "status"), EnterpriseStatus, STATUS_ZH)
    klass = _choice(
        values.get("supervision_class"),
        col("supervision_class", "supervision_class"),
        SupervisionClass,
        CLASS_ZH,
    )
    return EnterpriseRecord(
        uscc=uscc,
        name_zh=name,
        name_en=_text(values.get("name_en")),
        short_name=_text(values.get("short_name")),
        industry_code=code,
        industry_category=category or (category_for(code).value if code else "non_industrial"),
        region_code=region,
        status=status or EnterpriseStatus.ACTIVE,
        is_listed=_bool(values.get("is_listed"), col("is_listed", "is_listed")),
        supervision_class=klass,
        state_share_pct=share,
        level=int(level_text) if level_text else None,
    )


def _parse_ownership(values: dict[str, Any], table: Table) -> OwnershipRecord:
    col = table.header.get
    child = _uscc(values.get("child_uscc"), col("child_uscc", "child_uscc"))
    parent = _uscc(values.get("parent_uscc"), col("parent_uscc", "parent_uscc"))
    if child == parent:
        raise Bad("ownership.self")
    share = _decimal(values.get("share_pct"), col("share_pct", "share_pct"))
    if share is None:
        raise Bad("value.required", column=col("share_pct", "share_pct"))
    if not Decimal(0) < share <= Decimal(100):
        raise Bad("ownership.share_range", value=share)
    start = _date(values.get("valid_from"), col("valid_from", "valid_from"))
    if start is None:
        raise Bad("value.required", column=col("valid_from", "valid_from"))
    end = _date(values.get("valid_to"), col("valid_to", "valid_to"))
    if end is not None and end <= start:
        raise Bad("ownership.dates", valid_from=start, valid_to=end)
    controlling_raw = values.get("controlling")
    controlling = True if _text(controlling_raw) == "" else _bool(controlling_raw, "controlling")
    return OwnershipRecord(
        child_uscc=child,
        parent_uscc=parent,
        share_pct=share,
        controlling=controlling,
        valid_from=start,
        valid_to=end,
    )


_FIELD_OF_RULE = {
    "uscc.invalid": None,
    "uscc.numeric": None,
    "ownership.share_range": "share_pct",
    "ownership.dates": "valid_to",
}


def parse_tables(
    tables: list[Table], problems: list[Problem]
) -> tuple[list[ParsedEnterprise], list[ParsedOwnership]]:
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
                    enterprises.append((_parse_enterprise(values, table), table, number))
                else:
                    ownership.append((_parse_ownership(values, table), table, number))
            except Bad as bad:
                column_key = _guess_key(bad, table)
                problems.append(problem(bad.rule, table.loc(number, column_key), **bad.fields))
    return enterprises, ownership


def _guess_key(bad: Bad, table: Table) -> str | None:
    column = bad.fields.get("column")
    if column:
        for key, text in table.header.items():
            if text == column:
                return key
        return str(column)
    if bad.rule in {"uscc.invalid", "uscc.numeric"}:
        return "uscc" if table.kind == "enterprise" else None
    return _FIELD_OF_RULE.get(bad.rule)
