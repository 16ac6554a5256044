"""The metric definitions of DESIGN.md, implemented once for every page, export and command.

A ratio whose denominator is zero or missing is ``None`` (shown as "n/a"),
never 0 and never an exception.
"""

from __future__ import annotations

from decimal import Decimal

Number = Decimal | float | int

FORMULA_VERSIONS: dict[str, int] = {
    "roas": 1,
    "romi": 1,
    "pipeline_roi": 1,
    "marketing_cac": 1,
    "spend_variance_pct": 1,
    "actual_spend": 1,
    "attributed_revenue": 1,
    "attributed_pipeline": 1,
    "new_customers": 1,
}
"""The version of each budget metric's formula. A signature seals the version it was signed
under: raise a metric's number whenever its formula changes what it measures, and every
definition on it reads "changed since sign-off" until the CFO signs it again."""


def ratio(numerator: Number | None, denominator: Number | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return float(numerator) / float(denominator)


def spend_variance(actual_spend: Number | None, planned_budget: Number | None) -> Number | None:
    """Actual minus plan: positive means marketing spent more than planned."""
    if actual_spend is None or planned_budget is None:
        return None
    # Decimal and float do not mix: such a pair raises TypeError, as it always has.
    return actual_spend - planned_budget  # type: ignore[operator]


def spend_variance_pct(actual_spend: Number | None, planned_budget: Number | None) -> float | None:
    return ratio(spend_variance(actual_spend, planned_budget), planned_budget)


def roas(attributed_revenue: Number | None, actual_spend: Number | None) -> float | None:
    return ratio(attributed_revenue, actual_spend)


def romi(
    attributed_revenue: Number | None,
    actual_spend: Number | None,
    gross_margin: float | None,
) -> float | None:
    """Attributed ROMI: (revenue x gross margin - spend) / spend.

    Attributed revenue usually overstates the incremental return, so every
    place that shows this figure labels it "attributed".
    """
    if attributed_revenue is None or gross_margin is None:
        return None
    if actual_spend is None or actual_spend == 0:
        return None
    return (float(attributed_revenue) * gross_margin - float(actual_spend)) / float(actual_spend)


def pipeline_roi(attributed_pipeline: Number | None, actual_spend: Number | None) -> float | None:
    return ratio(attributed_pipeline, actual_spend)


def marketing_cac(actual_spend: Number | None, new_customers: Number | None) -> float | None:
    """Marketing spend per new customer; not blended sales-and-marketing CAC."""
    return ratio(actual_spend, new_customers)


def funnel_conversion(next_stage: Number | None, stage: Number | None) -> float | None:
    return ratio(next_stage, stage)


def win_rate(won: Number | None, lost: Number | None) -> float | None:
    if won is None or lost is None:
        return None
    # Decimal and float do not mix: such a pair raises TypeError, as it always has.
    return ratio(won, won + lost)  # type: ignore[operator]


def rag_status(
    actual: float | None, target: float, comparison: str, tolerance: float
) -> str | None:
    """Green when the target is met, amber inside the tolerance band, red otherwise.

    The band is ``tolerance`` as a share of the target (0.1 = within 10 %).
    No actual means no status, never red.
    """
    if actual is None:
        return None
    band = abs(target) * tolerance
    if comparison == "at_least":
        if actual >= target:
            return "green"
        return "amber" if actual >= target - band else "red"
    if comparison == "at_most":
        if actual <= target:
            return "green"
        return "amber" if actual <= target + band else "red"
    raise ValueError(f"unknown comparison {comparison!r}")
