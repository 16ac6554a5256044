"""Which notices are sent and when (the CEO's rules), and the company's chat webhooks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import require
from alignment.company.settings import ensure_company
from alignment.notices import schedule as sch
from alignment.notices.chat import check_webhook_url
from alignment.records.unit_of_work import writing
from alignment.shared.errors import ValidationFailed
from db.models import NoticeRule

REVIEW = "review"
BEFORE_REVIEW = "before_review"
AFTER_REVIEW = "after_review"
DEFINITION_STATUS = "definition_status"
ACTION_DUE = "action_due"
STALE_MONTH = "stale_month"


@dataclass(frozen=True)
class Kind:
    kind: str
    label: str
    default: str
    to: str


KINDS = (
    Kind(REVIEW, "The monthly review is held on", "2nd Tuesday", "(the day the others count from)"),
    Kind(
        BEFORE_REVIEW,
        "Before the review: what is still missing for the month",
        "3 days before the review",
        "each executive with something missing; the chat",
    ),
    Kind(
        AFTER_REVIEW,
        "After the review is closed: decisions, action items and the PDF pack",
        "every day",
        "the CEO, CFO and CMO; the chat",
    ),
    Kind(
        DEFINITION_STATUS,
        "A definition of success turns amber or red",
        "every day",
        "its owner and the CFO; the chat",
    ),
    Kind(ACTION_DUE, "An action item due in 3 days or overdue", "every day", "its owner"),
    Kind(STALE_MONTH, "No budget figure updated for 35 days", "every Monday", "the CMO"),
)
BY_KIND = {k.kind: k for k in KINDS}


@dataclass(frozen=True)
class RuleView:
    kind: str
    label: str
    to: str
    enabled: bool
    schedule: str
    updated_at: dt.datetime | None


@dataclass(frozen=True)
class Webhooks:
    slack: str
    teams: str


def rules(session: Session, actor: Actor) -> list[RuleView]:
    """Every kind of notice, as the CEO set it or as SamePage starts."""
    require(actor, Action.VIEW)
    stored = {r.kind: r for r in session.scalars(select(NoticeRule))}
    views = []
    for kind in KINDS:
        row = stored.get(kind.kind)
        views.append(
            RuleView(
                kind.kind,
                kind.label,
                kind.to,
                True if row is None else row.enabled,
                kind.default if row is None or not row.schedule else row.schedule,
                None if row is None else row.updated_at,
            )
        )
    return views


def check_schedule(kind: str, text: str) -> str:
    """The schedule as SamePage writes it back, or a sentence naming the notice."""
    label = BY_KIND[kind].label
    try:
        parsed = sch.parse_review(text) if kind == REVIEW else sch.parse(text)
    except ValidationFailed as exc:
        raise ValidationFailed(f"{label}: {exc} Nothing was changed.") from None
    return parsed.text


def set_rules(session: Session, actor: Actor, wanted: Mapping[str, tuple[bool, str]]) -> int:
    """Switch kinds of notice on or off and set when each goes (``kind`` -> (on, schedule)),
    all or nothing: one schedule SamePage cannot read changes none. How many changed."""
    with writing(session, actor, Action.SET_NOTICES) as w:
        unknown = [kind for kind in wanted if kind not in BY_KIND]
        if unknown:
            raise ValidationFailed(f"There is no kind of notice '{unknown[0]}'.")
        checked = {
            kind: (bool(on), check_schedule(kind, text)) for kind, (on, text) in wanted.items()
        }
        changed = 0
        for kind, (enabled, text) in checked.items():
            row = session.get(NoticeRule, kind)
            old = (
                {"enabled": True, "schedule": BY_KIND[kind].default}
                if row is None
                else {"enabled": row.enabled, "schedule": row.schedule}
            )
            new = {"enabled": enabled, "schedule": text}
            if old != new:
                if row is None:
                    row = NoticeRule(kind=kind)
                    session.add(row)
                row.enabled, row.schedule, row.updated_by_id = enabled, text, actor.user_id
                w.record("set", "notice_rule", kind, old, new)
                changed += 1
        return changed


def webhooks(session: Session, actor: Actor) -> Webhooks:
    """The chat addresses, for the CEO who sets them (they are the chat's password)."""
    require(actor, Action.SET_NOTICES)
    company = ensure_company(session)
    return Webhooks(company.slack_webhook_url, company.teams_webhook_url)


def current_webhook(session: Session, channel: str) -> str:
    """Where a chat notice goes when it is sent, not when it was queued: a replaced (say,
    leaked) or switched-off webhook takes effect for the notices still waiting too. The
    outbox keeps only the address's host."""
    company = ensure_company(session)
    return company.slack_webhook_url if channel == "slack" else company.teams_webhook_url


def set_webhooks(session: Session, actor: Actor, slack: str, teams: str) -> None:
    """Set (or, empty, switch off) the company's Slack and Teams incoming webhooks."""
    with writing(session, actor, Action.SET_NOTICES) as w:
        slack_url = check_webhook_url(slack, "slack")
        teams_url = check_webhook_url(teams, "teams")
        company = ensure_company(session)
        for name, value in (("slack_webhook_url", slack_url), ("teams_webhook_url", teams_url)):
            old = getattr(company, name)
            if old != value:
                setattr(company, name, value)
                # The address is the chat's password: the trail says it changed, not what to.
                w.record(
                    name,
                    "company_settings",
                    company.id,
                    {name: "set" if old else ""},
                    {name: "set" if value else ""},
                )
