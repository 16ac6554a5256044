"""The review's explanations (issue 19, item 5) through AppTest: the owner explains beside the
figure, the CEO records a red item discussed without one, and cannot close before."""

from __future__ import annotations

import sqlalchemy as sa

from tests.app.conftest import as_read
from tests.app.conftest import query

CAC = "definition:2"
WEBINARS = "kpi:9"


def _cells(at) -> list[str]:
    return [str(v) for t in at.table for v in as_read(t.value).to_numpy().ravel()]


def _forget_november(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM explanations WHERE month = '2026-11'"))
    engine.dispose()


def test_the_owner_explains_an_amber_item_and_it_shows_as_typed(open_page, demo_url):
    at = open_page("review", "CMO")
    assert not at.exception and not at.error
    labels = [e.label for e in at.expander]
    assert (
        # The title is escaped for Markdown: '$' would start a formula.
        "Within tolerance: Marketing CAC at most \\$12,500 per new customer "
        "(awaiting the CMO's explanation)" in labels
    )
    assert "Off target: Webinars held (explained)" in labels
    assert "Awaiting the CMO's explanation" in _cells(at)
    at.text_area(key=f"explain_why_{CAC}").set_value("**Two** deals _slipped_ to December")
    at.text_area(key=f"explain_next_{CAC}").set_value("=SUM(A1:A9) chase them")
    at.button(key=f"FormSubmitter:explain_{CAC}-Save explanation").click().run()
    assert not at.exception and not at.error
    assert query(
        demo_url,
        "SELECT explanation, next_step, status FROM explanations "
        "WHERE month = '2026-11' AND subject = :s",
        s=CAC,
    ) == [("**Two** deals _slipped_ to December", "=SUM(A1:A9) chase them", "amber")]
    cells = _cells(at)
    assert "**Two** deals _slipped_ to December" in cells
    assert "=SUM(A1:A9) chase them" in cells
    assert any("\\*\\*Two\\*\\* deals \\_slipped\\_ to December" in m.value for m in at.markdown), (
        "the explanation is written as text, its Markdown escaped"
    )


def test_only_the_owner_gets_the_form(open_page):
    at = open_page("review", "CFO")
    assert not at.exception and not at.error
    assert not [t for t in at.text_area if t.key and t.key.startswith("explain_")]
    assert "Its owner, the CMO, explains it." in [c.value for c in at.caption]


def test_the_ceo_cannot_close_before_the_red_item_is_discussed_then_can(open_page, demo_url):
    _forget_november(demo_url)
    at = open_page("review", "CEO")
    assert not at.exception and not at.error
    assert any("Red without an explanation: Webinars held (CMO)" in w.value for w in at.warning)
    at.button(key="review_close").click().run()
    assert "November 2026 cannot be closed yet" in at.error[0].value
    assert query(demo_url, "SELECT status FROM monthly_reviews WHERE month = '2026-11'") in (
        [],
        [("open",)],
    )
    at.button(key=f"discussed_{WEBINARS}").click().run()
    assert not at.exception and not at.error
    assert query(
        demo_url,
        "SELECT discussed_without FROM explanations WHERE month = '2026-11' AND subject = :s",
        s=WEBINARS,
    ) == [(True,)]
    assert "Discussed in the review without an explanation" in _cells(at)
    at.button(key="review_close").click().run()
    assert not at.exception and not at.error
    assert query(demo_url, "SELECT status FROM monthly_reviews WHERE month = '2026-11'") == [
        ("closed",)
    ]


def test_the_review_shows_the_three_confidences_and_the_gap(open_page):
    at = open_page("review", "viewer")
    assert not at.exception and not at.error
    table = next(
        as_read(t.value) for t in at.table if "Spread by month" in as_read(t.value).columns
    )
    arr = table[table["Goal"] == "Grow marketing-sourced new ARR to $14M in fiscal 2026"]
    assert arr[["CEO", "CFO", "CMO", "Spread", "Flag"]].to_numpy().tolist() == [
        ["6", "4", "8", "4", "Perception gap"]
    ]
    assert arr["Spread by month"].iloc[0] == "Sep 2026: 2 · Oct 2026: 3 · Nov 2026: 4"
