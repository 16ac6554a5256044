"""The requests page on a real team's store (issue 21, item 17): a request walked from
its recording to a decision put off until later, its cost with cents, a negative cost."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from tests.app.conftest import ROOT
from tests.app.conftest import as_read
from tests.app.conftest import query
from tests.app.test_login import log_in


def _open(email: str) -> AppTest:
    at = log_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run(), email)
    at.switch_page("pages/requests.py")
    return at.run()


def _read(text: str) -> str:
    """A message as the reader sees it: the app sends it with Markdown escaped."""
    return re.sub(r"\\(.)", r"\1", text)


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_an_empty_log_says_what_comes_next(team_url):
    at = _open("cfo@team.example")
    assert not at.exception and not at.error
    assert at.info[0].value.startswith("No requests yet: the CEO, CFO or CMO records")
    assert _metrics(at)["Awaiting a decision"] == "0"


def test_a_request_put_off_its_cost_in_cents_and_a_negative_cost(team_url):
    ceo = _open("ceo@team.example")
    ceo.text_input(key="request_new_0_title").set_value("Sponsor the regional trade fair")
    ceo.button(key="FormSubmitter:request_new_0-Record request").click().run()
    assert not ceo.exception and not ceo.error
    assert ceo.text_input(key="request_new_1_title").value == ""
    request_id = query(team_url, "SELECT id FROM requests")[0][0]

    cmo = _open("cmo@team.example")
    cmo.text_area(key=f"res_{request_id}").set_value("Two venue quotes")
    cmo.text_input(key=f"exp_{request_id}").set_value("30 leads")
    cmo.text_input(key=f"cost_{request_id}").set_value("-5")
    cmo.button(key=f"FormSubmitter:research_{request_id}-Save research").click().run()
    assert not cmo.exception
    assert [_read(e.value) for e in cmo.error] == ["The cost '-5' cannot be negative."]
    assert query(team_url, "SELECT research, cost FROM requests") == [("", None)]
    cmo.text_input(key=f"cost_{request_id}").set_value("12,500.50")
    cmo.button(key=f"FormSubmitter:research_{request_id}-Save research").click().run()
    assert not cmo.exception and not cmo.error
    shown = as_read(cmo.table[0].value)
    assert shown.loc["Cost", "Recorded"] == "$12,500.50"

    ceo = _open("ceo@team.example")
    ceo.selectbox(key=f"dec_{request_id}").set_value("later")
    ceo.text_input(key=f"why_{request_id}").set_value("After the Q1 numbers")
    ceo.button(key=f"FormSubmitter:decide_{request_id}-Record decision").click().run()
    assert not ceo.exception and not ceo.error
    assert _metrics(ceo) == {
        "Awaiting a decision": "0",
        "Put off until later": "1",
        "Decided without research": "0",
        "Direction changes, latest quarter": "0",
    }
    cmo = _open("cmo@team.example")
    assert f"outcome_{request_id}" not in [f.key for f in cmo.get("form")]
    assert ":orange-badge[Put off until later]" in [m.value for m in cmo.markdown]
