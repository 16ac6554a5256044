"""Budget lines as people read, edit and export them: month x channel x campaign."""

from __future__ import annotations

import pandas as pd
from sqlalchemy.orm import Session

from alignment.money import from_cents
from alignment.periods import Period
from alignment.permissions import Action
from alignment.permissions import Actor
from alignment.permissions import require
from db import queries

EXPORT_COLUMNS = [
    "month",
    "channel",
    "campaign",
    "planned_budget",
    "actual_spend",
    "attributed_pipeline",
    "attributed_revenue",
    "new_customers",
]
AMOUNT_COLUMNS = [
    "planned_budget",
    "baseline_budget",
    "actual_spend",
    "attributed_pipeline",
    "attributed_revenue",
]
LISTING_COLUMNS = [
    "id",
    "month",
    "channel",
    "campaign",
    "planned_budget",
    "baseline_budget",
    "actual_spend",
    "attributed_pipeline",
    "attributed_revenue",
    "new_customers",
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
        frame[column] = [None if v is None else float(from_cents(v)) for v in frame[column]]
        frame[column] = frame[column].astype("Float64")
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
