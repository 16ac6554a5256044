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
