"""The audit trail: who changed what, when, old and new value, each event chained to the last."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from alignment import clock
from alignment.permissions import Action
from alignment.permissions import Actor
from alignment.permissions import require
from db.models import AuditEvent
from db.models import AuditHead


def _canonical(payload: dict[str, Any]) -> str:
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False
    )


def event_hash(prev_hash: str | None, event: AuditEvent) -> str:
    payload = {
        "prev": prev_hash,
        "at": event.at.isoformat(),
        "user_id": event.user_id,
        "actor": event.actor,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "old": event.old_value,
        "new": event.new_value,
    }
    return hashlib.sha256(_canonical(payload).encode("utf-8")).hexdigest()


def record(
    session: Session,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str | int | None = None,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an event to the session; it commits with the change it describes.

    The chain's head row is locked first, so concurrent writers queue up and every event
    links to the one committed just before it.
    """
    head = session.scalar(select(AuditHead).where(AuditHead.id == 1).with_for_update())
    if head is None:
        head = AuditHead(id=1)
        session.add(head)
    prev_hash = head.last_hash
    event = AuditEvent(
        at=clock.utc_second(),
        user_id=actor.user_id,
        actor=actor.label,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        old_value=json.loads(_canonical(old)) if old is not None else None,
        new_value=json.loads(_canonical(new)) if new is not None else None,
        prev_hash=prev_hash,
    )
    event.hash = event_hash(prev_hash, event)
    session.add(event)
    session.flush()
    head.last_id, head.last_hash = event.id, event.hash
    session.flush()
    return event


@dataclass(frozen=True)
class ChainCheck:
    events: int
    broken_at: int | None
    reason: str

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify(session: Session, actor: Actor) -> ChainCheck:
    """Walk the chain from the first event: the first event whose link or content does not
    match its hash is where someone changed, removed or inserted history."""
    require(actor, Action.VIEW_AUDIT)
    previous: str | None = None
    count = 0
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        count += 1
        if event.prev_hash != previous:
            return ChainCheck(
                count,
                event.id,
                "its link to the event before it is broken (an event was removed or inserted)",
            )
        if event.hash != event_hash(previous, event):
            return ChainCheck(
                count, event.id, "its content no longer matches its hash (it was changed)"
            )
        previous = event.hash
    head = session.get(AuditHead, 1)
    if head is not None and head.last_hash != previous:
        return ChainCheck(count, head.last_id, "the newest events were removed")
    return ChainCheck(count, None, "")


def trail(
    session: Session,
    actor: Actor,
    person: str | None = None,
    object_type: str | None = None,
    first_day: dt.date | None = None,
    last_day: dt.date | None = None,
    limit: int | None = 5000,
) -> pd.DataFrame:
    """Audit events, newest first, filtered by who, what kind of object and when."""
    require(actor, Action.VIEW_AUDIT)
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc())
    if person:
        stmt = stmt.where(AuditEvent.actor == person)
    if object_type:
        stmt = stmt.where(AuditEvent.object_type == object_type)
    if first_day:
        stmt = stmt.where(AuditEvent.at >= dt.datetime.combine(first_day, dt.time()))
    if last_day:
        stmt = stmt.where(
            AuditEvent.at < dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time())
        )
    if limit:
        stmt = stmt.limit(limit)
    rows = [
        {
            "id": e.id,
            "at": e.at,
            "who": e.actor,
            "action": e.action,
            "object": e.object_type,
            "object_id": e.object_id,
            "old": _canonical(e.old_value) if e.old_value is not None else "",
            "new": _canonical(e.new_value) if e.new_value is not None else "",
            "hash": e.hash,
        }
        for e in session.scalars(stmt)
    ]
    return pd.DataFrame(
        rows, columns=["id", "at", "who", "action", "object", "object_id", "old", "new", "hash"]
    )


def trail_filters(session: Session, actor: Actor) -> tuple[list[str], list[str]]:
    """The people and the kinds of object that appear in the trail, for its filters."""
    require(actor, Action.VIEW_AUDIT)
    people = list(session.scalars(select(AuditEvent.actor).distinct().order_by(AuditEvent.actor)))
    objects = list(
        session.scalars(select(AuditEvent.object_type).distinct().order_by(AuditEvent.object_type))
    )
    return people, objects
