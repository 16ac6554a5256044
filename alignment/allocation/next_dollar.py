"""Where the next dollar goes: response curves from the store's figures, and a budget
proposal that goes to the monthly review as a request, never straight into the plan.

The model sees spend per channel and the chosen outcome (all revenue, or all pipeline, the
store holds, whatever channel it is booked on, so an 'Organic' line without spend is the
baseline's share). It uses the weekly rows of an import when they still add up to the monthly
lines, because monthly sums hide carry-over; otherwise it uses months.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import require
from alignment.allocation import response
from alignment.allocation.response import Proposal
from alignment.allocation.response import ResponseData
from alignment.allocation.response import ResponseFit
from alignment.records.data_version import ReadCache
from alignment.records.unit_of_work import writing
from alignment.shared import formatting
from alignment.shared.errors import ValidationFailed
from alignment.shared.periods import months_between
from alignment.trust import request_log
from db.models import BudgetLine
from db.models import Channel
from db.models import DatedFigure

OUTCOMES = {"revenue": "attributed_revenue", "pipeline": "attributed_pipeline"}


def _outcome_column(outcome: str) -> str:
    if outcome not in OUTCOMES:
        raise ValidationFailed(
            f"'{outcome}' is not an outcome SamePage can model; choose revenue or pipeline."
        )
    return OUTCOMES[outcome]


def _monthly(session: Session, column: str) -> pd.DataFrame:
    figure = getattr(BudgetLine, column)
    rows = session.execute(
        select(
            BudgetLine.month,
            Channel.name,
            func.sum(BudgetLine.actual_spend),
            func.count(BudgetLine.actual_spend),
            func.sum(figure),
            func.count(figure),
        )
        .join(Channel, Channel.id == BudgetLine.channel_id)
        .group_by(BudgetLine.month, Channel.name)
    ).all()
    return pd.DataFrame(
        rows, columns=["month", "channel", "spend", "spend_count", "outcome", "outcome_count"]
    )


def _dated(session: Session, column: str, months: list[str]) -> pd.DataFrame:
    figure = getattr(DatedFigure, column)
    rows = session.execute(
        select(
            DatedFigure.day,
            DatedFigure.month,
            Channel.name,
            func.sum(DatedFigure.actual_spend),
            func.sum(figure),
            func.count(figure),
        )
        .join(Channel, Channel.id == DatedFigure.channel_id)
        .where(DatedFigure.month.in_(months))
        .group_by(DatedFigure.day, DatedFigure.month, Channel.name)
    ).all()
    return pd.DataFrame(
        rows, columns=["day", "month", "channel", "spend", "outcome", "outcome_count"]
    )


def _weekly(monthly: pd.DataFrame, dated: pd.DataFrame, months: list[str]) -> str | None:
    """Why the dated rows cannot stand in for the months (None when they can)."""
    if dated.empty:
        return ""
    if set(dated["month"]) != set(months):
        return "The weekly rows of the import cover only part of these months, so months are used."
    days = sorted(set(dated["day"]))
    gaps = {(b - a).days for a, b in zip(days, days[1:], strict=False)}
    if gaps != {7}:
        return "The dated rows are not one per week, so months are used."
    sums = dated.groupby(["month", "channel"])[["spend", "outcome"]].sum(min_count=1)
    lines = monthly.set_index(["month", "channel"])[["spend", "outcome"]]
    both = lines.merge(
        sums, left_index=True, right_index=True, how="outer", suffixes=("", "_dated")
    ).fillna(0)
    if not (
        (both["spend"] == both["spend_dated"]).all()
        and (both["outcome"] == both["outcome_dated"]).all()
    ):
        return (
            "Some monthly figures were changed after the weekly file was imported, so the "
            "weekly rows no longer add up to them and months are used."
        )
    return None


def _per_period(
    figures: pd.DataFrame, period: str, periods: list, channels: list[str]
) -> tuple[pd.DataFrame, np.ndarray]:
    """Spend per period and channel (0 where none), and the outcome per period (NaN where no
    line of the period holds one), in currency units."""
    spend = (
        figures.pivot_table(index=period, columns="channel", values="spend", aggfunc="sum")
        .reindex(index=periods, columns=channels)
        .fillna(0)
        .astype(float)
        / 100
    )
    grouped = figures.groupby(period)
    counted = grouped["outcome_count"].sum().reindex(periods).fillna(0)
    outcome = (grouped["outcome"].sum().reindex(periods) / 100).astype(float)
    outcome[counted == 0] = np.nan
    return spend, outcome.to_numpy(dtype=float)


def response_data(session: Session, actor: Actor, outcome: str = "revenue") -> ResponseData:
    """Spend per channel and the outcome, per week when the store holds trustworthy weekly
    rows, else per month, over the months that have actual spend."""
    require(actor, Action.VIEW)
    column = _outcome_column(outcome)
    monthly = _monthly(session, column)
    spent = monthly[monthly["spend_count"] > 0]
    if spent.empty:
        raise response.NotEnoughData(
            "The store holds no actual spend yet, so there is nothing to fit; enter or import "
            "monthly spend per channel first."
        )
    months = months_between(spent["month"].min(), spent["month"].max())
    monthly = monthly[monthly["month"].isin(months)]
    channels = sorted(monthly["channel"].unique())
    attributed = {
        name: float(group["outcome"].sum()) / 100
        for name, group in monthly.groupby("channel")
        if group["outcome_count"].sum() > 0
    }
    notes: list[str] = []
    dated = _dated(session, column, months)
    why_not = _weekly(monthly, dated, months)
    if why_not is None:
        days = sorted(set(dated["day"]))
        spend, outcome_series = _per_period(dated, "day", days, channels)
        starts = tuple(days)
        grain = "week"
    else:
        if why_not:
            notes.append(why_not)
        spend, outcome_series = _per_period(monthly, "month", months, channels)
        starts = tuple(dt.date(int(m[:4]), int(m[5:7]), 1) for m in months)
        grain = "month"
    return ResponseData(
        grain=grain,
        starts=starts,
        spend=spend.reset_index(drop=True),
        outcome=outcome_series,
        outcome_label=outcome,
        attributed=attributed,
        notes=tuple(notes),
    )


FITS = ReadCache(max_entries=16)
"""Fitted curves per store, data version and outcome: a fit takes seconds, and the figures
it reads change only when someone writes."""


def response_curves(
    session: Session,
    actor: Actor,
    outcome: str = "revenue",
    progress: Callable[[float], None] | None = None,
) -> ResponseFit:
    """The response curves of the store's figures, fitted once per data version: the Next
    dollar page on an unchanged store, in any session, is drawn from the fit kept."""
    require(actor, Action.VIEW)
    return FITS.kept(
        session,
        lambda: response.fit(response_data(session, actor, outcome), progress=progress),
        outcome,
    )


PROPOSALS = ReadCache(max_entries=64)
"""Budgets spread over a kept fit, per data version and the person's inputs: spreading one
takes most of a second, and the page asks again on every rerun with the same inputs."""


def budget_proposal(
    session: Session,
    actor: Actor,
    budget: float,
    bounds: dict[str, tuple[float, float]],
    currency: str,
    locale: str = "en_US",
    outcome: str = "revenue",
) -> Proposal:
    """The monthly ``budget`` spread across the channels within ``bounds`` (see
    ``response.propose``), worked out once per data version and inputs."""
    require(actor, Action.VIEW)

    def spread() -> Proposal:
        fit = response_curves(session, actor, outcome)
        return response.propose(
            fit, budget, bounds, money=lambda v: formatting.money(v, currency, locale)
        )

    return PROPOSALS.kept(
        session, spread, outcome, budget, tuple(sorted(bounds.items())), currency, locale
    )


def save_proposal(
    session: Session,
    actor: Actor,
    proposal: Proposal,
    currency: str,
    locale: str = "en_US",
) -> int:
    """Record the proposal in the request log for the monthly review; the plan is untouched."""

    def money(value: float) -> str:
        return formatting.money(value, currency, locale)

    direction = (
        "more than"
        if proposal.budget > proposal.today_total * 1.005
        else "less than"
        if proposal.budget < proposal.today_total * 0.995
        else "the same as"
    )
    title = (
        f"Budget proposal: {money(proposal.budget)} a month across {len(proposal.lines)} channels"
    )
    lines = [
        f"Response-curve proposal for a monthly budget of {money(proposal.budget)} "
        f"({direction} today's {money(proposal.today_total)}).",
        "",
        "Channel: today -> proposed (change)",
    ]
    for line in proposal.lines:
        bound = f", at its {line.at_bound} bound" if line.at_bound else ""
        lines.append(
            f"- {line.channel}: {money(line.today)} -> {money(line.proposed)} "
            f"({formatting.money(line.change, currency, locale)}{bound})"
        )
    lines += [
        "",
        f"Expected change in monthly {proposal.outcome_label}: "
        f"{money(proposal.expected_change)} (likely between {money(proposal.change_low)} "
        f"and {money(proposal.change_high)}).",
        "",
        "Assumptions:",
        *(f"- {text}" for text in proposal.assumptions),
    ]
    with writing(session, actor, Action.RAISE_REQUEST):
        return request_log.raise_request(session, actor, title, "\n".join(lines))


CURVES = ReadCache(max_entries=16)
"""The curves drawn from a kept fit: drawing every channel's band from the fit's refits takes
more than a second, and they change only with the fit."""


def curve_frames(session: Session, actor: Actor, outcome: str = "revenue") -> pd.DataFrame:
    """Every channel's curve (with its band), for the chart, kept per data version."""
    require(actor, Action.VIEW)

    def draw() -> pd.DataFrame:
        fit = response_curves(session, actor, outcome)
        return pd.concat(
            [fit.curve_frame(c.channel).assign(channel=c.channel) for c in fit.channels],
            ignore_index=True,
        )

    return CURVES.kept(session, draw, outcome)


def curve_marks(fit: ResponseFit, proposal: Proposal | None = None) -> pd.DataFrame:
    """The points to mark on the curves: today's spend and, when there is one, the proposed
    spend."""
    marks = [
        {
            "channel": c.channel,
            "mark": "Today",
            "monthly_spend": c.monthly_spend,
            "monthly_outcome": fit.monthly_outcome(fit.model, c.channel, c.monthly_spend),
        }
        for c in fit.channels
    ]
    if proposal is not None:
        marks += [
            {
                "channel": line.channel,
                "mark": "Proposed",
                "monthly_spend": line.proposed,
                "monthly_outcome": fit.monthly_outcome(fit.model, line.channel, line.proposed),
            }
            for line in proposal.lines
        ]
    return pd.DataFrame(marks)


def channel_table(fit: ResponseFit) -> pd.DataFrame:
    """The model's ROI and marginal ROI beside attributed ROAS, one row per channel."""
    return pd.DataFrame(
        {
            "channel": [c.channel for c in fit.channels],
            "monthly_spend": [c.monthly_spend for c in fit.channels],
            "roi": [c.roi for c in fit.channels],
            "roi_low": [c.roi_low for c in fit.channels],
            "roi_high": [c.roi_high for c in fit.channels],
            "marginal_roi": [c.marginal_roi for c in fit.channels],
            "marginal_roi_low": [c.marginal_roi_low for c in fit.channels],
            "marginal_roi_high": [c.marginal_roi_high for c in fit.channels],
            "attributed_roas": [c.attributed_roas for c in fit.channels],
            "carry_over": [c.carry_over for c in fit.channels],
        }
    )
