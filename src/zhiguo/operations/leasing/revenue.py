"""Rent earned in a period: each lease's annual rent prorated by its days in the period.

A day of year ``y`` earns ``rent / days_in_year(y)`` (365 or 366), so a lease active over a
whole calendar year earns exactly its annual rent, and a period that straddles two years
prorates each part by its own year's length. A term includes both its first and its last
day; an ended lease earns up to its ``ended_on`` day.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .errors import LeaseInputError

__all__ = ["CENT", "parse_period", "prorated_rent", "round_cny"]

CENT = Decimal("0.01")
_PERIOD = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2]))?$")


def parse_period(text: str) -> tuple[date, date]:
    """``YYYY`` (a calendar year) or ``YYYY-MM`` (a month) → its first and last day."""
    match = _PERIOD.match(text.strip())
    if not match:
        raise LeaseInputError(
            f"期间 {text!r} 无效（应为 YYYY 或 YYYY-MM）",
            f"Invalid period {text!r} (YYYY or YYYY-MM)",
        )
    year = int(match.group(1))
    if not 1900 <= year <= 9998:  # date() and the year's last day must exist
        raise LeaseInputError(
            f"期间 {text!r} 的年份须在 1900–9998 之间", f"Period {text!r}: year must be 1900–9998"
        )
    if match.group(2) is None:
        return date(year, 1, 1), date(year, 12, 31)
    month = int(match.group(2))
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _days_in_year(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def prorated_rent(
    rent_cny_year: Decimal, first: date, last: date, period_first: date, period_last: date
) -> Decimal:
    """The rent a lease running ``first``..``last`` (both included) earns in the period
    ``period_first``..``period_last``, unrounded (callers round sums to the cent)."""
    lo, hi = max(first, period_first), min(last, period_last)
    total = Decimal(0)
    while lo <= hi:
        year_end = min(hi, date(lo.year, 12, 31))
        days = (year_end - lo).days + 1
        total += rent_cny_year * days / _days_in_year(lo.year)
        lo = year_end + timedelta(days=1)
    return total


def round_cny(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)
