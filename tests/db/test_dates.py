"""The demo company and the date-driven rules on the days calendars go wrong: the last and
first day of a year, 28 February, a leap day, and five years out.

Each test pins the clock (alignment.shared.clock) to the day; the expected months are written
out by hand, not computed by the code under test. ``make test-dates`` also runs the whole
non-browser suite with the process clock moved by libfaketime, which proves that nothing
reads the real date behind the clock's back.
"""

from __future__ import annotations

import datetime as dt

import pytest

from alignment.access.permissions import COMMAND_LINE
from alignment.access.users import demo_actors
from alignment.company.sample import load_sample
from alignment.meeting import review
from alignment.shared import clock
from alignment.shared.periods import current_month
from alignment.shared.periods import month_period
from alignment.shared.periods import quarter_to_date
from alignment.shared.periods import year_to_date
from alignment.spend.budget import month_freshness
from alignment.spend.overview import available_months
from alignment.spend.overview import headline_figures
from alignment.trust import request_log
from alignment.trust.checklist import checklist_month
from tests import oracle

# day -> (its month, the demo's first month, quarter to date, year to date, last month)
DAYS = {
    "last day of a year": (
        dt.date(2026, 12, 31),
        ("2026-12", "2025-01", ("2026-10", "2026-12"), ("2026-01", "2026-12"), "2026-11"),
    ),
    "first day of a year": (
        dt.date(2027, 1, 1),
        ("2027-01", "2025-02", ("2027-01", "2027-01"), ("2027-01", "2027-01"), "2026-12"),
    ),
    "28 February": (
        dt.date(2027, 2, 28),
        ("2027-02", "2025-03", ("2027-01", "2027-02"), ("2027-01", "2027-02"), "2027-01"),
    ),
    "a leap day": (
        dt.date(2028, 2, 29),
        ("2028-02", "2026-03", ("2028-01", "2028-02"), ("2028-01", "2028-02"), "2028-01"),
    ),
    "five years out": (
        dt.date(2031, 12, 1),
        ("2031-12", "2030-01", ("2031-10", "2031-12"), ("2031-01", "2031-12"), "2031-11"),
    ),
}


@pytest.fixture(params=list(DAYS), ids=list(DAYS))
def day(request: pytest.FixtureRequest) -> tuple[dt.date, tuple]:
    return DAYS[request.param]


def test_the_periods_of_the_day(day):
    today, (month, _first, qtd, ytd, _last) = day
    with clock.pinned(today):
        assert clock.today() == today
        assert current_month() == month
        assert (quarter_to_date(month).first, quarter_to_date(month).last) == qtd
        assert (year_to_date(month).first, year_to_date(month).last) == ytd


def test_the_demo_company_ends_in_the_month_of_the_day(store, day):
    today, (month, first, _qtd, ytd, last_month) = day
    with clock.pinned(today), store.session() as session:
        summary = load_sample(session, COMMAND_LINE)
        months = available_months(session, COMMAND_LINE)
        figures = headline_figures(session, COMMAND_LINE, month_period(month)).as_json()
        year = headline_figures(session, COMMAND_LINE, year_to_date(month)).as_json()
        fresh = month_freshness(session, COMMAND_LINE, month_period(month))
        answered = checklist_month(session, COMMAND_LINE, month)
    assert (summary.first_month, summary.last_month) == (first, month)
    assert (months[0], months[-1], len(months)) == (first, month, 24)
    expected = oracle.headline(today, month, month)
    assert figures["budget_lines"] == expected["budget_lines"] > 0
    assert figures["actual_spend"] == pytest.approx(expected["actual_spend"])
    assert year["actual_spend"] == pytest.approx(oracle.headline(today, *ytd)["actual_spend"])
    assert list(fresh["month"]) == [month] and not fresh["stale"].any()
    assert answered.score is not None and not answered.roles_missing
    assert oracle.headline(today, last_month, last_month)["budget_lines"] > 0


def test_reviews_requests_and_actions_follow_the_day(store, day):
    today, (month, _first, _qtd, _ytd, last_month) = day
    with clock.pinned(today), store.session() as session:
        load_sample(session, COMMAND_LINE)
        people = {str(a.role): a for a in demo_actors(session)}
        ceo = people["CEO"]
        months = review.review_months(session, ceo).months
        assert months[:2] == [month, last_month]
        next_month = "2027-01" if month == "2026-12" else None
        if next_month:
            with pytest.raises(Exception, match="has not started"):
                review.close_review(session, ceo, next_month)
        review.close_review(session, ceo, month)
        assert review.review(session, ceo, month).status == "closed"
        request_id = request_log.raise_request(session, ceo, "Sponsor the trade fair")
        asked = {r.id: r.asked_on for r in request_log.requests(session, ceo)}
    assert asked[request_id] == today


@pytest.mark.parametrize(
    ("due", "overdue"),
    [(dt.timedelta(days=-1), True), (dt.timedelta(0), False), (dt.timedelta(days=1), False)],
    ids=["due yesterday", "due today", "due tomorrow"],
)
def test_an_action_is_overdue_only_after_its_due_day(day, due, overdue):
    today = day[0]
    action = review.ActionView(1, "2026-11", "action", "Call", "CFO", today + due, "open")
    with clock.pinned(today):
        assert action.overdue is overdue
