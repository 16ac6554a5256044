"""Rules for the text people type, shared by every form and the store's last line of defence."""

from __future__ import annotations

import re

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Invisible codes other than tab and line breaks, in any text: nobody means them, and
PostgreSQL cannot store NUL."""
NAME_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
"""The same for a one-line name (a channel, a campaign), where a tab or a line break is
invisible too. The budget grid and the budget import both refuse these."""
