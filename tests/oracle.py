"""Independent expectations: the demo company's figures computed straight from its CSV files
with pandas, never through alignment/, so a test of alignment/ can actually fail."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"


def _shift(today: dt.date) -> int:
    anchor = pd.read_csv(SAMPLE / "company.csv", dtype=str)["anchor_month"][0]
    return (pd.Period(today, "M") - pd.Period(anchor, "M")).n


def _shifted(series: pd.Series, today: dt.date) -> pd.Series:
    shift = _shift(today)
    return series.map(lambda m: str(pd.Period(m, "M") + shift))


def budget(today: dt.date) -> pd.DataFrame:
    frame = pd.read_csv(SAMPLE / "budget_lines.csv", dtype={"campaign": str}, keep_default_na=False)
    frame["month"] = _shifted(frame["month"], today)
    return frame


def checklist(today: dt.date) -> pd.DataFrame:
    frame = pd.read_csv(SAMPLE / "checklist_answers.csv", keep_default_na=False)
    frame["month"] = _shifted(frame["month"], today)
    return frame


def kpi_values(today: dt.date) -> pd.DataFrame:
    frame = pd.read_csv(SAMPLE / "kpi_values.csv")
    frame["month"] = _shifted(frame["month"], today)
    return frame


def gross_margin() -> float:
    return float(pd.read_csv(SAMPLE / "company.csv")["gross_margin"][0])


def headline(today: dt.date, first: str, last: str) -> dict[str, float | None]:
    """The overview's headline figures for months first..last, by DESIGN.md's definitions."""
    frame = budget(today)
    rows = frame[(frame["month"] >= first) & (frame["month"] <= last)]
    planned = rows["planned_budget"].sum()
    spend = rows["actual_spend"].sum()
    revenue = rows["attributed_revenue"].sum()
    pipeline = rows["attributed_pipeline"].sum()
    customers = int(rows["new_customers"].sum())
    margin = gross_margin()
    return {
        "budget_lines": len(rows),
        "planned_budget": round(planned, 2),
        "actual_spend": round(spend, 2),
        "spend_variance": round(spend - planned, 2),
        "spend_variance_pct": (spend - planned) / planned if planned else None,
        "attributed_pipeline": round(pipeline, 2),
        "attributed_revenue": round(revenue, 2),
        "new_customers": customers,
        "roas": revenue / spend if spend else None,
        "romi_attributed": (revenue * margin - spend) / spend if spend else None,
        "pipeline_roi": pipeline / spend if spend else None,
        "marketing_cac": round(spend / customers, 2) if customers else None,
    }
