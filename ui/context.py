"""What every page needs: the open store, the acting user and the chosen period."""

from __future__ import annotations

import os

import streamlit as st

from alignment.errors import SamePageError
from alignment.permissions import COMMAND_LINE
from alignment.permissions import Actor
from alignment.sample import load_sample
from alignment.settings import CompanyProfile
from alignment.settings import company_profile
from alignment.store import Store
from alignment.store import open_store
from alignment.users import demo_actors
from db.engine import database_url

DEMO_VARIABLE = "SAMEPAGE_DEMO"


def demo_mode() -> bool:
    return os.environ.get(DEMO_VARIABLE, "") not in ("", "0", "false")


@st.cache_resource(show_spinner="Opening the store…")
def _open(url: str, demo: bool) -> Store:
    store = open_store(url)
    if demo and store.is_empty():
        with store.session() as session:
            load_sample(session, COMMAND_LINE)
    return store


def store() -> Store:
    """The store for this app, opened once per process; a page stops with the reason if it can't."""
    try:
        return _open(database_url(), demo_mode())
    except SamePageError as exc:
        st.error(str(exc), icon=":material/error:")
        st.stop()
        raise


def profile() -> CompanyProfile:
    with store().session() as session:
        return company_profile(session, actor())


def actor() -> Actor:
    """The acting user chosen in the sidebar; the CEO until someone picks."""
    actors = _actors()
    role = st.session_state.get("acting_role")
    return next((a for a in actors if a.role == role), actors[0])


def _actors() -> list[Actor]:
    with store().session() as session:
        return demo_actors(session)


def role_picker() -> Actor:
    """Sidebar picker of who is acting: the seam that real accounts replace."""
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
