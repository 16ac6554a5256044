"""Response curves from the store: public marketing-mix data imported through the normal
budget import (weekly rows rolled up, and kept), checked against its published truth."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from alignment.access.permissions import Actor
from alignment.access.permissions import Role
from alignment.allocation import next_dollar
from alignment.allocation import response
from alignment.shared.errors import PermissionDenied
from alignment.shared.errors import ValidationFailed
from alignment.spend import budget_import
from alignment.trust import request_log
from db.models import BudgetLine
from db.models import DatedFigure
from tests import oracle
from tests.conftest import DEMO_TODAY

EXTERNAL = Path(__file__).resolve().parents[1] / "data" / "external"
EXAMPLE = EXTERNAL / "pymc_marketing_mmm_example.csv"
ROBYN = EXTERNAL / "robyn_dt_simulated_weekly.csv"
TRUTH = EXTERNAL / "derived_ground_truth_summary.csv"
CMO = Actor(None, "Priya Raman", Role.CMO)
UNIT = 1000
"""x1 and x2 are spend in arbitrary units; imported as thousands of dollars, so a true ROAS
of 4967.8 per unit reads 4.9678 per dollar."""


def weekly_budget_file(
    frame: pd.DataFrame, date: str, spend: dict[str, str], outcome: str
) -> bytes:
    """The weekly file as a marketer would keep it: one row per week and channel, revenue
    on a line of its own without spend (it is all revenue, not one channel's)."""
    rows = []
    for record in frame.to_dict("records"):
        for channel, column in spend.items():
            rows.append((record[date], channel, f"{record[column] * UNIT:.2f}", ""))
        rows.append((record[date], "All revenue", "0", f"{record[outcome]:.2f}"))
    body = "\n".join(",".join(row) for row in rows)
    return f"month,channel,actual_spend,attributed_revenue\n{body}\n".encode()


def import_file(store, data: bytes, name: str) -> budget_import.ImportPreview:
    with store.session() as session:
        budget = budget_import.read_budget_file(data, name)
        return budget_import.apply_import(session, CMO, budget)


@pytest.fixture
def example_store(store):
    frame = pd.read_csv(EXAMPLE)
    data = weekly_budget_file(frame, "date_week", {"x1": "x1", "x2": "x2"}, "y")
    preview = import_file(store, data, "mmm_example_weekly.csv")
    assert preview.dated_rows == 3 * len(frame)
    return store


def test_weekly_rows_are_rolled_up_into_calendar_months_and_kept(example_store):
    frame = pd.read_csv(EXAMPLE, parse_dates=["date_week"])
    expected = (frame.groupby(frame["date_week"].dt.strftime("%Y-%m"))["x1"].sum() * UNIT).round(2)
    with example_store.session() as session:
        stored = dict(
            session.execute(
                sa.select(BudgetLine.month, BudgetLine.actual_spend)
                .join(BudgetLine.channel)
                .where(BudgetLine.channel.has(name="x1"))
            ).all()
        )
        kept = session.scalar(sa.select(sa.func.count()).select_from(DatedFigure))
    assert kept == 3 * len(frame)
    assert sorted(stored) == list(expected.index)
    for month, amount in expected.items():
        assert stored[month] / 100 == pytest.approx(amount, abs=0.01 * 5)


def test_curves_on_the_pymc_example_match_the_published_truth(example_store):
    truth = (
        pd.read_csv(TRUTH).query("file == 'pymc_marketing_mmm_example.csv'").set_index("channel")
    )
    with example_store.session() as session:
        fit = next_dollar.response_curves(session, CMO, "revenue")
    assert fit.grain == "week" and fit.periods == 179
    assert any(note.startswith("All revenue had no spend") for note in fit.left_out)
    found = {c.channel: c for c in fit.channels}
    assert set(found) == {"x1", "x2"}
    by = lambda key: sorted(found, key=lambda ch: getattr(found[ch], key))  # noqa: E731
    assert by("roi") == list(truth["true_roas"].sort_values().index)
    assert by("marginal_roi") == list(truth["true_mroas_plus1pct"].sort_values().index)
    for channel, result in found.items():
        assert result.roi == pytest.approx(truth.loc[channel, "true_roas"] / UNIT, rel=0.2)
        assert result.roi_low <= result.roi <= result.roi_high
        assert result.attributed_roas is None


def test_after_allocation_free_channels_share_one_next_dollar_return(example_store):
    with example_store.session() as session:
        fit = next_dollar.response_curves(session, CMO, "revenue")
    wide = {c.channel: (0.0, 10 * c.monthly_spend) for c in fit.channels}
    proposal = response.propose(fit, fit.monthly_spend * 2, wide)
    free = [line for line in proposal.lines if line.at_bound is None]
    assert len(free) == 2
    returns = [line.marginal_roi_proposed for line in free]
    assert max(returns) <= min(returns) * 1.10
    assert proposal.expected_change > 0


def test_a_monthly_edit_after_the_weekly_import_falls_back_to_months_and_says_so(example_store):
    with example_store.session() as session:
        session.execute(
            sa.update(BudgetLine)
            .where(BudgetLine.month == "2019-06")
            .where(BudgetLine.channel.has(name="x1"))
            .values(actual_spend=BudgetLine.actual_spend + 100_00)
        )
        session.commit()
        data = next_dollar.response_data(session, CMO, "revenue")
    assert data.grain == "month"
    assert data.notes and "changed after the weekly file was imported" in data.notes[0]


def test_robyn_weekly_file_rolls_up_with_its_zero_spend_weeks(store):
    frame = pd.read_csv(ROBYN)
    spend = {name: f"{name}_S" for name in ("tv", "ooh", "print", "facebook", "search")}
    data = weekly_budget_file(
        frame.assign(**{c: frame[c] / UNIT for c in spend.values()}), "DATE", spend, "revenue"
    )
    preview = import_file(store, data, "robyn_weekly.csv")
    assert preview.dated_rows == 6 * len(frame)
    dates = pd.to_datetime(frame["DATE"])
    expected = frame.groupby(dates.dt.strftime("%Y-%m"))["revenue"].sum()
    with store.session() as session:
        stored = pd.Series(
            dict(
                session.execute(
                    sa.select(BudgetLine.month, BudgetLine.attributed_revenue).where(
                        BudgetLine.channel.has(name="All revenue")
                    )
                ).all()
            )
        )
        fit_data = next_dollar.response_data(session, CMO, "revenue")
    assert list(stored.sort_index().index) == list(expected.index)
    assert (stored.sort_index() / 100).tolist() == pytest.approx(expected.tolist(), abs=0.03)
    assert fit_data.grain == "week" and len(fit_data.outcome) == len(frame)


def test_unknown_outcome_and_empty_store_get_sentences(store):
    with store.session() as session:
        with pytest.raises(response.NotEnoughData, match="holds no actual spend yet"):
            next_dollar.response_data(session, CMO, "revenue")
        with pytest.raises(ValidationFailed, match="'profit' is not an outcome"):
            next_dollar.response_data(session, CMO, "profit")


def test_the_demo_company_gets_a_curve_for_every_channel(demo_store, demo_actors):
    with demo_store.session() as session:
        fit = next_dollar.response_curves(session, demo_actors["CFO"], "revenue")
    assert fit.grain == "month" and fit.periods == 24 and not fit.left_out
    lines = oracle.budget(DEMO_TODAY)
    totals = lines.groupby("channel")[["attributed_revenue", "actual_spend"]].sum()
    roas = totals["attributed_revenue"] / totals["actual_spend"]
    assert sorted(c.channel for c in fit.channels) == sorted(roas.index)
    for c in fit.channels:
        assert c.attributed_roas == pytest.approx(roas[c.channel], rel=1e-9), c.channel
        assert 0 <= c.roi_low <= c.roi <= c.roi_high, c.channel
        assert c.marginal_roi_low <= c.marginal_roi <= c.marginal_roi_high, c.channel
        assert c.marginal_roi < c.roi, f"{c.channel}: the next dollar should return less"
    proposal = response.propose(fit, fit.monthly_spend)
    assert proposal.expected_change >= 0, "the best split of today's total is no worse than it"
    assert proposal.change_low <= proposal.expected_change <= proposal.change_high


def test_a_saved_proposal_is_a_request_for_the_review_and_changes_no_figure(
    demo_store, demo_actors
):
    with demo_store.session() as session:
        fit = next_dollar.response_curves(session, demo_actors["CFO"], "revenue")
        before = session.execute(
            sa.select(BudgetLine.id, BudgetLine.version).order_by(BudgetLine.id)
        ).all()
        proposal = response.propose(fit, fit.monthly_spend * 1.1)
        with pytest.raises(PermissionDenied):
            next_dollar.save_proposal(session, demo_actors["viewer"], proposal, "USD")
        request_id = next_dollar.save_proposal(session, demo_actors["CFO"], proposal, "USD")
    with demo_store.session() as session:
        saved = next(
            v for v in request_log.requests(session, demo_actors["CEO"]) if v.id == request_id
        )
        after = session.execute(
            sa.select(BudgetLine.id, BudgetLine.version).order_by(BudgetLine.id)
        ).all()
    assert saved.title.startswith("Budget proposal: $")
    assert "Expected change in monthly revenue" in saved.description
    assert "Paid search" in saved.description and saved.decision is None
    assert before == after
