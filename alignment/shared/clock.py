"""The one clock: every "today" and "now" in SamePage asks here, so tests and demos can set it.

Nothing else reads the system time. The store keeps timestamps as UTC without a
time zone (``utc_now``); "today" is the calendar day where the server runs.

``SAMEPAGE_NOW`` (an ISO date or date-time, e.g. ``2026-11-23`` or
``2026-11-23T09:30:00+00:00``) starts the clock at that instant when the process first
asks, and it then runs on in real time; the test suite sets it so every process it
starts (the CLI, the app server) agrees on the day. ``pinned`` sets it inside one
process, for a test.

This module imports nothing of SamePage but its errors, so the store's column
defaults (``db``) can use it too.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from alignment.shared.errors import ValidationFailed

ENVIRONMENT = "SAMEPAGE_NOW"

_override: tuple[dt.datetime, float] | None = None
_from_environment: tuple[str, dt.datetime, float] | None = None


def parse_instant(text: str) -> dt.datetime:
    """An ISO date or date-time as an aware instant; a bare date is noon UTC, so it is
    the same calendar day in every time zone from UTC-11 to UTC+11."""
    value = text.strip()
    try:
        if len(value) == 10:
            day = dt.date.fromisoformat(value)
            return dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)
        instant = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            f"{ENVIRONMENT}={text!r} is not a date: write it as 2026-11-23 "
            "or 2026-11-23T09:30:00+00:00."
        ) from None
    return instant if instant.tzinfo else instant.replace(tzinfo=dt.UTC)


def _started() -> tuple[dt.datetime, float] | None:
    global _from_environment
    if _override is not None:
        return _override
    text = os.environ.get(ENVIRONMENT, "").strip()
    if not text:
        return None
    if _from_environment is None or _from_environment[0] != text:
        _from_environment = (text, parse_instant(text), time.monotonic())
    return _from_environment[1], _from_environment[2]


def now() -> dt.datetime:
    """This instant, aware (UTC)."""
    started = _started()
    if started is None:
        return dt.datetime.now(dt.UTC)
    instant, at = started
    return instant + dt.timedelta(seconds=time.monotonic() - at)


def utc_now() -> dt.datetime:
    """Now, as the store keeps every timestamp: UTC without a time zone."""
    return now().replace(tzinfo=None)


def utc_second() -> dt.datetime:
    """``utc_now`` to the whole second, for what a hash or a person reads back (audit
    events, signatures, closings): every database keeps it alike."""
    return utc_now().replace(microsecond=0)


def today() -> dt.date:
    """The calendar day where SamePage runs."""
    return now().astimezone().date()


def timestamp() -> float:
    """Seconds since the epoch, for durations such as the idle log-out."""
    return now().timestamp()


@contextmanager
def pinned(instant: dt.datetime | dt.date | str) -> Iterator[None]:
    """Inside the block this process's clock starts at ``instant`` and runs on."""
    global _override
    if isinstance(instant, str):
        start = parse_instant(instant)
    elif isinstance(instant, dt.datetime):
        start = instant if instant.tzinfo else instant.replace(tzinfo=dt.UTC)
    else:
        start = dt.datetime(instant.year, instant.month, instant.day, 12, tzinfo=dt.UTC)
    previous = _override
    _override = (start, time.monotonic())
    try:
        yield
    finally:
        _override = previous
