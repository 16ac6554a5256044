"""The Definitions of success page through AppTest."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from alignment.definitions import signature
from alignment.definitions.success import content_hash
from alignment.definitions.success import version_content
from db.models import SuccessDefinitionVersion
from tests.app.conftest import ROOT
from tests.app.conftest import query
from tests.conftest import TEST_SIGNING_KEY


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


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE company_settings SET gross_margin = 0.4",
        "UPDATE success_definition_versions SET seal = NULL WHERE metric = 'romi'",
    ],
    ids=["gross margin", "NULL seal"],
)
def test_what_a_signature_depends_on_or_its_seal_changing_is_red_on_this_page(
    definitions_page, demo_url, statement
):
    """Issue 15: nothing in the version's text changed, yet what it measures did (ROMI reads
    the gross margin), or its seal went; the card says so and asks for a new signature."""
    engine = sa.create_engine(demo_url)
    with engine.begin() as conn:
        conn.execute(sa.text(statement))
    engine.dispose()
    at = definitions_page("CEO")
    changed = [e.value for e in at.error if "Changed since sign-off" in e.value]
    assert len(changed) == 1 and "gross margin" in changed[0]
    assert changed[0].endswith("Propose a new version and have the CFO sign it.")


def test_a_percent_target_is_typed_as_shown_and_the_draft_shows_the_live_actual(
    definitions_page, demo_url
):
    """The hint read "Unit (ratio, USD, count, %)": 80 with '%' on ROMI was compared as 8,000 %."""
    at = definitions_page("CMO")
    assert not any(t.label.startswith("Unit") for t in at.text_input)
    at.selectbox(key="new_metric").set_value("romi").run()
    assert at.text_input(key="new_target").label == "Target (%, as the metric is shown)"
    hint = next(c.value for c in at.caption if "is measured in" in c.value)
    assert hint.startswith("ROMI (attributed) is measured in percent: type 80 for 80 %.")
    assert "Live, November 2026: **" in hint
    at.text_input(key="new_title").set_value("ROMI of at least 80 %")
    at.text_input(key="new_target").set_value("80")
    at.text_input(key="new_from").set_value("2026-01")
    at.text_input(key="new_to").set_value("2026-12")
    at.text_area(key="new_how").set_value("(revenue x margin - spend) / spend")
    at.button(key="FormSubmitter:definition_new-Save draft").click().run()
    assert not at.exception and not at.error
    assert query(
        demo_url,
        "SELECT target, unit FROM success_definition_versions "
        "WHERE title = 'ROMI of at least 80 %'",
    ) == [(0.8, "%")]
    live = [m.value for m in at.markdown if m.value.startswith("**Live, November 2026:**")]
    assert any("against target at least 80.0%" in text for text in live)


def test_the_cfo_sees_the_live_actual_of_the_proposal_before_signing(definitions_page):
    at = definitions_page("CFO")
    live = [m.value for m in at.markdown if m.value.startswith("**Live, November 2026:**")]
    assert len(live) == 1
    assert "against target at least" in live[0] and "what you sign is what everyone" in live[0]


def test_a_signed_version_whose_unit_disagrees_asks_for_a_new_signature(definitions_page, demo_url):
    """As 0008 leaves a ROMI signed as '80 %' in a store from before units followed the
    metric: signed content and hash as they were, flagged."""
    engine = sa.create_engine(demo_url)
    with Session(engine) as session:
        romi = session.scalars(
            sa.select(SuccessDefinitionVersion).where(SuccessDefinitionVersion.metric == "romi")
        ).one()
        romi.target, romi.unit, romi.unit_disagrees = 80.0, "%", True
        romi.content_hash = content_hash(version_content(romi))
        # ... and as 0009 re-seals it, since its plain hash proves it unchanged
        romi.seal = signature.seal_of(
            TEST_SIGNING_KEY.encode(), signature.meaning_now(session, romi)
        )
        session.commit()
    engine.dispose()
    at = definitions_page("CEO")
    flagged = [e.value for e in at.error if "disagrees with its metric" in e.value]
    assert len(flagged) == 1
    assert flagged[0].startswith(
        "The unit of this signed version disagrees with its metric: it reads '80 %'"
    )
    assert flagged[0].endswith("Propose a new version and have the CFO sign it.")
    assert not any("Changed since sign-off" in e.value for e in at.error)
