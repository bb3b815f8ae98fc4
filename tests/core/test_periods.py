from __future__ import annotations

from datetime import date

import pytest

from zhiguo.core.errors import InvalidPeriod
from zhiguo.core.periods import Period


@pytest.mark.parametrize("text", ["2026-03", "202603", "2026年3月", "2026/3", " 2026-3 "])
def test_parse_accepts_common_spellings(text: str) -> None:
    assert Period.parse(text) == Period(2026, 3)


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "March 2026", "26-03", ""])
def test_parse_rejects_nonsense(text: str) -> None:
    with pytest.raises(InvalidPeriod):
        Period.parse(text)


def test_str_and_ordering() -> None:
    assert str(Period(2026, 3)) == "2026-03"
    assert Period(2025, 12) < Period(2026, 1) < Period(2026, 2)
    assert sorted([Period(2026, 2), Period(2025, 12)]) == [Period(2025, 12), Period(2026, 2)]


def test_shift_across_year_boundaries() -> None:
    assert Period(2026, 1).previous == Period(2025, 12)
    assert Period(2025, 11).shift(3) == Period(2026, 2)
    assert Period(2026, 3).prior_year == Period(2025, 3)
    assert Period(2024, 1).months_until(Period(2026, 3)) == 26


def test_ytd_months_and_month_from_ytd() -> None:
    p = Period(2026, 3)
    assert p.ytd_months() == [Period(2026, 1), Period(2026, 2), Period(2026, 3)]
    assert p.month_from_ytd(300.0, 180.0) == 120.0
    assert Period(2026, 1).month_from_ytd(75.0, None) == 75.0
    with pytest.raises(InvalidPeriod):
        p.month_from_ytd(300.0, None)


def test_annualise_and_days() -> None:
    assert Period(2026, 6).annualise(50.0) == 100.0
    assert Period(2024, 2).last_day() == date(2024, 2, 29)
    assert Period(2026, 12).last_day() == date(2026, 12, 31)
    assert Period.parse(date(2026, 11, 25)) == Period(2026, 11)
    assert Period.range(Period(2025, 11), Period(2026, 2))[-1] == Period(2026, 2)
    assert len(Period.range(Period(2025, 11), Period(2026, 2))) == 4
