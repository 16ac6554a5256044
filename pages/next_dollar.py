"""Where the next dollar goes: each channel's response curve, what it returned according to
the model beside what attribution says, and a budget split the team can take to the review."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from alignment.access.permissions import Action
from alignment.access.permissions import Actor
from alignment.access.permissions import can
from alignment.allocation import next_dollar
from alignment.allocation import response
from alignment.allocation.response import ResponseFit
from alignment.shared import formatting as fmt
from alignment.shared.errors import SamePageError
from ui import charts
from ui.context import actor
from ui.context import opened
from ui.context import profile
from ui.context import store
from ui.widgets import as_text
from ui.widgets import drawn
from ui.widgets import flash
from ui.widgets import refusal
from ui.widgets import show_chart
from ui.widgets import text_table

HONESTY = (
    "The model reads how {outcome} moved when each channel's spend moved: it is correlation, "
    "not an experiment, and it cannot know what would have happened otherwise. A driver the "
    "figures do not show, such as a competitor's campaign, an event or a price change, can "
    "bias every number below, so test a large shift on part of the budget before making it."
)


def page() -> None:
    me = opened("Where the next dollar goes")
    company = profile()
    currency, locale = company.currency, company.locale
    outcome = (
        st.segmented_control(
            "Outcome to explain",
            list(next_dollar.OUTCOMES),
            default="revenue",
            format_func=str.capitalize,
            key="nd_outcome",
        )
        or "revenue"
    )
    st.info(HONESTY.format(outcome=outcome), icon=":material/science:")
    try:
        with st.spinner("Fitting response curves (a few seconds)…"), store().session() as session:
            fit = next_dollar.response_curves(session, me, outcome)
    except SamePageError as problem:
        st.warning(as_text(problem), icon=":material/info:")
        return

    st.caption(
        f"{fit.summary} Intervals hold the middle 90% of {len(fit.draws)} refits on resampled "
        "figures."
    )
    for note in (*fit.notes, *fit.left_out):
        st.caption(as_text(note))

    _channels(fit, currency, locale)
    _proposal_and_curves(currency, locale, outcome)


@st.fragment
def _proposal_and_curves(currency: str, locale: str, outcome: str) -> None:
    """The proposal and the curves that mark it: a new budget or limit reruns this part
    only, not the fit's summary and table above it. The fit is taken from the one kept
    (a rerun after someone wrote fits afresh, so the curves and the marks agree), and who
    is acting is checked again on each of its reruns."""
    me = actor()
    with store().session() as session:
        fit = next_dollar.response_curves(session, me, outcome)
        curves = next_dollar.curve_frames(session, me, outcome)
    proposal = _proposal(me, fit, currency, locale, outcome)
    st.subheader("Response curves")
    st.caption(
        f"Modelled {outcome} per month against spend per month, keeping last year's ups and "
        "downs; the band is the 90% interval. Where a curve flattens, the next dollar buys less."
    )
    marks = next_dollar.curve_marks(fit, proposal)
    show_chart(drawn(charts.response_curves, curves, marks, currency, outcome), width="content")


def _range(value: float, low: float, high: float, locale: str) -> str:
    return (
        f"{fmt.multiple(value, locale)} ({fmt.multiple(low, locale)}–{fmt.multiple(high, locale)})"
    )


def _channels(fit: ResponseFit, currency: str, locale: str) -> None:
    st.subheader("What each channel returns")
    table = next_dollar.channel_table(fit)
    shown = pd.DataFrame(
        {
            "Channel": table["channel"],
            "Spend per month (last year)": [
                fmt.money(v, currency, locale) for v in table["monthly_spend"]
            ],
            "Model ROI (90% interval)": [
                _range(v, lo, hi, locale)
                for v, lo, hi in zip(table["roi"], table["roi_low"], table["roi_high"], strict=True)
            ],
            "Next dollar returns (90% interval)": [
                _range(v, lo, hi, locale)
                for v, lo, hi in zip(
                    table["marginal_roi"],
                    table["marginal_roi_low"],
                    table["marginal_roi_high"],
                    strict=True,
                )
            ],
            "Attributed ROAS": [fmt.multiple(v, locale) for v in table["attributed_roas"]],
            "Carry-over to next period": [fmt.percent(v, locale) for v in table["carry_over"]],
        }
    ).set_index("Channel")
    text_table(shown)
    st.caption(
        f"Model ROI: modelled {fit.outcome_label} with the channel's actual spend minus the model "
        "with it switched off, over its spend. Next dollar: the gain from 1% more spend in "
        "every period, over that 1%. Attributed ROAS is what attribution credited to the channel; "
        "where it is far above the model's ROI, attribution is crediting sales that would "
        "have happened anyway."
    )


def _proposal(
    me: Actor, fit: ResponseFit, currency: str, locale: str, outcome: str
) -> response.Proposal | None:
    st.subheader("Budget proposal")
    today = fit.monthly_spend
    bounds = response.default_bounds(fit)
    left, right = st.columns([1, 2])
    budget = left.number_input(
        f"Monthly budget for these channels ({currency})",
        value=float(round(today, -2)),
        step=1000.0,
        format="%.0f",
        key="nd_budget",
        help=f"Today: {fmt.money(today, currency, locale)} a month (last year's average).",
    )
    edited = right.data_editor(
        pd.DataFrame(
            {
                "Channel": list(bounds),
                "Lowest": [round(low, 0) for low, _ in bounds.values()],
                "Highest": [round(high, 0) for _, high in bounds.values()],
            }
        ),
        hide_index=True,
        disabled=["Channel"],
        key="nd_bounds",
        column_config={
            "Lowest": st.column_config.NumberColumn(f"Lowest ({currency}/month)", format="%.0f"),
            "Highest": st.column_config.NumberColumn(f"Highest ({currency}/month)", format="%.0f"),
        },
    )
    try:
        bounds_typed = {
            row.Channel: (float(row.Lowest), float(row.Highest))
            for row in edited.itertuples(index=False)
        }
        with store().session() as session:
            proposal = next_dollar.budget_proposal(
                session, me, float(budget), bounds_typed, currency, locale, outcome
            )
    except SamePageError as problem:
        refusal(problem)
        return None
    cells = st.columns(3)
    cells[0].metric(
        "Proposed budget per month", fmt.money(proposal.budget, currency, locale), border=True
    )
    cells[1].metric(
        f"Expected change in {fit.outcome_label} per month",
        fmt.money(proposal.expected_change, currency, locale),
        border=True,
        help="Against last year's spend, once carry-over has settled.",
    )
    cells[2].metric(
        "Likely range (90%)",
        f"{fmt.money(proposal.change_low, currency, locale)} to "
        f"{fmt.money(proposal.change_high, currency, locale)}",
        border=True,
    )
    frame = proposal.frame()
    show_chart(drawn(charts.proposal_split, frame, currency))
    text_table(
        pd.DataFrame(
            {
                "Channel": frame["channel"],
                "Today": [fmt.money(v, currency, locale) for v in frame["today"]],
                "Proposed": [fmt.money(v, currency, locale) for v in frame["proposed"]],
                "Change": [fmt.money(v, currency, locale) for v in frame["change"]],
                "Next dollar today": [fmt.multiple(v, locale) for v in frame["marginal_roi_today"]],
                "Next dollar proposed": [
                    fmt.multiple(v, locale) for v in frame["marginal_roi_proposed"]
                ],
                "Limit reached": [
                    {"lower": "lowest allowed", "upper": "highest allowed"}.get(v, "")
                    for v in frame["at_bound"]
                ],
            }
        ).set_index("Channel")
    )
    with st.expander("Assumptions behind this proposal", icon=":material/rule:"):
        for text in proposal.assumptions:
            st.markdown(f"- {as_text(text)}")
    if can(me, Action.RAISE_REQUEST):
        if st.button(
            "Send to the monthly review as a request", icon=":material/gavel:", key="nd_save"
        ):
            try:
                with store().session() as session:
                    next_dollar.save_proposal(session, me, proposal, currency, locale)
            except SamePageError as problem:
                refusal(problem)
            else:
                flash(
                    "Proposal recorded in Requests and decisions for the monthly review; "
                    "the plan itself is unchanged."
                )
    else:
        st.caption(
            "Nothing here changes the plan: a proposal goes to the monthly review as a request."
        )
    return proposal


page()
