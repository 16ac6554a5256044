"""Where the year (or the quarter) will land: actual spend to date plus the forecast for the
rest, against the locked baseline and the current plan, per channel and in total.

A month counts its actuals once it is over (before the current month) or closed (reconciled,
or its review closed); every other month counts the CMO's forecast, and where a channel has
no forecast for such a month its current plan stands in, said so in ``months_on_plan``.
The sums run in the database, grouped by channel and month; only those few rows meet here."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import require
from alignment.company.settings import company_profile
from alignment.records.data_version import ReadCache
from alignment.shared import clock
from alignment.shared import metrics
from alignment.shared.money import from_cents
from alignment.shared.periods import Period
from alignment.shared.periods import add_months
from alignment.shared.periods import current_month
from alignment.shared.periods import fiscal_year_start
from alignment.shared.periods import month_difference
from alignment.shared.periods import range_period
from alignment.shared.periods import short_month_label
from alignment.spend.forecast import closed_months
from alignment.spend.forecast import counts_actuals
from alignment.spend.forecast import still_to_come
from db.models import BudgetLine
from db.models import Channel
from db.models import ForecastLine
from db.models import MonthlyReview
from db.models import User

TOTAL = "Total"


@dataclass(frozen=True)
class LandingLine:
    """One channel's (or the total's) landing; money in the store's currency."""

    channel: str
    plan: Decimal | None
    baseline: Decimal | None
    actual_to_date: Decimal
    forecast_rest: Decimal
    landing: Decimal
    gap_to_plan: Decimal | None
    gap_to_plan_pct: float | None
    gap_to_baseline: Decimal | None
    gap_to_baseline_pct: float | None
    pipeline: Decimal | None
    revenue: Decimal | None
    new_customers: int | None
    months_on_plan: int

    def as_json(self) -> dict[str, Any]:
        def money(value: Decimal | None) -> float | None:
            return None if value is None else float(value)

        return {
            "channel": self.channel,
            "plan": money(self.plan),
            "baseline": money(self.baseline),
            "actual_to_date": money(self.actual_to_date),
            "forecast_rest": money(self.forecast_rest),
            "landing": money(self.landing),
            "gap_to_plan": money(self.gap_to_plan),
            "gap_to_plan_pct": self.gap_to_plan_pct,
            "gap_to_baseline": money(self.gap_to_baseline),
            "gap_to_baseline_pct": self.gap_to_baseline_pct,
            "pipeline": money(self.pipeline),
            "revenue": money(self.revenue),
            "new_customers": self.new_customers,
            "months_on_plan": self.months_on_plan,
        }


@dataclass(frozen=True)
class Landing:
    """The landing of a period: which months counted actuals, which the forecast."""

    period: Period
    currency: str
    actual_months: tuple[str, ...]
    forecast_months: tuple[str, ...]
    channels: tuple[LandingLine, ...]
    total: LandingLine
    unplanned_months: tuple[str, ...] = ()
    """Months still to come with neither a forecast nor a plan: they count nothing, which
    a reader must be told, or the landing looks lower than it will be."""

    @property
    def unplanned_words(self) -> str | None:
        """The sentence that says which months count nothing, or None."""
        if not self.unplanned_months:
            return None
        months = ", ".join(short_month_label(m) for m in self.unplanned_months)
        return (
            f"No forecast and no plan for {months}: the landing counts no spend there. "
            "The CMO forecasts them on Budget & return."
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "period": self.period.code,
            "label": self.period.label,
            "currency": self.currency,
            "actual_months": list(self.actual_months),
            "forecast_months": list(self.forecast_months),
            "unplanned_months": list(self.unplanned_months),
            "total": self.total.as_json(),
            "channels": [line.as_json() for line in self.channels],
        }


LANDINGS = ReadCache(max_entries=32)
"""Landings and forecast accuracies per store, data version, period and current month
(which months count actuals depends on today)."""


def fiscal_year(session: Session, actor: Actor, month: str | None = None) -> Period:
    """The fiscal year holding ``month`` (the current month when not given)."""
    start = company_profile(session, actor).fiscal_year_start_month
    first = fiscal_year_start(month or current_month(clock.today()), start)
    return _named(first, add_months(first, 11), "Fiscal year")


def fiscal_year_starting(session: Session, actor: Actor, year: int) -> Period:
    """The fiscal year that starts in calendar year ``year`` (the CLI's ``--year``)."""
    start = company_profile(session, actor).fiscal_year_start_month
    first = f"{year:04d}-{start:02d}"
    return _named(first, add_months(first, 11), "Fiscal year")


def fiscal_quarter(session: Session, actor: Actor, month: str | None = None) -> Period:
    """The fiscal quarter holding ``month`` (the current month when not given)."""
    start = company_profile(session, actor).fiscal_year_start_month
    month = month or current_month(clock.today())
    year_first = fiscal_year_start(month, start)
    offset = month_difference(year_first, month) // 3 * 3
    first = add_months(year_first, offset)
    return _named(first, add_months(first, 2), f"Fiscal Q{offset // 3 + 1}")


def _named(first: str, last: str, name: str) -> Period:
    span = range_period(first, last)
    return Period(first, last, f"{name} {span.label}")


def landing(session: Session, actor: Actor, period: Period) -> Landing:
    """Actual to date plus forecast for the rest of ``period``, per channel and in total."""
    require(actor, Action.VIEW)
    now = current_month(clock.today())
    return LANDINGS.kept(session, lambda: _landing(session, actor, period, now), period, now)


def _landing(session: Session, actor: Actor, period: Period, now: str) -> Landing:
    closed = closed_months(session)
    forecast_months = still_to_come(period.months, now, closed)
    actual_months = tuple(m for m in period.months if m not in forecast_months)
    budget = session.execute(
        select(
            Channel.name,
            BudgetLine.month,
            func.sum(BudgetLine.planned_budget).label("plan"),
            func.sum(BudgetLine.baseline_budget).label("baseline"),
            func.sum(BudgetLine.actual_spend).label("spend"),
            func.sum(BudgetLine.attributed_pipeline).label("pipeline"),
            func.sum(BudgetLine.attributed_revenue).label("revenue"),
            func.sum(BudgetLine.new_customers).label("new_customers"),
        )
        .join(Channel, BudgetLine.channel_id == Channel.id)
        .where(BudgetLine.month.between(period.first, period.last))
        .group_by(Channel.name, BudgetLine.month)
    ).all()
    forecast = session.execute(
        select(
            Channel.name,
            ForecastLine.month,
            func.sum(ForecastLine.spend).label("spend"),
            func.sum(ForecastLine.pipeline).label("pipeline"),
            func.sum(ForecastLine.revenue).label("revenue"),
            func.sum(ForecastLine.new_customers).label("new_customers"),
        )
        .join(Channel, ForecastLine.channel_id == Channel.id)
        .where(ForecastLine.month.in_(forecast_months))
        .group_by(Channel.name, ForecastLine.month)
    ).all()
    sums: dict[str, _Sums] = defaultdict(_Sums)
    forecast_of = {(row.name, row.month): row for row in forecast}
    planned_of = {(row.name, row.month): row.plan for row in budget}
    for row in budget:
        line = sums[row.name]
        line.add("plan", row.plan)
        line.add("baseline", row.baseline)
        if row.month in actual_months:
            line.add("actual", row.spend)
            for name in ("pipeline", "revenue", "new_customers"):
                line.add(name, getattr(row, name))
    for channel in {name for name, _ in planned_of} | {name for name, _ in forecast_of}:
        line = sums[channel]
        for month in forecast_months:
            expected = forecast_of.get((channel, month))
            if expected is not None:
                line.add("forecast", expected.spend)
                for name in ("pipeline", "revenue", "new_customers"):
                    line.add(name, getattr(expected, name))
            elif planned_of.get((channel, month)) is not None:
                line.add("forecast", planned_of[(channel, month)])
                line.months_on_plan += 1
    channels = tuple(sums[name].line(name) for name in sorted(sums))
    total = _Sums()
    for name in sorted(sums):
        total.merge(sums[name])
    currency = company_profile(session, actor).currency
    counted = {month for _, month in forecast_of} | {
        month for (_, month), plan in planned_of.items() if plan is not None
    }
    unplanned = tuple(m for m in forecast_months if m not in counted)
    return Landing(
        period, currency, actual_months, forecast_months, channels, total.line(TOTAL), unplanned
    )


class _Sums:
    """Cents summed per figure, None until a figure is seen (so "no plan" is not zero)."""

    def __init__(self) -> None:
        self.cents: dict[str, int | None] = {}
        self.months_on_plan = 0

    def add(self, name: str, value: int | None) -> None:
        if value is None:
            self.cents.setdefault(name, None)
            return
        self.cents[name] = (self.cents.get(name) or 0) + int(value)

    def merge(self, other: _Sums) -> None:
        for name, value in other.cents.items():
            self.add(name, value)
        self.months_on_plan += other.months_on_plan

    def line(self, channel: str) -> LandingLine:
        def money(name: str) -> Decimal | None:
            return from_cents(self.cents.get(name))

        actual = money("actual") or Decimal("0.00")
        rest = money("forecast") or Decimal("0.00")
        landed = actual + rest
        plan, baseline = money("plan"), money("baseline")
        customers = self.cents.get("new_customers")
        return LandingLine(
            channel=channel,
            plan=plan,
            baseline=baseline,
            actual_to_date=actual,
            forecast_rest=rest,
            landing=landed,
            gap_to_plan=None if plan is None else landed - plan,
            gap_to_plan_pct=metrics.spend_variance_pct(landed, plan),
            gap_to_baseline=None if baseline is None else landed - baseline,
            gap_to_baseline_pct=metrics.spend_variance_pct(landed, baseline),
            pipeline=money("pipeline"),
            revenue=money("revenue"),
            new_customers=customers,
            months_on_plan=self.months_on_plan,
        )


LANDING_PATH_COLUMNS = ["month", "landing", "plan", "baseline", "kept"]


def landing_path(session: Session, actor: Actor, period: Period) -> pd.DataFrame:
    """How the landing of ``period`` moved: for each month whose review was closed, the
    landing as that review froze it (``kept`` True), and today's landing for the current
    month; money in the store's currency. A review closed before SamePage kept the landing
    has no point."""
    require(actor, Action.VIEW)
    rows = []
    reviews = session.execute(
        select(MonthlyReview.month, MonthlyReview.snapshot)
        .where(
            MonthlyReview.status == "closed",
            MonthlyReview.month.between(period.first, period.last),
        )
        .order_by(MonthlyReview.month)
    ).all()
    for month, snapshot in reviews:
        frozen = (snapshot or {}).get("landing")
        if not frozen or frozen.get("period") != period.code:
            continue
        total = frozen["total"]
        rows.append((month, total["landing"], total["plan"], total["baseline"], True))
    now = current_month(clock.today())
    if period.first <= now <= period.last and now not in {r[0] for r in rows}:
        total = landing(session, actor, period).total
        rows.append(
            (
                now,
                float(total.landing),
                None if total.plan is None else float(total.plan),
                None if total.baseline is None else float(total.baseline),
                False,
            )
        )
    return pd.DataFrame(sorted(rows), columns=LANDING_PATH_COLUMNS)


@dataclass(frozen=True)
class ForecastAccuracy:
    """How far each channel's forecast was from what happened, over the months of a period
    that are over and had a forecast: the mean absolute percentage error (MAPE) of spend
    and of revenue, and the months behind it."""

    by_channel: pd.DataFrame
    """channel, months, spend_mape, revenue_mape, forecast by (who entered the most lines)."""
    months: pd.DataFrame
    """month, channel, forecast_spend, actual_spend, spend_error, forecast_revenue,
    actual_revenue, revenue_error: one row per channel and month compared."""


def forecast_accuracy(session: Session, actor: Actor, period: Period) -> ForecastAccuracy:
    """Each month's last forecast against its actuals, per channel. A month with no actual
    (nothing spent, no revenue) has no percentage error for that figure and is left out of
    its mean, so one empty month cannot make a channel look infinitely wrong."""
    require(actor, Action.VIEW)
    now = current_month(clock.today())
    return LANDINGS.kept(
        session, lambda: _forecast_accuracy(session, period, now), "accuracy", period, now
    )


def _forecast_accuracy(session: Session, period: Period, now: str) -> ForecastAccuracy:
    closed = closed_months(session)
    over = [m for m in period.months if counts_actuals(m, now, closed)]
    forecast = session.execute(
        select(
            Channel.name,
            ForecastLine.month,
            func.sum(ForecastLine.spend).label("spend"),
            func.sum(ForecastLine.revenue).label("revenue"),
            func.max(User.name).label("by"),
        )
        .join(Channel, ForecastLine.channel_id == Channel.id)
        .outerjoin(User, ForecastLine.entered_by_id == User.id)
        .where(ForecastLine.month.in_(over))
        .group_by(Channel.name, ForecastLine.month)
    ).all()
    actual = {
        (row.name, row.month): row
        for row in session.execute(
            select(
                Channel.name,
                BudgetLine.month,
                func.sum(BudgetLine.actual_spend).label("spend"),
                func.sum(BudgetLine.attributed_revenue).label("revenue"),
            )
            .join(Channel, BudgetLine.channel_id == Channel.id)
            .where(BudgetLine.month.in_(over))
            .group_by(Channel.name, BudgetLine.month)
        )
    }

    def error(expected: int | None, happened: int | None) -> float | None:
        if expected is None or not happened:
            return None
        return abs(happened - expected) / happened

    rows = []
    for row in forecast:
        done = actual.get((row.name, row.month))
        spent = None if done is None else done.spend
        earned = None if done is None else done.revenue
        rows.append(
            {
                "month": row.month,
                "channel": row.name,
                "forecast_spend": from_cents(row.spend),
                "actual_spend": from_cents(spent),
                "spend_error": error(row.spend, spent),
                "forecast_revenue": from_cents(row.revenue),
                "actual_revenue": from_cents(earned),
                "revenue_error": error(row.revenue, earned),
                "by": row.by,
            }
        )
    months = pd.DataFrame(
        rows,
        columns=[
            "month",
            "channel",
            "forecast_spend",
            "actual_spend",
            "spend_error",
            "forecast_revenue",
            "actual_revenue",
            "revenue_error",
            "by",
        ],
    ).sort_values(["channel", "month"], ignore_index=True)
    by_channel = (
        months.groupby("channel", sort=True)
        .agg(
            months=("month", "count"),
            spend_mape=("spend_error", "mean"),
            revenue_mape=("revenue_error", "mean"),
            forecast_by=("by", lambda names: names.mode().iloc[0] if names.notna().any() else None),
        )
        .reset_index()
    )
    return ForecastAccuracy(by_channel=by_channel, months=months.drop(columns="by"))
