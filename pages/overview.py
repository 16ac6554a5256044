"""Overview: the same headline figures, definitions of success and alignment score for everyone."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

import pandas as pd
import streamlit as st

from alignment.company.first_run import setup_steps
from alignment.company.first_run import steps_left
from alignment.dashboard import dashboard
from alignment.shared import formatting as fmt
from alignment.shared import status
from alignment.shared.periods import short_month_label
from alignment.spend.landing import Landing
from alignment.spend.overview import figure_months
from alignment.trust.checklist import AlignmentSummary
from ui import charts
from ui.context import actor
from ui.context import profile
from ui.context import store
from ui.widgets import as_text
from ui.widgets import drawn
from ui.widgets import first_run_guide
from ui.widgets import period_picker
from ui.widgets import side_by_side
from ui.widgets import text_table

HELP = {
    "planned": "Sum of the planned budget of every budget line in the period.",
    "spend": "Sum of actual marketing spend in the period.",
    "variance": "Actual spend minus planned budget; positive means over plan.",
    "roas": "Attributed revenue / actual spend.",
    "romi": "(Attributed revenue × gross margin − actual spend) / actual spend. Attributed "
    "revenue usually overstates the incremental return.",
    "pipeline": "Pipeline attributed to marketing in the period.",
    "cac": "Actual marketing spend / new customers. Marketing spend only, not blended "
    "sales-and-marketing CAC.",
    "customers": "New customers attributed to marketing in the period.",
}


def overview() -> None:
    me = actor()
    company = profile()
    cur, loc = company.currency, company.locale
    with store().session() as session:
        choices = figure_months(session, me)
        steps = setup_steps(session, me)
    st.title("Overview")
    if not choices.months:
        st.info(
            "No budget figures yet. The CMO enters or imports them; until then there is "
            "nothing to compare. Who needs to do what before the first monthly review:",
            icon=":material/flag:",
        )
        first_run_guide(steps, me)
        return
    if steps_left(steps):
        with st.expander(f"Getting started: {len(steps_left(steps))} step(s) left"):
            first_run_guide(steps, me)
    period = period_picker(
        choices.months, company.fiscal_year_start_month, key="overview", opening=choices.opening
    )
    with store().session() as session:
        read = dashboard(session, me, period)
    now, before, trend, channels = read.now, read.before, read.trend, read.channels
    definitions, alignment, gaps = read.definitions, read.alignment, read.gaps
    waiting_requests, unreconciled, waiting = (
        read.waiting_requests,
        read.unreconciled,
        read.waiting,
    )
    top = read.top

    st.caption(
        f"{as_text(company.name)} · {now.period.label} · {now.budget_lines} budget lines · "
        f"compared with {before.period.label}. Every role sees these same figures."
    )

    def change(current: Decimal | float | None, previous: Decimal | float | None) -> str | None:
        if current is None or previous in (None, 0):
            return None
        return fmt.percent((float(current) - float(previous)) / abs(float(previous)), signed=True)

    for message in waiting:
        st.info(f"{message}.", icon=":material/inbox:")
    if unreconciled:
        st.warning(
            "Not yet reconciled with finance: "
            + ", ".join(short_month_label(m) for m in unreconciled)
            + ". These figures may still change.",
            icon=":material/pending:",
        )
    versus = f"vs {before.period.short_label}" if len(before.period) == 1 else "vs prior period"
    tiles = st.columns(4, gap="small") + st.columns(4, gap="small")
    shown = {
        "money": lambda v: fmt.money_short(v, cur, loc),
        "multiple": lambda v: fmt.multiple(v, loc),
        "percent": lambda v: fmt.percent(v, loc),
        "count": lambda v: fmt.count(v, loc),
    }
    row: list[tuple[str, str, str | None, Literal["normal", "inverse", "off"], str]] = []
    for label, field, kind, colour, help_key in TILES:
        value = getattr(now, field)
        if field == "spend_variance":
            delta = (
                fmt.percent(now.spend_variance_pct, loc, signed=True) + " of plan"
                if now.spend_variance_pct is not None
                else None
            )
        else:
            delta = change(value, getattr(before, field))
        in_full = _in_full(value, cur, loc) if kind == "money" else ""
        row.append((label, shown[kind](value), delta, colour, HELP[help_key] + in_full))
    for tile, (label, value, delta, colour, help_text) in zip(tiles, row, strict=True):
        tile.metric(
            label,
            value,
            delta,
            delta_color=colour,
            help=help_text,
            border=True,
            delta_description=versus if delta and "plan" not in delta else None,
        )

    _landing(read.landing, cur, loc)

    definitions_column, alignment_column = st.columns([3, 1], gap="large")
    with definitions_column:
        st.subheader("Definitions of success in force")
        _definitions(definitions)
    with alignment_column:
        st.subheader("Alignment")
        _alignment(alignment, gaps, waiting_requests)

    st.subheader("Top of the KPI tree")
    _top_kpis(top, cur, loc)

    side_by_side(
        ("Budget vs actual spend", drawn(charts.budget_vs_spend, trend, period, cur)),
        (
            "Return by channel",
            "No channel figures in this period."
            if channels.empty
            else drawn(charts.return_by_channel, channels, cur),
        ),
    )


# The overview's eight tiles: label, figure, how it is written, which way of its change is
# good (spend and plan: neither), and its help. (A comment, not a docstring: Streamlit
# writes a page's bare strings on the page.)
TILES: list[tuple[str, str, str, Literal["normal", "inverse", "off"], str]] = [
    ("Planned budget", "planned_budget", "money", "off", "planned"),
    ("Actual spend", "actual_spend", "money", "off", "spend"),
    ("Spend variance", "spend_variance", "money", "inverse", "variance"),
    ("ROAS", "roas", "multiple", "normal", "roas"),
    ("ROMI (attributed)", "romi", "percent", "normal", "romi"),
    ("Attributed pipeline", "attributed_pipeline", "money", "normal", "pipeline"),
    ("Marketing CAC", "marketing_cac", "money", "inverse", "cac"),
    ("New customers", "new_customers", "count", "normal", "customers"),
]


def _in_full(value: object, cur: str, loc: str) -> str:
    """A tile shows millions to two decimals; its help gives the whole amount."""
    short, full = fmt.money_short(value, cur, loc), fmt.money(value, cur, loc)  # type: ignore[arg-type]
    return "" if short == full else f" In full: {full}."


def _definitions(definitions: list) -> None:
    if not definitions:
        st.info("No definition of success has been signed off yet.")
        return
    changed = [d for d in definitions if d.changed_since_signoff]
    if changed:
        st.error(
            f"{len(changed)} signed definition(s) changed since sign-off: the stored content no "
            "longer matches the CFO's signature.",
            icon=":material/gpp_bad:",
        )

    rows = []
    for d in definitions:
        signature = (
            status.CHANGED.label
            if d.changed_since_signoff
            else f"Signed by {d.signed_by}, {fmt.date(d.signed_at)}, unchanged since"
        )
        rows.append(
            {
                "Status": status.UNIT_DISAGREES.label
                if d.unit_disagrees
                else status.label(d.status),
                "Definition": d.title,
                "Target": ("≥\u00a0" if d.comparison == "at_least" else "≤\u00a0") + d.target_text,
                "Actual": d.actual_text,
                "Signature": signature,
            }
        )
    table = (
        pd.DataFrame(rows)
        .style.map(status.cell_style, subset=["Status", "Signature"])
        .hide(axis="index")
    )
    text_table(table)


def _top_kpis(values: list, cur: str, loc: str) -> None:
    if not values:
        st.info("No result or financial KPIs yet.")
        return

    def show(value: float | None, unit: str) -> str:
        return (
            fmt.money(value, cur, loc)
            if unit == cur
            else fmt.count(None if value is None else round(value, 1), loc)
        )

    rows = pd.DataFrame(
        [
            {
                "KPI": v.kpi.name,
                "Target": show(v.target, v.kpi.unit),
                "Actual": show(v.actual, v.kpi.unit),
                "Status": status.label(v.status),
            }
            for v in values
        ]
    )
    text_table(rows.style.map(status.cell_style, subset=["Status"]).hide(axis="index"))


def _alignment(summary: AlignmentSummary | None, gaps: list, requests: list) -> None:
    if summary is None:
        st.info("Nobody has answered the alignment checklist yet.")
        return
    delta = (
        None
        if summary.previous_score is None
        else f"{summary.score - summary.previous_score:+.0f} points"
    )
    st.metric(
        "Alignment score",
        fmt.score(summary.score),
        delta,
        chart_data=[round(score) for _, score in summary.trend] if len(summary.trend) > 1 else None,
        chart_type="line",
        border=True,
        help="Mean of every executive's checklist answers (1-5), scaled to 0-100.",
    )
    st.caption(
        short_month_label(summary.month)
        + (
            f", compared with {short_month_label(summary.previous_month)}"
            if delta and summary.previous_month is not None
            else ""
        )
        + (f"; the line shows {len(summary.trend)} months." if len(summary.trend) > 1 else ".")
    )
    count = len(gaps)
    st.write(
        f"**{count}** perception gap{'s' if count != 1 else ''} of 2 points or more to discuss:"
        if count
        else "No perception gaps of 2 points or more."
    )
    for text, gap in gaps:
        st.caption(f"- {as_text(text)} (gap {gap})")
    if summary.roles_missing:
        st.warning(f"Not answered yet: {', '.join(summary.roles_missing)}.")
    else:
        st.caption(f"Answered by {', '.join(summary.roles_answered)}.")
    put_off = sum(1 for r in requests if r.decision == "later")
    st.write(
        f"**{len(requests)}** request{'s' if len(requests) != 1 else ''} of marketing await"
        f"{'s' if len(requests) == 1 else ''} a decision"
        + (f" ({put_off} put off until later)" if put_off else "")
        + (":" if requests else ".")
    )
    for request in requests:
        st.caption(f"- {as_text(request.title)} ({request.status.lower()})")


def _landing(landed: Landing, cur: str, loc: str) -> None:
    """Where the fiscal year lands: the CFO's first question, answered on the first page."""
    total = landed.total
    st.subheader("Where the year lands")
    cells = st.columns(4, gap="small")
    cells[0].metric(
        "Landing",
        fmt.money_short(total.landing, cur, loc),
        help="Actual spend to date plus the forecast for the rest of the fiscal year."
        + _in_full(total.landing, cur, loc),
        border=True,
    )
    for cell, label, gap, pct, against in (
        (cells[1], "Against the plan", total.gap_to_plan, total.gap_to_plan_pct, total.plan),
        (
            cells[2],
            "Against the baseline",
            total.gap_to_baseline,
            total.gap_to_baseline_pct,
            total.baseline,
        ),
    ):
        locked = against is not None
        cell.metric(
            label,
            fmt.money_short(gap, cur, loc) if locked else "not locked",
            fmt.percent(pct, loc, signed=True) if locked else None,
            delta_color="inverse",
            help=f"The landing minus the {label.split()[-1]}, {fmt.money(against, cur, loc)}."
            if locked
            else "The CFO has not locked this fiscal year's baseline yet.",
            border=True,
        )
    on_plan = (
        f" {total.months_on_plan} channel-month(s) have no forecast and count their plan."
        if total.months_on_plan
        else ""
    )
    cells[3].metric(
        "Forecast for the rest",
        fmt.money_short(total.forecast_rest, cur, loc),
        help=f"{len(landed.forecast_months)} month(s) still to come.{on_plan}",
        border=True,
    )
    st.caption(f"{landed.period.label}. The forecast and each channel's landing: Budget & return.")
    if landed.unplanned_words:
        st.warning(landed.unplanned_words, icon=":material/event_busy:")


overview()
