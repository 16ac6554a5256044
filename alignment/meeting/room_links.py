"""Meeting-room links: a read-only address for the screen in the meeting room, which nobody
logs into. It shows one month's review in presentation mode, as a viewer sees it, until
the day the CEO chose or until it is revoked, and nothing else.

Only a hash of the link's token is stored: the address is shown once, when it is made, and
a copy of the store does not open the room. Making, opening and revoking a link are audited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import Role
from alignment.access.permissions import require
from alignment.records.unit_of_work import writing
from alignment.shared import clock
from alignment.shared.errors import InvalidPeriod
from alignment.shared.errors import ValidationFailed
from alignment.shared.periods import current_month
from alignment.shared.periods import month_label
from alignment.shared.periods import parse_month
from db.models import MeetingLink
from db.models import User

ROOM_PARAMETER = "room"
"""The query parameter that carries a link's token: ``https://samepage.example/?room=...``."""
ELSEWHERE = "This meeting-room link shows the review of {month} only."
"""What a link's screen is told at any other page's address, or another month's."""
LONGEST_DAYS = 92
"""A link lasts at most about a quarter: a screen left logged in for ever is what the link
is meant to avoid."""
_TOKEN_BYTES = 32

CLOSED_ROOM = "This meeting-room link does not open anything."
"""What anyone with a wrong, revoked or expired link is told: one plain sentence, the
same whatever the reason, so a guessed token learns nothing."""


@dataclass(frozen=True)
class NewLink:
    """A link just made: the only time its address can be shown."""

    id: int
    token: str
    month: str
    valid_until: dt.datetime

    @property
    def last_day(self) -> dt.date:
        return (self.valid_until - dt.timedelta(days=1)).date()


@dataclass(frozen=True)
class LinkView:
    """A link as the CEO sees it in the list (never its token)."""

    id: int
    month: str
    valid_until: dt.datetime
    allow_download: bool
    created_by: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None
    uses: int

    @property
    def last_day(self) -> dt.date:
        """The last day the link works (it ends at the start of the next, UTC)."""
        return (self.valid_until - dt.timedelta(days=1)).date()

    def state(self, now: dt.datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if now >= self.valid_until:
            return "expired"
        return "active"


@dataclass(frozen=True)
class RoomPass:
    """What a link lets its screen see: one month's review, as a viewer."""

    link_id: int
    month: str
    allow_download: bool
    viewer: Actor


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def room_address(base_url: str, token: str) -> str:
    """The address to open on the meeting-room screen."""
    return f"{base_url.rstrip('/')}/?{ROOM_PARAMETER}={token}"


def create_link(
    session: Session, actor: Actor, month: str, valid_until: dt.date, allow_download: bool = False
) -> NewLink:
    """A new link to ``month``'s review, valid to the end of ``valid_until`` (UTC)."""
    with writing(session, actor, Action.SHARE_MEETING_ROOM) as w:
        try:
            month = parse_month(month)
        except InvalidPeriod as exc:
            raise ValidationFailed(f"No link was made: {exc}") from exc
        if month > current_month():
            raise ValidationFailed(
                f"No link was made: {month_label(month)} has not started, so it has no review "
                "to show."
            )
        today = clock.utc_now().date()  # a link ends at midnight UTC, so its days are UTC's
        if not isinstance(valid_until, dt.date):
            raise ValidationFailed("No link was made: say until which day it works.")
        if valid_until < today:
            raise ValidationFailed(
                f"No link was made: {valid_until:%d %b %Y} is in the past; a link works until "
                "a day from today on."
            )
        if valid_until > today + dt.timedelta(days=LONGEST_DAYS):
            raise ValidationFailed(
                f"No link was made: a link works for at most {LONGEST_DAYS} days "
                f"(until {today + dt.timedelta(days=LONGEST_DAYS):%d %b %Y}); make a new one "
                "after that."
            )
        token = secrets.token_urlsafe(_TOKEN_BYTES)
        until = dt.datetime.combine(valid_until + dt.timedelta(days=1), dt.time(0, 0))
        link = MeetingLink(
            token_hash=token_hash(token),
            month=month,
            valid_until=until,
            allow_download=bool(allow_download),
            created_by_id=actor.user_id,
            created_at=clock.utc_second(),
        )
        session.add(link)
        session.flush()
        w.record(
            "create",
            "meeting_link",
            link.id,
            None,
            {"month": month, "valid_until": until.isoformat(), "allow_download": allow_download},
        )
        return NewLink(link.id, token, month, until)


def revoke_link(session: Session, actor: Actor, link_id: int) -> None:
    """End a link now: its screen shows the closed-room sentence from its next refresh."""
    with writing(session, actor, Action.SHARE_MEETING_ROOM) as w:
        link = w.existing(MeetingLink, link_id, "That meeting-room link no longer exists.")
        if link.revoked_at is not None:
            raise ValidationFailed("That meeting-room link is already revoked.")
        link.revoked_at = clock.utc_second()
        link.revoked_by_id = actor.user_id
        w.record("revoke", "meeting_link", link.id, {"revoked": False}, {"revoked": True})


def links(session: Session, actor: Actor) -> list[LinkView]:
    """Every link made, newest first, for the CEO to see which still work and revoke them."""
    require(actor, Action.SHARE_MEETING_ROOM)
    rows = session.execute(
        select(MeetingLink, User.name)
        .join(User, User.id == MeetingLink.created_by_id, isouter=True)
        .order_by(MeetingLink.id.desc())
    ).all()
    return [
        LinkView(
            id=link.id,
            month=link.month,
            valid_until=link.valid_until,
            allow_download=link.allow_download,
            created_by=name or "the command line",
            created_at=link.created_at,
            revoked_at=link.revoked_at,
            last_used_at=link.last_used_at,
            uses=link.uses,
        )
        for link, name in rows
    ]


def _live(session: Session, token: str, month: str | None) -> MeetingLink:
    """The link a token opens, checked; a refusal is the closed-room sentence, or names the
    one month the link shows when the address asks for another."""
    if not token or len(token) > 200:
        raise ValidationFailed(CLOSED_ROOM)
    link = session.scalar(select(MeetingLink).where(MeetingLink.token_hash == token_hash(token)))
    if link is None or link.revoked_at is not None or clock.utc_now() >= link.valid_until:
        raise ValidationFailed(CLOSED_ROOM)
    if month is not None and month != link.month:
        raise ValidationFailed(ELSEWHERE.format(month=month_label(link.month)))
    return link


def _pass(link: MeetingLink) -> RoomPass:
    viewer = Actor(None, f"Meeting-room screen (link {link.id})", Role.VIEWER)
    return RoomPass(link.id, link.month, link.allow_download, viewer)


def check_link(session: Session, token: str, month: str | None = None) -> RoomPass:
    """Whether the link still opens (it is checked again on every refresh, so a revoked link
    closes the room at once); nothing is written."""
    return _pass(_live(session, token, month))


def open_link(session: Session, token: str, month: str | None = None) -> RoomPass:
    """A screen opens the link: counted and audited once per opening (not per refresh)."""
    link = _live(session, token, month)
    room = _pass(link)
    with writing(session, room.viewer, Action.VIEW) as w:
        link = w.existing(MeetingLink, link.id, CLOSED_ROOM)
        session.refresh(link)  # read again in this writer's turn: two screens count twice
        link.uses += 1
        link.last_used_at = clock.utc_second()
        w.record("use", "meeting_link", link.id, None, {"month": link.month, "uses": link.uses})
    return room
