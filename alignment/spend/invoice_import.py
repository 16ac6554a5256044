"""Finance's invoice register or general-ledger export in: CSV or XLSX, mapped once per
source with the mapping kit every import uses, checked a whole column at a time (a million
lines in seconds), previewed with what it would match, then written all or nothing.

One bad line refuses the file and names its row and column: an unreadable or negative
amount, a date missing or unreadable, a line in a month finance has reconciled, a PO
reference that names two purchase orders, an invoice number imported before with other
figures. A file imported before is refused whole: its lines would count twice."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from typing import cast

import pandas as pd
from sqlalchemy import Table as SqlTable
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import require
from alignment.files import column_mapping
from alignment.files.cells import decimal_comma_evidence
from alignment.files.cells import has_ambiguous_amounts
from alignment.files.cells import name_problems
from alignment.files.cells import parse_amounts
from alignment.files.cells import parse_dates
from alignment.files.column_mapping import FileColumns
from alignment.files.spreadsheet import CellProblem
from alignment.files.spreadsheet import FileRefused
from alignment.files.spreadsheet import Table
from alignment.files.spreadsheet import read_table
from alignment.files.spreadsheet import row_problem
from alignment.files.spreadsheet import source_name as default_source_name
from alignment.records.unit_of_work import writing
from alignment.shared import clock
from alignment.shared import formatting as fmt
from alignment.shared.errors import ValidationFailed
from alignment.shared.money import from_cents
from alignment.shared.periods import month_label
from alignment.spend.invoices import MatchedHow
from alignment.spend.invoices import add_invoiced
from alignment.spend.invoices import match_references
from alignment.spend.invoices import orders_by_key
from alignment.spend.invoices import vendor_key
from db import bulk
from db import queries
from db.models import Commitment
from db.models import ImportBatch
from db.models import Invoice
from db.models import User

KIND = "invoices"
PROBLEMS_SHOWN = 200
CHUNK = 50_000
PROGRESS_FROM_ROWS = 10_000
TEXT_LABELS = {
    "vendor": "vendor",
    "po_reference": "PO reference",
    "gl_account": "GL account",
    "invoice_number": "invoice number",
}
TEXTS = tuple(TEXT_LABELS)

COLUMNS = FileColumns(
    KIND,
    {
        "invoice_date": "Date",
        "vendor": "Vendor",
        "amount": "Amount",
        "po_reference": "PO reference",
        "gl_account": "GL account",
        "invoice_number": "Invoice number",
    },
    ("invoice_date", "vendor", "amount"),
    {
        "invoice_date": (
            "invoice_date",
            "date",
            "posting_date",
            "document_date",
            "booking_date",
            "belegdatum",
            "buchungsdatum",
        ),
        "vendor": ("vendor", "supplier", "vendor_name", "supplier_name", "creditor", "lieferant"),
        "amount": ("amount", "net_amount", "amount_net", "debit", "value", "betrag", "total"),
        "po_reference": (
            "po_reference",
            "po",
            "po_number",
            "po_no",
            "purchase_order",
            "order_reference",
            "bestellnummer",
        ),
        "gl_account": ("gl_account", "account", "gl", "ledger_account", "account_number", "konto"),
        "invoice_number": (
            "invoice_number",
            "invoice",
            "invoice_no",
            "document_number",
            "rechnungsnummer",
        ),
    },
)
"""The columns of an invoice or ledger file, and the names finance's exports give them."""

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class InvoiceFile:
    """An invoice file read and checked; ``lines`` holds the rows without a cell problem."""

    table: Table
    source_name: str
    mapping: dict[str, str]
    lines: pd.DataFrame
    problems: tuple[tuple[int, str], ...]
    sha256: str


@dataclass(frozen=True)
class InvoicePreview:
    file_name: str
    source_name: str
    rows: int
    new: int
    already: int
    """Lines whose invoice number the store already holds with the same figures."""
    matched: int
    matched_total: Decimal
    unmatched: int
    unmatched_total: Decimal
    problems: list[str]
    problem_count: int
    first_month: str | None
    last_month: str | None
    by_order: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    """Per purchase order the file matches: its lines and their sum (the first 200)."""
    written: bool = False

    @property
    def can_import(self) -> bool:
        return self.problem_count == 0 and self.new > 0

    def summary(self) -> str:
        already = f", {self.already:,} already imported" if self.already else ""
        return (
            f"{self.rows:,} lines: {self.matched:,} matched to a purchase order "
            f"({_amount(self.matched_total)}), {self.unmatched:,} unmatched "
            f"({_amount(self.unmatched_total)}){already}, {self.problem_count:,} with "
            "problems."
        )


def remembered_mapping(session: Session, source: str) -> dict[str, str] | None:
    return column_mapping.remembered_mapping(session, KIND, source)


def read_invoice_file(
    data: bytes,
    file_name: str,
    *,
    sheet: str | None = None,
    given: dict[str, str] | None = None,
    remembered: dict[str, str] | None = None,
    source_name: str | None = None,
) -> InvoiceFile:
    """Read and check an invoice file; MappingNeeded when its columns need mapping."""
    table = read_table(data, file_name, sheet)
    mapping = column_mapping.mapping_for(table, COLUMNS, given=given, remembered=remembered)
    lines, problems = _check_cells(table, mapping)
    return InvoiceFile(
        table=table.without_cells(),
        source_name=source_name or default_source_name(file_name),
        mapping=mapping,
        lines=lines,
        problems=tuple(problems),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _text(column: pd.Series) -> pd.Series:
    text = column.astype("str").str.strip()
    unusual = ~text.str.isascii()
    if unusual.any():
        text = text.copy()
        text[unusual] = [unicodedata.normalize("NFC", v) for v in text[unusual]]
    return text


def _check_cells(
    table: Table, mapping: dict[str, str]
) -> tuple[pd.DataFrame, list[tuple[int, str]]]:
    frame = table.frame
    rows = frame["_row"]
    problems: list[tuple[int, str]] = []
    bad = pd.Series(False, index=frame.index)

    def cells(header: str, reasons: pd.Series) -> None:
        nonlocal bad
        wrong = reasons.notna()
        if not wrong.any():
            return
        for row, value, reason in zip(
            rows[wrong], frame[header][wrong], reasons[wrong], strict=True
        ):
            problems.append((int(row), str(CellProblem(int(row), header, str(value), str(reason)))))
        bad |= wrong

    lines = pd.DataFrame({"_row": rows})
    days, reasons = parse_dates(frame[mapping["invoice_date"]])
    today = clock.today()
    reasons[days.dt.date > today] = (
        f"is after today ({fmt.date(today)}); finance books the invoices it has received"
    )
    cells(mapping["invoice_date"], reasons)
    lines["invoice_date"] = days
    lines["month"] = days.dt.strftime("%Y-%m")
    for name in TEXTS:
        if name not in mapping:
            lines[name] = ""
            continue
        text = _text(frame[mapping[name]])
        reasons = name_problems(text, TEXT_LABELS[name], required=name == "vendor")
        wrong = reasons.notna()
        for row, reason in zip(rows[wrong], reasons[wrong], strict=True):
            problems.append((int(row), row_problem(int(row), mapping[name], str(reason))))
        bad |= wrong
        lines[name] = text
    amount_text = frame[mapping["amount"]]
    decimal_comma = table.delimiter == ";"
    if has_ambiguous_amounts(amount_text):
        evidence = decimal_comma_evidence(amount_text)
        decimal_comma = evidence > 0 or (evidence == 0 and table.delimiter == ";")
    amounts, reasons = parse_amounts(amount_text, decimal_comma)
    reasons = reasons.copy()
    reasons[amounts.isna() & reasons.isna()] = "is missing; every line has an amount"
    reasons[(amounts < 0) & reasons.isna()] = (
        "is negative; SamePage takes invoices, not credit notes (net them against their "
        "invoice first)"
    )
    cells(mapping["amount"], reasons)
    lines["amount"] = (amounts * 100).round().astype("Int64")
    lines = lines[~bad] if bad.any() else lines
    numbered = lines[lines["invoice_number"] != ""]
    identity = pd.DataFrame(
        {
            "vendor": _vendor_keys(numbered["vendor"]),
            "number": numbered["invoice_number"].str.casefold(),
        },
        index=numbered.index,
    )
    repeated = identity.duplicated(keep="first")
    if repeated.any():
        first_rows = (
            numbered["_row"].groupby([identity["vendor"], identity["number"]]).transform("first")
        )
        header = mapping["invoice_number"]
        for index in identity.index[repeated]:
            row = int(lines.at[index, "_row"])
            problems.append(
                (
                    row,
                    str(
                        CellProblem(
                            row,
                            header,
                            str(lines.at[index, "invoice_number"]),
                            f"repeats row {int(first_rows[index])} (the same vendor's invoice)",
                        )
                    ),
                )
            )
        lines = lines.drop(index=identity.index[repeated])
    problems.sort()
    return lines.reset_index(drop=True), problems


@dataclass
class _Comparison:
    new: pd.DataFrame
    already: int
    problems: list[tuple[int, str]]


def _refuse_imported_before(session: Session, lines: InvoiceFile) -> None:
    earlier = session.execute(
        select(ImportBatch.imported_at, User.name)
        .outerjoin(User, ImportBatch.imported_by_id == User.id)
        .where(ImportBatch.kind == KIND, ImportBatch.sha256 == lines.sha256)
        .order_by(ImportBatch.id)
        .limit(1)
    ).first()
    if earlier is not None:
        at, who = earlier
        raise FileRefused(
            f"{lines.table.file_name} was already imported on {fmt.date(at.date())}"
            f"{' by ' + who if who else ''}; importing it again would count every line twice."
        )


def _compare(session: Session, lines: InvoiceFile) -> _Comparison:
    _refuse_imported_before(session, lines)
    frame = lines.lines
    problems: list[tuple[int, str]] = []
    locked = set(queries.reconciled_months(session)) & set(frame["month"].unique())
    if locked:
        header = lines.mapping["invoice_date"]
        blocked = frame[frame["month"].isin(locked)]
        for row, day, month in zip(
            blocked["_row"], blocked["invoice_date"], blocked["month"], strict=True
        ):
            problems.append(
                (
                    int(row),
                    str(
                        CellProblem(
                            int(row),
                            header,
                            day.date().isoformat(),
                            f"falls in {month_label(month)}, which finance has reconciled; "
                            "reopen the month before adding invoices to it",
                        )
                    ),
                )
            )
    already = pd.Series(False, index=frame.index)
    numbered = frame["invoice_number"] != ""
    held = (
        _held_invoices(session, set(frame.loc[numbered, "invoice_number"].str.casefold()))
        if numbered.any()
        else pd.DataFrame()
    )
    if not held.empty:
        keyed = pd.DataFrame(
            {
                "vendor_key": _vendor_keys(frame.loc[numbered, "vendor"]),
                "number_key": frame.loc[numbered, "invoice_number"].str.casefold(),
                "amount": frame.loc[numbered, "amount"].astype("int64"),
                "day": frame.loc[numbered, "invoice_date"].dt.date,
                "index": frame.index[numbered],
            }
        ).merge(held, on=["vendor_key", "number_key"], suffixes=("", "_held"))
        same = (keyed["amount"] == keyed["amount_held"]) & (keyed["day"] == keyed["day_held"])
        already[keyed.loc[same, "index"].to_numpy()] = True
        header = lines.mapping["invoice_number"]
        for index, amount, day in zip(
            keyed.loc[~same, "index"],
            keyed.loc[~same, "amount_held"],
            keyed.loc[~same, "day_held"],
            strict=True,
        ):
            row = int(frame.at[index, "_row"])
            problems.append(
                (
                    row,
                    str(
                        CellProblem(
                            row,
                            header,
                            str(frame.at[index, "invoice_number"]),
                            f"was imported before for {_amount(from_cents(int(amount)))} on "
                            f"{fmt.date(day)}; a re-import does not change finance's lines",
                        )
                    ),
                )
            )
    new = frame[~already]
    matches = match_references(new["po_reference"].tolist(), orders_by_key(session))
    new = new.assign(commitment_id=pd.array(matches.commitment_ids, dtype="Int64"))
    if matches.ambiguous:
        header = lines.mapping.get("po_reference", "")
        for position, numbers in matches.ambiguous.items():
            row = int(new["_row"].iloc[position])
            problems.append(
                (
                    row,
                    str(
                        CellProblem(
                            row,
                            header,
                            str(new["po_reference"].iloc[position]),
                            f"names {len(numbers)} purchase orders ({', '.join(numbers)}); "
                            "split the line by purchase order",
                        )
                    ),
                )
            )
    return _Comparison(new=new, already=int(already.sum()), problems=problems)


def _held_invoices(session: Session, numbers: set[str]) -> pd.DataFrame:
    """The stored lines carrying any of these invoice numbers (case ignored)."""
    rows: list[tuple[str, str, int, object]] = []
    wanted = sorted(numbers)
    for start in range(0, len(wanted), 5_000):
        part = wanted[start : start + 5_000]
        rows.extend(
            session.execute(
                select(
                    Invoice.vendor, Invoice.invoice_number, Invoice.amount, Invoice.invoice_date
                ).where(func.lower(Invoice.invoice_number).in_(part))
            ).all()
        )
    frame = pd.DataFrame(rows, columns=["vendor", "number", "amount_held", "day_held"])
    return pd.DataFrame(
        {
            "vendor_key": _vendor_keys(frame["vendor"]),
            "number_key": frame["number"].str.casefold(),
            "amount_held": frame["amount_held"],
            "day_held": frame["day_held"],
        }
    ).drop_duplicates(["vendor_key", "number_key"])


def _vendor_keys(vendors: pd.Series) -> pd.Series:
    """``vendor_key`` of each cell, worked out once per distinct vendor."""
    return vendors.map({v: vendor_key(v) for v in vendors.unique()})


def _amount(value: Decimal | None) -> str:
    return f"{value or 0:,.2f}"


def _preview(session: Session, lines: InvoiceFile, comparison: _Comparison) -> InvoicePreview:
    problems = sorted([*lines.problems, *comparison.problems])
    new = comparison.new
    matched = new[new["commitment_id"].notna()]
    numbers = dict(
        session.execute(
            select(Commitment.id, Commitment.po_number).where(
                Commitment.id.in_([int(i) for i in matched["commitment_id"].unique()][:1000])
            )
        ).all()
    )
    by_order = (
        matched.groupby("commitment_id")["amount"].agg(["count", "sum"]).reset_index().head(200)
    )
    months = lines.lines["month"]
    return InvoicePreview(
        file_name=lines.table.file_name,
        source_name=lines.source_name,
        rows=lines.table.rows,
        new=len(new),
        already=comparison.already,
        matched=len(matched),
        matched_total=from_cents(int(matched["amount"].sum())) or Decimal(0),
        unmatched=len(new) - len(matched),
        unmatched_total=from_cents(int(new["amount"].sum()) - int(matched["amount"].sum()))
        or Decimal(0),
        problems=[text for _, text in problems[:PROBLEMS_SHOWN]],
        problem_count=len(problems),
        first_month=months.min() if len(months) else None,
        last_month=months.max() if len(months) else None,
        by_order=pd.DataFrame(
            {
                "po_number": [numbers.get(int(i), "") for i in by_order["commitment_id"]],
                "lines": by_order["count"].astype(int),
                "amount": [from_cents(int(v)) for v in by_order["sum"]],
            }
        ),
    )


def preview_invoices(session: Session, actor: Actor, lines: InvoiceFile) -> InvoicePreview:
    """What importing would do: the lines new and already held, how many match a purchase
    order by their reference, and every problem."""
    require(actor, Action.RECONCILE_SPEND)
    return _preview(session, lines, _compare(session, lines))


def import_invoices(
    session: Session, actor: Actor, lines: InvoiceFile, progress: Progress | None = None
) -> InvoicePreview:
    """Write the file's new lines, matched where their PO reference names one purchase
    order (each order's invoiced total grows by its lines), in one unit of work, or none;
    the file's mapping is remembered for its source in the same unit."""
    with writing(session, actor, Action.RECONCILE_SPEND) as w:
        comparison = _compare(session, lines)
        preview = _preview(session, lines, comparison)
        if preview.problem_count:
            raise ValidationFailed(
                f"Nothing was imported: {preview.problem_count:,} problem(s), the first: "
                f"{preview.problems[0]}"
            )
        if preview.new == 0:
            raise ValidationFailed(
                f"Nothing was imported: every line of {lines.table.file_name} is already in the "
                "store."
            )
        report = (
            progress if progress is not None and lines.table.rows > PROGRESS_FROM_ROWS else None
        )
        now = clock.utc_second()
        batch = ImportBatch(
            kind=KIND,
            file_name=lines.table.file_name[:500],
            source_name=lines.source_name[:200],
            sha256=lines.sha256,
            rows=lines.table.rows,
            new_lines=preview.new,
            changed_lines=0,
            unchanged_lines=preview.already,
            imported_by_id=actor.user_id,
            imported_at=now,
        )
        session.add(batch)
        session.flush()
        new = comparison.new
        matched = new["commitment_id"].notna().to_numpy()
        columns = [
            "invoice_date",
            "month",
            "vendor",
            "amount",
            "po_reference",
            "gl_account",
            "invoice_number",
            "commitment_id",
            "matched_how",
            "matched_by_id",
            "matched_at",
            "file_row",
        ]
        constants = {"import_id": batch.id, "entered_by_id": actor.user_id, "entered_at": now}
        table = cast(SqlTable, Invoice.__table__)  # a declarative model's table is a Table
        date_type = table.c["invoice_date"].type.dialect_impl(session.connection().dialect)
        date_bind = date_type.bind_processor(session.connection().dialect)
        stamp_type = table.c["matched_at"].type.dialect_impl(session.connection().dialect)
        stamp_bind = stamp_type.bind_processor(session.connection().dialect)
        matched_at = stamp_bind(now) if stamp_bind else now
        total = len(new)
        for start in range(0, total, CHUNK):
            chunk = new.iloc[start : start + CHUNK]
            hit = matched[start : start + CHUNK]
            days = [d.date() for d in chunk["invoice_date"]]
            values = [
                [date_bind(d) if date_bind else d for d in days],
                chunk["month"].tolist(),
                chunk["vendor"].tolist(),
                [int(v) for v in chunk["amount"]],
                chunk["po_reference"].tolist(),
                chunk["gl_account"].tolist(),
                chunk["invoice_number"].tolist(),
                chunk["commitment_id"].to_numpy(dtype=object, na_value=None).tolist(),
                [MatchedHow.PO_REFERENCE.value if h else None for h in hit],
                [actor.user_id if h else None for h in hit],
                [matched_at if h else None for h in hit],
                [int(r) for r in chunk["_row"]],
            ]
            bulk.insert_rows(session, table, columns, list(zip(*values, strict=True)), constants)
            done = start + len(chunk)
            if report:
                report(done / total, f"Imported {done:,} of {total:,} invoice lines")
        invoiced = new[matched].groupby("commitment_id")["amount"].sum()
        add_invoiced(session, {int(k): int(v) for k, v in invoiced.items()})
        column_mapping.remember_mapping(
            w, COLUMNS, lines.source_name, lines.mapping, lines.table.headers
        )
        w.record(
            "import_invoices",
            "invoices",
            batch.id,
            None,
            {
                "file": lines.table.file_name,
                "sha256": lines.sha256,
                "rows": lines.table.rows,
                "new": preview.new,
                "already": preview.already,
                "matched": preview.matched,
                "matched_total": str(preview.matched_total),
                "unmatched": preview.unmatched,
                "unmatched_total": str(preview.unmatched_total),
                "by_order": {str(k): int(v) for k, v in list(invoiced.items())[:500]},
            },
        )
        return InvoicePreview(**{**preview.__dict__, "written": True})
