"""The CEO's schedule words, read and evaluated on many dates."""

from __future__ import annotations

import datetime as dt

import pytest

from alignment.notices import schedule as sch
from alignment.shared.errors import ValidationFailed

D = dt.date


@pytest.mark.parametrize(
    ("text", "year", "month", "expected"),
    [
        ("2nd Tuesday", 2026, 12, D(2026, 12, 8)),
        ("2nd Tuesday", 2026, 11, D(2026, 11, 10)),
        ("second tuesday", 2026, 9, D(2026, 9, 8)),
        ("1st Monday", 2026, 6, D(2026, 6, 1)),
        ("the 4th Thursday of the month", 2026, 11, D(2026, 11, 26)),
        ("last Friday", 2026, 10, D(2026, 10, 30)),
        ("last Friday", 2027, 1, D(2027, 1, 29)),
        ("last Sunday", 2026, 5, D(2026, 5, 31)),
        ("day 31", 2026, 4, D(2026, 4, 30)),
        ("day 31", 2026, 11, D(2026, 11, 30)),
        ("day 31", 2026, 12, D(2026, 12, 31)),
        ("day 31", 2027, 2, D(2027, 2, 28)),
        ("day 30", 2028, 2, D(2028, 2, 29)),
        ("Day  5", 2026, 7, D(2026, 7, 5)),
        ("last day", 2026, 9, D(2026, 9, 30)),
    ],
)
def test_a_monthly_schedule_falls_on_one_day_of_each_month(text, year, month, expected):
    assert sch.in_month(sch.parse(text), year, month) == expected


def test_day_31_in_a_30_day_month_is_its_last_day_and_only_that_day():
    schedule = sch.parse("day 31")
    days = [
        D(2026, 11, 1) + dt.timedelta(n)
        for n in range(30)
        if sch.occurs_on(schedule, D(2026, 11, 1) + dt.timedelta(n))
    ]
    assert days == [D(2026, 11, 30)]
    assert sch.occurs_on(schedule, D(2026, 12, 31))
    assert not sch.occurs_on(schedule, D(2026, 12, 30))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 11, 23), D(2026, 12, 8)),
        (D(2026, 12, 8), D(2026, 12, 8)),
        (D(2026, 12, 9), D(2027, 1, 12)),
        (D(2026, 11, 10), D(2026, 11, 10)),
    ],
)
def test_the_next_review_is_on_or_after_the_day(day, expected):
    assert sch.next_review(sch.parse_review("2nd Tuesday"), day) == expected


def test_a_review_looks_back_on_the_month_before():
    assert sch.reviewed_month(D(2026, 12, 8)) == "2026-11"
    assert sch.reviewed_month(D(2027, 1, 12)) == "2026-12"


def test_three_days_before_the_review():
    review = sch.parse_review("2nd Tuesday")
    before = sch.parse("3 days before the review")
    assert before.text == "3 days before the review"
    hits = [
        D(2026, 11, 1) + dt.timedelta(n)
        for n in range(61)
        if sch.occurs_on(before, D(2026, 11, 1) + dt.timedelta(n), review)
    ]
    assert hits == [D(2026, 11, 7), D(2026, 12, 5)]


def test_the_reminder_window_runs_from_its_day_to_the_review_and_makes_up_a_missed_day():
    review = sch.parse_review("2nd Tuesday")
    before = sch.parse("3 days before the review")
    assert sch.reminder_window(before, review, D(2026, 12, 4)) is None
    assert sch.reminder_window(before, review, D(2026, 12, 5)) == (D(2026, 12, 5), D(2026, 12, 8))
    assert sch.reminder_window(before, review, D(2026, 12, 7)) == (D(2026, 12, 5), D(2026, 12, 8))
    assert sch.reminder_window(before, review, D(2026, 12, 8)) == (D(2026, 12, 5), D(2026, 12, 8))
    assert sch.reminder_window(before, review, D(2026, 11, 23)) is None


def test_a_monthly_reminder_counts_in_the_review_s_month():
    review = sch.parse_review("day 31")
    first = sch.parse("day 28")
    assert sch.reminder_window(first, review, D(2026, 11, 23)) is None
    assert sch.reminder_window(first, review, D(2026, 11, 29)) == (D(2026, 11, 28), D(2026, 11, 30))


def test_weekly_and_daily():
    monday = sch.parse("every monday")
    assert monday.text == "every Monday"
    assert sch.occurs_on(monday, D(2026, 11, 23))
    assert not sch.occurs_on(monday, D(2026, 11, 24))
    assert all(
        sch.occurs_on(sch.parse("daily"), D(2026, 2, 28) + dt.timedelta(n)) for n in range(9)
    )


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "Write when"),
        ("whenever", "does not read 'whenever'"),
        ("day 32", "1 to 31"),
        ("day 0", "1 to 31"),
        ("5th Friday", "write 'last Friday'"),
        ("40 days before the review", "at most 27 days"),
        ("2nd Funday", "does not read"),
    ],
)
def test_what_is_not_a_schedule_is_refused_in_a_sentence(text, says):
    with pytest.raises(ValidationFailed, match=says):
        sch.parse(text)


def test_the_review_itself_is_a_day_of_the_month():
    with pytest.raises(ValidationFailed, match="once a month"):
        sch.parse_review("3 days before the review")
    with pytest.raises(ValidationFailed, match="once a month"):
        sch.parse_review("every Monday")


def test_a_monthly_reminder_later_in_the_month_than_the_review_counts_in_the_month_before():
    """'last Friday' before a review on the 2nd Tuesday: the last Friday of the month before
    (27 November for the review on 8 December 2026), not never."""
    review = sch.parse_review("2nd Tuesday")
    friday = sch.parse("last Friday")
    assert sch.reminder_window(friday, review, D(2026, 11, 26)) is None
    assert sch.reminder_window(friday, review, D(2026, 11, 27)) == (D(2026, 11, 27), D(2026, 12, 8))
    assert sch.reminder_window(friday, review, D(2026, 12, 8)) == (D(2026, 11, 27), D(2026, 12, 8))
