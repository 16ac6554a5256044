"""The Monthly review page through AppTest."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from alignment.edges.store import open_store
from alignment.shared.periods import current_month
from tests.app.conftest import ROOT
from tests.app.conftest import as_read
from tests.app.conftest import query
from tests.app.test_login import log_in
from tests.db.test_review_finance import team_in_march_2017


@pytest.fixture
def review_page(demo_url, monkeypatch):
    monkeypatch.setenv("SAMEPAGE_DATABASE_URL", demo_url)

    def open_as(role: str, **params: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
        at.session_state["acting_role"] = role
        for key, value in params.items():
            at.query_params[key] = value
        at.switch_page("pages/review.py")
        return at.run()

    return open_as


@pytest.mark.parametrize("role", ["CEO", "CFO", "CMO", "viewer"])
def test_the_review_renders_every_section_for_every_role(review_page, role):
    at = review_page(role)
    assert not at.exception and not at.error
    headings = [h.value for h in at.subheader]
    assert headings[:9] == [
        "1. Headline figures",
        "2. Definitions of success",
        "3. Budget vs return",
        "4. Finance reconciliation",
        "5. Where the year lands",
        "6. KPI tree and funnel",
        "7. Alignment checklist",
        "8. Requests awaiting a decision",
        "9. Decisions and action items",
    ]


def _closes(at: AppTest) -> list[str]:
    return [b.label for b in at.button if b.label.startswith("Close")]


def test_only_executives_record_and_only_the_ceo_closes(review_page):
    ceo = review_page("CEO")
    assert not ceo.exception and not ceo.error
    closes = _closes(ceo)
    assert len(closes) == 1 and re.fullmatch(r"Close [A-Z][a-z]+ 20\d\d", closes[0]), closes
    assert ceo.get("form")
    viewer = review_page("viewer")
    assert not viewer.exception and not viewer.error and viewer.subheader
    assert _closes(viewer) == []
    assert not viewer.get("form")
    for executive in ("CFO", "CMO"):
        at = review_page(executive)
        assert not at.exception and not at.error
        assert at.get("form") and _closes(at) == [], executive


def test_the_ceo_records_a_decision_and_closes_the_month(review_page, demo_url):
    at = review_page("CEO")
    at.text_input(key="rec_text_0").set_value("Book the symposium booth at the early-bird price")
    at.button(key="FormSubmitter:review_record_0-Record").click().run()
    assert not at.error
    assert at.text_input(key="rec_text_1").value == "", "a recorded item empties the form"
    at.selectbox(key="rec_kind_1").set_value("action")
    at.text_input(key="rec_text_1").set_value("Send the pack to the board")
    at.button(key="FormSubmitter:review_record_1-Record").click().run()
    assert "needs an owner" in at.error[0].value
    assert at.text_input(key="rec_text_1").value == "Send the pack to the board", (
        "a refused item keeps what was typed"
    )
    assert at.selectbox(key="rec_kind_1").value == "action"
    at.button(key="review_close").click().run()
    assert not at.exception and not at.error
    month = current_month()
    assert query(demo_url, f"SELECT status FROM monthly_reviews WHERE month = '{month}'") == [  # noqa: S608
        ("closed",)
    ]
    assert any("figures below are the ones frozen" in s.value for s in at.success)


def test_presentation_mode_is_read_only_and_steps_through_the_agenda(review_page):
    at = review_page("viewer", present="1", month="2026-10")
    assert not at.exception and not at.error
    assert at.title[0].value == "Headline figures"
    assert not at.text_input and not at.selectbox and not at.get("form")
    at.button(key="present_next").click().run()
    assert at.title[0].value == "Definitions of success"
    at.button(key="present_prev").click().run()
    assert at.title[0].value == "Headline figures"


@pytest.fixture
def fernhill_url(tmp_path, monkeypatch) -> str:
    """A team's own store (not the demo) whose figures are from 2017, see test_review_finance."""
    url = f"sqlite:///{tmp_path / 'fernhill.db'}"
    store = open_store(url)
    team_in_march_2017(store)
    store.close()
    monkeypatch.setenv("SAMEPAGE_DATABASE_URL", url)
    monkeypatch.delenv("SAMEPAGE_DEMO", raising=False)
    return url


def _markdown(at: AppTest) -> str:
    """The page's sentences as a reader sees them: without Markdown's escapes and bold."""
    text = " ".join(m.value for m in [*at.markdown, *at.caption])
    return text.replace("\\", "").replace("**", "")


def _cells(at: AppTest) -> list[str]:
    return [str(v) for t in at.table for v in as_read(t.value).to_numpy().ravel()]


def test_the_review_shows_finance_and_the_comments_of_a_month_years_back(fernhill_url):
    at = log_in(
        AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run(), "finn@fernhill.example"
    )
    at.switch_page("pages/review.py").run()
    assert not at.exception and not at.error
    assert at.title[0].value == "Monthly review, March 2017"
    text, cells = _markdown(at), _cells(at)
    assert "Finance higher than marketing by $2,748 (1.5%)." in text
    assert "below zero, finance booked more than marketing reports" in text
    for cell in (
        "$185,900",
        "$183,152",
        "-$2,748",
        "-1.5%",
        "Reconciled by Finn Berg on 23 Nov 2026",
        "Agency invoice for March booked in full",
        "Finn Berg (CFO)",
        "Finance now sees the same spend as marketing",
        "Ada Okafor (CEO)",
        "15 Dec 2026",
        "25/100",
        "75/100",
    ):
        assert cell in cells, cell
    assert [m.value for m in at.metric if m.label == "Alignment score"] == ["75/100"]
    assert "None signed off for this month." in text
