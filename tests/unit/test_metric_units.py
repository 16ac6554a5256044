"""Each metric's unit, how its values read, and the one conversion of a typed target."""

from __future__ import annotations

import pytest

from alignment.definitions.success import BUDGET_METRICS
from alignment.shared.metric_units import BUDGET_METRIC_KINDS
from alignment.shared.metric_units import UnitKind
from alignment.shared.metric_units import show
from alignment.shared.metric_units import stored_unit_agrees
from alignment.shared.metric_units import target_as_shown
from alignment.shared.metric_units import target_from_shown
from alignment.shared.metric_units import target_meant_before
from alignment.shared.metric_units import unit_of


def test_every_budget_metric_has_a_unit():
    assert set(BUDGET_METRIC_KINDS) == set(BUDGET_METRICS)


@pytest.mark.parametrize(
    ("metric", "kind", "code"),
    [
        ("romi", UnitKind.PERCENT, "%"),
        ("spend_variance_pct", UnitKind.PERCENT, "%"),
        ("roas", UnitKind.MULTIPLE, "x"),
        ("pipeline_roi", UnitKind.MULTIPLE, "x"),
        ("marketing_cac", UnitKind.MONEY, "EUR"),
        ("actual_spend", UnitKind.MONEY, "EUR"),
        ("attributed_revenue", UnitKind.MONEY, "EUR"),
        ("attributed_pipeline", UnitKind.MONEY, "EUR"),
        ("new_customers", UnitKind.COUNT, "count"),
        ("kpi:4", UnitKind.KPI, "MQLs"),
    ],
)
def test_the_unit_follows_the_metric(metric, kind, code):
    unit = unit_of(metric, "EUR", kpi_unit=" MQLs ")
    assert (unit.kind, unit.code) == (kind, code)


@pytest.mark.parametrize(
    ("metric", "typed", "stored"),
    [
        ("romi", 80, 0.8),
        ("romi", 7, 0.07),
        ("romi", -12.5, -0.125),
        ("spend_variance_pct", 5, 0.05),
        ("roas", 3.5, 3.5),
        ("marketing_cac", 12500, 12500),
        ("new_customers", 40, 40),
        ("kpi:1", 12.5, 12.5),
    ],
)
def test_a_target_is_typed_as_shown_and_stored_in_the_metrics_form(metric, typed, stored):
    unit = unit_of(metric, "USD", kpi_unit="%")
    assert target_from_shown(typed, unit) == pytest.approx(stored, abs=0)
    assert target_as_shown(stored, unit) == typed


def test_a_share_reads_back_without_float_noise():
    assert f"{target_as_shown(0.07, unit_of('romi', 'USD')):g}" == "7"
    assert f"{target_as_shown(0.8, unit_of('romi', 'USD')):g}" == "80"


@pytest.mark.parametrize(
    ("metric", "value", "text"),
    [
        ("romi", 9.918, "991.8%"),
        ("romi", 0.8, "80.0%"),
        ("roas", 3.5, "3.50×"),
        ("pipeline_roi", None, "n/a"),
        ("marketing_cac", 12500, "$12,500"),
        ("new_customers", 1234, "1,234"),
    ],
)
def test_values_read_as_the_overview_tiles(metric, value, text):
    assert show(value, unit_of(metric, "USD")) == text


@pytest.mark.parametrize(
    ("kpi_unit", "value", "text"),
    [
        ("count", 690, "690"),
        ("USD", 38500, "$38,500"),
        ("%", 12.5, "12.5 %"),
        ("MQLs", 3, "3 MQLs"),
    ],
)
def test_a_kpi_value_reads_in_the_kpis_unit(kpi_unit, value, text):
    assert show(value, unit_of("kpi:1", "USD", kpi_unit)) == text


@pytest.mark.parametrize(
    ("stored", "metric", "currency", "agrees"),
    [
        ("%", "romi", "USD", True),
        ("ratio", "romi", "USD", True),
        ("USD", "romi", "USD", False),
        ("x", "roas", "USD", True),
        ("%", "roas", "USD", False),
        ("USD", "marketing_cac", "USD", True),
        ("usd", "marketing_cac", "USD", True),
        ("USD", "marketing_cac", "EUR", False),
        ("count", "new_customers", "USD", True),
        ("ratio", "new_customers", "USD", False),
    ],
)
def test_a_stored_unit_agrees_only_when_it_names_the_metrics_form(stored, metric, currency, agrees):
    assert stored_unit_agrees(stored, unit_of(metric, currency)) is agrees


def test_a_kpi_definition_disagrees_once_the_kpis_unit_changed():
    assert stored_unit_agrees("count", unit_of("kpi:1", "USD", "count"))
    assert not stored_unit_agrees("count", unit_of("kpi:1", "USD", "USD"))


def test_what_a_flagged_version_meant_is_read_as_its_screens_showed_it():
    romi = unit_of("romi", "USD")
    assert target_meant_before(80, "%", romi) == 0.8
    assert target_meant_before(0.8, "ratio", romi) == 0.8
    assert target_meant_before(3, "%", unit_of("roas", "USD")) == 3
