import pandas as pd
import pytest

from alignment.objectives.funnel import conversions
from alignment.objectives.funnel import funnel_month
from alignment.objectives.funnel import implied_values


def counts(rows):
    frame = pd.DataFrame(rows, columns=["month", "stage", "order", "target", "actual"])
    frame["kpi_id"] = frame["order"]
    return frame


FUNNEL = counts(
    [
        ("2026-10", "Leads", 1, 1000, 1000),
        ("2026-10", "MQLs", 2, 400, 400),
        ("2026-10", "SQLs", 3, 160, 100),
        ("2026-10", "Won", 4, 40, 30),
        ("2026-11", "Leads", 1, 1000, 900),
        ("2026-11", "MQLs", 2, 400, 950),
        ("2026-11", "SQLs", 3, 160, 150),
        ("2026-11", "Won", 4, 40, None),
    ]
)


def test_conversions_per_month_and_step():
    rates = conversions(FUNNEL)
    october = rates[rates["month"] == "2026-10"].set_index("step")
    assert october.loc["Leads → MQLs", "rate"] == pytest.approx(0.4)
    assert october.loc["MQLs → SQLs", "rate"] == pytest.approx(0.25)
    assert october.loc["MQLs → SQLs", "target_rate"] == pytest.approx(0.4)
    november = rates[rates["month"] == "2026-11"].set_index("step")
    assert november.loc["SQLs → Won", "rate"] is None or pd.isna(november.loc["SQLs → Won", "rate"])


def test_the_month_names_where_it_lost_most_against_target():
    october = funnel_month(FUNNEL, "2026-10")
    assert october.biggest_loss == "MQLs → SQLs"
    sqls = next(s for s in october.stages if s.stage == "SQLs")
    assert sqls.vs_target == pytest.approx(100 / 160 - 1)
    assert sqls.conversion == pytest.approx(0.25)


def test_a_stage_larger_than_the_one_above_is_flagged_not_refused():
    november = funnel_month(FUNNEL, "2026-11")
    flags = {s.stage: s.larger_than_above for s in november.stages}
    assert flags == {"Leads": False, "MQLs": True, "SQLs": False, "Won": False}


def test_implied_values_move_each_level_by_the_change_below():
    assert implied_values(3, [2, 100, 40], [10, 0.4]) == [110, 44]
    assert implied_values(2, [2, 100, 40], [10, 0.4]) == [100, 40]
    assert implied_values(3, [2, None, 40], [10, 0.4]) == [None, None]
    assert implied_values(3, [2, 100, 40], [None, 0.4]) == [None, None]


def test_monthly_counts_table_in_funnel_order_newest_first():
    from alignment.objectives.funnel import monthly_counts

    table = monthly_counts(FUNNEL)
    assert list(table.columns) == ["Leads", "MQLs", "SQLs", "Won"]
    assert list(table.index) == ["2026-11", "2026-10"]
    assert table.loc["2026-10", "SQLs"] == 100


def test_the_usual_month_averages_only_the_months_with_an_actual():
    from alignment.objectives.funnel import usual_level

    # Webinars: 2, 3 and 2 in three of six months: usually 7 / 3, not 7 / 6.
    assert usual_level([2, 3, 2]) == pytest.approx(2.3333333)
    assert usual_level([]) is None
    assert usual_level([0, 0]) == 0


def test_a_rate_comes_from_the_months_both_kpis_have_and_is_shared_among_feeders():
    from alignment.objectives.funnel import observed_rate

    mqls = {"2026-05": 100.0, "2026-06": 120.0, "2026-07": 80.0}
    webinars = {"2026-06": 3.0, "2026-07": 2.0, "2026-08": 4.0}
    # June and July only: (120 + 80) / (3 + 2) = 40 MQLs per webinar.
    assert observed_rate(mqls, webinars, 1) == (pytest.approx(40.0), 2)
    # Shared with one other feeder that has figures: half of it, 20.
    assert observed_rate(mqls, webinars, 2) == (pytest.approx(20.0), 2)
    assert observed_rate(mqls, {"2026-01": 5.0}, 1) == (None, 0)


def test_no_kpi_is_implied_below_zero_nor_as_minus_zero():
    # 0 webinars: 80 + (0 - 2) * 40 = 0 exactly in theory, a hair below in floating point.
    implied = implied_values(0.0, [7 / 3, 90.0, 36.0], [90 / (7 / 3), 0.4])
    assert implied == [pytest.approx(0.0, abs=1e-9), pytest.approx(0.0, abs=1e-9)]
    assert all(str(v) == "0.0" for v in implied)
    # 30 - (5 - 0) * 10 = -20: shown as 0, and what it feeds moves from 30 down to 0.
    assert implied_values(0, [5, 30, 12], [10, 0.4]) == [0, 0]
