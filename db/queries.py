"""Read-side queries for dashboards: aggregation runs in the database, never in pandas."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from typing import cast

import pandas as pd
from sqlalchemy import Row
from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import union
from sqlalchemy import update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from alignment.definitions.definition_states import DefinitionState
from db.models import BUDGET_LINE_FIELDS
from db.models import AuditEvent
from db.models import BudgetLine
from db.models import Channel
from db.models import ChecklistAnswer
from db.models import ChecklistItem
from db.models import CompanySettings
from db.models import Competence
from db.models import DatedFigure
from db.models import KpiValue
from db.models import MonthlyReview
from db.models import Reconciliation
from db.models import SuccessDefinitionVersion
from db.models import User

# A result row of any width: Row is generic over its column types.
AnyRow = Row[*tuple[Any, ...]]

_BUDGET_SUMS = (
    func.sum(BudgetLine.planned_budget).label("planned_budget"),
    func.sum(BudgetLine.baseline_budget).label("baseline_budget"),
    func.sum(BudgetLine.actual_spend).label("actual_spend"),
    func.sum(BudgetLine.attributed_pipeline).label("attributed_pipeline"),
    func.sum(BudgetLine.attributed_revenue).label("attributed_revenue"),
    func.sum(BudgetLine.new_customers).label("new_customers"),
    func.count(BudgetLine.id).label("lines"),
)


def budget_totals(session: Session, first: str, last: str) -> AnyRow:
    """Sums of every budget figure over the months first..last (cents)."""
    stmt = select(*_BUDGET_SUMS).where(BudgetLine.month.between(first, last))
    return session.execute(stmt).one()


def budget_by_month(session: Session, first: str, last: str) -> Sequence[AnyRow]:
    stmt = (
        select(BudgetLine.month, *_BUDGET_SUMS)
        .where(BudgetLine.month.between(first, last))
        .group_by(BudgetLine.month)
        .order_by(BudgetLine.month)
    )
    return session.execute(stmt).all()


def budget_by_channel(session: Session, first: str, last: str) -> Sequence[AnyRow]:
    stmt = (
        select(Channel.name.label("channel"), *_BUDGET_SUMS)
        .join(Channel, BudgetLine.channel_id == Channel.id)
        .where(BudgetLine.month.between(first, last))
        .group_by(Channel.name)
        .order_by(Channel.name)
    )
    return session.execute(stmt).all()


def budget_months(session: Session) -> list[str]:
    stmt = select(BudgetLine.month).distinct().order_by(BudgetLine.month)
    return list(session.scalars(stmt))


def kpi_months(session: Session) -> list[str]:
    stmt = select(KpiValue.month).distinct().order_by(KpiValue.month)
    return list(session.scalars(stmt))


def dated_days(session: Session, first: str, last: str) -> list[Any]:
    """The distinct days of imported weekly or daily rows in the months first..last."""
    stmt = (
        select(DatedFigure.day)
        .distinct()
        .where(DatedFigure.month.between(first, last))
        .order_by(DatedFigure.day)
    )
    return list(session.scalars(stmt))


def store_currency(session: Session) -> str:
    """The currency every figure in the store is kept in (USD before the CFO sets one)."""
    return session.scalar(select(CompanySettings.currency)) or "USD"


def meeting_months(session: Session) -> list[str]:
    """Months that hold budget figures, KPI figures, checklist answers or a review."""
    stmt = union(
        select(BudgetLine.month),
        select(KpiValue.month),
        select(ChecklistAnswer.month),
        select(MonthlyReview.month),
    )
    return sorted(session.scalars(stmt))


def checklist_scores(session: Session, first: str, last: str) -> Sequence[AnyRow]:
    stmt = (
        select(
            ChecklistAnswer.month,
            ChecklistAnswer.item_id,
            ChecklistAnswer.role,
            ChecklistAnswer.score,
        )
        .where(ChecklistAnswer.month.between(first, last))
        .order_by(ChecklistAnswer.month, ChecklistAnswer.item_id, ChecklistAnswer.role)
    )
    return session.execute(stmt).all()


def checklist_answers(session: Session, month: str) -> Sequence[AnyRow]:
    """Every answer given for the month: the wording it was given to, the item's place in
    the checklist and who answered."""
    return session.execute(
        select(
            ChecklistItem.position,
            ChecklistAnswer.item_id,
            ChecklistAnswer.wording,
            ChecklistAnswer.role,
            User.name,
            ChecklistAnswer.score,
            ChecklistAnswer.comment,
        )
        .join(ChecklistItem, ChecklistItem.id == ChecklistAnswer.item_id)
        .outerjoin(User, User.id == ChecklistAnswer.user_id)
        .where(ChecklistAnswer.month == month)
    ).all()


def checklist_months(session: Session, up_to: str) -> list[str]:
    stmt = (
        select(ChecklistAnswer.month)
        .distinct()
        .where(ChecklistAnswer.month <= up_to)
        .order_by(ChecklistAnswer.month)
    )
    return list(session.scalars(stmt))


def kpi_aggregate(
    session: Session, kpi_id: int, first: str, last: str, how: str
) -> tuple[float | None, float | None]:
    """A KPI's (target, actual) over first..last, combined as the KPI says: sum, average or last.

    Only months with an actual count, the target's too: a quarter to date with December not
    yet reported compares October and November with their own targets, not with three
    months' worth. With no actual at all, the target is the whole range's."""
    where = (KpiValue.kpi_id == kpi_id, KpiValue.month.between(first, last))
    reported = KpiValue.actual.is_not(None)
    if how == "last":
        stmt = (
            select(KpiValue.target, KpiValue.actual)
            .where(*where, reported)
            .order_by(KpiValue.month.desc())
            .limit(1)
        )
    else:
        combine = func.sum if how == "sum" else func.avg
        stmt = select(combine(KpiValue.target), combine(KpiValue.actual)).where(*where, reported)
    row = session.execute(stmt).first()
    if row is None or row[1] is None:
        if how == "last":
            target = session.scalar(
                select(KpiValue.target)
                .where(*where, KpiValue.target.is_not(None))
                .order_by(KpiValue.month.desc())
                .limit(1)
            )
        else:
            combine = func.sum if how == "sum" else func.avg
            target = session.scalar(select(combine(KpiValue.target)).where(*where))
        return _float(target), None
    return _float(row[0]), _float(row[1])


def kpi_reported_months(session: Session, first: str, last: str) -> dict[int, list[str]]:
    """Per KPI, the months of first..last that have an actual: what a to-date status compares."""
    rows = session.execute(
        select(KpiValue.kpi_id, KpiValue.month)
        .where(KpiValue.month.between(first, last), KpiValue.actual.is_not(None))
        .order_by(KpiValue.month)
    ).all()
    found: dict[int, list[str]] = {}
    for kpi_id, month in rows:
        found.setdefault(kpi_id, []).append(month)
    return found


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def budget_lines_frame(session: Session, months: list[str]) -> pd.DataFrame:
    """Every budget line of the given months, with its channel name, for comparison on import."""
    columns = ["id", *BUDGET_LINE_FIELDS, "version"]
    if not months:
        return pd.DataFrame(
            {
                c: pd.Series(dtype="Int64" if c not in ("month", "channel", "campaign") else object)
                for c in columns
            }
        )
    stmt = (
        select(
            BudgetLine.id,
            BudgetLine.month,
            Channel.name.label("channel"),
            BudgetLine.campaign,
            BudgetLine.planned_budget,
            BudgetLine.actual_spend,
            BudgetLine.attributed_pipeline,
            BudgetLine.attributed_revenue,
            BudgetLine.new_customers,
            BudgetLine.version,
        )
        .join(Channel, BudgetLine.channel_id == Channel.id)
        .where(BudgetLine.month.in_(months))
    )
    rows = session.execute(stmt).all()
    frame = pd.DataFrame(rows, columns=columns)
    for column in columns:
        if column not in ("month", "channel", "campaign"):
            frame[column] = frame[column].astype("Int64")
    return frame


def reconciled_months(session: Session) -> list[str]:
    stmt = select(Reconciliation.month).where(Reconciliation.reconciled.is_(True))
    return list(session.scalars(stmt))


def budget_lines_listing(
    session: Session, first: str, last: str, channels: list[str] | None, limit: int | None
) -> Sequence[AnyRow]:
    """Budget lines with their provenance, newest month first, for the grid and exports."""
    stmt = (
        select(
            BudgetLine.id,
            BudgetLine.month,
            Channel.name.label("channel"),
            BudgetLine.campaign,
            BudgetLine.planned_budget,
            BudgetLine.baseline_budget,
            BudgetLine.actual_spend,
            BudgetLine.attributed_pipeline,
            BudgetLine.attributed_revenue,
            BudgetLine.new_customers,
            BudgetLine.source,
            BudgetLine.source_file,
            User.name.label("entered_by"),
            BudgetLine.entered_at,
            BudgetLine.version,
        )
        .join(Channel, BudgetLine.channel_id == Channel.id)
        .outerjoin(User, BudgetLine.entered_by_id == User.id)
        .where(BudgetLine.month.between(first, last))
        .order_by(BudgetLine.month.desc(), Channel.name, BudgetLine.campaign)
    )
    if channels:
        stmt = stmt.where(Channel.name.in_(channels))
    if limit is not None:
        stmt = stmt.limit(limit)
    return session.execute(stmt).all()


def budget_lines_count(session: Session, first: str, last: str, channels: list[str] | None) -> int:
    stmt = (
        select(func.count())
        .select_from(BudgetLine)
        .join(Channel, BudgetLine.channel_id == Channel.id)
        .where(BudgetLine.month.between(first, last))
    )
    if channels:
        stmt = stmt.where(Channel.name.in_(channels))
    return int(session.scalar(stmt) or 0)


def channel_names(session: Session) -> list[str]:
    return list(session.scalars(select(Channel.name).order_by(Channel.name)))


def month_updates(session: Session, first: str, last: str) -> Sequence[AnyRow]:
    """Per month: lines, when they were last updated and by whom, and how many were imported."""
    latest = (
        select(
            BudgetLine.month,
            func.max(BudgetLine.entered_at).label("last_updated"),
            func.count(BudgetLine.id).label("lines"),
            func.sum(case((BudgetLine.source == "imported", 1), else_=0)).label("imported"),
            func.sum(case((BudgetLine.source == "typed", 1), else_=0)).label("typed"),
        )
        .where(BudgetLine.month.between(first, last))
        .group_by(BudgetLine.month)
        .subquery()
    )
    who = (
        select(BudgetLine.month, func.max(User.name).label("updated_by"))
        .join(User, BudgetLine.entered_by_id == User.id)
        .join(
            latest,
            (latest.c.month == BudgetLine.month) & (latest.c.last_updated == BudgetLine.entered_at),
        )
        .group_by(BudgetLine.month)
        .subquery()
    )
    stmt = (
        select(latest, who.c.updated_by)
        .outerjoin(who, who.c.month == latest.c.month)
        .order_by(latest.c.month.desc())
    )
    return session.execute(stmt).all()


def lock_baseline_lines(session: Session, first: str, last: str) -> int:
    """Copy each line's planned budget into its baseline for the months first..last."""
    # An UPDATE without RETURNING always yields a CursorResult, which carries rowcount.
    result = cast(
        "CursorResult[*tuple[Any, ...]]",
        session.execute(
            update(BudgetLine)
            .where(BudgetLine.month.between(first, last))
            .values(baseline_budget=BudgetLine.planned_budget)
            .execution_options(synchronize_session=False)
        ),
    )
    return result.rowcount or 0


def setup_facts(session: Session) -> dict[str, Any]:
    """What a new store already has, for the first-run guide: one round trip per fact."""
    settings = session.execute(select(CompanySettings.company_name, CompanySettings.demo)).first()
    cfo_settings = session.scalar(
        select(func.count(AuditEvent.id))
        .join(User, AuditEvent.user_id == User.id)
        .where(AuditEvent.object_type == "company", User.role == "CFO")
    )
    roles = session.scalars(select(User.role).distinct().where(User.active.is_(True)))
    return {
        "company_name": settings.company_name if settings else None,
        "demo": bool(settings.demo) if settings else False,
        "roles": set(roles),
        "cfo_set_finance": bool(cfo_settings),
        "statements": session.scalar(select(func.count(ChecklistItem.id))) or 0,
        "competences": session.scalar(select(func.count(Competence.id))) or 0,
        "budget_lines": session.scalar(select(func.count(BudgetLine.id))) or 0,
        "signed_definitions": session.scalar(
            select(func.count(SuccessDefinitionVersion.id)).where(
                SuccessDefinitionVersion.state == DefinitionState.SIGNED_OFF
            )
        )
        or 0,
    }
