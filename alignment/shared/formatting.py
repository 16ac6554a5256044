"""How figures read: money, ratios and percentages in the company's currency and locale (Babel).

Every page and export formats through these functions, so a figure reads
the same wherever it appears; a missing value always reads "n/a".
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.numbers import NumberPattern
from babel.numbers import format_compact_currency
from babel.numbers import format_currency
from babel.numbers import format_decimal
from babel.numbers import format_percent
from babel.numbers import parse_pattern

NA = "n/a"


def _missing(value: object) -> bool:
    """None, NaN and pandas' NA all read as n/a."""
    if value is None:
        return True
    try:
        return bool(value != value)
    except TypeError:
        return True


@lru_cache(maxsize=32)
def _whole_units_pattern(locale: str) -> NumberPattern:
    pattern = parse_pattern(Locale.parse(locale).currency_formats["standard"].pattern)
    pattern.frac_prec = (0, 0)
    return pattern


def money(value: Decimal | float | int | None, currency: str, locale: str = "en_US") -> str:
    """Whole currency units, half rounded up: executives read $1,234,567, not $1,234,567.49."""
    if _missing(value):
        return NA
    whole = Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return _whole_units_pattern(locale).apply(
        whole, locale, currency=currency, currency_digits=False
    )


COMPACT_FROM = 1_000_000
"""From a million on, a tile reads $4.73M: the full amount does not fit a quarter of a
screen and an executive reads millions to two decimals anyway."""


def money_short(value: Decimal | float | int | None, currency: str, locale: str = "en_US") -> str:
    """Money for a tile: as ``money`` below a million, in millions (billions) above."""
    if _missing(value):
        return NA
    if abs(Decimal(str(value))) < COMPACT_FROM:
        return money(value, currency, locale)
    return format_compact_currency(Decimal(str(value)), currency, locale=locale, fraction_digits=2)


def money_exact(value: Decimal | float | int | None, currency: str, locale: str = "en_US") -> str:
    if _missing(value):
        return NA
    return format_currency(Decimal(str(value)), currency, locale=locale)


def multiple(value: float | None, locale: str = "en_US") -> str:
    """A return multiple such as ROAS: 2.41×."""
    if value is None or _missing(value):
        return NA
    return f"{format_decimal(value, format='#,##0.00', locale=locale)}×"


def percent(value: float | None, locale: str = "en_US", signed: bool = False) -> str:
    if value is None or _missing(value):
        return NA
    text = format_percent(value, format="#,##0.0%", locale=locale)
    return f"+{text}" if signed and value > 0 else text


def count(value: float | int | None, locale: str = "en_US") -> str:
    if value is None or _missing(value):
        return NA
    return format_decimal(value, format="#,##0.##", locale=locale)


def score(value: float | None) -> str:
    """An alignment score on the 0-100 scale."""
    return NA if _missing(value) else f"{value:.0f}/100"


def date(value: dt.date | str | None) -> str:
    """A day as every screen writes it, 15 Dec 2026, never 2026-12-15; a snapshot's ISO text
    (a closed review stores its dates as text) reads the same as the date itself."""
    if _missing(value) or value == "":
        return NA
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return f"{value:%d %b %Y}"
