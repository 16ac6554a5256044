"""Altair chart builders: pure functions from the services' DataFrames to charts."""

from __future__ import annotations

import altair as alt
import pandas as pd

from alignment import formatting
from alignment.periods import Period
from alignment.periods import add_months

PLANNED = "Planned budget"
ACTUAL = "Actual spend"
REVENUE = "Attributed revenue"
COLOURS = {PLANNED: "#9aa5b1", ACTUAL: "#1f6feb", REVENUE: "#2da44e"}


def _colours(*series: str) -> alt.Scale:
    return alt.Scale(domain=list(series), range=[COLOURS[name] for name in series])


def _month_start(month: pd.Series) -> pd.Series:
    return pd.to_datetime(month + "-01")


def budget_vs_spend(frame: pd.DataFrame, period: Period, currency: str) -> alt.LayerChart:
    """Planned budget and actual spend by month, the chosen period shaded."""
    long = frame.melt(
        id_vars="month",
        value_vars=["planned_budget", "actual_spend"],
        var_name="series",
        value_name="amount",
    )
    long["series"] = long["series"].map({"planned_budget": PLANNED, "actual_spend": ACTUAL})
    long["date"] = _month_start(long["month"])
    long["label"] = [formatting.money(v, currency) for v in long["amount"]]
    band = pd.DataFrame(
        {
            "start": pd.to_datetime([period.first + "-01"]),
            "end": pd.to_datetime([add_months(period.last, 1) + "-01"]),
        }
    )
    shade = alt.Chart(band).mark_rect(color="#1f6feb", opacity=0.08).encode(x="start:T", x2="end:T")
    lines = (
        alt.Chart(long)
        .mark_line(point=True, strokeWidth=2.5)
        .encode(
            x=alt.X("date:T", title=None, axis=alt.Axis(format="%b %y", labelAngle=0)),
            y=alt.Y("amount:Q", title=currency, axis=alt.Axis(format="~s")),
            color=alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(
                    domain=[PLANNED, ACTUAL], range=[COLOURS[PLANNED], COLOURS[ACTUAL]]
                ),
                legend=alt.Legend(orient="top"),
            ),
            strokeDash=alt.StrokeDash(
                "series:N",
                scale=alt.Scale(domain=[PLANNED, ACTUAL], range=[[5, 4], [1, 0]]),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("month:N", title="Month"),
                alt.Tooltip("series:N", title="Figure"),
                alt.Tooltip("label:N", title="Amount"),
            ],
        )
    )
    return alt.layer(shade, lines).properties(height=300)


def return_by_channel(frame: pd.DataFrame, currency: str) -> alt.LayerChart:
    """Spend and attributed revenue per channel, labelled with each channel's ROAS."""
    data = frame.copy()
    data["roas_label"] = [formatting.multiple(v) for v in data["roas"]]
    data["romi_label"] = [formatting.percent(v) for v in data["romi"]]
    data["spend_label"] = [formatting.money(v, currency) for v in data["actual_spend"]]
    data["revenue_label"] = [formatting.money(v, currency) for v in data["attributed_revenue"]]
    order = data.sort_values("attributed_revenue", ascending=False)["channel"].tolist()
    long = data.melt(
        id_vars=["channel", "roas_label", "romi_label", "spend_label", "revenue_label"],
        value_vars=["actual_spend", "attributed_revenue"],
        var_name="measure",
        value_name="amount",
    )
    long["measure"] = long["measure"].map({"actual_spend": ACTUAL, "attributed_revenue": REVENUE})
    tooltip = [
        alt.Tooltip("channel:N", title="Channel"),
        alt.Tooltip("spend_label:N", title=ACTUAL),
        alt.Tooltip("revenue_label:N", title=REVENUE),
        alt.Tooltip("roas_label:N", title="ROAS"),
        alt.Tooltip("romi_label:N", title="ROMI (attributed)"),
    ]
    y = alt.Y("channel:N", title=None, sort=order, axis=alt.Axis(labelLimit=220))
    bars = (
        alt.Chart(long)
        .mark_bar(cornerRadiusEnd=3)
        .encode(
            y=y,
            yOffset=alt.YOffset("measure:N", sort=[ACTUAL, REVENUE]),
            x=alt.X("amount:Q", title=currency, axis=alt.Axis(format="~s")),
            color=alt.Color(
                "measure:N",
                title=None,
                scale=alt.Scale(
                    domain=[ACTUAL, REVENUE], range=[COLOURS[ACTUAL], COLOURS[REVENUE]]
                ),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=tooltip,
        )
    )
    labels = (
        alt.Chart(data)
        .mark_text(align="left", dx=6, fontWeight="bold", color="#24292f")
        .encode(y=y, x="attributed_revenue:Q", text="roas_label:N", tooltip=tooltip)
    )
    return alt.layer(bars, labels).properties(height=max(240, 46 * len(data)))
