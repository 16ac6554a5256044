"""Goals & KPIs: the shared goals, short and long term side by side; the KPI tree from
activities to revenue; the funnel; and what a changed target would imply."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import can
from alignment.objectives import confidence
from alignment.objectives import funnel
from alignment.objectives import goals
from alignment.objectives import kpis
from alignment.shared import formatting as fmt
from alignment.shared import status
from alignment.shared.errors import SamePageError
from alignment.shared.periods import Period
from alignment.shared.periods import add_months
from alignment.shared.periods import month_label
from alignment.shared.periods import months_between
from alignment.shared.periods import short_month_label
from alignment.shared.text import MAX_DESCRIPTION
from alignment.shared.text import MAX_KPI_NAME
from alignment.shared.text import MAX_SHORT_TEXT
from alignment.shared.text import MAX_TITLE
from ui import charts
from ui.context import ActorWrite
from ui.context import Session
from ui.context import act
from ui.context import actor
from ui.context import opened
from ui.context import profile
from ui.context import save_grid
from ui.context import store
from ui.widgets import as_text
from ui.widgets import drawn
from ui.widgets import period_picker
from ui.widgets import refusal
from ui.widgets import show_chart
from ui.widgets import show_grid_refusal
from ui.widgets import shown_grid
from ui.widgets import text_table

OWNERS = ["CEO", "CMO", "CFO"]


def page() -> None:
    me = opened("Goals & KPIs")
    company = profile()
    show_grid_refusal()
    with store().session() as session:
        choices = goals.goal_month_choices(session, me)
    period = period_picker(
        choices.months, company.fiscal_year_start_month, key="goals", opening=choices.opening
    )
    goals_tab, tree_tab, funnel_tab, what_if_tab = st.tabs(
        ["Goals", "KPI tree", "Funnel", "What-if"],
        key="goals_tab",
        on_change="rerun",
        bind="query-params",
    )
    if goals_tab.open:
        with goals_tab:
            _goals(me, period, company.currency)
    if tree_tab.open:
        with tree_tab:
            _tree(me, period, company.currency)
    if funnel_tab.open:
        with funnel_tab:
            _funnel(me, period)
    if what_if_tab.open:
        with what_if_tab:
            _what_if(period)


def _show(value: float | None, unit: str, currency: str) -> str:
    if unit == currency:
        return fmt.money(value, currency)
    if unit == "%":
        return fmt.count(value) + " %" if value is not None else fmt.NA
    return fmt.count(None if value is None else round(value, 1))


def _kpi_table(values: list[kpis.KpiPeriodValue], currency: str) -> None:
    rows = pd.DataFrame(
        [
            {
                "KPI": v.kpi.name,
                "Kind": v.kpi.kind,
                "Target": _show(v.target, v.kpi.unit, currency),
                "Actual": _show(v.actual, v.kpi.unit, currency),
                "Status": status.label(v.status),
                "Months compared": kpis.compared_note(v),
            }
            for v in values
        ]
    )
    if rows.empty:
        st.caption("No KPIs linked.")
        return
    if not rows["Months compared"].any():
        rows = rows.drop(columns="Months compared")
    text_table(rows.style.map(status.cell_style, subset=["Status"]).hide(axis="index"))


def _goals(me: Actor, period: Period, currency: str) -> None:
    with store().session() as session:
        views = goals.goals(session, me, period)
        split = goals.balance(session, me, period)
        all_kpis = kpis.kpi_list(session, me)
        rated_in = confidence.rating_month(period)
        rated = {c.goal_id: c for c in confidence.confidence(session, me, rated_in)}
    st.subheader("Balance between short and long term")
    columns = st.columns(2)
    for column, share in zip(columns, split.shares, strict=True):
        with column.container(border=True):
            st.markdown(f"**{goals.HORIZONS[share.horizon]}**")
            cells = st.columns(4)
            cells[0].metric("Goals", share.goals)
            cells[1].metric("KPIs", share.kpis)
            cells[2].metric("Agreed indicators", share.agreed_indicators)
            cells[3].metric(
                "Share of spend",
                fmt.percent(share.spend_share),
                help=f"Spend of the channels marked for this horizon, {period.label}.",
            )
    for warning in split.warnings:
        st.warning(as_text(warning), icon=":material/warning:")
    if not views:
        st.info(
            "No shared goals yet. "
            + (
                "Add the first one below: what the company is trying to achieve, its months "
                "and the KPIs that show progress."
                if can(me, Action.SET_GOALS)
                else "The CEO sets them; they appear here for everyone."
            ),
            icon=":material/flag:",
        )
    elif note := kpis.to_date_note(period):
        st.caption(note)
    for goal in views:
        with st.container(border=True):
            badges = st.container(horizontal=True, gap="small")
            badges.badge(
                goals.HORIZONS[goal.horizon],
                color="violet" if goal.horizon == "long_term" else "blue",
            )
            badges.badge(f"Owner: {goal.owner_role}", color="gray")
            badges.badge(
                f"{short_month_label(goal.start_month)} – {short_month_label(goal.end_month)}",
                color="gray",
            )
            st.markdown(f"#### {as_text(goal.title)}")
            if goal.description:
                st.caption(as_text(goal.description))
            if goal.timing:
                st.caption(goal.timing)
            if goal.measured is not None:
                _kpi_table(goal.kpis, currency)
            if goal.agreed_indicators:
                st.caption(
                    "Agreed indicators: " + "; ".join(as_text(t) for t in goal.agreed_indicators)
                )
            if goal.id in rated:
                _confidence(me, rated[goal.id])
            if can(me, Action.SET_GOALS):
                with st.expander("Edit goal", icon=":material/edit:"):
                    _goal_form(f"goal_{goal.id}", goal, all_kpis)
    if can(me, Action.SET_GOALS):
        with st.expander(
            "New shared goal", icon=":material/add:", expanded=not views, key="goal_new_open"
        ):
            _goal_form(f"goal_new_{st.session_state.get('goal_form_round', 0)}", None, all_kpis)
    if can(me, Action.ENTER_FIGURES):
        with st.expander("Which horizon each channel's spend serves"):
            with store().session() as session:
                horizons = goals.channel_horizons(session, me)
            for channel, horizon in horizons.items():
                chosen = st.segmented_control(
                    as_text(channel),
                    list(goals.HORIZONS),
                    default=horizon,
                    required=True,
                    format_func=goals.HORIZONS.__getitem__,
                    key=f"horizon_{channel}",
                )
                if chosen != horizon:

                    def move(s: Session, me: Actor, c: str = channel, h: str = chosen) -> None:
                        goals.set_channel_horizon(s, me, c, h)

                    _do(move, f"{as_text(channel)} now counts as {goals.HORIZONS[chosen].lower()}.")


def _confidence(me: Actor, rated: confidence.GoalConfidence) -> None:
    """The three executives' confidence that the goal will be met, side by side, flagged
    when 3 or more points apart, with the recent months; each executive rates here."""
    st.markdown(f"**Confidence that it will be met, {month_label(rated.month)}** (0-10)")
    cells = st.columns(4)
    for cell, (role, rating) in zip(cells, rated.ratings.items(), strict=False):
        cell.metric(
            role,
            "–" if rating is None else str(rating.score),
            help=None if rating is None or not rating.comment else as_text(rating.comment),
        )
    cells[3].metric("Spread", "–" if rated.spread is None else str(rated.spread))
    if rated.gap:
        st.warning(
            f"Perception gap: the ratings are {rated.spread} points apart "
            f"({confidence.GAP} or more). Worth discussing in the review.",
            icon=":material/compare_arrows:",
        )
    for role, rating in rated.ratings.items():
        if rating is not None and rating.comment:
            st.caption(f"{role}: {as_text(rating.comment)}")
    if len(rated.trend) >= 2:
        text_table(
            pd.DataFrame(
                [
                    {
                        "Month": short_month_label(t.month),
                        **{r: "–" if s is None else str(s) for r, s in t.scores.items()},
                        "Spread": "–" if t.spread is None else str(t.spread),
                        "Gap": "Perception gap" if t.gap else "",
                    }
                    for t in rated.trend
                ]
            ),
            hide_index=True,
        )
    if can(me, Action.RATE_CONFIDENCE):
        mine = rated.ratings.get(str(me.role))
        key = f"confidence_{rated.goal_id}"
        with st.form(key):
            left, right = st.columns([1, 3])
            score = left.number_input(
                f"Your confidence ({me.role})",
                min_value=confidence.LOWEST,
                max_value=confidence.HIGHEST,
                step=1,
                value=None if mine is None else mine.score,
                key=f"{key}_score",
            )
            comment = right.text_input(
                "Comment (optional)",
                "" if mine is None else mine.comment,
                max_chars=MAX_DESCRIPTION,
                key=f"{key}_comment",
            )
            if st.form_submit_button("Save my confidence"):
                _do(
                    lambda s, me: confidence.rate(
                        s, me, rated.goal_id, rated.month, score, comment
                    ),
                    f"Your confidence for {month_label(rated.month)} is saved.",
                )


def _goal_form(key: str, goal: goals.GoalView | None, all_kpis: list) -> None:
    names = {k.id: k.name for k in all_kpis}
    with st.form(key):
        title = st.text_input(
            "Title", goal.title if goal else "", key=f"{key}_title", max_chars=MAX_TITLE
        )
        description = st.text_area(
            "Description", goal.description if goal else "", key=f"{key}_description"
        )
        a, b, c, d = st.columns(4)
        owner = a.selectbox(
            "Owner", OWNERS, key=f"{key}_owner", index=OWNERS.index(goal.owner_role) if goal else 0
        )
        horizon = b.selectbox(
            "Horizon",
            list(goals.HORIZONS),
            format_func=goals.HORIZONS.__getitem__,
            key=f"{key}_horizon",
            index=list(goals.HORIZONS).index(goal.horizon) if goal else 0,
        )
        start = c.text_input("From (YYYY-MM)", goal.start_month if goal else "", key=f"{key}_start")
        end = d.text_input("To (YYYY-MM)", goal.end_month if goal else "", key=f"{key}_end")
        linked = st.multiselect(
            "Linked KPIs",
            list(names),
            format_func=names.__getitem__,
            default=[v.kpi.id for v in goal.kpis] if goal else [],
            key=f"{key}_kpis",
        )
        if st.form_submit_button("Save goal", type="primary"):
            data = goals.GoalInput(title, description, owner, horizon, start, end, tuple(linked))
            if goal is None:

                def create(s: Session, me: Actor) -> None:
                    goals.create_goal(s, me, data)
                    st.session_state["goal_form_round"] = (
                        st.session_state.get("goal_form_round", 0) + 1
                    )

                _do(create, "Goal saved.")
            else:
                _do(lambda s, me: goals.update_goal(s, me, goal.id, data), "Goal saved.")


def _tree(me: Actor, period: Period, currency: str) -> None:
    with store().session() as session:
        roots = kpis.kpi_tree(session, me)
        values = kpis.period_values(session, me, period)
    if not roots:
        st.info(
            "No KPIs yet. Start with the figure at the top of the tree (new revenue, say), "
            "then add the KPIs that feed it, down to the activities the team controls."
            if can(me, Action.EDIT_KPIS)
            else "No KPIs yet: the CEO or the CMO builds the KPI tree; it appears here.",
            icon=":material/account_tree:",
        )
        if can(me, Action.EDIT_KPIS):
            _kpi_manager(me, [], expanded=True)
        return
    st.caption(
        f"Each KPI feeds the one above it. Colours: status against target, "
        f"{period.label}; green on target, amber within 10 %, red off target, grey no "
        "data. " + kpis.to_date_note(period)
    )

    def label(value: kpis.KpiPeriodValue) -> str:
        unit = value.kpi.unit
        shown = f"{_show(value.actual, unit, currency)} of {_show(value.target, unit, currency)}"
        compared = kpis.compared_note(value)
        return f"{shown}\n{compared}" if compared else shown

    st.graphviz_chart(kpis.tree_dot(roots, values, label), width="stretch")
    order = [n.kpi for n in kpis.walk(roots)]
    _kpi_history(period, order)
    if can(me, Action.ENTER_KPI_VALUES):
        _kpi_entry(me, period, order)
    if can(me, Action.EDIT_KPIS):
        _kpi_manager(me, order)


@st.fragment
def _kpi_history(period: Period, order: list[kpis.KpiInfo]) -> None:
    """One KPI's history: picking another reruns this part only, not the tree and the grid."""
    me = actor()
    chosen = st.selectbox(
        "History of",
        [k.id for k in order],
        format_func={k.id: k.name for k in order}.__getitem__,
        key="kpi_history",
    )
    kpi = next((k for k in order if k.id == chosen), None)
    if kpi is None:
        return
    with store().session() as session:
        frame = kpis.history(session, me, chosen, period.last, months=24)
    if frame.empty:
        st.info(f"No figures for {as_text(kpi.name)} yet.")
    else:
        show_chart(drawn(charts.kpi_history, frame, kpi.unit))
    if kpi.description:
        st.caption(as_text(kpi.description))


def _kpi_entry(me: Actor, period: Period, order: list) -> None:
    st.subheader("Targets and actuals")
    with store().session() as session:
        stored = kpis.values_frame(session, me, period.first, period.last)
    grid = pd.DataFrame(
        [
            {"kpi": k.name, "month": m, "kpi_id": k.id}
            for m in reversed(months_between(period.first, period.last))
            for k in order
        ]
    ).merge(
        stored[["kpi_id", "month", "target", "actual", "version"]],
        on=["kpi_id", "month"],
        how="left",
    )
    shown = shown_grid("kpi_grid", grid, period.code)
    st.data_editor(
        shown.frame,
        key=shown.key,
        hide_index=True,
        num_rows="fixed",
        width="stretch",
        column_order=["kpi", "month", "target", "actual"],
        disabled=["kpi", "month"],
        column_config={
            "kpi": "KPI",
            "month": "Month",
            "target": st.column_config.NumberColumn("Target", format="localized"),
            "actual": st.column_config.NumberColumn("Actual", format="localized"),
        },
    )
    if st.button("Save KPI figures", type="primary", key="kpi_save"):
        save_grid(shown, me, kpis.kpi_changes_from_editor, kpis.save_values, _kpi_figures_saved)
    with st.expander("Import KPI figures from a file", key="kpi_import_open"):
        st.caption(
            "CSV or XLSX with the columns kpi, month and target and/or actual; "
            "one bad cell and nothing is imported."
        )
        upload = st.file_uploader("KPI file", type=["csv", "xlsx"], key="kpi_upload")
        if upload is not None:
            try:
                with store().session() as session:
                    parsed = kpis.read_kpi_file(session, me, upload.getvalue(), upload.name)
            except SamePageError as exc:
                refusal(exc)
                return
            for problem in parsed.problems:
                refusal(problem)
            if parsed.problems:
                st.caption(
                    f"Nothing in {as_text(upload.name)} is imported until every problem above "
                    "is fixed in the file."
                )
            elif not parsed.changes:
                st.caption(f"{as_text(upload.name)} holds no KPI figures.")
            elif st.button(f"Import {len(parsed.changes)} KPI figure(s)", key="kpi_import"):
                _do(lambda s, me: kpis.apply_kpi_file(s, me, parsed), "KPI figures imported.")


def _kpi_manager(me: Actor, order: list, *, expanded: bool = False) -> None:
    with st.expander(
        "Add, change or remove a KPI",
        icon=":material/account_tree:",
        expanded=expanded,
        key="kpi_manager_open",
    ):
        names = {k.id: k.name for k in order}
        choice = st.selectbox(
            "KPI",
            [None, *names],
            key="kpi_edit_choice",
            format_func=lambda k: "(a new KPI)" if k is None else names[k],
        )
        kpi = next((k for k in order if k.id == choice), None)
        # Each KPI (and each new one after a save) gets its own widgets, so the form shows
        # the chosen KPI's values, never what was typed for another.
        form = f"kpi_{choice}_{st.session_state.get('kpi_form_round', 0)}"
        with st.form(form):
            a, b, c = st.columns(3)
            name = a.text_input(
                "Name", kpi.name if kpi else "", key=f"{form}_name", max_chars=MAX_KPI_NAME
            )
            unit = b.text_input(
                "Unit (count, USD, %)",
                kpi.unit if kpi else "",
                key=f"{form}_unit",
                max_chars=MAX_SHORT_TEXT,
            )
            kind = c.selectbox(
                "Kind",
                list(kpis.KINDS),
                key=f"{form}_kind",
                index=list(kpis.KINDS).index(kpi.kind) if kpi else 0,
            )
            a, b, c = st.columns(3)
            direction = a.selectbox(
                "Better when",
                list(kpis.DIRECTIONS),
                key=f"{form}_direction",
                index=list(kpis.DIRECTIONS).index(kpi.direction) if kpi else 0,
            )
            aggregation = b.selectbox(
                "Months combine by",
                list(kpis.AGGREGATIONS),
                key=f"{form}_aggregation",
                index=list(kpis.AGGREGATIONS).index(kpi.aggregation) if kpi else 0,
            )
            stage = c.text_input(
                "Funnel stage (1 = top, empty = none)",
                "" if not kpi or kpi.funnel_stage is None else str(kpi.funnel_stage),
                key=f"{form}_stage",
            )
            parents = [None, *[k for k in names if k != choice]]
            a, b, c = st.columns(3)
            parent = a.selectbox(
                "Feeds into",
                parents,
                key=f"{form}_parent",
                index=parents.index(kpi.parent_id) if kpi and kpi.parent_id in parents else 0,
                format_func=lambda k: "(top of the tree)" if k is None else names[k],
            )
            factor = b.text_input(
                "Conversion into the parent's unit",
                "" if not kpi or kpi.parent_factor is None else f"{kpi.parent_factor:g}",
                key=f"{form}_factor",
            )
            conversion = c.text_input(
                "Conversion, in words",
                kpi.conversion_label if kpi else "",
                key=f"{form}_conversion",
                max_chars=MAX_TITLE,
            )
            description = st.text_input(
                "Description",
                kpi.description if kpi else "",
                key=f"{form}_description",
                max_chars=MAX_DESCRIPTION,
            )
            save = st.form_submit_button("Save KPI", type="primary")
            remove = st.form_submit_button("Delete KPI", disabled=kpi is None)
        if save:
            data = kpis.KpiInput(
                name,
                unit,
                direction,
                kind,
                aggregation,
                parent,
                factor,
                conversion,
                stage,
                description,
            )
            if kpi is None:

                def create(s: Session, me: Actor) -> None:
                    kpis.create_kpi(s, me, data)
                    st.session_state["kpi_form_round"] = (
                        st.session_state.get("kpi_form_round", 0) + 1
                    )

                _do(create, "KPI added.")
            else:
                _do(lambda s, me: kpis.update_kpi(s, me, kpi.id, data), "KPI saved.")
        if remove and kpi is not None:
            _ask_before_deleting(me, kpi)
        _confirm_deletion(choice)


def _ask_before_deleting(me: Actor, kpi: kpis.KpiInfo) -> None:
    """Delete at once what loses nothing; otherwise say what would go and wait for a yes."""
    try:
        with store().session() as session:
            loss = kpis.deletion_loss(session, me, kpi.id)
    except SamePageError as exc:
        refusal(exc)
        return
    if loss.refused:
        refusal(loss.refused)
    elif loss.loses_anything:
        st.session_state["kpi_deletion"] = loss
    else:
        _do(lambda s, me: kpis.delete_kpi(s, me, kpi.id), f"{as_text(kpi.name)} deleted.")


def _confirm_deletion(choice: int | None) -> None:
    loss = st.session_state.get("kpi_deletion")
    if loss is None or loss.kpi_id != choice:
        return
    st.warning(
        f"Deleting {as_text(loss.name)} also deletes {as_text(kpis.loss_in_words(loss))}. "
        "The audit log keeps a copy of every figure.",
        icon=":material/delete:",
    )
    yes, no = st.columns(2)
    if yes.button(f"Delete {as_text(loss.name)} and all of this", key="kpi_delete_confirm"):
        del st.session_state["kpi_deletion"]
        _do(
            lambda s, me: kpis.delete_kpi(s, me, loss.kpi_id, confirmed=loss),
            f"{as_text(loss.name)} deleted, with {as_text(kpis.loss_in_words(loss))}.",
        )
    if no.button("Keep it", key="kpi_delete_cancel"):
        del st.session_state["kpi_deletion"]
        st.rerun()


def _funnel(me: Actor, period: Period) -> None:
    with store().session() as session:
        counts = funnel.stage_counts(session, me, period.last, months=12)
    if counts.empty:
        st.info("No funnel stages with figures yet; give KPIs a funnel stage.")
        return
    month = funnel.funnel_month(counts, period.last)
    st.caption(f"{month_label(period.last)}: stages from the KPI tree, top of the funnel first.")
    if month.biggest_loss:
        st.warning(
            f"This month lost most against target at **{as_text(month.biggest_loss)}**: "
            "its conversion fell furthest below the conversion the targets assume.",
            icon=":material/trending_down:",
        )
    rows = pd.DataFrame(
        [
            {
                "Stage": s.stage,
                "Actual": fmt.count(s.actual),
                "Target": fmt.count(s.target),
                "vs target": fmt.percent(s.vs_target, signed=True),
                "Conversion from above": fmt.percent(s.conversion),
                "Target conversion": fmt.percent(s.target_conversion),
                "Note": "Larger than the stage above" if s.larger_than_above else "",
            }
            for s in month.stages
        ]
    )
    text_table(rows.set_index("Stage"))
    st.subheader("Conversion by month")
    show_chart(drawn(charts.conversion_trend, funnel.conversions(counts)))
    st.subheader("Counts by month")
    table = funnel.monthly_counts(counts)
    table.index = [short_month_label(m) for m in table.index]
    st.dataframe(
        table,
        width="stretch",
        column_config={c: st.column_config.NumberColumn(format="localized") for c in table.columns},
    )


@st.fragment
def _what_if(period: Period) -> None:
    """Every input of the what-if changes only its own answer: they rerun this part only."""
    me = actor()
    currency = profile().currency
    with store().session() as session:
        order = [n.kpi for n in kpis.walk(kpis.kpi_tree(session, me)) if n.kpi.parent_id]
    if not order:
        st.info("The what-if needs KPIs that feed another KPI.")
        return
    names = {k.id: k.name for k in order}
    units = {k.id: k.unit for k in order}
    default = next((k.id for k in order if k.kind == "activity"), order[0].id)
    a, b, c = st.columns(3)
    chosen = a.selectbox(
        "If this KPI were",
        list(names),
        format_func=names.__getitem__,
        index=list(names).index(default),
        key="what_if_kpi",
    )
    months = c.slider("using the rates of the last N months", 1, 24, 6, key="what_if_months")
    with store().session() as session:
        usual = funnel.usual_month(session, me, chosen, period.last, months)
    if usual.level is None:
        hint = f"no figures in the last {months} months"
    else:
        hint = (
            f"usually {_show(usual.level, units[chosen], currency)}, "
            f"the average of the {usual.months} of {months} months with figures"
        )
    level = usual.level or 0.0
    value = b.number_input(
        f"per month ({hint})",
        min_value=0.0,
        value=float(round(level + max(1.0, level * 0.2))),
        step=1.0,
        key=f"what_if_value_{chosen}",
    )
    try:
        with store().session() as session:
            result = funnel.what_if(session, me, chosen, value, period.last, months)
    except SamePageError as exc:
        refusal(exc)
        return
    rows = []
    for name, implied in [(result.start, result.value), *result.implied]:
        base, unit = result.usual.get(name), result.units[name]
        change = None if implied is None or not base else implied / base - 1
        rows.append(
            {
                "KPI": name,
                "Usual month": _show(base, unit, currency),
                "Months with figures": f"{result.months_with_data[name]} of {result.months}",
                "Implied": _show(implied, unit, currency),
                "Change": fmt.percent(change, signed=True),
            }
        )
    text_table(pd.DataFrame(rows).set_index("KPI"))
    st.caption("Assumptions:")
    for assumption in result.assumptions:
        st.caption(f"- {as_text(assumption)}")
    st.caption("Nothing is saved unless you save it as targets.")
    if can(me, Action.ENTER_KPI_VALUES):
        _what_if_save(me, period, result, currency)


def _what_if_save(me: Actor, period: Period, result: funnel.WhatIf, currency: str) -> None:
    """Save the what-if as targets for a month the person picks, after showing every target
    it would overwrite; a month that has actuals needs a tick first."""
    with store().session() as session:
        first_open = funnel.first_open_month(session, me, period.last)
        measured = funnel.months_with_actuals(session, me)
    choices = [add_months(first_open, step) for step in range(-12, 13)]
    month = st.selectbox(
        "Save as targets for",
        choices,
        index=12,
        format_func=lambda m: month_label(m) + (" (has actuals)" if m in measured else ""),
        key="what_if_month",
    )
    try:
        with store().session() as session:
            preview = funnel.preview_targets(session, me, funnel.what_if_targets(result), month)
    except SamePageError as exc:
        refusal(exc)
        return

    def exact(value: float | None, unit: str) -> str:
        """As stored, to the cent or the hundredth: the preview hides no rounding."""
        if unit == currency:
            return fmt.money_exact(value, currency)
        return fmt.count(value) + (" %" if unit == "%" and value is not None else "")

    st.caption(f"Saving writes these targets for {month_label(month)}; nothing else changes.")
    text_table(
        pd.DataFrame(
            [
                {
                    "KPI": t.kpi,
                    "Target now": exact(t.target_now, t.unit),
                    "New target": exact(t.target_new, t.unit),
                    "Actual": exact(t.actual, t.unit),
                }
                for t in preview.changes
            ]
        ).set_index("KPI")
    )
    confirmed = False
    if preview.with_actuals:
        st.warning(
            f"{month_label(month)} already has actuals for "
            f"{as_text(', '.join(preview.with_actuals))}: its targets are what they are "
            "measured against, and saving replaces them.",
            icon=":material/warning:",
        )
        confirmed = st.checkbox(
            f"Replace the targets of {month_label(month)}, which has actuals",
            key=f"what_if_overwrite_{month}",
        )
    if st.button(
        f"Save as targets for {month_label(month)}",
        key="what_if_save",
        disabled=bool(preview.with_actuals) and not confirmed,
    ):
        _do(
            lambda s, me: funnel.save_what_if_targets(s, me, preview, confirmed),
            f"Saved the what-if's targets for {month_label(month)}.",
        )


def _do(action: ActorWrite, done: str) -> None:
    act(lambda session: action(session, actor()), done)


def _kpi_figures_saved(saved: int) -> str:
    return f"Saved {saved} KPI figure(s)."


page()
