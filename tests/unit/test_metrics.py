from decimal import Decimal

import pytest

from alignment.shared import metrics


@pytest.mark.parametrize(
    ("actual", "planned", "variance", "pct"),
    [
        (Decimal("110"), Decimal("100"), Decimal("10"), 0.10),
        (Decimal("90"), Decimal("100"), Decimal("-10"), -0.10),
        (Decimal("50"), Decimal("0"), Decimal("50"), None),
        (None, Decimal("100"), None, None),
        (Decimal("100"), None, None, None),
    ],
)
def test_spend_variance_is_actual_minus_plan_and_pct_is_over_plan(actual, planned, variance, pct):
    assert metrics.spend_variance(actual, planned) == variance
    assert metrics.spend_variance_pct(actual, planned) == (
        None if pct is None else pytest.approx(pct)
    )


@pytest.mark.parametrize(
    ("revenue", "spend", "expected"),
    [(250, 100, 2.5), (0, 100, 0.0), (250, 0, None), (250, None, None), (None, 100, None)],
)
def test_roas_is_revenue_over_spend_and_na_without_spend(revenue, spend, expected):
    assert metrics.roas(revenue, spend) == expected


@pytest.mark.parametrize(
    ("revenue", "spend", "margin", "expected"),
    [
        (300, 100, 0.5, 0.5),
        (100, 100, 0.7, -0.3),
        (0, 100, 0.7, -1.0),
        (300, 0, 0.5, None),
        (300, None, 0.5, None),
        (None, 100, 0.5, None),
        (300, 100, None, None),
    ],
)
def test_romi_uses_gross_margin_and_is_na_without_spend(revenue, spend, margin, expected):
    result = metrics.romi(revenue, spend, margin)
    assert result == (None if expected is None else pytest.approx(expected))


@pytest.mark.parametrize(
    ("pipeline", "spend", "expected"), [(800, 200, 4.0), (800, 0, None), (None, 200, None)]
)
def test_pipeline_roi(pipeline, spend, expected):
    assert metrics.pipeline_roi(pipeline, spend) == expected


@pytest.mark.parametrize(
    ("spend", "customers", "expected"),
    [(Decimal("30000"), 3, 10000.0), (Decimal("30000"), 0, None), (Decimal("30000"), None, None)],
)
def test_marketing_cac_is_spend_per_new_customer(spend, customers, expected):
    assert metrics.marketing_cac(spend, customers) == expected


def test_funnel_conversion_is_next_stage_over_stage():
    assert metrics.funnel_conversion(40, 100) == 0.4
    assert metrics.funnel_conversion(40, 0) is None


@pytest.mark.parametrize(
    ("won", "lost", "expected"), [(1, 3, 0.25), (0, 0, None), (None, 3, None), (2, 0, 1.0)]
)
def test_win_rate_is_won_over_decided(won, lost, expected):
    assert metrics.win_rate(won, lost) == expected


@pytest.mark.parametrize(
    ("actual", "target", "comparison", "tolerance", "expected"),
    [
        (100, 100, "at_least", 0.1, "green"),
        (95, 100, "at_least", 0.1, "amber"),
        (90, 100, "at_least", 0.1, "amber"),
        (89.9, 100, "at_least", 0.1, "red"),
        (100, 100, "at_most", 0.1, "green"),
        (105, 100, "at_most", 0.1, "amber"),
        (111, 100, "at_most", 0.1, "red"),
        (0.70, 0.8, "at_least", 0.15, "amber"),
        (None, 100, "at_least", 0.1, None),
        (-1, 0, "at_least", 0.5, "red"),
    ],
)
def test_rag_status(actual, target, comparison, tolerance, expected):
    assert metrics.rag_status(actual, target, comparison, tolerance) == expected


def test_rag_status_refuses_an_unknown_comparison():
    with pytest.raises(ValueError, match="unknown comparison"):
        metrics.rag_status(1, 1, "about", 0.1)
