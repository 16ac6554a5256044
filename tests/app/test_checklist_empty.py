"""An empty checklist says what to do next, never an error (issue 21): a checklist whose
statements are all retired offers writing new ones, not the standard list it would refuse."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from alignment.access.permissions import Actor
from alignment.access.permissions import Role
from alignment.edges.store import open_store
from alignment.trust import checklist
from tests.app.conftest import ROOT
from tests.app.test_login import log_in


def _open(email: str) -> AppTest:
    at = log_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run(), email)
    at.switch_page("pages/checklist.py")
    return at.run()


def _all_retired(url: str) -> None:
    ceo = Actor(None, "The CEO", Role.CEO)
    store = open_store(url)
    with store.session() as session:
        checklist.start_with_standard_statements(session, ceo)
        for item in checklist.items(session, ceo):
            checklist.retire_item(session, ceo, item.id)
    store.close()


def test_a_checklist_whose_statements_are_all_retired_says_what_to_do_next(team_url):
    _all_retired(team_url)
    ceo = _open("ceo@team.example")
    assert not ceo.exception and not ceo.error
    assert ceo.info[0].value == (
        "Every statement is retired, so there is nothing to answer. "
        "Write the statements to ask below."
    )
    assert not [b for b in ceo.button if b.key == "statements_standard"]
    assert [t.label for t in ceo.text_area] == ["Wording"]
    cfo = _open("cfo@team.example")
    assert not cfo.exception and not cfo.error
    assert cfo.info[0].value.endswith("The CEO writes the statements to ask.")
    assert not cfo.text_area
