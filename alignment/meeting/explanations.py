"""Explanations for what went amber or red: each definition of success or KPI that is amber
or red in the review's month asks its owner why, and what happens next. The review shows the
answer beside the figure, the pack prints it, and the CEO cannot close the month while a red
item has neither an explanation nor a record that the meeting discussed it without one.

Who owns what: a definition's owner is the role its version in force names; a KPI has no
owner of its own, and the CMO, who enters every KPI's figures, owns them all.

What a person typed is kept as typed (Markdown, a leading '=' and all): the page shows it
as text and the spreadsheet pack never runs it as a formula.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import Role
from alignment.access.permissions import require
from alignment.definitions.success import DefinitionStatus
from alignment.definitions.success import in_force
from alignment.definitions.success import live_status
from alignment.objectives import kpis
from alignment.objectives.kpis import KpiPeriodValue
from alignment.records.unit_of_work import writing
from alignment.shared import clock
from alignment.shared.errors import PermissionDenied
from alignment.shared.errors import ValidationFailed
from alignment.shared.periods import current_month
from alignment.shared.periods import month_label
from alignment.shared.periods import month_period
from alignment.shared.periods import parse_month
from alignment.shared.text import CONTROL_CHARACTERS
from alignment.shared.text import MAX_DESCRIPTION
from db.models import Explanation
from db.models import MonthlyReview
from db.models import User

DEFINITION = "definition"
KPI = "kpi"
KPI_OWNER = Role.CMO
"""Every KPI's owner: the CMO enters their figures (decisions: Explanations and confidence)."""
TO_EXPLAIN = ("amber", "red")
BLOCKS_CLOSING = "red"
DISCUSSED_WITHOUT = "Discussed in the review without an explanation"


@dataclass(frozen=True)
class ItemToExplain:
    """An amber or red definition or KPI of the month, with its explanation if any."""

    subject: str
    """``definition:<id>`` or ``kpi:<id>``, as the explanations table keys it."""
    kind: str
    title: str
    owner_role: str
    status: str
    """amber or red, now."""
    explanation: str = ""
    next_step: str = ""
    discussed_without: bool = False
    written_by: str | None = None
    written_at: str | None = None
    """ISO time, so the item can be frozen in a review's snapshot as it is."""
    explained_status: str | None = None
    """The status when it was explained (it may have moved since)."""

    @property
    def explained(self) -> bool:
        """Explained for how it stands now: an explanation written while the item was amber
        does not cover it once it is red (it got worse; its owner is asked again)."""
        if not self.explanation:
            return False
        return self.explained_status in (None, self.status, "red")

    @property
    def settled(self) -> bool:
        """Explained, or discussed in the review without an explanation."""
        return self.explained or self.discussed_without

    @property
    def blocks_closing(self) -> bool:
        return self.status == BLOCKS_CLOSING and not self.settled

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def of(cls, frozen: dict[str, Any]) -> ItemToExplain:
        """An item as a review's sections hold it."""
        known: dict[str, Any] = {k: v for k, v in frozen.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def subject_of(kind: str, item_id: int) -> str:
    return f"{kind}:{item_id}"


def items_to_explain(session: Session, actor: Actor, month: str) -> list[ItemToExplain]:
    """Each definition of success and KPI that is amber or red in ``month``, definitions
    first, with its owner and its explanation, or that it was discussed without one."""
    require(actor, Action.VIEW)
    month = parse_month(month)
    period = month_period(month)
    return listed(
        session,
        month,
        live_status(session, actor, period),
        kpis.period_values(session, actor, period).values(),
    )


def listed(
    session: Session,
    month: str,
    definitions: Iterable[DefinitionStatus],
    kpi_values: Iterable[KpiPeriodValue],
) -> list[ItemToExplain]:
    """``items_to_explain`` from statuses already read (the review reads them anyway)."""
    owners = {v.definition_id: v.owner_role for v in in_force(session)}
    found = [
        (subject_of(DEFINITION, d.definition_id), DEFINITION, d.title, owners[d.definition_id], s)
        for d in definitions
        if (s := d.status) in TO_EXPLAIN and d.definition_id in owners
    ]
    found += [
        (subject_of(KPI, v.kpi.id), KPI, v.kpi.name, str(KPI_OWNER), s)
        for v in sorted(kpi_values, key=lambda v: v.kpi.name)
        if (s := v.status) in TO_EXPLAIN
    ]
    written = _written(session, month, [f[0] for f in found])
    names = dict(session.execute(select(User.id, User.name)).all()) if written else {}
    items = []
    for subject, kind, title, owner, status in found:
        row = written.get(subject)
        items.append(
            ItemToExplain(subject, kind, title, owner, status)
            if row is None
            else ItemToExplain(
                subject,
                kind,
                title,
                owner,
                status,
                row.explanation,
                row.next_step,
                row.discussed_without,
                names.get(row.written_by_id or -1),
                row.written_at.isoformat(timespec="seconds") if row.written_at else None,
                row.status,
            )
        )
    return items


def _written(session: Session, month: str, subjects: list[str]) -> dict[str, Explanation]:
    if not subjects:
        return {}
    rows = session.scalars(
        select(Explanation).where(Explanation.month == month, Explanation.subject.in_(subjects))
    )
    return {row.subject: row for row in rows}


def closing_refusal(month: str, items: Iterable[ItemToExplain]) -> str | None:
    """Why the month cannot be closed yet, or None: a red item neither explained nor
    discussed without an explanation."""
    waiting = [i for i in items if i.blocks_closing]
    if not waiting:
        return None
    names = "; ".join(f"'{i.title}' (owner: {i.owner_role})" for i in waiting)
    return (
        f"{month_label(month)} cannot be closed yet: {len(waiting)} red item(s) have neither "
        f"an explanation nor a record that the review discussed them without one: {names}. "
        "Ask the owner to explain, or record that it was discussed without one."
    )


def _item(session: Session, actor: Actor, month: str, subject: str) -> ItemToExplain:
    """The amber or red item ``subject`` of an open, started month, or a sentence."""
    month = parse_month(month)
    if month > current_month():
        raise ValidationFailed(
            f"Nothing was saved: {month_label(month)} has not started, so nothing in it is "
            "amber or red yet."
        )
    closed = session.scalar(
        select(MonthlyReview.id).where(
            MonthlyReview.month == month, MonthlyReview.status == "closed"
        )
    )
    if closed is not None:
        raise ValidationFailed(
            f"Nothing was saved: the review of {month_label(month)} is closed; reopen it to "
            "change its explanations."
        )
    item = next((i for i in items_to_explain(session, actor, month) if i.subject == subject), None)
    if item is None:
        raise ValidationFailed(
            f"Nothing was saved: that definition or KPI is not amber or red in "
            f"{month_label(month)} (or no longer exists), so there is nothing to explain."
        )
    return item


def _text(value: str | None, label: str, problems: list[str]) -> str:
    text = (value or "").strip()
    if not text:
        problems.append(f"write the {label}")
    elif len(text) > MAX_DESCRIPTION:
        problems.append(f"the {label} is longer than {MAX_DESCRIPTION} characters ({len(text)})")
    elif CONTROL_CHARACTERS.search(text):
        problems.append(f"the {label} contains control characters")
    return text


def _row(session: Session, month: str, item: ItemToExplain) -> Explanation:
    row = session.scalar(
        select(Explanation).where(Explanation.month == month, Explanation.subject == item.subject)
    )
    if row is None:
        row = Explanation(
            month=month,
            subject=item.subject,
            status=item.status,
            explanation="",
            next_step="",
            discussed_without=False,
        )
        session.add(row)
    return row


def explain(
    session: Session,
    actor: Actor,
    month: str,
    subject: str,
    explanation: str,
    next_step: str,
) -> None:
    """The owner says why the item is amber or red and what happens next; writing again
    replaces it (the audit trail keeps both)."""
    with writing(session, actor, Action.EXPLAIN_STATUS) as w:
        month = parse_month(month)
        item = _item(session, actor, month, subject)
        if str(actor.role) != item.owner_role:
            raise PermissionDenied(
                f"{actor.label} cannot explain '{item.title}': its owner, the "
                f"{item.owner_role}, explains it."
            )
        problems: list[str] = []
        why = _text(explanation, "explanation", problems)
        step = _text(next_step, "next step", problems)
        if problems:
            raise ValidationFailed("Nothing was saved: " + "; ".join(problems) + ".")
        row = _row(session, month, item)
        old = (
            None
            if row.id is None
            else {"explanation": row.explanation, "next_step": row.next_step, "status": row.status}
        )
        row.explanation, row.next_step, row.status = why, step, item.status
        row.written_by_id, row.written_at = actor.user_id, _now()
        session.flush()
        w.record(
            "explain",
            "explanation",
            row.id,
            old,
            {
                "month": month,
                "subject": item.subject,
                "title": item.title,
                "status": item.status,
                "explanation": why,
                "next_step": step,
            },
        )


def discuss_without(session: Session, actor: Actor, month: str, subject: str) -> None:
    """The CEO records that the review discussed a red item whose owner gave no explanation,
    so the month can be closed; audited."""
    with writing(session, actor, Action.DISCUSS_WITHOUT_EXPLANATION) as w:
        month = parse_month(month)
        item = _item(session, actor, month, subject)
        if item.explained:
            raise ValidationFailed(
                f"Nothing was recorded: '{item.title}' already has its owner's explanation."
            )
        if item.discussed_without:
            raise ValidationFailed(
                f"Nothing was recorded: '{item.title}' is already recorded as discussed "
                "without an explanation."
            )
        row = _row(session, month, item)
        row.discussed_without = True
        if row.id is None:
            row.written_by_id, row.written_at = actor.user_id, _now()
        session.flush()
        w.record(
            "discuss_without_explanation",
            "explanation",
            row.id,
            {"discussed_without": False},
            {
                "month": month,
                "subject": item.subject,
                "title": item.title,
                "status": item.status,
                "discussed_without": True,
            },
        )


def _now() -> dt.datetime:
    return clock.utc_second()
