"""How every import names a bad cell (alignment/files/spreadsheet.py)."""

from alignment.files.spreadsheet import CellProblem
from alignment.files.spreadsheet import row_problem


def test_every_import_names_a_bad_cell_the_same_way():
    """Issue 16: the budget, KPI and finance imports each wrote their own message."""
    assert str(CellProblem(3, "Cost", "x" * 50, "is not an amount")) == (
        f"Row 3, column 'Cost': '{'x' * 37}...' is not an amount."
    )
    assert row_problem(2, "kpi", "there is no KPI called 'Vibes'") == (
        "Row 2, column 'kpi': there is no KPI called 'Vibes'."
    )


def test_a_column_is_found_by_one_rule_in_every_import():
    """Issue 16: each import matched headers itself, and a KPI or finance file with a 'Date'
    or 'Monat' column was refused where the budget import read it."""
    from alignment.files.spreadsheet import find_columns
    from alignment.objectives.kpis import KPI_FILE_COLUMNS
    from alignment.spend.budget_import import suggest_mapping
    from alignment.spend.reconciliation import FINANCE_HEADERS

    for month in ("Date", "Monat", " Period ", "MONTH"):
        assert find_columns([" KPI", month, "Actual"], KPI_FILE_COLUMNS) == {
            "kpi": " KPI",
            "month": month,
            "target": None,
            "actual": "Actual",
        }
        assert find_columns(["Booked-Spend", month], FINANCE_HEADERS) == {
            "month": month,
            "finance_spend": "Booked-Spend",
        }
        assert suggest_mapping(["Kanal", month, "Cost"])["month"] == month


def test_the_first_name_a_file_has_wins():
    from alignment.files.spreadsheet import find_columns

    names = {"month": ("month", "period", "date")}
    assert find_columns(["date", "Period", "Month"], names) == {"month": "Month"}
    assert find_columns(["date", "period"], names) == {"month": "period"}
    assert find_columns(["when"], names) == {"month": None}
