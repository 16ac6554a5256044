"""Agreed definitions of success: which versions are in force and their live RAG status (what
a signature covers and its seal: ``alignment.definitions.signature``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import require
from alignment.company.settings import company_profile
from alignment.definitions.definition_states import DefinitionState
from alignment.definitions.signature import CONTENT_FIELDS as CONTENT_FIELDS
from alignment.definitions.signature import KPI_PREFIX as KPI_PREFIX
from alignment.definitions.signature import canonical_content as canonical_content
from alignment.definitions.signature import changed_since_signoff
from alignment.definitions.signature import content_hash as content_hash
from alignment.definitions.signature import kpi_id
from alignment.definitions.signature import version_content as version_content
from alignment.shared import metrics
from alignment.shared.metric_units import MetricUnit
from alignment.shared.metric_units import UnitKind
from alignment.shared.metric_units import show
from alignment.shared.metric_units import stored_unit_agrees
from alignment.shared.metric_units import unit_of
from alignment.shared.periods import Period
from alignment.shared.periods import months_between
from alignment.spend.overview import HeadlineFigures
from alignment.spend.overview import headline_figures
from db import queries
from db.models import Kpi
from db.models import SuccessDefinitionVersion

BUDGET_METRICS: dict[str, str] = {
    "roas": "ROAS",
    "romi": "ROMI (attributed)",
    "pipeline_roi": "Pipeline ROI",
    "marketing_cac": "Marketing CAC",
    "spend_variance_pct": "Spend variance %",
    "actual_spend": "Actual spend",
    "attributed_revenue": "Attributed revenue",
    "attributed_pipeline": "Attributed pipeline",
    "new_customers": "New customers",
}
ADDITIVE_BUDGET_METRICS = {
    "actual_spend",
    "attributed_revenue",
    "attributed_pipeline",
    "new_customers",
}


@dataclass(frozen=True)
class LiveActual:
    """A metric's actual over a period against a target, read as the overview's tiles read
    it, so what a person proposes and the CFO signs is what the overview will show."""

    metric_label: str
    unit: MetricUnit
    period_label: str
    actual: float | None
    actual_text: str
    comparison: str
    target: float | None
    target_text: str
    status: str | None
    target_scaled: bool = False
    """The target is the months-shown share of an additive target set for the whole
    definition period (690 SQLs a quarter reads 230 for one month)."""


@dataclass(frozen=True)
class DefinitionStatus:
    """An in-force definition over a period. ``actual_text`` and ``target_text`` read as the
    overview's tiles; ``unit`` is the code readers that format by unit expect ('ratio' for a
    share shown in percent, the currency for money, else the metric's unit)."""

    definition_id: int
    version: int
    title: str
    metric_label: str
    unit: str
    comparison: str
    target: float
    actual: float | None
    status: str | None
    signed_by: str | None
    signed_at: dt.datetime | None
    changed_since_signoff: bool
    actual_text: str = ""
    target_text: str = ""
    unit_disagrees: bool = False
    """The version's stored unit and target disagree with its metric's unit, so what was
    signed is ambiguous: no RAG status, and a new version must be signed."""


def unit_disagrees(version: SuccessDefinitionVersion, unit: MetricUnit) -> bool:
    """Flagged on upgrade (signed before units followed the metric), or its stored unit no
    longer names the metric's unit (the currency or the KPI's unit changed since)."""
    return bool(version.unit_disagrees) or not stored_unit_agrees(version.unit, unit)


def as_signed(target: float, stored_unit: str) -> str:
    """A target as its version states it, number and stored unit: '80 %'."""
    return f"{target:g} {stored_unit}".strip()


def in_force(session: Session) -> list[SuccessDefinitionVersion]:
    """Per definition, the latest signed-off version: it stays in force until its successor."""
    stmt = (
        select(SuccessDefinitionVersion)
        .where(SuccessDefinitionVersion.state == DefinitionState.SIGNED_OFF)
        .options(selectinload(SuccessDefinitionVersion.signed_by))
        .order_by(SuccessDefinitionVersion.definition_id, SuccessDefinitionVersion.number)
    )
    latest: dict[int, SuccessDefinitionVersion] = {}
    for version in session.scalars(stmt):
        latest[version.definition_id] = version
    return list(latest.values())


def metric_unit(session: Session, actor: Actor, metric: str) -> MetricUnit:
    """The unit ``metric`` is measured in: fixed for budget metrics, its KPI's for a KPI."""
    require(actor, Action.VIEW)
    profile = company_profile(session, actor)
    kpi_unit = None
    if metric.startswith(KPI_PREFIX):
        kpi = _kpi(session, metric)
        kpi_unit = kpi.unit if kpi is not None else None
    return unit_of(metric, profile.currency, kpi_unit, profile.locale)


def live_actual(
    session: Session,
    actor: Actor,
    metric: str,
    target: float | None,
    comparison: str,
    tolerance: float,
    period: Period,
    period_start: str | None = None,
    period_end: str | None = None,
) -> LiveActual:
    """The metric's actual over ``period`` against ``target`` (stored form, for the whole
    definition period ``period_start``..``period_end``) and its RAG status: what a draft, a
    proposal and the sign-off screen show before anyone signs."""
    require(actor, Action.VIEW)
    figures = headline_figures(session, actor, period)
    unit = metric_unit(session, actor, metric)
    kpis = {k.id: k for k in session.scalars(select(Kpi))}
    actual, label, additive = _metric_actual(session, metric, period, figures, kpis)
    scaled = False
    if target is not None and additive and period_start and period_end:
        target = _scaled(target, period, period_start, period_end)
        scaled = len(months_between(period_start, period_end)) != len(period)
    return LiveActual(
        metric_label=label,
        unit=unit,
        period_label=period.label,
        actual=actual,
        actual_text=show(actual, unit),
        comparison=comparison,
        target=target,
        target_text="" if target is None else show(target, unit),
        status=None
        if target is None
        else metrics.rag_status(actual, target, comparison, tolerance),
        target_scaled=scaled,
    )


def live_status(session: Session, actor: Actor, period: Period) -> list[DefinitionStatus]:
    """Actual against target and RAG for every in-force definition over ``period``.

    Targets of additive metrics (revenue, counts) apply to the definition's
    whole period, so they are scaled to the months shown; ratio targets are not.
    A version whose unit disagrees with its metric gets no status: what it means is not
    clear, so neither is whether it is met.
    """
    require(actor, Action.VIEW)
    figures = headline_figures(session, actor, period)
    profile = company_profile(session, actor)
    kpis = {k.id: k for k in session.scalars(select(Kpi))}
    statuses = []
    for version in in_force(session):
        actual, label, additive = _metric_actual(session, version.metric, period, figures, kpis)
        kpi = kpis.get(kpi_id(version.metric) or -1)
        unit = unit_of(version.metric, profile.currency, kpi.unit if kpi else None, profile.locale)
        target = version.target
        if additive:
            target = _scaled(target, period, version.period_start, version.period_end)
        disagrees = unit_disagrees(version, unit)
        statuses.append(
            DefinitionStatus(
                definition_id=version.definition_id,
                version=version.number,
                title=version.title,
                metric_label=label,
                unit="ratio" if unit.kind is UnitKind.PERCENT else unit.code,
                comparison=version.comparison,
                target=target,
                actual=actual,
                status=None
                if disagrees
                else metrics.rag_status(actual, target, version.comparison, version.tolerance),
                signed_by=version.signed_by.name if version.signed_by else None,
                signed_at=version.signed_at,
                changed_since_signoff=changed_since_signoff(session, version),
                actual_text=show(actual, unit),
                target_text=as_signed(version.target, version.unit)
                if disagrees
                else show(target, unit),
                unit_disagrees=disagrees,
            )
        )
    return statuses


def _scaled(target: float, period: Period, period_start: str, period_end: str) -> float:
    months = len(months_between(period_start, period_end)) or 1
    return target * len(period) / months


def _kpi(session: Session, metric: str) -> Kpi | None:
    wanted = kpi_id(metric)
    return None if wanted is None else session.get(Kpi, wanted)


def _metric_actual(
    session: Session, metric: str, period: Period, figures: HeadlineFigures, kpis: dict[int, Kpi]
) -> tuple[float | None, str, bool]:
    if metric.startswith(KPI_PREFIX):
        kpi = kpis.get(kpi_id(metric) or -1)
        if kpi is None:
            return None, "Unknown KPI", False
        _, actual = queries.kpi_aggregate(
            session, kpi.id, period.first, period.last, kpi.aggregation
        )
        return actual, kpi.name, kpi.aggregation == "sum"
    value = getattr(figures, metric, None)
    actual = None if value is None else float(value)
    return actual, BUDGET_METRICS.get(metric, metric), metric in ADDITIVE_BUDGET_METRICS
