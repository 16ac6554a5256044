"""Requests and decisions: what was asked of marketing, the research, the decision and its
reason, and what came of it. Shows whether direction changes rest on research."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import can
from alignment.shared import formatting as fmt
from alignment.shared.status import BadgeColour
from alignment.shared.text import MAX_TITLE
from alignment.trust import request_log
from ui.context import Session
from ui.context import act
from ui.context import opened
from ui.context import profile
from ui.context import store
from ui.widgets import as_text
from ui.widgets import text_table


def page() -> None:
    me = opened("Requests and decisions")
    currency = profile().currency
    with store().session() as session:
        views = request_log.requests(session, me)
    summary = request_log.stats(views)
    cells = st.columns(4)
    cells[0].metric(
        "Awaiting a decision",
        summary.open_requests,
        border=True,
        help="Requests with no decision yet.",
    )
    cells[1].metric(
        "Put off until later",
        summary.put_off,
        border=True,
        help="Decided 'later': back on the review's agenda, neither awaiting a first "
        "decision nor decided.",
    )
    cells[2].metric(
        "Decided without research",
        len(summary.decided_without_research),
        border=True,
        help="Decided do it or don't while research or the expected result was missing.",
    )
    latest = list(summary.direction_changes.items())[-1] if summary.direction_changes else None
    cells[3].metric(
        "Direction changes, latest quarter",
        latest[1] if latest else 0,
        border=True,
        help="Requests decided 'do it' per quarter: "
        + ", ".join(f"{q}: {n}" for q, n in summary.direction_changes.items()),
    )
    for title in summary.decided_without_research:
        st.warning(f"Decided without research: {as_text(title)}", icon=":material/warning:")
    if can(me, Action.RAISE_REQUEST):
        with st.expander("Record a request of marketing", icon=":material/add:"):
            # A new round of widgets after each request recorded: the form starts empty.
            form = f"request_new_{st.session_state.get('request_form_round', 0)}"
            with st.form(form):
                title = st.text_input(
                    "What is marketing asked to do?", key=f"{form}_title", max_chars=MAX_TITLE
                )
                description = st.text_area("Why, and by when", key=f"{form}_description")
                if st.form_submit_button("Record request", type="primary"):

                    def record(s: Session) -> None:
                        request_log.raise_request(s, me, title, description)
                        st.session_state["request_form_round"] = (
                            st.session_state.get("request_form_round", 0) + 1
                        )

                    act(record, "Request recorded.")
    if not views:
        st.info(
            "No requests yet: the CEO, CFO or CMO records what marketing is asked to do, the "
            "CMO adds the research, the CEO decides, and the outcome follows.",
            icon=":material/inbox:",
        )
    for view in views:
        _request(me, view, currency)


def _request(me: Actor, view: request_log.RequestView, currency: str) -> None:
    with st.container(border=True):
        badges = st.container(horizontal=True, gap="small")
        colours: dict[str | None, BadgeColour] = {
            None: "orange",
            "later": "orange",
            "do": "green",
            "dont": "gray",
        }
        colour = colours[view.decision]
        badges.badge(view.status, color=colour)
        badges.badge(
            f"Asked by {as_text(view.asked_by or view.asked_by_role)} ({view.asked_by_role}), "
            f"{view.asked_on:%d %b %Y}",
            color="gray",
        )
        st.markdown(f"#### {as_text(view.title)}")
        if view.description:
            st.caption(as_text(view.description))
        details = {
            "Research": view.research or "—",
            "Expected result": view.expected_result or "—",
            "Cost": fmt.money_exact(view.cost, currency),
            "Recommendation": view.recommendation or "—",
        }
        if view.decision:
            details["Decision"] = (
                f"{request_log.DECISIONS[view.decision]}, "
                f"{view.decided_on:%d %b %Y}: {view.decision_reason}"
            )
        if view.outcome:
            details["Outcome"] = view.outcome
        text_table(
            pd.DataFrame({"": list(details), "Recorded": list(details.values())}).set_index("")
        )
        if request_log.Step.RESEARCH in view.allowed:
            with st.expander("Add research", icon=":material/science:"):
                with st.form(f"research_{view.id}"):
                    research = st.text_area("Research", view.research, key=f"res_{view.id}")
                    expected = st.text_input(
                        "Expected result", view.expected_result, key=f"exp_{view.id}"
                    )
                    cost = st.text_input(
                        f"Cost ({currency})",
                        "" if view.cost is None else f"{view.cost:.2f}",
                        key=f"cost_{view.id}",
                    )
                    recommendation = st.text_input(
                        "Recommendation", view.recommendation, key=f"rec_{view.id}"
                    )
                    if st.form_submit_button("Save research", type="primary"):
                        act(
                            lambda s: request_log.add_research(
                                s, me, view.id, research, expected, cost, recommendation
                            ),
                            "Research saved.",
                        )
        if request_log.Step.DECIDE in view.allowed:
            with st.form(f"decide_{view.id}"):
                a, b = st.columns([1, 3])
                decision = a.selectbox(
                    "Decision",
                    list(request_log.DECISIONS),
                    format_func=request_log.DECISIONS.__getitem__,
                    key=f"dec_{view.id}",
                )
                reason = b.text_input("Reason (required)", key=f"why_{view.id}")
                if st.form_submit_button("Record decision"):
                    act(
                        lambda s: request_log.decide(s, me, view.id, decision, reason),
                        "Decision recorded.",
                    )
        if request_log.Step.OUTCOME in view.allowed:
            with st.form(f"outcome_{view.id}"):
                outcome = st.text_input(
                    "Actual outcome, against the expected result",
                    view.outcome,
                    key=f"out_{view.id}",
                )
                if st.form_submit_button("Record outcome"):
                    act(
                        lambda s: request_log.record_outcome(s, me, view.id, outcome),
                        "Outcome recorded.",
                    )


page()
