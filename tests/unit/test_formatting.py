from decimal import Decimal

import pytest

from alignment.shared import formatting as fmt


@pytest.mark.parametrize(
    ("value", "currency", "locale", "expected"),
    [
        (Decimal("1234567.49"), "USD", "en_US", "$1,234,567"),
        (Decimal("1234567.50"), "USD", "en_US", "$1,234,568"),
        (Decimal("-24900.76"), "USD", "en_US", "-$24,901"),
        (1234.5, "EUR", "de_DE", "1.235\xa0€"),
        (None, "USD", "en_US", "n/a"),
    ],
)
def test_money_in_whole_units(value, currency, locale, expected):
    assert fmt.money(value, currency, locale) == expected


def test_ratios_percentages_counts_and_scores():
    assert fmt.multiple(2.40107) == "2.40×"
    assert fmt.multiple(None) == "n/a"
    assert fmt.percent(0.776794) == "77.7%"
    assert fmt.percent(0.0575, signed=True) == "+5.8%"
    assert fmt.percent(-0.0575, signed=True) == "-5.8%"
    assert fmt.percent(None) == "n/a"
    assert fmt.count(1234) == "1,234"
    assert fmt.count(None) == "n/a"
    assert fmt.score(61.8) == "62/100"
    assert fmt.score(None) == "n/a"


@pytest.mark.parametrize("missing", [None, float("nan"), __import__("pandas").NA])
def test_every_kind_of_missing_reads_na(missing):
    assert fmt.money(missing, "USD") == "n/a"
    assert fmt.percent(missing) == "n/a"
    assert fmt.multiple(missing) == "n/a"
    assert fmt.count(missing) == "n/a"
    assert fmt.score(missing) == "n/a"


@pytest.mark.parametrize(
    ("value", "currency", "locale", "expected"),
    [
        (999_999.49, "USD", "en_US", "$999,999"),
        (4_730_812, "USD", "en_US", "$4.73M"),
        (-1_234_567, "USD", "en_US", "-$1.23M"),
        (2_500_000_000, "USD", "en_US", "$2.5B"),
        (4_730_812, "EUR", "de_DE", "4,73\u00a0Mio.\u00a0€"),
        (None, "USD", "en_US", "n/a"),
    ],
)
def test_tile_money_reads_millions_from_a_million_on(value, currency, locale, expected):
    assert fmt.money_short(value, currency, locale) == expected
