import datetime as dt

import pandas as pd
import pytest

from alignment.files.cells import parse_months
from alignment.shared.errors import InvalidPeriod
from alignment.shared.periods import add_months
from alignment.shared.periods import current_month
from alignment.shared.periods import fiscal_year_start
from alignment.shared.periods import month_difference
from alignment.shared.periods import parse_month
from alignment.shared.periods import parse_period
from alignment.shared.periods import quarter_of
from alignment.shared.periods import quarter_to_date
from alignment.shared.periods import year_to_date


@pytest.mark.parametrize(
    ("text", "first", "last", "label"),
    [
        ("2026-03", "2026-03", "2026-03", "March 2026"),
        ("2026-Q1", "2026-01", "2026-03", "Q1 2026"),
        ("2026-q4", "2026-10", "2026-12", "Q4 2026"),
        ("2026", "2026-01", "2026-12", "2026"),
        ("2025-11..2026-02", "2025-11", "2026-02", "Nov 2025 – Feb 2026"),
        (" 2026-03 ", "2026-03", "2026-03", "March 2026"),
    ],
)
def test_parse_period_reads_every_documented_form(text, first, last, label):
    period = parse_period(text)
    assert (period.first, period.last, period.label) == (first, last, label)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-13", "month number must be 01 to 12"),
        ("2026-00", "month number must be 01 to 12"),
        ("2026-Q5", "not a period SamePage knows"),
        ("March", "not a period SamePage knows"),
        ("", "not a period SamePage knows"),
        ("2026-03..2026-01", "ends before it starts"),
        ("0099", "not a period SamePage knows"),
    ],
)
def test_parse_period_refuses_with_a_specific_sentence(text, message):
    with pytest.raises(InvalidPeriod, match=message):
        parse_period(text)


def test_period_code_round_trips_through_parse():
    for text in ["2026-03", "2026-Q2", "2026", "2025-11..2026-02"]:
        period = parse_period(text)
        assert parse_period(period.code).months == period.months


def test_previous_period_has_the_same_length_and_ends_just_before():
    quarter = parse_period("2026-Q1")
    before = quarter.previous()
    assert (before.first, before.last) == ("2025-10", "2025-12")
    assert parse_period("2026-01").previous().first == "2025-12"


@pytest.mark.parametrize(
    ("month", "count", "expected"),
    [
        ("2026-01", -1, "2025-12"),
        ("2026-12", 1, "2027-01"),
        ("2026-05", 0, "2026-05"),
        ("2026-05", -24, "2024-05"),
    ],
)
def test_add_months_crosses_years(month, count, expected):
    assert add_months(month, count) == expected
    assert month_difference(month, expected) == count


def test_to_date_periods_follow_the_fiscal_year():
    assert (quarter_to_date("2026-11").first, quarter_to_date("2026-11").last) == (
        "2026-10",
        "2026-11",
    )
    assert year_to_date("2026-11").first == "2026-01"
    assert year_to_date("2026-02", fiscal_year_start_month=4).first == "2025-04"
    assert quarter_to_date("2026-06", fiscal_year_start_month=4).first == "2026-04"
    assert quarter_to_date("2026-03", fiscal_year_start_month=2).first == "2026-02"
    assert fiscal_year_start("2026-03", 4) == "2025-04"


def test_month_helpers():
    assert parse_month("2026-3".replace("-3", "-03")) == "2026-03"
    assert quarter_of("2026-11") == "2026-Q4"
    assert current_month(dt.date(2026, 2, 28)) == "2026-02"


@pytest.mark.parametrize("typed", ["1026-03", "1989-12"])
def test_a_month_before_1990_is_refused_by_the_form_and_the_import_alike(typed):
    """Issue 16: the form took 1900-1989, the import refused them."""
    with pytest.raises(InvalidPeriod, match="before 1990; check the year"):
        parse_month(typed)
    months, reasons = parse_months(pd.Series([typed]))
    assert months.isna().all() and "before 1990" in reasons.iloc[0]
    assert parse_month("1990-01") == "1990-01"
