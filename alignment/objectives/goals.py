"""Shared goals: what the company is trying to achieve, short-term revenue and long-term brand
side by side, each with the KPIs that show progress and an agreed indicator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload

from alignment.access.permissions import EXECUTIVES
from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import require
from alignment.definitions.definition_states import DefinitionState
from alignment.definitions.success import KPI_PREFIX
from alignment.files.cells import name_problem
from alignment.objectives.kpis import KpiInfo
from alignment.objectives.kpis import KpiPeriodValue
from alignment.objectives.kpis import period_values
from alignment.records.unit_of_work import writing
from alignment.shared.errors import InvalidPeriod
from alignment.shared.errors import ValidationFailed
from alignment.shared.money import from_cents
from alignment.shared.periods import Period
from alignment.shared.periods import current_month
from alignment.shared.periods import month_label
from alignment.shared.periods import parse_month
from alignment.shared.periods import range_period
from alignment.shared.text import MAX_DESCRIPTION
from alignment.shared.text import MAX_TITLE
from alignment.shared.views import view_of
from alignment.spend.overview import MONTH_CHOICES
from alignment.spend.overview import MonthChoices
from alignment.spend.overview import opening_month
from db import queries
from db.models import Channel
from db.models import Goal
from db.models import Kpi
from db.models import SuccessDefinition
from db.models import SuccessDefinitionVersion

HORIZONS = {"short_term": "Short-term revenue", "long_term": "Long-term brand and customer"}


@dataclass(frozen=True)
class GoalInput:
    """A shared goal as the CEO enters it."""

    title: str
    description: str
    owner_role: str
    horizon: str
    start_month: str
    end_month: str
    kpi_ids: tuple[int, ...] = ()


@dataclass(frozen=True, kw_only=True)
class GoalView(GoalInput):
    """A goal as every page shows it: what was entered, with how its KPIs stand."""

    id: int
    kpis: list[KpiPeriodValue]
    agreed_indicators: list[str]
    """Titles of definitions of success in force for the goal or its KPIs."""
    measured: Period | None
    """The months of the period shown that fall in the goal's own months (its KPIs are
    measured over these), or None when the goal has not started or has ended by then."""
    timing: str
    """A sentence when ``measured`` is not the whole period shown, else empty."""


@dataclass(frozen=True)
class HorizonShare:
    horizon: str
    goals: int
    kpis: int
    agreed_indicators: int
    spend: float | None
    spend_share: float | None


@dataclass(frozen=True)
class Balance:
    shares: list[HorizonShare]
    warnings: list[str]


def _check(session: Session, data: GoalInput) -> dict[str, Any]:
    problems = []
    title = (data.title or "").strip()
    description = (data.description or "").strip()
    if not title:
        problems.append("give the goal a title")
    elif problem := name_problem(title, "title", limit=MAX_TITLE):
        problems.append(problem)
    if len(description) > MAX_DESCRIPTION:
        problems.append(f"the description is longer than {MAX_DESCRIPTION} characters")
    if data.owner_role not in [str(r) for r in EXECUTIVES]:
        problems.append("the owner is the CEO, the CFO or the CMO")
    if data.horizon not in HORIZONS:
        problems.append("the horizon is short-term or long-term")
    months = {}
    for name, value in (("start", data.start_month), ("end", data.end_month)):
        try:
            months[name] = parse_month(str(value))
        except InvalidPeriod as exc:
            problems.append(str(exc).rstrip("."))
    if len(months) == 2 and months["end"] < months["start"]:
        problems.append("the goal ends before it starts")
    kpis = (
        list(session.scalars(select(Kpi).where(Kpi.id.in_(data.kpi_ids)))) if data.kpi_ids else []
    )
    if len(kpis) != len(set(data.kpi_ids)):
        problems.append("one of the linked KPIs does not exist")
    if problems:
        raise ValidationFailed("Nothing was saved: " + "; ".join(problems) + ".")
    return {
        "title": title,
        "description": description,
        "owner_role": data.owner_role,
        "horizon": data.horizon,
        "start_month": months["start"],
        "end_month": months["end"],
        "kpis": kpis,
    }


def create_goal(session: Session, actor: Actor, data: GoalInput) -> int:
    with writing(session, actor, Action.SET_GOALS) as w:
        values = _check(session, data)
        goal = Goal(created_by_id=actor.user_id, **values)
        session.add(goal)
        session.flush()
        w.record(
            "create",
            "goal",
            goal.id,
            None,
            {
                **{k: v for k, v in values.items() if k != "kpis"},
                "kpis": [k.name for k in values["kpis"]],
            },
        )
        return goal.id


def update_goal(session: Session, actor: Actor, goal_id: int, data: GoalInput) -> None:
    with writing(session, actor, Action.SET_GOALS) as w:
        goal = w.existing(Goal, goal_id, "That goal no longer exists.")
        values = _check(session, data)
        old = {"title": goal.title, "horizon": goal.horizon, "kpis": [k.name for k in goal.kpis]}
        for name, value in values.items():
            setattr(goal, name, value)
        w.record(
            "edit",
            "goal",
            goal.id,
            old,
            {
                "title": goal.title,
                "horizon": goal.horizon,
                "kpis": [k.name for k in values["kpis"]],
            },
        )


def _in_force_titles(session: Session) -> dict[str, list[str]]:
    """In-force definitions by what they measure: ``goal:<id>`` and ``kpi:<id>``."""
    rows = session.execute(
        select(
            SuccessDefinitionVersion.title,
            SuccessDefinitionVersion.metric,
            SuccessDefinitionVersion.definition_id,
        ).where(SuccessDefinitionVersion.state == DefinitionState.SIGNED_OFF)
    ).all()
    goal_of = dict(session.execute(select(SuccessDefinition.id, SuccessDefinition.goal_id)).all())
    found: dict[str, list[str]] = {}
    for title, metric, definition_id in rows:
        if metric.startswith(KPI_PREFIX):
            found.setdefault(metric, []).append(title)
        if goal_of.get(definition_id) is not None:
            found.setdefault(f"goal:{goal_of[definition_id]}", []).append(title)
    return found


def goal_months_in(start_month: str, end_month: str, period: Period) -> tuple[Period | None, str]:
    """The months of ``period`` that a goal running start..end covers, and the sentence a
    reader needs when that is not the whole period: a goal for 2027 has nothing to show
    against December 2026, and one that ended in June is measured up to June."""
    first, last = max(period.first, start_month), min(period.last, end_month)
    if first > last:
        if start_month > period.last:
            return None, (
                f"Starts in {month_label(start_month)}: nothing to measure in {period.label}."
            )
        return None, f"Ended in {month_label(end_month)}: nothing to measure in {period.label}."
    if (first, last) == (period.first, period.last):
        return period, ""
    measured = range_period(first, last)
    return measured, f"Measured over {measured.label}, the goal's months in {period.label}."


def goals(session: Session, actor: Actor, period: Period) -> list[GoalView]:
    """Every goal with its KPIs' status over its own months of the period, and its agreed
    indicators."""
    require(actor, Action.VIEW)
    agreed = _in_force_titles(session)
    views = []
    for goal in session.scalars(select(Goal).options(selectinload(Goal.kpis)).order_by(Goal.id)):
        measured, timing = goal_months_in(goal.start_month, goal.end_month, period)
        values = period_values(session, actor, measured) if measured else {}
        indicators = list(agreed.get(f"goal:{goal.id}", []))
        for kpi in goal.kpis:
            indicators += [
                t for t in agreed.get(f"{KPI_PREFIX}{kpi.id}", []) if t not in indicators
            ]
        views.append(
            view_of(
                GoalView,
                goal,
                kpi_ids=tuple(k.id for k in goal.kpis),
                kpis=[
                    values.get(k.id) or KpiPeriodValue(view_of(KpiInfo, k), None, None, None)
                    for k in goal.kpis
                ],
                agreed_indicators=indicators,
                measured=measured,
                timing=timing,
            )
        )
    return views


def goal_month_choices(session: Session, actor: Actor) -> MonthChoices:
    """The months Goals & KPIs offers: those with budget figures or KPI figures, however old,
    and always the current month, so a team sets goals and KPIs before any figure exists."""
    require(actor, Action.VIEW)
    current = current_month()

    def choices() -> MonthChoices:
        held = sorted(set(queries.budget_months(session)) | set(queries.kpi_months(session)))
        return MonthChoices(
            sorted({*held, current}, reverse=True), opening_month(session, held, current)
        )

    return MONTH_CHOICES.kept(session, choices, "goals", current)


def balance(session: Session, actor: Actor, period: Period) -> Balance:
    """How goals, KPIs, agreed indicators and spend split between short and long term."""
    views = goals(session, actor, period)
    spend = {h: 0 for h in HORIZONS}
    horizon_of = dict(session.execute(select(Channel.name, Channel.horizon)).all())
    for row in queries.budget_by_channel(session, period.first, period.last):
        spend[horizon_of.get(row.channel, "short_term")] += int(row.actual_spend or 0)
    total = sum(spend.values())
    shares = []
    for horizon in HORIZONS:
        mine = [g for g in views if g.horizon == horizon]
        shares.append(
            HorizonShare(
                horizon=horizon,
                goals=len(mine),
                kpis=sum(len(g.kpis) for g in mine),
                agreed_indicators=sum(len(g.agreed_indicators) for g in mine),
                spend=float(from_cents(spend[horizon]) or 0) if total else None,
                spend_share=spend[horizon] / total if total else None,
            )
        )
    warnings = [
        f"The long-term goal '{g.title}' has no agreed indicator: "
        + (
            "link a KPI and agree a definition of success for it."
            if not g.kpis
            else "no definition of success for it or its KPIs is signed off yet."
        )
        for g in views
        if g.horizon == "long_term" and not g.agreed_indicators
    ]
    return Balance(shares=shares, warnings=warnings)


def channel_horizons(session: Session, actor: Actor) -> dict[str, str]:
    require(actor, Action.VIEW)
    rows = session.execute(select(Channel.name, Channel.horizon).order_by(Channel.name)).all()
    return {name: horizon for name, horizon in rows}


def set_channel_horizon(session: Session, actor: Actor, channel: str, horizon: str) -> None:
    """Say whether a channel's spend serves short-term demand or long-term brand goals."""
    with writing(session, actor, Action.ENTER_FIGURES) as w:
        if horizon not in HORIZONS:
            raise ValidationFailed("The horizon is short-term or long-term.")
        row = session.scalar(select(Channel).where(Channel.name == channel))
        if row is None:
            raise ValidationFailed(f"There is no channel called '{channel}'.")
        w.change(row, "horizon", horizon, "channel")
