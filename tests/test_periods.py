"""Periods of the Oct–Sep statistical year, with property tests for the date arithmetic."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minhbach.periods import Period, PeriodError, statistical_year_of

years = st.integers(min_value=1991, max_value=2099)
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


@pytest.mark.parametrize("text", ["2024-0m", "2024-13m", "2024-6", "24-6m", "2024 6m", ""])
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
