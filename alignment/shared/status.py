"""The one status vocabulary: how green, amber, red and "no data" read and look on every
page, chart and pack, so a definition, a KPI and a tile never call the same state by two
names or paint it in two ambers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

BadgeColour = Literal[
    "red", "orange", "yellow", "blue", "green", "violet", "gray", "grey", "primary"
]
"""The colour names Streamlit's badges and coloured text accept."""


@dataclass(frozen=True)
class StatusLook:
    label: str
    badge: BadgeColour
    """Streamlit's colour name for badges and coloured text."""
    fill: str
    ink: str
    line: str
    """The strong colour for marks, lines and borders (a chart's bar, the KPI tree's box)."""


LOOKS: dict[str | None, StatusLook] = {
    "green": StatusLook("On target", "green", "#dafbe1", "#116329", "#1a7f37"),
    "amber": StatusLook("Within tolerance", "orange", "#fff8c5", "#7d4e00", "#9a6700"),
    "red": StatusLook("Off target", "red", "#ffebe9", "#a40e26", "#cf222e"),
    None: StatusLook("No data yet", "gray", "#f6f8fa", "#57606a", "#8c959f"),
}
RAG = ("green", "amber", "red")
"""The statuses a figure with a target can have, best first."""
CHANGED = StatusLook("Changed since sign-off", "red", "#ffebe9", "#a40e26", "#cf222e")
"""A signed definition whose stored text no longer matches its signature."""
UNIT_DISAGREES = StatusLook(
    "Unit disagrees: sign a new version", "orange", "#fff8c5", "#7d4e00", "#9a6700"
)
"""A version signed before units followed the metric, whose unit disagrees with it."""


def label(status: str | None) -> str:
    return LOOKS[status].label


def cell_style(text: object) -> str:
    """The table-cell style of a status label (any other text is left plain)."""
    for look in (*LOOKS.values(), CHANGED, UNIT_DISAGREES):
        if text == look.label:
            weight = "" if look is LOOKS[None] else "; font-weight: 600"
            background = "" if look is LOOKS[None] else f"background-color: {look.fill}; "
            return f"{background}color: {look.ink}{weight}"
    return ""


def fill_style(status: str | None, *, bold: bool = True) -> str:
    """A table cell painted in a status's colours (a flagged answer, a stale figure)."""
    look = LOOKS[status]
    return f"background-color: {look.fill}; color: {look.ink}" + (
        "; font-weight: 600" if bold else ""
    )


def ink_style(status: str | None) -> str:
    """Text in a status's strong colour, on no background (an open month in a table)."""
    return f"color: {LOOKS[status].line}; font-weight: 600"
