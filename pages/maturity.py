"""Marketing maturity: where each competence stands on the five levels, where the team wants
it, the largest gaps, and what moved since last quarter."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import can
from alignment.shared.periods import current_month
from alignment.shared.periods import quarter_of
from alignment.trust import maturity
from alignment.trust.maturity import LEVELS
from ui import charts
from ui.context import act
from ui.context import actor
from ui.context import empty_list
from ui.context import opened
from ui.context import store
from ui.widgets import as_text
from ui.widgets import drawn
from ui.widgets import show_chart


def page() -> None:
    me = opened("Marketing maturity")
    this_quarter = quarter_of(current_month())
    with store().session() as session:
        quarters = maturity.assessed_quarters(session, me)
    options = sorted({this_quarter, *quarters}, reverse=True)
    quarter = st.selectbox(
        "Quarter",
        options,
        key="maturity_quarter",
        index=options.index(quarters[0]) if quarters else 0,
    )
    with store().session() as session:
        shown = maturity.assessment(session, me, quarter)
        retired = not shown.levels and bool(maturity.competences(session, me, True))
    levels = shown.levels
    if not levels:
        _no_competences(me, retired)
        return
    st.caption(
        "Levels: "
        + ", ".join(f"{n} {name}" for n, name in LEVELS.items())
        + ". Dots show where each competence stands; red marks show where the team "
        "wants it."
    )
    frame = pd.DataFrame(
        [
            {"competence": lv.competence, "current": lv.current, "desired": lv.desired}
            for lv in levels
        ]
    )
    if shown.assessed:
        show_chart(drawn(charts.maturity_levels, frame, LEVELS))
    else:
        st.info(
            f"{quarter} has not been assessed yet."
            + (
                " The CMO assesses it below: pick each competence's current and desired level."
                if can(me, Action.ASSESS_MATURITY)
                else " The CMO assesses each competence's current and desired level."
            ),
            icon=":material/hourglass_empty:",
        )
    left, right = st.columns(2, gap="large")
    with left:
        st.subheader("Largest gaps")
        gaps = maturity.largest_gaps(levels)
        for level in gaps:
            if level.current is None or level.desired is None:  # gaps are assessed levels
                continue
            st.write(
                f"**{as_text(level.competence)}**: {LEVELS[level.current]} now, "
                f"{LEVELS[level.desired]} wanted ({level.gap} level"
                f"{'s' if level.gap != 1 else ''} to go)."
            )
        if not gaps:
            st.caption(
                "No competence is below where the team wants it."
                if shown.assessed
                else "No gaps until the quarter is assessed."
            )
    with right:
        _moves(shown)
    st.subheader("Assessment")
    earlier = f"In {shown.compared_with}" if shown.compared_with else "Earlier"
    table = pd.DataFrame(
        [
            {
                "Competence": lv.competence,
                "Current": _named(lv.current),
                "Desired": _named(lv.desired),
                "Gap": "—" if lv.gap is None else lv.gap,
                earlier: _named(lv.previous_current),
                "Note": lv.note,
            }
            for lv in levels
        ]
    )
    st.dataframe(table, hide_index=True, width="stretch")
    if can(me, Action.ASSESS_MATURITY):
        _assess(me, quarter, levels)
        _competences()


def _named(level: int | None) -> str:
    return "Not assessed" if level is None else f"{level} {LEVELS[level]}"


def _moves(shown: maturity.Assessment) -> None:
    """What moved since the latest earlier quarter that was assessed (never a quarter
    nobody assessed)."""
    if shown.compared_with is None:
        st.subheader("Since the last assessment")
        st.caption(
            f"No quarter before {shown.quarter} was assessed: changes show from the next "
            "assessment on."
        )
        return
    st.subheader(f"Since {shown.compared_with}")
    if not shown.assessed:
        st.caption(f"{shown.quarter} is not assessed yet; nothing to compare.")
        return
    moved = [lv for lv in shown.levels if lv.change]
    for level in moved:
        change, before, now = level.change, level.previous_current, level.current
        if change is None or before is None or now is None:  # moved levels have all three
            continue
        arrow = "up" if change > 0 else "down"
        st.write(f"**{as_text(level.competence)}** went {arrow}: {LEVELS[before]} → {LEVELS[now]}.")
    if not moved:
        st.caption("No competence assessed in both quarters changed level.")


def _assess(me: Actor, quarter: str, levels: list[maturity.CompetenceLevel]) -> None:
    with st.expander(f"Assess {quarter}", icon=":material/edit:"):
        with st.form("maturity_form"):
            rows = []
            for level in levels:
                a, b, c, d = st.columns([3, 2, 2, 4])
                a.write(level.competence)
                key = f"{quarter}_{level.competence_id}"
                current = _level(b, "Current", level.current, f"cur_{key}")
                desired = _level(c, "Desired", level.desired, f"des_{key}")
                note = d.text_input("Note", level.note, key=f"note_{quarter}_{level.competence_id}")
                rows.append((level.competence_id, current, desired, note))
            if st.form_submit_button("Save assessment", type="primary"):
                act(
                    lambda s: maturity.save_assessment(s, me, quarter, rows),
                    f"Saved the assessment of {quarter}.",
                )


def _level(where: DeltaGenerator, label: str, chosen: int | None, key: str) -> int | None:
    """One of the five levels, shown by name, or not assessed (left untouched, it stays
    not assessed: nothing is stored)."""
    options: list[int | None] = [None, *LEVELS]
    picked: int | None = where.selectbox(
        label, options, format_func=_named, index=options.index(chosen), key=key
    )
    return picked


def _no_competences(me: Actor, retired: bool) -> None:
    """A new store: nothing to assess until the CMO names the competences. Once every
    competence is retired, the standard list is not offered again (it would be refused)."""
    if retired:
        st.info(
            "Every competence is retired, so there is nothing to assess. "
            + (
                "Name the competences to assess below."
                if can(me, Action.ASSESS_MATURITY)
                else "The CMO names the competences to assess."
            ),
            icon=":material/tune:",
        )
        if can(me, Action.ASSESS_MATURITY):
            _competences()
        return
    if empty_list(
        me, "competences", Action.ASSESS_MATURITY, maturity.start_with_standard_competences
    ):
        _competences()


@st.fragment
def _competences() -> None:
    """Picking a competence to rename reruns this part only."""
    me = actor()
    with st.expander("Change the competences", icon=":material/tune:"):
        with store().session() as session:
            listed = maturity.competences(session, me)
        names = dict(listed)
        choice = st.selectbox(
            "Competence",
            [None, *names],
            key="competence_choice",
            format_func=lambda c: "(a new competence)" if c is None else names[c],
        )
        current = "" if choice is None else names[choice]
        name = st.text_input(
            "Name", current, key=f"competence_name_{choice}_{len(names)}_{hash(current)}"
        )
        left, right, _ = st.columns([1, 1, 3])
        if left.button("Save competence", key="competence_save", type="primary"):
            if choice is None:
                act(lambda s: maturity.add_competence(s, me, name), "Competence added.")
            else:
                act(
                    lambda s: maturity.rename_competence(s, me, choice, name), "Competence renamed."
                )
        if choice is not None and right.button("Stop assessing it", key="competence_retire"):
            act(lambda s: maturity.retire_competence(s, me, choice), "Competence retired.")


page()
