"""Confidence by role: each month the CEO, the CFO and the CMO each rate, from 0 to 10, how
confident they are that each shared goal will be met. Where the highest and the lowest of a
month's ratings are 3 or more apart, the three do not see the same goal: a perception gap
for the review, shown with how the ratings moved over the recent months."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alignment.access.permissions import EXECUTIVES
from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import require
from alignment.records.unit_of_work import writing
from alignment.shared import clock
from alignment.shared.errors import ValidationFailed
from alignment.shared.periods import Period
from alignment.shared.periods import add_months
from alignment.shared.periods import current_month
from alignment.shared.periods import month_label
from alignment.shared.periods import parse_month
from alignment.shared.text import CONTROL_CHARACTERS
from alignment.shared.text import MAX_DESCRIPTION
from db.models import ConfidenceRating
from db.models import Goal
from db.models import User

ROLES = tuple(str(r) for r in EXECUTIVES)
"""The three who rate, in the order every table shows them."""
LOWEST, HIGHEST = 0, 10
GAP = 3
"""A spread of this many points or more between roles is a perception gap (DESIGN.md)."""
TREND_MONTHS = 6


@dataclass(frozen=True)
class Rating:
    role: str
    score: int
    comment: str
    rated_by: str | None


@dataclass(frozen=True)
class MonthRatings:
    """One goal's ratings in one month, by role (None where a role has not rated)."""

    month: str
    scores: dict[str, int | None]

    @property
    def spread(self) -> int | None:
        """Highest minus lowest rating, once at least two roles have rated."""
        given = [s for s in self.scores.values() if s is not None]
        return max(given) - min(given) if len(given) >= 2 else None

    @property
    def gap(self) -> bool:
        return self.spread is not None and self.spread >= GAP


@dataclass(frozen=True)
class GoalConfidence:
    goal_id: int
    title: str
    month: str
    ratings: dict[str, Rating | None]
    """The month's rating of each role, CEO, CFO and CMO."""
    trend: list[MonthRatings]
    """The recent months with a rating, oldest first, up to and including ``month``."""

    @property
    def spread(self) -> int | None:
        return self.now.spread

    @property
    def gap(self) -> bool:
        return self.now.gap

    @property
    def now(self) -> MonthRatings:
        return MonthRatings(
            self.month, {r: (x.score if x else None) for r, x in self.ratings.items()}
        )

    def as_json(self) -> dict[str, Any]:
        """As a review's snapshot keeps it."""
        return {
            "goal": self.title,
            "ratings": {
                role: None if r is None else {"score": r.score, "comment": r.comment}
                for role, r in self.ratings.items()
            },
            "spread": self.spread,
            "gap": self.gap,
            "trend": [
                {"month": t.month, "scores": t.scores, "spread": t.spread} for t in self.trend
            ],
        }


def rating_month(period: Period) -> str:
    """The month a page rates for when it shows ``period``: its last month, or this month
    when the period runs on past today."""
    return min(period.last, current_month())


def confidence(
    session: Session, actor: Actor, month: str, months: int = TREND_MONTHS
) -> list[GoalConfidence]:
    """Every shared goal with the month's three ratings, their spread, whether it is a
    perception gap, and the ratings of the ``months`` months up to this one."""
    require(actor, Action.VIEW)
    month = parse_month(month)
    first = add_months(month, -(months - 1))
    names = dict(session.execute(select(User.id, User.name)).all())
    rows = session.scalars(
        select(ConfidenceRating).where(
            ConfidenceRating.month >= first, ConfidenceRating.month <= month
        )
    ).all()
    by_goal: dict[int, list[ConfidenceRating]] = {}
    for row in rows:
        by_goal.setdefault(row.goal_id, []).append(row)
    found = []
    for goal_id, title in session.execute(select(Goal.id, Goal.title).order_by(Goal.id)):
        mine = by_goal.get(goal_id, [])
        ratings: dict[str, Rating | None] = dict.fromkeys(ROLES)
        per_month: dict[str, dict[str, int | None]] = {}
        for row in mine:
            per_month.setdefault(row.month, dict.fromkeys(ROLES))[row.role] = row.score
            if row.month == month and row.role in ratings:
                ratings[row.role] = Rating(
                    row.role, row.score, row.comment, names.get(row.rated_by_id or -1)
                )
        trend = [MonthRatings(m, per_month[m]) for m in sorted(per_month)]
        found.append(GoalConfidence(goal_id, title, month, ratings, trend))
    return found


def _score(value: Any) -> int:
    """A whole number from 0 to 10, typed or given, or a sentence."""
    if isinstance(value, bool) or value is None or value == "":
        raise ValidationFailed(f"Nothing was saved: give a confidence from {LOWEST} to {HIGHEST}.")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            value = int(text)
    if not isinstance(value, int):
        raise ValidationFailed(
            f"Nothing was saved: a confidence is a whole number from {LOWEST} to {HIGHEST}, "
            f"not '{value}'."
        )
    if not LOWEST <= value <= HIGHEST:
        raise ValidationFailed(
            f"Nothing was saved: a confidence runs from {LOWEST} to {HIGHEST}, not {value}."
        )
    return value


def rate(
    session: Session,
    actor: Actor,
    goal_id: int,
    month: str,
    score: Any,
    comment: str = "",
) -> None:
    """The acting executive's confidence that the goal will be met, for ``month``: one per
    goal, month and role; rating again replaces it (the audit trail keeps old and new)."""
    with writing(session, actor, Action.RATE_CONFIDENCE) as w:
        goal = w.existing(Goal, goal_id, "Nothing was saved: that goal no longer exists.")
        month = parse_month(month)
        if month > current_month():
            raise ValidationFailed(
                f"Nothing was saved: {month_label(month)} has not started; rate your "
                "confidence for this month or an earlier one."
            )
        value = _score(score)
        note = (comment or "").strip()
        if len(note) > MAX_DESCRIPTION:
            raise ValidationFailed(
                f"Nothing was saved: the comment is longer than {MAX_DESCRIPTION} characters "
                f"({len(note)})."
            )
        if CONTROL_CHARACTERS.search(note):
            raise ValidationFailed("Nothing was saved: the comment contains control characters.")
        role = str(actor.role)
        row = session.scalar(
            select(ConfidenceRating).where(
                ConfidenceRating.goal_id == goal.id,
                ConfidenceRating.month == month,
                ConfidenceRating.role == role,
            )
        )
        old = None if row is None else {"score": row.score, "comment": row.comment}
        if old == {"score": value, "comment": note}:
            raise ValidationFailed(
                f"Nothing was saved: your confidence in '{goal.title}' for "
                f"{month_label(month)} is already {value} with that comment."
            )
        if row is None:
            row = ConfidenceRating(goal_id=goal.id, month=month, role=role)
            session.add(row)
        row.score, row.comment = value, note
        row.rated_by_id, row.rated_at = actor.user_id, clock.utc_second()
        session.flush()
        w.record(
            "rate",
            "confidence",
            row.id,
            old,
            {"goal": goal.title, "month": month, "role": role, "score": value, "comment": note},
        )
