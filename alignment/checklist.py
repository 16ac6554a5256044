"""The trust/alignment checklist: the month's alignment score and perception gaps between roles."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from alignment.periods import add_months
from alignment.permissions import EXECUTIVES
from alignment.permissions import Action
from alignment.permissions import Actor
from alignment.permissions import require
from db import queries

GAP_FLAG = 2
"""A perception gap of this many points or more is flagged for discussion."""

DEFAULT_ITEMS = (
    "We have one written definition of marketing success, signed off by the CFO and known "
    "to the CEO.",
    "The CMO's performance measures are written down and agreed.",
    "Marketing, sales and finance figures come from one source of truth.",
    "Finance and marketing track marketing investments together.",
    "Budget and return are measured together with finance.",
    "Our measurement tells us the next best action, not only what happened.",
    "Each team knows which top-level KPI it contributes to.",
    "Long-term brand goals have agreed indicators, not only short-term targets.",
    "Strategy changes are decided on research and an expected result.",
    "Marketing challenges requests that serve neither customers nor goals.",
    "We leave each monthly review with owners and due dates.",
    "I trust the numbers in this dashboard.",
)


def alignment_score(scores: Iterable[int]) -> float | None:
    """Mean of all answers (1..5) scaled to 0..100; no answers is no score."""
    values = list(scores)
    if not values:
        return None
    return (sum(values) / len(values) - 1) / 4 * 100


def perception_gap(scores_by_role: Mapping[str, int]) -> int | None:
    """Highest minus lowest role score on one item; undefined until two roles answered."""
    if len(scores_by_role) < 2:
        return None
    return max(scores_by_role.values()) - min(scores_by_role.values())


@dataclass(frozen=True)
class AlignmentSummary:
    month: str
    score: float
    previous_month: str | None
    previous_score: float | None
    roles_answered: tuple[str, ...]
    roles_missing: tuple[str, ...]
    flagged_gaps: int
    trend: tuple[tuple[str, float], ...]


def alignment_summary(
    session: Session, actor: Actor, month: str, trend_months: int = 12
) -> AlignmentSummary | None:
    """The latest answered month at or before ``month``, with its trend; None if nobody answered."""
    require(actor, Action.VIEW)
    answered = queries.checklist_months(session, month)
    if not answered:
        return None
    latest = answered[-1]
    first = add_months(latest, -(trend_months - 1))
    by_month: dict[str, list[int]] = defaultdict(list)
    by_item: dict[int, dict[str, int]] = defaultdict(dict)
    roles: set[str] = set()
    for row in queries.checklist_scores(session, first, latest):
        by_month[row.month].append(row.score)
        if row.month == latest:
            by_item[row.item_id][row.role] = row.score
            roles.add(row.role)
    trend = tuple(
        (m, score) for m in sorted(by_month) if (score := alignment_score(by_month[m])) is not None
    )
    previous = [m for m, _ in trend if m < latest]
    gaps = [perception_gap(scores) for scores in by_item.values()]
    return AlignmentSummary(
        month=latest,
        score=trend[-1][1],
        previous_month=previous[-1] if previous else None,
        previous_score=dict(trend)[previous[-1]] if previous else None,
        roles_answered=tuple(str(r) for r in EXECUTIVES if r in roles),
        roles_missing=tuple(str(r) for r in EXECUTIVES if r not in roles),
        flagged_gaps=sum(1 for gap in gaps if gap is not None and gap >= GAP_FLAG),
        trend=trend,
    )
