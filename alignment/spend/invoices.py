"""Invoices matched to what was bought: finance's invoice or ledger lines tied to the
purchase orders (commitments) they pay.

A line whose PO reference names one commitment is matched on import. A line without one
(or naming none SamePage holds) is unmatched; when an open commitment of the same vendor
is for the line's amount, or for one month's share of it, SamePage suggests it and the CFO
confirms or not. A matched line closes that much of its commitment's open amount
(``Commitment.invoiced`` is the sum of its matched lines, kept in the same unit of work).
Commitments with nothing invoiced long after their first month began are listed as stale.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import cast

import pandas as pd
from sqlalchemy import Table as SqlTable
from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import require
from alignment.company.settings import company_profile
from alignment.records.data_version import ReadCache
from alignment.records.unit_of_work import writing
from alignment.shared import clock
from alignment.shared.errors import ValidationFailed
from alignment.shared.money import from_cents
from alignment.shared.periods import Period
from alignment.shared.periods import month_label
from alignment.spend.commitments import po_key
from db import queries
from db.models import Channel
from db.models import Commitment
from db.models import Invoice
from db.models import User


class MatchedHow(StrEnum):
    """How an invoice line came to be tied to its purchase order."""

    PO_REFERENCE = "po_reference"
    """Its PO reference names the commitment: matched on import."""
    CONFIRMED = "confirmed"
    """The CFO confirmed it (a suggestion, or a purchase order chosen by hand)."""


MATCHED_WORDS = {
    MatchedHow.PO_REFERENCE: "by its PO reference",
    MatchedHow.CONFIRMED: "confirmed by the CFO",
}

SUGGESTION_TOLERANCE = Decimal("0.01")
"""A suggestion's amount may differ from the order's open amount (or one month's share of
it) by 1 %: freight, rounding and small fees, not a different purchase."""

LINES_SHOWN = 500
"""The matched and unmatched lists show this many lines, newest first; totals cover all."""

_REFERENCE_SPLIT = re.compile(r"\s*(?:[,;&+|]|\s/\s|\band\b|\bund\b|\bet\b)\s*", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def vendor_key(name: str) -> str:
    """A vendor's name as it is compared: case, spacing and a trailing full stop ignored."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    return _SPACES.sub(" ", text).strip().rstrip(".")


@dataclass(frozen=True)
class ReferenceMatches:
    """Per invoice line (by position), the commitment its PO reference names, if one."""

    commitment_ids: list[int | None]
    ambiguous: dict[int, list[str]]
    """Lines whose reference names more than one commitment: position -> their PO numbers."""


def match_references(references: list[str], orders: dict[str, tuple[int, str]]) -> ReferenceMatches:
    """Match each reference to the commitments ``orders`` holds (``po_key`` -> (id, PO
    number)): the whole reference first, then each part of a reference listing several
    (``PO-1, PO-2``). Each distinct reference is worked out once: a million ledger lines
    name a few thousand purchase orders."""
    found: dict[str, tuple[int | None, list[str]]] = {}
    for reference in set(references):
        if not reference:
            found[reference] = (None, [])
            continue
        whole = orders.get(po_key(reference))
        if whole is not None:
            found[reference] = (whole[0], [])
            continue
        named = {
            orders[key]
            for key in (po_key(part) for part in _REFERENCE_SPLIT.split(reference))
            if key in orders
        }
        if len(named) == 1:
            found[reference] = (next(iter(named))[0], [])
        else:
            found[reference] = (None, sorted(number for _, number in named))
    ids: list[int | None] = []
    ambiguous: dict[int, list[str]] = {}
    for position, reference in enumerate(references):
        commitment_id, several = found[reference]
        ids.append(commitment_id)
        if len(several) > 1:
            ambiguous[position] = several
    return ReferenceMatches(ids, ambiguous)


def orders_by_key(session: Session) -> dict[str, tuple[int, str]]:
    """Every commitment by the key its PO number is compared by."""
    return {
        key: (commitment_id, number)
        for commitment_id, key, number in session.execute(
            select(Commitment.id, Commitment.po_key, Commitment.po_number)
        )
    }


def add_invoiced(session: Session, invoiced: dict[int, int]) -> None:
    """Add matched cents to each commitment's invoiced total (in the caller's unit of work),
    in one statement for all of them: an import can match a hundred thousand orders."""
    if not invoiced:
        return
    table = cast(SqlTable, Commitment.__table__)  # a declarative model's table is a Table
    session.execute(
        update(table)
        .where(table.c.id == bindparam("c_id"))
        .values(invoiced=table.c.invoiced + bindparam("more"), version=table.c.version + 1),
        [{"c_id": key, "more": cents} for key, cents in invoiced.items()],
    )
    session.expire_all()


@dataclass(frozen=True)
class InvoiceMatching:
    """The CFO's view of a period's invoices: matched, unmatched (with suggestions), and
    the commitments that are stale or invoiced above their amount."""

    period: Period
    matched: pd.DataFrame
    unmatched: pd.DataFrame
    stale: pd.DataFrame
    over_invoiced: pd.DataFrame
    matched_lines: int
    matched_total: Decimal
    unmatched_lines: int
    unmatched_total: Decimal
    stale_after_days: int

    @property
    def empty(self) -> bool:
        return self.matched_lines + self.unmatched_lines == 0


MATCHINGS = ReadCache(max_entries=16)
"""The CFO's view of invoices per store, data version, period and day (stale orders age)."""


def invoice_matching(session: Session, actor: Actor, period: Period) -> InvoiceMatching:
    """What finance's lines in ``period`` matched, what they did not (each with the open
    purchase order SamePage suggests, if any), and which commitments need a look."""
    require(actor, Action.VIEW)
    return MATCHINGS.kept(
        session, lambda: _invoice_matching(session, actor, period), period, clock.today()
    )


def _invoice_matching(session: Session, actor: Actor, period: Period) -> InvoiceMatching:
    counts = {
        matched: (int(lines), int(total or 0))
        for matched, lines, total in session.execute(
            select(
                Invoice.commitment_id.is_not(None),
                func.count(),
                func.sum(Invoice.amount),
            )
            .where(Invoice.month.between(period.first, period.last))
            .group_by(Invoice.commitment_id.is_not(None))
        )
    }
    matched_lines, matched_total = counts.get(True, (0, 0))
    unmatched_lines, unmatched_total = counts.get(False, (0, 0))
    days = company_profile(session, actor).stale_commitment_days
    return InvoiceMatching(
        period=period,
        matched=_matched(session, period),
        unmatched=_unmatched(session, period),
        stale=stale_commitments(session, actor, days),
        over_invoiced=_over_invoiced(session),
        matched_lines=matched_lines,
        matched_total=from_cents(matched_total) or Decimal(0),
        unmatched_lines=unmatched_lines,
        unmatched_total=from_cents(unmatched_total) or Decimal(0),
        stale_after_days=days,
    )


_LINE_COLUMNS = ["id", "date", "vendor", "invoice_number", "po_reference", "gl_account", "amount"]


def _line_values(invoice: Invoice) -> dict[str, object]:
    return {
        "id": invoice.id,
        "date": invoice.invoice_date,
        "vendor": invoice.vendor,
        "invoice_number": invoice.invoice_number,
        "po_reference": invoice.po_reference,
        "gl_account": invoice.gl_account,
        "amount": from_cents(invoice.amount),
    }


def _matched(session: Session, period: Period) -> pd.DataFrame:
    rows = session.execute(
        select(Invoice, Commitment.po_number, User.name)
        .join(Commitment, Invoice.commitment_id == Commitment.id)
        .outerjoin(User, Invoice.matched_by_id == User.id)
        .where(Invoice.month.between(period.first, period.last))
        .order_by(Invoice.invoice_date.desc(), Invoice.id.desc())
        .limit(LINES_SHOWN)
    ).all()
    return pd.DataFrame(
        [
            {
                **_line_values(invoice),
                "po_number": number,
                "how": MATCHED_WORDS[MatchedHow(str(invoice.matched_how))],
                "matched_by": person,
            }
            for invoice, number, person in rows
        ],
        columns=[*_LINE_COLUMNS, "po_number", "how", "matched_by"],
    )


def _open_orders(session: Session) -> pd.DataFrame:
    rows = session.execute(
        select(
            Commitment.id,
            Commitment.po_number,
            Commitment.vendor,
            Commitment.amount,
            Commitment.invoiced,
            Commitment.first_month,
            Commitment.last_month,
        ).where(Commitment.amount > Commitment.invoiced)
    ).all()
    frame = pd.DataFrame(
        rows,
        columns=["commitment_id", "po_number", "vendor", "amount", "invoiced", "first", "last"],
    )
    frame["vendor_key"] = [vendor_key(v) for v in frame["vendor"]]
    months = [
        (int(last[:4]) - int(first[:4])) * 12 + int(last[5:]) - int(first[5:]) + 1
        for first, last in zip(frame["first"], frame["last"], strict=True)
    ]
    frame["open"] = frame["amount"] - frame["invoiced"]
    frame["share"] = frame["amount"] // pd.Series(months, index=frame.index, dtype="int64")
    return frame


def suggestions(session: Session, lines: pd.DataFrame) -> pd.DataFrame:
    """For unmatched lines (``id``, ``vendor``, ``amount`` in cents): the open purchase order
    of the same vendor whose open amount, or one month's share, is the line's amount within
    SUGGESTION_TOLERANCE; the closest one when several are. Nothing is matched until the
    CFO confirms it."""
    columns = ["id", "commitment_id", "po_number", "suggested_because"]
    orders = _open_orders(session)
    if lines.empty or orders.empty:
        return pd.DataFrame(columns=columns)
    keyed = lines[["id", "vendor", "amount"]].assign(
        vendor_key=[vendor_key(v) for v in lines["vendor"]]
    )
    pairs = keyed.merge(orders.drop(columns=["vendor", "amount"]), on="vendor_key")
    if pairs.empty:
        return pd.DataFrame(columns=columns)
    tolerance = float(SUGGESTION_TOLERANCE)
    off_open = (pairs["amount"] - pairs["open"]).abs() / pairs["open"]
    off_share = (pairs["amount"] - pairs["share"]).abs() / pairs["share"].clip(lower=1)
    pairs["off"] = off_open.where(off_open <= off_share, off_share)
    pairs["suggested_because"] = (off_open <= off_share).map(
        {True: "same vendor, the order's open amount", False: "same vendor, one month's share"}
    )
    close = pairs[pairs["off"] <= tolerance].sort_values(["id", "off", "commitment_id"])
    return close.drop_duplicates("id")[columns].reset_index(drop=True)


def _unmatched(session: Session, period: Period) -> pd.DataFrame:
    invoices = session.scalars(
        select(Invoice)
        .where(Invoice.month.between(period.first, period.last), Invoice.commitment_id.is_(None))
        .order_by(Invoice.invoice_date.desc(), Invoice.id.desc())
        .limit(LINES_SHOWN)
    ).all()
    frame = pd.DataFrame(
        [{**_line_values(invoice), "cents": invoice.amount} for invoice in invoices],
        columns=[*_LINE_COLUMNS, "cents"],
    )
    suggested = suggestions(
        session, frame[["id", "vendor", "cents"]].rename(columns={"cents": "amount"})
    )
    shown = frame.drop(columns=["cents"]).merge(suggested, on="id", how="left")
    shown["commitment_id"] = shown["commitment_id"].astype("Int64")
    return shown


def stale_commitments(session: Session, actor: Actor, days: int) -> pd.DataFrame:
    """Commitments with nothing invoiced more than ``days`` after they began (their first
    month's first day, or the day they were entered when later)."""
    require(actor, Action.VIEW)
    today = clock.today()
    rows = session.execute(
        select(Commitment, Channel.name)
        .join(Channel, Commitment.channel_id == Channel.id)
        .where(Commitment.invoiced == 0)
        .order_by(Commitment.first_month, Commitment.po_number)
    ).all()
    found = []
    for commitment, channel in rows:
        started = max(
            dt.date(int(commitment.first_month[:4]), int(commitment.first_month[5:]), 1),
            commitment.entered_at.date(),
        )
        age = (today - started).days
        if age > days:
            found.append(
                {
                    "po_number": commitment.po_number,
                    "vendor": commitment.vendor,
                    "channel": channel,
                    "amount": from_cents(commitment.amount),
                    "since": started,
                    "days": age,
                }
            )
    return pd.DataFrame(
        found, columns=["po_number", "vendor", "channel", "amount", "since", "days"]
    )


def _over_invoiced(session: Session) -> pd.DataFrame:
    rows = session.execute(
        select(Commitment.po_number, Commitment.vendor, Commitment.amount, Commitment.invoiced)
        .where(Commitment.invoiced > Commitment.amount)
        .order_by(Commitment.po_number)
    ).all()
    return pd.DataFrame(
        [
            {
                "po_number": number,
                "vendor": vendor,
                "amount": from_cents(amount),
                "invoiced": from_cents(invoiced),
                "above_by": from_cents(invoiced - amount),
            }
            for number, vendor, amount, invoiced in rows
        ],
        columns=["po_number", "vendor", "amount", "invoiced", "above_by"],
    )


def _open_line(session: Session, invoice_id: int) -> Invoice:
    invoice = session.get(Invoice, invoice_id)
    if invoice is None:
        raise ValidationFailed("That invoice line is no longer in the store.")
    if invoice.month in set(queries.reconciled_months(session)):
        raise ValidationFailed(
            f"{month_label(invoice.month)} is reconciled; reopen it before changing what its "
            "invoices are matched to."
        )
    return invoice


def confirm_match(session: Session, actor: Actor, invoice_id: int, po_number: str) -> None:
    """The CFO ties an unmatched line to a purchase order (a suggestion, or one chosen by
    hand): it then closes that much of the order's open amount."""
    with writing(session, actor, Action.RECONCILE_SPEND) as w:
        invoice = _open_line(session, invoice_id)
        if invoice.commitment_id is not None:
            held = session.get(Commitment, invoice.commitment_id)
            raise ValidationFailed(
                f"That line is already matched to {held.po_number if held else 'an order'}."
            )
        if not po_key(po_number):
            raise ValidationFailed("Type the number of the purchase order the line pays.")
        commitment = session.scalars(
            select(Commitment).where(Commitment.po_key == po_key(po_number))
        ).first()
        if commitment is None:
            raise ValidationFailed(f"No purchase order {po_number} is recorded as committed spend.")
        invoice.commitment_id = commitment.id
        invoice.matched_how = MatchedHow.CONFIRMED
        invoice.matched_by_id = actor.user_id
        invoice.matched_at = clock.utc_second()
        commitment.invoiced += invoice.amount
        w.record(
            "match_invoice",
            "invoice",
            invoice.id,
            None,
            {
                "po_number": commitment.po_number,
                "vendor": invoice.vendor,
                "invoice_number": invoice.invoice_number,
                "amount": invoice.amount,
                "date": invoice.invoice_date.isoformat(),
                "how": MatchedHow.CONFIRMED.value,
            },
        )


def undo_match(session: Session, actor: Actor, invoice_id: int, reason: str) -> None:
    """Untie a line matched to the wrong purchase order; the reason goes into the audit."""
    with writing(session, actor, Action.RECONCILE_SPEND) as w:
        if not (reason or "").strip():
            raise ValidationFailed("Say why the match is undone; the reason is kept in the audit.")
        invoice = _open_line(session, invoice_id)
        commitment = (
            None
            if invoice.commitment_id is None
            else session.get(Commitment, invoice.commitment_id)
        )
        if commitment is None:
            raise ValidationFailed("That line is not matched to a purchase order.")
        commitment.invoiced -= invoice.amount
        old = {"po_number": commitment.po_number, "how": invoice.matched_how}
        invoice.commitment_id = None
        invoice.matched_how = None
        invoice.matched_by_id = None
        invoice.matched_at = None
        w.record("unmatch_invoice", "invoice", invoice.id, old, {"reason": reason.strip()})


def matched_spend(session: Session, actor: Actor, month: str) -> tuple[int, Decimal]:
    """The lines of ``month`` matched to a purchase order, and their sum: what the CFO can
    book as finance's spend for the month."""
    require(actor, Action.VIEW)
    lines, total = session.execute(
        select(func.count(), func.coalesce(func.sum(Invoice.amount), 0)).where(
            Invoice.month == month, Invoice.commitment_id.is_not(None)
        )
    ).one()
    return int(lines), from_cents(int(total)) or Decimal(0)


def matched_by_month(session: Session, first: str, last: str) -> dict[str, tuple[int, int]]:
    """Per month from first to last: the lines matched to a purchase order and their cents."""
    return {
        month: (int(lines), int(total or 0))
        for month, lines, total in session.execute(
            select(Invoice.month, func.count(), func.sum(Invoice.amount))
            .where(Invoice.month.between(first, last), Invoice.commitment_id.is_not(None))
            .group_by(Invoice.month)
        )
    }
