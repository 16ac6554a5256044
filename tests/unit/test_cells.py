import math

import pandas as pd
import pytest

from alignment.files.cells import decimal_comma_evidence
from alignment.files.cells import parse_amounts
from alignment.files.cells import parse_months


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03", "2026-03"),
        ("2026-3", "2026-03"),
        ("2026-03-01", "2026-03"),
        ("2026-03-01 00:00:00", "2026-03"),
        ("2026-03-01T00:00:00", "2026-03"),
        ("2026/03", "2026-03"),
        ("Mar 2026", "2026-03"),
        ("March 2026", "2026-03"),
        ("mar-2026", "2026-03"),
        ("Sept. 2026", "2026-09"),
        ("März 2026", "2026-03"),
        ("03/2026", "2026-03"),
        ("3/2026", "2026-03"),
        ("12.2025", "2025-12"),
        (" 2026-11 ", "2026-11"),
    ],
)
def test_months_in_the_forms_executives_write(text, expected):
    months, reasons = parse_months(pd.Series([text]))
    assert pd.isna(reasons[0])
    assert months[0] == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-13", "no such month"),
        ("13/2026", "no such month"),
        ("2026-00", "no such month"),
        ("Smarch 2026", "not a month"),
        ("next month", "not a month"),
        ("", "missing"),
        ("1066-10", "before 1990"),
        ("46082", "not a month"),
        ("٢٠٢٦-٠٣", "not a month"),
        ("٢٠٢٦-03", "not a month"),
    ],
)
def test_unreadable_months_say_why(text, reason):
    months, reasons = parse_months(pd.Series([text]))
    assert pd.isna(months[0])
    assert reason in reasons[0]


@pytest.mark.parametrize(
    ("text", "decimal_comma", "expected"),
    [
        ("1234.5", False, 1234.5),
        ("1,234.50", False, 1234.5),
        ("1.234,50", True, 1234.5),
        ("1.234,50", False, 1234.5),
        ("1 234,50", True, 1234.5),
        ("1\u00a0234,50", True, 1234.5),
        ("1\u202f234,50", False, 1234.5),
        ("1'234.50", False, 1234.5),
        ("$1,234.50", False, 1234.5),
        ("€ 1.234,50", True, 1234.5),
        ("1.234,50 €", True, 1234.5),
        ("USD 1,234.50", False, 1234.5),
        ("1234,5 EUR", True, 1234.5),
        ("-5", False, -5.0),
        ("(5)", False, -5.0),
        ("($1,234.50)", False, -1234.5),
        ("−5", False, -5.0),
        ("1,234", False, 1234.0),
        ("1,234", True, 1.234),
        ("1.234", False, 1.234),
        ("1.234", True, 1234.0),
        ("1,234,567", True, 1234567.0),
        ("1.234.567", False, 1234567.0),
        ("12,5", False, 12.5),
        ("0", False, 0.0),
        (".5", False, 0.5),
        ("1e3", False, 1000.0),
        ("999999999999.99", False, 999999999999.99),
    ],
)
def test_amounts_in_the_formats_executives_send(text, decimal_comma, expected):
    numbers, reasons = parse_amounts(pd.Series([text]), decimal_comma)
    assert pd.isna(reasons[0])
    assert numbers[0] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("twelve", "not an amount"),
        ("12abc", "not an amount"),
        ("1,2,3", "not an amount"),
        ("1.2.3,4.5", "not an amount"),
        ("1e308", "too large"),
        ("1000000000000", "too large"),
        ("--5", "not an amount"),
        ("=1+2", "not an amount"),
        ("١٢٣", "not an amount"),
        ("12.٥", "not an amount"),
    ],
)
def test_unreadable_amounts_say_why(text, reason):
    numbers, reasons = parse_amounts(pd.Series([text]), False)
    assert math.isnan(numbers[0])
    assert reason in reasons[0]


def test_empty_amount_is_missing_not_an_error():
    numbers, reasons = parse_amounts(pd.Series(["", "  "]), False)
    assert numbers.isna().all() and reasons.isna().all()


def test_decimal_comma_evidence_reads_the_whole_column():
    assert decimal_comma_evidence(pd.Series(["1.234,50", "12,5", "1,234"])) > 0
    assert decimal_comma_evidence(pd.Series(["1,234.50", "12.5", "1.234"])) < 0
    assert decimal_comma_evidence(pd.Series(["1,234", "1.234", "100"])) == 0


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["1234.5", "12", "1,234.50", "1.234,50"], False),
        (["1,234"], True),
        (["€1.234"], True),
        (["1.234 EUR"], True),
        (["1.234.567", "12,345.67"], False),
    ],
)
def test_ambiguous_amounts_are_spotted(cells, expected):
    from alignment.files.cells import has_ambiguous_amounts

    assert has_ambiguous_amounts(pd.Series(cells)) is expected


def test_a_column_mixing_scripts_reads_the_ascii_cells_and_names_the_rest():
    """The bulk path and the cell-by-cell path meet in one column without crashing."""
    months, month_reasons = parse_months(pd.Series(["2026-03", "٢٠٢٦-٠٣", "Mar 2026", "2026-13"]))
    assert list(months[[0, 2]]) == ["2026-03", "2026-03"]
    assert month_reasons.notna().tolist() == [False, True, False, True]
    numbers, amount_reasons = parse_amounts(pd.Series(["12.5", "١٢", "1.234,50"]), False)
    assert numbers[0] == 12.5 and numbers[2] == 1234.5 and math.isnan(numbers[1])
    assert amount_reasons.notna().tolist() == [False, True, False]
