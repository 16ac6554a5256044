"""The forecast from a spreadsheet on the team store of tests/db/test_forecast.py (today
15 June 2019, the fiscal year April 2019 to March 2020): every bad cell named by row and
column, nothing written unless every row is right."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest

from alignment.files.column_mapping import MappingNeeded
from alignment.shared import clock
from alignment.shared.errors import PermissionDenied
from alignment.shared.errors import ValidationFailed
from alignment.spend.forecast import ForecastBasis
from alignment.spend.forecast import forecast_frame
from alignment.spend.forecast import start_forecast
from alignment.spend.forecast_import import import_forecast
from alignment.spend.forecast_import import read_forecast_file
from alignment.spend.forecast_import import remembered_mapping
from alignment.spend.landing import fiscal_year
from alignment.spend.landing import landing
from tests.db.test_forecast import TODAY
from tests.db.test_forecast import by_channel
from tests.db.test_forecast import team  # noqa: F401  (the fixture)

GOOD = (
    b"Month;Channel;Campaign;Spend;Revenue\n"
    b"Jul 2019;Events;Autumn fair;8.000,50;20.000\n"
    b"2019-08;Podcasts;;1.500;\n"
)


def test_a_file_adds_lines_and_replaces_only_the_figures_it_holds(store, team):  # noqa: F811
    with clock.pinned(TODAY), store.session() as session:
        start_forecast(session, team["CMO"], ForecastBasis.PLAN)
        checked = read_forecast_file(session, team["CMO"], GOOD, "forecast-q2.csv")
        assert checked.problems == [] and checked.fields == ("spend", "revenue")
        assert checked.new_channels == ("Podcasts",)
        assert import_forecast(session, team["CMO"], checked) == 2
        frame = forecast_frame(session, team["CMO"])
        result = landing(session, team["CFO"], fiscal_year(session, team["CFO"]))
    fair = frame[frame["campaign"] == "Autumn fair"].iloc[0]
    assert (fair["month"], fair["spend"], fair["revenue"], fair["pipeline"]) == (
        "2019-07",
        Decimal("8000.50"),
        Decimal("20000.00"),
        None,
    )
    assert fair["spend_from"] == "imported" and pd.isna(fair["pipeline_from"])
    podcasts = frame[frame["channel"] == "Podcasts"].iloc[0]
    assert (podcasts["spend"], podcasts["revenue"]) == (Decimal("1500.00"), None)
    # Events: 10,000 to date + 4 x 5,000 from the plan + 8,000.50 for the fair
    assert by_channel(result)["Events"].landing == Decimal("38000.50")
    assert by_channel(result)["Podcasts"].landing == Decimal("1500.00")
    assert len(frame) == 14 + 2


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (["2019-05", "Search", "", 100], "Row 3, column 'month': '2019-05' is over; its actuals"),
        (["2020-04", "Search", "", 100], "is after this fiscal year (which ends March 2020)"),
        (["2019-13", "Search", "", 100], "Row 3, column 'month': '2019-13'"),
        (["2019-07", "Search", "", -5], "Row 3, column 'spend': '-5' is negative"),
        (["2019-07", "Search", "", "lots"], "Row 3, column 'spend': 'lots'"),
        (["2019-07", "", "", 100], "Row 3, column 'channel': the channel is missing"),
        (["2019-07", "Search", "Brand", 100], "Row 3 repeats row 2"),
    ],
)
def test_one_bad_row_names_its_cell_and_nothing_is_imported(store, team, row, problem):  # noqa: F811
    data = _xlsx(
        [["month", "channel", "campaign", "spend"], ["2019-07", "Search", "Brand", 100], row]
    )
    with clock.pinned(TODAY), store.session() as session:
        checked = read_forecast_file(session, team["CMO"], data, "forecast.xlsx")
        assert any(problem in str(p) for p in checked.problems), checked.problems
        with pytest.raises(ValidationFailed, match="Nothing was imported"):
            import_forecast(session, team["CMO"], checked)
        assert forecast_frame(session, team["CMO"]).empty


def test_a_file_without_the_columns_it_needs_is_one_sentence(store, team):  # noqa: F811
    with clock.pinned(TODAY), store.session() as session:
        with pytest.raises(MappingNeeded, match=r"not SamePage's own \(when\)"):
            read_forecast_file(session, team["CMO"], b"when,spend\n2019-07,5\n", "f.csv")
        with pytest.raises(ValidationFailed, match="no spend, pipeline, revenue or new"):
            read_forecast_file(session, team["CMO"], b"month,channel\n2019-07,Search\n", "f.csv")
        with pytest.raises(PermissionDenied):
            read_forecast_file(session, team["CFO"], GOOD, "f.csv")


PLANNER = b"Period;Medium;Forecast spend\nJul 2019;Events;7.000\n"
PLANNER_MAP = {"month": "Period", "channel": "Medium", "spend": "Forecast spend"}


def test_other_headers_are_mapped_once_and_the_mapping_is_remembered(store, team):  # noqa: F811
    with clock.pinned(TODAY), store.session() as session:
        with pytest.raises(MappingNeeded) as needed:
            read_forecast_file(session, team["CMO"], PLANNER, "planner-2019-06.csv")
        assert needed.value.suggestion["spend"] == "Forecast spend"
        checked = read_forecast_file(
            session, team["CMO"], PLANNER, "planner-2019-06.csv", given=PLANNER_MAP
        )
        assert import_forecast(session, team["CMO"], checked) == 1
        assert remembered_mapping(session, "planner") == PLANNER_MAP
        again = read_forecast_file(
            session,
            team["CMO"],
            PLANNER,
            "planner-2019-07.csv",
            remembered=remembered_mapping(session, "planner"),
        )
        assert again.mapping == PLANNER_MAP
        events = forecast_frame(session, team["CMO"])
    july = events[(events["channel"] == "Events") & (events["month"] == "2019-07")].iloc[0]
    assert july["spend"] == Decimal("7000.00")
