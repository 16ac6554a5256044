"""The overview's figures against figures computed independently from the demo CSV files."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from alignment.access.permissions import Actor
from alignment.access.permissions import Role
from alignment.definitions.success import live_status
from alignment.shared import metrics
from alignment.shared.periods import parse_period
from alignment.spend.overview import available_months
from alignment.spend.overview import headline_figures
from alignment.spend.overview import return_by_channel
from alignment.spend.overview import spend_over_time
from alignment.trust.checklist import alignment_summary
from db.models import BudgetLine
from db.models import SuccessDefinitionVersion
from tests import oracle
from tests.conftest import DEMO_TODAY

CFO = Actor(2, "Daniel Okafor", Role.CFO)
PERIODS = ["2026-11", "2026-Q3", "2025", "2026-01..2026-11", "2024-12"]


@pytest.mark.parametrize("code", PERIODS)
def test_headline_figures_match_the_csv(demo_store, code):
    period = parse_period(code)
    with demo_store.session() as session:
        figures = headline_figures(session, CFO, period).as_json()
    expected = oracle.headline(DEMO_TODAY, period.first, period.last)
    for key, value in expected.items():
        assert figures[key] == pytest.approx(value, rel=1e-9), key


def test_every_role_gets_the_same_figures(demo_store):
    period = parse_period("2026-Q4")
    with demo_store.session() as session:
        results = {
            role: headline_figures(session, Actor(None, "x", role), period).as_json()
            for role in Role
        }
    assert len({repr(r) for r in results.values()}) == 1


def test_a_period_without_lines_gives_na_ratios_not_zero(demo_store):
    with demo_store.session() as session:
        figures = headline_figures(session, CFO, parse_period("2020-01"))
    assert figures.budget_lines == 0
    assert figures.actual_spend is None
    assert figures.roas is None and figures.romi is None and figures.marketing_cac is None


def test_zero_spend_and_zero_customers_are_na(demo_store):
    with demo_store.session() as session:
        session.execute(
            sa.update(BudgetLine)
            .where(BudgetLine.month == "2026-11")
            .values(actual_spend=0, new_customers=0)
        )
        session.commit()
        figures = headline_figures(session, CFO, parse_period("2026-11"))
    assert figures.actual_spend == 0
    assert figures.roas is None and figures.romi is None
    assert figures.pipeline_roi is None and figures.marketing_cac is None
    assert figures.spend_variance_pct == pytest.approx(-1.0)


def test_spend_over_time_and_channels_add_up(demo_store):
    frame = oracle.budget(DEMO_TODAY)
    with demo_store.session() as session:
        trend = spend_over_time(session, CFO, "2026-11", months=12)
        channels = return_by_channel(session, CFO, parse_period("2026"))
        months = available_months(session, CFO)
    assert list(trend["month"]) == sorted(frame["month"].unique())[-12:]
    last12 = frame[frame["month"] >= "2025-12"].groupby("month")["actual_spend"].sum()
    assert list(trend["actual_spend"]) == pytest.approx(list(last12))
    year = frame[frame["month"].str.startswith("2026")]
    by_channel = year.groupby("channel")[["actual_spend", "attributed_revenue"]].sum()
    assert sorted(channels["channel"]) == sorted(by_channel.index)
    for row in channels.itertuples():
        assert row.actual_spend == pytest.approx(by_channel.loc[row.channel, "actual_spend"])
        assert row.roas == pytest.approx(
            by_channel.loc[row.channel, "attributed_revenue"]
            / by_channel.loc[row.channel, "actual_spend"]
        )
    assert months == sorted(frame["month"].unique())


def test_alignment_summary_matches_the_answers(demo_store):
    answers = oracle.checklist(DEMO_TODAY)
    latest = answers[answers["month"] == "2026-11"]
    expected = (latest["score"].mean() - 1) / 4 * 100
    pivot = latest.pivot(index="item", columns="role", values="score")
    expected_gaps = int(((pivot.max(axis=1) - pivot.min(axis=1)) >= 2).sum())
    with demo_store.session() as session:
        summary = alignment_summary(session, CFO, "2026-11")
        earlier = alignment_summary(session, CFO, "2026-08")
        none = alignment_summary(session, CFO, "2025-01")
    assert summary.score == pytest.approx(expected)
    assert summary.flagged_gaps == expected_gaps >= 2
    assert summary.roles_missing == ()
    assert len(summary.trend) == 6
    assert summary.previous_month == "2026-10"
    assert earlier.month == "2026-08" and len(earlier.trend) == 3
    assert none is None


def test_a_role_that_has_not_answered_is_named(demo_store):
    with demo_store.session() as session:
        session.execute(
            sa.text("DELETE FROM checklist_answers WHERE role = 'CFO' AND month = '2026-11'")
        )
        session.commit()
        summary = alignment_summary(session, CFO, "2026-11")
    assert summary.roles_missing == ("CFO",)
    assert summary.roles_answered == ("CEO", "CMO")


def test_live_status_of_signed_definitions(demo_store):
    period = parse_period("2026-11")
    expected = oracle.headline(DEMO_TODAY, "2026-11", "2026-11")
    with demo_store.session() as session:
        statuses = {s.title: s for s in live_status(session, CFO, period)}
    assert len(statuses) == 2
    romi = next(s for t, s in statuses.items() if "ROMI" in t)
    assert romi.actual == pytest.approx(expected["romi_attributed"])
    assert romi.status == metrics.rag_status(expected["romi_attributed"], 0.8, "at_least", 0.15)
    cac = next(s for t, s in statuses.items() if "CAC" in t)
    assert cac.actual == pytest.approx(expected["marketing_cac"])
    assert cac.signed_by == "Daniel Okafor"
    assert not any(s.changed_since_signoff for s in statuses.values())


def test_a_definition_edited_behind_the_signature_is_flagged(demo_store):
    with demo_store.session() as session:
        session.execute(
            sa.text(
                "UPDATE success_definition_versions SET target = 0.5 "
                "WHERE state = 'signed_off' AND metric = 'romi'"
            )
        )
        session.commit()
        statuses = live_status(session, CFO, parse_period("2026-11"))
    flagged = [s.title for s in statuses if s.changed_since_signoff]
    assert len(flagged) == 1 and "ROMI" in flagged[0]


def test_additive_kpi_targets_scale_to_the_period_shown(demo_store):
    with demo_store.session() as session:
        session.execute(
            sa.update(SuccessDefinitionVersion)
            .where(SuccessDefinitionVersion.state == "proposed")
            .values(state="signed_off", content_hash=None)
        )
        session.commit()
        statuses = live_status(session, CFO, parse_period("2026-11"))
    sqls = next(s for s in statuses if "SQL" in s.title)
    values = oracle.kpi_values(DEMO_TODAY)
    actual = values[(values["kpi"] == "SQLs") & (values["month"] == "2026-11")]["actual"]
    assert sqls.actual == pytest.approx(float(actual.iloc[0]))
    assert sqls.target == pytest.approx(690 / 3)
    assert isinstance(pd.Series([sqls.actual]).iloc[0], float)
