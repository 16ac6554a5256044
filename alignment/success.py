"""Agreed definitions of success: their signed content, its hash, and their live RAG status."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload

from alignment import metrics
from alignment.overview import HeadlineFigures
from alignment.overview import headline_figures
from alignment.periods import Period
from alignment.periods import months_between
from alignment.permissions import Action
from alignment.permissions import Actor
from alignment.permissions import require
from db import queries
from db.models import Kpi
from db.models import SuccessDefinitionVersion

CONTENT_FIELDS = (
    "title",
    "metric",
    "target",
    "unit",
    "comparison",
    "period_start",
    "period_end",
    "deadline",
    "measurement",
    "data_source",
    "tolerance",
    "owner_role",
)
"""The fields a signature covers; changing any of them after sign-off shows."""

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
KPI_PREFIX = "kpi:"


def canonical_content(content: Mapping[str, Any]) -> str:
    """Stable JSON of the signed fields: same content, same text, on every database."""
    normalised = {}
    for field in CONTENT_FIELDS:
        value = content[field]
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, int | float) and not isinstance(value, bool):
            value = float(value)
        normalised[field] = value
    return json.dumps(normalised, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(content: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_content(content).encode("utf-8")).hexdigest()


def version_content(version: SuccessDefinitionVersion) -> dict[str, Any]:
    return {field: getattr(version, field) for field in CONTENT_FIELDS}


def changed_since_signoff(version: SuccessDefinitionVersion) -> bool:
    """True when a signed version's stored content no longer matches its signature."""
    if version.content_hash is None:
        return False
    return content_hash(version_content(version)) != version.content_hash


@dataclass(frozen=True)
class DefinitionStatus:
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


def in_force(session: Session) -> list[SuccessDefinitionVersion]:
    """Per definition, the latest signed-off version: it stays in force until its successor."""
    stmt = (
        select(SuccessDefinitionVersion)
        .where(SuccessDefinitionVersion.state == "signed_off")
        .options(selectinload(SuccessDefinitionVersion.signed_by))
        .order_by(SuccessDefinitionVersion.definition_id, SuccessDefinitionVersion.number)
    )
    latest: dict[int, SuccessDefinitionVersion] = {}
    for version in session.scalars(stmt):
        latest[version.definition_id] = version
    return list(latest.values())


def live_status(session: Session, actor: Actor, period: Period) -> list[DefinitionStatus]:
    """Actual against target and RAG for every in-force definition over ``period``.

    Targets of additive metrics (revenue, counts) apply to the definition's
    whole period, so they are scaled to the months shown; ratio targets are not.
    """
    require(actor, Action.VIEW)
    figures = headline_figures(session, actor, period)
    kpis = {k.id: k for k in session.scalars(select(Kpi))}
    statuses = []
    for version in in_force(session):
        actual, label, additive = _metric_actual(session, version.metric, period, figures, kpis)
        target = version.target
        if additive:
            months = len(months_between(version.period_start, version.period_end)) or 1
            target = target * len(period) / months
        statuses.append(
            DefinitionStatus(
                definition_id=version.definition_id,
                version=version.number,
                title=version.title,
                metric_label=label,
                unit=version.unit,
                comparison=version.comparison,
                target=target,
                actual=actual,
                status=metrics.rag_status(actual, target, version.comparison, version.tolerance),
                signed_by=version.signed_by.name if version.signed_by else None,
                signed_at=version.signed_at,
                changed_since_signoff=changed_since_signoff(version),
            )
        )
    return statuses


def _metric_actual(
    session: Session, metric: str, period: Period, figures: HeadlineFigures, kpis: dict[int, Kpi]
) -> tuple[float | None, str, bool]:
    if metric.startswith(KPI_PREFIX):
        kpi = kpis.get(int(metric.removeprefix(KPI_PREFIX)))
        if kpi is None:
            return None, "Unknown KPI", False
        _, actual = queries.kpi_aggregate(
            session, kpi.id, period.first, period.last, kpi.aggregation
        )
        return actual, kpi.name, kpi.aggregation == "sum"
    value = getattr(figures, metric, None)
    actual = None if value is None else float(value)
    return actual, BUDGET_METRICS.get(metric, metric), metric in ADDITIVE_BUDGET_METRICS
