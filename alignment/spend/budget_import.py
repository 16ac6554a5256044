"""Budget import: the CMO's spreadsheet in, checked cell by cell, previewed, then all or nothing.

The flow is read -> (map headers once per source) -> preview -> apply. Applying
re-checks everything inside the write transaction, so a preview that went
stale while someone else edited can never write half an import.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import SupportsInt
from typing import TypeVar
from typing import cast

import numpy as np
import pandas as pd
from sqlalchemy import Table as SqlTable
from sqlalchemy import bindparam
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import require
from alignment.files import column_mapping
from alignment.files.cells import MAX_NAME
from alignment.files.cells import currency_marks
from alignment.files.cells import decimal_comma_evidence
from alignment.files.cells import has_ambiguous_amounts
from alignment.files.cells import in_currency
from alignment.files.cells import parse_amounts
from alignment.files.cells import parse_months
from alignment.files.column_mapping import FileColumns
from alignment.files.spreadsheet import MONTH_HEADERS
from alignment.files.spreadsheet import CellProblem
from alignment.files.spreadsheet import Table
from alignment.files.spreadsheet import read_table
from alignment.files.spreadsheet import source_name as default_source_name
from alignment.records.unit_of_work import writing
from alignment.shared import clock
from alignment.shared.errors import ValidationFailed
from alignment.shared.periods import month_label
from alignment.shared.text import NAME_CONTROL_CHARACTERS
from db import bulk
from db import queries
from db.models import BUDGET_AMOUNTS
from db.models import BUDGET_LINE_FIELDS
from db.models import BudgetLine
from db.models import Channel
from db.models import DatedFigure
from db.models import ImportBatch

KIND = "budget"
FIELDS = BUDGET_LINE_FIELDS
REQUIRED = ("month", "channel")
AMOUNTS = BUDGET_AMOUNTS
FIGURES = (*AMOUNTS, "new_customers")
DATED_FIGURES = ("actual_spend", "attributed_pipeline", "attributed_revenue")
KEY = ("month", "channel_key", "campaign")
MAX_TEXT = MAX_NAME
PROBLEMS_SHOWN = 200
CHANGES_SHOWN = 200
LINES_SHOWN = 50
"""The preview lists this many of the lines an import will write; the totals cover all."""
AUDITED_CHANGES = 500
CHUNK = 50_000
PROGRESS_FROM_ROWS = 10_000
"""Files with more rows than this report progress while they import."""

FIELD_LABELS = {
    "month": "Month",
    "channel": "Channel",
    "campaign": "Campaign",
    "planned_budget": "Planned budget",
    "actual_spend": "Actual spend",
    "attributed_pipeline": "Attributed pipeline",
    "attributed_revenue": "Attributed revenue",
    "new_customers": "New customers",
}
_ALIASES = {
    "month": MONTH_HEADERS,
    "channel": ("channel", "kanal", "canal", "medium", "channel_name"),
    "campaign": ("campaign", "kampagne", "campagne", "campaign_name"),
    "planned_budget": ("planned_budget", "budget", "plan", "planned", "planned_spend"),
    "actual_spend": ("actual_spend", "spend", "actual", "actuals", "cost", "costs"),
    "attributed_pipeline": ("attributed_pipeline", "pipeline", "pipeline_value"),
    "attributed_revenue": ("attributed_revenue", "revenue", "closed_won_revenue"),
    "new_customers": ("new_customers", "customers", "new_logos", "deals_won", "won_deals"),
}


COLUMNS = FileColumns(KIND, FIELD_LABELS, REQUIRED, _ALIASES)
"""The budget file's columns, for the one mapping kit every import uses."""
MappingNeeded = column_mapping.MappingNeeded


@dataclass(frozen=True)
class CurrencyMark:
    mark: str
    row: int
    column: str
    value: str
    cells: int


@dataclass(frozen=True)
class BudgetFile:
    """A file read and checked cell by cell; ``lines`` holds only rows without problems."""

    table: Table
    source_name: str
    mapping: dict[str, str]
    lines: pd.DataFrame
    problems: list[CellProblem]
    sha256: str
    dated: pd.DataFrame | None = None
    """Weekly or daily rows behind ``lines`` (one per day, channel and campaign), when the
    file is finer than months; ``lines`` then holds their monthly sums."""
    currencies: tuple[CurrencyMark, ...] = ()
    """Each currency symbol or code the amounts carry: where it first appears and how often."""

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(f for f in FIELDS if f in self.mapping)

    @property
    def ignored_columns(self) -> list[str]:
        used = set(self.mapping.values())
        return [h for h in self.table.headers if h not in used]


@dataclass(frozen=True)
class ImportPreview:
    file_name: str
    source_name: str
    rows: int
    fields: tuple[str, ...]
    new: int
    changed: int
    unchanged: int
    problems: list[CellProblem]
    problem_count: int
    ignored_columns: list[str]
    new_channels: list[str]
    first_month: str | None
    last_month: str | None
    changes: pd.DataFrame = field(repr=False)
    written: bool = False
    dated_rows: int = 0
    """Rows with a day (weekly or daily) rolled up into the monthly lines; 0 for monthly files."""
    totals: dict[str, float] = field(default_factory=dict)
    """Per figure in the file, the sum over every line the file holds (currency units,
    customers as counts), for the CMO to check against the spreadsheet's own totals."""
    to_write: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    """The first LINES_SHOWN lines the import will write, new or changed, as they will be
    stored (weekly rows already rolled up into months)."""

    @property
    def can_import(self) -> bool:
        return self.problem_count == 0 and self.new + self.changed > 0

    def summary(self) -> str:
        if self.dated_rows:
            lines = self.new + self.changed + self.unchanged
            return (
                f"{self.rows:,} dated rows rolled up into {lines:,} monthly lines: "
                f"{self.new:,} new, {self.changed:,} changed, {self.unchanged:,} unchanged, "
                f"{self.problem_count:,} rows with problems. The dated rows are kept for the "
                "response curves."
            )
        return (
            f"{self.rows:,} rows: {self.new:,} new, {self.changed:,} changed, "
            f"{self.unchanged:,} unchanged, {self.problem_count:,} with problems."
        )


def suggest_mapping(headers: list[str]) -> dict[str, str | None]:
    """Per SamePage column, the file header that most likely holds it (or None)."""
    return COLUMNS.suggest(headers)


def canonical_mapping(headers: list[str]) -> dict[str, str] | None:
    """The mapping when every header already is one of SamePage's columns, else None."""
    return COLUMNS.canonical(headers)


def check_mapping(mapping: dict[str, str], headers: list[str]) -> None:
    COLUMNS.check(mapping, headers)


def read_budget_file(
    data: bytes,
    file_name: str,
    *,
    sheet: str | None = None,
    mapping: dict[str, str] | None = None,
    source_name: str | None = None,
) -> BudgetFile:
    """Read and check a budget file; raises MappingNeeded when its headers need mapping."""
    return _read_mapped(read_table(data, file_name, sheet), data, mapping, None, source_name)


def _read_mapped(
    table: Table,
    data: bytes,
    given: dict[str, str] | None,
    remembered: dict[str, str] | None,
    source_name: str | None,
) -> BudgetFile:
    mapping = column_mapping.mapping_for(table, COLUMNS, given=given, remembered=remembered)
    file_name = table.file_name
    currencies = _currency_marks(table, mapping)
    lines, problems, dated = _check_cells(table, mapping)
    return BudgetFile(
        table=table.without_cells(),
        source_name=source_name or default_source_name(file_name),
        mapping=mapping,
        lines=lines,
        problems=problems,
        sha256=hashlib.sha256(data).hexdigest(),
        dated=dated,
        currencies=currencies,
    )


def _currency_marks(table: Table, mapping: dict[str, str]) -> tuple[CurrencyMark, ...]:
    found: dict[str, CurrencyMark] = {}
    for name in FIGURES:
        if name not in mapping:
            continue
        column = table.frame[mapping[name]]
        marks = currency_marks(column)
        for mark, cells in marks.value_counts().items():
            first = marks.index[marks == mark][0]
            row = int(table.frame["_row"][first])
            seen = found.get(str(mark))
            if seen is None or row < seen.row:
                cell = (row, mapping[name], str(column[first]))
            else:
                cell = (seen.row, seen.column, seen.value)
            found[str(mark)] = CurrencyMark(
                str(mark), *cell, int(cells) + (seen.cells if seen else 0)
            )
    return tuple(found.values())


def _currency_problems(budget: BudgetFile, currency: str) -> list[CellProblem]:
    """Amounts in another currency than the store's are refused: SamePage adds them up
    as they are, so euros in a dollar store would be summed as dollars."""
    return [
        CellProblem(
            m.row,
            m.column,
            m.value,
            f"is in {m.mark}, but this store keeps its figures in {currency} and SamePage "
            f"does not convert currencies ({m.cells:,} cell(s) in the file carry {m.mark}); "
            "convert the file or remove the currency marks",
        )
        for m in budget.currencies
        if not in_currency(m.mark, currency)
    ]


def _problems(
    table: Table, header: str, reasons: pd.Series, values: pd.Series
) -> list[CellProblem]:
    bad = reasons.notna()
    return [
        CellProblem(int(row), header, str(value), str(reason))
        for row, value, reason in zip(
            table.frame["_row"][bad], values[bad], reasons[bad], strict=True
        )
    ]


_Rows = TypeVar("_Rows", pd.DataFrame, pd.Series)


def _check_cells(
    table: Table, mapping: dict[str, str]
) -> tuple[pd.DataFrame, list[CellProblem], pd.DataFrame | None]:
    frame = table.frame
    problems: list[CellProblem] = []
    lines = pd.DataFrame({"_row": frame["_row"]})
    bad = pd.Series(False, index=frame.index)

    months, reasons = parse_months(frame[mapping["month"]])
    problems += _problems(table, mapping["month"], reasons, frame[mapping["month"]])
    days = _days(frame[mapping["month"]])
    del frame[mapping["month"]]
    bad |= reasons.notna()
    lines["month"] = months

    for name in ("channel", "campaign"):
        if name not in mapping:
            lines[name] = ""
            continue
        text = frame[mapping[name]].astype("str")
        unusual = ~text.str.isascii()
        if unusual.any():
            text = text.copy()
            text[unusual] = [unicodedata.normalize("NFC", v) for v in text[unusual]]
        text = text.str.replace(r"^'([=+\-@\t\r])", r"\1", regex=True)
        reasons = pd.Series(None, index=frame.index, dtype=object)
        reasons[text.str.len() > MAX_TEXT] = f"is longer than {MAX_TEXT} characters"
        reasons[text.str.contains(NAME_CONTROL_CHARACTERS.pattern, regex=True)] = (
            "contains control characters"
        )
        if name == "channel":
            reasons[text == ""] = "the channel is missing"
        problems += _problems(table, mapping[name], reasons, frame[mapping[name]])
        bad |= reasons.notna()
        lines[name] = text
        del frame[mapping[name]], text

    mapped_amounts = [frame[mapping[f]] for f in FIGURES if f in mapping]
    decimal_comma = table.delimiter == ";"
    if any(has_ambiguous_amounts(column) for column in mapped_amounts):
        evidence = sum(decimal_comma_evidence(column) for column in mapped_amounts)
        decimal_comma = evidence > 0 or (evidence == 0 and table.delimiter == ";")
    del mapped_amounts
    for name in FIGURES:
        if name not in mapping:
            continue
        numbers, reasons = parse_amounts(frame[mapping[name]], decimal_comma)
        reasons = reasons.copy()
        reasons[numbers < 0] = "is negative; figures cannot be below zero"
        if name == "new_customers":
            fractional = numbers.notna() & (numbers != np.floor(numbers))
            reasons[fractional & reasons.isna()] = "is not a whole number of customers"
            lines[name] = numbers.round().astype("Int64")
        else:
            lines[name] = (numbers * 100).round().astype("Int64")
        problems += _problems(table, mapping[name], reasons, frame[mapping[name]])
        bad |= reasons.notna()
        del frame[mapping[name]], numbers

    lines["channel_key"] = lines["channel"].str.lower()
    dated = days is not None and _finer_than_months(_good(lines, bad), _good(days, bad))
    key = list(KEY)
    if dated and days is not None:
        lines["day"] = days.dt.date
        key = ["day", "channel_key", "campaign"]
    keyed = _good(lines, bad)
    repeated = keyed.duplicated(subset=key, keep="first")
    if repeated.any():
        first_rows = keyed.groupby(key, sort=False)["_row"].transform("first")
        for row, first, month, channel in zip(
            keyed["_row"][repeated],
            first_rows[repeated],
            keyed["month"][repeated],
            keyed["channel"][repeated],
            strict=True,
        ):
            problems.append(
                CellProblem(
                    int(row),
                    mapping["month"],
                    f"{month} {channel}",
                    f"repeats row {int(first)}: the same {'day' if dated else 'month'}, "
                    "channel and campaign twice",
                )
            )
        bad[keyed.index[repeated]] = True
    problems.sort(key=lambda p: (p.row, FIELDS.index(_field_of(p.column, mapping))))
    good = _good(lines, bad).reset_index(drop=True)
    if not dated:
        return good, problems, None
    return _monthly_sums(good, [f for f in FIGURES if f in mapping]), problems, good


def _good(rows: _Rows, bad: pd.Series) -> _Rows:
    """The rows without a problem; the same rows, not a copy, when none has one (a million
    lines copied costs over 100 MB)."""
    return rows[~bad] if bad.any() else rows


def _days(values: pd.Series) -> pd.Series | None:
    """ISO dates per cell; None, without parsing, when every cell is at most a month long
    (``2026-03``), which keeps the usual monthly file off the slower date parsing."""
    text = values.astype("str").str.strip()
    if not (text.str.len() > len("2026-03")).any():
        return None
    return pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")


def _finer_than_months(lines: pd.DataFrame, days: pd.Series) -> bool:
    """A file is weekly (or daily) when every row has an ISO date and some month holds more
    than one date for the same channel and campaign."""
    if lines.empty or days.isna().any():
        return False
    keyed = lines[list(KEY)].assign(day=days.to_numpy())
    return bool(keyed.groupby(list(KEY), sort=False)["day"].nunique().gt(1).any())


def _monthly_sums(dated: pd.DataFrame, figures: list[str]) -> pd.DataFrame:
    """Each calendar month's lines as the sums of the dated rows that fall in it."""
    grouped = dated.groupby(list(KEY), sort=False)
    lines = grouped.agg(_row=("_row", "first"), channel=("channel", "first")).reset_index()
    for name in figures:
        lines[name] = grouped[name].sum(min_count=1).astype("Int64").to_numpy()
    return lines[["_row", "month", "channel", "campaign", *figures, "channel_key"]]


def _field_of(header: str, mapping: dict[str, str]) -> str:
    return next((f for f, h in mapping.items() if h == header), "month")


def remembered_mapping(session: Session, source: str) -> dict[str, str] | None:
    return column_mapping.remembered_mapping(session, KIND, source)


def read_for_import(
    data: bytes,
    file_name: str,
    *,
    sheet: str | None = None,
    given: dict[str, str] | None = None,
    remembered: dict[str, str] | None = None,
    source_name: str | None = None,
) -> BudgetFile:
    """Read a budget file with the mapping kit's one rule for which mapping wins
    (``column_mapping.mapping_for``), for the page and the CLI."""
    table = read_table(data, file_name, sheet)
    return _read_mapped(table, data, given or None, remembered, source_name)


def import_budget(
    session: Session, actor: Actor, budget: BudgetFile, progress: Progress | None = None
) -> ImportPreview:
    """The import as a person runs it: write the file's lines and, when its columns are not
    the standard ones, remember its mapping under its source, both in one unit of work, so
    a refused import remembers nothing."""
    with writing(session, actor, Action.ENTER_FIGURES) as w:
        result = apply_import(session, actor, budget, progress)
        column_mapping.remember_mapping(
            w, COLUMNS, budget.source_name, budget.mapping, budget.table.headers
        )
        return result


def remember_mapping(session: Session, actor: Actor, source: str, mapping: dict[str, str]) -> None:
    """Remember how a source's columns map, so its next file maps itself."""
    with writing(session, actor, Action.ENTER_FIGURES) as w:
        column_mapping.remember_mapping(w, COLUMNS, source, mapping)


@dataclass
class _Comparison:
    new: pd.DataFrame
    changed: pd.DataFrame
    unchanged: int
    problems: list[CellProblem]
    channels: dict[str, str]
    new_channels: list[str]
    changes: pd.DataFrame


def _compare(session: Session, budget: BudgetFile) -> _Comparison:
    lines = budget.lines
    fields = [f for f in FIGURES if f in budget.mapping]
    channels = {name.lower(): name for name in session.scalars(select(Channel.name))}
    new_channels: dict[str, str] = {}
    for name in lines["channel"].drop_duplicates():
        if name.lower() not in channels and name.lower() not in new_channels:
            new_channels[name.lower()] = name
    months = sorted(lines["month"].unique())
    existing = queries.budget_lines_frame(session, months)
    locked = set(queries.reconciled_months(session)) & set(months)
    foreign = _currency_problems(budget, queries.store_currency(session))
    if existing.empty:
        return _Comparison(
            new=lines,
            changed=lines.iloc[0:0],
            unchanged=0,
            problems=foreign + _locked_problems(lines, locked, budget.mapping["month"]),
            channels={**channels, **new_channels},
            new_channels=sorted(new_channels.values()),
            changes=_changes(lines.iloc[0:0], []),
        )
    existing["channel_key"] = existing["channel"].str.lower()
    merged = lines.merge(
        existing.drop(columns=["channel"]),
        on=list(KEY),
        how="left",
        suffixes=("", "_old"),
        indicator=True,
    )
    is_new = merged["_merge"] == "left_only"
    differs = pd.Series(False, index=merged.index)
    for name in fields:
        new_value, old_value = merged[name], merged[f"{name}_old"].astype("Int64")
        differs |= ~((new_value == old_value).fillna(False) | (new_value.isna() & old_value.isna()))
    is_changed = ~is_new & differs

    problems = foreign + _locked_problems(
        merged[is_new | is_changed], locked, budget.mapping["month"]
    )

    changed = merged[is_changed]
    return _Comparison(
        new=merged[is_new],
        changed=changed,
        unchanged=int((~is_new & ~differs).sum()),
        problems=problems,
        channels={**channels, **new_channels},
        new_channels=sorted(new_channels.values()),
        changes=_changes(changed, fields),
    )


def _locked_problems(lines: pd.DataFrame, locked: set[str], header: str) -> list[CellProblem]:
    """Lines that would change a month finance has reconciled: refused until it is reopened."""
    if not locked:
        return []
    blocked = lines[lines["month"].isin(locked)]
    return [
        CellProblem(
            int(row),
            header,
            month,
            f"falls in {month_label(month)}, which finance has reconciled and locked; "
            "ask the CFO to reopen the month",
        )
        for row, month in zip(blocked["_row"], blocked["month"], strict=True)
    ]


def _changes(changed: pd.DataFrame, fields: list[str]) -> pd.DataFrame:
    """Changed cells, old and new side by side, in currency units, for people to read."""
    parts = []
    for name in fields:
        old, new = changed[f"{name}_old"].astype("Int64"), changed[name]
        moved = changed[~((old == new).fillna(False) | (old.isna() & new.isna()))]
        scale = 1 if name == "new_customers" else 100
        parts.append(
            pd.DataFrame(
                {
                    "row": moved["_row"],
                    "month": moved["month"],
                    "channel": moved["channel"],
                    "campaign": moved["campaign"],
                    "figure": FIELD_LABELS[name],
                    "old": moved[f"{name}_old"].astype("Float64") / scale,
                    "new": moved[name].astype("Float64") / scale,
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=["row", "month", "channel", "campaign", "figure", "old", "new"])
    return (
        pd.concat(parts).sort_values(["row", "figure"]).head(CHANGES_SHOWN).reset_index(drop=True)
    )


def _preview(budget: BudgetFile, comparison: _Comparison, written: bool) -> ImportPreview:
    problems = sorted(budget.problems + comparison.problems, key=lambda p: p.row)
    months = budget.lines["month"]
    return ImportPreview(
        file_name=budget.table.file_name,
        source_name=budget.source_name,
        rows=budget.table.rows,
        fields=budget.fields,
        new=len(comparison.new),
        changed=len(comparison.changed),
        unchanged=comparison.unchanged,
        problems=problems[:PROBLEMS_SHOWN],
        problem_count=len(problems),
        ignored_columns=budget.ignored_columns,
        new_channels=comparison.new_channels,
        first_month=months.min() if len(months) else None,
        last_month=months.max() if len(months) else None,
        changes=comparison.changes,
        written=written,
        dated_rows=0 if budget.dated is None else len(budget.dated),
        totals=_totals(budget.lines, budget.fields),
        to_write=_to_write(comparison, budget.fields),
    )


def _in_units(values: pd.Series, name: str) -> pd.Series:
    return values.astype("Float64") / (1 if name == "new_customers" else 100)


def _totals(lines: pd.DataFrame, fields: tuple[str, ...]) -> dict[str, float]:
    return {
        name: float(_in_units(lines[name], name).sum())
        for name in FIGURES
        if name in fields and name in lines
    }


def _to_write(comparison: _Comparison, fields: tuple[str, ...]) -> pd.DataFrame:
    shown = [name for name in FIGURES if name in fields]
    parts = [
        frame.head(LINES_SHOWN).assign(what=what)
        for frame, what in ((comparison.new, "new"), (comparison.changed, "changed"))
    ]
    lines = pd.concat(parts).sort_values("_row").head(LINES_SHOWN)
    return pd.DataFrame(
        {
            "what": lines["what"],
            "month": lines["month"],
            "channel": lines["channel"],
            "campaign": lines["campaign"],
            **{name: _in_units(lines[name], name) for name in shown},
        }
    ).reset_index(drop=True)


def preview_import(session: Session, actor: Actor, budget: BudgetFile) -> ImportPreview:
    """What importing would do: rows new, changed and unchanged, and every problem."""
    require(actor, Action.ENTER_FIGURES)
    return _preview(budget, _compare(session, budget), written=False)


Progress = Callable[[float, str], None]


def apply_import(
    session: Session, actor: Actor, budget: BudgetFile, progress: Progress | None = None
) -> ImportPreview:
    """Write the file's new and changed lines in one transaction, or nothing at all."""
    with writing(session, actor, Action.ENTER_FIGURES) as w:
        comparison = _compare(session, budget)
        preview = _preview(budget, comparison, written=False)
        if preview.problem_count:
            session.rollback()
            first = preview.problems[0]
            raise ValidationFailed(
                f"Nothing was imported: {preview.problem_count:,} cell(s) have problems, "
                f"the first: {first}"
            )
        if preview.new + preview.changed == 0 and budget.dated is None:
            return preview
        report = (
            progress if progress is not None and budget.table.rows > PROGRESS_FROM_ROWS else None
        )
        now = clock.utc_second()
        batch = ImportBatch(
            kind=KIND,
            file_name=budget.table.file_name,
            source_name=budget.source_name,
            sha256=budget.sha256,
            rows=budget.table.rows,
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
        channel_ids = {name: id_ for name, id_ in session.execute(select(Channel.name, Channel.id))}
        ids = {
            key: channel_ids[name]
            for key, name in comparison.channels.items()
            if name in channel_ids
        }
        fields = [f for f in FIGURES if f in budget.mapping]
        provenance = {
            "source": "imported",
            "source_file": budget.table.file_name[:500],
            "import_id": batch.id,
            "entered_by_id": actor.user_id,
            "entered_at": now,
        }
        total = preview.new + preview.changed
        done = 0
        new = comparison.new
        constants = {**provenance, "reconciled": False, "version": 1}
        columns = ["month", "channel_id", "campaign", *fields]
        for start in range(0, len(new), CHUNK):
            chunk = new.iloc[start : start + CHUNK]
            values = [
                chunk["month"].tolist(),
                chunk["channel_key"].map(ids).tolist(),
                chunk["campaign"].tolist(),
                *(_nullable(chunk[name]) for name in fields),
            ]
            bulk.insert_budget_lines(session, columns, list(zip(*values, strict=True)), constants)
            done += len(chunk)
            if report:
                report(done / total, f"Imported {done:,} of {total:,} lines")
        changed = comparison.changed
        table = cast(SqlTable, BudgetLine.__table__)  # a declarative model's table is a Table
        for start in range(0, len(changed), CHUNK):
            chunk = changed.iloc[start : start + CHUNK]
            rows = [
                {
                    "b_id": int(i),
                    "b_version": int(v),
                    **{n: x for n, x in zip(fields, xs, strict=True)},
                }
                for i, v, *xs in zip(
                    chunk["id"],
                    chunk["version"],
                    *(_nullable(chunk[n]) for n in fields),
                    strict=True,
                )
            ]
            statement = (
                update(table)
                .where(table.c.id == bindparam("b_id"))
                .where(table.c.version == bindparam("b_version"))
                .values(
                    **{n: bindparam(n) for n in fields},
                    **provenance,
                    version=table.c.version + 1,
                )
            )
            session.execute(statement, rows)
            done += len(chunk)
            if report:
                report(done / total, f"Imported {done:,} of {total:,} lines")
        if budget.dated is not None:
            _replace_dated(session, budget.dated, ids, batch.id)
        written = session.scalar(
            select(func.count()).select_from(BudgetLine).where(BudgetLine.import_id == batch.id)
        )
        if written != total:
            raise ValidationFailed(
                "Nothing was imported: some of these lines were changed by someone else while the "
                "file was being imported. Preview the file again to see their figures."
            )
        w.record(
            "import",
            "budget_lines",
            batch.id,
            None,
            {
                "file": budget.table.file_name,
                "sha256": budget.sha256,
                "rows": budget.table.rows,
                "new": preview.new,
                "changed": preview.changed,
                "unchanged": preview.unchanged,
                "changes": _audited_changes(comparison, fields),
            },
        )
        return _preview(budget, comparison, written=True)


def _replace_dated(
    session: Session, dated: pd.DataFrame, ids: dict[str, int], import_id: int
) -> None:
    """The file's dated rows replace those kept for the same channels, campaigns and months."""
    months = sorted(dated["month"].unique())
    for key, campaign in (
        dated[["channel_key", "campaign"]].drop_duplicates().itertuples(index=False)
    ):
        session.execute(
            delete(DatedFigure)
            .where(DatedFigure.channel_id == ids[key])
            .where(DatedFigure.campaign == campaign)
            .where(DatedFigure.month.in_(months))
        )
    figures = [f for f in DATED_FIGURES if f in dated.columns]
    columns = {
        "day": dated["day"].tolist(),
        "month": dated["month"].tolist(),
        "channel_id": dated["channel_key"].map(ids).tolist(),
        "campaign": dated["campaign"].tolist(),
        **{name: _nullable(dated[name]) for name in figures},
    }
    rows = [
        {**dict(zip(columns, values, strict=True)), "import_id": import_id}
        for values in zip(*columns.values(), strict=True)
    ]
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(DatedFigure), rows[start : start + CHUNK])


def _nullable(column: pd.Series) -> list[int | None]:
    return column.astype("Int64").to_numpy(dtype=object, na_value=None).tolist()


def _audited_changes(comparison: _Comparison, fields: list[str]) -> list[dict[str, object]]:
    changes = []
    for row in comparison.changed.head(AUDITED_CHANGES).itertuples(index=False):
        old = {f: _plain(getattr(row, f"{f}_old")) for f in fields}
        new = {f: _plain(getattr(row, f)) for f in fields}
        changes.append(
            {
                "line": int(row.id),
                "month": row.month,
                "channel": row.channel,
                "campaign": row.campaign,
                "old": old,
                "new": new,
            }
        )
    return changes


def _plain(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(cast(SupportsInt, value))
