"""Purchase orders from the ERP's export: CSV or XLSX, mapped once per source with the
mapping kit every import uses, checked cell by cell, previewed, then written all or nothing.

A PO the store already holds for the same vendor is updated from the file (an ERP export
is a snapshot, re-exported every month); one held for another vendor refuses the file.
Purchase orders that take a month below what the plan leaves available are listed before
anything is written, and the file is imported only with a reason, which the audit keeps."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import cast

import pandas as pd
from sqlalchemy import Table as SqlTable
from sqlalchemy import bindparam
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import require
from alignment.company.settings import company_profile
from alignment.files import column_mapping
from alignment.files.cells import decimal_comma_evidence
from alignment.files.cells import has_ambiguous_amounts
from alignment.files.cells import name_problem
from alignment.files.cells import parse_amounts
from alignment.files.cells import parse_months
from alignment.files.column_mapping import FileColumns
from alignment.files.spreadsheet import CellProblem
from alignment.files.spreadsheet import Table
from alignment.files.spreadsheet import read_table
from alignment.files.spreadsheet import row_problem
from alignment.files.spreadsheet import source_name as default_source_name
from alignment.records.unit_of_work import writing
from alignment.shared import clock
from alignment.shared.errors import ValidationFailed
from alignment.shared.periods import month_label
from alignment.spend.commitments import CheckedCommitment
from alignment.spend.commitments import MonthOverPlan
from alignment.spend.commitments import available_cents
from alignment.spend.commitments import months_over_plan
from alignment.spend.commitments import po_key
from db.models import Channel
from db.models import Commitment
from db.models import ImportBatch

KIND = "commitments"
PROBLEMS_SHOWN = 200
CHANGES_SHOWN = 200
AUDITED = 500
CHUNK = 20_000
PROGRESS_FROM_ROWS = 10_000

COLUMNS = FileColumns(
    KIND,
    {
        "po_number": "PO number",
        "vendor": "Vendor",
        "channel": "Channel",
        "campaign": "Campaign",
        "amount": "Amount",
        "first_month": "First month",
        "last_month": "Last month",
    },
    ("po_number", "vendor", "channel", "amount", "first_month"),
    {
        "po_number": (
            "po_number",
            "po",
            "po_no",
            "purchase_order",
            "purchase_order_number",
            "order_number",
            "bestellnummer",
        ),
        "vendor": ("vendor", "supplier", "vendor_name", "supplier_name", "lieferant"),
        "channel": ("channel", "marketing_channel", "kanal", "canal", "medium"),
        "campaign": ("campaign", "campaign_name", "kampagne", "campagne"),
        "amount": (
            "amount",
            "po_amount",
            "net_amount",
            "order_amount",
            "committed",
            "value",
            "total",
            "betrag",
        ),
        "first_month": (
            "first_month",
            "from",
            "start",
            "start_month",
            "service_start",
            "period_from",
            "month",
        ),
        "last_month": ("last_month", "to", "end", "end_month", "service_end", "period_to"),
    },
)
"""The columns of a purchase order file, and the names ERP exports give them."""

Progress = Callable[[float, str], None]


@dataclass(frozen=True, order=True)
class Problem:
    """One reason the file cannot be imported, where it is: sorted by row, shown as a
    sentence that names the row and the column."""

    row: int
    text: str

    def __str__(self) -> str:
        return self.text


def _cell(row: int, column: str, value: object, reason: str) -> Problem:
    return Problem(row, str(CellProblem(row, column, str(value), reason)))


def _named(row: int, column: str, reason: str) -> Problem:
    return Problem(row, row_problem(row, column, reason))


@dataclass(frozen=True)
class FileCommitment:
    row: int
    checked: CheckedCommitment


@dataclass(frozen=True)
class CommitmentFile:
    """A purchase order file read and checked cell by cell; nothing is written yet."""

    table: Table
    source_name: str
    mapping: dict[str, str]
    lines: tuple[FileCommitment, ...]
    problems: tuple[Problem, ...]
    sha256: str


@dataclass(frozen=True)
class OverPlanOrder:
    row: int
    po_number: str
    months: tuple[MonthOverPlan, ...]

    def words(self, currency: str) -> str:
        return f"Row {self.row}, {self.po_number}: " + "; ".join(
            m.words(currency) for m in self.months
        )


@dataclass(frozen=True)
class CommitmentPreview:
    """What importing would do, before anything is written."""

    file_name: str
    source_name: str
    rows: int
    new: int
    changed: int
    unchanged: int
    problems: list[Problem]
    problem_count: int
    over_plan: list[OverPlanOrder]
    new_channels: list[str]
    changes: pd.DataFrame = field(repr=False)
    total: float = 0.0
    """The sum of every amount in the file, in the store's currency, to check against the
    ERP's own total."""
    written: bool = False

    @property
    def can_import(self) -> bool:
        return self.problem_count == 0 and self.new + self.changed > 0

    @property
    def needs_reason(self) -> bool:
        return bool(self.over_plan)

    def summary(self) -> str:
        over = (
            f", {len(self.over_plan):,} above what the plan leaves available"
            if self.over_plan
            else ""
        )
        return (
            f"{self.rows:,} purchase orders: {self.new:,} new, {self.changed:,} changed, "
            f"{self.unchanged:,} unchanged, {self.problem_count:,} with problems{over}."
        )


def remembered_mapping(session: Session, source: str) -> dict[str, str] | None:
    return column_mapping.remembered_mapping(session, KIND, source)


def read_commitment_file(
    data: bytes,
    file_name: str,
    *,
    sheet: str | None = None,
    given: dict[str, str] | None = None,
    remembered: dict[str, str] | None = None,
    source_name: str | None = None,
) -> CommitmentFile:
    """Read and check a purchase order file; MappingNeeded when its columns need mapping."""
    table = read_table(data, file_name, sheet)
    mapping = column_mapping.mapping_for(table, COLUMNS, given=given, remembered=remembered)
    lines, problems = _check_cells(table, mapping)
    return CommitmentFile(
        table=table.without_cells(),
        source_name=source_name or default_source_name(file_name),
        mapping=mapping,
        lines=tuple(lines),
        problems=tuple(problems),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _texts(frame: pd.DataFrame, header: str | None) -> list[str]:
    if header is None:
        return [""] * len(frame)
    return [unicodedata.normalize("NFC", str(v).strip()) for v in frame[header].tolist()]


def _check_cells(
    table: Table, mapping: dict[str, str]
) -> tuple[list[FileCommitment], list[Problem]]:
    frame = table.frame
    rows = [int(r) for r in frame["_row"]]
    problems: list[Problem] = []
    names = {
        name: _texts(frame, mapping.get(name))
        for name in ("po_number", "vendor", "channel", "campaign")
    }
    amount_text = frame[mapping["amount"]]
    decimal_comma = table.delimiter == ";"
    if has_ambiguous_amounts(amount_text):
        evidence = decimal_comma_evidence(amount_text)
        decimal_comma = evidence > 0 or (evidence == 0 and table.delimiter == ";")
    amounts, amount_reasons = parse_amounts(amount_text, decimal_comma)
    firsts, first_reasons = parse_months(frame[mapping["first_month"]])
    if "last_month" in mapping:
        lasts, last_reasons = parse_months(frame[mapping["last_month"]])
        last_blank = frame[mapping["last_month"]].astype("str").str.strip().eq("").tolist()
    else:
        lasts, last_reasons, last_blank = firsts, first_reasons, [True] * len(frame)
    seen: dict[str, tuple[int, str]] = {}
    lines = []
    for i, row in enumerate(rows):
        found: list[Problem] = []
        for name in ("po_number", "vendor", "channel", "campaign"):
            if name not in mapping:
                continue
            problem = name_problem(
                names[name][i], COLUMNS.labels[name].lower(), required=name in COLUMNS.required
            )
            if problem:
                found.append(_named(row, mapping[name], problem))
        text = str(amount_text.iloc[i])
        amount = amounts.iloc[i]
        if pd.notna(amount_reasons.iloc[i]):
            found.append(_cell(row, mapping["amount"], text, str(amount_reasons.iloc[i])))
        elif pd.isna(amount) or amount == 0:
            found.append(
                _cell(row, mapping["amount"], text, "is missing; a commitment is above zero")
            )
        elif amount < 0:
            found.append(
                _cell(row, mapping["amount"], text, "is negative; a commitment is above zero")
            )
        first = firsts.iloc[i]
        if pd.notna(first_reasons.iloc[i]):
            found.append(
                _cell(
                    row,
                    mapping["first_month"],
                    str(frame[mapping["first_month"]].iloc[i]),
                    str(first_reasons.iloc[i]),
                )
            )
        last = first if last_blank[i] else lasts.iloc[i]
        if not last_blank[i] and pd.notna(last_reasons.iloc[i]):
            found.append(
                _cell(
                    row,
                    mapping["last_month"],
                    str(frame[mapping["last_month"]].iloc[i]),
                    str(last_reasons.iloc[i]),
                )
            )
        elif pd.notna(first) and pd.notna(last) and str(last) < str(first):
            found.append(
                _cell(
                    row,
                    mapping["last_month"],
                    str(frame[mapping["last_month"]].iloc[i]),
                    f"is before the first month ({month_label(str(first))})",
                )
            )
        number, vendor = names["po_number"][i], names["vendor"][i]
        key = po_key(number)
        if number and key in seen:
            first_row, first_vendor = seen[key]
            if first_vendor.casefold() == vendor.casefold():
                found.append(_cell(row, mapping["po_number"], number, f"repeats row {first_row}"))
            else:
                found.append(
                    _cell(
                        row,
                        mapping["po_number"],
                        number,
                        f"is the purchase order of {first_vendor} in row {first_row}; one PO "
                        "number cannot belong to two vendors",
                    )
                )
        elif number:
            seen[key] = (row, vendor)
        if found:
            problems.extend(found)
            continue
        lines.append(
            FileCommitment(
                row,
                CheckedCommitment(
                    po_number=number,
                    vendor=vendor,
                    channel=names["channel"][i],
                    campaign=names["campaign"][i],
                    amount=int(round(float(amount) * 100)),
                    first_month=str(first),
                    last_month=str(last),
                ),
            )
        )
    return lines, problems


@dataclass
class _Comparison:
    new: list[FileCommitment]
    changed: list[tuple[FileCommitment, Commitment]]
    unchanged: int
    problems: list[Problem]
    over_plan: list[OverPlanOrder]
    channels: dict[str, int | None]
    new_channels: list[str]


def _compare(session: Session, orders: CommitmentFile) -> _Comparison:
    channels: dict[str, int | None] = {
        name.casefold(): channel_id
        for channel_id, name in session.execute(select(Channel.id, Channel.name))
    }
    new_channels: dict[str, str] = {}
    keys = {po_key(line.checked.po_number) for line in orders.lines}
    wanted = sorted(keys)
    held = {
        c.po_key: c
        for start in range(0, len(wanted), 5_000)
        for c in session.scalars(
            select(Commitment).where(Commitment.po_key.in_(wanted[start : start + 5_000]))
        )
    }
    new: list[FileCommitment] = []
    changed: list[tuple[FileCommitment, Commitment]] = []
    unchanged = 0
    problems: list[Problem] = []
    header = orders.mapping["po_number"]
    for line in orders.lines:
        checked = line.checked
        channel_key = checked.channel.casefold()
        if channel_key not in channels:
            new_channels.setdefault(channel_key, checked.channel)
        existing = held.get(po_key(checked.po_number))
        if existing is None:
            new.append(line)
            continue
        if existing.vendor.casefold() != checked.vendor.casefold():
            problems.append(
                _cell(
                    line.row,
                    header,
                    checked.po_number,
                    f"is already the purchase order of {existing.vendor}; check the number "
                    f"before committing it for {checked.vendor}",
                )
            )
            continue
        if checked.amount < existing.invoiced:
            problems.append(
                _cell(
                    line.row,
                    orders.mapping["amount"],
                    _plain(checked.amount / 100),
                    f"is below the {_plain(existing.invoiced / 100)} already invoiced "
                    f"against {existing.po_number}",
                )
            )
            continue
        same = (
            existing.amount == checked.amount
            and existing.first_month == checked.first_month
            and existing.last_month == checked.last_month
            and existing.campaign == checked.campaign
            and channels.get(channel_key) == existing.channel_id
        )
        if same:
            unchanged += 1
        else:
            changed.append((line, existing))
    over = _over_plan(session, new, changed, channels)
    return _Comparison(
        new=new,
        changed=changed,
        unchanged=unchanged,
        problems=problems,
        over_plan=over,
        channels=channels,
        new_channels=sorted(new_channels.values()),
    )


def _over_plan(
    session: Session,
    new: list[FileCommitment],
    changed: list[tuple[FileCommitment, Commitment]],
    channels: dict[str, int | None],
) -> list[OverPlanOrder]:
    """Each order of the file, in file order, against what the plan leaves once the orders
    before it are counted: the file's own orders add up, as the CMO's typed ones do."""
    lines = sorted([*new, *(line for line, _ in changed)], key=lambda line: line.row)
    months = sorted({m for line in lines for m in line.checked.months})
    ids = {c for c in (channels.get(line.checked.channel.casefold()) for line in lines) if c}
    left = available_cents(session, months, ids, leaving_out={c.id for _, c in changed})
    found = []
    for line in lines:
        channel_id = channels.get(line.checked.channel.casefold())
        months_over = months_over_plan(line.checked, channel_id, left)
        if months_over:
            found.append(OverPlanOrder(line.row, line.checked.po_number, tuple(months_over)))
        if channel_id is not None:
            for month, cents in line.checked.spread().items():
                left[(month, channel_id)] = left.get((month, channel_id), 0) - cents
    return found


def _changes(
    changed: list[tuple[FileCommitment, Commitment]], names: dict[int, str]
) -> pd.DataFrame:
    rows = []
    for line, old in changed[:CHANGES_SHOWN]:
        new = line.checked
        rows.append(
            {
                "row": line.row,
                "po_number": new.po_number,
                "was": f"{_plain(old.amount / 100)} for {names.get(old.channel_id, '')}, "
                f"{_months(old.first_month, old.last_month)}",
                "now": f"{_plain(new.amount / 100)} for {new.channel}, "
                f"{_months(new.first_month, new.last_month)}",
            }
        )
    return pd.DataFrame(rows, columns=["row", "po_number", "was", "now"])


def _plain(amount: float) -> str:
    return f"{amount:,.2f}"


def _months(first: str, last: str) -> str:
    return first if first == last else f"{first}..{last}"


def _preview(
    session: Session, orders: CommitmentFile, comparison: _Comparison
) -> CommitmentPreview:
    problems = sorted([*orders.problems, *comparison.problems])
    names = {
        channel_id: name for channel_id, name in session.execute(select(Channel.id, Channel.name))
    }
    return CommitmentPreview(
        file_name=orders.table.file_name,
        source_name=orders.source_name,
        rows=orders.table.rows,
        new=len(comparison.new),
        changed=len(comparison.changed),
        unchanged=comparison.unchanged,
        problems=problems[:PROBLEMS_SHOWN],
        problem_count=len(problems),
        over_plan=comparison.over_plan,
        new_channels=comparison.new_channels,
        changes=_changes(comparison.changed, names),
        total=sum(line.checked.amount for line in orders.lines) / 100,
    )


def preview_commitments(
    session: Session, actor: Actor, orders: CommitmentFile
) -> CommitmentPreview:
    """What importing would do: orders new, changed and unchanged, every problem, and the
    orders above what the plan leaves available."""
    require(actor, Action.COMMIT_SPEND)
    return _preview(session, orders, _compare(session, orders))


def import_commitments(
    session: Session,
    actor: Actor,
    orders: CommitmentFile,
    reason: str = "",
    progress: Progress | None = None,
) -> CommitmentPreview:
    """Write the file's new and changed purchase orders in one unit of work, or none; the
    mapping is remembered for its source in the same unit. Orders above what the plan
    leaves are written only with ``reason``, kept in each order and in the audit."""
    with writing(session, actor, Action.COMMIT_SPEND) as w:
        comparison = _compare(session, orders)
        preview = _preview(session, orders, comparison)
        if preview.problem_count:
            raise ValidationFailed(
                f"Nothing was imported: {preview.problem_count:,} problem(s), the first: "
                f"{preview.problems[0]}"
            )
        reason = (reason or "").strip()
        if preview.over_plan and not reason:
            currency = company_profile(session, actor).currency
            first = preview.over_plan[0].words(currency)
            raise ValidationFailed(
                f"Nothing was imported: {len(preview.over_plan):,} purchase order(s) are above "
                f"what the plan leaves available (the first: {first}). Give a reason to commit "
                "them all the same."
            )
        total = preview.new + preview.changed
        if total == 0:
            return preview
        report = (
            progress if progress is not None and orders.table.rows > PROGRESS_FROM_ROWS else None
        )
        now = clock.utc_second()
        batch = ImportBatch(
            kind=KIND,
            file_name=orders.table.file_name[:500],
            source_name=orders.source_name[:200],
            sha256=orders.sha256,
            rows=orders.table.rows,
            new_lines=preview.new,
            changed_lines=preview.changed,
            unchanged_lines=preview.unchanged,
            imported_by_id=actor.user_id,
            imported_at=now,
        )
        session.add(batch)
        for name in comparison.new_channels:
            session.add(Channel(name=name))
        session.flush()
        ids = {
            name.casefold(): channel_id
            for channel_id, name in session.execute(select(Channel.id, Channel.name))
        }
        over = {order.row for order in preview.over_plan}
        table = cast(SqlTable, Commitment.__table__)  # a declarative model's table is a Table
        done = 0

        def values(line: FileCommitment) -> dict[str, Any]:
            checked = line.checked
            return {
                "po_number": checked.po_number,
                "po_key": po_key(checked.po_number),
                "vendor": checked.vendor,
                "channel_id": ids[checked.channel.casefold()],
                "campaign": checked.campaign,
                "amount": checked.amount,
                "first_month": checked.first_month,
                "last_month": checked.last_month,
                "over_plan_reason": reason if line.row in over else None,
                "source_file": orders.table.file_name[:500],
                "entered_by_id": actor.user_id,
                "entered_at": now,
            }

        for start in range(0, len(comparison.new), CHUNK):
            chunk = comparison.new[start : start + CHUNK]
            session.execute(
                insert(table), [{**values(line), "invoiced": 0, "version": 1} for line in chunk]
            )
            done += len(chunk)
            if report:
                report(done / total, f"Imported {done:,} of {total:,} purchase orders")
        statement = (
            update(table)
            .where(table.c.id == bindparam("c_id"))
            .where(table.c.version == bindparam("c_version"))
            .values(
                **{name: bindparam(name) for name in values(comparison.changed[0][0])}
                if comparison.changed
                else {},
                version=table.c.version + 1,
            )
        )
        for start in range(0, len(comparison.changed), CHUNK):
            chunk_changed = comparison.changed[start : start + CHUNK]
            session.execute(
                statement,
                [
                    {**values(line), "c_id": old.id, "c_version": old.version}
                    for line, old in chunk_changed
                ],
            )
            expected = {old.id: old.version + 1 for _, old in chunk_changed}
            found = dict(
                session.execute(
                    select(table.c.id, table.c.version).where(table.c.id.in_(list(expected)))
                ).all()
            )
            if found != expected:
                raise ValidationFailed(
                    "Nothing was imported: some of these purchase orders were changed by someone "
                    "else meanwhile. Preview the file again."
                )
            done += len(chunk_changed)
            if report:
                report(done / total, f"Imported {done:,} of {total:,} purchase orders")
        column_mapping.remember_mapping(
            w, COLUMNS, orders.source_name, orders.mapping, orders.table.headers
        )
        w.record(
            "import_commitments",
            "commitments",
            batch.id,
            None,
            {
                "file": orders.table.file_name,
                "sha256": orders.sha256,
                "rows": orders.table.rows,
                "new": preview.new,
                "changed": preview.changed,
                "unchanged": preview.unchanged,
                "over_plan": [order.po_number for order in preview.over_plan][:AUDITED],
                "reason": reason if preview.over_plan else None,
                "orders": [
                    {
                        "po_number": line.checked.po_number,
                        "vendor": line.checked.vendor,
                        "amount": line.checked.amount,
                        "months": _months(line.checked.first_month, line.checked.last_month),
                    }
                    for line in [*comparison.new, *(line for line, _ in comparison.changed)][
                        :AUDITED
                    ]
                ],
                "was": [
                    {
                        "po_number": old.po_number,
                        "amount": old.amount,
                        "months": _months(old.first_month, old.last_month),
                        "channel_id": old.channel_id,
                        "campaign": old.campaign,
                    }
                    for _, old in comparison.changed[:AUDITED]
                ],
            },
        )
        session.expire_all()
        return CommitmentPreview(**{**preview.__dict__, "written": True})
