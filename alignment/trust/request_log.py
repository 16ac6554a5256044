"""The request and decision log: what was asked of marketing, the research behind it, what
was decided and why, and later what actually came of it.

It shows whether strategy changes rest on research and an expected result, or on impulse.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from decimal import InvalidOperation
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import can
from alignment.access.permissions import require
from alignment.files.cells import MAX_AMOUNT
from alignment.records.unit_of_work import Write
from alignment.records.unit_of_work import writing
from alignment.shared import clock
from alignment.shared.errors import ValidationFailed
from alignment.shared.money import from_cents
from alignment.shared.money import to_cents
from alignment.shared.periods import month_of
from alignment.shared.periods import quarter_of
from alignment.shared.text import MAX_TITLE
from alignment.shared.views import view_of
from db.models import Request
from db.models import User

DECISIONS = {"do": "Do it", "dont": "Don't", "later": "Later"}


class RequestState(StrEnum):
    """Where a request stands; ``STEPS`` says what can be done next in each state."""

    AWAITING_RESEARCH = "awaiting research"
    AWAITING_DECISION = "awaiting a decision"
    PUT_OFF = "put off until later"
    DECIDED = "decided"
    OUTCOME_RECORDED = "outcome recorded"


class Step(StrEnum):
    RESEARCH = "research"
    DECIDE = "decide"
    OUTCOME = "outcome"


STEPS: dict[RequestState, tuple[Step, ...]] = {
    RequestState.AWAITING_RESEARCH: (Step.RESEARCH, Step.DECIDE),
    RequestState.AWAITING_DECISION: (Step.RESEARCH, Step.DECIDE),
    RequestState.PUT_OFF: (Step.RESEARCH, Step.DECIDE),
    RequestState.DECIDED: (Step.OUTCOME,),
    RequestState.OUTCOME_RECORDED: (Step.OUTCOME,),
}
"""The one lifecycle of a request, read by the services' guards and by the page's offers.
A request put off until later is back on the agenda: it can be researched further and
decided again. Do it and don't are final; then only the outcome is recorded (and
corrected)."""

STEP_ACTIONS = {
    Step.RESEARCH: Action.RESEARCH_REQUEST,
    Step.DECIDE: Action.DECIDE_REQUEST,
    Step.OUTCOME: Action.RESEARCH_REQUEST,
}
REFUSED = {
    Step.RESEARCH: "'{title}' is already decided; record its outcome instead.",
    Step.DECIDE: "'{title}' is already decided.",
    Step.OUTCOME: "Decide '{title}' (do it or don't) before recording its outcome.",
}
PUT_OFF_HAS_NO_OUTCOME = (
    "'{title}' was put off until later, so nothing came of it yet: decide do it or don't "
    "before recording its outcome."
)


def state_of(decision: str | None, researched: bool, outcome: str) -> RequestState:
    if decision is None:
        return RequestState.AWAITING_DECISION if researched else RequestState.AWAITING_RESEARCH
    if decision == "later":
        return RequestState.PUT_OFF
    return RequestState.OUTCOME_RECORDED if outcome else RequestState.DECIDED


@dataclass(frozen=True)
class RequestView:
    id: int
    title: str
    description: str
    asked_by_role: str
    asked_by: str | None
    asked_on: dt.date
    research: str
    expected_result: str
    cost: Decimal | None
    recommendation: str
    decision: str | None
    decision_reason: str
    decided_on: dt.date | None
    outcome: str
    outcome_recorded_on: dt.date | None

    allowed: tuple[Step, ...] = ()
    """What the person who asked for this view may do next with the request."""

    @property
    def researched(self) -> bool:
        return bool(self.research.strip() and self.expected_result.strip())

    @property
    def state(self) -> RequestState:
        return state_of(self.decision, self.researched, self.outcome)

    @property
    def status(self) -> str:
        if self.decision is None:
            return "Awaiting a decision" if self.researched else "Awaiting research"
        if self.decision == "later":
            return "Put off until later"
        if self.outcome:
            return "Outcome recorded"
        return f"Decided: {DECISIONS[self.decision]}"


@dataclass(frozen=True)
class RequestStats:
    direction_changes: dict[str, int]
    """Per quarter, how many requests were decided "do it": how often direction changed."""
    decided_without_research: list[str]
    """Requests decided do it or don't while research or the expected result was missing
    (a request put off until later is not decided)."""
    open_requests: int
    """Requests with no decision yet (a request put off until later has one: later)."""
    put_off: int = 0
    """Requests put off until later: back on the review's agenda, neither awaiting a first
    decision nor decided."""


def _text(value: str, what: str, limit: int = 5000) -> str:
    clean = (value or "").strip()
    if len(clean) > limit:
        raise ValidationFailed(f"Keep the {what} under {limit:,} characters.")
    return clean


def raise_request(session: Session, actor: Actor, title: str, description: str = "") -> int:
    """Anyone on the leadership team records what they asked of marketing."""
    with writing(session, actor, Action.RAISE_REQUEST) as w:
        clean = _text(title, "title", MAX_TITLE)
        if not clean:
            raise ValidationFailed("Give the request a title: what is marketing asked to do?")
        request = Request(
            title=clean,
            description=_text(description, "description"),
            asked_by_role=str(actor.role),
            asked_by_id=actor.user_id,
            asked_on=clock.today(),
        )
        session.add(request)
        session.flush()
        w.record(
            "raise",
            "request",
            request.id,
            None,
            {"title": clean, "asked_by_role": str(actor.role)},
        )
        return request.id


def _get(w: Write, request_id: int) -> Request:
    return w.existing(Request, request_id, "That request no longer exists.")


def _state(request: Request) -> RequestState:
    researched = bool(request.research.strip() and request.expected_result.strip())
    return state_of(request.decision, researched, request.outcome)


def _check_step(request: Request, step: Step) -> None:
    state = _state(request)
    if step not in STEPS[state]:
        refused = PUT_OFF_HAS_NO_OUTCOME if state == RequestState.PUT_OFF else REFUSED[step]
        raise ValidationFailed(refused.format(title=request.title))


def _allowed(actor: Actor, request: Request) -> tuple[Step, ...]:
    return tuple(step for step in STEPS[_state(request)] if can(actor, STEP_ACTIONS[step]))


def _cost(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValidationFailed(f"The cost '{value}' is not an amount.") from None
    if amount.is_finite() and amount < 0:
        raise ValidationFailed(f"The cost '{value}' cannot be negative.")
    if not amount.is_finite() or amount > Decimal(str(MAX_AMOUNT)):
        raise ValidationFailed(f"The cost '{value}' is not an amount SamePage can store.")
    return to_cents(amount)


def add_research(
    session: Session,
    actor: Actor,
    request_id: int,
    research: str,
    expected_result: str,
    cost: Any,
    recommendation: str,
) -> None:
    """The CMO's homework before a decision: research, expected result, cost, recommendation."""
    with writing(session, actor, Action.RESEARCH_REQUEST) as w:
        request = _get(w, request_id)
        _check_step(request, Step.RESEARCH)
        old = {"research": request.research, "expected_result": request.expected_result}
        request.research = _text(research, "research")
        request.expected_result = _text(expected_result, "expected result")
        request.cost = _cost(cost)
        request.recommendation = _text(recommendation, "recommendation")
        w.record(
            "research",
            "request",
            request.id,
            old,
            {
                "research": request.research,
                "expected_result": request.expected_result,
                "cost": from_cents(request.cost),
                "recommendation": request.recommendation,
            },
        )


def decide(session: Session, actor: Actor, request_id: int, decision: str, reason: str) -> None:
    """The CEO's decision, usually taken in the monthly review, always with its reason."""
    with writing(session, actor, Action.DECIDE_REQUEST) as w:
        if decision not in DECISIONS:
            raise ValidationFailed("Decide do it, don't or later.")
        clean = _text(reason, "reason")
        if not clean:
            raise ValidationFailed(
                "Give the reason for the decision; it is what the team will remember."
            )
        request = _get(w, request_id)
        _check_step(request, Step.DECIDE)
        old = {"decision": request.decision}
        request.decision, request.decision_reason, request.decided_on = (
            decision,
            clean,
            clock.today(),
        )
        w.record(
            "decide",
            "request",
            request.id,
            old,
            {"decision": decision, "reason": clean},
        )


def record_outcome(session: Session, actor: Actor, request_id: int, outcome: str) -> None:
    """What actually came of a decided request, against what was expected."""
    with writing(session, actor, Action.RESEARCH_REQUEST) as w:
        request = _get(w, request_id)
        _check_step(request, Step.OUTCOME)
        clean = _text(outcome, "outcome")
        if not clean:
            raise ValidationFailed("Describe the outcome.")
        w.record(
            "outcome",
            "request",
            request.id,
            {"outcome": request.outcome},
            {"outcome": clean},
        )
        request.outcome, request.outcome_recorded_on = clean, clock.today()


def requests(session: Session, actor: Actor) -> list[RequestView]:
    """Every request, open ones first, newest first."""
    require(actor, Action.VIEW)
    names = dict(session.execute(select(User.id, User.name)).all())
    views = [
        view_of(
            RequestView,
            r,
            asked_by=names.get(r.asked_by_id or -1),
            cost=from_cents(r.cost),
            allowed=_allowed(actor, r),
        )
        for r in session.scalars(select(Request))
    ]
    return sorted(views, key=lambda v: (v.decision is not None, -v.asked_on.toordinal(), -v.id))


def stats(views: list[RequestView]) -> RequestStats:
    changes = Counter(
        quarter_of(month_of(v.decided_on)) for v in views if v.decision == "do" and v.decided_on
    )
    return RequestStats(
        direction_changes=dict(sorted(changes.items())),
        decided_without_research=[
            v.title for v in views if v.decision in ("do", "dont") and not v.researched
        ],
        open_requests=sum(1 for v in views if v.decision is None),
        put_off=sum(1 for v in views if v.decision == "later"),
    )


def awaiting_decision(session: Session, actor: Actor) -> list[RequestView]:
    """Requests with no decision yet, or put off until later: the review's agenda."""
    return [v for v in requests(session, actor) if v.decision in (None, "later")]
