"""The maturity chart (issue 21, item 16): its axis runs over the five levels, named, not
from 0 as 1.0-5.0; a competence not assessed is not drawn."""

from __future__ import annotations

import pandas as pd

from alignment.trust.maturity import LEVELS
from ui import charts


def _spec() -> dict:
    frame = pd.DataFrame(
        [
            {"competence": "Brand", "current": 2, "desired": 4},
            {"competence": "Demand generation", "current": None, "desired": None},
            {"competence": "Data and analytics", "current": 5, "desired": 5},
        ]
    )
    return charts.maturity_levels(frame, LEVELS).to_dict()


def test_the_axis_runs_over_the_five_named_levels():
    x = _spec()["layer"][0]["encoding"]["x"]
    assert x["scale"]["domain"] == [1, 5]
    assert x["scale"]["zero"] is False
    assert x["axis"]["values"] == [1, 2, 3, 4, 5]
    expression = x["axis"]["labelExpr"]
    for name in ("'1 Absent'", "'2 Executing'", "'3 Effective'", "'4 Predictable'"):
        assert name in expression
    assert "'5 Excellent'" in expression


def test_only_assessed_competences_are_drawn_with_their_level_names():
    spec = _spec()
    (rows,) = spec["datasets"].values()
    assert [(r["competence"], r["current_name"], r["desired_name"]) for r in rows] == [
        ("Brand", "2 Executing", "4 Predictable"),
        ("Data and analytics", "5 Excellent", "5 Excellent"),
    ]
