"""SamePage: open the store, choose who is acting, and route to the pages."""

from __future__ import annotations

import logging
import uuid

import streamlit as st

from ui import context

log = logging.getLogger("samepage")


def run() -> None:
    presenting = st.query_params.get("present") == "1"
    st.set_page_config(
        page_title="SamePage",
        page_icon=":material/handshake:",
        layout="wide",
        initial_sidebar_state="collapsed" if presenting else "auto",
    )
    context.store()
    pages = [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/definitions.py", title="Definitions of success", icon=":material/verified:"),
        st.Page("pages/budget.py", title="Budget & return", icon=":material/payments:"),
        st.Page("pages/goals.py", title="Goals & KPIs", icon=":material/account_tree:"),
        st.Page("pages/review.py", title="Monthly review", icon=":material/event_note:"),
        st.Page("pages/checklist.py", title="Alignment checklist", icon=":material/fact_check:"),
        st.Page("pages/maturity.py", title="Marketing maturity", icon=":material/stairs:"),
        st.Page("pages/requests.py", title="Requests and decisions", icon=":material/gavel:"),
    ]
    page = st.navigation(pages, position="hidden" if presenting else "sidebar")
    if not presenting:
        context.role_picker()
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
