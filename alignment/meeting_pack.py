"""The meeting pack everyone takes away: a PDF to read and an XLSX to work with, both built
from the review's sections, so for a closed month exactly the frozen figures."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace

from alignment import clock
from alignment import formatting as fmt
from alignment.export import to_xlsx
from alignment.periods import month_label
from alignment.review import AGENDA
from alignment.review import KINDS
from alignment.review import ReviewView

FONTS = Path(__file__).resolve().parent / "fonts"
RAG = {"green": "On target", "amber": "Within tolerance", "red": "Off target", None: "No data"}
HEADLINE_LABELS = {
    "planned_budget": "Planned budget",
    "actual_spend": "Actual spend",
    "spend_variance": "Spend variance",
    "spend_variance_pct": "Spend variance %",
    "roas": "ROAS",
    "romi_attributed": "ROMI (attributed)",
    "attributed_pipeline": "Attributed pipeline",
    "attributed_revenue": "Attributed revenue",
    "marketing_cac": "Marketing CAC",
    "new_customers": "New customers",
}
MONEY = {
    "planned_budget",
    "actual_spend",
    "spend_variance",
    "attributed_pipeline",
    "attributed_revenue",
    "marketing_cac",
}


def headline_value(key: str, value: Any, currency: str) -> str:
    """A headline figure as the review page shows it."""
    if key in MONEY:
        return fmt.money(value, currency)
    if key in ("spend_variance_pct", "romi_attributed"):
        return fmt.percent(value, signed=key == "spend_variance_pct")
    if key == "roas":
        return fmt.multiple(value)
    return fmt.count(value)


def kpi_value(value: Any, unit: str, currency: str) -> str:
    if unit == currency:
        return fmt.money(value, currency)
    return fmt.count(None if value is None else round(value, 1))


def section_frames(view: ReviewView, formatted: bool = True) -> dict[str, pd.DataFrame]:
    """Each agenda section as a table, in agenda order: display text for the PDF, or the
    snapshot's own numbers for the spreadsheet (``formatted=False``)."""
    s, cur = view.sections, view.sections["currency"]
    if not formatted:
        return _raw_frames(view)
    head = s["headline"]
    frames = {
        "Headline figures": pd.DataFrame(
            [
                {
                    "Figure": label,
                    "This month": headline_value(key, head["now"].get(key), cur),
                    f"{head['previous_label']}": headline_value(
                        key, head["previous"].get(key), cur
                    ),
                }
                for key, label in HEADLINE_LABELS.items()
            ]
        ),
        "Definitions of success": pd.DataFrame(
            [
                {
                    "Definition": d["title"],
                    "Metric": d["metric"],
                    "Target": _target(d, cur),
                    "Actual": _measure(d["actual"], d["unit"], cur),
                    "Status": RAG[d["status"]],
                    "Signature": d["signature"],
                }
                for d in s["definitions"]
            ],
            columns=["Definition", "Metric", "Target", "Actual", "Status", "Signature"],
        ),
        "Budget vs return": pd.DataFrame(
            [
                {
                    "Channel": c["channel"],
                    "Planned": fmt.money(c["planned"], cur),
                    "Actual": fmt.money(c["actual"], cur),
                    "Variance": fmt.money(c["variance"], cur),
                    "Variance %": fmt.percent(c["variance_pct"], signed=True),
                    "Attributed revenue": fmt.money(c["revenue"], cur),
                    "ROAS": fmt.multiple(c["roas"]),
                    "ROMI (attributed)": fmt.percent(c["romi"]),
                }
                for c in s["budget"]
            ],
            columns=[
                "Channel",
                "Planned",
                "Actual",
                "Variance",
                "Variance %",
                "Attributed revenue",
                "ROAS",
                "ROMI (attributed)",
            ],
        ),
        "KPI tree and funnel": pd.DataFrame(
            [
                {
                    "KPI": k["kpi"],
                    "Target": kpi_value(k["target"], k["unit"], cur),
                    "Actual": kpi_value(k["actual"], k["unit"], cur),
                    "Status": RAG[k["status"]],
                }
                for k in s["kpis"]
            ],
            columns=["KPI", "Target", "Actual", "Status"],
        ),
        "Alignment checklist": pd.DataFrame(
            [
                {"Statement": g["statement"], "Perception gap": g["gap"]}
                for g in s["alignment"]["gaps"]
            ],
            columns=["Statement", "Perception gap"],
        ),
        "Requests awaiting a decision": pd.DataFrame(
            [
                {
                    "Request": r["title"],
                    "Asked by": r["asked_by"],
                    "Status": r["status"],
                    "Recommendation": r["recommendation"],
                }
                for r in s["requests"]
            ],
            columns=["Request", "Asked by", "Status", "Recommendation"],
        ),
        "Action items": pd.DataFrame(
            [
                {
                    "From": month_label(a["month"]),
                    "Kind": KINDS.get(a["kind"], a["kind"]),
                    "What": a["text"],
                    "Owner": a["owner_role"] or "",
                    "Due": a["due_date"] or "",
                    "Status": a["status"] if a["kind"] == "action" else "",
                }
                for a in [*s["actions"]["carried"], *s["actions"]["recorded"]]
            ],
            columns=["From", "Kind", "What", "Owner", "Due", "Status"],
        ),
    }
    return frames


def _raw_frames(view: ReviewView) -> dict[str, pd.DataFrame]:
    s = view.sections
    head = s["headline"]
    rows = [
        {
            "Figure": label,
            "This month": head["now"].get(key),
            head["previous_label"]: head["previous"].get(key),
        }
        for key, label in HEADLINE_LABELS.items()
    ]
    return {
        "Headline figures": pd.DataFrame(rows),
        "Definitions of success": pd.DataFrame(
            [
                {
                    "Definition": d["title"],
                    "Metric": d["metric"],
                    "Comparison": d["comparison"],
                    "Target": d["target"],
                    "Actual": d["actual"],
                    "Unit": d["unit"],
                    "Status": RAG[d["status"]],
                    "Signature": d["signature"],
                }
                for d in s["definitions"]
            ],
            columns=[
                "Definition",
                "Metric",
                "Comparison",
                "Target",
                "Actual",
                "Unit",
                "Status",
                "Signature",
            ],
        ),
        "Budget vs return": pd.DataFrame(
            [
                {
                    "Channel": c["channel"],
                    "Planned": c["planned"],
                    "Actual": c["actual"],
                    "Variance": c["variance"],
                    "Variance %": c["variance_pct"],
                    "Attributed revenue": c["revenue"],
                    "ROAS": c["roas"],
                    "ROMI (attributed)": c["romi"],
                }
                for c in s["budget"]
            ],
            columns=[
                "Channel",
                "Planned",
                "Actual",
                "Variance",
                "Variance %",
                "Attributed revenue",
                "ROAS",
                "ROMI (attributed)",
            ],
        ),
        "KPI tree and funnel": pd.DataFrame(
            [
                {
                    "KPI": k["kpi"],
                    "Unit": k["unit"],
                    "Target": k["target"],
                    "Actual": k["actual"],
                    "Status": RAG[k["status"]],
                }
                for k in s["kpis"]
            ],
            columns=["KPI", "Unit", "Target", "Actual", "Status"],
        ),
        "Alignment checklist": pd.DataFrame(
            [{"Statement": "Alignment score (0-100)", "Perception gap": s["alignment"]["score"]}]
            + [
                {"Statement": g["statement"], "Perception gap": g["gap"]}
                for g in s["alignment"]["gaps"]
            ],
            columns=["Statement", "Perception gap"],
        ),
        "Requests awaiting a decision": pd.DataFrame(
            [
                {
                    "Request": r["title"],
                    "Asked by": r["asked_by"],
                    "Status": r["status"],
                    "Recommendation": r["recommendation"],
                }
                for r in s["requests"]
            ],
            columns=["Request", "Asked by", "Status", "Recommendation"],
        ),
        "Action items": pd.DataFrame(
            [
                {
                    "From": a["month"],
                    "Kind": KINDS.get(a["kind"], a["kind"]),
                    "What": a["text"],
                    "Owner": a["owner_role"] or "",
                    "Due": a["due_date"] or "",
                    "Status": a["status"] if a["kind"] == "action" else "",
                }
                for a in [*s["actions"]["carried"], *s["actions"]["recorded"]]
            ],
            columns=["From", "Kind", "What", "Owner", "Due", "Status"],
        ),
    }


def _measure(value: Any, unit: str, currency: str) -> str:
    if unit == "ratio":
        return fmt.percent(value)
    if unit == currency:
        return fmt.money(value, currency)
    return fmt.count(None if value is None else round(value, 1))


def _target(definition: dict[str, Any], currency: str) -> str:
    sign = "≥ " if definition["comparison"] == "at_least" else "≤ "
    return sign + _measure(definition["target"], definition["unit"], currency)


def _chart_png(chart: alt.TopLevelMixin) -> bytes:
    buffer = io.BytesIO()
    chart.save(buffer, format="png", scale_factor=2)
    return buffer.getvalue()


def charts(view: ReviewView) -> dict[str, bytes]:
    """The pack's charts as PNG images, drawn from the section figures (vl-convert)."""
    images = {}
    budget = pd.DataFrame(view.sections["budget"])
    if not budget.empty:
        long = budget.melt(
            id_vars="channel",
            value_vars=["planned", "actual"],
            var_name="figure",
            value_name="amount",
        ).dropna()
        long["figure"] = long["figure"].map({"planned": "Planned", "actual": "Actual"})
        images["Budget vs return"] = _chart_png(
            alt.Chart(long, title="Planned vs actual spend by channel")
            .mark_bar()
            .encode(
                y=alt.Y("channel:N", title=None, sort="-x", axis=alt.Axis(labelLimit=240)),
                yOffset="figure:N",
                x=alt.X("amount:Q", title=view.sections["currency"], axis=alt.Axis(format="~s")),
                color=alt.Color(
                    "figure:N",
                    title=None,
                    scale=alt.Scale(domain=["Planned", "Actual"], range=["#9aa5b1", "#1f6feb"]),
                ),
            )
            .properties(width=460, height=alt.Step(14))
        )
    kpi_rows = [k for k in view.sections["kpis"] if k["target"] and k["actual"] is not None]
    if kpi_rows:
        frame = pd.DataFrame(
            [
                {"kpi": k["kpi"], "share": k["actual"] / k["target"], "status": RAG[k["status"]]}
                for k in kpi_rows
            ]
        )
        images["KPI tree and funnel"] = _chart_png(
            alt.Chart(frame, title="KPIs: actual as a share of target")
            .mark_bar()
            .encode(
                y=alt.Y("kpi:N", title=None, sort=None),
                x=alt.X("share:Q", title=None, axis=alt.Axis(format="%")),
                color=alt.Color(
                    "status:N",
                    title=None,
                    scale=alt.Scale(
                        domain=["On target", "Within tolerance", "Off target"],
                        range=["#1a7f37", "#bf8700", "#cf222e"],
                    ),
                ),
            )
            .properties(width=460, height=alt.Step(22))
        )
    return images


class _Pdf(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(orientation="landscape", format="A4")
        self.pack_title = title
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(auto=True, margin=14)

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(110)
        self.cell(0, 5, f"{self.pack_title} · page {self.page_no()}", align="R")


def pack_pdf(view: ReviewView, company: str) -> bytes:
    """Title page, then each agenda section with its table and, where there is one, chart."""
    title = f"{company} · Monthly review · {month_label(view.month)}"
    pdf = _Pdf(title)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 28)
    pdf.ln(40)
    _para(pdf, 14, company)
    pdf.set_font("DejaVu", "", 20)
    _para(pdf, 11, f"Monthly review, {month_label(view.month)}")
    pdf.ln(6)
    pdf.set_font("DejaVu", "", 12)
    if view.closed and view.closed_at:
        status = (
            f"Closed by {view.closed_by or 'the CEO'} on {view.closed_at:%d %b %Y}. "
            "These are the figures frozen at closing."
        )
    else:
        status = "Draft: this review is not closed yet; figures may still change."
    _para(pdf, 7, status)
    if view.differences:
        pdf.set_text_color(164, 14, 38)
        _para(
            pdf,
            7,
            f"{len(view.differences)} figure(s) changed since this review "
            "was closed; see the SamePage review page.",
        )
        pdf.set_text_color(0)
    if not view.has_data:
        pdf.ln(4)
        _para(
            pdf,
            7,
            f"There are no figures for {month_label(view.month)}: no budget "
            "lines and no KPI figures have been entered for this month.",
        )
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 9)
    _para(
        pdf,
        5,
        f"Made by SamePage on {clock.today():%d %b %Y}. Return figures are "
        "attributed, not incremental.",
    )
    images = charts(view)
    for name, frame in section_frames(view).items():
        pdf.add_page()
        pdf.set_font("DejaVu", "B", 16)
        pdf.cell(0, 10, name, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)
        if frame.empty:
            _para(pdf, 6, "Nothing to show for this month.")
        else:
            _table(pdf, frame)
        if name in images:
            pdf.ln(4)
            pdf.image(io.BytesIO(images[name]), w=150)
    return bytes(pdf.output())


def _para(pdf: FPDF, height: float, text: str) -> None:
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def _table(pdf: FPDF, frame: pd.DataFrame) -> None:
    with pdf.table(
        headings_style=FontFace(emphasis="BOLD", fill_color=(240, 242, 245)),
        line_height=5.5,
        text_align="LEFT",
        borders_layout="HORIZONTAL_LINES",
    ) as table:
        header = table.row()
        for column in frame.columns:
            header.cell(str(column))
        for record in frame.itertuples(index=False):
            row = table.row()
            for value in record:
                row.cell("" if value is None else str(value))


def pack_xlsx(view: ReviewView, company: str) -> bytes:
    """One sheet per agenda section, plus a cover sheet saying what the pack is."""
    cover = pd.DataFrame(
        {
            "": ["Company", "Review", "Status", "Sections"],
            "Meeting pack": [
                company,
                month_label(view.month),
                f"Closed by {view.closed_by} on {view.closed_at:%d %b %Y}"
                if view.closed and view.closed_at
                else "Draft, not closed",
                ", ".join(label for _, label in AGENDA),
            ],
        }
    )
    sheets = {"Cover": cover}
    if not view.has_data:
        sheets["Cover"] = pd.concat(
            [
                cover,
                pd.DataFrame(
                    {
                        "": ["Figures"],
                        "Meeting pack": [f"No figures for {month_label(view.month)}."],
                    }
                ),
            ]
        )
    sheets.update(section_frames(view, formatted=False))
    return to_xlsx(sheets)


def pack_files(view: ReviewView, company: str) -> dict[str, bytes]:
    stem = f"samepage-review-{view.month}"
    return {f"{stem}.pdf": pack_pdf(view, company), f"{stem}.xlsx": pack_xlsx(view, company)}
