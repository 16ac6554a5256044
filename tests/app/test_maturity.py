"""Marketing maturity on a real team's store (issue 21, items 3 and 16): an empty grid says
what to do next for every role; competences left untouched stay not assessed; a quarter is
compared only with a quarter that was assessed."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import ROOT
from tests.app.conftest import query
from tests.app.test_login import log_in


def _open(email: str) -> AppTest:
    at = log_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run(), email)
    at.switch_page("pages/maturity.py")
    return at.run()


def _started(team_url: str) -> AppTest:
    cmo = _open("cmo@team.example")
    cmo.button(key="competences_standard").click().run()
    assert not cmo.exception and not cmo.error
    return cmo


@pytest.mark.parametrize(
    ("role", "next_step"),
    [
        ("ceo", "the CMO starts the assessment"),
        ("cfo", "the CMO starts the assessment"),
        ("viewer", "the CMO starts the assessment"),
        ("admin", "the CMO starts the assessment"),
        ("cmo", "Start with the eight standard competences"),
    ],
)
def test_an_empty_grid_says_what_to_do_next_for_everyone(team_url, role, next_step):
    at = _open(f"{role}@team.example")
    assert not at.exception and not at.error
    assert next_step in at.info[0].value
    names = [t.label for t in at.text_input]
    if role == "cmo":
        assert [b.label for b in at.button if b.key == "competences_standard"] == [
            "Start with the eight standard competences"
        ]
        assert names == ["Name"]
    else:
        assert "Name" not in names


def test_untouched_competences_are_not_assessed_and_there_is_no_earlier_quarter(team_url):
    cmo = _started(team_url)
    quarter = cmo.selectbox(key="maturity_quarter").value
    ids = [row[0] for row in query(team_url, "SELECT id FROM competences ORDER BY position")]
    assert cmo.selectbox(key=f"cur_{quarter}_{ids[0]}").value is None
    assert cmo.selectbox(key=f"des_{quarter}_{ids[0]}").value is None
    cmo.button(key="FormSubmitter:maturity_form-Save assessment").click().run()
    assert not cmo.exception
    assert "no competence was given a level" in cmo.error[0].value
    assert query(team_url, "SELECT count(*) FROM maturity_assessments") == [(0,)]

    cmo.selectbox(key=f"cur_{quarter}_{ids[2]}").set_value(2)
    cmo.selectbox(key=f"des_{quarter}_{ids[2]}").set_value(4)
    cmo.button(key="FormSubmitter:maturity_form-Save assessment").click().run()
    assert not cmo.exception and not cmo.error
    assert query(
        team_url, "SELECT competence_id, current_level, desired_level FROM maturity_assessments"
    ) == [(ids[2], 2, 4)]
    said = [m.value for m in cmo.markdown]
    assert "**Demand generation**: Executing now, Predictable wanted (2 levels to go)." in said
    assert not [s for s in said if "Absent now" in s]
    assert "Since the last assessment" in [h.value for h in cmo.subheader]
    assert f"No quarter before {quarter} was assessed" in " ".join(c.value for c in cmo.caption)
    table = cmo.dataframe[0].value
    assert list(table["Current"]) == ["Not assessed"] * 2 + ["2 Executing"] + ["Not assessed"] * 5
    assert "Earlier" in table.columns


def test_a_grid_whose_competences_are_all_retired_offers_naming_new_ones(team_url):
    cmo = _started(team_url)
    for (competence_id,) in query(team_url, "SELECT id FROM competences"):
        cmo.selectbox(key="competence_choice").set_value(competence_id).run()
        cmo.button(key="competence_retire").click().run()
        assert not cmo.exception and not cmo.error
    cmo = _open("cmo@team.example")
    assert not cmo.exception and not cmo.error
    assert cmo.info[0].value.startswith("Every competence is retired")
    assert not [b for b in cmo.button if b.key == "competences_standard"]
    assert [t.label for t in cmo.text_input] == ["Name"]
