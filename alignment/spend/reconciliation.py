"""Finance reconciliation: the CFO sets finance's booked marketing spend beside the CMO's
figures, and a reconciled month is locked for the CMO until the CFO reopens it."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import fields
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import require
from alignment.files.cells import MAX_AMOUNT
from alignment.files.cells import decimal_comma_evidence
from alignment.files.cells import parse_amounts
from alignment.files.cells import parse_months
from alignment.files.spreadsheet import MONTH_HEADERS
from alignment.files.spreadsheet import CellProblem
from alignment.files.spreadsheet import find_columns
from alignment.files.spreadsheet import read_table
from alignment.files.spreadsheet import row_problem
from alignment.records.unit_of_work import Write
from alignment.records.unit_of_work import writing
from alignment.shared import clock
from alignment.shared import formatting as fmt
from alignment.shared import metrics
from alignment.shared.errors import ValidationFailed
from alignment.shared.money import from_cents
from alignment.shared.money import to_cents
from alignment.shared.periods import add_months
from alignment.shared.periods import month_label
from alignment.shared.periods import months_between
from alignment.shared.periods import parse_month
from alignment.shared.periods import range_period
from alignment.spend.budget import month_freshness
from alignment.spend.invoices import matched_by_month
from alignment.spend.invoices import matched_spend
from db import queries
from db.models import AuditEvent
from db.models import BudgetLine
from db.models import Reconciliation
from db.models import User

GAP_TOLERANCE = 0.01
"""A gap within 1 % of finance's figure reads as matching; larger gaps are flagged."""

GAP_SIGN = (
    "the gap is marketing's actual spend minus finance's booked spend, in percent of "
    "finance's figure; below zero, finance booked more than marketing reports"
)
"""The one sign convention of the finance gap, written out wherever a signed gap is shown
(budget page, review, meeting pack), so nobody has to guess which way it runs."""

RECONCILED, OPEN, REOPENED = "reconciled", "open", "reopened"


def finance_gap(marketing: Decimal | None, finance: Decimal | None) -> Decimal | None:
    """The signed gap of GAP_SIGN; n/a until both figures exist."""
    gap = metrics.spend_variance(marketing, finance)
    return None if gap is None else Decimal(gap)


def gap_words(gap: Decimal | float | None, gap_pct: float | None, currency: str) -> str:
    """The gap as a sentence that carries its own sign: 'finance higher than marketing by
    $2,748 (1.5%)', so the meeting reads the direction instead of decoding a minus."""
    if gap is None:
        return "no gap yet: finance's booked spend or marketing's spend is missing"
    if gap == 0:
        return "finance and marketing agree"
    side = "higher" if gap < 0 else "lower"
    share = "" if gap_pct is None else f" ({fmt.percent(abs(gap_pct))})"
    size = -gap if gap < 0 else gap
    return f"finance {side} than marketing by {fmt.money(size, currency)}{share}"


@dataclass(frozen=True)
class MonthReconciliation:
    """One month side by side: marketing's spend, finance's booked spend, and who settled it."""

    month: str
    marketing_spend: Decimal | None
    finance_spend: Decimal | None
    gap: Decimal | None
    """Signed as GAP_SIGN says: marketing minus finance."""
    gap_pct: float | None
    """The gap in percent of finance's booked spend."""
    reconciled: bool
    reconciled_by: str | None
    reconciled_at: dt.datetime | None
    note: str
    """The CFO's note when reconciling; the reason, once the month is reopened."""
    reopened_by: str | None = None
    reopened_at: dt.datetime | None = None
    matched_invoices: Decimal | None = None
    """The month's invoice lines matched to a purchase order, summed: what the CFO can book
    as finance's spend (``book_matched_invoices``); None while no line is matched."""
    matched_lines: int = 0

    @property
    def matches(self) -> bool | None:
        if self.gap_pct is None:
            return None if self.gap is None else self.gap == 0
        return abs(self.gap_pct) <= GAP_TOLERANCE

    @property
    def status(self) -> str:
        """Reconciled, open (never reconciled) or reopened (reconciled once, unlocked since)."""
        if self.reconciled:
            return RECONCILED
        return REOPENED if self.reconciled_at is not None else OPEN


def reconciliation(
    session: Session, actor: Actor, first: str, last: str
) -> list[MonthReconciliation]:
    """Every month from first to last that has budget lines or a finance figure, newest first."""
    require(actor, Action.VIEW)
    spend = {row.month: row.actual_spend for row in queries.budget_by_month(session, first, last)}
    records = {
        r.month: r
        for r in session.scalars(
            select(Reconciliation).where(Reconciliation.month.between(first, last))
        )
    }
    names = dict(session.execute(select(User.id, User.name)).all())
    invoiced = matched_by_month(session, first, last)
    reopened = _reopenings(session, [m for m, r in records.items() if r.reconciled_at])
    result = []
    for month in reversed(months_between(first, last)):
        if month not in spend and month not in records and month not in invoiced:
            continue
        record = records.get(month)
        marketing = from_cents(spend.get(month))
        finance = from_cents(record.finance_spend) if record else None
        gap = finance_gap(marketing, finance)
        reopening = reopened.get(month) if record and not record.reconciled else None
        result.append(
            MonthReconciliation(
                month=month,
                marketing_spend=marketing,
                finance_spend=finance,
                gap=gap,
                gap_pct=metrics.ratio(gap, finance),
                reconciled=bool(record and record.reconciled),
                reconciled_by=names.get(record.reconciled_by_id or -1) if record else None,
                reconciled_at=record.reconciled_at if record else None,
                note=record.note if record else "",
                reopened_by=None
                if reopening is None
                else names.get(reopening.user_id or -1, reopening.actor),
                reopened_at=None if reopening is None else reopening.at,
                matched_invoices=from_cents(invoiced[month][1]) if month in invoiced else None,
                matched_lines=invoiced[month][0] if month in invoiced else 0,
            )
        )
    return result


def _reopenings(session: Session, months: list[str]) -> dict[str, AuditEvent]:
    """The latest reopening of each month: the record keeps no one who reopened it, the
    audit trail does."""
    if not months:
        return {}
    events = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.object_type == "reconciliation",
            AuditEvent.action == "reopen",
            AuditEvent.object_id.in_(months),
        )
        .order_by(AuditEvent.id)
    )
    return {str(e.object_id): e for e in events}


def month_reconciliation(session: Session, actor: Actor, month: str) -> MonthReconciliation:
    """One month's spend against finance, for the review: open and empty when nothing exists."""
    month = parse_month(month)
    found = reconciliation(session, actor, month, month)
    if found:
        return found[0]
    return MonthReconciliation(month, None, None, None, None, False, None, None, "")


def unreconciled_months(session: Session, actor: Actor, first: str, last: str) -> list[str]:
    """Months in first..last with budget lines that finance has not reconciled."""
    require(actor, Action.VIEW)
    with_lines = {row.month for row in queries.budget_by_month(session, first, last)}
    return sorted(with_lines - set(queries.reconciled_months(session)))


def _record(session: Session, month: str) -> Reconciliation:
    record = session.scalar(select(Reconciliation).where(Reconciliation.month == month))
    if record is None:
        record = Reconciliation(month=month, reconciled=False, note="")
        session.add(record)
    return record


def record_finance_spend(
    session: Session, actor: Actor, month: str, amount: Decimal | float | None
) -> None:
    """Finance's booked marketing spend for a month (the CFO's figure, from the ledger)."""
    with writing(session, actor, Action.RECONCILE_SPEND) as w:
        month = parse_month(month)
        if amount is not None:
            amount = Decimal(str(amount))
            if not amount.is_finite() or abs(amount) > Decimal(str(MAX_AMOUNT)):
                raise ValidationFailed(f"{amount} is not a booked spend SamePage can store.")
            if amount < 0:
                raise ValidationFailed("Booked spend cannot be negative.")
        _set_finance_spend(w, month, amount, "typed")


def book_matched_invoices(session: Session, actor: Actor, month: str) -> Decimal:
    """Finance's booked spend for a month from its invoice lines matched to purchase
    orders: the lines finance itself booked, tied to what marketing bought."""
    with writing(session, actor, Action.RECONCILE_SPEND) as w:
        month = parse_month(month)
        lines, total = matched_spend(session, actor, month)
        if not lines:
            raise ValidationFailed(
                f"No invoice line of {month_label(month)} is matched to a purchase order yet; "
                "import finance's lines or confirm their matches first."
            )
        _set_finance_spend(w, month, total, "invoices", lines=lines)
        return total


def _set_finance_spend(
    w: Write, month: str, amount: Decimal | None, source: str, **more: object
) -> None:
    record = _record(w.session, month)
    if record.reconciled:
        raise ValidationFailed(
            f"{month_label(month)} is reconciled; reopen it before changing finance's figure."
        )
    old = from_cents(record.finance_spend)
    record.finance_spend = to_cents(amount)
    record.updated_by_id = w.actor.user_id
    w.record(
        "finance_spend",
        "reconciliation",
        month,
        {"finance_spend": old},
        {"finance_spend": amount, "source": source, **more},
    )


def reconcile_month(session: Session, actor: Actor, month: str, note: str = "") -> None:
    """Mark a month reconciled: its budget lines are locked for the CMO from now on."""
    with writing(session, actor, Action.RECONCILE_SPEND) as w:
        month = parse_month(month)
        record = _record(session, month)
        if record.reconciled:
            raise ValidationFailed(f"{month_label(month)} is already reconciled.")
        if record.finance_spend is None:
            raise ValidationFailed(
                f"Enter finance's booked spend for {month_label(month)} before reconciling it."
            )
        record.reconciled = True
        record.reconciled_by_id = actor.user_id
        record.reconciled_at = clock.utc_second()
        record.note = note.strip()
        session.execute(update(BudgetLine).where(BudgetLine.month == month).values(reconciled=True))
        w.record(
            "reconcile",
            "reconciliation",
            month,
            None,
            {"finance_spend": from_cents(record.finance_spend), "note": record.note},
        )


def reopen_month(session: Session, actor: Actor, month: str, reason: str) -> None:
    """Unlock a reconciled month for the CMO; the reason goes into the audit trail."""
    with writing(session, actor, Action.RECONCILE_SPEND) as w:
        month = parse_month(month)
        if not reason.strip():
            raise ValidationFailed(
                "Say why the month is reopened; the reason is kept in the audit trail."
            )
        record = session.scalar(select(Reconciliation).where(Reconciliation.month == month))
        if record is None or not record.reconciled:
            raise ValidationFailed(
                f"{month_label(month)} is not reconciled, so there is nothing to reopen."
            )
        record.reconciled = False
        record.note = reason.strip()
        session.execute(
            update(BudgetLine).where(BudgetLine.month == month).values(reconciled=False)
        )
        w.record(
            "reopen",
            "reconciliation",
            month,
            {"reconciled": True},
            {"reconciled": False, "reason": reason.strip()},
        )


def month_status(
    session: Session, actor: Actor, last: str, months: int = 12, today: dt.date | None = None
) -> pd.DataFrame:
    """The last ``months`` months up to ``last``: spend against finance, reconciliation and
    freshness in one table, newest first."""
    require(actor, Action.VIEW)
    first = add_months(last, -(months - 1))
    fresh = month_freshness(session, actor, range_period(first, last), today).set_index("month")
    records = []
    for m in reconciliation(session, actor, first, last):
        row = fresh.loc[m.month] if m.month in fresh.index else None
        records.append({**asdict(m), "matches": m.matches, **_freshness(row)})
    columns = [f.name for f in fields(MonthReconciliation)] + ["matches", *_freshness(None)]
    return pd.DataFrame.from_records(records, columns=columns)


def _freshness(row: pd.Series | None) -> dict[str, Any]:
    """When a month's figures were last touched; nothing known for a month without lines."""
    return {
        "last_updated": None if row is None else row["last_updated"],
        "updated_by": None if row is None else row["updated_by"],
        "days_since_update": None if row is None else int(row["days_since_update"]),
        "stale": False if row is None else bool(row["stale"]),
    }


FINANCE_HEADERS = {
    "month": MONTH_HEADERS,
    "finance_spend": (
        "finance_spend",
        "booked_spend",
        "booked",
        "amount",
        "spend",
        "marketing_spend",
    ),
}


@dataclass(frozen=True)
class FinanceImport:
    months: list[tuple[str, Decimal]]
    problems: list[str]

    @property
    def can_import(self) -> bool:
        return not self.problems and bool(self.months)


def read_finance_file(
    session: Session, actor: Actor, data: bytes, file_name: str, sheet: str | None = None
) -> FinanceImport:
    """Finance's booked spend per month from CSV/XLSX (columns month and finance_spend)."""
    require(actor, Action.RECONCILE_SPEND)
    table = read_table(data, file_name, sheet)
    found = find_columns(table.headers, FINANCE_HEADERS)
    columns: dict[str, str] = {}
    for field, aliases in FINANCE_HEADERS.items():
        header = found[field]
        if header is None:
            raise ValidationFailed(
                f"{file_name} needs a column '{field}' (or one of: {', '.join(aliases[1:])})."
            )
        columns[field] = header
    frame = table.frame
    months, month_reasons = parse_months(frame[columns["month"]])
    text = frame[columns["finance_spend"]]
    amounts, amount_reasons = parse_amounts(
        text, decimal_comma_evidence(text) > 0 or table.delimiter == ";"
    )
    problems = []
    locked = set(queries.reconciled_months(session))
    seen: dict[str, int] = {}
    result = []
    for row, month, month_reason, value, amount, amount_reason in zip(
        frame["_row"],
        months,
        month_reasons,
        frame[columns["month"]],
        amounts,
        amount_reasons,
        strict=True,
    ):
        if pd.notna(month_reason):
            problems.append(str(CellProblem(row, columns["month"], str(value), month_reason)))
            continue
        if pd.notna(amount_reason) or pd.isna(amount):
            reason = amount_reason if pd.notna(amount_reason) else "is missing"
            problems.append(row_problem(row, columns["finance_spend"], reason))
            continue
        if amount < 0:
            problems.append(f"Row {row}: booked spend cannot be negative.")
        elif month in locked:
            problems.append(f"Row {row}: {month_label(month)} is reconciled; reopen it first.")
        elif month in seen:
            problems.append(f"Row {row} repeats {month_label(month)} from row {seen[month]}.")
        else:
            seen[month] = int(row)
            result.append((month, Decimal(str(round(float(amount), 2)))))
    return FinanceImport(months=result, problems=problems)


def apply_finance_file(session: Session, actor: Actor, finance: FinanceImport) -> int:
    """Record every month's booked spend from the file, or none of them."""
    with writing(session, actor, Action.RECONCILE_SPEND) as w:
        if finance.problems:
            raise ValidationFailed(
                f"Nothing was imported: {len(finance.problems)} problem(s), the first: "
                f"{finance.problems[0]}"
            )
        for month, amount in finance.months:
            _set_finance_spend(w, month, amount, "import")
        return len(finance.months)
