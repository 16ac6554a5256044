"""The marketing maturity model: competences assessed on five levels each quarter."""

from __future__ import annotations

LEVELS = {1: "Absent", 2: "Executing", 3: "Effective", 4: "Predictable", 5: "Excellent"}

DEFAULT_COMPETENCES = (
    "Strategy and positioning",
    "Brand and content",
    "Demand generation",
    "Marketing operations and automation",
    "Data and analytics",
    "Marketing technology",
    "Alignment with sales and customer success",
    "Team and organisation",
)
