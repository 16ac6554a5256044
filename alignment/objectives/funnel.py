"""The funnel and the what-if: stage counts and conversions taken from the KPI tree, and what
a changed target implies downstream at the conversion rates actually observed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import require
from alignment.objectives.kpis import NEVER_SAVED
from alignment.objectives.kpis import KpiInfo
from alignment.objectives.kpis import KpiValueChange
from alignment.objectives.kpis import kpi_list
from alignment.objectives.kpis import save_values
from alignment.records.unit_of_work import writing
from alignment.shared import formatting as fmt
from alignment.shared import metrics
from alignment.shared.errors import ValidationFailed
from alignment.shared.periods import add_months
from alignment.shared.periods import month_label
from alignment.shared.periods import parse_month
from db.models import Kpi
from db.models import KpiValue


def funnel_stages(session: Session, actor: Actor) -> list[KpiInfo]:
    """The KPIs that are funnel stages, top of the funnel first."""
    stages = [k for k in kpi_list(session, actor) if k.funnel_stage is not None]
    return sorted(stages, key=lambda k: k.funnel_stage or 0)


def stage_counts(session: Session, actor: Actor, last_month: str, months: int = 12) -> pd.DataFrame:
    """Per month and stage: actual and target (long format)."""
    stages = funnel_stages(session, actor)
    first = add_months(last_month, -(months - 1))
    rows = session.execute(
        select(KpiValue.kpi_id, KpiValue.month, KpiValue.target, KpiValue.actual)
        .where(
            KpiValue.kpi_id.in_([s.id for s in stages]), KpiValue.month.between(first, last_month)
        )
        .order_by(KpiValue.month)
    ).all()
    names = {s.id: s.name for s in stages}
    order = {s.id: s.funnel_stage for s in stages}
    frame = pd.DataFrame(rows, columns=["kpi_id", "month", "target", "actual"])
    frame["stage"] = frame["kpi_id"].map(names)
    frame["order"] = frame["kpi_id"].map(order)
    return frame.sort_values(["month", "order"]).reset_index(drop=True)


def conversions(counts: pd.DataFrame) -> pd.DataFrame:
    """Stage-to-stage conversion per month: next stage's actual over this stage's actual;
    ``order`` places the step in the funnel (its stages' places)."""
    records = []
    for month, group in counts.groupby("month", sort=True):
        group = group.sort_values("order")
        for upper, lower in zip(group.itertuples(), group.iloc[1:].itertuples(), strict=False):
            records.append(
                {
                    "month": month,
                    "step": f"{upper.stage} → {lower.stage}",
                    "order": upper.order * 1000 + lower.order,
                    "rate": metrics.funnel_conversion(_num(lower.actual), _num(upper.actual)),
                    "target_rate": metrics.funnel_conversion(
                        _num(lower.target), _num(upper.target)
                    ),
                }
            )
    return pd.DataFrame.from_records(
        records, columns=["month", "step", "order", "rate", "target_rate"]
    )


def _num(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


@dataclass(frozen=True)
class StageRow:
    stage: str
    actual: float | None
    target: float | None
    vs_target: float | None
    conversion: float | None
    target_conversion: float | None
    larger_than_above: bool


@dataclass(frozen=True)
class FunnelMonth:
    month: str
    stages: list[StageRow]
    biggest_loss: str | None
    """The step whose conversion fell furthest below its target conversion."""


def funnel_month(counts: pd.DataFrame, month: str) -> FunnelMonth:
    """One month of the funnel: each stage against target, its conversion from the stage
    above, stages larger than the one above flagged, and where the month lost most."""
    rows = counts[counts["month"] == month].sort_values("order")
    stages: list[StageRow] = []
    worst: tuple[float, str] | None = None
    previous = None
    for row in rows.itertuples():
        actual, target = _num(row.actual), _num(row.target)
        conversion = target_conversion = None
        larger = False
        if previous is not None:
            conversion = metrics.funnel_conversion(actual, previous[0])
            target_conversion = metrics.funnel_conversion(target, previous[1])
            larger = actual is not None and previous[0] is not None and actual > previous[0]
            shortfall = metrics.ratio(conversion, target_conversion)
            if shortfall is not None and shortfall < 1 and (worst is None or shortfall < worst[0]):
                worst = (shortfall, f"{previous[2]} → {row.stage}")
        stages.append(
            StageRow(
                stage=row.stage,
                actual=actual,
                target=target,
                vs_target=None
                if metrics.ratio(actual, target) is None
                else metrics.ratio(actual, target) - 1,  # type: ignore[operator]
                conversion=conversion,
                target_conversion=target_conversion,
                larger_than_above=larger,
            )
        )
        previous = (actual, target, row.stage)
    return FunnelMonth(month=month, stages=stages, biggest_loss=worst[1] if worst else None)


@dataclass(frozen=True)
class Link:
    """One step up the tree: how much of ``parent`` one unit of ``child`` brought."""

    child: str
    parent: str
    rate: float | None
    months: int
    """The months the rate comes from: those where both the child and the parent have an
    actual."""
    shared_with: tuple[str, ...] = ()
    """The parent's other feeders with figures: the parent is shared equally among them."""
    left_out: tuple[str, ...] = ()
    """The parent's feeders with no figures over the period: left out of the share."""
    stated: bool = False
    """The rate is the conversion the team set for the child, not one read from figures:
    used when several feeders share the parent, which the figures cannot split."""


@dataclass(frozen=True)
class WhatIf:
    start: str
    value: float
    links: list[Link]
    implied: list[tuple[str, float | None]]
    assumptions: list[str]
    usual: dict[str, float | None]
    """Each KPI's average month over the months of the period that have an actual."""
    months: int = 0
    """The period the rates come from, in months."""
    months_with_data: dict[str, int] = field(default_factory=dict)
    """Each KPI's months with an actual over the period (what its usual month averages)."""
    kpi_ids: dict[str, int] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)


def implied_values(
    value: float, bases: list[float | None], rates: list[float | None]
) -> list[float | None]:
    """Carry a change up a chain: each KPI moves from its usual level by the change below it
    times the rate. ``bases`` are the usual monthly levels, the start's first; once a rate
    or a level is unknown, everything above is unknown too. No KPI falls below zero: a
    count or an amount cannot."""
    out: list[float | None] = []
    current: float | None = value
    for below, above, rate in zip(bases, bases[1:], rates, strict=False):
        if current is None or rate is None or below is None or above is None:
            current = None
        else:
            current = max(0.0, above + (current - below) * rate)
        out.append(current)
    return out


@dataclass(frozen=True)
class Actuals:
    """A KPI's actuals over the what-if's period, by month; only months with an actual."""

    by_month: dict[str, float]

    @property
    def usual(self) -> float | None:
        """The average over the months that have an actual, not over the whole period."""
        return usual_level(list(self.by_month.values()))


def usual_level(actuals: list[float]) -> float | None:
    """A KPI's usual month: the average of the months that have an actual; None when none
    has (a month with no figure is not a month of zero)."""
    return sum(actuals) / len(actuals) if actuals else None


def observed_rate(
    parent: Mapping[str, float], child: Mapping[str, float], feeders: int
) -> tuple[float | None, int]:
    """How much of the parent one unit of the child brought, over the months both have an
    actual: the parent's total shared equally among its ``feeders`` with figures, over the
    child's total. Also the number of months it comes from."""
    common = sorted(set(parent) & set(child))
    if not common or feeders < 1:
        return None, len(common)
    share = sum(parent[m] for m in common) / feeders
    return metrics.ratio(share, sum(child[m] for m in common)), len(common)


def _actuals(session: Session, first: str, last: str) -> dict[int, Actuals]:
    rows = session.execute(
        select(KpiValue.kpi_id, KpiValue.month, KpiValue.actual).where(
            KpiValue.month.between(first, last), KpiValue.actual.is_not(None)
        )
    ).all()
    out: dict[int, dict[str, float]] = {}
    for kpi, month, actual in rows:
        if actual is not None:
            out.setdefault(kpi, {})[month] = float(actual)
    return {kpi: Actuals(months) for kpi, months in out.items()}


def _months_text(months: int) -> str:
    return f"{months} month{'s' if months != 1 else ''}"


def _names(names: list[str] | tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def what_if(
    session: Session, actor: Actor, kpi_id: int, value: float, last_month: str, months: int
) -> WhatIf:
    """What a monthly ``value`` for one KPI implies for every KPI it feeds, at the rates of
    the last ``months`` months. Nothing is saved.

    Each KPI's usual month is its average over the months that have an actual; a rate
    comes from the months where both KPIs have one. When several feeders with figures share
    a parent, the figures cannot split it: a feeder's stated conversion (what one of it
    brings of the parent) is used, else the parent is shared equally among them. Feeders
    without figures are left out of the share."""
    require(actor, Action.VIEW)
    if months < 1:
        raise ValidationFailed("Use at least one month of history.")
    if value < 0:
        raise ValidationFailed("A KPI value for the what-if cannot be negative.")
    kpis = {k.id: k for k in kpi_list(session, actor)}
    if kpi_id not in kpis:
        raise ValidationFailed("That KPI does not exist.")
    first = add_months(last_month, -(months - 1))
    actuals = _actuals(session, first, last_month)
    nothing = Actuals({})
    chain, links = [kpis[kpi_id]], []
    while chain[-1].parent_id is not None and chain[-1].parent_id in kpis:
        child, parent = chain[-1], kpis[chain[-1].parent_id]
        feeders = [k for k in kpis.values() if k.parent_id == parent.id]
        with_figures = [k for k in feeders if k.id in actuals]
        rate, common = observed_rate(
            actuals.get(parent.id, nothing).by_month,
            actuals.get(child.id, nothing).by_month,
            max(1, len(with_figures)),
        )
        others = tuple(sorted(k.name for k in with_figures if k.id != child.id))
        stated = bool(others) and child.parent_factor is not None
        links.append(
            Link(
                child.name,
                parent.name,
                child.parent_factor if stated else rate,
                common,
                () if stated else others,
                tuple(sorted(k.name for k in feeders if k.id not in actuals)),
                stated,
            )
        )
        chain.append(parent)
        if len(chain) > len(kpis):
            raise ValidationFailed("The KPI tree loops; fix the parents first.")
    history = [actuals.get(k.id, nothing) for k in chain]
    bases = [h.usual for h in history]
    values = implied_values(value, bases, [link.rate for link in links])
    period = f"the last {_months_text(months)}"
    assumptions = [
        "Every KPI starts from its usual month, the average of the months with an actual in "
        f"{period}, and moves by the change below it times the rate: "
        + "; ".join(
            f"{k.name} {len(h.by_month)} of {months}" if h.by_month else f"{k.name} no figures"
            for k, h in zip(chain, history, strict=True)
        )
        + "."
    ]
    for link in links:
        if link.stated and link.rate is not None:
            assumptions.append(
                f"{link.parent} per {link.child}: {_rate_text(link.rate)}, the conversion the "
                f"team set for {link.child}: other KPIs feed {link.parent} too, and the figures "
                "cannot tell how much each brought."
            )
        elif link.rate is None:
            assumptions.append(
                f"{link.parent} per {link.child}: no history (no month in {period} has "
                "an actual for both), so nothing above it can be worked out."
            )
        else:
            assumptions.append(
                f"{link.parent} per {link.child}: {_rate_text(link.rate)} (the "
                f"{_months_text(link.months)} of {period} with an actual for both)."
            )
        if link.shared_with:
            assumptions.append(
                f"{_names(link.shared_with)} also feed{'s' if len(link.shared_with) == 1 else ''}"
                f" {link.parent}: each of the {len(link.shared_with) + 1} feeders with figures "
                "is taken to bring an equal share of it (an assumption: the figures cannot "
                "tell how much each brought), and the others are assumed to stay as they are."
            )
        if link.left_out:
            assumptions.append(
                f"{_names(link.left_out)} also feed{'s' if len(link.left_out) == 1 else ''} "
                f"{link.parent} but {'has' if len(link.left_out) == 1 else 'have'} no figures "
                f"in {period}: left out of the share."
            )
    seen = sorted(history[0].by_month.values())
    if seen and not seen[0] <= value <= seen[-1]:
        assumptions.append(
            f"{chain[0].name} was between {_level(seen[0])} and {_level(seen[-1])} a month "
            f"in {period}; {_level(value)} is outside that, so the rates are stretched "
            "beyond anything observed."
        )
    if any(v == 0 for v in values) and value < (bases[0] or 0):
        assumptions.append("A KPI the change would take below zero is shown at zero.")
    return WhatIf(
        start=kpis[kpi_id].name,
        value=value,
        links=links,
        implied=list(zip([link.parent for link in links], values, strict=True)),
        assumptions=assumptions,
        usual={k.name: base for k, base in zip(chain, bases, strict=True)},
        months=months,
        months_with_data={k.name: len(h.by_month) for k, h in zip(chain, history, strict=True)},
        kpi_ids={k.name: k.id for k in chain},
        units={k.name: k.unit for k in chain},
    )


@dataclass(frozen=True)
class Usual:
    """A KPI's usual month and the months it averages."""

    level: float | None
    months: int


def usual_month(session: Session, actor: Actor, kpi_id: int, last_month: str, months: int) -> Usual:
    """A KPI's average actual per month over the months of the last ``months`` that have
    one, and how many those are."""
    require(actor, Action.VIEW)
    first = add_months(last_month, -(months - 1))
    actuals = session.scalars(
        select(KpiValue.actual).where(
            KpiValue.kpi_id == kpi_id,
            KpiValue.month.between(first, last_month),
            KpiValue.actual.is_not(None),
        )
    ).all()
    values = [float(a) for a in actuals if a is not None]
    return Usual(usual_level(values), len(values))


def _level(value: float) -> str:
    return fmt.count(value)


def _rate_text(rate: float) -> str:
    return f"{rate:,.0f}" if rate >= 100 else f"{rate:.3g}"


def monthly_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """Stage actuals as a month x stage table, newest month first, stages in funnel order."""
    if counts.empty:
        return pd.DataFrame()
    order = counts.drop_duplicates("stage").sort_values("order")["stage"].tolist()
    table = counts.pivot_table(index="month", columns="stage", values="actual", aggfunc="sum")
    return table.reindex(columns=order).sort_index(ascending=False)


@dataclass(frozen=True)
class TargetChange:
    """One target the what-if would save: what it is now, what it would become, and the
    month's actual if it already has one."""

    kpi_id: int
    kpi: str
    unit: str
    target_now: float | None
    target_new: float
    actual: float | None
    version: int
    """The version of the month's figures the preview saw (NEVER_SAVED when none)."""


@dataclass(frozen=True)
class TargetPreview:
    month: str
    changes: list[TargetChange]

    @property
    def with_actuals(self) -> list[str]:
        """The KPIs whose month already has an actual: their targets are the ones the
        month's status is measured against."""
        return [c.kpi for c in self.changes if c.actual is not None]


def months_with_actuals(session: Session, actor: Actor) -> set[str]:
    """The months in which any KPI has an actual."""
    require(actor, Action.VIEW)
    return set(
        session.scalars(select(KpiValue.month).where(KpiValue.actual.is_not(None)).distinct())
    )


def first_open_month(session: Session, actor: Actor, after: str) -> str:
    """The month a what-if saves to unless told otherwise: the first after ``after`` and
    after every month that has a KPI actual, so no month already measured is offered."""
    latest = max(months_with_actuals(session, actor), default=after)
    return add_months(max(latest, after), 1)


def what_if_targets(result: WhatIf) -> list[tuple[int, float]]:
    """The targets a what-if would save: the start's value and every implied KPI that could
    be worked out, rounded to hundredths."""
    pairs = [(result.start, result.value), *result.implied]
    return [(result.kpi_ids[name], round(v, 2)) for name, v in pairs if v is not None]


def preview_targets(
    session: Session, actor: Actor, targets: list[tuple[int, float]], month: str
) -> TargetPreview:
    """Exactly what saving ``targets`` (KPI id, target) for ``month`` would overwrite."""
    require(actor, Action.VIEW)
    month = parse_month(month)
    kpis = {k.id: k for k in kpi_list(session, actor)}
    missing = [kpi for kpi, _ in targets if kpi not in kpis]
    if missing:
        raise ValidationFailed("A KPI of the what-if was deleted meanwhile; run it again.")
    rows = {
        r.kpi_id: r
        for r in session.scalars(
            select(KpiValue).where(
                KpiValue.month == month, KpiValue.kpi_id.in_([k for k, _ in targets])
            )
        )
    }
    changes = []
    for kpi, value in targets:
        row = rows.get(kpi)
        changes.append(
            TargetChange(
                kpi_id=kpi,
                kpi=kpis[kpi].name,
                unit=kpis[kpi].unit,
                target_now=None if row is None else _num(row.target),
                target_new=value,
                actual=None if row is None else _num(row.actual),
                version=NEVER_SAVED if row is None else row.version,
            )
        )
    return TargetPreview(month, changes)


def save_what_if_targets(
    session: Session, actor: Actor, preview: TargetPreview, overwrite_actuals: bool = False
) -> int:
    """Save the previewed targets to the previewed month, and nothing else. A month that
    already has actuals keeps its targets unless ``overwrite_actuals`` says otherwise; a
    figure changed since the preview is a conflict, and nothing is saved."""
    with writing(session, actor, Action.ENTER_KPI_VALUES):
        month = parse_month(preview.month)
        if not preview.changes:
            raise ValidationFailed("Nothing was saved: the what-if implies no targets.")
        measured = session.scalars(
            select(Kpi.name)
            .join(KpiValue, KpiValue.kpi_id == Kpi.id)
            .where(
                KpiValue.month == month,
                KpiValue.actual.is_not(None),
                Kpi.id.in_([c.kpi_id for c in preview.changes]),
            )
            .order_by(Kpi.name)
        ).all()
        if measured and not overwrite_actuals:
            raise ValidationFailed(
                f"Nothing was saved: {month_label(month)} already has actuals for "
                f"{_names(list(measured))}, measured against the targets it has. Confirm "
                "that its targets are to be overwritten, or pick a month without actuals."
            )
        return save_values(
            session,
            actor,
            [
                KpiValueChange(
                    c.kpi_id, month, target=c.target_new, version=c.version, fields=("target",)
                )
                for c in preview.changes
            ],
            source="what-if",
        )
