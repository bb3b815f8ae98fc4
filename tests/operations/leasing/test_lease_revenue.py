"""Revenue: annual rent prorated by days, per owning enterprise, within scope."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from leasing_fixtures import carrier, enterprise_id, lease_in_state, officer, regulator
from sqlalchemy.orm import Session

from zhiguo.operations.leasing import (
    LeaseInputError,
    parse_period,
    prorated_rent,
    revenue,
    transition_lease,
)


@pytest.mark.parametrize(
    ("rent", "first", "last", "period", "expected"),
    [
        # a whole year's lease over that year: the annual rent exactly
        ("36500", date(2026, 1, 1), date(2026, 12, 31), "2026", "36500"),
        # March 2026: 31 of 365 days → 36 500 × 31 / 365 = 3 100
        ("36500", date(2026, 1, 1), date(2026, 12, 31), "2026-03", "3100"),
        # from 1 July 2026 (184 days left in 2026): 36 500 × 184 / 365 = 18 400
        ("36500", date(2026, 7, 1), date(2027, 6, 30), "2026", "18400"),
        # ... and 181 days of 2027: 36 500 × 181 / 365 = 18 100
        ("36500", date(2026, 7, 1), date(2027, 6, 30), "2027", "18100"),
        # leap February 2028: 36 600 × 29 / 366 = 2 900
        ("36600", date(2028, 1, 1), date(2028, 12, 31), "2028-02", "2900"),
        # starts 16 March: 16 days of March → 36 500 × 16 / 365 = 1 600
        ("36500", date(2026, 3, 16), date(2027, 3, 15), "2026-03", "1600"),
        # outside the period: nothing
        ("36500", date(2026, 1, 1), date(2026, 12, 31), "2027-01", "0"),
    ],
)
def test_proration_by_hand(rent: str, first: date, last: date, period: str, expected: str) -> None:
    p_first, p_last = parse_period(period)
    assert prorated_rent(Decimal(rent), first, last, p_first, p_last) == Decimal(expected)


@pytest.mark.parametrize("bad", ["2026-13", "26", "2026-3", "March", ""])
def test_bad_periods_are_refused(bad: str) -> None:
    with pytest.raises(LeaseInputError):
        parse_period(bad)


def test_revenue_per_owning_enterprise(sample_session: Session) -> None:
    s = sample_session
    # A1: a whole-2026 lease at 36 500 → March 3 100
    lease_in_state(s, "active", owner="A1")
    # A1 again, 73 000 a year from 16 March → 73 000 × 16 / 365 = 3 200
    lease_in_state(s, "active", owner="A1", rent=Decimal("73000"),
                   start=date(2026, 3, 16), end=date(2027, 3, 15))  # fmt: skip
    # B1: ended early on 10 March (note given) → 36 500 × 10 / 365 = 1 000
    ended = lease_in_state(s, "active", owner="B1", who=carrier("telecom"))
    transition_lease(session=s, caller=regulator(), lease_id=ended, to="ended",
                     end=date(2026, 3, 10), note="提前解约 / early termination")  # fmt: skip
    # Not yet active: earns nothing
    lease_in_state(s, "contract", owner="B1")
    report = revenue(session=s, caller=regulator(), period="2026-03")
    got = {(r.enterprise_id, r.leases, r.revenue_cny) for r in report.rows}
    assert got == {
        (enterprise_id(s, "A1"), 2, Decimal("6300.00")),
        (enterprise_id(s, "B1"), 1, Decimal("1000.00")),
    }
    assert report.total_cny == Decimal("7300.00")
    assert (report.first, report.last) == (date(2026, 3, 1), date(2026, 3, 31))
    g2 = revenue(session=s, caller=officer(s, "G2"), period="2026-03")
    assert [(r.enterprise_id, r.revenue_cny) for r in g2.rows] == [
        (enterprise_id(s, "B1"), Decimal("1000.00"))
    ]
    assert revenue(session=s, caller=carrier(), period="2026").rows == []
    year = revenue(session=s, caller=regulator(), period="2026")
    # 36 500 + 73 000 × 291/365 (16 Mar – 31 Dec) + 36 500 × 69/365 (to 10 Mar)
    expected = Decimal(36500) + Decimal(73000) * 291 / 365 + Decimal(36500) * 69 / 365
    assert year.total_cny == expected.quantize(Decimal("0.01"))
