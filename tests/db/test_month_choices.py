"""Which months a page offers and opens on: a real team's history years back, weekly files
that stop mid-month, plans typed ahead, an empty store."""

from __future__ import annotations

from alignment.access.permissions import Actor
from alignment.access.permissions import Role
from alignment.meeting.review import review_months
from alignment.shared.clock import pinned
from alignment.spend import budget_import
from alignment.spend.overview import figure_months

CMO = Actor(None, "Priya Raman", Role.CMO)
VIEWER = Actor(None, "Board member", Role.VIEWER)


def _import(store, rows: list[tuple[str, str, str]]) -> None:
    body = "".join(f"{month},{channel},{spend}\n" for month, channel, spend in rows)
    with store.session() as session:
        budget = budget_import.read_budget_file(
            f"month,channel,actual_spend\n{body}".encode(), "history.csv"
        )
        budget_import.apply_import(session, CMO, budget)


def _weeks(first_day: int, last_day: int, month: str) -> list[tuple[str, str, str]]:
    return [(f"{month}-{day:02d}", "Search", "100") for day in range(first_day, last_day + 1, 7)]


def test_a_weekly_history_that_stops_mid_month_opens_on_the_month_before(store):
    """The Robyn file's last week starts on 11 Nov 2019 and covers it only to the 17th."""
    _import(store, _weeks(7, 28, "2019-10") + _weeks(4, 11, "2019-11"))
    with pinned("2026-12-01"), store.session() as session:
        choices = figure_months(session, VIEWER)
    assert choices.months == ["2019-11", "2019-10"]
    assert choices.opening == "2019-10"


def test_a_last_week_that_reaches_the_month_end_makes_the_month_complete(store):
    """The week starting 25 Nov 2019 runs to 1 Dec: November is whole."""
    _import(store, _weeks(7, 28, "2019-10") + _weeks(4, 25, "2019-11"))
    with pinned("2026-12-01"), store.session() as session:
        assert figure_months(session, VIEWER).opening == "2019-11"


def _daily(last_april_day: int) -> list[tuple[str, str, str]]:
    days = [(f"2018-03-{d:02d}", "Search", "10") for d in range(1, 32)]
    return days + [(f"2018-04-{d:02d}", "Search", "10") for d in range(1, last_april_day + 1)]


def test_daily_rows_up_to_the_last_day_make_the_month_complete(store):
    _import(store, _daily(30))
    with pinned("2026-12-01"), store.session() as session:
        assert figure_months(session, VIEWER).opening == "2018-04"


def test_daily_rows_short_of_the_last_day_leave_the_month_partial(store):
    _import(store, _daily(29))
    with pinned("2026-12-01"), store.session() as session:
        assert figure_months(session, VIEWER).opening == "2018-03"


def test_monthly_figures_open_on_the_newest_month_up_to_now_and_offer_plans_ahead(store):
    _import(store, [("2016-01", "Search", "5"), ("2016-02", "Search", "5"), ("2027-03", "TV", "9")])
    with pinned("2026-12-01"), store.session() as session:
        choices = figure_months(session, VIEWER)
    assert choices.months == ["2027-03", "2016-02", "2016-01"]
    assert choices.opening == "2016-02"


def test_a_single_partial_month_is_still_opened_rather_than_nothing(store):
    _import(store, _weeks(4, 11, "2019-11"))
    with pinned("2026-12-01"), store.session() as session:
        assert figure_months(session, VIEWER).opening == "2019-11"


def test_the_running_month_is_the_month_to_date(store):
    _import(store, [("2026-11", "Search", "5"), ("2026-12-01", "Search", "5")])
    with pinned("2026-12-01"), store.session() as session:
        assert figure_months(session, VIEWER).opening == "2026-12"


def test_an_empty_store_opens_on_the_current_month(store):
    with pinned("2026-12-01"), store.session() as session:
        choices = figure_months(session, VIEWER)
    assert choices.months == [] and choices.opening == "2026-12"


def test_the_review_and_checklist_open_where_the_figures_do(store):
    """A history file stopping mid-November 2019: the review offers every month with data
    and today's, and opens on October, the last complete month."""
    _import(store, _weeks(7, 28, "2019-10") + _weeks(4, 11, "2019-11"))
    with pinned("2026-12-01"), store.session() as session:
        choices = review_months(session, VIEWER)
    assert choices.months == ["2026-12", "2019-11", "2019-10"]
    assert choices.opening == "2019-10"
