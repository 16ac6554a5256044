"""The funnel and the what-if: stage counts and conversions taken from the KPI tree, and what
a changed target implies downstream at the conversion rates actually observed."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import require
from alignment.objectives.kpis import KpiInfo
from alignment.objectives.kpis import kpi_list
from alignment.shared import metrics
from alignment.shared.errors import ValidationFailed
from alignment.shared.periods import add_months
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
    """Stage-to-stage conversion per month: next stage's actual over this stage's actual."""
    records = []
    for month, group in counts.groupby("month", sort=True):
        group = group.sort_values("order")
        for upper, lower in zip(group.itertuples(), group.iloc[1:].itertuples(), strict=False):
            records.append(
                {
                    "month": month,
                    "step": f"{upper.stage} → {lower.stage}",
                    "rate": metrics.funnel_conversion(_num(lower.actual), _num(upper.actual)),
                    "target_rate": metrics.funnel_conversion(
                        _num(lower.target), _num(upper.target)
                    ),
                }
            )
    return pd.DataFrame.from_records(records, columns=["month", "step", "rate", "target_rate"])


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


@dataclass(frozen=True)
class WhatIf:
    start: str
    value: float
    links: list[Link]
    implied: list[tuple[str, float | None]]
    assumptions: list[str]
    usual: dict[str, float | None]
    """Each KPI's average month over the period the rates come from."""


def implied_values(
    value: float, bases: list[float | None], rates: list[float | None]
) -> list[float | None]:
    """Carry a change up a chain: each KPI moves from its usual level by the change below it
    times the rate. ``bases`` are the usual monthly levels, the start's first; once a rate
    or a level is unknown, everything above is unknown too."""
    out: list[float | None] = []
    current: float | None = value
    for below, above, rate in zip(bases, bases[1:], rates, strict=False):
        if current is None or rate is None or below is None or above is None:
            current = None
        else:
            current = above + (current - below) * rate
        out.append(current)
    return out


def what_if(
    session: Session, actor: Actor, kpi_id: int, value: float, last_month: str, months: int
) -> WhatIf:
    """What a monthly ``value`` for one KPI implies for every KPI it feeds, at the rates of
    the last ``months`` months. Nothing is saved."""
    require(actor, Action.VIEW)
    if months < 1:
        raise ValidationFailed("Use at least one month of history.")
    if value < 0:
        raise ValidationFailed("A KPI value for the what-if cannot be negative.")
    kpis = {k.id: k for k in kpi_list(session, actor)}
    if kpi_id not in kpis:
        raise ValidationFailed("That KPI does not exist.")
    first = add_months(last_month, -(months - 1))
    totals = dict(
        session.execute(
            select(KpiValue.kpi_id, func.sum(KpiValue.actual))
            .where(KpiValue.month.between(first, last_month))
            .group_by(KpiValue.kpi_id)
        ).all()
    )
    chain, links = [kpis[kpi_id]], []
    feeders = {k.id: sum(1 for o in kpis.values() if o.parent_id == k.id) for k in kpis.values()}
    while chain[-1].parent_id is not None and chain[-1].parent_id in kpis:
        child, parent = chain[-1], kpis[chain[-1].parent_id]
        parent_total = _num(totals.get(parent.id))
        share = None if parent_total is None else parent_total / feeders[parent.id]
        links.append(
            Link(child.name, parent.name, metrics.ratio(share, _num(totals.get(child.id))), months)
        )
        chain.append(parent)
        if len(chain) > len(kpis):
            raise ValidationFailed("The KPI tree loops; fix the parents first.")
    bases = [None if (total := _num(totals.get(k.id))) is None else total / months for k in chain]
    values = implied_values(value, bases, [link.rate for link in links])
    assumptions = [
        "Every KPI starts from its average month over the period and moves by the change "
        "below it times the rate."
    ] + [
        f"{link.parent} per {link.child}: "
        + ("no history" if link.rate is None else _rate_text(link.rate))
        + f" (actuals of the last {months} month{'s' if months != 1 else ''})"
        for link in links
    ]
    for link, child in zip(links, chain, strict=False):
        siblings = [
            k.name for k in kpis.values() if k.parent_id == child.parent_id and k.id != child.id
        ]
        if siblings:
            assumptions.append(
                f"{', '.join(siblings)} also feed {link.parent}: each feeder is taken to bring "
                f"an equal share of it, and the others are assumed to stay as they are."
            )
    return WhatIf(
        start=kpis[kpi_id].name,
        value=value,
        links=links,
        implied=list(zip([link.parent for link in links], values, strict=True)),
        assumptions=assumptions,
        usual={k.name: base for k, base in zip(chain, bases, strict=True)},
    )


def usual_month(
    session: Session, actor: Actor, kpi_id: int, last_month: str, months: int
) -> float | None:
    """A KPI's average actual per month over the last ``months`` months."""
    require(actor, Action.VIEW)
    first = add_months(last_month, -(months - 1))
    total = session.scalar(
        select(func.sum(KpiValue.actual)).where(
            KpiValue.kpi_id == kpi_id, KpiValue.month.between(first, last_month)
        )
    )
    return None if total is None else float(total) / months


def _rate_text(rate: float) -> str:
    return f"{rate:,.0f}" if rate >= 100 else f"{rate:.3g}"


def monthly_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """Stage actuals as a month x stage table, newest month first, stages in funnel order."""
    if counts.empty:
        return pd.DataFrame()
    order = counts.drop_duplicates("stage").sort_values("order")["stage"].tolist()
    table = counts.pivot_table(index="month", columns="stage", values="actual", aggfunc="sum")
    return table.reindex(columns=order).sort_index(ascending=False)
