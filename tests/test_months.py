"""Months as values: parsing what a person types, and the range it must keep."""

from __future__ import annotations

from datetime import date

import pytest

from pixely_benefits.months import Month, whole_months_between


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12", Month(2026, 12)),
        (" 2026-1 ", Month(2026, 1)),
        ("1900-01", Month(1900, 1)),
        ("9990-12", Month(9990, 12)),
    ],
)
def test_parse_reads_a_month(text: str, expected: Month) -> None:
    assert Month.parse(text) == expected


@pytest.mark.parametrize(
    "text", ["0000-12", "1899-12", "9999-12", "9991-01", "2026-13", "2026-00", "26-12"]
)
def test_parse_refuses_months_no_one_plans_for(text: str) -> None:
    with pytest.raises(ValueError):
        Month.parse(text)


def test_the_last_month_accepted_still_has_days_years_ahead() -> None:
    assert Month.parse("9990-12").shift(36).last_day == date(9993, 12, 31)


def test_whole_months_between_counts_complete_months() -> None:
    assert whole_months_between(date(2026, 6, 15), date(2026, 12, 1)) == 5
