"""Altair chart builders: pure functions from the services' DataFrames to charts."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import altair as alt
import pandas as pd

from alignment.shared import formatting
from alignment.shared.periods import Period
from alignment.shared.periods import add_months

PLANNED = "Planned budget"
BASELINE = "Baseline"
ACTUAL = "Actual spend"
REVENUE = "Attributed revenue"
PIPELINE = "Attributed pipeline"
COLOURS = {
    PLANNED: "#9aa5b1",
    BASELINE: "#6e7781",
    ACTUAL: "#1f6feb",
    REVENUE: "#2da44e",
    PIPELINE: "#8250df",
}
OVER = "#cf222e"
UNDER = "#1a7f37"


def _colours(*series: str) -> alt.Scale:
    return alt.Scale(domain=list(series), range=[COLOURS[name] for name in series])


MONTH_LABELS = 8
"""At most this many month labels on an axis: beyond it every second (third...) month is
labelled, counted back from the last, which is always labelled."""


def _over_months(data: pd.DataFrame, width: float = 2.5) -> alt.Chart:
    """A line per series across the months, each month's point marked."""
    return alt.Chart(data).mark_line(point=True, strokeWidth=width).encode(x=_months(data["month"]))


def month_ticks(months: Iterable[str]) -> list[str]:
    """The months an axis labels: each month once, the last one always, and no more than
    MONTH_LABELS of them (every n-th month counted back from the last)."""
    shown = sorted(set(months))
    step = max(1, math.ceil(len(shown) / MONTH_LABELS))
    return shown[::-1][::step][::-1]


def _months(months: Iterable[str]) -> alt.X:
    """The month axis every chart over time shares: "Jan 26", upright, a tick and a label
    on the months of ``month_ticks`` only (a time axis left to itself labels the weeks of a
    short range with their month, "Jul 26" over and over, and may leave the last month
    bare). The scale is padded so the first and last labels sit centred under their point."""
    ticks = [alt.DateTime(year=int(m[:4]), month=int(m[5:7]), date=1) for m in month_ticks(months)]
    return alt.X(
        "date:T",
        title=None,
        scale=alt.Scale(padding=24),
        axis=alt.Axis(
            format="%b %y", labelAngle=0, values=ticks, labelFlush=False, labelOverlap=False
        ),
    )


def _amounts(channel: Any, field: str, title: str) -> Any:
    """An axis of amounts in short form (12k, 1.5M), titled with its unit."""
    return channel(field, title=title, axis=alt.Axis(format="~s"))


def _month_start(month: pd.Series) -> pd.Series:
    return pd.to_datetime(month + "-01")


def budget_vs_spend(frame: pd.DataFrame, period: Period, currency: str) -> alt.LayerChart:
    """Planned budget (and the locked baseline, where there is one) against actual spend by
    month, the chosen period shaded."""
    names = {"planned_budget": PLANNED, "actual_spend": ACTUAL}
    if "baseline_budget" in frame and frame["baseline_budget"].notna().any():
        names = {"baseline_budget": BASELINE, **names}
    long = frame.melt(
        id_vars="month", value_vars=list(names), var_name="series", value_name="amount"
    ).dropna(subset=["amount"])
    long["series"] = long["series"].map(names)
    series = list(names.values())
    long["date"] = _month_start(long["month"])
    long["label"] = [formatting.money(v, currency) for v in long["amount"]]
    band = pd.DataFrame(
        {
            "start": pd.to_datetime([period.first + "-01"]),
            "end": pd.to_datetime([add_months(period.last, 1) + "-01"]),
        }
    )
    shade = alt.Chart(band).mark_rect(color="#1f6feb", opacity=0.08).encode(x="start:T", x2="end:T")
    lines = _over_months(long).encode(
        y=_amounts(alt.Y, "amount:Q", currency),
        color=alt.Color(
            "series:N",
            title=None,
            scale=_colours(*series),
            legend=alt.Legend(orient="top"),
        ),
        strokeDash=alt.StrokeDash(
            "series:N",
            scale=alt.Scale(
                domain=series,
                range=[{BASELINE: [2, 3], PLANNED: [6, 4], ACTUAL: [1, 0]}[n] for n in series],
            ),
            legend=None,
        ),
        tooltip=[
            alt.Tooltip("month:N", title="Month"),
            alt.Tooltip("series:N", title="Figure"),
            alt.Tooltip("label:N", title="Amount"),
        ],
    )
    return alt.LayerChart(layer=[shade, lines]).properties(height=300)


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
            x=_amounts(alt.X, "amount:Q", currency),
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
    return alt.LayerChart(layer=[bars, labels]).properties(height=max(240, 46 * len(data)))


def variance_by_channel(frame: pd.DataFrame, currency: str) -> alt.LayerChart:
    """Actual minus planned per channel: red over plan, green under."""
    data = frame.dropna(subset=["spend_variance"]).copy()
    data["direction"] = ["Over plan" if v > 0 else "Under plan" for v in data["spend_variance"]]
    data["label"] = [
        f"{formatting.money(v, currency)} ({formatting.percent(p, signed=True)})"
        for v, p in zip(data["spend_variance"], data["spend_variance_pct"], strict=True)
    ]
    y = alt.Y("channel:N", title=None, sort="-x", axis=alt.Axis(labelLimit=220))
    bars = (
        alt.Chart(data)
        .mark_bar(cornerRadiusEnd=3)
        .encode(
            y=y,
            x=_amounts(alt.X, "spend_variance:Q", f"Actual − planned ({currency})"),
            color=alt.Color(
                "direction:N",
                title=None,
                scale=alt.Scale(domain=["Over plan", "Under plan"], range=[OVER, UNDER]),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("channel:N", title="Channel"),
                alt.Tooltip("label:N", title="Variance"),
            ],
        )
    )
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#57606a").encode(x="x:Q")
    return alt.LayerChart(layer=[bars, zero]).properties(height=alt.Step(30))


def return_ratios_by_channel(frame: pd.DataFrame) -> tuple[alt.Chart, alt.Chart]:
    """ROAS and attributed ROMI per channel, as two charts on their own scales."""
    data = frame.copy()
    data["roas_label"] = [formatting.multiple(v) for v in data["roas"]]
    data["romi_label"] = [formatting.percent(v) for v in data["romi"]]
    order = data.sort_values("roas", ascending=False)["channel"].tolist()
    y = alt.Y("channel:N", title=None, sort=order, axis=alt.Axis(labelLimit=220))
    tooltip = [
        alt.Tooltip("channel:N", title="Channel"),
        alt.Tooltip("roas_label:N", title="ROAS"),
        alt.Tooltip("romi_label:N", title="ROMI (attributed)"),
    ]
    roas = (
        alt.Chart(data)
        .mark_bar(color=COLOURS[REVENUE], cornerRadiusEnd=3)
        .encode(y=y, x=alt.X("roas:Q", title="Attributed revenue / spend"), tooltip=tooltip)
    )
    romi = (
        alt.Chart(data)
        .mark_bar(cornerRadiusEnd=3)
        .encode(
            y=y,
            x=alt.X(
                "romi:Q", title="(revenue × margin − spend) / spend", axis=alt.Axis(format="%")
            ),
            color=alt.condition(alt.datum.romi < 0, alt.value(OVER), alt.value(UNDER)),
            tooltip=tooltip,
        )
    )
    return roas.properties(height=alt.Step(30)), romi.properties(height=alt.Step(30))


def return_against_spend(frame: pd.DataFrame, currency: str) -> alt.LayerChart:
    """Each channel's attributed pipeline and revenue against its spend; the line is break-even."""
    data = frame.dropna(subset=["actual_spend"]).copy()
    long = data.melt(
        id_vars=["channel", "actual_spend"],
        value_vars=["attributed_pipeline", "attributed_revenue"],
        var_name="measure",
        value_name="amount",
    ).dropna(subset=["amount"])
    long["measure"] = long["measure"].map(
        {"attributed_pipeline": PIPELINE, "attributed_revenue": REVENUE}
    )
    long["spend_label"] = [formatting.money(v, currency) for v in long["actual_spend"]]
    long["amount_label"] = [formatting.money(v, currency) for v in long["amount"]]
    top = float(max(long["amount"].max(), long["actual_spend"].max())) if len(long) else 1.0
    even = pd.DataFrame({"spend": [0.0, float(long["actual_spend"].max() or 1)]})
    break_even = (
        alt.Chart(even)
        .mark_line(color="#57606a", strokeDash=[4, 4])
        .encode(x="spend:Q", y="spend:Q")
    )
    points = (
        alt.Chart(long)
        .mark_circle(size=140, opacity=0.85)
        .encode(
            x=_amounts(alt.X, "actual_spend:Q", f"Actual spend ({currency})"),
            y=alt.Y(
                "amount:Q",
                title=currency,
                axis=alt.Axis(format="~s"),
                scale=alt.Scale(domain=[0, top * 1.05]),
            ),
            color=alt.Color(
                "measure:N",
                title=None,
                scale=_colours(PIPELINE, REVENUE),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("channel:N", title="Channel"),
                alt.Tooltip("spend_label:N", title=ACTUAL),
                alt.Tooltip("measure:N", title="Figure"),
                alt.Tooltip("amount_label:N", title="Amount"),
            ],
        )
    )
    labels = (
        alt.Chart(long[long["measure"] == PIPELINE])
        .mark_text(align="left", dx=8, fontSize=11, color="#57606a")
        .encode(x="actual_spend:Q", y="amount:Q", text="channel:N")
    )
    return alt.LayerChart(layer=[break_even, points, labels]).properties(height=340)


def kpi_history(frame: pd.DataFrame, unit: str) -> alt.LayerChart:
    """A KPI's actual (solid) against its target (dashed), month by month."""
    long = frame.melt(
        id_vars="month", value_vars=["target", "actual"], var_name="series", value_name="value"
    ).dropna(subset=["value"])
    long["series"] = long["series"].map({"target": "Target", "actual": "Actual"})
    long["date"] = _month_start(long["month"])
    scale = alt.Scale(domain=["Target", "Actual"], range=[COLOURS[PLANNED], COLOURS[ACTUAL]])
    line = _over_months(long).encode(
        y=_amounts(alt.Y, "value:Q", unit),
        color=alt.Color("series:N", title=None, scale=scale, legend=alt.Legend(orient="top")),
        strokeDash=alt.StrokeDash(
            "series:N",
            legend=None,
            scale=alt.Scale(domain=["Target", "Actual"], range=[[6, 4], [1, 0]]),
        ),
        tooltip=[
            alt.Tooltip("month:N", title="Month"),
            alt.Tooltip("series:N", title=""),
            alt.Tooltip("value:Q", title=unit, format=",.4~g"),
        ],
    )
    return alt.LayerChart(layer=[line]).properties(height=280)


def conversion_trend(frame: pd.DataFrame) -> alt.Chart:
    """Each funnel step's conversion rate by month."""
    data = frame.dropna(subset=["rate"]).copy()
    data["date"] = _month_start(data["month"])
    steps = _funnel_order(data)
    return (
        _over_months(data, width=2)
        .encode(
            y=alt.Y("rate:Q", title="Conversion", axis=alt.Axis(format="%")),
            color=alt.Color(
                "step:N",
                title=None,
                sort=steps,
                scale=alt.Scale(domain=steps),
                legend=alt.Legend(orient="top", columns=2),
            ),
            tooltip=[
                alt.Tooltip("month:N", title="Month"),
                alt.Tooltip("step:N", title="Step"),
                alt.Tooltip("rate:Q", title="Conversion", format=".1%"),
            ],
        )
        .properties(height=300)
    )


def _funnel_order(data: pd.DataFrame) -> list[str]:
    """The steps top of the funnel first (by the ``order`` of the step's stages), not
    alphabetically."""
    if "order" in data:
        data = data.sort_values("order", kind="stable")
    return list(dict.fromkeys(data["step"]))


def score_trend(frame: pd.DataFrame) -> alt.Chart:
    """The alignment score (0-100) month by month."""
    data = frame.copy()
    data["date"] = _month_start(data["month"])
    return (
        alt.Chart(data)
        .mark_line(point=alt.OverlayMarkDef(color="#1a7f37"), strokeWidth=2.5, color="#1a7f37")
        .encode(
            x=_months(data["month"]),
            y=alt.Y("score:Q", title="Alignment score", scale=alt.Scale(domain=[0, 100])),
            tooltip=[
                alt.Tooltip("month:N", title="Month"),
                alt.Tooltip("score:Q", title="Score", format=".0f"),
            ],
        )
        .properties(height=260)
    )


def maturity_levels(frame: pd.DataFrame, levels: dict[int, str]) -> alt.LayerChart:
    """Where each assessed competence stands (a dot) and where the team wants it (a red
    mark), joined by a line, on the five levels named on the axis (1 Absent .. 5); a
    competence not assessed is left out."""
    data = frame.dropna(subset=["current", "desired"]).copy()
    data["current"] = data["current"].astype(int)
    data["desired"] = data["desired"].astype(int)
    data["current_name"] = [f"{n} {levels[n]}" for n in data["current"]]
    data["desired_name"] = [f"{n} {levels[n]}" for n in data["desired"]]
    names = " : ".join(f"datum.value == {n} ? '{n} {name}'" for n, name in levels.items())
    y = alt.Y("competence:N", title=None, sort=None, axis=alt.Axis(labelLimit=260))
    x_scale = alt.Scale(domain=[min(levels), max(levels)], nice=False, zero=False, padding=18)
    x_axis = alt.Axis(values=list(levels), labelExpr=f"{names} : ''", title="Level")
    tooltip = [
        alt.Tooltip("competence:N", title="Competence"),
        alt.Tooltip("current_name:N", title="Current"),
        alt.Tooltip("desired_name:N", title="Desired"),
    ]
    base = alt.Chart(data).encode(y=y, tooltip=tooltip)
    line = base.mark_rule(color="#afb8c1", strokeWidth=2).encode(
        x=alt.X("current:Q", scale=x_scale, axis=x_axis), x2="desired:Q"
    )
    dots = base.mark_circle(color=COLOURS[ACTUAL], size=160, opacity=1).encode(
        x=alt.X("current:Q", scale=x_scale, axis=x_axis)
    )
    ticks = base.mark_tick(color="#cf222e", thickness=3, size=22).encode(
        x=alt.X("desired:Q", scale=x_scale, axis=x_axis)
    )
    return alt.LayerChart(layer=[line, dots, ticks]).properties(height=alt.Step(34))


CURVE = "#1f6feb"
TODAY = "#cf222e"
PROPOSED = "#1a7f37"


def response_curves(
    curves: pd.DataFrame, marks: pd.DataFrame, currency: str, outcome: str
) -> alt.FacetChart:
    """Each channel's monthly outcome against its monthly spend, with the 90% band and
    today's (and the proposed) spend marked; each panel has its own scales."""
    data = pd.concat([curves.assign(mark="Curve"), marks], ignore_index=True)
    data["spend_label"] = [formatting.money(v, currency) for v in data["monthly_spend"]]
    data["outcome_label"] = [formatting.money(v, currency) for v in data["monthly_outcome"]]
    x = _amounts(alt.X, "monthly_spend:Q", f"Spend per month ({currency})")
    y = _amounts(alt.Y, "monthly_outcome:Q", f"Modelled {outcome} per month")
    tooltip = [
        alt.Tooltip("spend_label:N", title="Spend per month"),
        alt.Tooltip("outcome_label:N", title=f"Modelled {outcome}"),
    ]
    curve = alt.Chart().transform_filter(alt.datum.mark == "Curve")
    band = curve.mark_area(opacity=0.18, color=CURVE).encode(x=x, y="low:Q", y2="high:Q")
    line = curve.mark_line(color=CURVE, strokeWidth=2.5).encode(x=x, y=y, tooltip=tooltip)
    points = (
        alt.Chart()
        .transform_filter(alt.datum.mark != "Curve")
        .mark_point(size=120, filled=True, opacity=1)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "mark:N",
                title=None,
                scale=alt.Scale(domain=["Today", "Proposed"], range=[TODAY, PROPOSED]),
                legend=alt.Legend(orient="top"),
            ),
            shape=alt.Shape(
                "mark:N",
                scale=alt.Scale(domain=["Today", "Proposed"], range=["circle", "diamond"]),
                legend=None,
            ),
            tooltip=[alt.Tooltip("mark:N", title=""), *tooltip],
        )
    )
    return (
        alt.layer(band, line, points, data=data)
        .properties(width=250, height=180)
        .facet(facet=alt.Facet("channel:N", title=None), columns=3)
        .resolve_scale(x="independent", y="independent")
    )


def proposal_split(frame: pd.DataFrame, currency: str) -> alt.Chart:
    """Today's and the proposed monthly spend per channel, side by side."""
    long = frame.melt(
        id_vars=["channel"], value_vars=["today", "proposed"], var_name="which", value_name="spend"
    )
    long["which"] = long["which"].map({"today": "Today", "proposed": "Proposed"})
    long["spend_label"] = [formatting.money(v, currency) for v in long["spend"]]
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y(
                "channel:N",
                title=None,
                sort=list(frame["channel"]),
                axis=alt.Axis(labelLimit=220),
            ),
            yOffset=alt.YOffset("which:N", sort=["Today", "Proposed"]),
            x=_amounts(alt.X, "spend:Q", f"Spend per month ({currency})"),
            color=alt.Color(
                "which:N",
                title=None,
                scale=alt.Scale(domain=["Today", "Proposed"], range=["#9aa5b1", PROPOSED]),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("channel:N", title="Channel"),
                alt.Tooltip("which:N", title=""),
                alt.Tooltip("spend_label:N", title="Spend per month"),
            ],
        )
        .properties(height=alt.Step(14))
    )


LANDING = "Landing"


def landing_path(frame: pd.DataFrame, currency: str) -> alt.LayerChart:
    """The landing as each closed review kept it, month by month, and today's; the plan and
    the baseline as the lines it is held to."""
    long = frame.melt(
        id_vars="month",
        value_vars=["landing", "plan", "baseline"],
        var_name="series",
        value_name="amount",
    ).dropna(subset=["amount"])
    long["series"] = long["series"].map({"landing": LANDING, "plan": PLANNED, "baseline": BASELINE})
    long["date"] = _month_start(long["month"])
    long["shown"] = [formatting.money(v, currency) for v in long["amount"]]
    colours = alt.Scale(
        domain=[LANDING, PLANNED, BASELINE],
        range=[COLOURS[ACTUAL], COLOURS[PLANNED], COLOURS[BASELINE]],
    )
    base = alt.Chart(long).encode(
        x=_months(long["month"]),
        y=alt.Y(
            "amount:Q", title=currency, axis=alt.Axis(format="~s"), scale=alt.Scale(zero=False)
        ),
        color=alt.Color("series:N", scale=colours, title=None, legend=alt.Legend(orient="top")),
        tooltip=[
            alt.Tooltip("date:T", title="Month", format="%B %Y"),
            alt.Tooltip("series:N", title="Series"),
            alt.Tooltip("shown:N", title="Amount"),
        ],
    )
    landed = base.transform_filter(alt.datum.series == LANDING).mark_line(
        point=alt.OverlayMarkDef(size=70), strokeWidth=2.5
    )
    held_to = base.transform_filter(alt.datum.series != LANDING).mark_line(
        strokeDash=[4, 3], point=alt.OverlayMarkDef(size=40, filled=False)
    )
    return alt.LayerChart(layer=[held_to, landed]).properties(height=260)
