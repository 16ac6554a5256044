"""The response model against data the team did not make (PyMC-Marketing's published
data-generating processes), and every way its input can be unusable."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alignment.allocation import response
from alignment.allocation.response import ChannelCurve
from alignment.allocation.response import Model
from alignment.allocation.response import NotEnoughData
from alignment.allocation.response import ResponseData
from alignment.shared.errors import ValidationFailed

EXTERNAL = Path(__file__).resolve().parents[1] / "data" / "external"
ROAS_DATA = EXTERNAL / "pymc_marketing_mmm_roas_data.csv"
EXAMPLE = EXTERNAL / "pymc_marketing_mmm_example.csv"
TRUTH = EXTERNAL / "derived_ground_truth_summary.csv"


def truth(file: str, channel: str) -> pd.Series:
    table = pd.read_csv(TRUTH)
    return table[(table["file"] == file) & (table["channel"] == channel)].iloc[0]


def true_model(frame: pd.DataFrame, file: str, y_scale: float) -> Model:
    """The published parameters plugged into SamePage's curve (scale 1: raw spend units)."""
    curves = []
    for channel in ("x1", "x2"):
        row = truth(file, channel)
        curves.append(
            ChannelCurve(
                channel,
                alpha=float(row["adstock_alpha"]),
                lam=float(row["logistic_lam"]),
                beta=float(row["beta"]) * y_scale,
                scale=1.0,
                lags=int(row["adstock_l_max"]),
            )
        )
    return Model(tuple(curves), np.zeros(len(frame)))


@pytest.mark.parametrize("channel", ["x1", "x2"])
def test_the_roi_function_reproduces_the_switch_off_roas_of_the_published_data(channel):
    frame = pd.read_csv(ROAS_DATA)
    model = true_model(frame, "pymc_marketing_mmm_roas_data.csv", 100.0)
    spend = frame[["x1", "x2"]].astype(float)
    switch_off = (frame["y"] - frame[f"y0{channel[1]}"]).sum() / frame[channel].sum()
    assert response.roi(model, spend, channel) == pytest.approx(switch_off, rel=1e-6, abs=0)


@pytest.mark.parametrize("channel", ["x1", "x2"])
def test_carry_over_and_saturation_match_the_published_columns(channel):
    frame = pd.read_csv(ROAS_DATA)
    row = truth("pymc_marketing_mmm_roas_data.csv", channel)
    carried = response.adstock(
        frame[channel].to_numpy(), float(row["adstock_alpha"]), int(row["adstock_l_max"])
    )
    np.testing.assert_allclose(carried, frame[f"{channel}_adstock"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        response.saturation(carried, float(row["logistic_lam"])),
        frame[f"{channel}_adstock_saturated"],
        rtol=1e-9,
        atol=1e-12,
    )


@pytest.mark.parametrize("channel", ["x1", "x2"])
def test_true_parameters_give_the_truth_tables_roi_and_marginal_roi(channel):
    frame = pd.read_csv(EXAMPLE)
    model = true_model(frame, "pymc_marketing_mmm_example.csv", 1000.0)
    spend = frame[["x1", "x2"]].astype(float)
    row = truth("pymc_marketing_mmm_example.csv", channel)
    assert response.roi(model, spend, channel) == pytest.approx(row["true_roas"], rel=1e-5)
    assert response.marginal_roi(model, spend, channel) == pytest.approx(
        row["true_mroas_plus1pct"], rel=1e-5
    )


def weeks(n: int, start: dt.date = dt.date(2024, 1, 1)) -> tuple[dt.date, ...]:
    return tuple(start + dt.timedelta(weeks=i) for i in range(n))


def months(n: int) -> tuple[dt.date, ...]:
    return tuple(dt.date(2023 + i // 12, i % 12 + 1, 1) for i in range(n))


def synthetic_truth(
    n: int = 36, channels: int = 3, seed: int = 3, noise: float = 0.01
) -> tuple[ResponseData, Model]:
    """Monthly data from known curves (returns differ by channel), and those curves."""
    rng = np.random.default_rng(seed)
    spend = pd.DataFrame(
        {f"Channel {c}": rng.uniform(10_000, 60_000, n) * (1 + c) for c in range(channels)}
    )
    true = Model(
        tuple(
            ChannelCurve(
                f"Channel {c}", 0.3, 1.2, 60_000 * (1 + c) ** 2, spend[f"Channel {c}"].mean(), 3
            )
            for c in range(channels)
        ),
        np.full(n, 400_000.0),
    )
    outcome = true.predict(spend) * (1 + rng.normal(0, noise, n))
    return ResponseData("month", months(n), spend, outcome, "revenue"), true


def synthetic() -> ResponseData:
    return synthetic_truth()[0]


@pytest.fixture(scope="module")
def fitted() -> response.ResponseFit:
    return response.fit(synthetic(), draws=20)


def test_a_fit_on_clean_synthetic_data_finds_each_roi_and_orders_its_intervals(fitted):
    data, true = synthetic_truth()
    truths = {c.channel: response.roi(true, data.spend, c.channel) for c in fitted.channels}
    assert sorted(truths, key=truths.get) == sorted(
        truths, key={c.channel: c.roi for c in fitted.channels}.get
    )
    for c in fitted.channels:
        assert c.roi == pytest.approx(truths[c.channel], rel=0.35)
    for c in fitted.channels:
        assert c.roi_low <= c.roi_high
        assert c.marginal_roi_low <= c.marginal_roi_high
        assert 0 < c.marginal_roi < c.roi * 1.05
    assert fitted.r_squared > 0.8


def test_a_proposal_spends_exactly_the_budget_and_equalises_the_next_dollar(fitted):
    wide = {c.channel: (0.0, 5 * c.monthly_spend) for c in fitted.channels}
    proposal = response.propose(fitted, fitted.monthly_spend * 1.2, wide)
    assert sum(line.proposed for line in proposal.lines) == pytest.approx(proposal.budget, rel=1e-9)
    free = [line.marginal_roi_proposed for line in proposal.lines if line.at_bound is None]
    assert len(free) >= 2
    assert max(free) <= min(free) * 1.10


def test_the_same_budget_split_better_never_loses_by_the_model(fitted):
    proposal = response.propose(fitted, fitted.monthly_spend)
    assert proposal.expected_change >= -1e-6 * fitted.monthly_spend
    assert proposal.change_low <= proposal.change_high


def test_bounds_are_respected_and_reported(fitted):
    first = fitted.channels[0]
    tight = {first.channel: (first.monthly_spend, first.monthly_spend)}
    proposal = response.propose(fitted, fitted.monthly_spend * 1.5, tight)
    line = next(x for x in proposal.lines if x.channel == first.channel)
    assert line.proposed == pytest.approx(first.monthly_spend)
    assert line.at_bound is not None
    for other in proposal.lines:
        assert other.lower - 1e-6 <= other.proposed <= other.upper + 1e-6


@pytest.mark.parametrize(
    ("budget", "bounds", "message"),
    [
        (0, None, "A budget of 0 cannot be split"),
        (-5, None, "above zero"),
        (float("nan"), None, "not a number"),
        (1e12, None, "highest spends allowed add up to only"),
        (1.0, None, "lowest spends allowed already add up to"),
        (None, {"Channel 0": (10.0, 5.0)}, "is above its highest"),
        (None, {"Channel 0": (-1.0, 5.0)}, "zero or more"),
        (None, {"Organic": (0.0, 5.0)}, "Organic has no response curve"),
    ],
)
def test_impossible_budgets_and_bounds_get_a_sentence(fitted, budget, bounds, message):
    with pytest.raises(ValidationFailed, match=message):
        response.propose(fitted, fitted.monthly_spend if budget is None else budget, bounds)


def test_a_single_month_is_refused_with_a_sentence():
    data = ResponseData(
        "month", months(1), pd.DataFrame({"Search": [100.0]}), np.array([500.0]), "revenue"
    )
    with pytest.raises(NotEnoughData, match="at least 12 months .* hold 1 month\\b"):
        response.fit(data)


def test_missing_and_negative_outcomes_are_named():
    data = synthetic()
    missing = data.outcome.copy()
    missing[4] = np.nan
    with pytest.raises(NotEnoughData, match="Revenue is missing for 2023-05"):
        response.fit(ResponseData("month", data.starts, data.spend, missing, "revenue"))
    negative = data.outcome.copy()
    negative[7] = -1.0
    with pytest.raises(NotEnoughData, match="Revenue is negative in 2023-08"):
        response.fit(ResponseData("month", data.starts, data.spend, negative, "revenue"))


def test_zero_and_unchanging_spend_are_left_out_with_a_reason():
    data = synthetic()
    spend = data.spend.assign(Organic=0.0, Retainer=25_000.0)
    fit = response.fit(ResponseData("month", data.starts, spend, data.outcome, "revenue"), draws=5)
    assert {c.channel for c in fit.channels} == set(data.spend.columns)
    assert any(note.startswith("Organic had no spend in these 36 months") for note in fit.left_out)
    assert any(note.startswith("Retainer's spend barely changed") for note in fit.left_out)


def test_no_usable_channel_at_all_is_refused():
    n = 24
    spend = pd.DataFrame({"Organic": np.zeros(n), "Retainer": np.full(n, 9_000.0)})
    data = ResponseData("month", months(n), spend, np.full(n, 1e5), "revenue")
    with pytest.raises(NotEnoughData, match="No channel's spend varies"):
        response.fit(data)


def test_weekly_data_needs_half_a_year():
    data = ResponseData(
        "week", weeks(10), pd.DataFrame({"Search": np.arange(10.0)}), np.ones(10), "pipeline"
    )
    with pytest.raises(NotEnoughData, match="at least 26 weeks of spend and pipeline"):
        response.fit(data)


def test_progress_is_reported_up_to_done():
    seen: list[float] = []
    response.fit(synthetic(), draws=3, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == pytest.approx(1.0) and len(seen) == 4
