"""The trust/alignment checklist: the month's alignment score and perception gaps between roles."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from alignment.access.permissions import EXECUTIVES
from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import require
from alignment.records.data_version import ReadCache
from alignment.records.unit_of_work import writing
from alignment.shared import clock
from alignment.shared.errors import PermissionDenied
from alignment.shared.errors import ValidationFailed
from alignment.shared.periods import add_months
from alignment.shared.periods import current_month
from alignment.shared.periods import month_label
from alignment.shared.periods import parse_month
from alignment.trust import rated_lists
from db import queries
from db.models import ChecklistAnswer
from db.models import ChecklistItem
from db.models import MonthlyReview

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
    return SCORES.kept(
        session, lambda: _alignment_summary(session, month, trend_months), month, trend_months
    )


SCORES = ReadCache(max_entries=64)
"""The alignment score and its trend, per store, data version and month."""


def _alignment_summary(session: Session, month: str, trend_months: int) -> AlignmentSummary | None:
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


def movers(
    this_month: Mapping[int, list[int]], last_month: Mapping[int, list[int]]
) -> list[tuple[int, float]]:
    """Items by how much their mean score moved since the previous answered month, largest
    change first (improvements positive); items missing from either month are left out."""
    moves = []
    for item, scores in this_month.items():
        before = last_month.get(item)
        if scores and before:
            moves.append((item, sum(scores) / len(scores) - sum(before) / len(before)))
    return sorted(moves, key=lambda m: (-abs(m[1]), m[0]))


@dataclass(frozen=True)
class ItemView:
    id: int
    position: int
    text: str
    active: bool


@dataclass(frozen=True)
class ChecklistMonth:
    month: str
    closed: bool
    score: float | None
    roles_answered: tuple[str, ...]
    roles_missing: tuple[str, ...]
    items: pd.DataFrame
    """One row per item: id, position, wording, CEO, CFO, CMO, gap, flagged, comments."""
    trend: tuple[tuple[str, float], ...]
    improved: list[tuple[str, float]]
    worsened: list[tuple[str, float]]


def items(session: Session, actor: Actor, include_retired: bool = False) -> list[ItemView]:
    require(actor, Action.VIEW)
    stmt = select(ChecklistItem).order_by(ChecklistItem.position)
    if not include_retired:
        stmt = stmt.where(ChecklistItem.active.is_(True))
    return [ItemView(i.id, i.position, i.text, i.active) for i in session.scalars(stmt)]


def _text(text: str) -> str:
    clean = (text or "").strip()
    if not clean:
        raise ValidationFailed("Write the statement: an item cannot be empty.")
    if len(clean) > 500:
        raise ValidationFailed("Keep the statement under 500 characters.")
    return clean


STATEMENTS = rated_lists.RatedList(
    ChecklistItem.text,
    not_rated="That item is not being asked.",
    already_started="The checklist already has statements; add or reword them one by one.",
)


def add_item(session: Session, actor: Actor, text: str) -> int:
    with writing(session, actor, Action.EDIT_CHECKLIST_ITEMS) as w:
        return rated_lists.add(w, STATEMENTS, _text(text))


def start_with_standard_statements(session: Session, actor: Actor) -> int:
    """A new team's checklist: the twelve statements of the design, as if the CEO typed them."""
    with writing(session, actor, Action.EDIT_CHECKLIST_ITEMS) as w:
        return rated_lists.start_with(w, STATEMENTS, DEFAULT_ITEMS)


def reword_item(session: Session, actor: Actor, item_id: int, text: str) -> None:
    with writing(session, actor, Action.EDIT_CHECKLIST_ITEMS) as w:
        rated_lists.reword(w, STATEMENTS, item_id, _text(text), "reword")


def retire_item(session: Session, actor: Actor, item_id: int) -> None:
    with writing(session, actor, Action.EDIT_CHECKLIST_ITEMS) as w:
        rated_lists.retire(w, STATEMENTS, item_id)


def month_closed(session: Session, month: str) -> bool:
    status = session.scalar(select(MonthlyReview.status).where(MonthlyReview.month == month))
    return status == "closed"


@dataclass(frozen=True)
class Answer:
    item_id: int
    score: Any
    comment: str = ""


def save_answers(
    session: Session, actor: Actor, month: str, answers: list[Answer], role: str | None = None
) -> int:
    """The acting executive's answers for a month; refused for another role, a closed
    month or a score outside 1..5, and then nothing is written."""
    with writing(session, actor, Action.ANSWER_CHECKLIST) as w:
        if role is not None and role != str(actor.role):
            raise PermissionDenied(
                f"{actor.label} cannot answer for the {role}: each executive answers for "
                "themselves."
            )
        month = parse_month(month)
        if month_closed(session, month):
            raise ValidationFailed(
                f"The review of {month_label(month)} is closed; its answers can no longer change."
            )
        if month > current_month():
            raise ValidationFailed(f"{month_label(month)} has not started; answer it when it has.")
        active = {
            i.id: i.text
            for i in session.scalars(select(ChecklistItem).where(ChecklistItem.active.is_(True)))
        }
        problems = []
        for answer in answers:
            if answer.item_id not in active:
                problems.append(f"item {answer.item_id} is not being asked")
                continue
            score = answer.score
            if isinstance(score, float) and score.is_integer():
                score = int(score)
            if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
                problems.append(
                    f"'{score}' is not a score from 1 to 5 (item {active[answer.item_id][:40]}…)"
                )
            if len(answer.comment or "") > 2000:
                problems.append("a comment is longer than 2,000 characters")
        if problems:
            raise ValidationFailed("Nothing was saved: " + "; ".join(problems) + ".")
        written = 0
        for answer in answers:
            row = session.scalar(
                select(ChecklistAnswer).where(
                    ChecklistAnswer.item_id == answer.item_id,
                    ChecklistAnswer.month == month,
                    ChecklistAnswer.role == str(actor.role),
                )
            )
            score, comment = int(answer.score), (answer.comment or "").strip()
            if row is not None and (row.score, row.comment) == (score, comment):
                continue
            old = None if row is None else {"score": row.score, "comment": row.comment}
            if row is None:
                row = ChecklistAnswer(
                    item_id=answer.item_id,
                    month=month,
                    role=str(actor.role),
                    wording=active[answer.item_id],
                )
                session.add(row)
            row.score, row.comment, row.user_id = score, comment, actor.user_id
            row.answered_at = clock.utc_second()
            session.flush()
            w.record(
                "answer",
                "checklist_answer",
                f"{answer.item_id}:{month}:{actor.role}",
                old,
                {"score": score, "comment": comment},
            )
            written += 1
        return written


def checklist_month(session: Session, actor: Actor, month: str) -> ChecklistMonth:
    """Everything the checklist page shows for a month: scores by role side by side, the
    gaps, who has not answered, the trend and the items that moved most."""
    require(actor, Action.VIEW)
    month = parse_month(month)
    rows = queries.checklist_answers(session, month)
    asked = items(session, actor, include_retired=True)
    answered_ids = {r.item_id for r in rows}
    shown = [i for i in asked if i.active or i.id in answered_ids]
    by_item: dict[int, dict[str, Any]] = {
        i.id: {
            "id": i.id,
            "position": i.position,
            "wording": i.text,
            "CEO": None,
            "CFO": None,
            "CMO": None,
            "comments": [],
            "CEO_comment": "",
            "CFO_comment": "",
            "CMO_comment": "",
        }
        for i in shown
    }
    for row in rows:
        entry = by_item[row.item_id]
        entry[row.role] = row.score
        entry["wording"] = row.wording
        if row.comment:
            entry["comments"].append(f"{row.role}: {row.comment}")
            entry[f"{row.role}_comment"] = row.comment
    for entry in by_item.values():
        scores = {r: entry[r] for r in ("CEO", "CFO", "CMO") if entry[r] is not None}
        entry["gap"] = perception_gap(scores)
        entry["flagged"] = entry["gap"] is not None and entry["gap"] >= GAP_FLAG
        entry["comments"] = "\n".join(entry["comments"])
    table = pd.DataFrame(
        list(by_item.values()),
        columns=[
            "id",
            "position",
            "wording",
            "CEO",
            "CFO",
            "CMO",
            "gap",
            "flagged",
            "comments",
            "CEO_comment",
            "CFO_comment",
            "CMO_comment",
        ],
    )
    roles = {r.role for r in rows}
    summary = alignment_summary(session, actor, month)
    trend = summary.trend if summary else ()
    earlier = [m for m, _ in trend if m < month]
    this_scores: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        this_scores[row.item_id].append(row.score)
    last_scores: dict[int, list[int]] = defaultdict(list)
    if earlier:
        for before in queries.checklist_scores(session, earlier[-1], earlier[-1]):
            last_scores[before.item_id].append(before.score)
    wording = {i.id: i.text for i in asked}
    moved = movers(this_scores, last_scores)
    return ChecklistMonth(
        month=month,
        closed=month_closed(session, month),
        score=alignment_score([r.score for r in rows]),
        roles_answered=tuple(str(r) for r in EXECUTIVES if r in roles),
        roles_missing=tuple(str(r) for r in EXECUTIVES if r not in roles),
        items=table,
        trend=tuple((m, s) for m, s in trend if m <= month),
        improved=[(wording[i], d) for i, d in moved if d > 0][:3],
        worsened=[(wording[i], d) for i, d in moved if d < 0][:3],
    )


@dataclass(frozen=True)
class Comment:
    statement: str
    """The wording the comment was written to."""
    role: str
    name: str | None
    comment: str

    @property
    def who(self) -> str:
        return f"{self.name} ({self.role})" if self.name else self.role


def month_comments(session: Session, actor: Actor, month: str) -> list[Comment]:
    """What people wrote beside their scores for a month, with who wrote it, in checklist
    order: the meeting discusses the reasons, not only the numbers."""
    require(actor, Action.VIEW)
    month = parse_month(month)
    order = [str(r) for r in EXECUTIVES]
    rows = sorted(
        (r for r in queries.checklist_answers(session, month) if r.comment),
        key=lambda r: (r.position, r.item_id, order.index(str(r.role))),
    )
    return [Comment(r.wording, str(r.role), r.name, r.comment) for r in rows]


def open_gaps(session: Session, actor: Actor, month: str) -> list[tuple[str, int]]:
    """Items with a perception gap of 2 or more in the latest answered month up to ``month``."""
    summary = alignment_summary(session, actor, month)
    if summary is None:
        return []
    table = checklist_month(session, actor, summary.month).items
    flagged = table[table["flagged"]]
    return [(row.wording, int(row.gap)) for row in flagged.itertuples()]
