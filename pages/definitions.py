"""Definitions of success: what success means, who agreed to it, whether it is met, and
whether anyone changed it since the CFO signed."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import can
from alignment.definitions.definition_states import DefinitionState
from alignment.definitions.success import DefinitionStatus
from alignment.definitions.success import LiveActual
from alignment.definitions.success import live_actual
from alignment.definitions.success import live_status
from alignment.definitions.success import metric_unit
from alignment.definitions.success_workflow import COMPARISONS
from alignment.definitions.success_workflow import DefinitionInput
from alignment.definitions.success_workflow import DefinitionView
from alignment.definitions.success_workflow import VersionView
from alignment.definitions.success_workflow import acknowledge
from alignment.definitions.success_workflow import create_definition
from alignment.definitions.success_workflow import definitions
from alignment.definitions.success_workflow import definitions_json
from alignment.definitions.success_workflow import diff
from alignment.definitions.success_workflow import goal_choices
from alignment.definitions.success_workflow import history
from alignment.definitions.success_workflow import metric_choices
from alignment.definitions.success_workflow import propose
from alignment.definitions.success_workflow import return_to_draft
from alignment.definitions.success_workflow import revise
from alignment.definitions.success_workflow import sign_off
from alignment.definitions.success_workflow import update_draft
from alignment.definitions.success_workflow import waiting_work
from alignment.files.export import to_csv
from alignment.shared import clock
from alignment.shared import formatting as fmt
from alignment.shared.periods import Period
from alignment.shared.periods import month_label
from alignment.shared.status import LOOKS
from alignment.shared.status import BadgeColour
from alignment.spend.overview import figure_months
from ui.context import ActorWrite
from ui.context import Session
from ui.context import act
from ui.context import actor
from ui.context import opened
from ui.context import profile
from ui.context import store
from ui.widgets import as_text
from ui.widgets import period_picker
from ui.widgets import text_table

STATE_COLOURS: dict[str, BadgeColour] = {
    "draft": "gray",
    "proposed": "orange",
    "signed_off": "green",
    "superseded": "gray",
}
OWNERS = ["CMO", "CEO", "CFO"]
UNIT_DISAGREES = (
    "The unit of this signed version disagrees with its metric: it reads {signed}, but "
    "{metric} is measured in {unit} and SamePage compared the stored number as such, so what "
    "was signed is not clear and no status is shown. Propose a new version and have the CFO "
    "sign it."
)


def page() -> None:
    me = opened("Definitions of success")
    company = profile()
    with store().session() as session:
        waiting = waiting_work(session, me)
        views = definitions(session, me)
        metrics = metric_choices(session, me)
        goals = goal_choices(session, me)
        choices = figure_months(session, me)
    for message in waiting:
        st.info(f"{message}.", icon=":material/inbox:")
    st.caption(
        "The written, agreed meaning of success. The CMO or the CEO drafts and proposes, the "
        "CFO signs off or returns it with a comment, the CEO acknowledges. A signed version "
        "stays in force until its successor is signed; its signature covers its exact text."
    )
    statuses = {}
    previews: dict[int, LiveActual] = {}
    period = None
    if choices.months:
        period = period_picker(
            choices.months,
            company.fiscal_year_start_month,
            key="definitions",
            opening=choices.opening,
        )
        with store().session() as session:
            statuses = {s.definition_id: s for s in live_status(session, me, period)}
            previews = {
                view.definition_id: _preview(session, me, view.open_version.content, period)
                for view in views
                if view.open_version is not None
            }
    else:
        st.caption("No month holds figures yet, so no definition shows a live actual.")
    if can(me, Action.PROPOSE_DEFINITION):
        with st.expander("New definition of success", icon=":material/add:"):
            _form("new", None, metrics, goals, period)
    for view in views:
        _definition(view, statuses.get(view.definition_id), previews, metrics, goals, period)
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


def _preview(session: Session, me: Actor, content: dict, period: Period) -> LiveActual:
    return live_actual(
        session,
        me,
        content["metric"],
        content["target"],
        content["comparison"],
        content["tolerance"],
        period,
        content["period_start"],
        content["period_end"],
    )


def _definition(
    view: DefinitionView,
    status: DefinitionStatus | None,
    previews: dict,
    metrics: dict,
    goals: dict,
    period: Period | None,
) -> None:
    shown = view.in_force or view.open_version
    if shown is None:  # every definition has a version in force or an open one
        return
    with st.container(border=True):
        badges = st.container(horizontal=True, gap="small")
        if view.in_force:
            badges.badge(
                DefinitionState.SIGNED_OFF.label, color="green", icon=":material/verified:"
            )
            if status is not None:
                label, colour = LOOKS[status.status].label, LOOKS[status.status].badge
                badges.badge(label, color=colour)
        if view.open_version:
            state = view.open_version.state
            prefix = f"Version {view.open_version.number}: " if view.in_force else ""
            badges.badge(prefix + DefinitionState(state).label, color=STATE_COLOURS[state])
        st.markdown(f"#### {as_text(shown.content['title'])}")
        if view.goal:
            st.caption(f"Goal: {as_text(view.goal)}")
        if view.in_force:
            _signature(view.in_force)
            if view.in_force.unit_disagrees and view.in_force.unit is not None:
                st.error(
                    UNIT_DISAGREES.format(
                        signed=f"'{view.in_force.target_text}'",
                        metric=metrics.get(shown.content["metric"], shown.content["metric"]),
                        unit=view.in_force.unit.name,
                    ),
                    icon=":material/straighten:",
                )
            if status is not None and period is not None:
                st.write(
                    f"**Actual** {status.actual_text} against **target** "
                    f"{COMPARISONS[status.comparison]} {status.target_text} "
                    f"({period.label})."
                )
        _content(shown, metrics)
        if view.in_force and view.open_version:
            changes = diff(view.in_force, view.open_version, metrics)
            st.write(
                f"**Version {view.open_version.number}** "
                f"({DefinitionState(view.open_version.state).label.lower()}) changes:"
            )
            text_table(pd.DataFrame(changes, columns=["Field", "In force", "Proposed"]))
        preview = previews.get(view.definition_id)
        if view.open_version and preview is not None:
            _live(view.open_version, preview)
        if view.open_version and view.open_version.returned_comment:
            st.warning(
                f"Returned with a comment: {as_text(view.open_version.returned_comment)}",
                icon=":material/undo:",
            )
        for version in (view.in_force, view.open_version):
            if version is not None and version.allowed:
                _actions(version, metrics, goals, period)
        with st.expander("History"):
            _history(view.definition_id, metrics)


def _signature(version: VersionView) -> None:
    if version.changed_since_signoff:
        signed = (
            f"{as_text(version.signed_by)} signed on {version.signed_at:%d %b %Y}"
            if version.signed_by and version.signed_at
            else "was signed"
        )
        st.error(
            "Changed since sign-off: what this version measures (its text, or the KPI, "
            f"formula, currency or gross margin it reads) is no longer what {signed}, or its "
            "seal was tampered with. Propose a new version and have the CFO sign it.",
            icon=":material/gpp_bad:",
        )
    else:
        ack = (
            f" Acknowledged by {as_text(version.acknowledged_by)}, "
            f"{version.acknowledged_at:%d %b %Y}."
            if version.acknowledged_at
            else " Not yet acknowledged by the CEO."
        )
        st.success(as_text(version.signature) + "." + ack, icon=":material/verified:")


def _live(version: VersionView, preview: LiveActual) -> None:
    """What the proposer drafts and the CFO signs, read against this month's figures."""
    who = "you sign" if "sign_off" in version.allowed else "the CFO signs"
    label, colour = LOOKS[preview.status].label, LOOKS[preview.status].badge
    share = f" (its share of {version.target_text})" if preview.target_scaled else ""
    st.markdown(
        f"**Live, {preview.period_label}:** actual {preview.actual_text} against target "
        f"{COMPARISONS[preview.comparison]} {preview.target_text}{share} "
        f":{colour}-badge[{label}]  \n"
        f":small[Version {version.number} read against the month's figures, as the "
        f"overview shows them: what {who} is what everyone will see.]"
    )
    if version.unit_disagrees and version.unit is not None:
        st.warning(
            f"The stored unit '{as_text(version.content['unit'])}' of this version disagrees "
            "with its "
            f"metric ({version.unit.name}); save the draft again to take the "
            "metric's unit.",
            icon=":material/straighten:",
        )


def _content(version: VersionView, metrics: dict) -> None:
    c = version.content
    rows = {
        "Metric": metrics.get(c["metric"], c["metric"]),
        "Target": f"{COMPARISONS[c['comparison']]} {version.target_text}",
        "Period": f"{month_label(c['period_start'])} – {month_label(c['period_end'])}",
        "Deadline": fmt.date(c["deadline"]),
        "Amber within": f"{fmt.percent(c['tolerance'])} of the target",
        "Owner": c["owner_role"],
        "How it is measured": c["measurement"],
        "Data source": c["data_source"] or "n/a",
    }
    text_table(pd.DataFrame({"": list(rows), "Agreed": list(rows.values())}).set_index(""))


def _actions(version: VersionView, metrics: dict, goals: dict, period: Period | None) -> None:
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
            _form(f"edit_{vid}", version, metrics, goals, period)


@st.fragment
def _form(
    key: str, version: VersionView | None, metrics: dict, goals: dict, period: Period | None
) -> None:
    """The metric is chosen outside the form, so the target's unit and the metric's live
    actual follow the choice before anything is typed; the choice reruns this part only."""
    me = actor()
    c = version.content if version else {}
    codes = list(metrics)
    goal_ids = [None, *goals]
    metric = st.selectbox(
        "Metric",
        codes,
        key=f"{key}_metric",
        index=codes.index(c["metric"]) if c.get("metric") in codes else 0,
        format_func=metrics.__getitem__,
    )
    with store().session() as session:
        unit = metric_unit(session, me, metric)
        now = None if period is None else live_actual(session, me, metric, None, "", 0, period)
    hint = f"{metrics[metric]} is measured in {unit.label}."
    if now is not None:
        hint += f" Live, {now.period_label}: **{now.actual_text}**."
    st.caption(hint)
    with st.form(f"definition_{key}"):
        title = st.text_input("Title", c.get("title", ""), key=f"{key}_title")
        left, right = st.columns(2)
        goal = left.selectbox(
            "Shared goal",
            goal_ids,
            key=f"{key}_goal",
            format_func=lambda g: "(none)" if g is None else goals[g],
        )
        comparison = right.selectbox(
            "Comparison",
            list(COMPARISONS),
            format_func=COMPARISONS.__getitem__,
            key=f"{key}_comparison",
            index=list(COMPARISONS).index(c.get("comparison", "at_least")),
        )
        shown_as = unit.code if unit.code not in ("", "count") else "count"
        target = st.text_input(
            f"Target ({shown_as}, as the metric is shown)",
            version.target_as_typed if version else "",
            key=f"{key}_target",
            help=f"Type it in {unit.label}.",
        )
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
            help="A share of the target, whatever the metric's unit: 10 on an 80 % target "
            "is amber from 72 %.",
        )
        owner = b.selectbox(
            "Owner", OWNERS, key=f"{key}_owner", index=OWNERS.index(c.get("owner_role", "CMO"))
        )
        if st.form_submit_button("Save draft", type="primary"):
            data = DefinitionInput(
                title=title,
                metric=metric,
                target=target,
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


@st.fragment
def _history(definition_id: int, metrics: dict) -> None:
    """A definition's versions; comparing two of them reruns this part only."""
    me = actor()
    with store().session() as session:
        versions = history(session, me, definition_id)
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


def _do(action: ActorWrite, done: str) -> None:
    act(lambda session: action(session, actor()), done)


page()
