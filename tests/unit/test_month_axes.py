"""Month axes label each month once and always the last (issue 21, item 18); the funnel's
legend lists its steps top of the funnel first."""

from __future__ import annotations

import pandas as pd
import pytest

from alignment.objectives.funnel import conversions
from alignment.shared.periods import parse_period
from ui import charts

TWO = ["2026-07", "2026-08"]
MONTHS_24 = [f"{y}-{m:02d}" for y in (2024, 2025, 2026) for m in range(1, 13)][11:35]


def x_axis(spec: dict) -> dict:
    layers = spec.get("layer", [spec])
    for layer in layers:
        x = layer.get("encoding", {}).get("x", {})
        if x.get("type") == "temporal" and "axis" in x:
            return x
    raise AssertionError("no month axis")


def labelled(spec: dict) -> list[tuple[int, int]]:
    return [(v["year"], v["month"]) for v in x_axis(spec)["axis"]["values"]]


def test_two_months_are_each_labelled_once():
    assert charts.month_ticks(["2026-08", "2026-07", "2026-08", "2026-07"]) == TWO


def test_many_months_are_labelled_counted_back_from_the_last():
    ticks = charts.month_ticks(MONTHS_24)
    assert MONTHS_24[0] == "2024-12" and MONTHS_24[-1] == "2026-11"
    # 24 months, at most 8 labels: every third month, back from November 2026.
    assert ticks == [
        "2025-02",
        "2025-05",
        "2025-08",
        "2025-11",
        "2026-02",
        "2026-05",
        "2026-08",
        "2026-11",
    ]
    assert len(ticks) == len(set(ticks))


def funnel_counts() -> pd.DataFrame:
    rows = []
    for month in TWO:
        for order, stage in enumerate(["Leads", "MQLs", "SQLs", "Won deals"], start=1):
            rows.append((month, stage, order, 100 / order, 100 / order, order))
    return pd.DataFrame(rows, columns=["month", "stage", "order", "target", "actual", "kpi_id"])


def test_the_funnel_trend_labels_its_two_months_once_and_lists_steps_in_funnel_order():
    spec = charts.conversion_trend(conversions(funnel_counts())).to_dict()
    assert labelled(spec) == [(2026, 7), (2026, 8)]
    colour = spec["encoding"]["color"]
    order = ["Leads → MQLs", "MQLs → SQLs", "SQLs → Won deals"]
    assert colour["scale"]["domain"] == order
    assert colour["sort"] == order


@pytest.mark.parametrize(
    "build",
    [
        lambda f: charts.score_trend(f.assign(score=50)),
        lambda f: charts.kpi_history(f.assign(target=1.0, actual=2.0), "count"),
        lambda f: charts.budget_vs_spend(
            f.assign(planned_budget=10.0, actual_spend=9.0), parse_period("2026-11"), "USD"
        ),
        lambda f: charts.landing_path(f.assign(landing=5.0, plan=6.0, baseline=None), "USD"),
    ],
)
def test_every_chart_over_months_labels_each_month_once_and_the_last(build):
    months = ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    spec = build(pd.DataFrame({"month": months})).to_dict()
    assert labelled(spec) == [(2026, m) for m in (7, 8, 9, 10, 11)]
    assert x_axis(spec)["axis"]["format"] == "%b %y"
