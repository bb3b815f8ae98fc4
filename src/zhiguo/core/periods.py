"""Monthly reporting periods and year-to-date arithmetic.

Flash reports are monthly; flows are reported year-to-date (本年累计) and compared with the
same period of the prior year (上年同期累计), so a period knows its YTD months and its
prior-year twin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import total_ordering

from .errors import InvalidPeriod

__all__ = ["Period"]

_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月$"),
    re.compile(r"^(\d{4})/(\d{1,2})$"),
)


@total_ordering
@dataclass(frozen=True)
class Period:
    """A calendar month, e.g. ``Period(2026, 3)``; written ``2026-03``."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1900 <= self.year <= 9999:
            raise InvalidPeriod(
                f"期间无效：{self.year} 年 {self.month} 月",
                f"Invalid period: year {self.year}, month {self.month}",
            )

    @classmethod
    def parse(cls, text: str | date | Period) -> Period:
        """Accepts ``2026-03``, ``202603``, ``2026年3月``, ``2026/3`` or a date."""
        if isinstance(text, Period):
            return text
        if isinstance(text, date):
            return cls(text.year, text.month)
        raw = str(text).strip()
        for pattern in _PATTERNS:
            m = pattern.match(raw)
            if m:
                return cls(int(m.group(1)), int(m.group(2)))
        raise InvalidPeriod(
            f"无法识别的期间 {raw!r}，应为 YYYY-MM",
            f"Unrecognised period {raw!r}; expected YYYY-MM",
        )

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return (self.year, self.month) < (other.year, other.month)

    @property
    def index(self) -> int:
        """Months since year 0 — handy for differences and ranges."""
        return self.year * 12 + self.month - 1

    @classmethod
    def from_index(cls, index: int) -> Period:
        return cls(index // 12, index % 12 + 1)

    def shift(self, months: int) -> Period:
        return Period.from_index(self.index + months)

    def months_until(self, other: Period) -> int:
        return other.index - self.index

    @property
    def previous(self) -> Period:
        return self.shift(-1)

    @property
    def prior_year(self) -> Period:
        """The same month a year earlier (上年同期)."""
        return Period(self.year - 1, self.month)

    @property
    def year_start(self) -> Period:
        return Period(self.year, 1)

    @property
    def quarter(self) -> int:
        return (self.month - 1) // 3 + 1

    def ytd_months(self) -> list[Period]:
        """January .. this month: the months a 本年累计 figure covers."""
        return [Period(self.year, m) for m in range(1, self.month + 1)]

    def month_from_ytd(self, ytd: float, previous_ytd: float | None) -> float:
        """The month's own flow from two YTD figures (January's YTD is its month)."""
        if self.month == 1:
            return ytd
        if previous_ytd is None:
            raise InvalidPeriod(
                f"{self} 需要上月 {self.previous} 的本年累计数",
                f"{self} needs the YTD figure of {self.previous}",
            )
        return ytd - previous_ytd

    def annualise(self, ytd: float) -> float:
        """Scale a YTD flow to a full year (× 12 / months elapsed); callers must say so."""
        return ytd * 12 / self.month

    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def last_day(self) -> date:
        nxt = self.shift(1).first_day()
        return date.fromordinal(nxt.toordinal() - 1)

    @classmethod
    def range(cls, start: Period, end: Period) -> list[Period]:
        return [cls.from_index(i) for i in range(start.index, end.index + 1)]
