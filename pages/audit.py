"""Audit trail: who changed what, when, and what it was before; filter, export, and check
that nobody rewrote history."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from alignment.files.export import to_csv
from alignment.records import audit
from alignment.shared import clock
from ui.context import actor
from ui.context import store
from ui.widgets import optional_choice


def page() -> None:
    me = actor()
    st.title("Audit trail")
    st.caption(
        "Every change to figures, definitions, answers, reviews, accounts and settings, "
        "with the old and new value. Events cannot be changed or removed, and each "
        "carries a hash of the one before it."
    )
    with store().session() as session:
        people, objects = audit.trail_filters(session, me)
    a, b, c = st.columns(3)
    person = optional_choice(a, "Person", people, "Everyone", key="audit_person")
    kind = optional_choice(b, "Object", objects, "Everything", key="audit_object")
    days = c.date_input(
        "Between",
        value=(clock.today() - dt.timedelta(days=90), clock.today()),
        key="audit_days",
    )
    first, last = (days[0], days[-1]) if isinstance(days, tuple) and days else (None, None)
    with store().session() as session:
        events = audit.trail(session, me, person, kind, first, last)
    st.dataframe(
        events.drop(columns=["hash"]),
        hide_index=True,
        width="stretch",
        column_config={"at": st.column_config.DatetimeColumn("When", format="D MMM YYYY, HH:mm")},
    )
    st.caption(f"{len(events):,} event(s) shown.")
    left, right, _ = st.columns([1, 1, 3])
    left.download_button(
        "Download CSV",
        to_csv(events),
        "samepage-audit-trail.csv",
        "text/csv",
        icon=":material/download:",
        key="audit_csv",
    )
    if right.button("Check the chain", key="audit_verify", icon=":material/verified_user:"):
        with store().session() as session:
            check = audit.verify(session, me)
        if check.intact:
            st.success(
                f"The audit trail is intact: {check.events:,} events, every link verified; "
                f"{check.signatures:,} signed definition versions match their sign-off.",
                icon=":material/verified_user:",
            )
        elif check.broken_at is None:
            st.error(f"The audit trail does not hold: {check.reason}.", icon=":material/gpp_bad:")
        else:
            st.error(
                f"The audit trail is broken at event {check.broken_at}: {check.reason}.",
                icon=":material/gpp_bad:",
            )


page()
