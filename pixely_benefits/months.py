"""Calendar months as values: ``Month(2026, 12)`` prints as ``2026-12``."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

_PATTERN = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")

FIRST_YEAR = 1900
LAST_YEAR = 9990
"""The years a month typed by a person may have. Rules look a few years ahead
and behind a month, and Python's dates end in 9999, so the range stays clear
of that end; nothing the agency plans falls outside it."""


@dataclass(frozen=True, order=True, slots=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month out of range: {self.month}")

    @classmethod
    def parse(cls, text: str) -> Month:
        """``"2026-12"`` -> ``Month(2026, 12)``; raises ``ValueError`` otherwise.

        The year must lie between :data:`FIRST_YEAR` and :data:`LAST_YEAR`.
        """
        found = _PATTERN.match(text)
        if not found:
            raise ValueError(f"not a month: {text!r}")
        year = int(found.group(1))
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(f"year out of range: {year}")
        return cls(year, int(found.group(2)))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(
            self.year, self.month, calendar.monthrange(self.year, self.month)[1]
        )

    @property
    def index(self) -> int:
        """Months since year 0; differences of two indexes count months apart."""
        return self.year * 12 + self.month - 1

    def shift(self, months: int) -> Month:
        year, month0 = divmod(self.index + months, 12)
        return Month(year, month0 + 1)

    def __sub__(self, other: Month) -> int:
        return self.index - other.index

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def whole_months_between(start: date, end: date) -> int:
    """Whole calendar months from ``start`` to ``end`` (0 if ``end`` is earlier).

    A month is complete on the same day number, or on the last day of a month
    too short to have it: 31 January -> 28 February is one month.
    """
    months = (end.year - start.year) * 12 + end.month - start.month
    anniversary = min(start.day, calendar.monthrange(end.year, end.month)[1])
    if end.day < anniversary:
        months -= 1
    return max(months, 0)
