"""The unit each metric of a definition of success is measured in: how its values read, and
how a target typed the way the metric is shown becomes the one stored form.

A definition's unit is not typed; it follows the metric, so "80 %" cannot be signed as 80
on a ROMI that SamePage keeps as a share (0.8). Targets are stored in the metric's own
form, the form ``alignment.shared.metrics`` returns and ``metrics.rag_status`` compares:

| metric                                    | shown as          | stored as    |
| ----------------------------------------- | ----------------- | ------------ |
| ROMI (attributed), spend variance %       | percent: 80 %     | share: 0.8   |
| ROAS, pipeline ROI                        | multiple: 3.50x   | 3.5          |
| spend, revenue, pipeline, marketing CAC   | company currency  | the amount   |
| new customers                             | count             | the count    |
| a KPI                                     | the KPI's unit    | as the KPI's |

The one conversion between the two forms is ``target_from_shown`` / ``target_as_shown``.
The tolerance needs none: ``rag_status`` reads it as a share of the target (0.1 = amber
within 10 % of the target), whatever the metric's unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from alignment.shared import formatting as fmt


class UnitKind(StrEnum):
    PERCENT = "percent"
    MULTIPLE = "multiple"
    MONEY = "money"
    COUNT = "count"
    KPI = "kpi"


BUDGET_METRIC_KINDS: dict[str, UnitKind] = {
    "roas": UnitKind.MULTIPLE,
    "romi": UnitKind.PERCENT,
    "pipeline_roi": UnitKind.MULTIPLE,
    "marketing_cac": UnitKind.MONEY,
    "spend_variance_pct": UnitKind.PERCENT,
    "actual_spend": UnitKind.MONEY,
    "attributed_revenue": UnitKind.MONEY,
    "attributed_pipeline": UnitKind.MONEY,
    "new_customers": UnitKind.COUNT,
}
"""Every budget metric of ``alignment.definitions.success.BUDGET_METRICS`` and the unit it
reads in."""

_CODES = {UnitKind.PERCENT: "%", UnitKind.MULTIPLE: "x", UnitKind.COUNT: "count"}
_PERCENT_SCALE = 100


@dataclass(frozen=True)
class MetricUnit:
    """The unit of one metric: ``code`` is what a version stores in its ``unit`` field."""

    kind: UnitKind
    code: str
    currency: str
    locale: str = "en_US"

    @property
    def name(self) -> str:
        """The unit in words: 'percent', 'USD'."""
        if self.kind is UnitKind.MONEY:
            return self.currency
        if self.kind is UnitKind.KPI:
            return f"the KPI's unit ({self.code or 'none'})"
        return _IN_WORDS[self.kind][0]

    @property
    def label(self) -> str:
        """The unit and how to type a target in it, for the form."""
        if self.kind is UnitKind.MONEY:
            return f"{self.currency}: type 12500 for {fmt.money(12500, self.currency)}"
        return _IN_WORDS[self.kind][1] if self.kind in _IN_WORDS else self.name


_IN_WORDS = {
    UnitKind.PERCENT: ("percent", "percent: type 80 for 80 %"),
    UnitKind.MULTIPLE: ("multiples (x)", "multiples: type 3.5 for 3.5x"),
    UnitKind.COUNT: ("a count", "a count"),
}
"""A fixed unit in words, and how a target is typed in it."""


def unit_of(
    metric: str, currency: str, kpi_unit: str | None = None, locale: str = "en_US"
) -> MetricUnit:
    """The unit of ``metric``: a budget metric's fixed unit, or its KPI's unit (``kpi_unit``)."""
    kind = BUDGET_METRIC_KINDS.get(metric)
    if kind is None:
        return MetricUnit(UnitKind.KPI, (kpi_unit or "").strip(), currency, locale)
    code = currency if kind is UnitKind.MONEY else _CODES[kind]
    return MetricUnit(kind, code, currency, locale)


def target_from_shown(value: float, unit: MetricUnit) -> float:
    """The stored target for a target typed the way the metric is shown (80 % -> 0.8)."""
    if unit.kind is UnitKind.PERCENT:
        return value / _PERCENT_SCALE
    return value


def target_as_shown(value: float, unit: MetricUnit) -> float:
    """The stored target the way the metric is shown and typed (0.8 -> 80 %); rounded to
    nine places so 0.07 reads 7, not 7.000000000000001."""
    if unit.kind is UnitKind.PERCENT:
        return round(value * _PERCENT_SCALE, 9)
    return value


def show(value: float | None, unit: MetricUnit) -> str:
    """A value of the metric as the overview's tiles show it (n/a when missing)."""
    if unit.kind is UnitKind.PERCENT:
        return fmt.percent(value, unit.locale)
    if unit.kind is UnitKind.MULTIPLE:
        return fmt.multiple(value, unit.locale)
    if unit.kind is UnitKind.MONEY or (unit.kind is UnitKind.KPI and unit.code == unit.currency):
        return fmt.money(value, unit.currency, unit.locale)
    if unit.kind is UnitKind.COUNT:
        return fmt.count(value, unit.locale)
    number = fmt.count(None if value is None else round(value, 1), unit.locale)
    if value is None or unit.code.lower() in ("", "count"):
        return number
    return f"{number} {unit.code}" if unit.code != "%" else f"{number} %"


_SAME_FORM = {
    UnitKind.PERCENT: {"%", "ratio"},
    UnitKind.MULTIPLE: {"x", "×", "ratio", "", "times", "multiple"},
    UnitKind.COUNT: {"count", "", "#", "customers", "new customers"},
}


def stored_unit_agrees(stored: str, unit: MetricUnit) -> bool:
    """Whether a version's stored ``unit`` says the target is in the metric's stored form.

    Versions from before units followed the metric wrote 'ratio' for a share (0.8 shown as
    80 %), so 'ratio' agrees with a percent metric; a currency other than the company's, or
    a KPI unit that has since changed, does not.
    """
    text = (stored or "").strip()
    if unit.kind is UnitKind.MONEY:
        return text.upper() == unit.currency.upper()
    if unit.kind is UnitKind.KPI:
        return text.lower() == unit.code.lower() or (
            text.lower() in ("", "count") and unit.code.lower() in ("", "count")
        )
    return text.lower() in _SAME_FORM[unit.kind]


def target_meant_before(target: float, stored_unit: str, unit: MetricUnit) -> float:
    """The stored-form target a version from before units followed the metric meant, read
    the way its screens showed it: 80 with unit '%' on ROMI read "80 %", so 0.8. Any other
    value is kept as SamePage compared it. For flagged versions only: since units follow
    the metric, '%' on ROMI already means the target is a share."""
    if unit.kind is UnitKind.PERCENT and (stored_unit or "").strip() == "%":
        return target_from_shown(target, unit)
    return target
