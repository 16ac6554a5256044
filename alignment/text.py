"""Rules for the text people type, shared by every form and the store's last line of defence."""

from __future__ import annotations

import re

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""Invisible C0 codes other than tab and line breaks: nobody means them, and PostgreSQL
cannot store NUL."""
