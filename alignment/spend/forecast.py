"""The CMO's forecast for the rest of the fiscal year: per month, channel and campaign, the
spend expected and the pipeline, revenue and new customers it should bring.

A forecast starts from the current plan or from the recent run-rate, and each figure keeps
where it came from, so the CFO can tell a plan carried forward from a figure the CMO
thought about. Only months still to come can be forecast: a month before the current one,
reconciled by finance or whose review is closed has its actuals, and those count."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from typing import cast

import pandas as pd
from sqlalchemy import Result
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import require
from alignment.company.settings import company_profile
from alignment.files.cells import typed_figure
from alignment.records.unit_of_work import writing
from alignment.shared import clock
from alignment.shared.errors import EditedMeanwhile
from alignment.shared.errors import ValidationFailed
from alignment.shared.money import from_cents
from alignment.shared.periods import add_months
from alignment.shared.periods import current_month
from alignment.shared.periods import fiscal_year_start
from alignment.shared.periods import month_label
from alignment.shared.periods import months_between
from db.models import FORECAST_AMOUNTS
from db.models import FORECAST_FIGURES
from db.models import BudgetLine
from db.models import Channel
from db.models import ForecastLine
from db.models import MonthlyReview
from db.models import Reconciliation
from db.models import User


class ForecastBasis(StrEnum):
    """Where a forecast figure came from."""

    PLAN = "plan"
    RUN_RATE = "run rate"
    TYPED = "typed"
    IMPORTED = "imported"


RUN_RATE_MONTHS = 3
"""How many complete months the run-rate (and the plan's return per dollar) averages."""

OUTCOMES = ("pipeline", "revenue", "new_customers")
_ACTUALS = {
    "spend": BudgetLine.actual_spend,
    "pipeline": BudgetLine.attributed_pipeline,
    "revenue": BudgetLine.attributed_revenue,
    "new_customers": BudgetLine.new_customers,
}


@dataclass(frozen=True)
class ForecastYear:
    """The fiscal year a forecast is for, and which of its months are still to come."""

    first: str
    last: str
    open_months: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{month_label(self.first)} – {month_label(self.last)}"


@dataclass(frozen=True)
class StartedForecast:
    """What starting the forecast wrote, and the months it found nothing to start from."""

    basis: ForecastBasis
    lines: int
    months: tuple[str, ...]
    months_without_basis: tuple[str, ...]

    @property
    def summary(self) -> str:
        words = (
            f"Forecast started from the {self.basis}: {self.lines:,} lines over "
            f"{len(self.months)} month(s)."
        )
        if self.months_without_basis:
            missing = ", ".join(month_label(m) for m in self.months_without_basis)
            words += f" Nothing to start from for {missing}; type or import those months."
        return words


def closed_months(session: Session) -> set[str]:
    """Months whose actuals are final: reconciled by finance, or their review closed."""
    reconciled = session.scalars(select(Reconciliation.month).where(Reconciliation.reconciled))
    reviewed = session.scalars(select(MonthlyReview.month).where(MonthlyReview.status == "closed"))
    return {*reconciled, *reviewed}


def counts_actuals(month: str, now: str, closed: set[str]) -> bool:
    """The one rule of which months count their actuals rather than a forecast: a month
    that is over (before ``now``, the current month) or closed."""
    return month < now or month in closed


def still_to_come(months: list[str], now: str, closed: set[str]) -> tuple[str, ...]:
    """The ``months`` that count a forecast: every one that does not count its actuals."""
    return tuple(m for m in months if not counts_actuals(m, now, closed))


def forecast_year(session: Session, actor: Actor, month: str | None = None) -> ForecastYear:
    """The fiscal year holding ``month`` (the current month when not given) and its months
    still open to a forecast: the current month and later, less any closed month."""
    require(actor, Action.VIEW)
    now = current_month(clock.today())
    start = company_profile(session, actor).fiscal_year_start_month
    first = fiscal_year_start(month or now, start)
    last = add_months(first, 11)
    closed = closed_months(session)
    return ForecastYear(first, last, still_to_come(months_between(first, last), now, closed))


def refuse_closed_month(session: Session, month: str, where: str = "") -> None:
    """A forecast is for months still to come; anything else is refused with the reason."""
    now = current_month(clock.today())
    prefix = f"{where}: " if where else ""
    if month < now:
        raise ValidationFailed(
            f"{prefix}{month_label(month)} is over; its actuals count, so it takes no forecast."
        )
    if month in closed_months(session):
        raise ValidationFailed(
            f"{prefix}{month_label(month)} is closed (reconciled or reviewed); its actuals "
            "count, so it takes no forecast."
        )


def start_forecast(
    session: Session,
    actor: Actor,
    basis: ForecastBasis,
    *,
    months: int = RUN_RATE_MONTHS,
) -> StartedForecast:
    """Fill the forecast of every open month of this fiscal year afresh, from the current
    plan (spend as planned; outcomes at each channel's return per dollar of the last
    ``months`` complete months) or from the run-rate (each line's average of those months).
    What the forecast held for those months is replaced, and the audit trail says so."""
    if basis not in (ForecastBasis.PLAN, ForecastBasis.RUN_RATE):
        raise ValidationFailed("A forecast starts from the plan or from the run rate.")
    if not 1 <= months <= 24:
        raise ValidationFailed("The run rate averages between 1 and 24 complete months.")
    with writing(session, actor, Action.FORECAST) as w:
        year = forecast_year(session, actor)
        if not year.open_months:
            raise ValidationFailed(
                f"Every month of the fiscal year {year.label} is over or closed; there is "
                "nothing left to forecast."
            )
        now = current_month(clock.today())
        recent = (add_months(now, -months), add_months(now, -1))
        if basis is ForecastBasis.PLAN:
            rows = _from_plan(session, year.open_months, recent)
        else:
            rows = run_rate_lines(session, year.open_months, recent)
        replaced = _deleted(
            session.execute(delete(ForecastLine).where(ForecastLine.month.in_(year.open_months)))
        )
        for row in rows:
            session.add(
                ForecastLine(
                    **row,
                    **{f"{name}_from": str(basis) for name in FORECAST_FIGURES},
                    entered_by_id=actor.user_id,
                    entered_at=clock.utc_now(),
                )
            )
        covered = tuple(sorted({str(row["month"]) for row in rows}))
        w.record(
            "start_forecast",
            "forecast",
            year.first,
            {"lines": replaced},
            {
                "basis": str(basis),
                "months_averaged": months,
                "lines": len(rows),
                "months": list(year.open_months),
            },
        )
        return StartedForecast(
            basis,
            len(rows),
            covered,
            tuple(m for m in year.open_months if m not in covered),
        )


def _deleted(result: Result[Any]) -> int:
    return int(cast(CursorResult[Any], result).rowcount)


def _from_plan(
    session: Session, open_months: tuple[str, ...], recent: tuple[str, str]
) -> list[dict[str, Any]]:
    per_dollar = _return_per_dollar(session, recent)
    planned = session.execute(
        select(
            BudgetLine.month, BudgetLine.channel_id, BudgetLine.campaign, BudgetLine.planned_budget
        )
        .where(BudgetLine.month.in_(open_months), BudgetLine.planned_budget.is_not(None))
        .order_by(BudgetLine.month, BudgetLine.channel_id, BudgetLine.campaign)
    ).all()
    rows = []
    for month, channel_id, campaign, cents in planned:
        rates = per_dollar.get(channel_id, {})
        outcomes = {
            name: None if name not in rates else round((cents or 0) * rates[name])
            for name in OUTCOMES
        }
        rows.append(
            {"month": month, "channel_id": channel_id, "campaign": campaign, "spend": cents}
            | outcomes
        )
    return rows


def _return_per_dollar(session: Session, recent: tuple[str, str]) -> dict[int, dict[str, float]]:
    """Per channel, each outcome (cents, or customers) per cent of actual spend over the
    recent months, where the channel spent anything."""
    totals = session.execute(
        select(
            BudgetLine.channel_id,
            *(func.sum(column).label(name) for name, column in _ACTUALS.items()),
        )
        .where(BudgetLine.month.between(*recent))
        .group_by(BudgetLine.channel_id)
    ).all()
    rates: dict[int, dict[str, float]] = {}
    for row in totals:
        spend = row.spend or 0
        if spend <= 0:
            continue
        rates[row.channel_id] = {
            name: (getattr(row, name) or 0) / spend
            for name in OUTCOMES
            if getattr(row, name) is not None
        }
    return rates


def run_rate_lines(
    session: Session, open_months: tuple[str, ...], recent: tuple[str, str]
) -> list[dict[str, Any]]:
    """Forecast rows (month, channel, campaign and figures in cents) for ``open_months``:
    each line's average of the ``recent`` months (first, last), a month without a figure
    counting as none."""
    length = len(months_between(*recent))
    averages = session.execute(
        select(
            BudgetLine.channel_id,
            BudgetLine.campaign,
            *(func.sum(column).label(name) for name, column in _ACTUALS.items()),
        )
        .where(BudgetLine.month.between(*recent))
        .group_by(BudgetLine.channel_id, BudgetLine.campaign)
        .order_by(BudgetLine.channel_id, BudgetLine.campaign)
    ).all()
    rows = []
    for row in averages:
        if row.spend is None and all(getattr(row, n) is None for n in OUTCOMES):
            continue
        figures = {
            name: None if getattr(row, name) is None else round(getattr(row, name) / length)
            for name in FORECAST_FIGURES
        }
        for month in open_months:
            rows.append(
                {"month": month, "channel_id": row.channel_id, "campaign": row.campaign} | figures
            )
    return rows


def forecast_frame(session: Session, actor: Actor, month: str | None = None) -> pd.DataFrame:
    """The forecast of the fiscal year holding ``month``, one row per line, money in the
    store's units (not cents), each figure beside where it came from."""
    year = forecast_year(session, actor, month)
    rows = session.execute(
        select(ForecastLine, Channel.name, User.name)
        .join(Channel, ForecastLine.channel_id == Channel.id)
        .outerjoin(User, ForecastLine.entered_by_id == User.id)
        .where(ForecastLine.month.between(year.first, year.last))
        .order_by(ForecastLine.month, Channel.name, ForecastLine.campaign)
    ).all()
    columns = [
        "id",
        "month",
        "channel",
        "campaign",
        *FORECAST_FIGURES,
        *(f"{name}_from" for name in FORECAST_FIGURES),
        "entered_by",
        "entered_at",
        "version",
    ]
    records = []
    for line, channel, person in rows:
        record: dict[str, object] = {
            "id": line.id,
            "month": line.month,
            "channel": channel,
            "campaign": line.campaign,
        }
        for name in FORECAST_FIGURES:
            value = getattr(line, name)
            record[name] = from_cents(value) if name in FORECAST_AMOUNTS else value
        for name in FORECAST_FIGURES:
            record[f"{name}_from"] = getattr(line, f"{name}_from")
        record |= {
            "entered_by": person,
            "entered_at": line.entered_at,
            "version": line.version,
        }
        records.append(record)
    return pd.DataFrame(records, columns=columns)


FIGURE_LABELS = {
    "spend": "spend",
    "pipeline": "pipeline",
    "revenue": "revenue",
    "new_customers": "new customers",
}


@dataclass(frozen=True)
class ForecastEdit:
    """New figures for one forecast line, against the version the editor saw."""

    line_id: int
    version: int
    values: dict[str, Any]


@dataclass(frozen=True)
class ForecastSaved:
    lines: int
    figures: int

    @property
    def summary(self) -> str:
        return f"Saved the forecast: {self.figures} figure(s) on {self.lines} line(s)."


def save_forecast(session: Session, actor: Actor, edits: list[ForecastEdit]) -> ForecastSaved:
    """Check every typed figure, then write them all, each marked as typed, or none: a line
    someone changed meanwhile, or a month that closed meanwhile, refuses the whole save."""
    with writing(session, actor, Action.FORECAST) as w:
        problems: list[str] = []
        cleaned: list[tuple[ForecastEdit, dict[str, int | None]]] = []
        for edit in edits:
            values: dict[str, int | None] = {}
            for name, typed in edit.values.items():
                if name not in FORECAST_FIGURES:
                    continue
                figure, problem = typed_figure(
                    typed, FIGURE_LABELS[name], whole=name == "new_customers"
                )
                if problem:
                    problems.append(f"Line {edit.line_id}: {problem}")
                values[name] = figure
            cleaned.append((edit, values))
        if problems:
            raise ValidationFailed("Nothing was saved: " + "; ".join(problems) + ".")
        figures = lines = 0
        for edit, values in cleaned:
            line = session.get(ForecastLine, edit.line_id)
            if line is None:
                raise EditedMeanwhile(
                    "Nothing was saved: a forecast line was removed (the forecast started "
                    "afresh) while you were editing. The forecast below is as saved now."
                )
            where = f"{line.channel.name}{' / ' + line.campaign if line.campaign else ''}"
            if line.version != edit.version:
                who = session.get(User, line.entered_by_id) if line.entered_by_id else None
                raise EditedMeanwhile(
                    f"Nothing was saved: {who.name if who else 'someone else'} changed "
                    f"{where}, {month_label(line.month)} while you were editing. The forecast "
                    "below is as saved now; make your change again."
                )
            refuse_closed_month(session, line.month, f"Nothing was saved: {where}")
            old = {name: getattr(line, name) for name in values}
            changed = {name: value for name, value in values.items() if old[name] != value}
            if not changed:
                continue
            for name, value in changed.items():
                setattr(line, name, value)
                setattr(line, f"{name}_from", str(ForecastBasis.TYPED))
            line.entered_by_id, line.entered_at = actor.user_id, clock.utc_second()
            figures += len(changed)
            lines += 1
            w.record(
                "edit",
                "forecast_line",
                line.id,
                {name: old[name] for name in changed},
                changed,
            )
        session.flush()
        return ForecastSaved(lines=lines, figures=figures)


def edits_from_editor(frame: pd.DataFrame, state: Mapping[str, Any]) -> list[ForecastEdit]:
    """The forecast grid's edits (``st.data_editor`` state) against the frame it showed."""
    edits = []
    for position, values in (state.get("edited_rows") or {}).items():
        row = frame.iloc[int(position)]
        edits.append(ForecastEdit(int(row["id"]), int(row["version"]), dict(values)))
    return edits
