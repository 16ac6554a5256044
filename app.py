"""SamePage: open the store, let in only the people who belong, and route to the pages."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import streamlit as st

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import can
from alignment.meeting.room_links import ROOM_PARAMETER
from ui import context
from ui.widgets import as_text

log = logging.getLogger("samepage")
REVIEW_PAGE = "pages/review.py"

PAGES = [
    ("pages/overview.py", "Overview", ":material/dashboard:", None),
    ("pages/definitions.py", "Definitions of success", ":material/verified:", None),
    ("pages/budget.py", "Budget & return", ":material/payments:", None),
    ("pages/goals.py", "Goals & KPIs", ":material/account_tree:", None),
    ("pages/next_dollar.py", "Next dollar", ":material/trending_up:", None),
    ("pages/review.py", "Monthly review", ":material/event_note:", None),
    ("pages/checklist.py", "Alignment checklist", ":material/fact_check:", None),
    ("pages/maturity.py", "Marketing maturity", ":material/stairs:", None),
    ("pages/requests.py", "Requests and decisions", ":material/gavel:", None),
    ("pages/notices.py", "Notices", ":material/notifications:", None),
    ("pages/audit.py", "Audit trail", ":material/policy:", Action.VIEW_AUDIT),
    (
        "pages/admin.py",
        "Accounts & settings",
        ":material/admin_panel_settings:",
        (Action.MANAGE_USERS, Action.EDIT_FINANCIAL_SETTINGS),
    ),
]


def _allowed(me: Actor, needs: Action | tuple[Action, ...] | None) -> bool:
    if needs is None:
        return True
    wanted = needs if isinstance(needs, tuple) else (needs,)
    return any(can(me, action) for action in wanted)


def run() -> None:
    room = st.query_params.get(ROOM_PARAMETER)
    presenting = st.query_params.get("present") == "1" or room is not None
    st.set_page_config(
        page_title="SamePage",
        page_icon=":material/handshake:",
        layout="wide",
        initial_sidebar_state="collapsed" if presenting else "auto",
    )
    context.store()
    if room is not None:
        # A meeting-room link: one month's review, read-only, for a screen nobody logs into.
        if context.enter_meeting_room(room):
            elsewhere = [
                st.Page(context.room_elsewhere, title="Monthly review", url_path=Path(path).stem)
                for path, *_ in PAGES
                if path != REVIEW_PAGE
            ]
            review = st.Page(REVIEW_PAGE, title="Monthly review", default=True)
            st.navigation([review, *elsewhere], position="hidden").run()
        return
    demo = context.demo_active()
    me = context.actor() if demo else context.logged_in()
    if me is None:
        # The log-in page answers at every page's address too, so a deep link shows it (not
        # "page not found") and, once logged in, the rerun lands on the page linked to.
        login = [st.Page(context.login_page, title="Log in", icon=":material/login:")]
        login += [
            st.Page(context.login_page, title="Log in", url_path=Path(path).stem)
            for path, *_ in PAGES
        ]
        st.navigation(login, position="hidden").run()
        return
    pages = [
        st.Page(path, title=title, icon=icon, default=i == 0)
        for i, (path, title, icon, needs) in enumerate(PAGES)
        if _allowed(me, needs) or demo
    ]
    page = st.navigation(pages, position="hidden" if presenting else "sidebar")
    if not presenting:
        if demo:
            context.role_picker()
        else:
            st.sidebar.caption(f"Logged in as {as_text(me.label)}")
            context.remember_in_browser()
            if st.sidebar.button("Log out", key="log_out", icon=":material/logout:"):
                context.log_out("You are logged out.")
    try:
        page.run()
    except Exception:
        reference = uuid.uuid4().hex[:8]
        log.exception("Page %s failed (reference %s)", page.title, reference)
        st.error(
            "Something went wrong while showing this page; nothing was changed. "
            f"The details are in the server log under reference {reference}.",
            icon=":material/error:",
        )


run()
