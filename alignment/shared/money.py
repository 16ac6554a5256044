"""Money crosses the store boundary as integer cents and lives everywhere else as Decimal."""

from __future__ import annotations

from decimal import ROUND_HALF_UP
from decimal import Decimal
from typing import Any

CENT = Decimal("0.01")


def from_cents(value: Any) -> Decimal | None:
    if value is None or value != value:
        return None
    return (Decimal(int(value)) / 100).quantize(CENT)


def to_cents(value: Decimal | float | int | None) -> int | None:
    if value is None:
        return None
    return int((Decimal(str(value)) * 100).to_integral_value(rounding=ROUND_HALF_UP))
