"""What every page needs: the open store and who is acting, by log-in or, in demo mode, by
the role picker. Nobody else: whoever is neither gets the log-in page, however the page was
reached (through app.py, a deep link served before app.py ever ran, a page file run on its
own)."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from typing import NoReturn
from typing import Protocol
from typing import TypeVar
from urllib.parse import urljoin

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session as Session  # re-exported: pages name it without SQLAlchemy
from streamlit.runtime.scriptrunner import get_script_run_ctx

from alignment.access import accounts
from alignment.access import login_sessions
from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import can
from alignment.access.users import demo_actors
from alignment.company.settings import CompanyProfile
from alignment.company.settings import company_profile
from alignment.edges.store import Store
from alignment.edges.store import open_store
from alignment.meeting import room_links
from alignment.shared import clock
from alignment.shared.errors import EditedMeanwhile
from alignment.shared.errors import PermissionDenied
from alignment.shared.errors import SamePageError
from alignment.shared.periods import month_label
from db.engine import database_url
from ui.routes import FORGET_ROUTE
from ui.routes import REMEMBER_ROUTE
from ui.routes import client_address
from ui.routes import trusted_proxies
from ui.widgets import ShownGrid
from ui.widgets import as_text
from ui.widgets import flash
from ui.widgets import new_grid
from ui.widgets import refusal
from ui.widgets import reload_grid
from ui.widgets import show_flash

DEMO_VARIABLE = "SAMEPAGE_DEMO"

# A write run in one session, as act() runs it; pages name it without importing SQLAlchemy.
Write = Callable[[Session], object]
# A write that also takes the acting person, for pages that look the actor up at the time.
ActorWrite = Callable[[Session, Actor], object]


class _Shows(Protocol):
    """Where the pixel goes: ``st`` itself or the sidebar."""

    def image(self, image: str, *, width: int) -> object: ...


def demo_mode() -> bool:
    """Demo mode was asked for (``SAMEPAGE_DEMO=1``); it only takes effect on the demo store.

    It never loads anything: the demo company comes from ``load-sample`` into a store of
    its own (``make run`` uses ``data/demo.db``), so the variable cannot fill an empty team
    store with the demo, whose role picker would then let anyone act as the CFO."""
    return os.environ.get(DEMO_VARIABLE, "") not in ("", "0", "false")


@st.cache_resource(show_spinner="Opening the store…")
def _open(url: str) -> Store:
    return open_store(url)


def store() -> Store:
    """The store for this app, opened once per process; a page stops with the reason if it can't."""
    try:
        return _open(database_url())
    except SamePageError as exc:
        refusal(exc)
        st.stop()
        raise


def act(action: Write, done: str, *, flash_key: str = "flash") -> None:
    """Run a write in one session: its refusal as an error on the page, its success as a
    message after the rerun (kept under ``flash_key`` until the page shows it)."""
    try:
        with store().session() as session:
            action(session)
    except SamePageError as exc:
        refusal(exc)
    else:
        flash(done, key=flash_key)


EMPTY_LISTS = tomllib.loads((Path(__file__).parent / "empty_lists.toml").read_text("utf-8"))
"""The sentences of each empty rated list, by list (``statements``, ``competences``)."""


def empty_list(me: Actor, which: str, owner: Action, start: ActorWrite) -> bool:
    """Say that the list ``which`` is still empty; its owner also gets the button that
    starts it from the standard list. True when ``me`` owns the list (the page then shows
    its editor)."""
    words = EMPTY_LISTS[which]
    if not can(me, owner):
        st.info(words["waiting"], icon=words["icon"])
        return False
    st.info(words["invitation"], icon=words["icon"])
    if st.button(words["start"], key=f"{which}_standard", type="primary"):
        act(lambda session: start(session, me), words["started"])
    return True


Saved = TypeVar("Saved")
Changes = TypeVar("Changes")


def save_grid(
    grid: ShownGrid,
    me: Actor,
    to_changes: Callable[[pd.DataFrame, Mapping[str, Any]], Changes],
    save: Callable[[Session, Actor, Changes], Saved],
    done: Callable[[Saved], str],
    *,
    flash_key: str = "flash",
) -> None:
    """Save a grid's edits in one session. Saved: a new grid, and ``done``'s sentence after
    the rerun. Refused because someone saved first: a new grid with the figures as saved,
    the refusal above it. Any other refusal: shown, and the person's edits stay to fix.
    No edits: a word that there was nothing to save."""
    changes = to_changes(grid.frame, grid.edits())
    if not changes:
        st.info("Nothing to save: no figure was changed.")
        return
    try:
        with store().session() as session:
            result = save(session, me, changes)
    except EditedMeanwhile as exc:
        reload_grid(grid.name, exc)
    except SamePageError as exc:
        refusal(exc)
    else:
        new_grid(grid.name)
        flash(done(result), key=flash_key)


def made_on_click(build: Callable[[Session, Actor], bytes]) -> Callable[[], bytes]:
    """A download's contents made when the person clicks it, not on every rerun of the page
    (an export of a year at a million lines takes seconds). Who clicked is checked again
    then, as every run checks it: a switched-off account, a changed role or a log-in that
    ended gets no file."""
    me = actor()
    login_session = st.session_state.get("login_session_id")
    checked = not demo_active()
    opened_store = store()

    def make() -> bytes:
        with opened_store.session() as session:
            if checked:
                now = None if me.user_id is None else accounts.current_actor(session, me.user_id)
                live = login_session is not None and login_sessions.still_live(
                    session, login_session
                )
                if now != me or not live:
                    raise PermissionDenied("You are no longer logged in; log in again to download.")
            return build(session, me)

    return make


def demo_active() -> bool:
    """The role picker is on: demo mode was asked for and the store is the demo company."""
    if not demo_mode():
        return False
    with store().session() as session:
        return accounts.is_demo_store(session)


def profile() -> CompanyProfile:
    with store().session() as session:
        return company_profile(session, actor())


def opened(title: str) -> Actor:
    """A page's first lines: who is acting, the page's title, and what the last action
    on it said (its flash)."""
    me = actor()
    st.title(title)
    show_flash()
    return me


def enter_meeting_room(token: str) -> bool:
    """Let a meeting-room screen in on its link, checked on every run (a revoked or expired
    link closes the room at its next refresh); the first run of a browser session counts
    as opening it (audited). False, with one plain sentence and nothing else, when the link
    does not open."""
    asked = st.query_params.get("month")
    try:
        with store().session() as session:
            if st.session_state.get("room_token") == token:
                room = room_links.check_link(session, token, asked)
            else:
                room = room_links.open_link(session, token, asked)
    except SamePageError as exc:
        st.session_state.pop("meeting_room", None)
        st.session_state.pop("room_token", None)
        st.title("SamePage")
        st.info(as_text(exc), icon=":material/meeting_room:")
        return False
    st.session_state["room_token"] = token
    st.session_state["meeting_room"] = room
    return True


def room_elsewhere() -> None:
    """Any other page's address on a meeting-room link: one sentence, nothing else."""
    room = meeting_room()
    month = month_label(room.month) if room else "one month"
    st.info(room_links.ELSEWHERE.format(month=month), icon=":material/meeting_room:")


def meeting_room() -> room_links.RoomPass | None:
    """The meeting-room link this screen is on, or None for everyone else."""
    if st.query_params.get(room_links.ROOM_PARAMETER) is None:
        return None
    room: room_links.RoomPass | None = st.session_state.get("meeting_room")
    return room


def actor() -> Actor:
    """Who is acting: the role picked in demo mode, or the logged-in person, checked
    against the store on every call (idle time, log-out elsewhere, a switched-off account).
    A meeting-room screen acts as the viewer its link stands for.

    Nobody falls back to an account: without a log-in the log-in page is shown and the
    page stops here, before it reads or writes anything."""
    if (room := meeting_room()) is not None:
        return room.viewer
    if demo_active():
        actors = _actors()
        role = st.session_state.get("acting_role")
        return next((a for a in actors if a.role == role), actors[0])
    me = logged_in()
    if me is None:
        if _part_rerun():
            st.rerun()  # the whole page becomes the log-in page, not only this part of it
        login_page()
        st.stop()
        raise AssertionError("st.stop() returned")  # pragma: no cover - st.stop raises
    return me


def _part_rerun() -> bool:
    """This run reruns one part of a page on its own (a fragment), not the whole page."""
    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


def _actors() -> list[Actor]:
    with store().session() as session:
        return demo_actors(session)


def role_picker() -> Actor:
    """Sidebar picker of who is acting, in demo mode only."""
    actors = _actors()
    roles = [str(a.role) for a in actors]
    names = {str(a.role): a.label for a in actors}
    if st.session_state.get("acting_role") not in roles:
        st.session_state["acting_role"] = roles[0]
    st.sidebar.selectbox(
        "Acting as",
        roles,
        format_func=names.__getitem__,
        key="acting_role",
        help="Demo mode: choose whose view to act in. Everyone sees the same figures; "
        "only what each person may change differs.",
    )
    return actor()


def sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # noqa: BLE001 - no secrets file at all is the common case
        return False


def log_out(message: str | None = None) -> NoReturn:
    session_id = st.session_state.pop("login_session_id", None)
    if session_id is not None:
        with store().session() as session:
            login_sessions.end(session, session_id)
        st.session_state["forget_cookie"] = True
    for key in ("actor", "last_active", "cookie_ticket"):
        st.session_state.pop(key, None)
    if message:
        st.session_state["login_message"] = message
    if sso_configured() and getattr(st.user, "is_logged_in", False):
        st.logout()
    st.rerun()


def logged_in() -> Actor | None:
    """The logged-in person, refreshed from the store every run; None when nobody is, or
    when the session was idle too long, ended elsewhere, or the account was changed.

    Single sign-on holds a log-in session like a password does, so the same idle time,
    12-hour limit and log-out everywhere apply; when SamePage ends it, the provider's
    log-in in this browser is dropped too (st.logout), or it would let the person straight
    back in."""
    current: Actor | None = st.session_state.get("actor")
    with store().session() as session:
        idle = accounts.idle_minutes(session)
        if current is None:
            current = _remembered(session)
        if current is None and _sso_signed_in():
            if st.session_state.pop("sso_ended", None):
                log_out(st.session_state.get("login_message"))
            current = _sso_log_in(session)
            if current is None:
                return None
        if current is not None:
            # An actor without an account (the command line) is nobody logged in.
            user_id = current.user_id
            current = None if user_id is None else accounts.current_actor(session, user_id)
        session_id = st.session_state.get("login_session_id")
        if current is not None and session_id is not None:
            try:
                live = login_sessions.still_live(session, session_id)
            except login_sessions.SessionEnded as exc:
                log_out(str(exc))
            if not live:
                log_out("You logged out in another tab, or your account was changed; log in again.")
        elif current is not None and session_id is None:
            current = None
    if current is None:
        st.session_state.pop("actor", None)
        return None
    last = st.session_state.get("last_active", clock.timestamp())
    if clock.timestamp() - last > idle * 60:
        log_out(f"You were logged out after {idle} minutes without activity.")
    st.session_state["actor"] = current
    st.session_state["last_active"] = clock.timestamp()
    return current


def _sso_signed_in() -> bool:
    return sso_configured() and bool(getattr(st.user, "is_logged_in", False))


def _sso_log_in(session: Session) -> Actor | None:
    """Admit the person the provider vouches for (verified address, an account here) and
    start their log-in session; None, with the reason for the log-in page, otherwise."""
    try:
        me = accounts.sso_log_in(
            session,
            str(st.user.get("email", "") or ""),
            verified=st.user.get("email_verified"),
            issued_at=st.user.get("iat"),
        )
        started = login_sessions.start(session, me)
    except SamePageError as exc:
        st.session_state["login_message"] = str(exc)
        return None
    _started(me, started)
    return me


def _started(me: Actor, started: login_sessions.Started) -> None:
    st.session_state["actor"] = me
    st.session_state["login_session_id"] = started.session_id
    st.session_state["cookie_ticket"] = (
        started.ticket,
        clock.timestamp() + login_sessions.TICKET_SECONDS,
    )
    st.session_state["last_active"] = clock.timestamp()


def _remembered(session: Session) -> Actor | None:
    """The person this browser's session cookie stands for, after a reload or in a new tab."""
    token = st.context.cookies.get(login_sessions.COOKIE)
    if not isinstance(token, str) or not token:
        return None
    try:
        resumed = login_sessions.resume(session, token)
    except SamePageError as exc:
        st.session_state["login_message"] = str(exc)
        st.session_state["sso_ended"] = True
        return None
    if resumed is None:
        return None
    st.session_state["login_session_id"] = resumed.session_id
    st.session_state["last_active"] = clock.timestamp()
    return resumed.actor


def remember_in_browser() -> None:
    """Right after a password log-in, have the browser fetch its session cookie (an image
    request to SamePage's own route: a script cannot set cookies itself)."""
    ticket = st.session_state.get("cookie_ticket")
    if ticket is not None and clock.timestamp() < ticket[1]:
        _pixel(f"{REMEMBER_ROUTE}?ticket={ticket[0]}", st.sidebar)


def _pixel(route: str, where: _Shows = st) -> None:
    """Have the browser request one of SamePage's own routes (as a 1-pixel image)."""
    page = st.context.url
    if isinstance(page, str) and page.startswith(("http://", "https://")):
        where.image(urljoin(page, route), width=1)


def _client() -> str | None:
    """The browser's IP address, for the per-client log-in limit; None on this computer.
    Behind the operator's own proxies (``SAMEPAGE_TRUSTED_PROXIES``), the address they
    forwarded."""
    address = st.context.ip_address
    return client_address(
        address if isinstance(address, str) else None,
        st.context.headers.get("X-Forwarded-For"),
        trusted_proxies(),
    )


def login_page() -> None:
    """The only page a visitor who is not logged in sees."""
    st.title("Log in to SamePage")
    if st.session_state.pop("forget_cookie", None):
        _pixel(FORGET_ROUTE)
    if message := st.session_state.pop("login_message", None):
        st.warning(message, icon=":material/info:")
    if demo_mode():
        st.info(
            "Demo mode is off: this store is not the demo company, so everyone logs in.",
            icon=":material/lock:",
        )
    with st.form("login"):
        email = st.text_input("E-mail address", key="login_email", autocomplete="username")
        password = st.text_input(
            "Password", type="password", key="login_password", autocomplete="current-password"
        )
        if st.form_submit_button("Log in", type="primary"):
            try:
                with store().session() as session:
                    me = accounts.log_in(session, email, password, client=_client())
                    started = login_sessions.start(session, me)
            except SamePageError as exc:
                refusal(exc)
            else:
                _started(me, started)
                st.rerun()
    if sso_configured():
        st.button("Log in with single sign-on", on_click=st.login, key="login_sso")
