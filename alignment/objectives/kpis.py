"""The KPI tree: every activity KPI feeds a result KPI that feeds revenue.

A KPI's parent is the KPI it feeds; a parent in another unit needs a conversion
(how one of the child becomes the parent's unit). Monthly targets and actuals
are entered on the page or imported, all or nothing, like budget figures.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import pandas as pd
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import require
from alignment.definitions.success import KPI_PREFIX
from alignment.files.cells import name_problem
from alignment.files.cells import parse_amounts
from alignment.files.cells import parse_months
from alignment.files.spreadsheet import MONTH_HEADERS
from alignment.files.spreadsheet import CellProblem
from alignment.files.spreadsheet import find_columns
from alignment.files.spreadsheet import read_table
from alignment.files.spreadsheet import row_problem
from alignment.records.data_version import ReadCache
from alignment.records.unit_of_work import writing
from alignment.shared import metrics
from alignment.shared.errors import EditedMeanwhile
from alignment.shared.errors import InvalidPeriod
from alignment.shared.errors import ValidationFailed
from alignment.shared.periods import Period
from alignment.shared.periods import add_months
from alignment.shared.periods import current_month
from alignment.shared.periods import month_label
from alignment.shared.periods import parse_month
from alignment.shared.periods import short_month_label
from alignment.shared.status import LOOKS
from alignment.shared.text import MAX_DESCRIPTION
from alignment.shared.text import MAX_KPI_NAME
from alignment.shared.text import MAX_SHORT_TEXT
from alignment.shared.text import MAX_TITLE
from alignment.shared.views import view_of
from db import queries
from db.models import Goal
from db.models import GoalKpi
from db.models import Kpi
from db.models import KpiValue
from db.models import SuccessDefinitionVersion

KINDS = ("activity", "result", "financial")
DIRECTIONS = ("higher", "lower")
AGGREGATIONS = ("sum", "average", "last")
STATUS_TOLERANCE = 0.1
"""A KPI within 10 % of its target reads amber; definitions of success set their own band."""


@dataclass(frozen=True)
class KpiInfo:
    """A KPI's definition, without its figures."""

    id: int
    name: str
    unit: str
    direction: str
    kind: str
    aggregation: str
    parent_id: int | None
    parent_factor: float | None
    conversion_label: str
    funnel_stage: int | None
    description: str


_KIND_ORDER = {"financial": 0, "result": 1, "activity": 2}
"""Revenue at the top of the page, activities last, as the tree is read."""


@dataclass
class KpiNode:
    kpi: KpiInfo
    children: list[KpiNode] = field(default_factory=list)
    depth: int = 0


@dataclass(frozen=True)
class KpiPeriodValue:
    kpi: KpiInfo
    target: float | None
    actual: float | None
    status: str | None
    reported: tuple[str, ...] = ()
    """The period's months with an actual: the only months the status compares."""
    months: tuple[str, ...] = ()
    """Every month of the period."""

    @property
    def partly_reported(self) -> bool:
        """Some, not all, of the period's months have an actual: the status covers those."""
        return 0 < len(self.reported) < len(self.months)


@dataclass(frozen=True)
class KpiInput:
    name: str
    unit: str
    direction: str
    kind: str
    aggregation: str = "sum"
    parent_id: int | None = None
    parent_factor: Any = None
    conversion_label: str = ""
    funnel_stage: Any = None
    description: str = ""


class CycleError(ValidationFailed):
    pass


def find_cycle(parents: Mapping[int, int | None]) -> list[int] | None:
    """A chain of KPI ids that leads back to itself, or None when the tree is sound."""
    for start in parents:
        seen: list[int] = []
        node: int | None = start
        while node is not None:
            if node in seen:
                return seen[seen.index(node) :]
            seen.append(node)
            node = parents.get(node)
    return None


def would_create_cycle(
    parents: Mapping[int, int | None], kpi_id: int, parent_id: int | None
) -> bool:
    if parent_id is None:
        return False
    return find_cycle({**parents, kpi_id: parent_id}) is not None


def build_tree(kpis: list[KpiInfo]) -> list[KpiNode]:
    """The KPIs as a forest: roots first, children in name order, each with its depth."""
    cycle = find_cycle({k.id: k.parent_id for k in kpis})
    if cycle:
        names = {k.id: k.name for k in kpis}
        raise CycleError("The KPI tree loops: " + " -> ".join(names[i] for i in cycle) + ".")
    nodes = {k.id: KpiNode(k) for k in kpis}
    roots = []
    for kpi in sorted(kpis, key=lambda k: (_KIND_ORDER.get(k.kind, 9), k.name)):
        if kpi.parent_id is not None and kpi.parent_id in nodes:
            nodes[kpi.parent_id].children.append(nodes[kpi.id])
        else:
            roots.append(nodes[kpi.id])

    def set_depth(node: KpiNode, depth: int) -> None:
        node.depth = depth
        for child in node.children:
            set_depth(child, depth + 1)

    for root in roots:
        set_depth(root, 0)
    return roots


def walk(roots: list[KpiNode]) -> list[KpiNode]:
    """Depth-first, parents before children: the order people read a tree in."""
    out: list[KpiNode] = []

    def visit(node: KpiNode) -> None:
        out.append(node)
        for child in node.children:
            visit(child)

    for root in roots:
        visit(root)
    return out


def kpi_status(actual: float | None, target: float | None, direction: str) -> str | None:
    """Green at or beyond target in the KPI's direction, amber within 10 %, red otherwise."""
    if actual is None or target is None:
        return None
    comparison = "at_least" if direction == "higher" else "at_most"
    return metrics.rag_status(actual, target, comparison, STATUS_TOLERANCE)


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def tree_dot(roots: list[KpiNode], values: Mapping[int, KpiPeriodValue], label: Any = None) -> str:
    """Graphviz DOT of the tree, children pointing at the KPI they feed, coloured by status."""
    lines = [
        "digraph kpis {",
        '  rankdir="BT"; nodesep=0.35; ranksep=0.45;',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];',
        '  edge [color="#8c959f", arrowsize=0.7];',
    ]
    for node in walk(roots):
        value = values.get(node.kpi.id)
        status = value.status if value else None
        text = _dot_text(node.kpi.name)
        if label is not None and value is not None:
            text += "".join("\\n" + _dot_text(line) for line in label(value).split("\n"))
        lines.append(
            f'  k{node.kpi.id} [label="{text}", '
            f'fillcolor="{LOOKS[status].fill}", color="{LOOKS[status].line}", penwidth=1.6];'
        )
        for child in node.children:
            edge = ""
            if child.kpi.conversion_label:
                edge = f' [label="{_dot_text(child.kpi.conversion_label)}", fontsize=9]'
            lines.append(f"  k{child.kpi.id} -> k{node.kpi.id}{edge};")
    lines.append("}")
    return "\n".join(lines)


def _info(kpi: Kpi) -> KpiInfo:
    """A KPI as pages see it: each field of ``KpiInfo`` is the column of the same name."""
    return view_of(KpiInfo, kpi)


def kpi_list(session: Session, actor: Actor) -> list[KpiInfo]:
    require(actor, Action.VIEW)
    return [_info(k) for k in session.scalars(select(Kpi).order_by(Kpi.name))]


TREES = ReadCache(max_entries=64)
"""The KPI tree and each period's values, per store and data version."""


def period_values(session: Session, actor: Actor, period: Period) -> dict[int, KpiPeriodValue]:
    """Every KPI's target and actual over the period, combined as the KPI says, with status."""
    require(actor, Action.VIEW)
    return TREES.kept(session, lambda: _period_values(session, actor, period), "values", period)


def _period_values(session: Session, actor: Actor, period: Period) -> dict[int, KpiPeriodValue]:
    result = {}
    reported = queries.kpi_reported_months(session, period.first, period.last)
    for kpi in kpi_list(session, actor):
        target, actual = queries.kpi_aggregate(
            session, kpi.id, period.first, period.last, kpi.aggregation
        )
        result[kpi.id] = KpiPeriodValue(
            kpi,
            target,
            actual,
            kpi_status(actual, target, kpi.direction),
            tuple(reported.get(kpi.id, ())),
            tuple(period.months),
        )
    return result


def compared_note(value: KpiPeriodValue) -> str:
    """'2 of 3 months' when a to-date figure covers only the months with actuals, else ''."""
    if not value.partly_reported:
        return ""
    return f"{len(value.reported)} of {len(value.months)} months"


def to_date_note(period: Period) -> str:
    """What a to-date status compares, and which month is still in progress, or '' for a
    single month."""
    if len(period) == 1:
        return ""
    note = "To date, each KPI compares only its months with actuals, each with its own target."
    current = current_month()
    if current in period.months:
        note += f" {month_label(current)} is in progress."
    return note


def kpi_tree(session: Session, actor: Actor) -> list[KpiNode]:
    return TREES.kept(session, lambda: build_tree(kpi_list(session, actor)), "tree")


def top_kpis(session: Session, actor: Actor, period: Period) -> list[KpiPeriodValue]:
    """The result and financial KPIs, top of the tree first, for the overview."""
    values = period_values(session, actor, period)
    order = walk(kpi_tree(session, actor))
    return [values[n.kpi.id] for n in order if n.kpi.kind in ("result", "financial")]


def history(
    session: Session, actor: Actor, kpi_id: int, last_month: str, months: int = 24
) -> pd.DataFrame:
    """A KPI's monthly target and actual, for its history chart."""
    require(actor, Action.VIEW)
    first = add_months(last_month, -(months - 1))
    rows = session.execute(
        select(KpiValue.month, KpiValue.target, KpiValue.actual)
        .where(KpiValue.kpi_id == kpi_id, KpiValue.month.between(first, last_month))
        .order_by(KpiValue.month)
    ).all()
    return pd.DataFrame(rows, columns=["month", "target", "actual"])


def _number(value: Any, label: str, problems: list[str], required: bool = False) -> float | None:
    if (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, float) and math.isnan(value))
    ):
        if required:
            problems.append(f"the {label} is missing")
        return None
    try:
        number = float(str(value).replace(",", "")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        problems.append(f"the {label} '{value}' is not a number")
        return None
    if not math.isfinite(number) or abs(number) > 1e15:
        problems.append(f"the {label} '{value}' is not a number SamePage can store")
        return None
    return number


def _check_kpi(session: Session, data: KpiInput, kpi_id: int | None) -> dict[str, Any]:
    problems: list[str] = []
    name = (data.name or "").strip()
    unit = (data.unit or "").strip()
    conversion_label = (data.conversion_label or "").strip()
    description = (data.description or "").strip()
    for text, label, limit in (
        (name, "name", MAX_KPI_NAME),
        (unit, "unit", MAX_SHORT_TEXT),
        (conversion_label, "conversion in words", MAX_TITLE),
    ):
        if problem := name_problem(text, label, limit=limit):
            problems.append(problem)
    if len(description) > MAX_DESCRIPTION:
        problems.append(f"the description is longer than {MAX_DESCRIPTION} characters")
    if not name:
        problems.append("give the KPI a name")
    elif (
        session.scalar(
            select(Kpi.id).where(func.lower(Kpi.name) == name.lower(), Kpi.id != (kpi_id or -1))
        )
        is not None
    ):
        problems.append(f"a KPI called '{name}' already exists")
    if not unit:
        problems.append("give the KPI a unit (count, USD, %, ...)")
    if data.direction not in DIRECTIONS:
        problems.append("say whether higher or lower is better")
    if data.kind not in KINDS:
        problems.append("the kind is activity, result or financial")
    if data.aggregation not in AGGREGATIONS:
        problems.append("months combine by sum, average or last value")
    factor = _number(data.parent_factor, "conversion", problems)
    stage = _number(data.funnel_stage, "funnel stage", problems)
    parent = session.get(Kpi, data.parent_id) if data.parent_id is not None else None
    if data.parent_id is not None and parent is None:
        problems.append("the parent KPI does not exist")
    if parent is not None:
        if kpi_id is not None:
            parents = dict(session.execute(select(Kpi.id, Kpi.parent_id)).all())
            if would_create_cycle(parents, kpi_id, parent.id):
                problems.append(
                    f"'{parent.name}' already feeds into this KPI, so it cannot be its parent "
                    "(the tree would loop)"
                )
        if parent.unit.strip().lower() != unit.lower() and not factor:
            problems.append(
                f"'{parent.name}' is measured in {parent.unit}, this KPI in {unit or 'no unit'}: "
                f"say how one {unit or 'unit'} converts into {parent.unit}"
            )
    if factor is not None and factor <= 0:
        problems.append("the conversion must be above zero")
    if problems:
        raise ValidationFailed("Nothing was saved: " + "; ".join(problems) + ".")
    return {
        "name": name,
        "unit": unit,
        "direction": data.direction,
        "kind": data.kind,
        "aggregation": data.aggregation,
        "parent_id": parent.id if parent else None,
        "parent_factor": factor if parent is not None else None,
        "conversion_label": conversion_label if parent is not None else "",
        "funnel_stage": int(stage) if stage is not None else None,
        "description": description,
    }


def create_kpi(session: Session, actor: Actor, data: KpiInput) -> int:
    with writing(session, actor, Action.EDIT_KPIS) as w:
        values = _check_kpi(session, data, None)
        kpi = Kpi(**values)
        session.add(kpi)
        session.flush()
        w.record("create", "kpi", kpi.id, None, values)
        return kpi.id


def update_kpi(session: Session, actor: Actor, kpi_id: int, data: KpiInput) -> None:
    with writing(session, actor, Action.EDIT_KPIS) as w:
        kpi = w.existing(Kpi, kpi_id, "That KPI no longer exists.")
        values = _check_kpi(session, data, kpi_id)
        old = {k: getattr(kpi, k) for k in values}
        for name, value in values.items():
            setattr(kpi, name, value)
        w.record("edit", "kpi", kpi.id, old, values)


@dataclass(frozen=True)
class KpiLoss:
    """What deleting a KPI takes with it: shown to the person before they confirm, and
    compared again when they do, so a figure entered meanwhile is not lost unseen."""

    kpi_id: int
    name: str
    months: tuple[str, ...]
    """The months with a target or an actual, oldest first."""
    goals: tuple[str, ...]
    """Titles of the goals that show this KPI."""
    refused: str | None
    """Why it cannot be deleted at all (a definition of success measures it, or other KPIs
    feed into it), or None."""

    @property
    def loses_anything(self) -> bool:
        return bool(self.months or self.goals)


def deletion_loss(session: Session, actor: Actor, kpi_id: int) -> KpiLoss:
    """What deleting the KPI would remove, or why it cannot be deleted."""
    require(actor, Action.VIEW)
    kpi = session.get(Kpi, kpi_id)
    if kpi is None:
        raise ValidationFailed("That KPI no longer exists.")
    refused = None
    used_by = session.scalars(
        select(SuccessDefinitionVersion.title)
        .where(SuccessDefinitionVersion.metric == f"{KPI_PREFIX}{kpi_id}")
        .order_by(SuccessDefinitionVersion.number.desc())
    ).first()
    children = session.scalars(
        select(Kpi.name).where(Kpi.parent_id == kpi_id).order_by(Kpi.name)
    ).all()
    if used_by:
        refused = (
            f"'{kpi.name}' cannot be deleted: the definition of success '{used_by}' measures it."
        )
    elif children:
        refused = (
            f"'{kpi.name}' cannot be deleted while {', '.join(children)} feed into it; "
            "give them another parent first."
        )
    months = session.scalars(
        select(KpiValue.month).where(KpiValue.kpi_id == kpi_id).order_by(KpiValue.month)
    ).all()
    goal_titles = session.scalars(
        select(Goal.title)
        .join(GoalKpi, GoalKpi.goal_id == Goal.id)
        .where(GoalKpi.kpi_id == kpi_id)
        .order_by(Goal.title)
    ).all()
    return KpiLoss(kpi_id, kpi.name, tuple(months), tuple(goal_titles), refused)


def delete_kpi(
    session: Session, actor: Actor, kpi_id: int, confirmed: KpiLoss | None = None
) -> None:
    """Remove a KPI with its figures and goal links. Refused while a definition of success
    measures it or other KPIs feed into it; when it has figures or goals, only with
    ``confirmed`` equal to what it would lose now. The audit event keeps every figure."""
    with writing(session, actor, Action.EDIT_KPIS) as w:
        kpi = w.existing(Kpi, kpi_id, "That KPI no longer exists.")
        loss = deletion_loss(session, actor, kpi_id)
        if loss.refused:
            raise ValidationFailed(loss.refused)
        if loss.loses_anything and confirmed != loss:
            raise ValidationFailed(
                f"'{kpi.name}' was not deleted: "
                + ("what it would take with it changed since you looked; " if confirmed else "")
                + f"it would take {loss_in_words(loss)} with it. Confirm to delete them too."
            )
        figures = session.execute(
            select(KpiValue.month, KpiValue.target, KpiValue.actual)
            .where(KpiValue.kpi_id == kpi_id)
            .order_by(KpiValue.month)
        ).all()
        old = {
            **{name: getattr(kpi, name) for name in KpiInfo.__dataclass_fields__ if name != "id"},
            "figures": [{"month": m, "target": t, "actual": a} for m, t, a in figures],
            "goals": list(loss.goals),
        }
        session.execute(delete(KpiValue).where(KpiValue.kpi_id == kpi_id))
        session.execute(delete(GoalKpi).where(GoalKpi.kpi_id == kpi_id))
        w.record("delete", "kpi", kpi_id, old, None)
        session.delete(kpi)


def loss_in_words(loss: KpiLoss) -> str:
    """'6 months of figures (Jun 2026 – Nov 2026) and its link to the goal 'Grow ARR''."""
    parts = []
    if loss.months:
        span = short_month_label(loss.months[0])
        if len(loss.months) > 1:
            span += f" – {short_month_label(loss.months[-1])}"
        count = len(loss.months)
        parts.append(f"{count} month{'s' if count != 1 else ''} of figures ({span})")
    if loss.goals:
        titles = ", ".join(f"'{t}'" for t in loss.goals)
        parts.append(f"its link to the goal{'s' if len(loss.goals) != 1 else ''} {titles}")
    return " and ".join(parts) or "nothing else"


def values_frame(session: Session, actor: Actor, first: str, last: str) -> pd.DataFrame:
    """Every KPI's target and actual per month in first..last, for the entry grid."""
    require(actor, Action.VIEW)
    rows = session.execute(
        select(
            Kpi.name,
            KpiValue.month,
            KpiValue.target,
            KpiValue.actual,
            KpiValue.kpi_id,
            KpiValue.version,
        )
        .join(Kpi, Kpi.id == KpiValue.kpi_id)
        .where(KpiValue.month.between(first, last))
        .order_by(KpiValue.month.desc(), Kpi.name)
    ).all()
    return pd.DataFrame(rows, columns=["kpi", "month", "target", "actual", "kpi_id", "version"])


@dataclass(frozen=True)
class KpiValueChange:
    kpi_id: int
    month: str
    target: Any = None
    actual: Any = None
    version: int | None = None
    """The version the person saw: NEVER_SAVED for a month with no figure yet, None (an
    import) to write whatever is there."""
    fields: tuple[str, ...] = ("target", "actual")


NEVER_SAVED = 0
"""The version a grid sends for a month it showed empty: saved ones start at 1, so a figure
someone else saved for that month meanwhile is a conflict, not overwritten."""


VALUE_FIELDS = ("target", "actual")
"""The figures a person types in the KPI grid; the other columns are shown, not edited."""


def kpi_changes_from_editor(frame: pd.DataFrame, state: Mapping[str, Any]) -> list[KpiValueChange]:
    """Turn the KPI grid editor's edited rows into figures to save.

    ``frame`` is the grid as shown (``kpi_id``, ``month``, ``version``; no version for a
    month never saved), so each change carries the version the person saw and a conflict
    can be told apart. Only the fields typed in are changed: a cell cleared to blank (None)
    clears that figure, an untouched one keeps what is stored. A row with no figure typed
    in is no change.
    """
    changes = []
    for position, edited in (state.get("edited_rows") or {}).items():
        fields = tuple(f for f in VALUE_FIELDS if f in edited)
        if not fields:
            continue
        row = frame.iloc[int(position)]
        version = NEVER_SAVED if pd.isna(row["version"]) else int(row["version"])
        changes.append(
            KpiValueChange(
                int(row["kpi_id"]),
                row["month"],
                edited.get("target"),
                edited.get("actual"),
                version,
                fields,
            )
        )
    return changes


def save_values(
    session: Session, actor: Actor, changes: list[KpiValueChange], source: str = "typed"
) -> int:
    """Write targets and actuals, checked first; a line someone else saved meanwhile is a
    conflict, reported with their value, and nothing is written."""
    with writing(session, actor, Action.ENTER_KPI_VALUES) as w:
        problems: list[str] = []
        names = dict(session.execute(select(Kpi.id, Kpi.name)).all())
        clean = []
        for change in changes:
            where = f"{names.get(change.kpi_id, 'unknown KPI')} {change.month}"
            if change.kpi_id not in names:
                problems.append(f"{where}: there is no such KPI")
                continue
            try:
                month = parse_month(change.month)
            except InvalidPeriod as exc:
                problems.append(f"{where}: {exc}")
                continue
            target = (
                _number(change.target, "target", problems) if "target" in change.fields else None
            )
            actual = (
                _number(change.actual, "actual", problems) if "actual" in change.fields else None
            )
            for label, number in (("target", target), ("actual", actual)):
                if number is not None and number < 0:
                    problems.append(f"{where}: the {label} {number:g} cannot be negative")
            clean.append((change, month, target, actual))
        if problems:
            raise ValidationFailed("Nothing was saved: " + "; ".join(problems) + ".")
        written = 0
        for change, month, target, actual in clean:
            row = session.scalar(
                select(KpiValue).where(KpiValue.kpi_id == change.kpi_id, KpiValue.month == month)
            )
            seen = NEVER_SAVED if row is None else row.version
            if change.version is not None and seen != change.version:
                now = (
                    "removed"
                    if row is None
                    else f"saved (target {row.target}, actual {row.actual} now)"
                )
                raise EditedMeanwhile(
                    f"Nothing was saved: {names[change.kpi_id]} {month} was {now} by someone "
                    "else while you were editing. The figures below are as saved now; make "
                    "your change again."
                )
            if row is None:
                row = KpiValue(kpi_id=change.kpi_id, month=month, entered_by_id=actor.user_id)
                session.add(row)
                old = None
            else:
                old = {"target": row.target, "actual": row.actual}
            if "target" in change.fields:
                row.target = target
            if "actual" in change.fields:
                row.actual = actual
            new = {"target": row.target, "actual": row.actual}
            if old == new:
                continue
            row.entered_by_id = actor.user_id
            session.flush()
            w.record(
                "kpi_value",
                "kpi_value",
                f"{change.kpi_id}:{month}",
                old,
                {**new, "source": source},
            )
            written += 1
        return written


@dataclass(frozen=True)
class KpiFile:
    changes: list[KpiValueChange]
    problems: list[str]
    rows: int

    @property
    def can_import(self) -> bool:
        return not self.problems and bool(self.changes)


KPI_FILE_COLUMNS = {
    "kpi": ("kpi", "name", "metric"),
    "month": MONTH_HEADERS,
    "target": ("target", "plan"),
    "actual": ("actual", "value", "result"),
}


def read_kpi_file(
    session: Session, actor: Actor, data: bytes, file_name: str, sheet: str | None = None
) -> KpiFile:
    """KPI targets and actuals from CSV/XLSX (columns kpi, month, target and/or actual),
    every bad cell named; nothing is written here."""
    require(actor, Action.ENTER_KPI_VALUES)
    table = read_table(data, file_name, sheet)
    header = find_columns(table.headers, KPI_FILE_COLUMNS)
    if header["kpi"] is None or header["month"] is None:
        raise ValidationFailed(
            f"{file_name} needs the columns kpi and month, and target or actual."
        )
    if header["target"] is None and header["actual"] is None:
        raise ValidationFailed(f"{file_name} has neither a target nor an actual column.")
    frame = table.frame
    kpis = {name.lower(): kpi_id for kpi_id, name in session.execute(select(Kpi.id, Kpi.name))}
    months, month_reasons = parse_months(frame[header["month"]])
    parsed = {}
    for name in ("target", "actual"):
        if header[name] is not None:
            parsed[name] = parse_amounts(frame[header[name]], table.delimiter == ";")
    problems: list[str] = []
    changes: list[KpiValueChange] = []
    seen: dict[tuple[int, str], int] = {}
    for i, row in enumerate(frame["_row"]):
        kpi_name = frame[header["kpi"]].iloc[i]
        kpi_id = kpis.get(kpi_name.lower())
        bad = False
        if kpi_id is None:
            problems.append(row_problem(row, header["kpi"], f"there is no KPI called '{kpi_name}'"))
            bad = True
        if pd.notna(month_reasons.iloc[i]):
            problems.append(
                str(
                    CellProblem(
                        row,
                        header["month"],
                        str(frame[header["month"]].iloc[i]),
                        month_reasons.iloc[i],
                    )
                )
            )
            bad = True
        for name, (numbers, reasons) in parsed.items():
            reason = reasons.iloc[i]
            if pd.isna(reason) and numbers.iloc[i] < 0:
                reason = "cannot be negative"
            if pd.notna(reason):
                problems.append(
                    str(
                        CellProblem(
                            row,
                            str(header[name]),
                            str(frame[header[name]].iloc[i]),
                            reason,
                        )
                    )
                )
                bad = True
        if bad or kpi_id is None:
            continue
        key = (kpi_id, months.iloc[i])
        if key in seen:
            problems.append(f"Row {row} repeats row {seen[key]} (same KPI and month).")
            continue
        seen[key] = row
        values = {
            n: (None if pd.isna(v[0].iloc[i]) else float(v[0].iloc[i])) for n, v in parsed.items()
        }
        changes.append(
            KpiValueChange(
                kpi_id,
                months.iloc[i],
                values.get("target"),
                values.get("actual"),
                None,
                tuple(parsed),
            )
        )
    return KpiFile(changes=changes, problems=problems, rows=table.rows)


def apply_kpi_file(session: Session, actor: Actor, kpi_file: KpiFile) -> int:
    if kpi_file.problems:
        raise ValidationFailed(
            f"Nothing was imported: {len(kpi_file.problems)} problem(s), the first: "
            f"{kpi_file.problems[0]}"
        )
    return save_values(session, actor, kpi_file.changes, source="import")
