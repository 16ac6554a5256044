"""Password log-ins that survive a reload: a log-in session the browser holds as a cookie.

Streamlit forgets everything about a browser tab when it reloads, so a password log-in
kept only in the tab's state asks for the password again on every reload and every new
tab. A log-in session fixes that the way web applications usually do: the server keeps a
row per log-in and the browser an HttpOnly cookie with its token. Only hashes of tokens
are stored, so a copy of the database logs nobody in.

The cookie has to be set by an HTTP response, which a Streamlit script cannot send; the
script therefore gets a one-time ticket, and the browser exchanges it (an image request to
SamePage's own route) for the cookie. Tickets live two minutes and work once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from typing import cast

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from alignment.access import accounts
from alignment.access.permissions import Actor
from alignment.records.unit_of_work import bookkeeping
from alignment.shared import clock
from alignment.shared.errors import SamePageError
from db.models import LoginSession

COOKIE = "samepage_session"
TICKET_SECONDS = 120
LONGEST_HOURS = 12
"""A log-in ends after this long however active it is; the cookie expires with it."""
KEPT_DAYS = 30
"""Log-in sessions unused this long are deleted when someone logs in (the audit trail keeps
every log-in)."""
TOUCH_SECONDS = 60
"""Activity is written at most this often, so a busy page does not write on every click."""


class SessionEnded(SamePageError):
    """The remembered log-in has ended for a reason the person should be told."""


@dataclass(frozen=True)
class Started:
    """A log-in just opened: the browser trades the one-time ticket for its cookie; the
    store keeps only the ticket's hash."""

    session_id: int
    ticket: str


@dataclass(frozen=True)
class Resumed:
    """A returning browser's ticket still valid: who it belongs to, and which session."""

    actor: Actor
    session_id: int


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def start(session: Session, actor: Actor, now: dt.datetime | None = None) -> Started:
    """Open a log-in session for someone who has just proved who they are."""
    now = now or clock.utc_now()
    if actor.user_id is None:
        raise SessionEnded("Only a person with an account can stay logged in.")
    ticket = secrets.token_urlsafe(32)
    with bookkeeping(session):
        session.execute(
            delete(LoginSession).where(
                LoginSession.last_seen_at < now - dt.timedelta(days=KEPT_DAYS)
            )
        )
        row = LoginSession(
            user_id=actor.user_id,
            ticket_hash=_hash(ticket),
            ticket_expires_at=now + dt.timedelta(seconds=TICKET_SECONDS),
            started_at=now,
            last_seen_at=now,
        )
        session.add(row)
    return Started(row.id, ticket)


def redeem(session: Session, ticket: str, now: dt.datetime | None = None) -> str | None:
    """The cookie token for a valid ticket, which is used up; None for anything else."""
    now = now or clock.utc_now()
    if not isinstance(ticket, str) or not 0 < len(ticket) <= 100:
        return None
    token = secrets.token_urlsafe(32)
    with bookkeeping(session):
        redeemed = cast(
            CursorResult[Any],
            session.execute(
                update(LoginSession)
                .where(
                    LoginSession.ticket_hash == _hash(ticket),
                    LoginSession.ticket_expires_at >= now,
                    LoginSession.ended_at.is_(None),
                )
                .values(ticket_hash=None, ticket_expires_at=None, token_hash=_hash(token))
            ),
        ).rowcount
    return token if redeemed == 1 else None


def resume(session: Session, token: str, now: dt.datetime | None = None) -> Resumed | None:
    """The person a browser's cookie stands for, if their log-in is still live.

    None when the token is unknown or already ended (the log-in page is shown as usual);
    SessionEnded, with the reason, when it ends now for being idle or too old.
    """
    now = now or clock.utc_now()
    if not isinstance(token, str) or not 0 < len(token) <= 100:
        return None
    with bookkeeping(session):
        row = session.scalar(
            select(LoginSession).where(
                LoginSession.token_hash == _hash(token), LoginSession.ended_at.is_(None)
            )
        )
        if row is None:
            return None
        ended = _ended_now(session, row, now)
        actor = None if ended else accounts.current_actor(session, row.user_id)
        if actor is None:
            _end(row, now)
        else:
            row.last_seen_at = now
    if ended:
        raise SessionEnded(ended)
    return None if actor is None else Resumed(actor, row.id)


def still_live(session: Session, session_id: int, now: dt.datetime | None = None) -> bool:
    """Whether a tab's log-in session goes on, recording the activity that keeps it alive:
    False once it was logged out (in another tab), SessionEnded when it ends now."""
    now = now or clock.utc_now()
    with bookkeeping(session):
        row = session.get(LoginSession, session_id)
        if row is None or row.ended_at is not None:
            return False
        ended = _ended_now(session, row, now)
        if ended:
            _end(row, now)
        elif (now - row.last_seen_at).total_seconds() >= TOUCH_SECONDS:
            row.last_seen_at = now
    if ended:
        raise SessionEnded(ended)
    return True


def end(session: Session, session_id: int, now: dt.datetime | None = None) -> None:
    """Log-out: the session's cookie logs nobody in any more, in any tab."""
    with bookkeeping(session):
        row = session.get(LoginSession, session_id)
        if row is not None and row.ended_at is None:
            _end(row, now or clock.utc_now())


def _ended_now(session: Session, row: LoginSession, now: dt.datetime) -> str | None:
    """Why a live log-in ends at ``now`` (idle too long, or too old), or None."""
    idle = accounts.idle_minutes(session)
    if now - row.last_seen_at > dt.timedelta(minutes=idle):
        return f"You were logged out after {idle} minutes without activity."
    if now - row.started_at > dt.timedelta(hours=LONGEST_HOURS):
        return f"Your log-in ended after {LONGEST_HOURS} hours; log in again."
    return None


def _end(row: LoginSession, now: dt.datetime) -> None:
    row.ended_at = now
    row.token_hash = None
    row.ticket_hash = None
