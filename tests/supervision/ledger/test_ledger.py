"""The objective-factor ledger: validation, evidence kept in the inbox, scope, and the
year-to-date totals the capital-preservation ratio joins in."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhiguo.core import InputError, InvalidPeriod, NotFound, Scope
from zhiguo.registry import get_enterprise
from zhiguo.supervision.ledger import (
    TOTALS_SCHEMA,
    InvalidAmount,
    InvalidDirection,
    UnknownFactorType,
    add_factor,
    factor_totals,
    factor_types,
    list_factors,
)
from zhiguo.supervision.models import ObjectiveFactor
from zhiguo.testing import SAMPLE


def _id(session: Session, key: str) -> int:
    return get_enterprise(session=session, scope=Scope.everything(), uscc=SAMPLE[key]).id


def _add(session: Session, inbox: Path, key: str, **kw: Any) -> ObjectiveFactor:
    args: dict[str, Any] = {
        "session": session, "inbox": inbox, "scope": Scope.everything(),
        "enterprise_id": _id(session, key), "period": "2026-03", "direction": "increase",
        "factor_type": "state_investment", "amount": 100.0, "description": "",
        "evidence": None, "actor": "analyst",
    }  # fmt: skip
    args.update(kw)
    return add_factor(**args)


def _count(session: Session) -> int:
    return int(session.scalar(select(func.count(ObjectiveFactor.id))) or 0)


def test_factor_types_follow_order_9_as_data() -> None:
    increase = [t.code for t in factor_types("increase")]
    decrease = [t.code for t in factor_types("decrease")]
    assert len(increase) == 9 and len(decrease) == 8
    assert "state_investment" in increase and "dividends_paid" in decrease
    assert not set(increase) & set(decrease)
    assert all(t.name_zh and t.name_en for t in factor_types())


def test_a_factor_with_evidence_is_recorded_and_the_file_kept(
    sample_session: Session, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    data = b"%PDF-1.4 fictitious approval"
    row = _add(
        sample_session, inbox, "A1", period="2026年3月", amount=2_500_000,
        description=" 市国资委追加注资 ", evidence=("../批复.pdf", data),
    )  # fmt: skip
    sample_session.commit()
    assert row.id and row.period == "2026-03" and row.amount == 2_500_000.0
    assert row.description == "市国资委追加注资" and row.entered_by == "analyst"
    digest = hashlib.sha256(data).hexdigest()
    assert row.evidence_sha256 == digest and row.evidence_name == "批复.pdf"
    assert (inbox / "objective_factors" / f"{digest}.pdf").read_bytes() == data


@pytest.mark.parametrize(
    ("kw", "error"),
    [
        ({"direction": "up"}, InvalidDirection),
        ({"factor_type": "dividends_paid"}, UnknownFactorType),  # a decrease type
        ({"direction": "decrease", "factor_type": "state_investment"}, UnknownFactorType),
        ({"amount": 0}, InvalidAmount),
        ({"amount": -5.0}, InvalidAmount),
        ({"amount": math.nan}, InvalidAmount),
        ({"amount": math.inf}, InvalidAmount),
        ({"period": "2026-13"}, InvalidPeriod),
        ({"evidence": ("empty.pdf", b"")}, InputError),
    ],
)
def test_invalid_factors_are_refused_and_nothing_is_written(
    sample_session: Session, tmp_path: Path, kw: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error) as caught:
        _add(sample_session, tmp_path / "inbox", "A1", **kw)
    assert getattr(caught.value, "message_zh", "") and getattr(caught.value, "message_en", "")
    assert _count(sample_session) == 0


def test_an_enterprise_outside_the_scope_is_not_found(
    sample_session: Session, tmp_path: Path
) -> None:
    theirs = Scope.of({_id(sample_session, "B1")})
    with pytest.raises(NotFound):
        _add(sample_session, tmp_path / "inbox", "A1", scope=theirs)
    assert _count(sample_session) == 0
    _add(sample_session, tmp_path / "inbox", "B1", scope=theirs)
    assert _count(sample_session) == 1


def test_list_factors_respects_scope_enterprise_and_year(
    sample_session: Session, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    _add(sample_session, inbox, "A1", period="2026-02")
    _add(sample_session, inbox, "A1", period="2025-11")
    _add(sample_session, inbox, "B1", period="2026-01")
    sample_session.commit()
    a1, b1 = _id(sample_session, "A1"), _id(sample_session, "B1")
    everything = Scope.everything()
    assert [f.period for f in list_factors(session=sample_session, scope=everything)] == [
        "2025-11", "2026-01", "2026-02",
    ]  # fmt: skip
    in_2026 = list_factors(session=sample_session, scope=everything, year=2026)
    assert [(f.enterprise_id, f.period) for f in in_2026] == [(b1, "2026-01"), (a1, "2026-02")]
    mine = list_factors(session=sample_session, scope=Scope.of({b1}))
    assert [f.enterprise_id for f in mine] == [b1]
    assert list_factors(session=sample_session, scope=Scope.of({b1}), enterprise_id=a1) == []
    assert list_factors(session=sample_session, scope=Scope.nothing()) == []


def test_totals_are_cumulative_from_january_through_each_period(
    sample_session: Session, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    dec = {"direction": "decrease", "factor_type": "dividends_paid"}
    _add(sample_session, inbox, "A1", period="2025-12", amount=999.0)  # last year: not counted
    _add(sample_session, inbox, "A1", period="2026-01", amount=100.0)
    _add(sample_session, inbox, "A1", period="2026-03", amount=50.0, factor_type="tax_refund")
    _add(sample_session, inbox, "A1", period="2026-03", amount=30.0, **dec)
    _add(sample_session, inbox, "A1", period="2026-05", amount=20.0, **dec)
    _add(sample_session, inbox, "A1", period="2026-07", amount=777.0)  # after up_to: not counted
    _add(sample_session, inbox, "B1", period="2026-04", amount=40.0, **dec)
    sample_session.commit()
    a1, b1 = _id(sample_session, "A1"), _id(sample_session, "B1")
    table = factor_totals(session=sample_session, year=2026, up_to_period="2026-06")
    assert table.schema.equals(TOTALS_SCHEMA)
    assert table.schema.field("enterprise_id").type == pa.int64()
    rows = {(r["enterprise_id"], r["period"]): (r["objective_increase"], r["objective_decrease"])
            for r in table.to_pylist()}  # fmt: skip
    assert len(rows) == 12  # two enterprises × January … June
    assert [rows[(a1, f"2026-0{m}")] for m in range(1, 7)] == [
        (100.0, 0.0), (100.0, 0.0), (150.0, 30.0), (150.0, 30.0), (150.0, 50.0), (150.0, 50.0),
    ]  # fmt: skip
    assert [rows[(b1, f"2026-0{m}")] for m in range(1, 7)] == [
        (0.0, 0.0), (0.0, 0.0), (0.0, 0.0), (0.0, 40.0), (0.0, 40.0), (0.0, 40.0),
    ]  # fmt: skip
    scoped = factor_totals(
        session=sample_session, year=2026, up_to_period="2026-06", scope=Scope.of({b1})
    )
    assert set(scoped.column("enterprise_id").to_pylist()) == {b1}
    empty = factor_totals(session=sample_session, year=2024, up_to_period="2024-12")
    assert empty.num_rows == 0 and empty.schema.equals(TOTALS_SCHEMA)
    with pytest.raises(InputError):
        factor_totals(session=sample_session, year=2026, up_to_period="2025-12")
