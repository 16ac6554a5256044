"""Definitions of success: what success means, who agreed to it, whether it is met, and
whether anyone changed it since the CFO signed."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from alignment import clock
from alignment import formatting as fmt
from alignment.export import to_csv
from alignment.overview import available_months
from alignment.periods import month_label
from alignment.permissions import Action
from alignment.permissions import can
from alignment.success import live_status
from alignment.success_workflow import COMPARISONS
from alignment.success_workflow import STATE_LABELS
from alignment.success_workflow import DefinitionInput
from alignment.success_workflow import VersionView
from alignment.success_workflow import acknowledge
from alignment.success_workflow import create_definition
from alignment.success_workflow import definitions
from alignment.success_workflow import definitions_json
from alignment.success_workflow import diff
from alignment.success_workflow import goal_choices
from alignment.success_workflow import history
from alignment.success_workflow import metric_choices
from alignment.success_workflow import propose
from alignment.success_workflow import return_to_draft
from alignment.success_workflow import revise
from alignment.success_workflow import sign_off
from alignment.success_workflow import update_draft
from alignment.success_workflow import waiting_work
from ui.context import act
from ui.context import actor
from ui.context import profile
from ui.context import store
from ui.widgets import as_text
from ui.widgets import period_picker
from ui.widgets import show_flash
from ui.widgets import text_table

STATE_COLOURS = {"draft": "gray", "proposed": "orange", "signed_off": "green", "superseded": "gray"}
RAG = {
    "green": ("On target", "green"),
    "amber": ("Within tolerance", "orange"),
    "red": ("Off target", "red"),
    None: ("No data yet", "gray"),
}
OWNERS = ["CMO", "CEO", "CFO"]


def page() -> None:
    me = actor()
    company = profile()
    st.title("Definitions of success")
    show_flash()
    with store().session() as session:
        waiting = waiting_work(session, me)
        views = definitions(session, me)
        metrics = metric_choices(session, me)
        goals = goal_choices(session, me)
        months = available_months(session, me)
    for message in waiting:
        st.info(f"{message}.", icon=":material/inbox:")
    st.caption(
        "The written, agreed meaning of success. The CMO or the CEO drafts and proposes, the "
        "CFO signs off or returns it with a comment, the CEO acknowledges. A signed version "
        "stays in force until its successor is signed; its signature covers its exact text."
    )
    statuses = {}
    if months:
        period = period_picker(months, company.fiscal_year_start_month, key="definitions")
        with store().session() as session:
            statuses = {s.definition_id: s for s in live_status(session, me, period)}
    if can(me, Action.PROPOSE_DEFINITION):
        with st.expander("New definition of success", icon=":material/add:"):
            _form("new", None, metrics, goals)
    for view in views:
        _definition(view, statuses.get(view.definition_id), metrics, goals, company.currency)
    with store().session() as session:
        rows = pd.DataFrame(definitions_json(session, me))
    st.download_button(
        "Download definitions (CSV)",
        to_csv(rows),
        "definitions-of-success.csv",
        "text/csv",
        icon=":material/download:",
        key="definitions_csv",
    )


def _definition(view, status, metrics: dict, goals: dict, currency: str) -> None:  # type: ignore[no-untyped-def]
    shown: VersionView = view.in_force or view.open_version
    with st.container(border=True):
        badges = st.container(horizontal=True, gap="small")
        if view.in_force:
            badges.badge(STATE_LABELS["signed_off"], color="green", icon=":material/verified:")
            if status is not None:
                label, colour = RAG[status.status]
                badges.badge(label, color=colour)
        if view.open_version:
            state = view.open_version.state
            prefix = f"Version {view.open_version.number}: " if view.in_force else ""
            badges.badge(prefix + STATE_LABELS[state], color=STATE_COLOURS[state])
        st.markdown(f"#### {as_text(shown.content['title'])}")
        if view.goal:
            st.caption(f"Goal: {as_text(view.goal)}")
        if view.in_force:
            _signature(view.in_force)
            if status is not None:
                st.write(
                    f"**Actual** {_value(status.actual, status.unit, currency)} against "
                    f"**target** {COMPARISONS[status.comparison]} "
                    f"{_value(status.target, status.unit, currency)}."
                )
        _content(shown, metrics, currency)
        if view.in_force and view.open_version:
            changes = diff(view.in_force, view.open_version, metrics)
            st.write(
                f"**Version {view.open_version.number}** "
                f"({STATE_LABELS[view.open_version.state].lower()}) changes:"
            )
            text_table(pd.DataFrame(changes, columns=["Field", "In force", "Proposed"]))
        if view.open_version and view.open_version.returned_comment:
            st.warning(
                f"Returned with a comment: {as_text(view.open_version.returned_comment)}",
                icon=":material/undo:",
            )
        for version in (view.in_force, view.open_version):
            if version is not None and version.allowed:
                _actions(version, metrics, goals)
        with st.expander("History"):
            _history(view.definition_id, metrics)


def _signature(version: VersionView) -> None:
    if version.changed_since_signoff:
        st.error(
            "Changed since sign-off: the stored text no longer matches what "
            f"{version.signed_by} signed on {version.signed_at:%d %b %Y}.",
            icon=":material/gpp_bad:",
        )
    else:
        ack = (
            f" Acknowledged by {version.acknowledged_by}, {version.acknowledged_at:%d %b %Y}."
            if version.acknowledged_at
            else " Not yet acknowledged by the CEO."
        )
        st.success(version.signature + "." + ack, icon=":material/verified:")


def _value(value, unit: str, currency: str) -> str:  # type: ignore[no-untyped-def]
    if unit == "ratio":
        return fmt.percent(value)
    if unit == currency:
        return fmt.money(value, currency)
    suffix = f" {unit}" if unit and unit != "count" else ""
    return fmt.count(None if value is None else round(value, 1)) + suffix


def _content(version: VersionView, metrics: dict, currency: str) -> None:
    c = version.content
    rows = {
        "Metric": metrics.get(c["metric"], c["metric"]),
        "Target": f"{COMPARISONS[c['comparison']]} {_value(c['target'], c['unit'], currency)}",
        "Period": f"{month_label(c['period_start'])} – {month_label(c['period_end'])}",
        "Deadline": f"{c['deadline']:%d %b %Y}",
        "Amber within": f"{c['tolerance'] * 100:g} % of the target",
        "Owner": c["owner_role"],
        "How it is measured": c["measurement"],
        "Data source": c["data_source"] or "n/a",
    }
    text_table(pd.DataFrame({"": list(rows), "Agreed": list(rows.values())}).set_index(""))


def _actions(version: VersionView, metrics: dict, goals: dict) -> None:
    vid, seen = version.version_id, version.content_hash
    buttons = st.container(horizontal=True, gap="small")
    if "propose" in version.allowed and buttons.button(
        "Propose for sign-off", key=f"propose_{vid}", type="primary"
    ):
        _do(lambda s, me: propose(s, me, vid, seen), "Proposed to the CFO.")
    if "sign_off" in version.allowed and buttons.button(
        "Sign off", key=f"sign_{vid}", type="primary", icon=":material/draw:"
    ):
        _do(lambda s, me: sign_off(s, me, vid, seen), "Signed off; this version is in force.")
    if "acknowledge" in version.allowed and buttons.button(
        "Acknowledge", key=f"ack_{vid}", type="primary"
    ):
        _do(lambda s, me: acknowledge(s, me, vid), "Acknowledged.")
    if "revise" in version.allowed and buttons.button("Start a new version", key=f"rev_{vid}"):
        _do(
            lambda s, me: revise(s, me, version.definition_id),
            "New draft version started; the signed version stays in force until it is signed.",
        )
    if "return" in version.allowed:
        with st.form(f"return_{vid}"):
            comment = st.text_input(
                "Comment for the proposer (required to return)", key=f"return_comment_{vid}"
            )
            if st.form_submit_button("Return with comment"):
                _do(
                    lambda s, me: return_to_draft(s, me, vid, comment, seen),
                    "Returned to the proposer.",
                )
    if "edit" in version.allowed:
        with st.expander("Edit this draft", icon=":material/edit:"):
            _form(f"edit_{vid}", version, metrics, goals)


def _form(key: str, version: VersionView | None, metrics: dict, goals: dict) -> None:
    c = version.content if version else {}
    codes = list(metrics)
    goal_ids = [None, *goals]
    with st.form(f"definition_{key}"):
        title = st.text_input("Title", c.get("title", ""), key=f"{key}_title")
        left, right = st.columns(2)
        goal = left.selectbox(
            "Shared goal",
            goal_ids,
            key=f"{key}_goal",
            format_func=lambda g: "(none)" if g is None else goals[g],
        )
        metric = right.selectbox(
            "Metric",
            codes,
            key=f"{key}_metric",
            index=codes.index(c["metric"]) if c.get("metric") in codes else 0,
            format_func=metrics.__getitem__,
        )
        a, b, d = st.columns(3)
        comparison = a.selectbox(
            "Comparison",
            list(COMPARISONS),
            format_func=COMPARISONS.get,
            key=f"{key}_comparison",
            index=list(COMPARISONS).index(c.get("comparison", "at_least")),
        )
        target = b.text_input("Target", f"{c['target']:g}" if c else "", key=f"{key}_target")
        unit = d.text_input("Unit (ratio, USD, count, %)", c.get("unit", ""), key=f"{key}_unit")
        a, b, d = st.columns(3)
        start = a.text_input("Period from (YYYY-MM)", c.get("period_start", ""), key=f"{key}_from")
        end = b.text_input("Period to (YYYY-MM)", c.get("period_end", ""), key=f"{key}_to")
        deadline = d.date_input("Deadline", c.get("deadline", clock.today()), key=f"{key}_due")
        measurement = st.text_area(
            "How it is measured (formula, in words)", c.get("measurement", ""), key=f"{key}_how"
        )
        source = st.text_input("Data source", c.get("data_source", ""), key=f"{key}_source")
        a, b = st.columns(2)
        tolerance = a.number_input(
            "Amber within (% of the target)",
            0.0,
            100.0,
            float(c.get("tolerance", 0.1)) * 100,
            step=1.0,
            key=f"{key}_tolerance",
        )
        owner = b.selectbox(
            "Owner", OWNERS, key=f"{key}_owner", index=OWNERS.index(c.get("owner_role", "CMO"))
        )
        if st.form_submit_button("Save draft", type="primary"):
            data = DefinitionInput(
                title=title,
                metric=metric,
                target=target,
                unit=unit,
                comparison=comparison,
                period_start=start,
                period_end=end,
                deadline=deadline,
                measurement=measurement,
                data_source=source,
                tolerance=tolerance / 100,
                owner_role=owner,
                goal_id=goal,
            )
            if version is None:
                _do(lambda s, me: create_definition(s, me, data), "Draft saved.")
            else:
                _do(
                    lambda s, me: update_draft(
                        s, me, version.version_id, data, version.content_hash
                    ),
                    "Draft saved.",
                )


def _history(definition_id: int, metrics: dict) -> None:
    with store().session() as session:
        versions = history(session, actor(), definition_id)
    events = [
        {
            "Version": v.number,
            "What": e["action"].replace("_", " "),
            "Who": e["by"],
            "When": f"{e['at']:%d %b %Y %H:%M}",
            "Comment": e["comment"],
        }
        for v in versions
        for e in v.events
    ]
    st.dataframe(pd.DataFrame(events), hide_index=True, width="stretch")
    if len(versions) > 1:
        numbers = [v.number for v in versions]
        a, b = st.columns(2)
        older = a.selectbox(
            "Compare version", numbers, index=len(numbers) - 2, key=f"diff_a_{definition_id}"
        )
        newer = b.selectbox(
            "with version", numbers, index=len(numbers) - 1, key=f"diff_b_{definition_id}"
        )
        by_number = {v.number: v for v in versions}
        changes = diff(by_number[older], by_number[newer], metrics)
        if changes:
            text_table(
                pd.DataFrame(changes, columns=["Field", f"Version {older}", f"Version {newer}"])
            )
        else:
            st.caption("These versions say the same.")


def _do(action, done: str) -> None:  # type: ignore[no-untyped-def]
    act(lambda session: action(session, actor()), done)


page()
