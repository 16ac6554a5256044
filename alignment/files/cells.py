"""Reading months and amounts written the way executives write them, a whole column at a time.

Amounts: ``1234.5``, ``1,234.50``, ``1.234,50``, ``1 234,50``, ``1'234.50``, with or
without a currency symbol or code, negatives as ``-5`` or ``(5)``.
Months: ``2026-03``, ``2026-03-01``, ``2026/03``, ``Mar 2026``, ``March 2026``,
``03/2026``, ``3.2026``.

Each parser returns the parsed values and, per cell, the reason it could not be
read (or None), so a caller can list every bad cell instead of stopping at the first.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from alignment.shared.money import to_cents
from alignment.shared.periods import FIRST_YEAR
from alignment.shared.text import NAME_CONTROL_CHARACTERS

MAX_AMOUNT = 999_999_999_999.99
"""The largest amount SamePage stores; beyond it a figure is a typing error, not a budget."""

MONTH_FORMS = "2026-03, 2026-03-01, Mar 2026 or 03/2026"

_MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january", "januar", "janvier", "enero"),
            ("feb", "february", "februar", "fév", "fev", "février", "febrero"),
            ("mar", "march", "mär", "mrz", "märz", "mars", "marzo"),
            ("apr", "april", "avr", "avril", "abr", "abril"),
            ("may", "mai", "mayo"),
            ("jun", "june", "juni", "juin", "junio"),
            ("jul", "july", "juli", "juil", "juillet", "julio"),
            ("aug", "august", "aoû", "août", "ago", "agosto"),
            ("sep", "sept", "september", "septembre", "septiembre"),
            ("oct", "october", "okt", "oktober", "octobre", "octubre"),
            ("nov", "november", "novembre", "noviembre"),
            ("dec", "december", "dez", "dezember", "déc", "décembre", "dic", "diciembre"),
        ],
        start=1,
    )
    for name in names
}

_CURRENCY = r"[$€£¥₹]|\b(?:USD|EUR|GBP|CHF|JPY|SEK|NOK|DKK|CAD|AUD|INR)\b"
_SPACES = r"[\s\u00a0\u202f\u2009']"

CURRENCY_SYMBOLS = {
    "$": frozenset({"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN"}),
    "€": frozenset({"EUR"}),
    "£": frozenset({"GBP"}),
    "¥": frozenset({"JPY", "CNY"}),
    "₹": frozenset({"INR"}),
}
"""Which store currencies a symbol can stand for: "$" is any dollar, "¥" yen or yuan."""


def currency_marks(values: pd.Series) -> pd.Series:
    """The currency symbol or (upper-case) code each cell carries, NA where none: amounts
    are read without it, so a file in another currency must be caught here."""
    array = pa.array(values.astype("string[pyarrow]"), type=pa.large_string())
    marked = pc.fill_null(pc.match_substring_regex(array, _CURRENCY, ignore_case=True), False)
    marks = pd.Series(pd.NA, index=values.index, dtype=object)
    if pc.any(marked).as_py():
        where = np.asarray(marked.to_numpy(zero_copy_only=False), dtype=bool)
        found = values[where].astype(str).str.extract(f"({_CURRENCY})", flags=re.IGNORECASE)[0]
        marks[where] = found.str.upper()
    return marks


def in_currency(mark: str, currency: str) -> bool:
    """Whether a cell's symbol or code can mean the store's currency."""
    return currency.upper() in CURRENCY_SYMBOLS.get(mark, frozenset({mark.upper()}))


def _parse_months_slow(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Every form of month, cell by cell; only for cells the fast path did not read."""
    text = values.astype(str).str.strip()
    year = pd.Series(np.nan, index=text.index)
    month = pd.Series(np.nan, index=text.index)

    def take(pattern: str, year_group: int, month_group: int) -> None:
        found = text.str.extract(pattern)
        hit = found[0].notna() & year.isna()
        year[hit] = pd.to_numeric(found.loc[hit, year_group])
        month[hit] = pd.to_numeric(found.loc[hit, month_group])

    take(r"^([0-9]{4})[-/.]([0-9]{1,2})(?:[-/.]([0-9]{1,2}))?(?:[ T][0-9:.]+)?$", 0, 1)
    take(r"^([0-9]{1,2})[/.\-]([0-9]{4})$", 1, 0)
    named = text.str.extract(r"^([^\W\d_]{3,9})\.?[\s\-/]*([0-9]{4})$")
    number = named[0].str.lower().map(_MONTH_NAMES)
    hit = number.notna() & year.isna()
    year[hit] = pd.to_numeric(named.loc[hit, 1])
    month[hit] = number[hit]

    reason = pd.Series(None, index=text.index, dtype=object)
    reason[text == ""] = "the month is missing"
    unreadable = year.isna() & (text != "")
    reason[unreadable] = f"is not a month SamePage can read; write it as {MONTH_FORMS}"
    out_of_range = year.notna() & ~month.between(1, 12)
    reason[out_of_range] = "has no such month: months run from 01 to 12"
    early = year.notna() & (year < FIRST_YEAR)
    reason[early & ~out_of_range] = f"is before {FIRST_YEAR}; check the year"
    good = reason.isna()
    months = pd.Series(None, index=text.index, dtype=object)
    months[good] = [
        f"{int(y):04d}-{int(m):02d}" for y, m in zip(year[good], month[good], strict=True)
    ]
    return months, reason


def _evidence_slow(values: pd.Series) -> int:
    text = _bare(values.astype(str))
    comma = text.str.match(
        r"^[0-9]*(?:\.[0-9]{3})*,[0-9]{1,2}$|^[0-9]*(?:\.[0-9]{3})*,[0-9]{4,}$"
        r"|^[0-9]{1,3}(?:\.[0-9]{3}){2,}$"
    )
    point = text.str.match(
        r"^[0-9]*(?:,[0-9]{3})*\.[0-9]{1,2}$|^[0-9]*(?:,[0-9]{3})*\.[0-9]{4,}$"
        r"|^[0-9]{1,3}(?:,[0-9]{3}){2,}$"
    )
    both_comma_last = text.str.match(r"^[0-9]{1,3}(?:\.[0-9]{3})+,[0-9]+$")
    both_point_last = text.str.match(r"^[0-9]{1,3}(?:,[0-9]{3})+\.[0-9]+$")
    return int((comma | both_comma_last).sum()) - int((point | both_point_last).sum())


def _bare(text: pd.Series) -> pd.Series:
    """Digits and separators only: no currency, spaces, sign or parentheses."""
    text = text.str.strip()
    text = text.str.replace(r"^\((.*)\)$", r"\1", regex=True)
    text = text.str.replace(_CURRENCY, "", regex=True, case=False)
    text = text.str.replace(_SPACES, "", regex=True)
    return text.str.replace(r"^[-−–+]", "", regex=True)


def _parse_amounts_slow(values: pd.Series, decimal_comma: bool) -> tuple[pd.Series, pd.Series]:
    """Every form of amount, cell by cell; only for cells the fast path did not read."""
    raw = values.astype(str).str.strip()
    text = raw.str.replace(_CURRENCY, "", regex=True, case=False)
    text = text.str.replace(_SPACES, "", regex=True)
    negative = text.str.match(r"^\(.*\)$") | text.str.match(r"^[-−–]")
    text = text.str.replace(r"^\((.*)\)$", r"\1", regex=True)
    text = text.str.replace(r"^[-−–+]", "", regex=True)

    normal = pd.Series(None, index=text.index, dtype=object)
    scientific = text.str.match(r"^[0-9]+(?:\.[0-9]+)?[eE][+-]?[0-9]+$")
    normal[scientific] = text[scientific]
    plain = text.str.match(r"^[0-9]+$") | (
        text.str.match(r"^[0-9]*\.[0-9]+$") & ~text.str.match(r"^[0-9]{1,3}\.[0-9]{3}$")
    )
    normal[plain & normal.isna()] = text[plain & normal.isna()]
    rules = [
        (r"^[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?$", ",", "."),  # 1,234,567.89
        (r"^[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?$", ".", ","),  # 1.234.567,89
        (r"^[0-9]*,[0-9]+$", "", ","),  # 1234,5
    ]
    ambiguous_thousands = text.str.match(r"^[0-9]{1,3}[.,][0-9]{3}$")
    for pattern, thousands, decimal in rules:
        hit = text.str.match(pattern) & normal.isna() & ~ambiguous_thousands
        cleaned = text[hit]
        if thousands:
            cleaned = cleaned.str.replace(thousands, "", regex=False)
        normal[hit] = cleaned.str.replace(decimal, ".", regex=False)
    hit = ambiguous_thousands & normal.isna()
    separator_is_decimal = text[hit].str.contains("," if decimal_comma else ".", regex=False)
    normal[hit] = np.where(
        separator_is_decimal,
        text[hit].str.replace(",", "."),
        text[hit].str.replace(r"[.,]", "", regex=True),
    )
    numbers = pd.to_numeric(normal, errors="coerce").astype(float)
    numbers[negative] = -numbers[negative]

    reason = pd.Series(None, index=text.index, dtype=object)
    unreadable = numbers.isna() & (raw != "")
    reason[unreadable] = "is not an amount SamePage can read (expected e.g. 1234.50 or 1.234,50)"
    too_large = numbers.abs() > MAX_AMOUNT
    reason[too_large] = "is too large: amounts above 999,999,999,999.99 are refused"
    numbers[unreadable | too_large] = np.nan
    return numbers, reason


# Digits are ASCII 0-9 throughout: spreadsheets write no others, Arrow casts no others,
# and a cell in another script's digits gets a reason instead of a guess.
_PLAIN_MONTH = r"[0-9]{4}-[0-9]{2}"
_PLAIN_NUMBER = r"[0-9]+(?:\.[0-9]+)?"
_AMBIGUOUS = r"[0-9]{1,3}\.[0-9]{3}"
_POINT_DECIMALS = r"[0-9]*\.(?:[0-9]{1,2}|[0-9]{4,})"


def cell_text(values: pd.Series) -> pd.Series:
    """Cells as text without surrounding spaces, blanks as ""; no column is copied to fill
    blanks it does not have, which on a million-line file is tens of MB per column."""
    text = values if values.dtype == "str" else values.astype("str")
    if text.hasnans:
        text = text.fillna("")
    return text.str.strip()


def parse_months(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``YYYY-MM`` per cell (None where unreadable) and the reason per unreadable cell.

    Cells already written as ``YYYY-MM`` are read in bulk, compared as text so that a
    million of them never become Python objects; only the others go through the
    slower reading of every other form.
    """
    text = cell_text(values)
    plain = text.str.fullmatch(_PLAIN_MONTH).fillna(False).to_numpy(dtype=bool)
    read = np.zeros(len(text), dtype=bool)
    if plain.any():
        plain_text = text[plain]
        number = plain_text.str.slice(5, 7)
        good = number.between("01", "12") & (plain_text >= f"{FIRST_YEAR:04d}")
        read[np.flatnonzero(plain)[good.to_numpy(dtype=bool)]] = True
    months = text.where(read)
    reason = pd.Series(None, index=text.index, dtype=object)
    rest = ~read
    if rest.any():
        slow_months, slow_reason = _parse_months_slow(text[rest])
        months[rest] = slow_months.astype("str")
        reason[rest] = slow_reason
    return months, reason


DATE_FORMS = "2026-03-15, 15.03.2026 or 15/03/2026"

_ISO_DAY = r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[ T][0-9:.]+)?"
_DOTTED_DAY = r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})"
_SLASHED_DAY = r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})"


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Days (``datetime64``, NaT where unreadable) and the reason per unreadable cell.

    ``2026-03-15`` and ``15.03.2026`` say which part is the day; ``03/04/2026`` does not,
    so the column settles it: a first part above 12 anywhere in it means day first, a
    second part above 12 means month first (the US way). A column that never settles it,
    or settles it both ways, gets a reason for each slashed cell instead of a guess.
    Cells already written ``YYYY-MM-DD`` are read in bulk; only the others one by one.
    """
    text = cell_text(values)
    plain = text.str.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}").fillna(False).to_numpy(dtype=bool)
    days = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    reason = pd.Series(None, index=text.index, dtype=object)
    if plain.any():
        days[plain] = pd.to_datetime(text[plain], format="%Y-%m-%d", errors="coerce")
        reason[plain & days.isna().to_numpy()] = "is not a date: no such day in that month"
    if not plain.all():
        slow_days, slow_reason = _parse_dates_slow(text[~plain])
        days[~plain] = slow_days
        reason[~plain] = slow_reason
    early = days.notna() & (days.dt.year < FIRST_YEAR)
    reason[early] = f"is before {FIRST_YEAR}; check the year"
    days[early] = pd.NaT
    return days, reason


def _parse_dates_slow(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    day = pd.Series(np.nan, index=text.index)
    month = pd.Series(np.nan, index=text.index)
    year = pd.Series(np.nan, index=text.index)
    reason = pd.Series(None, index=text.index, dtype=object)

    def take(found: pd.DataFrame, y: int, m: int, d: int) -> None:
        hit = found[0].notna()
        year[hit] = pd.to_numeric(found.loc[hit, y])
        month[hit] = pd.to_numeric(found.loc[hit, m])
        day[hit] = pd.to_numeric(found.loc[hit, d])

    take(text.str.extract(f"^{_ISO_DAY}$"), 0, 1, 2)
    take(text.str.extract(f"^{_DOTTED_DAY}$"), 2, 1, 0)
    slashed = text.str.extract(f"^{_SLASHED_DAY}$")
    has_slash = slashed[0].notna()
    if has_slash.any():
        first = pd.to_numeric(slashed.loc[has_slash, 0])
        second = pd.to_numeric(slashed.loc[has_slash, 1])
        day_first, month_first = bool((first > 12).any()), bool((second > 12).any())
        if day_first != month_first:
            take(slashed, 2, 1, 0) if day_first else take(slashed, 2, 0, 1)
        else:
            settled = has_slash & (pd.to_numeric(slashed[0]) == pd.to_numeric(slashed[1]))
            take(slashed.where(settled), 2, 1, 0)
            reason[has_slash & ~settled] = (
                "is written day first in some rows and month first in others; write dates as "
                "2026-03-15"
                if day_first
                else "could be read day first or month first, and no other date in the column "
                "tells which; write dates as 2026-03-15"
            )
    parts = year.notna()
    days = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    if parts.any():
        days[parts] = pd.to_datetime(
            pd.DataFrame({"year": year[parts], "month": month[parts], "day": day[parts]}),
            errors="coerce",
        )
    unread = reason.isna() & days.isna()
    reason[unread & (text == "")] = "the date is missing"
    reason[unread & (text != "") & parts] = "is not a date: no such day in that month"
    reason[unread & (text != "") & ~parts] = (
        f"is not a date SamePage can read; write it as {DATE_FORMS}"
    )
    return days, reason


def has_ambiguous_amounts(values: pd.Series) -> bool:
    """Whether any cell reads differently with a decimal comma (``1,234``, ``€1.234``)."""
    found = values.astype("str").str.contains(
        r"(?:^|[^0-9.,])[0-9]{1,3}[.,][0-9]{3}(?:$|[^0-9.,])", regex=True
    )
    return bool(found.fillna(False).any())


def decimal_comma_evidence(values: pd.Series) -> int:
    """Cells that can only mean a decimal comma, minus cells that can only mean a decimal point."""
    text = cell_text(values)
    plain = text.str.fullmatch(_PLAIN_NUMBER).fillna(False)
    point = int((plain & text.str.fullmatch(_POINT_DECIMALS).fillna(False)).sum())
    rest = ~plain & (text != "")
    return (_evidence_slow(text[rest]) if rest.any() else 0) - point


def _plain_floats(text: pd.Series) -> np.ndarray:
    """Cells that are plain numbers, as floats, cast inside Arrow: pandas' own cast goes
    through a Python object per cell, about 75 MB for a million cells."""
    return pc.cast(pa.array(text.array), pa.float64()).to_numpy(zero_copy_only=False)


def parse_amounts(values: pd.Series, decimal_comma: bool) -> tuple[pd.Series, pd.Series]:
    """Amounts as floats (NaN for empty cells) and the reason per unreadable cell.

    ``decimal_comma`` settles only the cells that could be read either way,
    such as ``1,234`` or ``1.234``; every other cell says which it is itself.
    Plain numbers (``1234.5``) are read in bulk; only the rest cell by cell.
    """
    text = cell_text(values)
    plain = (
        text.str.fullmatch(_PLAIN_NUMBER).fillna(False)
        & ~text.str.fullmatch(_AMBIGUOUS).fillna(False)
    ).to_numpy(dtype=bool)
    numbers = pd.Series(np.nan, index=text.index, dtype=float)
    reason = pd.Series(None, index=text.index, dtype=object)
    if plain.any():
        numbers[plain] = _plain_floats(text[plain])
    rest = ~plain & (text != "").to_numpy(dtype=bool)
    if rest.any():
        slow_numbers, slow_reason = _parse_amounts_slow(text[rest], decimal_comma)
        numbers[rest] = slow_numbers
        reason[rest] = slow_reason
    too_large = numbers.abs() > MAX_AMOUNT
    reason[too_large] = "is too large: amounts above 999,999,999,999.99 are refused"
    numbers[too_large] = np.nan
    return numbers, reason


def is_blank(value: object) -> bool:
    """An empty grid cell: nothing, NaN, NA or only spaces."""
    return (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or value is pd.NA
        or (isinstance(value, str) and not value.strip())
    )


def typed_figure(
    value: object, label: str, *, whole: bool = False
) -> tuple[int | None, str | None]:
    """A figure typed into a grid cell, as the store keeps it (cents, or a whole count when
    ``whole``), or why it cannot be kept: the one rule for every grid of figures."""
    if is_blank(value):
        return None, None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None, f"the {label} '{value}' is not a number"
    if math.isnan(number):
        return None, f"the {label} '{value}' is not a number"
    if not math.isfinite(number) or abs(number) > MAX_AMOUNT:
        return None, f"the {label} {value} is too large"
    if number < 0:
        return None, f"the {label} is negative; figures cannot be below zero"
    if whole:
        if number != int(number):
            return None, f"{value} is not a whole number of {label}"
        return int(number), None
    return to_cents(Decimal(str(number))), None


MAX_NAME = 200
"""The longest name SamePage keeps (a channel, a campaign, a vendor, a PO number)."""


def name_problem(
    text: str, label: str, *, required: bool = False, limit: int = MAX_NAME
) -> str | None:
    """What is wrong with a name typed or imported, already stripped, or None: the one rule
    for every name cell (a grid's, a form's, a file's)."""
    if required and not text:
        return f"the {label} is missing"
    if len(text) > limit:
        return f"the {label} is longer than {limit} characters ({len(text)})"
    if NAME_CONTROL_CHARACTERS.search(text):
        return f"the {label} contains control characters"
    return None


def name_problems(text: pd.Series, label: str, *, required: bool = False) -> pd.Series:
    """``name_problem`` for a whole column of stripped text at once: the reason per cell, or
    None (a million cells in bulk, not one call each)."""
    reasons = pd.Series(None, index=text.index, dtype=object)
    reasons[text.str.len() > MAX_NAME] = f"the {label} is longer than {MAX_NAME} characters"
    reasons[text.str.contains(NAME_CONTROL_CHARACTERS.pattern, regex=True)] = (
        f"the {label} contains control characters"
    )
    if required:
        reasons[text == ""] = f"the {label} is missing"
    return reasons
