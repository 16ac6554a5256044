"""The Next dollar page through AppTest: curves and proposal on the demo company, bad
budgets answered in a sentence, and a proposal saved only as a request."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import PASSWORD
from tests.app.conftest import ROOT
from tests.app.conftest import as_read
from tests.app.conftest import query
from ui.widgets import as_text


def test_the_page_explains_the_model_and_shows_every_channel(open_page):
    at = open_page("next_dollar", "viewer")
    assert not at.exception and not at.error
    assert at.title[0].value == "Where the next dollar goes"
    assert "correlation, not an experiment" in at.info[0].value
    returns = as_read(at.table[0].value)
    assert len(returns) == 7 and "Attributed ROAS" in returns.columns
    assert all("×" in value for value in returns["Model ROI (90% interval)"])
    assert all(b.key != "nd_save" for b in at.button)
    assert any("Nothing here changes the plan" in c.value for c in at.caption)


@pytest.mark.parametrize(
    ("budget", "message"),
    [(0.0, "A budget of $0 cannot be split"), (1e9, "highest spends allowed add up to only")],
)
def test_an_impossible_budget_gets_a_sentence_not_a_proposal(open_page, budget, message):
    at = open_page("next_dollar", "CFO")
    at.number_input(key="nd_budget").set_value(budget).run()
    assert not at.exception
    assert any(as_text(message) in e.value for e in at.error), "shown as text"
    assert len(at.metric) == 0


def test_pipeline_can_be_the_outcome(open_page):
    at = open_page("next_dollar", "CMO")
    at.segmented_control(key="nd_outcome").set_value("pipeline").run()
    assert not at.exception
    assert "how pipeline moved" in at.info[0].value
    assert any("of pipeline" in c.value for c in at.caption)


def test_sending_a_proposal_records_a_request_and_changes_no_figure(open_page, demo_url):
    at = open_page("next_dollar", "CMO")
    lines = query(demo_url, "SELECT sum(version) FROM budget_lines")[0][0]
    requests = query(demo_url, "SELECT count(*) FROM requests")[0][0]
    at.number_input(key="nd_budget").set_value(560_000.0).run()
    at.button(key="nd_save").click().run()
    assert not at.exception
    assert any("recorded in Requests and decisions" in s.value for s in at.success)
    assert query(demo_url, "SELECT count(*) FROM requests")[0][0] == requests + 1
    assert query(demo_url, "SELECT sum(version) FROM budget_lines")[0][0] == lines


def test_a_store_without_figures_gets_a_sentence_not_a_curve(team_url):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.text_input(key="login_email").set_value("cfo@team.example")
    at.text_input(key="login_password").set_value(PASSWORD)
    at.button(key="FormSubmitter:login-Log in").click().run()
    at.switch_page("pages/next_dollar.py").run()
    assert not at.exception and not at.error
    assert at.title[0].value == "Where the next dollar goes"
    assert any("holds no actual spend yet" in w.value for w in at.warning)
    assert not at.table and not at.metric
