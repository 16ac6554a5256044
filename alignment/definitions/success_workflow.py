"""How a definition of success becomes agreed: draft, propose, CFO sign-off or return, CEO
acknowledgement, and revisions that leave the signed version in force until their
successor is signed.

Every step checks the acting user's role, the version's state and, for the
CFO's decision, that the content is still the content the CFO read.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload

from alignment.access.permissions import EXECUTIVES
from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import Role
from alignment.access.permissions import can
from alignment.access.permissions import require
from alignment.definitions import definition_states as states
from alignment.definitions.definition_states import DefinitionState as State
from alignment.definitions.definition_states import DefinitionStep as Step
from alignment.definitions.signature import changed_since_signoff
from alignment.definitions.signature import seal_version
from alignment.definitions.success import BUDGET_METRICS
from alignment.definitions.success import CONTENT_FIELDS
from alignment.definitions.success import KPI_PREFIX
from alignment.definitions.success import as_signed
from alignment.definitions.success import content_hash
from alignment.definitions.success import metric_unit
from alignment.definitions.success import unit_disagrees
from alignment.definitions.success import version_content
from alignment.records.unit_of_work import Write
from alignment.records.unit_of_work import writing
from alignment.shared import clock
from alignment.shared.errors import InvalidPeriod
from alignment.shared.errors import ValidationFailed
from alignment.shared.metric_units import MetricUnit
from alignment.shared.metric_units import show
from alignment.shared.metric_units import target_as_shown
from alignment.shared.metric_units import target_from_shown
from alignment.shared.metric_units import target_meant_before
from alignment.shared.periods import month_label
from alignment.shared.periods import parse_month
from db.models import Goal
from db.models import Kpi
from db.models import SuccessDefinition
from db.models import SuccessDefinitionEvent
from db.models import SuccessDefinitionVersion
from db.models import User

FIELD_LABELS = {
    "title": "Title",
    "metric": "Metric",
    "target": "Target",
    "unit": "Unit",
    "comparison": "Comparison",
    "period_start": "Period from",
    "period_end": "Period to",
    "deadline": "Deadline",
    "measurement": "How it is measured",
    "data_source": "Data source",
    "tolerance": "Tolerance (amber band)",
    "owner_role": "Owner",
}
COMPARISONS = {"at_least": "at least", "at_most": "at most"}


@dataclass(frozen=True)
class DefinitionInput:
    """What a person types into the definition form; checked by ``check_input``.

    There is no unit: it follows the metric. The target is typed the way the metric is
    shown (80 for an 80 % ROMI, 3.5 for a 3.5x ROAS, an amount in the company currency).
    """

    title: str
    metric: str
    target: Any
    comparison: str
    period_start: str
    period_end: str
    deadline: Any
    measurement: str
    data_source: str
    tolerance: Any
    owner_role: str
    goal_id: int | None = None


@dataclass(frozen=True)
class VersionView:
    """One version of a definition as the page shows it, with what the viewer may do next."""

    version_id: int
    definition_id: int
    number: int
    state: str
    content: dict[str, Any]
    content_hash: str
    proposed_by: str | None
    signed_by: str | None
    signed_at: dt.datetime | None
    acknowledged_by: str | None
    acknowledged_at: dt.datetime | None
    changed_since_signoff: bool
    returned_comment: str | None
    events: list[dict[str, Any]]
    allowed: tuple[str, ...]
    unit: MetricUnit | None = None
    unit_disagrees: bool = False
    """The stored unit and target disagree with the metric's unit (see ``success``)."""

    @property
    def target_text(self) -> str:
        """The target as the overview shows the metric (80.0%), or as stored ('80 %') when
        its unit disagrees with the metric, since then its meaning is not clear."""
        target, stored = self.content["target"], self.content["unit"]
        if self.unit is None or self.unit_disagrees:
            return as_signed(target, stored)
        return show(target, self.unit)

    @property
    def target_as_typed(self) -> str:
        """The target as the form shows it for editing: 80 for a stored 0.8 ROMI."""
        target = self.content["target"]
        if self.unit is None or self.unit_disagrees:
            return f"{target:g}"
        return f"{target_as_shown(target, self.unit):g}"

    @property
    def signature(self) -> str:
        """The line under a signed version: who signed and when, while the text still holds."""
        if self.state not in states.SIGNED_STATES or self.signed_at is None:
            return ""
        signed = f"Signed by {self.signed_by}, {self.signed_at:%d %b %Y}, unchanged since"
        return "Changed since sign-off" if self.changed_since_signoff else signed


@dataclass(frozen=True)
class DefinitionView:
    """One definition of success: the version in force and the one being worked on, if any."""

    definition_id: int
    goal: str | None
    in_force: VersionView | None
    open_version: VersionView | None

    @property
    def current(self) -> VersionView:
        return self.open_version or self.in_force  # type: ignore[return-value]


def metric_choices(session: Session, actor: Actor) -> dict[str, str]:
    """Metrics a definition can measure: the budget metrics and every KPI, code -> label."""
    require(actor, Action.VIEW)
    choices = dict(BUDGET_METRICS)
    for kpi in session.scalars(select(Kpi).order_by(Kpi.name)):
        choices[f"{KPI_PREFIX}{kpi.id}"] = f"KPI: {kpi.name}"
    return choices


def goal_choices(session: Session, actor: Actor) -> dict[int, str]:
    require(actor, Action.VIEW)
    return {g.id: g.title for g in session.scalars(select(Goal).order_by(Goal.id))}


def _number(value: Any, label: str, problems: list[str]) -> float | None:
    if isinstance(value, str):
        value = value.strip().replace(",", "")
    try:
        number = float(value)
    except (TypeError, ValueError):
        problems.append(f"The {label} '{value}' is not a number")
        return None
    if not math.isfinite(number):
        problems.append(f"The {label} '{value}' is not a number")
        return None
    return number


def check_input(session: Session, data: DefinitionInput) -> dict[str, Any]:
    """The content to store, or ValidationFailed naming every problem; nothing is written."""
    problems: list[str] = []
    title = (data.title or "").strip()
    if not title:
        problems.append("Give the definition a title")
    viewer = Actor(None, "check", Role.VIEWER)
    known_metric = data.metric in metric_choices(session, viewer)
    if not known_metric:
        problems.append(f"'{data.metric}' is not a metric SamePage knows")
    target = _number(data.target, "target", problems)
    tolerance = _number(data.tolerance, "tolerance", problems)
    if tolerance is not None and not 0 <= tolerance <= 1:
        problems.append("The tolerance is a share of the target between 0 and 1 (0.1 = 10 %)")
    if data.comparison not in COMPARISONS:
        problems.append("Choose whether the target is a minimum (at least) or a maximum (at most)")
    months = {}
    for name in ("period_start", "period_end"):
        try:
            months[name] = parse_month(
                str(data.period_start if name == "period_start" else data.period_end)
            )
        except InvalidPeriod as exc:
            problems.append(str(exc).rstrip("."))
    deadline = data.deadline
    if isinstance(deadline, str):
        try:
            deadline = dt.date.fromisoformat(deadline.strip())
        except ValueError:
            problems.append(f"The deadline '{data.deadline}' is not a date (YYYY-MM-DD)")
            deadline = None
    if len(months) == 2:
        if months["period_end"] < months["period_start"]:
            problems.append("The period ends before it starts")
        if isinstance(deadline, dt.date) and f"{deadline:%Y-%m}" < months["period_start"]:
            problems.append(
                f"The deadline {deadline:%d %b %Y} is before the period starts "
                f"({month_label(months['period_start'])})"
            )
    if not (data.measurement or "").strip():
        problems.append("Say how success is measured: the formula and where the figures come from")
    if data.owner_role not in [str(r) for r in EXECUTIVES]:
        problems.append("The owner is the CEO, the CFO or the CMO")
    if data.goal_id is not None and session.get(Goal, data.goal_id) is None:
        problems.append("That shared goal does not exist")
    if problems:
        raise ValidationFailed("Nothing was saved: " + "; ".join(problems) + ".")
    unit = metric_unit(session, viewer, data.metric)
    return {
        "title": title,
        "metric": data.metric,
        "target": target_from_shown(target, unit),  # type: ignore[arg-type]
        "unit": unit.code,
        "comparison": data.comparison,
        "period_start": months["period_start"],
        "period_end": months["period_end"],
        "deadline": deadline,
        "measurement": data.measurement.strip(),
        "data_source": (data.data_source or "").strip(),
        "tolerance": tolerance,
        "owner_role": data.owner_role,
    }


def _now() -> dt.datetime:
    return clock.utc_second()


def _event(
    session: Session,
    version: SuccessDefinitionVersion,
    action: str,
    actor: Actor,
    comment: str = "",
) -> None:
    session.add(
        SuccessDefinitionEvent(
            version_id=version.id, action=action, actor_id=actor.user_id, at=_now(), comment=comment
        )
    )


_AUDITED_AS = {
    "edited": "edit",
    "proposed": "propose",
    "signed_off": "sign_off",
    "returned": "return",
    "acknowledged": "acknowledge",
}
"""A version's own history says what happened to it; the audit trail names the step."""


def _step_taken(
    w: Write,
    version: SuccessDefinitionVersion,
    event: str,
    old: dict[str, Any] | None,
    new: dict[str, Any],
    comment: str = "",
) -> None:
    """A step on one version: in its own history (the definitions page) and the audit trail."""
    _event(w.session, version, event, w.actor, comment)
    w.record(_AUDITED_AS[event], "success_definition_version", version.id, old, new)


def create_definition(session: Session, actor: Actor, data: DefinitionInput) -> int:
    """A new definition with its first version as a draft; returns the version id."""
    with writing(session, actor, Action.PROPOSE_DEFINITION) as w:
        content = check_input(session, data)
        kpi_id = (
            int(content["metric"].removeprefix(KPI_PREFIX))
            if content["metric"].startswith(KPI_PREFIX)
            else None
        )
        definition = SuccessDefinition(goal_id=data.goal_id, kpi_id=kpi_id)
        session.add(definition)
        session.flush()
        version = SuccessDefinitionVersion(
            definition_id=definition.id,
            number=1,
            state=State.DRAFT,
            created_by_id=actor.user_id,
            **content,
        )
        session.add(version)
        session.flush()
        _event(session, version, "drafted", actor)
        w.record("draft", "success_definition", definition.id, None, version_content(version))
        return version.id


def _version(w: Write, version_id: int) -> SuccessDefinitionVersion:
    return w.existing(
        SuccessDefinitionVersion,
        version_id,
        "That definition version no longer exists; reload the page.",
    )


def _refuse(session: Session, message: str) -> ValidationFailed:
    return ValidationFailed(message)


def _refusal(
    actor: Actor, version: SuccessDefinitionVersion, step: Step, has_open: bool = False
) -> str | None:
    """Why ``actor`` may not take ``step`` on ``version`` now, or None. The one place the
    state table, the own-proposal rule and the acknowledgement rule are read, by the
    services' guards and by the views' "allowed" lists alike."""
    state = State(version.state)
    if step is Step.REVISE and has_open:
        return "This definition already has a new version in progress; edit that one."
    if step is Step.SIGN_OFF and state is State.SIGNED_OFF:
        return f"'{version.title}' is already signed off."
    if state is not states.starts_from(step):
        return states.REFUSED[step].format(title=version.title, state=state.label.lower())
    if step is Step.SIGN_OFF and version.proposed_by_id is not None:
        if version.proposed_by_id == actor.user_id:
            return "Nobody signs their own proposal; another executive must propose it."
    if step is Step.ACKNOWLEDGE and version.acknowledged_at is not None:
        return f"'{version.title}' is already acknowledged."
    return None


def _check_step(
    session: Session, actor: Actor, version: SuccessDefinitionVersion, step: Step
) -> None:
    if (reason := _refusal(actor, version, step)) is not None:
        raise _refuse(session, reason)


def _check_seen(session: Session, version: SuccessDefinitionVersion, seen_hash: str | None) -> None:
    if seen_hash is not None and content_hash(version_content(version)) != seen_hash:
        raise _refuse(
            session,
            f"'{version.title}' changed after you opened it; nothing was done. Reload the page "
            "and read the current text before deciding.",
        )


def update_draft(
    session: Session,
    actor: Actor,
    version_id: int,
    data: DefinitionInput,
    seen_hash: str | None = None,
) -> None:
    """Change a draft's content; proposed and signed versions are never edited in place."""
    with writing(session, actor, Action.PROPOSE_DEFINITION) as w:
        version = _version(w, version_id)
        _check_step(session, actor, version, Step.EDIT)
        _check_seen(session, version, seen_hash)
        content = check_input(session, data)
        old = version_content(version)
        for name, value in content.items():
            setattr(version, name, value)
        _step_taken(w, version, "edited", old, version_content(version))


def revise(session: Session, actor: Actor, definition_id: int) -> int:
    """Open a new draft from the version in force; the signed version stays in force."""
    with writing(session, actor, Action.PROPOSE_DEFINITION) as w:
        versions = session.scalars(
            select(SuccessDefinitionVersion)
            .where(SuccessDefinitionVersion.definition_id == definition_id)
            .order_by(SuccessDefinitionVersion.number)
        ).all()
        if not versions:
            raise _refuse(session, "That definition does not exist.")
        latest = versions[-1]
        has_open = any(v.state in states.OPEN_STATES for v in versions)
        if (reason := _refusal(actor, latest, Step.REVISE, has_open)) is not None:
            raise _refuse(session, reason)
        content = version_content(latest)
        unit = metric_unit(session, actor, latest.metric)
        if unit_disagrees(latest, unit):
            # The new draft reads the way the old screens showed the version ("80 %" on ROMI
            # becomes 0.8); the person reviews it before proposing.
            content["target"] = target_meant_before(latest.target, latest.unit, unit)
        content["unit"] = unit.code
        version = SuccessDefinitionVersion(
            definition_id=definition_id,
            number=latest.number + 1,
            state=State.DRAFT,
            created_by_id=actor.user_id,
            **content,
        )
        session.add(version)
        session.flush()
        _event(session, version, "drafted", actor, f"Revision of version {latest.number}")
        w.record(
            "revise",
            "success_definition",
            definition_id,
            None,
            {"version": version.number},
        )
        return version.id


def propose(session: Session, actor: Actor, version_id: int, seen_hash: str | None = None) -> None:
    with writing(session, actor, Action.PROPOSE_DEFINITION) as w:
        version = _version(w, version_id)
        _check_step(session, actor, version, Step.PROPOSE)
        _check_seen(session, version, seen_hash)
        version.state = states.leads_to(Step.PROPOSE)
        version.proposed_by_id = actor.user_id
        version.proposed_at = _now()
        _step_taken(w, version, "proposed", {"state": State.DRAFT}, {"state": State.PROPOSED})


def sign_off(session: Session, actor: Actor, version_id: int, seen_hash: str | None) -> None:
    """The CFO signs the content they read; the previous signed version is superseded."""
    with writing(session, actor, Action.SIGN_OFF_DEFINITION) as w:
        version = _version(w, version_id)
        _check_step(session, actor, version, Step.SIGN_OFF)
        _check_seen(session, version, seen_hash)
        for previous in session.scalars(
            select(SuccessDefinitionVersion).where(
                SuccessDefinitionVersion.definition_id == version.definition_id,
                SuccessDefinitionVersion.state == State.SIGNED_OFF,
            )
        ):
            previous.state = State.SUPERSEDED
        version.state = states.leads_to(Step.SIGN_OFF)
        version.signed_by_id = actor.user_id
        version.signed_at = _now()
        sealed = seal_version(session, version)
        _step_taken(
            w,
            version,
            "signed_off",
            {"state": State.PROPOSED},
            {"state": State.SIGNED_OFF, "content_hash": version.content_hash, **sealed},
        )


def return_to_draft(
    session: Session, actor: Actor, version_id: int, comment: str, seen_hash: str | None = None
) -> None:
    """The CFO sends a proposal back, saying why; it becomes a draft again."""
    with writing(session, actor, Action.RETURN_DEFINITION) as w:
        if not (comment or "").strip():
            raise ValidationFailed("Say why the definition goes back: the comment is required.")
        version = _version(w, version_id)
        _check_step(session, actor, version, Step.RETURN)
        _check_seen(session, version, seen_hash)
        version.state = states.leads_to(Step.RETURN)
        new = {"state": State.DRAFT, "comment": comment.strip()}
        _step_taken(w, version, "returned", {"state": State.PROPOSED}, new, comment.strip())


def acknowledge(session: Session, actor: Actor, version_id: int) -> None:
    """The CEO confirms they know the signed definition."""
    with writing(session, actor, Action.ACKNOWLEDGE_DEFINITION) as w:
        version = _version(w, version_id)
        _check_step(session, actor, version, Step.ACKNOWLEDGE)
        version.acknowledged_by_id = actor.user_id
        version.acknowledged_at = _now()
        _step_taken(w, version, "acknowledged", None, {"acknowledged": True})


def _allowed(actor: Actor, version: SuccessDefinitionVersion, has_open: bool) -> tuple[str, ...]:
    return tuple(
        step
        for step in Step
        if can(actor, states.action_of(step)) and _refusal(actor, version, step, has_open) is None
    )


def _view(
    session: Session,
    version: SuccessDefinitionVersion,
    names: dict[int, str],
    actor: Actor,
    has_open: bool,
) -> VersionView:
    events = [
        {
            "action": e.action,
            "by": names.get(e.actor_id or -1, "someone"),
            "at": e.at,
            "comment": e.comment,
        }
        for e in sorted(version.events, key=lambda e: (e.at, e.id))
    ]
    returned = None
    if version.state == State.DRAFT:
        for event in reversed(events):
            if event["action"] == "proposed":
                break
            if event["action"] == "returned":
                returned = str(event["comment"])
                break
    return VersionView(
        version_id=version.id,
        definition_id=version.definition_id,
        number=version.number,
        state=version.state,
        content=version_content(version),
        content_hash=content_hash(version_content(version)),
        proposed_by=names.get(version.proposed_by_id or -1),
        signed_by=names.get(version.signed_by_id or -1),
        signed_at=version.signed_at,
        acknowledged_by=names.get(version.acknowledged_by_id or -1),
        acknowledged_at=version.acknowledged_at,
        changed_since_signoff=changed_since_signoff(session, version),
        returned_comment=returned,
        events=events,
        allowed=_allowed(actor, version, has_open),
        unit=(unit := metric_unit(session, actor, version.metric)),
        unit_disagrees=unit_disagrees(version, unit),
    )


def _load(session: Session, definition_id: int | None = None) -> list[SuccessDefinition]:
    stmt = (
        select(SuccessDefinition)
        .options(
            selectinload(SuccessDefinition.versions).selectinload(SuccessDefinitionVersion.events)
        )
        .order_by(SuccessDefinition.id)
    )
    if definition_id is not None:
        stmt = stmt.where(SuccessDefinition.id == definition_id)
    return list(session.scalars(stmt))


def definitions(session: Session, actor: Actor) -> list[DefinitionView]:
    """Every definition with its version in force and its version in progress, if any."""
    require(actor, Action.VIEW)
    names = dict(session.execute(select(User.id, User.name)).all())
    goals = {g.id: g.title for g in session.scalars(select(Goal))}
    views = []
    for definition in _load(session):
        open_version = next((v for v in definition.versions if v.state in states.OPEN_STATES), None)
        signed = next((v for v in definition.versions if v.state == State.SIGNED_OFF), None)
        views.append(
            DefinitionView(
                definition_id=definition.id,
                goal=goals.get(definition.goal_id or -1),
                in_force=_view(session, signed, names, actor, open_version is not None)
                if signed
                else None,
                open_version=_view(session, open_version, names, actor, True)
                if open_version
                else None,
            )
        )
    return views


def history(session: Session, actor: Actor, definition_id: int) -> list[VersionView]:
    """Every version of a definition, oldest first, with who did what and their comments."""
    require(actor, Action.VIEW)
    names = dict(session.execute(select(User.id, User.name)).all())
    loaded = _load(session, definition_id)
    if not loaded:
        raise ValidationFailed("That definition does not exist.")
    has_open = any(v.state in states.OPEN_STATES for v in loaded[0].versions)
    return [_view(session, v, names, actor, has_open) for v in loaded[0].versions]


def diff(
    older: VersionView, newer: VersionView, metric_labels: dict[str, str] | None = None
) -> list[tuple[str, str, str]]:
    """The fields that differ between two versions, as (field, old text, new text)."""
    labels = metric_labels or {}
    changes = []
    for name in CONTENT_FIELDS:
        a, b = older.content[name], newer.content[name]
        if name == "target" and (a != b or older.target_text != newer.target_text):
            changes.append((FIELD_LABELS[name], older.target_text, newer.target_text))
        elif a != b:
            changes.append((FIELD_LABELS[name], _text(name, a, labels), _text(name, b, labels)))
    return changes


def _text(name: str, value: Any, labels: dict[str, str]) -> str:
    if name == "metric":
        return labels.get(value, value)
    if name == "comparison":
        return COMPARISONS.get(value, value)
    if name in ("period_start", "period_end"):
        return month_label(value)
    if name == "deadline":
        return f"{value:%d %b %Y}" if isinstance(value, dt.date) else str(value)
    if name == "tolerance":
        return f"{value * 100:g} %"
    return str(value)


def waiting_work(session: Session, actor: Actor) -> list[str]:
    """What waits for this person: sign-offs for the CFO, returned drafts for the proposers,
    acknowledgements for the CEO."""
    require(actor, Action.VIEW)
    views = definitions(session, actor)
    messages = []
    if can(actor, Action.SIGN_OFF_DEFINITION):
        count = sum(1 for d in views if d.open_version and "sign_off" in d.open_version.allowed)
        if count:
            messages.append(f"{_count(count)} await{'s' if count == 1 else ''} your sign-off")
    if can(actor, Action.PROPOSE_DEFINITION):
        count = sum(1 for d in views if d.open_version and d.open_version.returned_comment)
        if count:
            messages.append(f"{_count(count)} returned with a comment")
    if can(actor, Action.ACKNOWLEDGE_DEFINITION):
        count = sum(1 for d in views if d.in_force and "acknowledge" in d.in_force.allowed)
        if count:
            messages.append(
                f"{_count(count)} signed by the CFO await{'s' if count == 1 else ''} "
                "your acknowledgement"
            )
    return messages


def _count(count: int) -> str:
    return f"{count} definition{'s' if count != 1 else ''}"


def definitions_json(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Every version of every definition as plain JSON, for the command line and exports."""
    require(actor, Action.VIEW)
    names = dict(session.execute(select(User.id, User.name)).all())
    rows = []
    for definition in _load(session):
        for version in definition.versions:
            content = version_content(version)
            rows.append(
                {
                    "definition": definition.id,
                    "version": version.number,
                    "title": version.title,
                    "state": version.state,
                    "in_force": version.state == State.SIGNED_OFF,
                    "metric": version.metric,
                    "target": version.target,
                    "unit": version.unit,
                    "unit_disagrees": bool(version.unit_disagrees),
                    "comparison": version.comparison,
                    "period": f"{version.period_start}..{version.period_end}",
                    "deadline": version.deadline.isoformat(),
                    "signed_by": names.get(version.signed_by_id or -1),
                    "signed_at": version.signed_at.isoformat() if version.signed_at else None,
                    "acknowledged_by": names.get(version.acknowledged_by_id or -1),
                    "content_hash": version.content_hash,
                    "current_hash": content_hash(content),
                    "seal": version.seal,
                    "changed_since_signoff": changed_since_signoff(session, version),
                }
            )
    return rows
