"""Meeting-room links through AppTest: the CEO's controls on the review page, and what a
screen on a link sees (the review of its month, as a viewer) or is told."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from alignment.meeting.room_links import CLOSED_ROOM
from tests.app.conftest import ROOT
from tests.app.conftest import query
from ui.widgets import as_text


@pytest.fixture
def review_as(demo_url, monkeypatch):
    monkeypatch.setenv("SAMEPAGE_DATABASE_URL", demo_url)

    def open_as(role: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        at.session_state["acting_role"] = role
        at.switch_page("pages/review.py")
        return at.run()

    return open_as


def screen(token: str, **params: str) -> AppTest:
    """A browser that never logged in, opening a link (demo mode off: no role picker)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.query_params["room"] = token
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def make_link(at: AppTest) -> tuple[AppTest, str]:
    at = at.button(key="FormSubmitter:room_link-Make a link").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    address = at.code[0].value
    return at, address.split("?room=")[1]


def test_only_the_ceo_sees_the_meeting_room_controls(review_as):
    assert any(e.label == "Meeting-room screen" for e in review_as("CEO").expander)
    for role in ("CFO", "CMO", "viewer"):
        at = review_as(role)
        assert not any(e.label == "Meeting-room screen" for e in at.expander), role


def test_the_ceo_makes_a_link_and_revokes_it(review_as, demo_url, monkeypatch):
    at, token = make_link(review_as("CEO"))
    assert at.success[0].value == "Link made: copy it now, it is shown only once."
    assert query(demo_url, "SELECT month, uses, revoked_at FROM meeting_links") == [
        ("2026-11", 0, None)
    ]
    assert token not in str(query(demo_url, "SELECT token_hash FROM meeting_links"))
    monkeypatch.delenv("SAMEPAGE_DEMO")
    shown = screen(token)
    assert not shown.exception and not shown.error
    assert shown.caption[0].value.startswith("Kestrel Analytics · Monthly review · November 2026")
    assert not shown.get("download_button")
    monkeypatch.setenv("SAMEPAGE_DEMO", "1")
    link_id = query(demo_url, "SELECT id FROM meeting_links")[0][0]
    at = at.button(key=f"room_revoke_{link_id}").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.success[0].value == "Link revoked: the screen closes at its next refresh."
    monkeypatch.delenv("SAMEPAGE_DEMO")
    shown.run()
    assert [i.value for i in shown.info] == [as_text(CLOSED_ROOM)]
    assert not shown.metric and not shown.table


def test_a_link_allowing_downloads_offers_the_pack(review_as, monkeypatch):
    at = review_as("CEO")
    at.checkbox(key="room_download").check()
    at, token = make_link(at)
    monkeypatch.delenv("SAMEPAGE_DEMO")
    shown = screen(token)
    assert not shown.exception and not shown.error
    assert len(shown.get("download_button")) == 2


def test_a_link_asked_for_another_month_shows_one_sentence(review_as, monkeypatch):
    _, token = make_link(review_as("CEO"))
    monkeypatch.delenv("SAMEPAGE_DEMO")
    shown = screen(token, month="2026-10")
    assert [i.value for i in shown.info] == [
        as_text("This meeting-room link shows the review of November 2026 only.")
    ]
    assert not shown.metric


def test_a_made_up_link_shows_one_sentence_and_no_log_in_form(monkeypatch, demo_url):
    monkeypatch.setenv("SAMEPAGE_DATABASE_URL", demo_url)
    monkeypatch.delenv("SAMEPAGE_DEMO")
    shown = screen("not-a-real-token")
    assert [i.value for i in shown.info] == [as_text(CLOSED_ROOM)]
    assert not shown.text_input and not shown.metric
