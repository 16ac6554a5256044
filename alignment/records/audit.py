"""The audit trail: who changed what, when, old and new value, each event chained to the last."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import require
from alignment.definitions import signature
from alignment.definitions.definition_states import SIGNED_STATES
from alignment.records import signing_key
from alignment.shared import clock
from alignment.shared.errors import ValidationFailed
from db.models import AuditEvent
from db.models import AuditHead
from db.models import Base
from db.models import SuccessDefinitionVersion


def _canonical(payload: dict[str, Any]) -> str:
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False
    )


def _payload(prev_hash: str | None, event: AuditEvent) -> dict[str, Any]:
    return {
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


def link_hash(key: bytes, payload: dict[str, Any]) -> str:
    """An event's link: HMAC under the store's signing key of the event and the link before
    it. Without the key nobody can recompute it, so a rewritten trail cannot pass."""
    return hmac.new(key, _canonical(payload).encode("utf-8"), hashlib.sha256).hexdigest()


def event_hash(key: bytes, prev_hash: str | None, event: AuditEvent) -> str:
    return link_hash(key, _payload(prev_hash, event))


def legacy_hash(prev_hash: str | None, event: AuditEvent) -> str:
    """The plain SHA-256 link of stores written before the chain was keyed: accepted only for
    the events before the first keyed one, which anchors them (see ``verify``)."""
    return hashlib.sha256(_canonical(_payload(prev_hash, event)).encode("utf-8")).hexdigest()


def record(
    session: Session,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str | int | None,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
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
    event.hash = event_hash(signing_key.of(session), prev_hash, event)
    session.add(event)
    session.flush()
    head.last_id, head.last_hash = event.id, event.hash
    session.flush()
    return event


@dataclass(frozen=True)
class Head:
    """The newest link of the trail, as a closed review and its pack print it: whoever keeps
    the printout can later prove nothing up to it changed (``verify(..., witness=head)``)."""

    sequence: int
    hash: str

    @property
    def text(self) -> str:
        return f"{self.sequence}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> Head:
        match = re.fullmatch(r"\s*(\d+)\s*:\s*([0-9a-fA-F]{64})\s*", text or "")
        if match is None:
            raise ValidationFailed(
                f"'{text}' is not an audit head; give it as SEQUENCE:HASH, the way a closed "
                "review and its meeting pack print it (e.g. 1234:9f2c…, all 64 characters)."
            )
        return cls(int(match.group(1)), match.group(2).lower())


@dataclass(frozen=True)
class ChainCheck:
    events: int
    broken_at: int | None
    reason: str
    signatures: int = 0
    """How many signed versions were checked against their sign-off."""
    witness: Head | None = None
    """The printed head that was checked, when one was given (and it held)."""

    @property
    def intact(self) -> bool:
        return self.broken_at is None and not self.reason


_REWRITTEN = (
    "its content no longer matches its hash (it was changed, or its hash was recomputed "
    "without this store's signing key)"
)


def verify(session: Session, actor: Actor, witness: Head | None = None) -> ChainCheck:
    """Walk the chain from the first event: the first event whose link or content does not
    match is where someone changed, removed or inserted history.

    Links are keyed, so recomputing them after a change needs the store's signing key.
    Events written before the chain was keyed carry plain SHA-256 links; they are accepted
    only before the first keyed event, which links to them and so vouches for them. A trail
    with events but no keyed one, or without its head, is broken. ``witness`` (a printed
    head) must still be in the chain with the same hash. Then every signed definition
    version is checked against what its sign-off recorded.
    """
    require(actor, Action.VIEW_AUDIT)
    key = signing_key.of(session)
    previous: str | None = None
    count = 0
    keyed = False
    last_id: int | None = None
    seen_witness = witness is None
    sealed: dict[str, dict[str, Any]] = {}
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        count += 1
        if event.prev_hash != previous:
            return ChainCheck(
                count,
                event.id,
                "its link to the event before it is broken (an event was removed or inserted)",
            )
        if hmac.compare_digest(str(event.hash), event_hash(key, previous, event)):
            keyed = True
        elif keyed or event.hash != legacy_hash(previous, event):
            return ChainCheck(count, event.id, _REWRITTEN)
        if witness is not None and event.id == witness.sequence:
            if event.hash != witness.hash:
                return ChainCheck(
                    count,
                    event.id,
                    f"it is not the event printed as the head {witness.text[:20]}…: the trail "
                    "up to that point was changed since it was printed",
                )
            seen_witness = True
        _collect_seals(event, sealed)
        previous, last_id = event.hash, event.id
    if not count and (holding := _team_data(session)):
        return ChainCheck(
            0,
            None,
            f"the trail is empty but the store holds data ({holding}): every change leaves "
            "an event, so the trail was emptied",
        )
    if count and not keyed:
        return ChainCheck(
            count,
            1,
            "no event is linked with this store's signing key: the trail was rewritten, or "
            "the key is not this store's",
        )
    head = session.get(AuditHead, 1)
    if count and (head is None or head.last_hash is None):
        return ChainCheck(
            count, last_id, "the head of the chain is missing (events after it may be gone)"
        )
    if head is not None and (head.last_hash != previous or head.last_id != last_id):
        return ChainCheck(count, head.last_id, "the newest events were removed")
    if not seen_witness:
        assert witness is not None
        return ChainCheck(
            count,
            witness.sequence,
            "the event printed as the head is no longer in the trail (it was removed)",
        )
    checked, problem = _check_signatures(session, key, sealed)
    if problem:
        return ChainCheck(count, None, problem, checked)
    return ChainCheck(count, None, "", checked, witness)


_NOT_AUDITED = {"audit_head", "audit_events", "login_failures", "login_sessions"}
"""Tables whose rows are not the team's data: the trail itself and the log-in's bookkeeping."""


def _team_data(session: Session) -> str:
    """The first table holding the team's data, if any: such a row was written by a use
    case, which left an event."""
    for table in Base.metadata.sorted_tables:
        if table.name not in _NOT_AUDITED and session.scalar(
            select(func.count()).select_from(table)
        ):
            return table.name
    return ""


def current_head(session: Session) -> Head | None:
    """The newest link, to print on what leaves SamePage (a closed review, its pack)."""
    head = session.get(AuditHead, 1)
    if head is None or head.last_id is None or head.last_hash is None:
        return None
    return Head(head.last_id, head.last_hash)


def _collect_seals(event: AuditEvent, sealed: dict[str, dict[str, Any]]) -> None:
    """Seals an event recorded: a sign-off's, or a loader's or an upgrade's by version id."""
    new = event.new_value if isinstance(event.new_value, dict) else {}
    if (
        event.action == "sign_off"
        and event.object_type == "success_definition_version"
        and "seal" in new
    ):
        sealed[str(event.object_id)] = {"seal": new.get("seal"), "meaning": new.get("meaning")}
    seals = new.get("seals")
    if isinstance(seals, dict):
        for version_id, entry in seals.items():
            if isinstance(entry, dict):
                sealed[str(version_id)] = entry
    for version_id in new.get("unsealed", []) if isinstance(new.get("unsealed"), list) else []:
        sealed[str(version_id)] = {"seal": None, "meaning": None}


def _check_signatures(
    session: Session, key: bytes, sealed: dict[str, dict[str, Any]]
) -> tuple[int, str]:
    """Every signed version must be the version its sign-off recorded: same content, number,
    signer, time and seal. What it depends on (a KPI renamed since) may have moved on; that
    reads as "changed since sign-off", not as a broken trail."""
    checked = 0
    for version in session.scalars(
        select(SuccessDefinitionVersion)
        .where(SuccessDefinitionVersion.state.in_(SIGNED_STATES))
        .order_by(SuccessDefinitionVersion.id)
    ):
        checked += 1
        name = f"version {version.number} of '{version.title}'"
        entry = sealed.get(str(version.id))
        if entry is None:
            return checked, f"{name} is marked signed but the trail has no sign-off for it"
        recorded, meaning = entry.get("seal"), entry.get("meaning")
        if recorded is None:
            if version.seal is not None:
                return checked, f"{name} has a seal that no sign-off in the trail gave it"
            continue
        if not isinstance(meaning, dict) or not hmac.compare_digest(
            str(recorded), signature.seal_of(key, meaning)
        ):
            return checked, f"the sign-off of {name} in the trail does not match its seal"
        if version.seal != recorded:
            return checked, f"the seal of {name} is not the one its sign-off recorded"
        now = signature.own_part(signature.meaning_now(session, version))
        if now != signature.own_part(meaning):
            return (
                checked,
                f"{name} is not what was signed: its content, signer or time was changed "
                "in the database",
            )
    return checked, ""


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
