"""The objective-factor ledger: record, list and total the objective increases and decreases
of state capital (客观增减因素, 国资委令第9号) with their evidence.

Period semantic: a factor is entered in the month it happened (``period`` 'YYYY-MM').
:func:`factor_totals` returns, for each month of a year up to a given period, the sums
**cumulative from January of that year through that month** (本年累计) — the same basis as
the YTD flows of the flash report, so the capital-preservation ratio of period P is::

    (closing state capital at P − objective_increase(P) + objective_decrease(P))
        / opening state capital (年初) × 100
"""

from __future__ import annotations

import math
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhiguo.core.access import Scope
from zhiguo.core.errors import InputError
from zhiguo.core.inbox import keep_file
from zhiguo.core.periods import Period
from zhiguo.registry import get_enterprise, scope_filter
from zhiguo.supervision.models import ObjectiveFactor

from .errors import FactorTypesInvalid, InvalidAmount, InvalidDirection, UnknownFactorType

__all__ = [
    "DIRECTIONS",
    "EVIDENCE_AREA",
    "TOTALS_SCHEMA",
    "FactorType",
    "add_factor",
    "factor_totals",
    "factor_types",
    "list_factors",
]

DIRECTIONS: tuple[str, ...] = ("increase", "decrease")
EVIDENCE_AREA = "objective_factors"
"""Inbox area where evidence files are kept (``inbox/objective_factors/<sha256>``)."""

TOTALS_SCHEMA = pa.schema(
    [
        ("enterprise_id", pa.int64()),
        ("period", pa.string()),
        ("objective_increase", pa.float64()),
        ("objective_decrease", pa.float64()),
    ]
)
"""What :func:`factor_totals` returns: YTD sums (元) per enterprise and month."""


@dataclass(frozen=True)
class FactorType:
    """One objective factor type of 国资委令第9号, as listed in ``factors.toml``."""

    code: str
    direction: str  # increase | decrease
    name_zh: str
    name_en: str


@cache
def _builtin_types() -> tuple[FactorType, ...]:
    text = resources.files(__package__).joinpath("factors.toml").read_text(encoding="utf-8")
    doc = tomllib.loads(text)
    out: list[FactorType] = []
    for direction in DIRECTIONS:
        for entry in doc.get(direction, []):
            out.append(
                FactorType(str(entry["code"]), direction, str(entry["name_zh"]),
                           str(entry["name_en"]))
            )  # fmt: skip
    codes = [t.code for t in out]
    if len(codes) != len(set(codes)) or not out:
        raise FactorTypesInvalid("factors.toml 中的类型代码重复或为空", "factors.toml: codes clash")
    return tuple(out)


def factor_types(direction: str | None = None) -> list[FactorType]:
    """The objective factor types (all, or those of one direction), in the listed order."""
    if direction is not None and direction not in DIRECTIONS:
        raise InvalidDirection(details={"direction": direction})
    return [t for t in _builtin_types() if direction is None or t.direction == direction]


def add_factor(
    *,
    session: Session,
    inbox: Path,
    scope: Scope,
    enterprise_id: int,
    period: str | Period,
    direction: str,
    factor_type: str,
    amount: float,
    description: str,
    evidence: tuple[str, bytes] | None,
    actor: str,
) -> ObjectiveFactor:
    """Record one objective factor (元) for an enterprise in ``scope`` and month ``period``.

    Validates the direction, that ``factor_type`` belongs to it, that ``amount`` is finite
    and above 0 and that the enterprise is visible to the caller (``NotFound`` otherwise);
    then keeps ``evidence`` (file name, bytes) in the inbox and adds the row (flushed; the
    caller commits).
    """
    if direction not in DIRECTIONS:
        raise InvalidDirection(details={"direction": direction})
    known = {t.code: t for t in factor_types(direction)}
    if factor_type not in known:
        raise UnknownFactorType(
            f"{'增加' if direction == 'increase' else '减少'}因素中没有类型 {factor_type!r}，"
            f"可选：{'、'.join(known)}",
            f"No {direction} factor type {factor_type!r}; expected one of {', '.join(known)}",
        )
    if isinstance(amount, bool) or not math.isfinite(float(amount)) or float(amount) <= 0:
        raise InvalidAmount(details={"amount": str(amount)})
    when = Period.parse(period)
    ent = get_enterprise(session=session, scope=scope, enterprise_id=enterprise_id)
    evidence_name = evidence_sha = None
    if evidence is not None:
        name, data = evidence
        evidence_name = Path(name).name.strip()[:300]
        if not evidence_name or not data:
            raise InputError(
                "证明材料的文件名或内容为空", "The evidence file's name or content is empty"
            )
        evidence_sha = keep_file(inbox, EVIDENCE_AREA, evidence_name, data, sender=actor).sha256
    row = ObjectiveFactor(
        enterprise_id=ent.id,
        period=str(when),
        direction=direction,
        factor_type=factor_type,
        amount=float(amount),
        description=description.strip(),
        evidence_name=evidence_name,
        evidence_sha256=evidence_sha,
        entered_by=actor[:100],
    )
    session.add(row)
    session.flush()
    return row


def list_factors(
    *, session: Session, scope: Scope, enterprise_id: int | None = None, year: int | None = None
) -> list[ObjectiveFactor]:
    """Factors the caller may see (one enterprise's, or all in scope; one year or all),
    ordered by period, enterprise and entry."""
    stmt = scope_filter(select(ObjectiveFactor), scope, ObjectiveFactor.enterprise_id)
    if enterprise_id is not None:
        stmt = stmt.where(ObjectiveFactor.enterprise_id == enterprise_id)
    if year is not None:
        stmt = stmt.where(ObjectiveFactor.period.like(f"{int(year):04d}-%"))
    stmt = stmt.order_by(ObjectiveFactor.period, ObjectiveFactor.enterprise_id, ObjectiveFactor.id)
    return list(session.scalars(stmt))


def factor_totals(
    *, session: Session, year: int, up_to_period: str | Period, scope: Scope | None = None
) -> pa.Table:
    """Year-to-date objective increases and decreases per enterprise for every month of
    ``year`` from January through ``up_to_period`` (:data:`TOTALS_SCHEMA`).

    Each row's values are cumulative from January of ``year`` through that row's period.
    Only enterprises with at least one factor in the window appear (every month of the
    window, zeros before their first factor); a missing enterprise means 0 and 0.
    ``scope`` None reads the whole portfolio — the indicator computation's view; pass the
    caller's scope when a person asks.
    """
    end = Period.parse(up_to_period)
    if end.year != year:
        raise InputError(
            f"截止期间 {end} 不在 {year} 年内", f"up_to_period {end} is not in year {year}"
        )
    months = [str(p) for p in end.ytd_months()]
    stmt = select(
        ObjectiveFactor.enterprise_id,
        ObjectiveFactor.period,
        ObjectiveFactor.direction,
        ObjectiveFactor.amount,
    ).where(ObjectiveFactor.period.in_(months))
    if scope is not None:
        stmt = scope_filter(stmt, scope, ObjectiveFactor.enterprise_id)
    monthly: dict[int, dict[str, list[float]]] = defaultdict(
        lambda: defaultdict(lambda: [0.0, 0.0])
    )
    for eid, period, direction, amount in session.execute(stmt).all():
        monthly[int(eid)][str(period)][0 if direction == "increase" else 1] += float(amount)
    ids: list[int] = []
    periods: list[str] = []
    increases: list[float] = []
    decreases: list[float] = []
    for eid in sorted(monthly):
        up, down = 0.0, 0.0
        for month in months:
            inc, dec = monthly[eid].get(month, (0.0, 0.0))
            up += inc
            down += dec
            ids.append(eid)
            periods.append(month)
            increases.append(up)
            decreases.append(down)
    return pa.table(
        {
            "enterprise_id": pa.array(ids, pa.int64()),
            "period": pa.array(periods, pa.string()),
            "objective_increase": pa.array(increases, pa.float64()),
            "objective_decrease": pa.array(decreases, pa.float64()),
        },
        schema=TOTALS_SCHEMA,
    )
