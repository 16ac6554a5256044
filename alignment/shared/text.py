"""Rules for the text people type, shared by every form and the store's last line of defence."""

from __future__ import annotations

import re

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Invisible codes other than tab and line breaks, in any text: nobody means them, and
PostgreSQL cannot store NUL."""
NAME_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
"""The same for a one-line name (a channel, a campaign), where a tab or a line break is
invisible too. The budget grid and the budget import both refuse these."""

MAX_KPI_NAME = 60
"""A KPI's name is drawn inside a box of the KPI tree and in chart legends: longer names
shrink the whole tree until nothing in it can be read."""
MAX_TITLE = 150
"""A goal's or a request's title: one line on a page and in the meeting pack."""
MAX_SHORT_TEXT = 40
"""A unit or a conversion label, drawn beside a number or on an arrow of the tree."""
MAX_DESCRIPTION = 2000
"""A description or explanation: a paragraph, not a document."""
