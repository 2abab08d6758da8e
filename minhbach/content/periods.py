"""Reporting periods of the THADS statistical year.

The statistical year Y runs from 01/10/Y-1 to 30/09/Y and is named after the
year it ends in. Reports are cumulative from 1 October: `Y-Nm` covers the first
N months (N = 1..12), so `2024-6m` is 01/10/2023-31/03/2024 and `2024-12m` the
whole year (THADS.md §2.1, TT 06/2019 Art. 4(2)).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

Lang = Literal["vi", "en"]

_PERIOD_RE = re.compile(r"^(?P<year>\d{4})-(?P<months>\d{1,2})m$")
FIRST_YEAR = 1990
LAST_YEAR = 2099
# Any date content may give (a source's, a release's, a scheme's): the republic's first
# year to the century's last. Later dates are mistakes, and past 2106 they do not fit the
# 32-bit times of the site's gzip headers.
FIRST_DAY = dt.date(1945, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)


class PeriodError(ValueError):
    """A period string that is not `Y-Nm` with N in 1..12."""


@dataclass(frozen=True, order=True)
class Period:
    """A cumulative reporting period: the first `months` months of statistical year `year`."""

    year: int
    months: int

    def __post_init__(self) -> None:
        if not 1 <= self.months <= 12:
            raise PeriodError(f"months must be 1 to 12, not {self.months}")
        if not FIRST_YEAR <= self.year <= LAST_YEAR:
            raise PeriodError(f"year {self.year} is outside {FIRST_YEAR}-{LAST_YEAR}")

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse `Y-Nm`, e.g. '2024-6m'."""
        match = _PERIOD_RE.match(text.strip()) if isinstance(text, str) else None
        if not match:
            raise PeriodError(f"'{text}' is not a period like 2024-6m (year-months)")
        return cls(int(match["year"]), int(match["months"]))

    @property
    def key(self) -> str:
        return f"{self.year}-{self.months}m"

    def __str__(self) -> str:
        return self.key

    @property
    def start(self) -> dt.date:
        return dt.date(self.year - 1, 10, 1)

    @property
    def end(self) -> dt.date:
        """Last day of the period: the end of month `months` counted from October."""
        month_index = 9 + self.months  # October is month 10 of the previous calendar year
        year = self.year - 1 + (month_index - 1) // 12
        month = (month_index - 1) % 12 + 1
        return dt.date(year, month, calendar.monthrange(year, month)[1])

    @property
    def is_annual(self) -> bool:
        return self.months == 12

    @property
    def is_quarterly(self) -> bool:
        return self.months % 3 == 0

    def same_period_previous_year(self) -> Period:
        """The 'cùng kỳ' period: the same months of the previous statistical year."""
        return Period(self.year - 1, self.months)

    def previous_annual(self) -> Period:
        """The full previous statistical year, whose carried-forward figures open this year."""
        return Period(self.year - 1, 12)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def name(self, lang: Lang) -> str:
        """Short name: '6 tháng năm 2024' / '6 months of 2024' / 'năm 2024' / '2024'."""
        if lang == "vi":
            return f"năm {self.year}" if self.is_annual else f"{self.months} tháng năm {self.year}"
        if self.is_annual:
            return f"statistical year {self.year}"
        unit = "month" if self.months == 1 else "months"
        return f"{self.months} {unit} of {self.year}"

    def date_range(self, lang: Lang) -> str:
        if lang == "vi":
            return f"{self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"
        return f"{_en_date(self.start)} – {_en_date(self.end)}"

    def label(self, lang: Lang) -> str:
        """Full label: '6 tháng năm 2024 (01/10/2023–31/03/2024)'."""
        return f"{self.name(lang)} ({self.date_range(lang)})"

    def url_segment(self, lang: Lang) -> str:
        """Path segment under the year: '6-thang' / '6-months'; 'ca-nam' / 'full-year'."""
        if lang == "vi":
            return "ca-nam" if self.is_annual else f"{self.months}-thang"
        return "full-year" if self.is_annual else f"{self.months}-months"


def _en_date(day: dt.date) -> str:
    return f"{day.day} {calendar.month_name[day.month]} {day.year}"


def date_problem(day: dt.date) -> str | None:
    """Why `day` (or the day of a date and time) cannot be a content date; None if it can."""
    if FIRST_DAY <= day <= LAST_DAY:
        return None
    return f"{day.isoformat()} is outside {FIRST_DAY.year}-{LAST_DAY.year}"


def statistical_year_of(day: dt.date) -> int:
    """The statistical year a calendar day falls in (October starts the next year)."""
    return day.year + 1 if day.month >= 10 else day.year
