"""A real team's store (password log-ins, its own history years back) in the review and
the checklist: both open on the team's newest month with figures, not on an empty today."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from alignment.budget_import import apply_import
from alignment.budget_import import read_budget_file
from alignment.permissions import Actor
from alignment.permissions import Role
from alignment.store import open_store
from tests.app.conftest import ROOT
from tests.app.test_login import log_in

HISTORY = (
    b"month,channel,campaign,planned_budget,actual_spend,attributed_pipeline,"
    b"attributed_revenue,new_customers\n"
    b"2016-03,TV,,1000,900,0,3000,1\n"
    b"2019-11,Search,,500,450,2000,1800,2\n"
)


def _team_with_history(url: str) -> None:
    store = open_store(url)
    with store.session() as session:
        apply_import(session, Actor(None, "Dana", Role.CMO), read_budget_file(HISTORY, "h.csv"))
    store.close()


def _open(page: str, email: str) -> AppTest:
    at = log_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run(), email)
    at.switch_page(f"pages/{page}.py")
    return at.run()


def test_the_review_opens_on_the_newest_month_with_figures(team_url):
    _team_with_history(team_url)
    at = _open("review", "ceo@team.example")
    assert not at.exception
    assert at.title[0].value == "Monthly review, November 2019"
    assert at.selectbox(key="review_month").options == [
        "November 2026",
        "November 2019",
        "March 2016",
    ]


def test_the_checklist_offers_the_history_too(team_url):
    _team_with_history(team_url)
    at = _open("checklist", "cfo@team.example")
    assert not at.exception
    box = at.selectbox(key="checklist_month")
    assert box.value == "2019-11"
    assert box.options == ["November 2026", "November 2019", "March 2016"]
