"""Budget lines as people read, edit and export them: month x channel x campaign."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import pandas as pd
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import require
from alignment.company.settings import company_profile
from alignment.files.cells import is_blank
from alignment.files.cells import name_problem
from alignment.files.cells import parse_months
from alignment.files.cells import typed_figure
from alignment.records.unit_of_work import Write
from alignment.records.unit_of_work import writing
from alignment.shared import clock
from alignment.shared import formatting
from alignment.shared.errors import EditedMeanwhile
from alignment.shared.errors import ValidationFailed
from alignment.shared.money import from_cents
from alignment.shared.periods import Period
from alignment.shared.periods import add_months
from alignment.shared.periods import fiscal_year_start
from alignment.shared.periods import month_label
from alignment.spend.budget_import import AMOUNTS
from alignment.spend.budget_import import FIELDS
from db import queries
from db.models import Baseline
from db.models import BudgetLine
from db.models import Channel
from db.models import User

EXPORT_COLUMNS = list(FIELDS)
AMOUNT_COLUMNS = [*AMOUNTS[:1], "baseline_budget", *AMOUNTS[1:]]
"""The money columns of the listing: the fields that are money, and the locked baseline
beside the plan."""
LISTING_COLUMNS = [
    "id",
    *FIELDS[:4],
    "baseline_budget",
    *FIELDS[4:],
    "source",
    "source_file",
    "entered_by",
    "entered_at",
    "version",
]


def channels(session: Session, actor: Actor) -> list[str]:
    require(actor, Action.VIEW)
    return queries.channel_names(session)


def count_lines(
    session: Session, actor: Actor, period: Period, channel_names: list[str] | None = None
) -> int:
    require(actor, Action.VIEW)
    return queries.budget_lines_count(session, period.first, period.last, channel_names)


def budget_lines(
    session: Session,
    actor: Actor,
    period: Period,
    channel_names: list[str] | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """The period's lines with provenance; money in currency units (float), n/a as NaN."""
    require(actor, Action.VIEW)
    rows = queries.budget_lines_listing(session, period.first, period.last, channel_names, limit)
    frame = pd.DataFrame(rows, columns=LISTING_COLUMNS)
    for column in AMOUNT_COLUMNS:
        frame[column] = frame[column].astype("Float64") / 100
    frame["new_customers"] = frame["new_customers"].astype("Int64")
    return frame


def export_frame(
    session: Session, actor: Actor, period: Period, channel_names: list[str] | None = None
) -> pd.DataFrame:
    """The canonical budget file columns, ready to save as CSV or XLSX and import again."""
    frame = budget_lines(session, actor, period, channel_names)
    return (
        frame[EXPORT_COLUMNS].sort_values(["month", "channel", "campaign"]).reset_index(drop=True)
    )


EDITABLE = FIELDS
MONEY = AMOUNTS
LABELS = {
    "month": "month",
    "channel": "channel",
    "campaign": "campaign",
    "planned_budget": "planned budget",
    "actual_spend": "actual spend",
    "attributed_pipeline": "attributed pipeline",
    "attributed_revenue": "attributed revenue",
    "new_customers": "new customers",
}


@dataclass(frozen=True)
class LineEdit:
    """New values for some fields of a line, against the version the editor saw."""

    line_id: int
    version: int
    values: dict[str, Any]


@dataclass(frozen=True)
class LineRemoval:
    line_id: int
    version: int


@dataclass(frozen=True)
class BudgetChanges:
    edits: list[LineEdit] = field(default_factory=list)
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[LineRemoval] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.edits or self.added or self.removed)


@dataclass(frozen=True)
class SaveResult:
    """What one save of the grid did."""

    updated: int
    added: int
    removed: int

    @property
    def summary(self) -> str:
        return f"Saved: {self.updated} changed, {self.added} added, {self.removed} removed."


@dataclass(frozen=True)
class Conflict:
    line: str
    figure: str
    yours: str
    theirs: str
    by: str

    def __str__(self) -> str:
        return (
            f"{self.line}: {self.by} changed {self.figure} to {self.theirs} while you were "
            f"editing (you entered {self.yours})"
        )


class SaveConflict(EditedMeanwhile):
    """Someone saved the same line first; nothing of this save was written."""

    def __init__(self, conflicts: list[Conflict]) -> None:
        self.conflicts = conflicts
        shown = "; ".join(str(c) for c in conflicts[:3])
        more = f" (and {len(conflicts) - 3} more)" if len(conflicts) > 3 else ""
        super().__init__(
            f"Nothing was saved. {shown}{more}. The figures below are as saved now; make your "
            "change again."
        )


def _clean(values: dict[str, Any], where: str, problems: list[str]) -> dict[str, Any]:
    """One line's edited values, checked and converted to what the store keeps."""
    clean: dict[str, Any] = {}
    for name, value in values.items():
        if name not in EDITABLE:
            continue
        label = LABELS[name]
        if name == "month":
            text = "" if value is None else str(value).strip()
            months, reasons = parse_months(pd.Series([text]))
            if pd.notna(reasons[0]):
                problems.append(f"{where}: the month '{text}' {reasons[0]}")
            else:
                clean[name] = months[0]
        elif name in ("channel", "campaign"):
            text = "" if value is None or is_blank(value) else str(value).strip()
            problem = name_problem(text, label, required=name == "channel")
            if problem:
                problems.append(f"{where}: {problem}")
            else:
                clean[name] = unicodedata.normalize("NFC", text)
        else:
            figure, problem = typed_figure(value, label, whole=name == "new_customers")
            if problem:
                problems.append(f"{where}: {problem}")
            else:
                clean[name] = figure
    return clean


def _describe(line: BudgetLine) -> str:
    campaign = f" / {line.campaign}" if line.campaign else ""
    return f"{line.channel.name}{campaign}, {month_label(line.month)}"


def _display(name: str, value: Any, currency: str) -> str:
    if value is None:
        return "empty"
    if name in MONEY:
        return formatting.money_exact(from_cents(value), currency)
    return str(value)


def save_changes(session: Session, actor: Actor, changes: BudgetChanges) -> SaveResult:
    """Check every cell, then write every edit, addition and removal, or none of them."""
    with writing(session, actor, Action.ENTER_FIGURES) as w:
        problems: list[str] = []
        edits = [
            (edit, _clean(edit.values, f"Line {edit.line_id}", problems)) for edit in changes.edits
        ]
        added = [
            _clean(values, f"New line {n}", problems) for n, values in enumerate(changes.added, 1)
        ]
        for n, values in enumerate(added, 1):
            for required in ("month", "channel"):
                if required not in values and not any(
                    f"New line {n}: the {required}" in p for p in problems
                ):
                    problems.append(f"New line {n}: the {required} is missing")
        if problems:
            raise ValidationFailed("Nothing was saved: " + "; ".join(problems) + ".")

        currency = company_profile(session, actor).currency
        locked = set(queries.reconciled_months(session))
        conflicts: list[Conflict] = []
        lines: dict[int, BudgetLine] = {}
        expected = [(e.line_id, e.version, c) for e, c in edits]
        expected += [(r.line_id, r.version, {}) for r in changes.removed]
        for line_id, version, edited in expected:
            line = session.get(BudgetLine, line_id)
            if line is None:
                raise EditedMeanwhile(
                    f"Nothing was saved: line {line_id} was removed by someone else while "
                    "you were editing. The figures below are as saved now."
                )
            lines[line_id] = line
            if line.version == version:
                continue
            who = _who(session, line)
            for name in list(edited)[:3] or ["actual_spend"]:
                theirs = line.channel.name if name == "channel" else getattr(line, name)
                conflicts.append(
                    Conflict(
                        _describe(line),
                        LABELS[name],
                        _display(name, edited.get(name), currency) if edited else "its removal",
                        _display(name, theirs, currency),
                        who,
                    )
                )
        if conflicts:
            raise SaveConflict(conflicts)

        try:
            _write(w, edits, added, changes.removed, lines, locked)
        except IntegrityError:
            raise ValidationFailed(
                "Nothing was saved: two lines would have the same month, channel and campaign."
            ) from None
        except StaleDataError:
            raise ValidationFailed(
                "Nothing was saved: someone else changed these lines at the same moment; "
                "reload the figures and make your change again."
            ) from None
        return SaveResult(updated=len(edits), added=len(added), removed=len(changes.removed))


def _write(
    w: Write,
    edits: list[tuple[LineEdit, dict[str, Any]]],
    added: list[dict[str, Any]],
    removed: list[LineRemoval],
    lines: dict[int, BudgetLine],
    locked: set[str],
) -> None:
    session, actor = w.session, w.actor
    now = clock.utc_second()
    for edit, values in edits:
        line = lines[edit.line_id]
        old = _snapshot(line)
        if line.month in locked or values.get("month", line.month) in locked:
            raise _locked(session, line.month if line.month in locked else values["month"])
        _apply(session, line, values)
        new = _snapshot(line)
        if old == new:
            continue
        line.source, line.source_file, line.import_id = "typed", None, None
        line.entered_by_id, line.entered_at = actor.user_id, now
        w.record("edit", "budget_line", line.id, _diff(old, new), _diff(new, old))
    for values in added:
        if values["month"] in locked:
            raise _locked(session, values["month"])
        line = BudgetLine(
            source="typed", entered_by_id=actor.user_id, entered_at=now, reconciled=False
        )
        _apply(session, line, values)
        session.add(line)
        session.flush()
        w.record("add", "budget_line", line.id, None, _snapshot(line))
    for removal in removed:
        line = lines[removal.line_id]
        if line.month in locked:
            raise _locked(session, line.month)
        w.record("remove", "budget_line", line.id, _snapshot(line), None)
        session.delete(line)
    session.flush()


def _who(session: Session, line: BudgetLine) -> str:
    user = session.get(User, line.entered_by_id) if line.entered_by_id else None
    return user.name if user else "someone else"


def _locked(session: Session, month: str) -> ValidationFailed:
    return ValidationFailed(
        f"Nothing was saved: {month_label(month)} is reconciled by finance and locked; ask the "
        "CFO to reopen it."
    )


def _apply(session: Session, line: BudgetLine, values: dict[str, Any]) -> None:
    for name, value in values.items():
        if name == "channel":
            line.channel_id = _channel_id(session, value)
        else:
            setattr(line, name, value)


def _channel_id(session: Session, name: str) -> int:
    existing = session.scalar(select(Channel).where(func.lower(Channel.name) == name.lower()))
    if existing is None:
        existing = Channel(name=name)
        session.add(existing)
        session.flush()
    return existing.id


def _snapshot(line: BudgetLine) -> dict[str, Any]:
    return {
        "month": line.month,
        "channel_id": line.channel_id,
        "campaign": line.campaign,
        **{name: getattr(line, name) for name in (*MONEY, "new_customers")},
    }


def _diff(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in a.items() if b.get(k) != v}


STALE_AFTER_DAYS = 35
"""A month whose figures nobody touched for this long, and that finance has not
reconciled, is flagged as possibly out of date."""


def month_freshness(
    session: Session, actor: Actor, period: Period, today: dt.date | None = None
) -> pd.DataFrame:
    """Per month: when its figures were last updated, by whom, how, and whether that is stale."""
    require(actor, Action.VIEW)
    today = today or clock.today()
    reconciled = set(queries.reconciled_months(session))
    rows = queries.month_updates(session, period.first, period.last)
    records = []
    for row in rows:
        age = (today - row.last_updated.date()).days
        source = (
            "imported"
            if row.imported == row.lines
            else "typed"
            if row.typed == row.lines
            else "mixed"
        )
        records.append(
            {
                "month": row.month,
                "lines": int(row.lines),
                "last_updated": row.last_updated,
                "updated_by": row.updated_by,
                "source": source,
                "days_since_update": age,
                "reconciled": row.month in reconciled,
                "stale": age > STALE_AFTER_DAYS and row.month not in reconciled,
            }
        )
    columns = [
        "month",
        "lines",
        "last_updated",
        "updated_by",
        "source",
        "days_since_update",
        "reconciled",
        "stale",
    ]
    return pd.DataFrame.from_records(records, columns=columns)


@dataclass(frozen=True)
class BaselineLock:
    first_month: str
    last_month: str
    lines: int


def lock_baseline(
    session: Session, actor: Actor, month: str, fiscal_year_start_month: int | None = None
) -> BaselineLock:
    """Lock the planned budget of the fiscal year containing ``month`` as its baseline.

    Later re-plans change planned_budget only; the baseline stays beside them.
    """
    with writing(session, actor, Action.LOCK_BASELINE) as w:
        start = fiscal_year_start_month or company_profile(session, actor).fiscal_year_start_month
        first = fiscal_year_start(month, start)
        last = add_months(first, 11)
        if session.scalar(select(Baseline).where(Baseline.first_month == first)) is not None:
            raise ValidationFailed(
                f"The baseline for the fiscal year {month_label(first)} – {month_label(last)} is "
                "already locked; re-plans change the current plan, never the baseline."
            )
        lines = queries.lock_baseline_lines(session, first, last)
        if lines == 0:
            raise ValidationFailed(
                f"There is no planned budget between {month_label(first)} and {month_label(last)} "
                "to lock."
            )
        session.add(Baseline(first_month=first, last_month=last, locked_by_id=actor.user_id))
        w.record(
            "lock_baseline",
            "baseline",
            first,
            None,
            {"first_month": first, "last_month": last, "lines": lines},
        )
        return BaselineLock(first, last, lines)


def locked_baselines(session: Session, actor: Actor) -> list[tuple[str, str]]:
    require(actor, Action.VIEW)
    return [
        (b.first_month, b.last_month)
        for b in session.scalars(select(Baseline).order_by(Baseline.first_month))
    ]


def changes_from_editor(frame: pd.DataFrame, state: Mapping[str, Any]) -> BudgetChanges:
    """Turn a grid editor's edited, added and deleted rows into changes to save.

    ``frame`` is the listing the grid showed (with ``id`` and ``version``), so each
    edit carries the version the person saw and a conflict can be told apart.
    """
    edits = []
    for position, values in (state.get("edited_rows") or {}).items():
        row = frame.iloc[int(position)]
        kept = {k: v for k, v in values.items() if k in EDITABLE}
        if kept:
            edits.append(LineEdit(int(row["id"]), int(row["version"]), kept))
    added = []
    for values in state.get("added_rows") or []:
        kept = {k: v for k, v in values.items() if k in EDITABLE}
        if any(not is_blank(v) for v in kept.values()):
            added.append(kept)
    removed = [
        LineRemoval(int(frame.iloc[int(p)]["id"]), int(frame.iloc[int(p)]["version"]))
        for p in state.get("deleted_rows") or []
    ]
    return BudgetChanges(edits=edits, added=added, removed=removed)
