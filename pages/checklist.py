"""Alignment checklist: each executive scores the trust statements each month; the page shows
where they agree, where their perceptions differ, and how alignment moves."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import can
from alignment.meeting.review import review_months
from alignment.shared import formatting as fmt
from alignment.shared.errors import SamePageError
from alignment.shared.periods import month_label
from alignment.shared.periods import short_month_label
from alignment.shared.status import fill_style
from alignment.trust import checklist
from alignment.trust.checklist import GAP_FLAG
from ui import charts
from ui.context import act
from ui.context import actor
from ui.context import empty_list
from ui.context import opened
from ui.context import store
from ui.widgets import as_text
from ui.widgets import drawn
from ui.widgets import flash
from ui.widgets import month_box
from ui.widgets import refusal
from ui.widgets import show_chart
from ui.widgets import text_table

SCALE = {1: "1 Disagree", 2: "2", 3: "3", 4: "4", 5: "5 Agree"}


def page() -> None:
    me = opened("Alignment checklist")
    with store().session() as session:
        choices = review_months(session, me)
        months = choices.months
        month = month_box(months, choices.opening, "checklist_month")
        view = checklist.checklist_month(session, me, month)
        retired = view.items.empty and bool(checklist.items(session, me, include_retired=True))
    if view.items.empty:
        _no_statements(me, retired)
        return
    top = st.columns([1, 3])
    top[0].metric(
        "Alignment score",
        fmt.score(view.score),
        help="Mean of every answer (1-5) this month, scaled to 0-100.",
        border=True,
    )
    with top[1]:
        if view.roles_missing:
            st.warning(
                "Not answered yet: "
                + ", ".join(view.roles_missing)
                + ". Their answers are missing, not counted as zero.",
                icon=":material/hourglass_empty:",
            )
        else:
            st.success("All three executives have answered.", icon=":material/groups:")
        if view.closed:
            st.info("This month's review is closed; its answers are final.", icon=":material/lock:")
    if can(me, Action.ANSWER_CHECKLIST) and not view.closed:
        _answer_form(me, month, view)
    st.subheader("Scores by role")
    table = view.items.copy()
    table["Gap"] = [
        ("⚑ " if flagged else "") + ("n/a" if pd.isna(gap) else str(int(gap)))
        for gap, flagged in zip(table["gap"], table["flagged"], strict=True)
    ]
    shown = table[["position", "wording", "CEO", "CFO", "CMO", "Gap", "comments"]].rename(
        columns={"position": "No.", "wording": "Statement", "comments": "Comments"}
    )
    for role in ("CEO", "CFO", "CMO"):
        shown[role] = [fmt.NA if pd.isna(v) else str(int(v)) for v in shown[role]]
    flag_style = fill_style("red")
    text_table(
        shown.style.map(
            lambda v: flag_style if isinstance(v, str) and v.startswith("⚑") else "",
            subset=["Gap"],
        ).hide(axis="index")
    )
    st.caption(
        f"⚑ a perception gap of {GAP_FLAG} points or more between roles: discuss it in the review."
    )
    left, right = st.columns(2, gap="large")
    with left:
        st.subheader("Alignment over the last 12 months")
        if view.trend:
            trend = pd.DataFrame(view.trend, columns=["month", "score"])
            show_chart(drawn(charts.score_trend, trend))
        else:
            st.info("No answers yet.")
    with right:
        st.subheader("What moved since the previous month")
        for text, change in view.improved:
            st.success(f"{change:+.1f}: {as_text(text)}", icon=":material/trending_up:")
        for text, change in view.worsened:
            st.warning(f"{change:+.1f}: {as_text(text)}", icon=":material/trending_down:")
        if not view.improved and not view.worsened:
            st.caption("Nothing to compare with yet.")
    if can(me, Action.EDIT_CHECKLIST_ITEMS):
        _items()


def _no_statements(me: Actor, retired: bool) -> None:
    """A new store: nothing to answer until the CEO sets the statements. Once every
    statement is retired, the standard list is not offered again (it would be refused)."""
    if retired:
        owner = can(me, Action.EDIT_CHECKLIST_ITEMS)
        st.info(
            "Every statement is retired, so there is nothing to answer. "
            + (
                "Write the statements to ask below."
                if owner
                else "The CEO writes the statements to ask."
            ),
            icon=":material/checklist:",
        )
        if owner:
            _items()
        return
    if empty_list(
        me, "statements", Action.EDIT_CHECKLIST_ITEMS, checklist.start_with_standard_statements
    ):
        _items()


def _answer_form(me: Actor, month: str, view: checklist.ChecklistMonth) -> None:
    mine = view.items.set_index("id")
    role = str(me.role)
    with st.expander(
        f"Your answers as {role} for {month_label(month)}",
        expanded=role in view.roles_missing,
        icon=":material/edit_note:",
    ):
        with st.form("checklist_answers"):
            answers = []
            for row in view.items.itertuples():
                current = mine.loc[row.id, role]
                st.markdown(f"**{row.position}.** {as_text(row.wording)}")
                a, b = st.columns([2, 3])
                score = a.segmented_control(
                    "Score",
                    list(SCALE),
                    format_func=SCALE.__getitem__,
                    key=f"score_{role}_{month}_{row.id}",
                    default=None if pd.isna(current) else int(current),
                    label_visibility="collapsed",
                )
                comment = b.text_input(
                    "Comment",
                    mine.loc[row.id, f"{role}_comment"],
                    key=f"comment_{role}_{month}_{row.id}",
                    placeholder="Optional comment",
                    label_visibility="collapsed",
                )
                if score is not None:
                    answers.append(checklist.Answer(row.id, score, comment))
            if st.form_submit_button("Save my answers", type="primary"):
                try:
                    with store().session() as session:
                        written = checklist.save_answers(session, me, month, answers)
                except SamePageError as exc:
                    refusal(exc)
                else:
                    flash(f"Saved {written} answer(s) for {short_month_label(month)}.")


@st.fragment
def _items() -> None:
    """Picking a statement to reword reruns this part only."""
    me = actor()
    with st.expander("Change the statements", icon=":material/checklist:"):
        with store().session() as session:
            asked = checklist.items(session, me)
        st.caption("Past answers keep the wording they were given to.")
        choice = st.selectbox(
            "Statement",
            [None, *[i.id for i in asked]],
            key="item_choice",
            format_func=lambda i: (
                "(a new statement)" if i is None else next(x.text for x in asked if x.id == i)
            ),
        )
        wording = "" if choice is None else next(x.text for x in asked if x.id == choice)
        text = st.text_area(
            "Wording",
            wording,
            key=f"item_text_{choice}_{len(asked)}_{hash(wording)}",
        )
        left, right, _ = st.columns([1, 1, 3])
        if left.button("Save statement", key="item_save", type="primary"):
            if choice is None:
                act(lambda s: checklist.add_item(s, me, text), "Statement added.")
            else:
                act(lambda s: checklist.reword_item(s, me, choice, text), "Statement reworded.")
        if choice is not None and right.button("Stop asking it", key="item_retire"):
            act(lambda s: checklist.retire_item(s, me, choice), "Statement retired.")


page()
