"""Confidence by role on the Goals tab (issue 19, item 6) through AppTest."""

from __future__ import annotations

from tests.app.conftest import as_read
from tests.app.conftest import query
from tests.app.test_goals import goals_page  # noqa: F401  (the fixture)

ARR_ID = 1


def _metrics(at) -> list[tuple[str, str]]:
    return [(m.label, m.value) for m in at.metric]


def test_the_three_ratings_side_by_side_with_the_gap_and_its_trend(goals_page):  # noqa: F811
    at = goals_page("viewer")
    assert not at.exception and not at.error
    assert any("Perception gap: the ratings are 4 points apart" in w.value for w in at.warning)
    shown = _metrics(at)
    assert [("CEO", "6"), ("CFO", "4"), ("CMO", "8"), ("Spread", "4")] == [
        m for m in shown if m[0] in ("CEO", "CFO", "CMO", "Spread")
    ][:4]
    trend = next(as_read(t.value) for t in at.table if "Spread" in as_read(t.value).columns)
    assert trend.to_numpy().tolist()[:3] == [
        ["Sep 2026", "7", "6", "8", "2", ""],
        ["Oct 2026", "7", "5", "8", "3", "Perception gap"],
        ["Nov 2026", "6", "4", "8", "4", "Perception gap"],
    ]
    assert not [n for n in at.number_input if (n.key or "").startswith("confidence_")]


def test_the_cfo_rates_again_and_the_gap_closes(goals_page, demo_url):  # noqa: F811
    at = goals_page("CFO")
    assert not at.exception and not at.error
    assert at.number_input(key=f"confidence_{ARR_ID}_score").value == 4
    at.number_input(key=f"confidence_{ARR_ID}_score").set_value(7)
    at.text_input(key=f"confidence_{ARR_ID}_comment").set_value("=1+1 **two deals** signed")
    at.button(key=f"FormSubmitter:confidence_{ARR_ID}-Save my confidence").click().run()
    assert not at.exception and not at.error
    assert query(
        demo_url,
        "SELECT score, comment FROM confidence_ratings "
        "WHERE goal_id = :g AND month = '2026-11' AND role = 'CFO'",
        g=ARR_ID,
    ) == [(7, "=1+1 **two deals** signed")]
    assert not any("4 points apart" in w.value for w in at.warning)
    cfo = next(c.value for c in at.caption if c.value.startswith("CFO:"))
    assert "\\*\\*two deals\\*\\* signed" in cfo, "the comment is shown as typed"
