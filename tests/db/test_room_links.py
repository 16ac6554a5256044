"""Meeting-room links on a real store: made by the CEO, stored hashed, opened and counted,
refused when revoked, expired, wrong or asked for another month."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import sqlalchemy as sa

from alignment.meeting import room_links
from alignment.meeting.room_links import CLOSED_ROOM
from alignment.shared import clock
from alignment.shared.errors import PermissionDenied
from alignment.shared.errors import ValidationFailed
from db.models import AuditEvent
from db.models import MeetingLink

TODAY = "2026-11-23T10:00:00"


def _make(store, ceo, month="2026-11", until=dt.date(2026, 11, 30), download=False):  # type: ignore[no-untyped-def]
    with clock.pinned(TODAY), store.session() as session:
        return room_links.create_link(session, ceo, month, until, download)


def test_only_a_hash_of_the_token_is_stored_and_the_making_is_audited(demo_store, demo_actors):
    made = _make(demo_store, demo_actors["CEO"])
    assert len(made.token) >= 40
    with demo_store.session() as session:
        row = session.get(MeetingLink, made.id)
        assert row.token_hash == hashlib.sha256(made.token.encode()).hexdigest()
        assert made.token not in {row.token_hash, row.month}
        assert row.valid_until == dt.datetime(2026, 12, 1, 0, 0)
        event = session.scalars(
            sa.select(AuditEvent).where(AuditEvent.object_type == "meeting_link")
        ).one()
    assert (event.action, event.actor) == ("create", demo_actors["CEO"].label)
    assert made.token not in str(event.new_value)


def test_a_screen_opens_its_month_as_a_viewer_and_each_opening_is_counted(demo_store, demo_actors):
    made = _make(demo_store, demo_actors["CEO"], download=True)
    with clock.pinned(TODAY), demo_store.session() as session:
        room = room_links.open_link(session, made.token)
        again = room_links.open_link(session, made.token, "2026-11")
        checked = room_links.check_link(session, made.token)
    assert (room.month, room.allow_download, str(room.viewer.role)) == ("2026-11", True, "viewer")
    assert room.viewer.user_id is None and again == room == checked
    with demo_store.session() as session:
        row = session.get(MeetingLink, made.id)
        uses = session.scalars(
            sa.select(AuditEvent.action).where(
                AuditEvent.object_type == "meeting_link", AuditEvent.action == "use"
            )
        ).all()
    assert (row.uses, len(uses)) == (2, 2)


@pytest.mark.parametrize("token", ["", "x" * 43, "y" * 500])
def test_a_wrong_token_opens_nothing(demo_store, demo_actors, token):
    _make(demo_store, demo_actors["CEO"])
    with clock.pinned(TODAY), demo_store.session() as session:
        with pytest.raises(ValidationFailed) as refused:
            room_links.open_link(session, token)
    assert str(refused.value) == CLOSED_ROOM


def test_a_revoked_link_closes_the_room(demo_store, demo_actors):
    made = _make(demo_store, demo_actors["CEO"])
    with clock.pinned(TODAY), demo_store.session() as session:
        room_links.open_link(session, made.token)
        room_links.revoke_link(session, demo_actors["CEO"], made.id)
        with pytest.raises(ValidationFailed, match="^This meeting-room link does not open"):
            room_links.check_link(session, made.token)
        with pytest.raises(ValidationFailed, match="already revoked"):
            room_links.revoke_link(session, demo_actors["CEO"], made.id)
        views = room_links.links(session, demo_actors["CEO"])
    assert [(v.id, v.state(clock.utc_now()), v.uses) for v in views] == [(made.id, "revoked", 1)]


def test_a_link_ends_with_the_day_chosen(demo_store, demo_actors):
    made = _make(demo_store, demo_actors["CEO"], until=dt.date(2026, 11, 24))
    with clock.pinned("2026-11-24T23:59:00"), demo_store.session() as session:
        assert room_links.check_link(session, made.token).month == "2026-11"
    with clock.pinned("2026-11-25T00:00:00"), demo_store.session() as session:
        with pytest.raises(ValidationFailed, match="^This meeting-room link does not open"):
            room_links.open_link(session, made.token)


def test_a_link_asked_for_another_month_shows_nothing(demo_store, demo_actors):
    made = _make(demo_store, demo_actors["CEO"])
    with clock.pinned(TODAY), demo_store.session() as session:
        with pytest.raises(ValidationFailed) as refused:
            room_links.open_link(session, made.token, "2026-10")
    assert str(refused.value) == "This meeting-room link shows the review of November 2026 only."
    with demo_store.session() as session:
        assert session.get(MeetingLink, made.id).uses == 0


@pytest.mark.parametrize(
    ("month", "until", "problem"),
    [
        ("2026-12", dt.date(2026, 12, 5), "December 2026 has not started"),
        ("2026-11", dt.date(2026, 11, 22), "22 Nov 2026 is in the past"),
        ("2026-11", dt.date(2027, 2, 24), "a link works for at most 92 days"),
        ("November", dt.date(2026, 11, 30), "No link was made: 'November' is not a month"),
    ],
)
def test_bad_links_are_refused_in_a_sentence(demo_store, demo_actors, month, until, problem):
    with pytest.raises(ValidationFailed, match=problem):
        _make(demo_store, demo_actors["CEO"], month=month, until=until)
    with demo_store.session() as session:
        assert session.scalar(sa.select(sa.func.count(MeetingLink.id))) == 0


@pytest.mark.parametrize("role", ["CFO", "CMO", "viewer"])
def test_only_the_ceo_makes_or_lists_links(demo_store, demo_actors, role):
    with pytest.raises(PermissionDenied):
        _make(demo_store, demo_actors[role])
    with demo_store.session() as session, pytest.raises(PermissionDenied):
        room_links.links(session, demo_actors[role])
