"""The Definitions of success page through AppTest."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from tests.app.conftest import ROOT
from tests.app.conftest import query


@pytest.fixture
def definitions_page(demo_url, monkeypatch):
    monkeypatch.setenv("SAMEPAGE_DATABASE_URL", demo_url)

    def open_as(role: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.session_state["acting_role"] = role
        at.switch_page("pages/definitions.py")
        return at.run()

    return open_as


@pytest.mark.parametrize("role", ["CEO", "CFO", "CMO", "viewer"])
def test_the_page_renders_for_every_role(definitions_page, role):
    at = definitions_page(role)
    assert not at.exception and not at.error
    assert at.title[0].value == "Definitions of success"
    assert sum("unchanged since" in s.value for s in at.success) == 2


def test_the_cfo_sees_what_awaits_sign_off_and_can_sign(definitions_page, demo_url):
    at = definitions_page("CFO")
    assert at.info[0].value == "1 definition awaits your sign-off."
    sign = next(b for b in at.button if b.label == "Sign off")
    sign.click().run()
    assert not at.exception and not at.error
    assert any("Signed off" in s.value for s in at.success)
    states = query(demo_url, "SELECT state FROM success_definition_versions ORDER BY id")
    assert [s for (s,) in states] == ["signed_off", "signed_off", "signed_off"]


def test_returning_without_a_comment_is_refused(definitions_page, demo_url):
    at = definitions_page("CFO")
    form_button = next(b for b in at.button if b.label == "Return with comment")
    form_button.click().run()
    assert "comment is required" in at.error[0].value
    assert query(
        demo_url, "SELECT count(*) FROM success_definition_versions WHERE state = 'proposed'"
    ) == [(1,)]


def test_the_cmo_drafts_a_definition_and_bad_input_is_named(definitions_page, demo_url):
    at = definitions_page("CMO")
    assert not any(b.label == "Sign off" for b in at.button)
    at.text_input(key="new_title").set_value("Pipeline ROI of at least 6x")
    at.text_input(key="new_target").set_value("six")
    at.text_input(key="new_from").set_value("2026-01")
    at.text_input(key="new_to").set_value("2026-12")
    at.text_area(key="new_how").set_value("Attributed pipeline / spend")
    at.button(key="FormSubmitter:definition_new-Save draft").click().run()
    assert "The target 'six' is not a number" in at.error[0].value
    assert query(demo_url, "SELECT count(*) FROM success_definition_versions") == [(3,)]
    at.text_input(key="new_target").set_value("6")
    at.button(key="FormSubmitter:definition_new-Save draft").click().run()
    assert not at.error
    assert query(
        demo_url,
        "SELECT state, target FROM success_definition_versions WHERE title = "
        "'Pipeline ROI of at least 6x'",
    ) == [("draft", 6.0)]


def test_a_tampered_definition_is_red_on_this_page(definitions_page, demo_url):
    engine = sa.create_engine(demo_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE success_definition_versions SET target = 0.5 WHERE metric = 'romi'")
        )
    engine.dispose()
    at = definitions_page("CEO")
    assert any("Changed since sign-off" in e.value for e in at.error)
