"""How every import names a bad cell (alignment/spreadsheet.py)."""

from alignment.spreadsheet import CellProblem
from alignment.spreadsheet import row_problem


def test_every_import_names_a_bad_cell_the_same_way():
    """Issue 16: the budget, KPI and finance imports each wrote their own message."""
    assert str(CellProblem(3, "Cost", "x" * 50, "is not an amount")) == (
        f"Row 3, column 'Cost': '{'x' * 37}...' is not an amount."
    )
    assert row_problem(2, "kpi", "there is no KPI called 'Vibes'") == (
        "Row 2, column 'kpi': there is no KPI called 'Vibes'."
    )
