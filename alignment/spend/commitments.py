"""Committed spend: purchase orders the CMO has placed, money promised before it is spent.

A commitment covers one or more months and is spread evenly over them (the odd cents go to
the first months). What finance's invoices matched to it is no longer open; the rest is,
and it counts against the plan: per month and channel, available = plan - actual - open
commitments. A commitment that would take a month below zero available is flagged before
it is saved, and saved only with a reason, which the audit trail keeps."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import require
from alignment.company.settings import company_profile
from alignment.files.cells import name_problem
from alignment.files.cells import parse_months
from alignment.files.cells import typed_figure
from alignment.records.data_version import ReadCache
from alignment.records.unit_of_work import writing
from alignment.shared import clock
from alignment.shared import formatting as fmt
from alignment.shared.errors import ValidationFailed
from alignment.shared.money import from_cents
from alignment.shared.periods import Period
from alignment.shared.periods import month_label
from alignment.shared.periods import months_between
from db.models import BudgetLine
from db.models import Channel
from db.models import Commitment
from db.models import User


@dataclass(frozen=True)
class CommitmentInput:
    """A purchase order as the CMO types it (or a file holds it), before it is checked."""

    po_number: str
    vendor: str
    channel: str
    amount: object
    first_month: str
    last_month: str = ""
    campaign: str = ""


@dataclass(frozen=True)
class MonthOverPlan:
    month: str
    channel: str
    available: Decimal
    share: Decimal

    def words(self, currency: str) -> str:
        return (
            f"{month_label(self.month)}: {fmt.money(self.share, currency)} of it against "
            f"{fmt.money(self.available, currency)} still available for {self.channel}"
        )


class OverPlan(ValidationFailed):
    """The commitment would take months below what the plan leaves available."""

    def __init__(self, po_number: str, months: list[MonthOverPlan], currency: str) -> None:
        self.months = months
        shown = "; ".join(m.words(currency) for m in months[:3])
        more = f" (and {len(months) - 3} more months)" if len(months) > 3 else ""
        super().__init__(
            f"{po_number} is more than the plan leaves available: {shown}{more}. Give a reason "
            "to commit it all the same."
        )


@dataclass(frozen=True)
class CheckedCommitment:
    po_number: str
    vendor: str
    channel: str
    campaign: str
    amount: int
    first_month: str
    last_month: str

    @property
    def months(self) -> list[str]:
        return months_between(self.first_month, self.last_month)

    def spread(self) -> dict[str, int]:
        """Cents per month covered: evenly, the odd cents to the first months."""
        months = self.months
        share, odd = divmod(self.amount, len(months))
        return {m: share + (1 if i < odd else 0) for i, m in enumerate(months)}


def _text(value: str, label: str, required: bool) -> str:
    text = unicodedata.normalize("NFC", (value or "").strip())
    problem = name_problem(text, label, required=required)
    if problem:
        raise ValidationFailed(f"{problem[0].upper()}{problem[1:]}.")
    return text


def _month(value: str, label: str) -> str:
    months, reasons = parse_months(pd.Series([(value or "").strip()]))
    if pd.notna(reasons.iloc[0]):
        raise ValidationFailed(f"The {label} '{value}' {reasons.iloc[0]}.")
    return str(months.iloc[0])


def check(typed: CommitmentInput) -> CheckedCommitment:
    """A typed purchase order as the store keeps it, or the one sentence that says why not."""
    po_number = _text(typed.po_number, "purchase order number", True)
    vendor = _text(typed.vendor, "vendor", True)
    channel = _text(typed.channel, "channel", True)
    campaign = _text(typed.campaign, "campaign", False)
    amount, problem = typed_figure(typed.amount, "amount")
    if problem:
        raise ValidationFailed(f"{po_number}: {problem}.")
    if not amount:
        raise ValidationFailed(f"{po_number}: the amount is missing; a commitment is above zero.")
    first = _month(typed.first_month, "first month")
    last = _month(typed.last_month, "last month") if (typed.last_month or "").strip() else first
    if last < first:
        raise ValidationFailed(
            f"{po_number}: it ends ({month_label(last)}) before it starts ({month_label(first)})."
        )
    return CheckedCommitment(po_number, vendor, channel, campaign, amount, first, last)


PO_SEPARATORS = re.compile(r"[\s\-_/.#:]+")
PO_PREFIX = re.compile(
    r"^(?:p\.?\s?o\.?|purchase\s+order)(?:\s*(?:no\.?|nr\.?|number|#))?(?=[\s\-_/.#:]*\d)"
)


def po_key(number: str) -> str:
    """A purchase order number as it is compared: case, spaces, separators and a leading
    "PO" ignored, so the CMO's ``PO-4500017``, finance's ``po 4500017`` and the ERP's
    ``4500017`` are one number, in the store and in finance's references alike."""
    text = unicodedata.normalize("NFKC", number or "").casefold().strip()
    return PO_SEPARATORS.sub("", PO_PREFIX.sub("", text))


def available_cents(
    session: Session,
    months: list[str],
    channel_ids: set[int],
    *,
    leaving_out: Collection[int] = (),
) -> dict[tuple[str, int], int]:
    """Cents still available per (month, channel): plan - actual - open commitments, for
    the channels and months asked (commitments in ``leaving_out`` not counted: a file is
    about to replace them)."""
    if not months or not channel_ids:
        return {}
    left = {(m, c): 0 for m in months for c in channel_ids}
    for month, channel_id, remaining in session.execute(
        select(
            BudgetLine.month,
            BudgetLine.channel_id,
            func.coalesce(func.sum(BudgetLine.planned_budget), 0)
            - func.coalesce(func.sum(BudgetLine.actual_spend), 0),
        )
        .where(BudgetLine.channel_id.in_(channel_ids), BudgetLine.month.in_(months))
        .group_by(BudgetLine.month, BudgetLine.channel_id)
    ):
        left[(month, channel_id)] = int(remaining or 0)
    for commitment in session.scalars(
        select(Commitment).where(
            Commitment.channel_id.in_(channel_ids),
            Commitment.first_month <= max(months),
            Commitment.last_month >= min(months),
        )
    ):
        if commitment.id in leaving_out:
            continue
        for month, cents in _open_spread(commitment).items():
            if (month, commitment.channel_id) in left:
                left[(month, commitment.channel_id)] -= cents
    return left


def months_over_plan(
    checked: CheckedCommitment, channel_id: int | None, left: dict[tuple[str, int], int]
) -> list[MonthOverPlan]:
    """The months ``checked`` would take below zero available, given what is ``left``; a
    channel without a plan has nothing available."""
    found = []
    for month, share in checked.spread().items():
        available = 0 if channel_id is None else left.get((month, channel_id), 0)
        if share > available:
            found.append(
                MonthOverPlan(
                    month,
                    checked.channel,
                    from_cents(available) or Decimal(0),
                    from_cents(share) or Decimal(0),
                )
            )
    return found


def _open_spread(commitment: Commitment) -> dict[str, int]:
    """The open part of a commitment per month: its spread, less what was invoiced (taken
    from the first months, as invoices for work done come first)."""
    checked = CheckedCommitment(
        commitment.po_number,
        commitment.vendor,
        "",
        commitment.campaign,
        commitment.amount,
        commitment.first_month,
        commitment.last_month,
    )
    invoiced = commitment.invoiced
    spread = {}
    for month, cents in checked.spread().items():
        taken = min(cents, invoiced)
        invoiced -= taken
        spread[month] = cents - taken
    return spread


def over_plan(session: Session, actor: Actor, typed: CommitmentInput) -> list[MonthOverPlan]:
    """The months a commitment would take below zero available, before it is saved."""
    require(actor, Action.VIEW)
    checked = check(typed)
    channel_id = session.scalar(
        select(Channel.id).where(func.lower(Channel.name) == checked.channel.lower())
    )
    ids = set() if channel_id is None else {channel_id}
    return months_over_plan(checked, channel_id, available_cents(session, checked.months, ids))


def held_for(session: Session, number: str) -> Commitment | None:
    """The commitment already holding a PO number (as ``po_key`` compares them), if any."""
    return session.scalars(
        select(Commitment).where(Commitment.po_key == po_key(number)).order_by(Commitment.id)
    ).first()


def record_commitment(
    session: Session, actor: Actor, typed: CommitmentInput, reason: str = ""
) -> int:
    """Save a purchase order as committed spend. A PO number already held is refused (for
    another vendor, as a likely typing error; for the same vendor, as a duplicate); one
    above what the plan leaves available needs ``reason``."""
    with writing(session, actor, Action.COMMIT_SPEND) as w:
        checked = check(typed)
        existing = held_for(session, checked.po_number)
        if existing is not None:
            if existing.vendor.lower() != checked.vendor.lower():
                raise ValidationFailed(
                    f"{checked.po_number} is already the purchase order of {existing.vendor}; "
                    f"check the number before committing it for {checked.vendor}."
                )
            raise ValidationFailed(
                f"{checked.po_number} of {existing.vendor} is already committed."
            )
        months = over_plan(session, actor, typed)
        reason = (reason or "").strip()
        if months and not reason:
            raise OverPlan(checked.po_number, months, company_profile(session, actor).currency)
        channel = session.scalar(
            select(Channel).where(func.lower(Channel.name) == checked.channel.lower())
        )
        if channel is None:
            channel = Channel(name=checked.channel)
            session.add(channel)
            session.flush()
        commitment = Commitment(
            po_number=checked.po_number,
            po_key=po_key(checked.po_number),
            vendor=checked.vendor,
            channel_id=channel.id,
            campaign=checked.campaign,
            amount=checked.amount,
            invoiced=0,
            first_month=checked.first_month,
            last_month=checked.last_month,
            over_plan_reason=reason if months else None,
            entered_by_id=actor.user_id,
            entered_at=clock.utc_second(),
        )
        session.add(commitment)
        session.flush()
        w.record(
            "commit",
            "commitment",
            commitment.id,
            None,
            {
                "po_number": checked.po_number,
                "vendor": checked.vendor,
                "channel": channel.name,
                "campaign": checked.campaign,
                "amount": checked.amount,
                "months": f"{checked.first_month}..{checked.last_month}",
                "over_plan": [m.month for m in months],
                "reason": reason if months else None,
            },
        )
        return commitment.id


def commitments(session: Session, actor: Actor) -> pd.DataFrame:
    """Every commitment, newest first, money in the store's units."""
    require(actor, Action.VIEW)
    rows = session.execute(
        select(Commitment, Channel.name, User.name)
        .join(Channel, Commitment.channel_id == Channel.id)
        .outerjoin(User, Commitment.entered_by_id == User.id)
        .order_by(Commitment.entered_at.desc(), Commitment.id.desc())
    ).all()
    return pd.DataFrame(
        [
            {
                "po_number": c.po_number,
                "vendor": c.vendor,
                "channel": channel,
                "campaign": c.campaign,
                "months": f"{c.first_month}..{c.last_month}"
                if c.first_month != c.last_month
                else c.first_month,
                "amount": from_cents(c.amount),
                "invoiced": from_cents(c.invoiced),
                "open": from_cents(c.amount - c.invoiced),
                "over_plan_reason": c.over_plan_reason,
                "entered_by": person,
            }
            for c, channel, person in rows
        ],
        columns=[
            "po_number",
            "vendor",
            "channel",
            "campaign",
            "months",
            "amount",
            "invoiced",
            "open",
            "over_plan_reason",
            "entered_by",
        ],
    )


POSITIONS = ReadCache(max_entries=16)
"""Committed-spend positions per store, data version and period."""


def spend_position(session: Session, actor: Actor, period: Period) -> pd.DataFrame:
    """Per month and channel of ``period``: planned, committed (open), actual and available
    (plan - actual - open commitments), money in the store's units."""
    require(actor, Action.VIEW)
    return POSITIONS.kept(session, lambda: _spend_position(session, period), period)


def _spend_position(session: Session, period: Period) -> pd.DataFrame:
    months = period.months
    names = {row.id: row.name for row in session.execute(select(Channel.id, Channel.name))}
    cells: dict[tuple[str, int], dict[str, int]] = {}
    for month, channel_id, planned, actual in session.execute(
        select(
            BudgetLine.month,
            BudgetLine.channel_id,
            func.sum(BudgetLine.planned_budget),
            func.sum(BudgetLine.actual_spend),
        )
        .where(BudgetLine.month.in_(months))
        .group_by(BudgetLine.month, BudgetLine.channel_id)
    ):
        cells[(month, channel_id)] = {
            "planned": int(planned or 0),
            "actual": int(actual or 0),
            "committed": 0,
        }
    for commitment in session.scalars(
        select(Commitment).where(
            Commitment.first_month <= period.last, Commitment.last_month >= period.first
        )
    ):
        for month, cents in _open_spread(commitment).items():
            if month in months:
                cell = cells.setdefault(
                    (month, commitment.channel_id), {"planned": 0, "actual": 0, "committed": 0}
                )
                cell["committed"] += cents
    rows = [
        {
            "month": month,
            "channel": names[channel_id],
            "planned": from_cents(cell["planned"]),
            "committed": from_cents(cell["committed"]),
            "actual": from_cents(cell["actual"]),
            "available": from_cents(cell["planned"] - cell["actual"] - cell["committed"]),
        }
        for (month, channel_id), cell in cells.items()
    ]
    frame = pd.DataFrame(
        rows, columns=["month", "channel", "planned", "committed", "actual", "available"]
    )
    return frame.sort_values(["month", "channel"], ignore_index=True)
