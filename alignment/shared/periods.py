"""Months, quarters, years and to-date ranges: the periods every figure is computed over.

A period is always a closed range of calendar months, so one aggregation
serves a month, a quarter, a year or any range in between.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from alignment.shared import clock
from alignment.shared.errors import InvalidPeriod

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2})\.\.(\d{4}-\d{2})$")

PERIOD_HELP = (
    "use a month (2026-03), a quarter (2026-Q1), a year (2026) "
    "or a range of months (2026-01..2026-03)"
)


FIRST_YEAR = 1990
"""The earliest year SamePage reads, typed or imported: a year before is a typo (1026 for
2026), not a team's marketing history."""


def parse_month(text: str) -> str:
    """``YYYY-MM`` checked and normalised; anything else is refused."""
    match = _MONTH.match(text.strip())
    if not match:
        raise InvalidPeriod(f"'{text}' is not a month: write it as YYYY-MM, e.g. 2026-03.")
    if int(match.group(1)) < FIRST_YEAR:
        raise InvalidPeriod(f"'{text}' is before {FIRST_YEAR}; check the year.")
    if not 1 <= int(match.group(2)) <= 12:
        raise InvalidPeriod(f"'{text}' is not a month: the month number must be 01 to 12.")
    return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def current_month(today: dt.date | None = None) -> str:
    return month_of(today or clock.today())


def add_months(month: str, count: int) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    index = year * 12 + (mon - 1) + count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_difference(first: str, last: str) -> int:
    """How many months ``last`` lies after ``first`` (negative when before)."""
    return (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7])


def months_between(first: str, last: str) -> list[str]:
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def month_label(month: str) -> str:
    return f"{calendar.month_name[int(month[5:7])]} {month[:4]}"


def short_month_label(month: str) -> str:
    return f"{calendar.month_abbr[int(month[5:7])]} {month[:4]}"


def _span(first: str, last: str) -> str:
    return f"{short_month_label(first)} – {short_month_label(last)}"


def quarter_of(month: str) -> str:
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


@dataclass(frozen=True)
class Period:
    """A closed range of months, with the label a person reads and the code the CLI takes."""

    first: str
    last: str
    label: str

    @property
    def code(self) -> str:
        if self.first == self.last:
            return self.first
        return f"{self.first}..{self.last}"

    @property
    def months(self) -> list[str]:
        return months_between(self.first, self.last)

    def __len__(self) -> int:
        return len(self.months)

    @property
    def short_label(self) -> str:
        if self.first == self.last:
            return short_month_label(self.first)
        return _span(self.first, self.last)

    def previous(self) -> Period:
        """The period of the same length just before this one, for comparisons."""
        length = len(self)
        return range_period(add_months(self.first, -length), add_months(self.first, -1))


def month_period(month: str) -> Period:
    month = parse_month(month)
    return Period(month, month, month_label(month))


def range_period(first: str, last: str) -> Period:
    first, last = parse_month(first), parse_month(last)
    if last < first:
        raise InvalidPeriod(f"The range {first}..{last} ends before it starts.")
    if first == last:
        return month_period(first)
    return Period(first, last, _span(first, last))


def quarter_period(year: int, quarter: int) -> Period:
    first = f"{year:04d}-{(quarter - 1) * 3 + 1:02d}"
    return Period(first, add_months(first, 2), f"Q{quarter} {year}")


def year_period(year: int) -> Period:
    return Period(f"{year:04d}-01", f"{year:04d}-12", str(year))


def fiscal_year_start(month: str, fiscal_year_start_month: int = 1) -> str:
    """First month of the fiscal year that ``month`` falls in."""
    month = parse_month(month)
    back = (int(month[5:7]) - fiscal_year_start_month) % 12
    return add_months(month, -back)


def quarter_to_date(month: str, fiscal_year_start_month: int = 1) -> Period:
    month = parse_month(month)
    fy_start = fiscal_year_start(month, fiscal_year_start_month)
    offset = len(months_between(fy_start, month)) - 1
    first = add_months(fy_start, offset - offset % 3)
    quarter = offset // 3 + 1
    name = f"Q{quarter} {first[:4]}" if fiscal_year_start_month == 1 else f"Fiscal Q{quarter}"
    return Period(first, month, f"{name} to date ({_span(first, month)})")


def year_to_date(month: str, fiscal_year_start_month: int = 1) -> Period:
    month = parse_month(month)
    first = fiscal_year_start(month, fiscal_year_start_month)
    name = month[:4] if fiscal_year_start_month == 1 else "Fiscal year"
    return Period(first, month, f"{name} to date ({_span(first, month)})")


def parse_period(text: str) -> Period:
    """Read a period as the CLI and links write it; refuse anything else with the forms it takes."""
    raw = (text or "").strip()
    if _MONTH.match(raw):
        return month_period(raw)
    if match := _QUARTER.match(raw):
        return quarter_period(int(match.group(1)), int(match.group(2)))
    if (match := _YEAR.match(raw)) and int(raw) >= FIRST_YEAR:
        return year_period(int(match.group(1)))
    if match := _RANGE.match(raw):
        return range_period(match.group(1), match.group(2))
    raise InvalidPeriod(f"'{raw}' is not a period SamePage knows: {PERIOD_HELP}.")
