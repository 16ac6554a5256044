"""The outbox: every notice is written here first and delivered from here.

A notice's ``key`` says what it is about; the same key is never queued twice, so running
``notify`` again sends nothing new. Delivery claims a due notice first (one more try, and
the time of the next one, ``next_try_at``, as if this one failed), then sends outside any
transaction, then settles it: sent, or back in the queue with its error until the
``MAX_TRIES``-th try, then failed. The wait doubles after each failed try (5, 10, 20, 40
minutes). A process that dies mid-send leaves the notice to be tried again after its wait:
a notice may, rarely, arrive twice, but is never lost. Every queueing, try and outcome is
an audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import require
from alignment.notices.chat import shown_address
from alignment.records.unit_of_work import writing
from alignment.shared import clock
from alignment.shared.views import view_of
from db.models import Notice
from db.models import User

MAX_TRIES = 5
FIRST_WAIT = dt.timedelta(minutes=5)
QUEUED, SENT, FAILED = "queued", "sent", "failed"
STATUS_WORDS = {QUEUED: "Waiting", SENT: "Delivered", FAILED: "Not delivered"}
CHANNEL_WORDS = {"email": "E-mail", "slack": "Slack", "teams": "Microsoft Teams"}


@dataclass(frozen=True)
class Draft:
    """A notice someone is due, before it is in the outbox. ``problem`` (e.g. no e-mail
    address) puts it in the outbox as not delivered, with that reason, never sent."""

    key: str
    kind: str
    channel: str
    recipient_id: int | None
    address: str
    subject: str
    body: str
    reason: str
    attachment: str | None = None
    problem: str = ""


@dataclass(frozen=True)
class Claimed:
    """A notice taken for one delivery try."""

    id: int
    key: str
    channel: str
    address: str
    subject: str
    body: str
    attachment: str | None
    tries: int


@dataclass(frozen=True)
class NoticeView:
    id: int
    key: str
    kind: str
    channel: str
    recipient: str
    to: str
    subject: str
    body: str
    reason: str
    status: str
    tries: int
    next_try_at: dt.datetime | None
    last_error: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    attachment: str | None

    @property
    def status_words(self) -> str:
        return STATUS_WORDS[self.status]


def one_line(text: str) -> str:
    """A subject on one line: every run of whitespace, line and paragraph separators
    included (a title typed with one), becomes one space; an e-mail header cannot hold
    a line break."""
    return " ".join(text.split())


def wait_after(tries: int) -> dt.timedelta:
    """How long after its ``tries``-th try a notice is tried again."""
    return FIRST_WAIT * (2 ** max(tries - 1, 0))


def existing_keys(session: Session, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = list(keys[start : start + 500])
        found.update(session.scalars(select(Notice.key).where(Notice.key.in_(chunk))))
    return found


def queue(session: Session, actor: Actor, drafts: Sequence[Draft]) -> list[str]:
    """Put the drafts whose key is new into the outbox; the keys queued, in order."""
    with writing(session, actor, Action.SEND_NOTICES) as w:
        seen = existing_keys(session, [d.key for d in drafts])
        queued = []
        for draft in drafts:
            if draft.key in seen:
                continue
            seen.add(draft.key)
            row = Notice(
                key=draft.key,
                kind=draft.kind,
                channel=draft.channel,
                recipient_id=draft.recipient_id,
                address=draft.address,
                subject=one_line(draft.subject)[:300],
                body=draft.body,
                reason=draft.reason,
                attachment=draft.attachment,
                status=FAILED if draft.problem else QUEUED,
                tries=0,
                last_error=draft.problem,
                created_at=clock.utc_now(),
            )
            session.add(row)
            session.flush()
            w.record(
                "queue",
                "notice",
                row.id,
                None,
                {"key": draft.key, "channel": draft.channel, "status": row.status}
                | ({"problem": draft.problem} if draft.problem else {}),
            )
            queued.append(draft.key)
        return queued


def claim_due(
    session: Session, actor: Actor, waiting: Mapping[str, str], limit: int | None = None
) -> list[Claimed]:
    """Take queued notices whose time has come for one try (at most ``limit``: a sender
    claims one, sends it and settles it before the next, so a claim's wait is never used
    up by the sends before it and another run cannot take the same notice meanwhile).
    ``waiting`` maps a channel that cannot send now (e-mail not set up) to the reason: its
    notices stay queued, with the reason shown, and no try is counted."""
    with writing(session, actor, Action.SEND_NOTICES) as w:
        now = clock.utc_now()
        due = (
            Notice.status == QUEUED,
            or_(Notice.next_try_at.is_(None), Notice.next_try_at <= now),
        )
        for row in session.scalars(
            select(Notice).where(*due, Notice.channel.in_(list(waiting))).order_by(Notice.id)
        ):
            w.change(row, "last_error", waiting[row.channel], "notice")
        for row in session.scalars(select(Notice).where(*due, Notice.tries >= MAX_TRIES)):
            # its sender died after the last try: nothing is tried once more than MAX_TRIES
            row.status, row.next_try_at = FAILED, None
            w.record("failed", "notice", row.id, {"status": QUEUED}, {"status": FAILED})
        query = (
            select(Notice)
            .where(*due, Notice.channel.not_in(list(waiting)), Notice.tries < MAX_TRIES)
            .order_by(Notice.id)
            .with_for_update()
        )
        rows = session.scalars(query if limit is None else query.limit(limit)).all()
        claimed = []
        for row in rows:
            row.tries += 1
            row.next_try_at = now + wait_after(row.tries)
            w.record("try", "notice", row.id, None, {"key": row.key, "try": row.tries})
            claimed.append(
                Claimed(
                    row.id,
                    row.key,
                    row.channel,
                    row.address,
                    row.subject,
                    row.body,
                    row.attachment,
                    row.tries,
                )
            )
        return claimed


def settle(session: Session, actor: Actor, notice_id: int, error: str | None) -> str:
    """Record how a try went: sent, back in the queue with its error, or (after the last
    try) failed. The notice's new status."""
    with writing(session, actor, Action.SEND_NOTICES) as w:
        row = w.existing(Notice, notice_id, "That notice is no longer in the outbox.")
        if error is None:
            row.status, row.sent_at, row.next_try_at = SENT, clock.utc_now(), None
            row.last_error = ""
            w.record("sent", "notice", row.id, {"status": QUEUED}, {"status": SENT})
            return SENT
        row.last_error = error
        if row.tries >= MAX_TRIES:
            row.status, row.next_try_at = FAILED, None
            w.record(
                "failed", "notice", row.id, {"status": QUEUED}, {"status": FAILED, "error": error}
            )
            return FAILED
        w.record(
            "retry",
            "notice",
            row.id,
            None,
            {"error": error, "try": row.tries, "next_try_at": str(row.next_try_at)},
        )
        return QUEUED


def _views(session: Session, rows: Sequence[Notice]) -> list[NoticeView]:
    names = dict(session.execute(select(User.id, User.name)).all())
    return [
        view_of(
            NoticeView,
            row,
            recipient=names.get(row.recipient_id or -1, "")
            if row.recipient_id
            else CHANNEL_WORDS[row.channel],
            to=row.address if row.channel == "email" else shown_address(row.address),
        )
        for row in rows
    ]


def own_notices(session: Session, actor: Actor, limit: int = 200) -> list[NoticeView]:
    """The notices addressed to this person, newest first."""
    require(actor, Action.VIEW)
    if actor.user_id is None:
        return []
    rows = session.scalars(
        select(Notice)
        .where(Notice.recipient_id == actor.user_id)
        .order_by(Notice.id.desc())
        .limit(limit)
    ).all()
    return _views(session, rows)


def all_notices(
    session: Session, actor: Actor, status: str | None = None, limit: int = 500
) -> list[NoticeView]:
    """The whole outbox (or the notices in one status), newest first: the administrator's."""
    require(actor, Action.VIEW_OUTBOX)
    stmt = select(Notice).order_by(Notice.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(Notice.status == status)
    return _views(session, session.scalars(stmt).all())


def due_for_delivery(session: Session, actor: Actor) -> list[NoticeView]:
    """What a run now would try to deliver (for a dry run): queued and its time has come."""
    require(actor, Action.SEND_NOTICES)
    now = clock.utc_now()
    rows = session.scalars(
        select(Notice)
        .where(
            Notice.status == QUEUED,
            or_(Notice.next_try_at.is_(None), Notice.next_try_at <= now),
        )
        .order_by(Notice.id)
    ).all()
    return _views(session, rows)
