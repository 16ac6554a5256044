"""The overview: headline figures, spend over time and return by channel, the same for everyone."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from typing import TypedDict

import pandas as pd
from sqlalchemy.orm import Session

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import require
from alignment.company.settings import company_profile
from alignment.records.data_version import ReadCache
from alignment.shared import metrics
from alignment.shared.money import from_cents
from alignment.shared.periods import Period
from alignment.shared.periods import add_months
from alignment.shared.periods import current_month
from db import queries


@dataclass(frozen=True)
class HeadlineFigures:
    """The overview's headline figures for one period; ``None`` means n/a."""

    period: Period
    currency: str
    gross_margin: float
    budget_lines: int
    planned_budget: Decimal | None
    actual_spend: Decimal | None
    spend_variance: Decimal | None
    spend_variance_pct: float | None
    attributed_pipeline: Decimal | None
    attributed_revenue: Decimal | None
    new_customers: int | None
    roas: float | None
    romi: float | None
    pipeline_roi: float | None
    marketing_cac: float | None

    def as_json(self) -> dict[str, Any]:
        """Plain JSON: money as numbers with two decimals, ratios unrounded, n/a as null."""

        def money(value: Decimal | None) -> float | None:
            return None if value is None else float(value)

        return {
            "period": self.period.code,
            "label": self.period.label,
            "first_month": self.period.first,
            "last_month": self.period.last,
            "currency": self.currency,
            "gross_margin": self.gross_margin,
            "budget_lines": self.budget_lines,
            "planned_budget": money(self.planned_budget),
            "actual_spend": money(self.actual_spend),
            "spend_variance": money(self.spend_variance),
            "spend_variance_pct": self.spend_variance_pct,
            "attributed_pipeline": money(self.attributed_pipeline),
            "attributed_revenue": money(self.attributed_revenue),
            "new_customers": self.new_customers,
            "roas": self.roas,
            "romi_attributed": self.romi,
            "pipeline_roi": self.pipeline_roi,
            "marketing_cac": self.marketing_cac,
        }


FIGURES = ReadCache(max_entries=192)
"""Period aggregates per store, data version and period: at a million lines each is a
GROUP BY of a few hundred milliseconds, and every click of every page asks for them."""


def headline_figures(session: Session, actor: Actor, period: Period) -> HeadlineFigures:
    require(actor, Action.VIEW)
    return FIGURES.kept(
        session, lambda: _headline_figures(session, actor, period), "headline", period
    )


def _headline_figures(session: Session, actor: Actor, period: Period) -> HeadlineFigures:
    profile = company_profile(session, actor)
    totals = queries.budget_totals(session, period.first, period.last)
    return _figures(period, profile.currency, profile.gross_margin, totals)


def _figures(period: Period, currency: str, gross_margin: float, totals: Any) -> HeadlineFigures:
    planned = from_cents(totals.planned_budget)
    spend = from_cents(totals.actual_spend)
    pipeline = from_cents(totals.attributed_pipeline)
    revenue = from_cents(totals.attributed_revenue)
    customers = None if totals.new_customers is None else int(totals.new_customers)
    variance = metrics.spend_variance(spend, planned)
    cac = metrics.marketing_cac(spend, customers)
    return HeadlineFigures(
        period=period,
        currency=currency,
        gross_margin=gross_margin,
        budget_lines=int(totals.lines),
        planned_budget=planned,
        actual_spend=spend,
        spend_variance=None if variance is None else Decimal(variance),
        spend_variance_pct=metrics.spend_variance_pct(spend, planned),
        attributed_pipeline=pipeline,
        attributed_revenue=revenue,
        new_customers=customers,
        roas=metrics.roas(revenue, spend),
        romi=metrics.romi(revenue, spend, gross_margin),
        pipeline_roi=metrics.pipeline_roi(pipeline, spend),
        marketing_cac=None if cac is None else round(cac, 2),
    )


def available_months(session: Session, actor: Actor) -> list[str]:
    """Months that hold budget figures, oldest first."""
    require(actor, Action.VIEW)
    return queries.budget_months(session)


@dataclass(frozen=True)
class MonthChoices:
    """The months a picker offers and the one it opens on."""

    months: list[str]
    """Newest first."""
    opening: str
    """The month a page shows before anyone picks one."""


def figure_months(session: Session, actor: Actor) -> MonthChoices:
    """Every month with budget figures, however old, opening on the latest complete one up
    to now: a history file that stops mid-month must not open on its last, half month."""
    require(actor, Action.VIEW)
    current = current_month()

    def choices() -> MonthChoices:
        held = queries.budget_months(session)
        return MonthChoices(sorted(held, reverse=True), opening_month(session, held, current))

    return MONTH_CHOICES.kept(session, choices, current)


MONTH_CHOICES = ReadCache(max_entries=16)
"""The months every picker offers (the figures' and the review's), per data version and
current month: reading the months and the dated days behind them ran on every render of
every page with a month picker, a few hundred milliseconds at a million lines."""


def opening_month(session: Session, held: list[str], current: str) -> str:
    """The newest month with figures up to ``current`` unless its weekly or daily rows stop
    before its end; then the month before it. ``current`` when no month has figures.

    The running calendar month is not partial by this rule: it is the month to date, the
    month a team entering figures as they go (and the demo) is working on."""
    up_to_now = [m for m in held if m <= current]
    if not up_to_now:
        return current
    newest = up_to_now[-1]
    if len(up_to_now) > 1 and is_partial(session, newest):
        return up_to_now[-2]
    return newest


def is_partial(session: Session, month: str) -> bool:
    """True when the month's imported weekly or daily rows end before the month does.

    The rows' step (a week, a day) is the smallest gap between their days in this month
    and the one before; the last row covers ``step`` days from its own."""
    days = queries.dated_days(session, add_months(month, -1), month)
    in_month = [d for d in days if f"{d:%Y-%m}" == month]
    if not in_month:
        return False
    gaps = [(b - a).days for a, b in zip(days, days[1:], strict=False) if b > a]
    if not gaps:
        return False
    year, number = (int(part) for part in month.split("-"))
    month_end = dt.date(year, number, calendar.monthrange(year, number)[1])
    return in_month[-1] + dt.timedelta(days=min(gaps) - 1) < month_end


def spend_over_time(
    session: Session, actor: Actor, last_month: str, months: int = 24
) -> pd.DataFrame:
    """Planned budget and actual spend per month, for the budget-vs-spend chart."""
    require(actor, Action.VIEW)
    return FIGURES.kept(
        session, lambda: _spend_over_time(session, last_month, months), "trend", last_month, months
    )


def _spend_over_time(session: Session, last_month: str, months: int) -> pd.DataFrame:
    first = add_months(last_month, -(months - 1))
    rows = queries.budget_by_month(session, first, last_month)
    return pd.DataFrame(
        {
            "month": [row.month for row in rows],
            "planned_budget": [_money_float(row.planned_budget) for row in rows],
            "baseline_budget": [_money_float(row.baseline_budget) for row in rows],
            "actual_spend": [_money_float(row.actual_spend) for row in rows],
            "attributed_revenue": [_money_float(row.attributed_revenue) for row in rows],
        },
        columns=[
            "month",
            "planned_budget",
            "baseline_budget",
            "actual_spend",
            "attributed_revenue",
        ],
    )


class ChannelReturn(TypedDict):
    """One row of ``return_by_channel``: the columns a period with no lines still has."""

    channel: str
    planned_budget: float | None
    actual_spend: float | None
    spend_variance: float | None
    spend_variance_pct: float | None
    attributed_pipeline: float | None
    attributed_revenue: float | None
    new_customers: int | None
    roas: float | None
    romi: float | None
    pipeline_roi: float | None
    marketing_cac: float | None


def return_by_channel(session: Session, actor: Actor, period: Period) -> pd.DataFrame:
    """Per channel: plan, spend, variance, pipeline, revenue and the return ratios."""
    require(actor, Action.VIEW)
    return FIGURES.kept(
        session, lambda: _return_by_channel(session, actor, period), "by channel", period
    )


def _return_by_channel(session: Session, actor: Actor, period: Period) -> pd.DataFrame:
    profile = company_profile(session, actor)
    records: list[ChannelReturn] = []
    for row in queries.budget_by_channel(session, period.first, period.last):
        planned = from_cents(row.planned_budget)
        spend = from_cents(row.actual_spend)
        revenue = from_cents(row.attributed_revenue)
        pipeline = from_cents(row.attributed_pipeline)
        variance = metrics.spend_variance(spend, planned)
        records.append(
            {
                "channel": row.channel,
                "planned_budget": _money_float(row.planned_budget),
                "actual_spend": _money_float(row.actual_spend),
                "spend_variance": None if variance is None else float(variance),
                "spend_variance_pct": metrics.spend_variance_pct(spend, planned),
                "attributed_pipeline": _money_float(row.attributed_pipeline),
                "attributed_revenue": _money_float(row.attributed_revenue),
                "new_customers": None if row.new_customers is None else int(row.new_customers),
                "roas": metrics.roas(revenue, spend),
                "romi": metrics.romi(revenue, spend, profile.gross_margin),
                "pipeline_roi": metrics.pipeline_roi(pipeline, spend),
                "marketing_cac": metrics.marketing_cac(spend, row.new_customers),
            }
        )
    return pd.DataFrame.from_records(records, columns=list(ChannelReturn.__annotations__))


def _money_float(cents: Any) -> float | None:
    value = from_cents(cents)
    return None if value is None else float(value)
