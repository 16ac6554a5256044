"""The CEO's schedule words, read and evaluated: pure functions, no store, no clock.

What SamePage reads (case and extra spaces do not matter):

- ``every day`` (or ``daily``): every day;
- ``every Monday`` .. ``every Sunday``: that weekday each week;
- ``1st Tuesday`` .. ``4th Tuesday``, ``first`` .. ``fourth``, ``last Friday``: that
  weekday of each month;
- ``day 1`` .. ``day 31``: that day of each month; a month without it uses its last day
  (``day 31`` is 30 April, 28 or 29 February);
- ``last day``: the last day of each month;
- ``3 days before the review`` (0 to 27 days): counted back from the review's own
  schedule, which is never itself relative.

Anything else is refused with a sentence saying what is read.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from alignment.shared.errors import ValidationFailed

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ORDINALS = {
    "1st": 1,
    "first": 1,
    "2nd": 2,
    "second": 2,
    "3rd": 3,
    "third": 3,
    "4th": 4,
    "fourth": 4,
    "last": -1,
}
MAX_DAYS_BEFORE = 27
EXAMPLES = (
    "'2nd Tuesday', 'last Friday', 'day 31', 'every Monday', 'every day' "
    "or '3 days before the review'"
)


class Every(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH_WEEKDAY = "month weekday"
    MONTH_DAY = "month day"
    BEFORE_REVIEW = "before review"


@dataclass(frozen=True)
class Schedule:
    every: Every
    text: str
    weekday: int | None = None
    """Monday 0 .. Sunday 6."""
    nth: int | None = None
    """1..4, or -1 for the last."""
    day: int | None = None
    """1..31; 32 stands for the month's last day."""
    days_before: int | None = None

    @property
    def relative(self) -> bool:
        return self.every is Every.BEFORE_REVIEW


def parse(text: str) -> Schedule:
    """``text`` as a schedule, or a sentence saying what SamePage reads."""
    words = " ".join((text or "").strip().lower().split())
    shown = (text or "").strip()
    if words in ("every day", "daily", "each day"):
        return Schedule(Every.DAY, "every day")
    if words == "last day":
        return Schedule(Every.MONTH_DAY, "last day", day=32)
    match = re.fullmatch(r"(?:every|each) (\w+)", words)
    if match and match.group(1) in WEEKDAYS:
        weekday = WEEKDAYS.index(match.group(1))
        return Schedule(Every.WEEK, f"every {WEEKDAYS[weekday].title()}", weekday=weekday)
    match = re.fullmatch(r"(?:the )?(\w+) (\w+?)(?: of the month| of each month)?", words)
    if match and match.group(1) in ORDINALS and match.group(2) in WEEKDAYS:
        nth = ORDINALS[match.group(1)]
        weekday = WEEKDAYS.index(match.group(2))
        nth_text = "last" if nth == -1 else ("1st", "2nd", "3rd", "4th")[nth - 1]
        return Schedule(
            Every.MONTH_WEEKDAY, f"{nth_text} {WEEKDAYS[weekday].title()}", weekday, nth
        )
    if match and match.group(1) in ("5th", "fifth") and match.group(2) in WEEKDAYS:
        raise ValidationFailed(
            f"'{shown}': most months have no 5th {match.group(2).title()}; "
            f"write 'last {match.group(2).title()}'."
        )
    match = re.fullmatch(r"(?:on )?(?:the )?day (\d{1,3})(?: of the month| of each month)?", words)
    if match:
        day = int(match.group(1))
        if not 1 <= day <= 31:
            raise ValidationFailed(f"'{shown}': a day of the month is 1 to 31.")
        return Schedule(Every.MONTH_DAY, f"day {day}", day=day)
    match = re.fullmatch(r"(\d{1,3}) days? before (?:the )?review", words)
    if match:
        days = int(match.group(1))
        if days > MAX_DAYS_BEFORE:
            raise ValidationFailed(
                f"'{shown}': a reminder comes at most {MAX_DAYS_BEFORE} days before the review."
            )
        unit = "day" if days == 1 else "days"
        return Schedule(Every.BEFORE_REVIEW, f"{days} {unit} before the review", days_before=days)
    if not words:
        raise ValidationFailed(f"Write when, e.g. {EXAMPLES}.")
    raise ValidationFailed(
        f"SamePage does not read '{shown}' as a schedule; write e.g. {EXAMPLES}."
    )


def parse_review(text: str) -> Schedule:
    """The review's own schedule: a day of each month, never relative to itself."""
    schedule = parse(text)
    if schedule.every not in (Every.MONTH_WEEKDAY, Every.MONTH_DAY):
        raise ValidationFailed(
            f"'{text.strip()}': the review is held once a month; "
            "write e.g. '2nd Tuesday', 'last Friday' or 'day 5'."
        )
    return schedule


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def in_month(schedule: Schedule, year: int, month: int) -> dt.date:
    """The day a monthly schedule falls on in ``year``-``month``."""
    if schedule.every is Every.MONTH_DAY:
        assert schedule.day is not None
        return dt.date(year, month, min(schedule.day, _last_day(year, month)))
    if schedule.every is Every.MONTH_WEEKDAY:
        assert schedule.weekday is not None and schedule.nth is not None
        if schedule.nth == -1:
            last = dt.date(year, month, _last_day(year, month))
            return last - dt.timedelta(days=(last.weekday() - schedule.weekday) % 7)
        first = dt.date(year, month, 1)
        offset = (schedule.weekday - first.weekday()) % 7
        return first + dt.timedelta(days=offset + 7 * (schedule.nth - 1))
    raise ValueError(f"{schedule.text} is not a monthly schedule")


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def next_review(review: Schedule, today: dt.date) -> dt.date:
    """The review day on or after ``today``."""
    this_month = in_month(review, today.year, today.month)
    if this_month >= today:
        return this_month
    return in_month(review, *_next_month(today.year, today.month))


def reviewed_month(review_day: dt.date) -> str:
    """The month a review held on ``review_day`` looks back on: the month before."""
    first = review_day.replace(day=1) - dt.timedelta(days=1)
    return f"{first.year:04d}-{first.month:02d}"


def occurs_on(schedule: Schedule, day: dt.date, review: Schedule | None = None) -> bool:
    """Whether ``schedule`` falls on ``day``; a schedule relative to the review needs it."""
    if schedule.every is Every.DAY:
        return True
    if schedule.every is Every.WEEK:
        return day.weekday() == schedule.weekday
    if schedule.every is Every.BEFORE_REVIEW:
        if review is None:
            raise ValueError("a schedule before the review needs the review's schedule")
        assert schedule.days_before is not None
        return next_review(review, day) - dt.timedelta(days=schedule.days_before) == day
    return in_month(schedule, day.year, day.month) == day


def reminder_window(
    schedule: Schedule, review: Schedule, today: dt.date
) -> tuple[dt.date, dt.date] | None:
    """From the first day a reminder before the next review may go until the review day,
    when ``today`` lies in it; None otherwise. A day the command did not run is made up on
    the next run before the review (the outbox sends each reminder once)."""
    review_day = next_review(review, today)
    if schedule.every is Every.BEFORE_REVIEW:
        assert schedule.days_before is not None
        start = review_day - dt.timedelta(days=schedule.days_before)
    elif schedule.every in (Every.MONTH_DAY, Every.MONTH_WEEKDAY):
        start = in_month(schedule, review_day.year, review_day.month)
        if start > review_day:
            # "last Friday" before a review on the 2nd Tuesday: the month before's
            before = review_day.replace(day=1) - dt.timedelta(days=1)
            start = in_month(schedule, before.year, before.month)
    else:
        start = today if occurs_on(schedule, today, review) else review_day + dt.timedelta(1)
    if start <= today <= review_day:
        return start, review_day
    return None
