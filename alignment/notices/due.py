"""What is due today: the drafts of every notice the rules switch on and schedule for today.

Each draft has a key naming what it is about, so the outbox sends it once however often
``notify`` runs: a reminder per review month and person, a digest per closed review and
person, an alert per definition, month and status (amber, then red, are two alerts), an
action item per due date and state (due soon, overdue), a stale store per last update.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import Role
from alignment.access.permissions import require
from alignment.company.settings import ensure_company
from alignment.definitions.success import in_force
from alignment.definitions.success import live_status
from alignment.definitions.success_workflow import waiting_work
from alignment.meeting.review import recorded_items
from alignment.notices import rules as r
from alignment.notices import schedule as sch
from alignment.notices.chat import shown_address
from alignment.notices.outbox import Draft
from alignment.shared import formatting as fmt
from alignment.shared import status as status_words
from alignment.shared.periods import current_month
from alignment.shared.periods import month_label
from alignment.shared.periods import month_period
from db import queries
from db.models import ActionItem
from db.models import BudgetLine
from db.models import ChecklistAnswer
from db.models import ChecklistItem
from db.models import MonthlyReview
from db.models import User

DUE_SOON_DAYS = 3
STALE_DAYS = 35
RECENTLY_CLOSED_DAYS = 7
"""A review closed longer ago than this gets no digest (a first run on an old store would
otherwise mail every past pack)."""
LEADERSHIP = (Role.CEO, Role.CFO, Role.CMO)
CHAT_KINDS = (r.BEFORE_REVIEW, r.AFTER_REVIEW, r.DEFINITION_STATUS)


@dataclass
class DueNotices:
    drafts: list[Draft] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Notices nobody can receive, in words (no account holds the role)."""
    left_out: list[str] = field(default_factory=list)
    """Parts of a notice SamePage cannot compute on this install, in words."""


@dataclass(frozen=True)
class _Person:
    id: int
    name: str
    email: str
    role: str


def _people(session: Session) -> dict[str, list[_Person]]:
    found: dict[str, list[_Person]] = {}
    for user in session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)):
        found.setdefault(user.role, []).append(_Person(user.id, user.name, user.email, user.role))
    return found


def _email_draft(person: _Person, key: str, kind: str, subject: str, body: str, reason: str,
                 attachment: str | None = None) -> Draft:  # fmt: skip
    address = (person.email or "").strip()
    problem = "" if "@" in address else f"{person.name} has no e-mail address in SamePage."
    return Draft(
        key=f"{key}:user:{person.id}",
        kind=kind,
        channel="email",
        recipient_id=person.id,
        address=address,
        subject=subject,
        body=f"Hello {person.name},\n\n{body}\n\n-- SamePage",
        reason=reason,
        attachment=attachment,
        problem=problem,
    )


class _Collector:
    def __init__(self, session: Session, today: dt.date) -> None:
        self.session = session
        self.today = today
        self.people = _people(session)
        company = ensure_company(session)
        self.chats = {"slack": company.slack_webhook_url, "teams": company.teams_webhook_url}
        self.due = DueNotices()

    def to_roles(self, roles: Iterable[str], key: str, kind: str, subject: str, body: str,
                 reason: str, attachment: str | None = None) -> None:  # fmt: skip
        seen: set[int] = set()
        for role in roles:
            holders = self.people.get(str(role), [])
            if not holders:
                self.due.skipped.append(f"{subject}: no active {role} account to send it to.")
            for person in holders:
                if person.id in seen:
                    continue
                seen.add(person.id)
                self.due.drafts.append(
                    _email_draft(person, key, kind, subject, body, reason, attachment)
                )

    def to_person(self, person: _Person, key: str, kind: str, subject: str, body: str,
                  reason: str) -> None:  # fmt: skip
        self.due.drafts.append(_email_draft(person, key, kind, subject, body, reason))

    def to_chat(self, key: str, kind: str, subject: str, body: str, reason: str) -> None:
        for channel, url in self.chats.items():
            if url:
                self.due.drafts.append(
                    Draft(
                        f"{key}:{channel}",
                        kind,
                        channel,
                        None,
                        shown_address(url),
                        subject,
                        body,
                        reason,
                    )
                )


def due_notices(session: Session, actor: Actor, today: dt.date) -> DueNotices:
    """Every notice due on ``today`` under the CEO's rules, as drafts (nothing is written)."""
    require(actor, Action.SEND_NOTICES)
    collect = _Collector(session, today)
    by_kind = {rule.kind: rule for rule in r.rules(session, actor)}
    review = sch.parse_review(by_kind[r.REVIEW].schedule)

    def on(kind: str) -> sch.Schedule | None:
        rule = by_kind[kind]
        return sch.parse(rule.schedule) if rule.enabled else None

    before = on(r.BEFORE_REVIEW)
    if before is not None:
        window = sch.reminder_window(before, review, today)
        if window is not None:
            _before_review(collect, actor, window[1])
    for kind, gather in (
        (r.AFTER_REVIEW, _after_review),
        (r.DEFINITION_STATUS, _definition_status),
        (r.ACTION_DUE, _actions_due),
        (r.STALE_MONTH, _stale_month),
    ):
        schedule = on(kind)
        if schedule is not None and sch.occurs_on(schedule, today, review):
            gather(collect, actor)
    return collect.due


def _words(status: str) -> str:
    """'off target (red)': the status vocabulary's words, and the colour people say."""
    return f"{status_words.label(status).lower()} ({status})"


def _explanations() -> Any | None:
    """The explanations for amber and red items (issue 19, item 5), where installed."""
    try:
        return importlib.import_module("alignment.meeting.explanations")
    except ModuleNotFoundError:
        return None


def _before_review(collect: _Collector, actor: Actor, review_day: dt.date) -> None:
    session = collect.session
    month = sch.reviewed_month(review_day)
    label = month_label(month)
    missing: dict[str, list[str]] = {str(role): [] for role in LEADERSHIP}
    if month not in queries.budget_months(session):
        missing[Role.CMO].append(f"No budget figures are entered for {label}.")
    if month not in queries.reconciled_months(session):
        missing[Role.CFO].append(f"{label} is not reconciled with finance.")
    items = session.scalar(
        select(func.count()).select_from(ChecklistItem).where(ChecklistItem.active.is_(True))
    )
    answered = dict(
        session.execute(
            select(ChecklistAnswer.role, func.count())
            .join(ChecklistItem, ChecklistItem.id == ChecklistAnswer.item_id)
            .where(ChecklistAnswer.month == month, ChecklistItem.active.is_(True))
            .group_by(ChecklistAnswer.role)
        ).all()
    )
    for role in LEADERSHIP:
        done = answered.get(str(role), 0)
        if items and done < items:
            missing[role].append(
                f"The alignment checklist for {label}: {done} of {items} statements answered."
            )
    for role in LEADERSHIP:
        for person in collect.people.get(str(role), []):
            as_person = Actor(person.id, person.name, role)
            waiting = [f"Definitions of success: {w}." for w in waiting_work(session, as_person)]
            missing[role].extend(w for w in waiting if w not in missing[role])
    explanations = _explanations()
    if explanations is None:
        collect.due.left_out.append(
            "Red items without an explanation are not listed: this SamePage has no "
            "explanations yet."
        )
    else:
        for item in explanations.items_to_explain(session, actor, month):
            if not item.settled:
                missing.setdefault(item.owner_role, []).append(
                    f"'{item.title}' is {_words(item.status)} in {label} "
                    "and has no explanation yet."
                )
    when = fmt.date(review_day)
    everything = []
    for role in LEADERSHIP:
        lines = missing[role]
        if not lines:
            continue
        everything += [f"{role}: {line}" for line in lines]
        subject = f"Before the review of {label} on {when}: {len(lines)} thing(s) missing"
        body = f"The review of {label} is on {when}. Still missing:\n" + "\n".join(
            f"- {line}" for line in lines
        )
        for person in collect.people.get(str(role), []):
            collect.to_person(
                person,
                f"{r.BEFORE_REVIEW}:{month}",
                r.BEFORE_REVIEW,
                subject,
                body,
                f"The review of {label} is on {when} and something of yours is missing.",
            )
        if not collect.people.get(str(role)):
            collect.due.skipped.append(f"{subject}: no active {role} account to send it to.")
    if everything:
        collect.to_chat(
            f"{r.BEFORE_REVIEW}:{month}",
            r.BEFORE_REVIEW,
            f"Before the review of {label} on {when}: {len(everything)} thing(s) missing",
            "\n".join(f"- {line}" for line in everything),
            f"The review of {label} is on {when}.",
        )


def _after_review(collect: _Collector, actor: Actor) -> None:
    session = collect.session
    since = dt.datetime.combine(
        collect.today - dt.timedelta(days=RECENTLY_CLOSED_DAYS), dt.time.min
    )
    for row in session.scalars(
        select(MonthlyReview)
        .where(MonthlyReview.status == "closed", MonthlyReview.closed_at >= since)
        .order_by(MonthlyReview.month)
    ):
        label = month_label(row.month)
        items = recorded_items(session, row.month)
        decisions = [i for i in items if i.kind == "decision"]
        actions = [i for i in items if i.kind == "action"]
        lines = [f"The review of {label} is closed."]
        lines.append("Decisions:" if decisions else "No decisions were recorded.")
        lines += [f"- {d.text}" for d in decisions]
        lines.append("Action items:" if actions else "No action items were recorded.")
        lines += [
            f"- {a.text} (owner {a.owner_role or 'n/a'}, due {fmt.date(a.due_date)})"
            for a in actions
        ]
        body = "\n".join(lines)
        closed = row.closed_at.date() if row.closed_at else collect.today
        subject = f"The review of {label}: decisions and action items"
        key = f"{r.AFTER_REVIEW}:{row.month}:{closed.isoformat()}"
        collect.to_roles(
            LEADERSHIP,
            key,
            r.AFTER_REVIEW,
            subject,
            body + "\n\nThe meeting pack (PDF) is attached.",
            f"The review of {label} was closed on {fmt.date(closed)}.",
            attachment=f"pack:{row.month}",
        )
        collect.to_chat(key, r.AFTER_REVIEW, subject, body, f"The review of {label} was closed.")


def _definition_status(collect: _Collector, actor: Actor) -> None:
    session = collect.session
    current = current_month(collect.today)
    months = [m for m in queries.budget_months(session) if m <= current]
    if not months:
        return
    month = months[-1]
    label = month_label(month)
    owners = {v.definition_id: v.owner_role for v in in_force(session)}
    for status in live_status(session, actor, month_period(month)):
        if status.status not in ("amber", "red"):
            continue
        word = _words(status.status)
        subject = f"{status.title}: {word} in {label}"
        body = (
            f"The definition of success '{status.title}' is {word} in {label} on the "
            f"latest figures: {status.metric_label} {status.actual_text} against "
            f"{status.target_text}."
        )
        key = f"{r.DEFINITION_STATUS}:{status.definition_id}:{month}:{status.status}"
        reason = f"'{status.title}' turned {word} on the figures for {label}."
        owner = owners.get(status.definition_id, str(Role.CFO))
        collect.to_roles([owner, str(Role.CFO)], key, r.DEFINITION_STATUS, subject, body, reason)
        collect.to_chat(key, r.DEFINITION_STATUS, subject, body, reason)


def _actions_due(collect: _Collector, actor: Actor) -> None:
    session = collect.session
    horizon = collect.today + dt.timedelta(days=DUE_SOON_DAYS)
    for item in session.scalars(
        select(ActionItem)
        .where(
            ActionItem.status == "open",
            ActionItem.kind == "action",
            ActionItem.due_date.is_not(None),
            ActionItem.due_date <= horizon,
        )
        .order_by(ActionItem.due_date, ActionItem.id)
    ):
        assert item.due_date is not None
        overdue = item.due_date < collect.today
        state = "overdue" if overdue else "due"
        when = fmt.date(item.due_date)
        subject = f"Action item {'overdue since' if overdue else 'due on'} {when}: {item.text}"[
            :300
        ]
        body = (
            f"The action item '{item.text}' was due on {when} and is still open."
            if overdue
            else f"The action item '{item.text}' is due on {when}."
        ) + " Mark it done or dropped on the Monthly review page."
        collect.to_roles(
            [item.owner_role or str(Role.CEO)],
            f"{r.ACTION_DUE}:{item.id}:{item.due_date.isoformat()}:{state}",
            r.ACTION_DUE,
            subject,
            body,
            f"An action item you own is {state} ({when}).",
        )


def _stale_month(collect: _Collector, actor: Actor) -> None:
    last = collect.session.scalar(select(func.max(BudgetLine.entered_at)))
    if last is None:
        return
    days = (collect.today - last.date()).days
    if days < STALE_DAYS:
        return
    when = fmt.date(last.date())
    collect.to_roles(
        [str(Role.CMO)],
        f"{r.STALE_MONTH}:{last.date().isoformat()}",
        r.STALE_MONTH,
        f"No budget figures updated for {days} days",
        f"The last budget figure was entered on {when}, {days} days ago. The review needs "
        "this month's figures: enter or import them on the Budget & return page.",
        f"Nothing was entered since {when}.",
    )
