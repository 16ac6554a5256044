"""The review's "KPI tree and funnel" holds every KPI, activities included, and the funnel's
conversions (issue 21, item 20), frozen at closing like every other figure."""

from __future__ import annotations

import datetime as dt

import pytest

from alignment.meeting import review
from alignment.meeting.review_tables import sections
from tests import oracle
from tests.conftest import DEMO_TODAY


def test_the_kpi_section_holds_the_activities_and_the_funnel_conversions(demo_store, demo_actors):
    csv = oracle.kpi_values(DEMO_TODAY)
    october = csv[csv["month"] == "2026-10"].set_index("kpi")
    with demo_store.session() as session:
        view = review.review(session, demo_actors["CEO"], "2026-10")
    kinds = {k["kpi"]: k["kind"] for k in view.sections["kpis"]}
    assert kinds["Whitepapers published"] == "activity"
    assert kinds["Events attended"] == "activity"
    assert kinds["New revenue"] == "financial"
    section = next(s for s in sections(view) if s.key == "kpis")
    tree, funnel = section.tables
    assert {r[0].text for r in tree.rows} >= {"Whitepapers published", "Webinars held"}
    stages = {r[0].text: r for r in funnel.rows}
    mqls = stages["MQLs"]
    assert mqls[3].value == pytest.approx(
        october.loc["MQLs", "actual"] / october.loc["Leads", "actual"]
    )
    assert mqls[4].value == pytest.approx(
        october.loc["MQLs", "target"] / october.loc["Leads", "target"]
    )
    assert stages["Leads"][3].value is None


def test_closing_freezes_the_whole_tree_and_finds_no_difference(demo_store, demo_actors):
    with demo_store.session() as session:
        review.close_review(session, demo_actors["CEO"], "2026-10", today=dt.date(2026, 11, 23))
    with demo_store.session() as session:
        view = review.review(session, demo_actors["CEO"], "2026-10")
    assert view.closed and view.differences == []
    assert any(k["kind"] == "activity" for k in view.sections["kpis"])
