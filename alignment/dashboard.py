"""The overview, read as one: every figure, status and list the first page shows for a
period, kept per data version so that clicking through the overview before a meeting does
not read the whole store again on every click.

It composes the concepts (spend, definitions, objectives, trust), so it sits beside their
packages rather than in one of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace

import pandas as pd
from sqlalchemy.orm import Session

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import require
from alignment.definitions.success import DefinitionStatus
from alignment.definitions.success import live_status
from alignment.definitions.success_workflow import waiting_work
from alignment.objectives.kpis import KpiPeriodValue
from alignment.objectives.kpis import top_kpis
from alignment.records.data_version import ReadCache
from alignment.shared import clock
from alignment.shared.periods import Period
from alignment.spend.landing import Landing
from alignment.spend.landing import fiscal_year
from alignment.spend.landing import landing
from alignment.spend.overview import HeadlineFigures
from alignment.spend.overview import headline_figures
from alignment.spend.overview import return_by_channel
from alignment.spend.overview import spend_over_time
from alignment.spend.reconciliation import unreconciled_months
from alignment.trust.checklist import AlignmentSummary
from alignment.trust.checklist import alignment_summary
from alignment.trust.checklist import open_gaps
from alignment.trust.request_log import RequestView
from alignment.trust.request_log import awaiting_decision

TREND_MONTHS = 24


@dataclass(frozen=True)
class Dashboard:
    now: HeadlineFigures
    before: HeadlineFigures
    trend: pd.DataFrame
    channels: pd.DataFrame
    definitions: list[DefinitionStatus]
    alignment: AlignmentSummary | None
    gaps: list[tuple[str, int]]
    waiting_requests: list[RequestView]
    unreconciled: list[str]
    waiting: list[str]
    top: list[KpiPeriodValue]
    landing: Landing


DASHBOARDS = ReadCache(max_entries=64)
"""Overviews per store, data version, day, person and period."""


def dashboard(session: Session, actor: Actor, period: Period) -> Dashboard:
    """Everything the overview shows for ``period``, as ``actor`` sees it.

    Kept until anything is written (the data version), the day changes (what is due, how
    old a month is) or another person asks (their own waiting work). The definitions'
    live status is read afresh every time: it is what shows a signed definition whose
    stored content was changed behind SamePage's back (an edit in the database records no
    audit event, so it does not move the data version)."""
    require(actor, Action.VIEW)
    kept = DASHBOARDS.kept(
        session,
        lambda: _read(session, actor, period),
        clock.today(),
        actor,
        period.first,
        period.last,
    )
    return replace(kept, definitions=live_status(session, actor, period))


def _read(session: Session, actor: Actor, period: Period) -> Dashboard:
    return Dashboard(
        now=headline_figures(session, actor, period),
        before=headline_figures(session, actor, period.previous()),
        trend=spend_over_time(session, actor, period.last, months=TREND_MONTHS),
        channels=return_by_channel(session, actor, period),
        definitions=[],
        alignment=alignment_summary(session, actor, period.last),
        gaps=open_gaps(session, actor, period.last),
        waiting_requests=awaiting_decision(session, actor),
        unreconciled=unreconciled_months(session, actor, period.first, period.last),
        waiting=waiting_work(session, actor),
        top=top_kpis(session, actor, period),
        landing=landing(session, actor, fiscal_year(session, actor, period.last)),
    )
