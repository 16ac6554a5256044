"""The monthly review: the meeting on one screen, in agenda order, its decisions and action
items, and the frozen record of the figures once the CEO closes the month.

A closed review shows the snapshot stored at closing, never a recomputation; later edits
to the month's figures show as differences, not as silently changed numbers.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from alignment.access.permissions import EXECUTIVES
from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import require
from alignment.company.settings import company_profile
from alignment.definitions.success import live_status
from alignment.meeting import explanations
from alignment.meeting.explanations import ItemToExplain
from alignment.objectives import confidence
from alignment.objectives import funnel
from alignment.objectives import kpis
from alignment.records import audit
from alignment.records.unit_of_work import writing
from alignment.shared import clock
from alignment.shared.errors import ValidationFailed
from alignment.shared.periods import current_month
from alignment.shared.periods import month_label
from alignment.shared.periods import month_period
from alignment.shared.periods import parse_month
from alignment.spend import reconciliation
from alignment.spend.landing import fiscal_year
from alignment.spend.landing import landing
from alignment.spend.overview import MONTH_CHOICES
from alignment.spend.overview import MonthChoices
from alignment.spend.overview import headline_figures
from alignment.spend.overview import opening_month
from alignment.spend.overview import return_by_channel
from alignment.trust import checklist
from alignment.trust import request_log
from db import queries
from db.models import ActionItem
from db.models import MonthlyReview
from db.models import User

AGENDA = (
    ("headline", "Headline figures"),
    ("definitions", "Definitions of success"),
    ("budget", "Budget vs return"),
    ("finance", "Finance reconciliation"),
    ("landing", "Where the year lands"),
    ("kpis", "KPI tree and funnel"),
    ("alignment", "Alignment checklist"),
    ("requests", "Requests awaiting a decision"),
    ("actions", "Decisions and action items"),
)
HEADLINE_KEYS = (
    "planned_budget",
    "actual_spend",
    "spend_variance",
    "spend_variance_pct",
    "roas",
    "romi_attributed",
    "attributed_pipeline",
    "attributed_revenue",
    "marketing_cac",
    "new_customers",
)
AUDIT_HEAD = "audit_head"
TOP_KINDS = ("result", "financial")
"""The KPIs a review froze before it held the whole tree."""
"""The snapshot's key for the audit head at closing (not a figure: never compared)."""
STATUSES = ("open", "done", "dropped")
KINDS = {"decision": "Decision", "action": "Action item"}
LARGEST_VARIANCES = 5


@dataclass(frozen=True)
class ActionView:
    id: int
    month: str
    kind: str
    text: str
    owner_role: str | None
    due_date: dt.date | None
    status: str

    @property
    def overdue(self) -> bool:
        return self.status == "open" and self.due_date is not None and self.due_date < clock.today()


@dataclass(frozen=True)
class Difference:
    section: str
    item: str
    frozen: Any
    now: Any


@dataclass(frozen=True)
class ReviewView:
    month: str
    status: str
    closed_by: str | None
    closed_at: dt.datetime | None
    sections: dict[str, Any]
    """The agenda's content; for a closed review, exactly what was stored at closing."""
    recorded: list[ActionView]
    """Decisions and action items recorded in this month's review."""
    carried: list[ActionView]
    """Open action items from earlier reviews, which carry over until done or dropped."""
    differences: list[Difference]
    has_data: bool
    to_explain: list[ItemToExplain] = field(default_factory=list)
    """The open month's amber and red items, live, for their owners to explain (a closed
    review shows the explanations frozen in its sections instead)."""

    @property
    def closed(self) -> bool:
        return self.status == "closed"

    @property
    def audit_head(self) -> audit.Head | None:
        """The audit trail's head at closing (the closing itself): printed on the review and
        its pack, so anyone holding a copy can later prove with ``audit verify --head`` that
        nothing up to the closing was changed since."""
        head = self.sections.get(AUDIT_HEAD) if self.closed else None
        if not isinstance(head, dict):
            return None
        return audit.Head(int(head["sequence"]), str(head["hash"]))


def _plain(value: Any) -> Any:
    """JSON-safe: Decimals and dates become numbers and text, the same on every database."""
    return json.loads(
        json.dumps(value, default=lambda v: float(v) if hasattr(v, "as_tuple") else str(v))
    )


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _actions(session: Session, where: Any) -> list[ActionView]:
    rows = session.execute(
        select(ActionItem, MonthlyReview.month)
        .join(MonthlyReview, MonthlyReview.id == ActionItem.review_id)
        .where(where)
        .order_by(MonthlyReview.month, ActionItem.id)
    ).all()
    return [
        ActionView(a.id, month, a.kind, a.text, a.owner_role, a.due_date, a.status)
        for a, month in rows
    ]


def carried_actions(session: Session, month: str) -> list[ActionView]:
    """Action items from earlier months that are still open."""
    return [
        a
        for a in _actions(session, MonthlyReview.month < month)
        if a.kind == "action" and a.status == "open"
    ]


def recorded_items(session: Session, month: str) -> list[ActionView]:
    return _actions(session, MonthlyReview.month == month)


def live_sections(session: Session, actor: Actor, month: str) -> dict[str, Any]:
    """Every figure the review shows for ``month``, computed now from the store."""
    require(actor, Action.VIEW)
    period = month_period(month)
    profile = company_profile(session, actor)
    now = headline_figures(session, actor, period).as_json()
    before = headline_figures(session, actor, period.previous()).as_json()
    channels = return_by_channel(session, actor, period)
    channels = (
        channels.assign(size=pd.to_numeric(channels["spend_variance"], errors="coerce").abs())
        .sort_values("size", ascending=False, na_position="last", kind="stable")
        .drop(columns="size")
    )
    statuses = live_status(session, actor, period)
    definitions = [
        {
            "subject": explanations.subject_of(explanations.DEFINITION, s.definition_id),
            "title": s.title,
            "metric": s.metric_label,
            "unit": s.unit,
            "comparison": s.comparison,
            "target": s.target,
            "actual": s.actual,
            "status": s.status,
            "actual_text": s.actual_text,
            "target_text": s.target_text,
            "unit_disagrees": s.unit_disagrees,
            "signature": "changed since sign-off"
            if s.changed_since_signoff
            else f"signed by {s.signed_by}, unchanged since",
        }
        for s in statuses
    ]
    values = kpis.period_values(session, actor, period)
    tree = [
        {
            "subject": explanations.subject_of(explanations.KPI, v.kpi.id),
            "kpi": v.kpi.name,
            "unit": v.kpi.unit,
            "kind": v.kpi.kind,
            "target": v.target,
            "actual": v.actual,
            "status": v.status,
        }
        for v in (values[n.kpi.id] for n in kpis.walk(kpis.kpi_tree(session, actor)))
    ]
    counts = funnel.stage_counts(session, actor, month, months=1)
    month_funnel = funnel.funnel_month(counts, month) if not counts.empty else None
    answered = checklist.checklist_month(session, actor, month)
    flagged = answered.items[answered.items["flagged"]]
    books = reconciliation.month_reconciliation(session, actor, month)
    landed = landing(session, actor, fiscal_year(session, actor, month))
    return _plain(
        {
            "currency": profile.currency,
            "landing": landed.as_json(),
            "headline": {
                "now": {k: now[k] for k in HEADLINE_KEYS},
                "previous": {k: before[k] for k in HEADLINE_KEYS},
                "lines": now["budget_lines"],
                "previous_label": before["label"],
            },
            "definitions": definitions,
            "explanations": [
                i.as_json() for i in explanations.listed(session, month, statuses, values.values())
            ],
            "confidence": [g.as_json() for g in confidence.confidence(session, actor, month)],
            "budget": [
                {
                    "channel": r.channel,
                    "planned": r.planned_budget,
                    "actual": r.actual_spend,
                    "variance": r.spend_variance,
                    "variance_pct": r.spend_variance_pct,
                    "revenue": r.attributed_revenue,
                    "roas": r.roas,
                    "romi": r.romi,
                }
                for r in channels.itertuples()
            ],
            "finance": {
                "marketing_spend": books.marketing_spend,
                "finance_spend": books.finance_spend,
                "gap": books.gap,
                "gap_pct": books.gap_pct,
                "status": books.status,
                "reconciled_by": books.reconciled_by,
                "reconciled_at": _iso(books.reconciled_at),
                "reopened_by": books.reopened_by,
                "reopened_at": _iso(books.reopened_at),
                "note": books.note,
            },
            "kpis": tree,
            "funnel": {
                "biggest_loss": month_funnel.biggest_loss if month_funnel else None,
                "stages": [
                    {
                        "stage": s.stage,
                        "actual": s.actual,
                        "target": s.target,
                        "conversion": s.conversion,
                        "target_conversion": s.target_conversion,
                    }
                    for s in month_funnel.stages
                ]
                if month_funnel
                else [],
            },
            "alignment": {
                "score": answered.score,
                "missing": list(answered.roles_missing),
                "gaps": [{"statement": r.wording, "gap": r.gap} for r in flagged.itertuples()],
                "trend": [{"month": m, "score": score} for m, score in answered.trend],
                "comments": [
                    {"statement": c.statement, "who": c.who, "comment": c.comment}
                    for c in checklist.month_comments(session, actor, month)
                ],
            },
            "requests": [
                {
                    "title": r.title,
                    "status": r.status,
                    "asked_by": r.asked_by_role,
                    "recommendation": r.recommendation,
                }
                for r in request_log.awaiting_decision(session, actor)
            ],
            "actions": {
                "carried": [
                    vars(a) | {"overdue": a.overdue} for a in carried_actions(session, month)
                ],
                "recorded": [vars(a) for a in recorded_items(session, month)],
            },
        }
    )


def _flat(sections: dict[str, Any]) -> dict[tuple[str, str], Any]:
    """The figures that must not move after closing, keyed by (section, item)."""
    out: dict[tuple[str, str], Any] = {}
    for key in HEADLINE_KEYS:
        out[("Headline figures", key.replace("_", " "))] = sections["headline"]["now"].get(key)
    for d in sections["definitions"]:
        out[("Definitions of success", f"{d['title']}: actual")] = d["actual"]
        out[("Definitions of success", f"{d['title']}: status")] = d["status"]
    for c in sections["budget"]:
        for key in ("planned", "actual", "revenue"):
            out[("Budget vs return", f"{c['channel']}: {key}")] = c[key]
    for k in sections["kpis"]:
        out[("KPI tree", f"{k['kpi']}: actual")] = k["actual"]
        out[("KPI tree", f"{k['kpi']}: target")] = k["target"]
    if "finance" in sections:
        books = sections["finance"]
        out[("Finance reconciliation", "finance booked")] = books["finance_spend"]
        out[("Finance reconciliation", "status")] = books["status"]
        out[("Finance reconciliation", "CFO's note")] = books["note"]
    for e in sections.get("explanations", []):
        what = f"{e['title']}: explanation"
        out[("Explanations", what)] = e["explanation"] or (
            explanations.DISCUSSED_WITHOUT if e["discussed_without"] else None
        )
        out[("Explanations", f"{e['title']}: next step")] = e["next_step"] or None
    for g in sections.get("confidence", []):
        for role, rating in g["ratings"].items():
            out[("Confidence", f"{g['goal']}: {role}")] = rating["score"] if rating else None
    out[("Alignment checklist", "score")] = sections["alignment"]["score"]
    for gap in sections["alignment"]["gaps"]:
        out[("Alignment checklist", f"gap: {gap['statement']}")] = gap["gap"]
    return out


def differences(frozen: dict[str, Any], now: dict[str, Any]) -> list[Difference]:
    """Every stored figure that reads differently today, and figures that appeared since.
    A review closed before finance joined the snapshot is not compared on finance: it never
    froze finance's figure, so there is nothing it could differ from. Likewise one closed
    when the review held only the result and financial KPIs is compared on those only."""
    if "finance" not in frozen:
        now = {k: v for k, v in now.items() if k != "finance"}
    for later in ("explanations", "confidence"):
        if later not in frozen:
            now = {k: v for k, v in now.items() if k != later}
    if any("kind" not in k for k in frozen["kpis"]):
        now = now | {"kpis": [k for k in now["kpis"] if k["kind"] in TOP_KINDS]}
    before, after = _flat(frozen), _flat(now)
    changed = []
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key), after.get(key)
        if isinstance(a, float) and isinstance(b, float) and abs(a - b) <= 1e-9 * max(1, abs(a)):
            continue
        if a != b:
            changed.append(Difference(key[0], key[1], a, b))
    return changed


def _review(session: Session, month: str) -> MonthlyReview | None:
    return session.scalar(select(MonthlyReview).where(MonthlyReview.month == month))


def review(session: Session, actor: Actor, month: str) -> ReviewView:
    """The review of ``month``: the frozen record when closed, the live figures when open."""
    require(actor, Action.VIEW)
    month = parse_month(month)
    row = _review(session, month)
    live = live_sections(session, actor, month)
    names = dict(session.execute(select(User.id, User.name)).all())
    if row is not None and row.status == "closed" and row.snapshot:
        sections = row.snapshot
        changed = differences(sections, live)
    else:
        sections, changed = live, []
    return ReviewView(
        month=month,
        status=row.status if row else "open",
        closed_by=names.get(row.closed_by_id or -1) if row else None,
        closed_at=row.closed_at if row else None,
        sections=sections,
        recorded=recorded_items(session, month),
        carried=carried_actions(session, month),
        differences=changed,
        has_data=bool(sections["headline"]["lines"])
        or any(k["actual"] is not None for k in sections["kpis"]),
        to_explain=_to_explain(live) if sections is live else [],
    )


def _to_explain(live: dict[str, Any]) -> list[ItemToExplain]:
    return [ItemToExplain.of(e) for e in live.get("explanations", [])]


def _open_review(session: Session, month: str) -> MonthlyReview:
    row = _review(session, month)
    if row is None:
        row = MonthlyReview(month=month, status="open", notes="")
        session.add(row)
        session.flush()
    return row


def record_item(
    session: Session,
    actor: Actor,
    month: str,
    kind: str,
    text: str,
    owner_role: str | None = None,
    due_date: dt.date | str | None = None,
) -> int:
    """A decision or an action item, recorded as the meeting takes it."""
    with writing(session, actor, Action.RECORD_ACTIONS) as w:
        month = parse_month(month)
        problems = []
        clean = (text or "").strip()
        if kind not in KINDS:
            problems.append("record a decision or an action item")
        if not clean:
            problems.append("write down what was decided or has to be done")
        if owner_role is not None and owner_role not in [str(r) for r in EXECUTIVES]:
            problems.append("the owner is the CEO, the CFO or the CMO")
        if isinstance(due_date, str) and due_date.strip():
            try:
                due_date = dt.date.fromisoformat(due_date.strip())
            except ValueError:
                problems.append(f"'{due_date}' is not a date (YYYY-MM-DD)")
        elif isinstance(due_date, str):
            due_date = None
        if kind == "action":
            if not owner_role:
                problems.append("an action item needs an owner")
            if not due_date:
                problems.append("an action item needs a due date")
        if problems:
            raise ValidationFailed("Nothing was recorded: " + "; ".join(problems) + ".")
        row = _open_review(session, month)
        if row.status == "closed":
            raise ValidationFailed(
                f"The review of {month_label(month)} is closed; reopen it to record more."
            )
        item = ActionItem(
            review_id=row.id,
            kind=kind,
            text=clean,
            owner_role=owner_role,
            due_date=due_date if isinstance(due_date, dt.date) else None,
            status="open",
        )
        session.add(item)
        session.flush()
        w.record(
            "record",
            "action_item",
            item.id,
            None,
            {"month": month, "kind": kind, "text": clean, "owner": owner_role, "due": due_date},
        )
        return item.id


def set_status(session: Session, actor: Actor, item_id: int, status: str) -> None:
    with writing(session, actor, Action.RECORD_ACTIONS) as w:
        if status not in STATUSES:
            raise ValidationFailed("An action item is open, done or dropped.")
        item = w.existing(ActionItem, item_id, "That action item no longer exists.")
        w.change(item, "status", status, "action_item")


def close_review(session: Session, actor: Actor, month: str, today: dt.date | None = None) -> None:
    """Freeze the month: store every figure the review shows, exactly as it is now."""
    with writing(session, actor, Action.CLOSE_REVIEW) as w:
        month = parse_month(month)
        if month > current_month(today):
            raise ValidationFailed(f"{month_label(month)} has not started; it cannot be closed.")
        row = _open_review(session, month)
        if row.status == "closed":
            raise ValidationFailed(f"The review of {month_label(month)} is already closed.")
        row.snapshot = live_sections(session, actor, month)
        waiting = explanations.closing_refusal(month, _to_explain(row.snapshot))
        if waiting:
            raise ValidationFailed(waiting)
        row.status = "closed"
        row.closed_by_id = actor.user_id
        row.closed_at = clock.utc_second()
        closing = w.record(
            "close", "monthly_review", month, {"status": "open"}, {"status": "closed"}
        )
        row.snapshot = {**row.snapshot, AUDIT_HEAD: {"sequence": closing.id, "hash": closing.hash}}


def reopen_review(session: Session, actor: Actor, month: str, reason: str) -> None:
    """Undo a close: the snapshot is discarded and the reason kept in the audit trail."""
    with writing(session, actor, Action.CLOSE_REVIEW) as w:
        month = parse_month(month)
        if not (reason or "").strip():
            raise ValidationFailed("Say why the review is reopened; the reason is kept.")
        row = _review(session, month)
        if row is None or row.status != "closed":
            raise ValidationFailed(f"The review of {month_label(month)} is not closed.")
        w.record(
            "reopen",
            "monthly_review",
            month,
            {"status": "closed", "snapshot": row.snapshot},
            {"status": "open", "reason": reason.strip()},
        )
        row.status, row.snapshot, row.closed_by_id, row.closed_at = "open", None, None, None


@dataclass(frozen=True)
class PastReview:
    month: str
    closed_by: str | None
    closed_at: dt.datetime | None
    decisions: list[ActionView]


def history(session: Session, actor: Actor, search: str = "") -> list[PastReview]:
    """Closed reviews, newest first, with their decisions and actions; ``search`` keeps the
    reviews whose month or recorded text contains it."""
    require(actor, Action.VIEW)
    names = dict(session.execute(select(User.id, User.name)).all())
    needle = (search or "").strip().lower()
    found = []
    for row in session.scalars(
        select(MonthlyReview)
        .where(MonthlyReview.status == "closed")
        .order_by(MonthlyReview.month.desc())
    ):
        items = recorded_items(session, row.month)
        text = " ".join([row.month, month_label(row.month), *[i.text for i in items]]).lower()
        if needle and needle not in text:
            continue
        found.append(PastReview(row.month, names.get(row.closed_by_id or -1), row.closed_at, items))
    return found


def review_months(session: Session, actor: Actor) -> MonthChoices:
    """A real team's imported history is years old: every month up to now that holds
    figures, answers or a review can be reviewed and answered, however old, and the current
    month; the page opens where the figure pickers do (``overview.opening_month``)."""
    require(actor, Action.VIEW)
    current = current_month()

    def choices() -> MonthChoices:
        held = {m for m in queries.meeting_months(session) if m <= current}
        months = sorted(held | {current}, reverse=True)
        return MonthChoices(months, opening_month(session, queries.budget_months(session), current))

    return MONTH_CHOICES.kept(session, choices, "review", current)
