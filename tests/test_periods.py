"""Periods of the Oct–Sep statistical year, with property tests for the date arithmetic."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minhbach.content.periods import (
    FIRST_YEAR,
    LAST_DAY,
    LAST_YEAR,
    Period,
    PeriodError,
    date_problem,
    statistical_year_of,
)

# One year inside the bounds on each side: the tests step a year back and forth.
years = st.integers(min_value=FIRST_YEAR + 1, max_value=LAST_YEAR - 1)
months = st.integers(min_value=1, max_value=12)


def test_six_months_of_2024() -> None:
    period = Period.parse("2024-6m")
    assert (period.start, period.end) == (dt.date(2023, 10, 1), dt.date(2024, 3, 31))
    assert period.label("vi") == "6 tháng năm 2024 (01/10/2023–31/03/2024)"
    assert period.label("en") == "6 months of 2024 (1 October 2023 – 31 March 2024)"
    assert period.same_period_previous_year() == Period(2023, 6)
    assert period.url_segment("vi") == "6-thang"


def test_annual_period() -> None:
    period = Period.parse("2016-12m")
    assert (period.start, period.end) == (dt.date(2015, 10, 1), dt.date(2016, 9, 30))
    assert period.label("vi") == "năm 2016 (01/10/2015–30/09/2016)"
    assert period.url_segment("vi") == "ca-nam"


def test_february_of_a_leap_year() -> None:
    assert Period(2024, 5).end == dt.date(2024, 2, 29)
    assert Period(2023, 5).end == dt.date(2023, 2, 28)


@pytest.mark.parametrize(
    "text",
    ["2024-0m", "2024-13m", "2024-6", "24-6m", "2024 6m", "", "2200-12m", "0000-12m", "0-12m"],
)
def test_bad_periods(text: str) -> None:
    with pytest.raises(PeriodError):
        Period.parse(text)


@given(years, months)
def test_parse_round_trip(year: int, month_count: int) -> None:
    period = Period(year, month_count)
    assert Period.parse(period.key) == period


@given(years, months)
def test_period_is_the_first_n_months_from_october(year: int, month_count: int) -> None:
    period = Period(year, month_count)
    assert period.start == dt.date(year - 1, 10, 1)
    next_day = period.end + dt.timedelta(days=1)
    assert next_day.day == 1
    months_covered = (next_day.year - period.start.year) * 12 + next_day.month - period.start.month
    assert months_covered == month_count
    assert statistical_year_of(period.start) == statistical_year_of(period.end) == year
    assert period.contains(period.start) and period.contains(period.end)


@given(years, months)
def test_same_period_previous_year_is_one_year_earlier(year: int, month_count: int) -> None:
    period = Period(year, month_count)
    before = period.same_period_previous_year()
    assert before.months == month_count
    assert before.start == period.start.replace(year=period.start.year - 1)
    assert before.end < period.start


@given(years, st.integers(1, 11))
def test_longer_periods_end_later(year: int, month_count: int) -> None:
    assert Period(year, month_count).end < Period(year, month_count + 1).end
    assert Period(year, month_count) < Period(year, month_count + 1) < Period(year + 1, 1)


def test_the_last_period_ends_before_the_last_content_date() -> None:
    assert Period(LAST_YEAR, 12).end <= LAST_DAY
    with pytest.raises(PeriodError, match="outside 1990-2099"):
        Period.parse("2100-12m")


@pytest.mark.parametrize(
    ("day", "problem"),
    [
        (dt.date(1944, 12, 31), "1944-12-31 is outside 1945-2099"),
        (dt.date(1945, 1, 1), None),
        (dt.date(2099, 12, 31), None),
        (dt.date(2100, 1, 1), "2100-01-01 is outside 1945-2099"),
        (dt.date(2107, 1, 1), "2107-01-01 is outside 1945-2099"),  # past 32-bit gzip times
    ],
)
def test_content_dates_are_bounded(day: dt.date, problem: str | None) -> None:
    assert date_problem(day) == problem
