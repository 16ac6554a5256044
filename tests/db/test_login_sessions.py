"""Log-in sessions on a real store: a ticket becomes a cookie token once, the token brings
the person back after a reload, and idleness, age, log-out and a switched-off account end it."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from starlette.requests import Request

from alignment.access import accounts
from alignment.access import login_sessions
from alignment.access.permissions import COMMAND_LINE
from alignment.access.permissions import Actor
from alignment.access.permissions import Role
from db.models import LoginSession
from ui import routes

PASSWORD = "correct horse battery staple"
T0 = dt.datetime(2026, 11, 23, 9, 0, 0)


def later(**delta: float) -> dt.datetime:
    return T0 + dt.timedelta(**delta)


@pytest.fixture
def cfo(store) -> Actor:
    with store.session() as session:
        accounts.add_user(session, COMMAND_LINE, "cfo@kestrel.example", "Dana", "CFO", PASSWORD)
        return accounts.log_in(session, "cfo@kestrel.example", PASSWORD, now=T0)


def logged_in(store, actor: Actor) -> tuple[int, str]:
    """A started session and the cookie token its ticket bought."""
    with store.session() as session:
        started = login_sessions.start(session, actor, now=T0)
        token = login_sessions.redeem(session, started.ticket, now=later(seconds=5))
    assert token is not None
    return started.session_id, token


def test_a_redeemed_ticket_brings_the_person_back(store, cfo):
    session_id, token = logged_in(store, cfo)
    with store.session() as session:
        resumed = login_sessions.resume(session, token, now=later(minutes=1))
    assert resumed == login_sessions.Resumed(cfo, session_id)
    assert resumed.actor.role == Role.CFO


def test_a_ticket_works_once_and_only_while_fresh(store, cfo):
    with store.session() as session:
        started = login_sessions.start(session, cfo, now=T0)
        late = login_sessions.start(session, cfo, now=T0)
        last_moment = login_sessions.start(session, cfo, now=T0)
        assert login_sessions.redeem(session, started.ticket, now=later(seconds=1)) is not None
        assert login_sessions.redeem(session, started.ticket, now=later(seconds=2)) is None
        # Tickets live two minutes.
        assert login_sessions.redeem(session, late.ticket, now=later(seconds=121)) is None
        assert login_sessions.redeem(session, last_moment.ticket, now=later(seconds=119))


@pytest.mark.parametrize("forged", ["", "x" * 101, "not-a-ticket", None, 42])
def test_anything_but_a_ticket_buys_nothing(store, cfo, forged):
    with store.session() as session:
        login_sessions.start(session, cfo, now=T0)
        assert login_sessions.redeem(session, forged, now=T0) is None
        assert login_sessions.resume(session, forged, now=T0) is None


def test_only_hashes_are_stored(store, cfo):
    with store.session() as session:
        started = login_sessions.start(session, cfo, now=T0)
        token = login_sessions.redeem(session, started.ticket, now=T0)
        stored = session.execute(sa.select(LoginSession)).scalar_one()
        columns = [str(getattr(stored, c.key)) for c in LoginSession.__table__.columns]
    assert token not in " ".join(columns) and started.ticket not in " ".join(columns)
    assert stored.token_hash is not None and len(stored.token_hash) == 64


def test_an_idle_log_in_ends_with_the_reason(store, cfo):
    session_id, token = logged_in(store, cfo)
    with store.session() as session:
        idle = accounts.idle_minutes(session)
        with pytest.raises(login_sessions.SessionEnded, match=f"after {idle} minutes"):
            login_sessions.resume(session, token, now=later(minutes=idle + 1))
        assert login_sessions.resume(session, token, now=later(minutes=idle + 2)) is None
        assert session.get(LoginSession, session_id).ended_at is not None


def test_activity_keeps_it_alive_but_not_beyond_the_longest_log_in(store, cfo):
    session_id, token = logged_in(store, cfo)
    with store.session() as session:
        idle = accounts.idle_minutes(session)
        minutes = 0
        while minutes + idle - 1 < 12 * 60:
            minutes += idle - 1
            assert login_sessions.still_live(session, session_id, now=later(minutes=minutes))
        with pytest.raises(login_sessions.SessionEnded, match="ended after 12 hours"):
            login_sessions.resume(session, token, now=later(hours=12, minutes=1))


def test_activity_is_written_at_most_once_a_minute(store, cfo):
    session_id, _ = logged_in(store, cfo)
    with store.session() as session:
        assert login_sessions.still_live(session, session_id, now=later(seconds=30))
        assert session.get(LoginSession, session_id).last_seen_at == T0
        assert login_sessions.still_live(session, session_id, now=later(seconds=61))
        session.expire_all()
        assert session.get(LoginSession, session_id).last_seen_at == later(seconds=61)


def test_a_tab_left_idle_learns_why_it_ended(store, cfo):
    session_id, _ = logged_in(store, cfo)
    with store.session() as session:
        idle = accounts.idle_minutes(session)
        with pytest.raises(login_sessions.SessionEnded, match="without activity"):
            login_sessions.still_live(session, session_id, now=later(minutes=idle + 1))
        assert not login_sessions.still_live(session, session_id, now=later(minutes=idle + 2))


def test_log_out_ends_the_session_for_every_tab(store, cfo):
    session_id, token = logged_in(store, cfo)
    with store.session() as session:
        login_sessions.end(session, session_id, now=later(minutes=2))
        assert not login_sessions.still_live(session, session_id, now=later(minutes=3))
        assert login_sessions.resume(session, token, now=later(minutes=3)) is None
        login_sessions.end(session, session_id, now=later(minutes=4))
        session.expire_all()
        ended = session.get(LoginSession, session_id)
        assert ended.ended_at == later(minutes=2), "a second log-out moved the first one's time"
        assert ended.token_hash is None and ended.ticket_hash is None
        assert login_sessions.resume(session, token, now=later(minutes=5)) is None


def test_a_switched_off_account_is_not_brought_back(store, cfo):
    session_id, token = logged_in(store, cfo)
    with store.session() as session:
        accounts.change_account(session, COMMAND_LINE, cfo.user_id, active=False)
        assert login_sessions.resume(session, token, now=later(minutes=1)) is None
        assert session.get(LoginSession, session_id).ended_at is not None


def test_two_browsers_hold_two_sessions(store, cfo):
    first_id, first = logged_in(store, cfo)
    second_id, second = logged_in(store, cfo)
    with store.session() as session:
        login_sessions.end(session, first_id, now=later(minutes=1))
        assert login_sessions.resume(session, first, now=later(minutes=2)) is None
        resumed = login_sessions.resume(session, second, now=later(minutes=2))
    assert resumed is not None and resumed.session_id == second_id != first_id


def test_someone_without_an_account_cannot_stay_logged_in(store):
    with store.session() as session, pytest.raises(login_sessions.SessionEnded):
        login_sessions.start(session, COMMAND_LINE, now=T0)


def test_old_sessions_are_cleared_when_someone_logs_in(store, cfo):
    old_id, _ = logged_in(store, cfo)
    recent_id, _ = logged_in(store, cfo)
    with store.session() as session:
        session.get(LoginSession, recent_id).last_seen_at = later(hours=2)
        session.commit()
        # Kept 30 days: at day 30 plus an hour, the one last seen an hour later is kept.
        login_sessions.start(session, cfo, now=later(days=30, hours=1))
        kept = session.scalars(sa.select(LoginSession.id)).all()
    assert old_id not in kept and recent_id in kept and len(kept) == 2


@pytest.mark.parametrize(
    "change",
    [{"password": "a brand new passphrase"}, {"role": "viewer"}, {"active": False}],
    ids=["password reset", "new role", "switched off"],
)
def test_a_changed_account_is_logged_out_everywhere(store, cfo, change):
    """The old cookie after a password reset (or a new role, or switching the account off)
    logs nobody in: whoever knew the old password is out, in every browser."""
    first_id, first = logged_in(store, cfo)
    second_id, second = logged_in(store, cfo)
    with store.session() as session:
        accounts.change_account(session, COMMAND_LINE, cfo.user_id, **change)
        assert login_sessions.resume(session, first, now=later(minutes=1)) is None
        assert login_sessions.resume(session, second, now=later(minutes=1)) is None
        assert not login_sessions.still_live(session, first_id, now=later(minutes=1))
        assert not login_sessions.still_live(session, second_id, now=later(minutes=1))


def test_an_unchanged_account_stays_logged_in(store, cfo):
    _, token = logged_in(store, cfo)
    with store.session() as session:
        accounts.change_account(session, COMMAND_LINE, cfo.user_id, role="CFO", active=True)
        assert login_sessions.resume(session, token, now=later(minutes=1)) is not None


def _ticket_request(store, monkeypatch, headers: dict[str, str], base: str):  # type: ignore[no-untyped-def]
    """A browser asking SamePage's remember route for its cookie with a fresh ticket."""
    monkeypatch.setattr(routes, "_store", lambda: store)
    with store.session() as session:
        accounts.add_user(session, COMMAND_LINE, "ceo@kestrel.example", "Ari", "CEO", PASSWORD)
        ceo = accounts.log_in(session, "ceo@kestrel.example", PASSWORD)
        started = login_sessions.start(session, ceo)
    scheme, host = base.split("://")
    request = Request(
        {
            "type": "http",
            "method": "GET",
            "scheme": scheme,
            "path": routes.REMEMBER_ROUTE,
            "query_string": f"ticket={started.ticket}".encode(),
            "headers": [(b"host", host.encode())]
            + [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        }
    )
    return routes.remember(request)


@pytest.mark.parametrize("site", [None, "cross-site", "same-site", "none"])
def test_only_samepages_own_pages_may_redeem_a_ticket(store, monkeypatch, site):
    """A request without Sec-Fetch-Site is refused like a cross-site one (it used to count
    as same-origin)."""
    headers = {} if site is None else {"Sec-Fetch-Site": site}
    response = _ticket_request(store, monkeypatch, headers, "http://localhost:8501")
    assert response.status_code == 200
    assert login_sessions.COOKIE not in response.headers.get("set-cookie", "")


@pytest.mark.parametrize(
    ("base", "behind_tls", "secure"),
    [
        ("http://localhost:8501", False, False),
        ("http://127.0.0.1:8501", False, False),
        ("http://localhost:8501", True, True),
        ("http://samepage.internal.example", False, True),
        ("https://samepage.example", False, True),
    ],
)
def test_the_cookie_is_secure_unless_on_this_computer(store, monkeypatch, base, behind_tls, secure):
    """Behind a proxy on another host uvicorn sees plain http; the cookie is Secure there
    all the same, and SAMEPAGE_BEHIND_TLS=1 makes it Secure everywhere."""
    if behind_tls:
        monkeypatch.setenv("SAMEPAGE_BEHIND_TLS", "1")
    else:
        monkeypatch.delenv("SAMEPAGE_BEHIND_TLS", raising=False)
    response = _ticket_request(store, monkeypatch, {"Sec-Fetch-Site": "same-origin"}, base)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{login_sessions.COOKIE}=")
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    assert ("secure" in cookie.lower().replace("samesite", "")) is secure
