"""A real team's store (password log-ins, its own history years back) in the review and
the checklist: both open on the team's newest month with figures, not on an empty today."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from alignment.access.permissions import Actor
from alignment.access.permissions import Role
from alignment.edges.store import open_store
from alignment.spend.budget_import import apply_import
from alignment.spend.budget_import import read_budget_file
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


def test_a_new_checklist_offers_the_standard_statements_and_nothing_to_save(team_url):
    cfo = _open("checklist", "cfo@team.example")
    assert not cfo.exception
    assert "the CEO starts it" in cfo.info[0].value
    assert not [b for b in cfo.button if b.label == "Save my answers"]
    ceo = _open("checklist", "ceo@team.example")
    assert not [b for b in ceo.button if b.label == "Save my answers"]
    ceo.button(key="statements_standard").click().run()
    assert not ceo.exception and not ceo.error
    assert "Twelve statements added" in ceo.success[0].value
    assert [b.label for b in ceo.button if b.label == "Save my answers"] == ["Save my answers"]
    asked = [m.value for m in ceo.markdown if m.value.startswith("**")]
    assert len(asked) == 12 and "I trust the numbers in this dashboard" in asked[-1]


def test_a_new_statement_leaves_the_wording_box_empty(team_url):
    ceo = _open("checklist", "ceo@team.example")
    box = next(t for t in ceo.text_area if t.label == "Wording")
    box.set_value("We agree on one number for pipeline.")
    ceo.button(key="item_save").click().run()
    assert not ceo.exception and not ceo.error
    assert [t.value for t in ceo.text_area if t.label == "Wording"] == [""]


def test_a_new_maturity_grid_offers_the_standard_competences(team_url):
    ceo = _open("maturity", "ceo@team.example")
    assert not ceo.exception
    assert "the CMO starts the assessment" in ceo.info[0].value
    cmo = _open("maturity", "cmo@team.example")
    cmo.button(key="competences_standard").click().run()
    assert not cmo.exception and not cmo.error
    assert "Eight competences added" in cmo.success[0].value
    assert len(cmo.dataframe[0].value) == 8
