"""The review's tables and the pack rendered from them, on a review written out by hand (no
store): one builder, so the PDF and the XLSX show the same rows; words for the gap's sign;
empty sections as one line; a snapshot from before finance was frozen says so."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader

from alignment.edges.meeting_pack import _Pdf
from alignment.edges.meeting_pack import _widths
from alignment.edges.meeting_pack import pack_pdf
from alignment.edges.meeting_pack import pack_xlsx
from alignment.meeting.review import HEADLINE_KEYS
from alignment.meeting.review import ReviewView
from alignment.meeting.review_tables import sections
from alignment.shared import formatting as fmt
from alignment.spend.reconciliation import MonthReconciliation
from alignment.spend.reconciliation import gap_words

EMPTY_HEADLINE = dict.fromkeys(HEADLINE_KEYS)


def hand_view(**changes: object) -> ReviewView:
    """A review of December 2026 with one budget line, finance's figure and one decision."""
    sections_ = {
        "currency": "EUR",
        "headline": {
            "now": EMPTY_HEADLINE | {"planned_budget": 1000.0, "actual_spend": 1200.0},
            "previous": EMPTY_HEADLINE,
            "lines": 1,
            "previous_label": "November 2026",
        },
        "definitions": [],
        "budget": [
            {
                "channel": "=Search",
                "planned": 1000.0,
                "actual": 1200.0,
                "variance": 200.0,
                "variance_pct": 0.2,
                "revenue": 3000.0,
                "roas": 2.5,
                "romi": None,
            }
        ],
        "finance": {
            "marketing_spend": 1200.0,
            "finance_spend": 1100.0,
            "gap": 100.0,
            "gap_pct": 100 / 1100,
            "status": "open",
            "reconciled_by": None,
            "reconciled_at": None,
            "reopened_by": None,
            "reopened_at": None,
            "note": "",
        },
        "kpis": [],
        "funnel": {"biggest_loss": None, "stages": []},
        "alignment": {"score": None, "missing": ["CEO", "CFO", "CMO"], "gaps": []},
        "requests": [],
        "actions": {
            "carried": [],
            "recorded": [
                {
                    "id": 1,
                    "month": "2026-12",
                    "kind": "decision",
                    "text": "=HYPERLINK(1)",
                    "owner_role": None,
                    "due_date": None,
                    "status": "open",
                }
            ],
        },
    } | changes
    return ReviewView("2026-12", "open", None, None, sections_, [], [], [], True)


@pytest.mark.parametrize(
    ("gap", "share", "words"),
    [
        (Decimal(-2748), -0.01478, "finance higher than marketing by $2,748 (1.5%)"),
        (Decimal(100), 0.0909, "finance lower than marketing by $100 (9.1%)"),
        (Decimal(0), 0.0, "finance and marketing agree"),
        (None, None, "no gap yet: finance's booked spend or marketing's spend is missing"),
    ],
)
def test_the_gap_reads_with_its_direction_in_words(gap, share, words):
    assert gap_words(gap, share, "USD") == words


def test_a_month_reconciled_once_and_unlocked_since_is_reopened():
    def month(reconciled: bool, at: object) -> MonthReconciliation:
        return MonthReconciliation("2026-10", None, None, None, None, reconciled, None, at, "")

    assert month(False, None).status == "open"
    assert month(True, "2026-11-02").status == "reconciled"
    assert month(False, "2026-11-02").status == "reopened"


def test_dates_read_as_on_screen():
    assert fmt.date("2026-12-15") == "15 Dec 2026"
    assert fmt.date("2026-11-23T12:00:00") == "23 Nov 2026"
    assert fmt.date(None) == "n/a"


def test_the_pdf_and_the_xlsx_show_the_same_rows_of_the_one_builder():
    view = hand_view()
    built = {s.key: s for s in sections(view)}
    book = openpyxl.load_workbook(io.BytesIO(pack_xlsx(view, "Fernhill")))
    pdf = " ".join(
        " ".join(p.extract_text().split())
        for p in PdfReader(io.BytesIO(pack_pdf(view, "Fernhill"))).pages
    )
    for section in built.values():
        for table in section.tables:
            if not table.rows:
                continue
            rows = list(book[table.title].iter_rows(min_row=2, values_only=True))
            assert rows[0] == table.columns
            assert len(rows) - 1 == len(table.rows)
            for record in table.rows:
                assert " ".join(c.text for c in record if c.text).strip() in pdf
    budget = list(book["Budget vs return"].iter_rows(min_row=3, values_only=True))
    assert budget == [("'=Search", 1000, 1200, 200, 0.2, 3000, 2.5, None)]
    assert "=Search €1,000 €1,200 €200 +20.0% €3,000 2.50× n/a" in pdf
    assert "Finance lower than marketing by €100 (9.1%)." in pdf


def test_no_text_of_the_pack_runs_as_a_formula():
    book = openpyxl.load_workbook(io.BytesIO(pack_xlsx(hand_view(), "=cmd")))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)


def test_an_empty_section_is_one_line_of_the_contents_and_no_sheet():
    view = hand_view()
    built = {s.key: s for s in sections(view)}
    assert (
        built["requests"].contents_line == "Requests awaiting a decision — none awaiting a decision"
    )
    assert built["alignment"].contents_line == "Alignment checklist — no answers this month"
    book = openpyxl.load_workbook(io.BytesIO(pack_xlsx(view, "Fernhill")))
    assert book.sheetnames == [
        "Cover",
        "Headline figures",
        "Budget vs return",
        "Finance reconciliation",
        "Decisions and action items",
    ]
    pages = PdfReader(io.BytesIO(pack_pdf(view, "Fernhill"))).pages
    assert len(pages) == 6  # the four sheets' sections, and the landing saying it was not kept


def test_a_review_closed_before_finance_was_frozen_says_so_instead_of_showing_todays():
    old = hand_view()
    old.sections.pop("finance")
    finance = {s.key: s for s in sections(old)}["finance"]
    assert not finance.empty and finance.tables == ()
    assert finance.lines[0].startswith("Finance's figures were not frozen with this review")


def test_a_table_wider_than_the_page_wraps_instead_of_failing():
    """Long columns are narrowed to the page; summed in floating point they came a hair over
    it (277.00008 against 277.00008333), fpdf refused the table and the demo's November pack
    could not be downloaded."""
    pdf = _Pdf("pack")
    for words in range(4, 40):
        long = "agreed with finance " * words
        frame = pd.DataFrame([[long, long, long, "x"]], columns=["a", "b", "c", "d"])
        assert sum(_widths(pdf, frame)) <= pdf.epw, words
    pdf.add_page()
    pdf.output()
    long = "agreed with finance " * 30
    view = hand_view(
        requests=[{"title": long, "asked_by": long, "status": long, "recommendation": "x"}]
    )
    pages = PdfReader(io.BytesIO(pack_pdf(view, "Fernhill"))).pages
    assert "Requests awaiting a decision" in " ".join(p.extract_text() for p in pages)


def _definition(**changes: object) -> dict[str, object]:
    return {
        "title": "Return on ad spend",
        "metric": "ROAS",
        "unit": "x",
        "comparison": "at_least",
        "target": 3.5,
        "actual": 2.5,
        "status": "red",
        "signature": "signed by Carla Finch, unchanged since",
    } | changes


def test_definitions_read_as_the_definitions_page_writes_them():
    """A multiple reads 3.50x, a percent 80.0%; a snapshot taken before units followed the
    metric (no texts) still reads by its unit; a version whose unit disagrees says so."""
    view = hand_view(
        definitions=[
            _definition(),
            _definition(
                title="ROMI",
                unit="%",
                target=0.8,
                actual=9.918,
                status="green",
                actual_text="991.8%",
                target_text="80.0%",
            ),
            _definition(title="Old ROMI", unit="%", target=80.0, actual=9.9, unit_disagrees=True),
        ]
    )
    [table] = next(s for s in sections(view) if s.key == "definitions").tables
    rows = [[cell.text for cell in row] for row in table.rows]
    assert rows[0][2:5] == ["≥ 3.50×", "2.50×", "Off target"]
    assert rows[1][2:5] == ["≥ 80.0%", "991.8%", "On target"]
    assert rows[2][4] == "Unit disagrees: sign a new version"
    assert table.rows[1][3].value == pytest.approx(9.918)


def _landing_line(channel: str, **figures: object) -> dict[str, object]:
    return {
        "channel": channel,
        "plan": None,
        "baseline": None,
        "actual_to_date": 0.0,
        "forecast_rest": 0.0,
        "landing": 0.0,
        "gap_to_plan": None,
        "gap_to_plan_pct": None,
        "gap_to_baseline": None,
        "gap_to_baseline_pct": None,
        "pipeline": None,
        "revenue": None,
        "new_customers": None,
        "months_on_plan": 0,
    } | figures


def test_the_landing_section_says_where_the_year_lands_and_names_the_empty_months():
    search = _landing_line(
        "Search",
        plan=12000.0,
        actual_to_date=11000.0,
        forecast_rest=2500.0,
        landing=13500.0,
        gap_to_plan=1500.0,
        gap_to_plan_pct=0.125,
    )
    view = hand_view(
        landing={
            "period": "2026-01..2026-12",
            "label": "Fiscal year Jan 2026 – Dec 2026",
            "currency": "EUR",
            "actual_months": [f"2026-{m:02d}" for m in range(1, 12)],
            "forecast_months": ["2026-12"],
            "unplanned_months": ["2026-12"],
            "total": search | {"channel": "Total"},
            "channels": [search],
        }
    )
    landing = {s.key: s for s in sections(view)}["landing"]
    assert landing.lines == (
        "Fiscal year Jan 2026 – Dec 2026 lands at €13,500: €1,500 against the plan "
        "(11 month(s) of actuals, 1 forecast).",
        "No forecast and no plan for December 2026: the landing counts no spend there.",
    )
    table = landing.table("Landing by channel")
    assert table is not None
    assert table.value_frame().iloc[0].tolist()[:7] == [
        "Search",
        11000.0,
        2500.0,
        13500.0,
        12000.0,
        1500.0,
        0.125,
    ]
    assert table.text_frame().iloc[1]["Against the plan %"] == "+12.5%"


TREE = [
    {
        "kpi": "New revenue",
        "unit": "EUR",
        "kind": "financial",
        "target": 200000.0,
        "actual": 150000.0,
        "status": "red",
    },
    {
        "kpi": "SQLs",
        "unit": "count",
        "kind": "result",
        "target": 40.0,
        "actual": 44.0,
        "status": "green",
    },
    {
        "kpi": "MQLs",
        "unit": "count",
        "kind": "result",
        "target": 100.0,
        "actual": 110.0,
        "status": "green",
    },
    {
        "kpi": "Webinars held",
        "unit": "count",
        "kind": "activity",
        "target": 4.0,
        "actual": 1.0,
        "status": "red",
    },
]
STAGES = [
    {
        "stage": "MQLs",
        "actual": 110.0,
        "target": 100.0,
        "conversion": None,
        "target_conversion": None,
    },
    {"stage": "SQLs", "actual": 44.0, "target": 40.0, "conversion": 0.4, "target_conversion": 0.4},
]


def test_the_kpi_sheet_holds_the_whole_tree_and_the_funnel_its_conversions():
    view = hand_view(kpis=TREE, funnel={"biggest_loss": None, "stages": STAGES})
    book = openpyxl.load_workbook(io.BytesIO(pack_xlsx(view, "Fernhill")))
    tree = list(book["KPI tree"].iter_rows(min_row=2, values_only=True))
    assert tree[0] == ("KPI", "Kind", "Target", "Actual", "Status")
    # The activity KPI, red, is in the pack with the result and financial ones.
    assert [r[:2] for r in tree[1:]] == [
        ("New revenue", "financial"),
        ("SQLs", "result"),
        ("MQLs", "result"),
        ("Webinars held", "activity"),
    ]
    assert tree[4][2:] == (4, 1, "Off target")
    funnel = list(book["Funnel"].iter_rows(min_row=2, values_only=True))
    assert funnel == [
        ("Stage", "Target", "Actual", "Conversion from above", "Target conversion"),
        ("MQLs", 100, 110, None, None),
        ("SQLs", 40, 44, 0.4, 0.4),
    ]
    pdf = " ".join(
        " ".join(p.extract_text().split())
        for p in PdfReader(io.BytesIO(pack_pdf(view, "Fernhill"))).pages
    )
    assert "Webinars held activity 4 1 Off target" in pdf
    assert "SQLs 40 44 40.0% 40.0%" in pdf


def test_a_review_frozen_with_the_top_kpis_only_is_not_told_the_activities_appeared():
    from alignment.meeting.review import differences

    frozen = hand_view().sections | {
        "kpis": [{k: v for k, v in kpi.items() if k != "kind"} for kpi in TREE[:3]]
    }
    now = hand_view().sections | {"kpis": TREE}
    assert differences(frozen, now) == []


RED_WEBINARS = {
    "subject": "kpi:9",
    "kind": "kpi",
    "title": "Webinars held",
    "owner_role": "CMO",
    "status": "red",
    "explanation": "**Speaker** ill",
    "next_step": '=HYPERLINK("https://evil.example")',
    "discussed_without": False,
    "written_by": "Priya Raman",
    "written_at": "2026-12-03T10:00:00",
    "explained_status": "red",
}
CONFIDENCE = [
    {
        "goal": "Grow new ARR to $14M",
        "ratings": {
            "CEO": {"score": 6, "comment": ""},
            "CFO": {"score": 4, "comment": "Bookings lag"},
            "CMO": {"score": 8, "comment": ""},
        },
        "spread": 4,
        "gap": True,
        "trend": [
            {"month": "2026-11", "scores": {"CEO": 7, "CFO": 5, "CMO": 8}, "spread": 3},
            {"month": "2026-12", "scores": {"CEO": 6, "CFO": 4, "CMO": 8}, "spread": 4},
        ],
    },
    {
        "goal": "Nobody rated this one",
        "ratings": {"CEO": None, "CFO": None, "CMO": None},
        "spread": None,
        "gap": False,
        "trend": [],
    },
]


def test_the_pack_prints_explanations_beside_the_figure_and_the_confidence_by_role():
    tree = [dict(k, subject=f"kpi:{9 if k['kpi'] == 'Webinars held' else 1}") for k in TREE]
    view = hand_view(
        kpis=tree,
        funnel={"biggest_loss": None, "stages": []},
        explanations=[RED_WEBINARS],
        confidence=CONFIDENCE,
    )
    book = openpyxl.load_workbook(io.BytesIO(pack_xlsx(view, "Fernhill")))
    rows = list(book["KPI tree"].iter_rows(min_row=2, values_only=True))
    assert rows[0] == ("KPI", "Kind", "Target", "Actual", "Status", "Explanation", "Next step")
    webinars = next(r for r in rows if r[0] == "Webinars held")
    # As typed: the Markdown stays, the formula is text (a leading apostrophe).
    assert webinars[4:] == (
        "Off target",
        "**Speaker** ill",
        '\'=HYPERLINK("https://evil.example")',
    )
    assert next(r for r in rows if r[0] == "SQLs")[5:] in ((None, None), ("", ""))
    assert all(c.data_type != "f" for r in book["KPI tree"].iter_rows() for c in r)
    confidence = list(book["Confidence in the goals"].iter_rows(min_row=2, values_only=True))
    assert confidence == [
        ("Goal", "CEO", "CFO", "CMO", "Spread", "Flag", "Spread by month"),
        ("Grow new ARR to $14M", 6, 4, 8, 4, "Perception gap", "Nov 2026: 3 · Dec 2026: 4"),
    ]
    pdf = " ".join(
        " ".join(p.extract_text().split())
        for p in PdfReader(io.BytesIO(pack_pdf(view, "Fernhill"))).pages
    )
    assert "**Speaker** ill" in pdf
    assert "Grow new ARR to $14M 6 4 8 4 Perception gap" in pdf


def test_a_review_closed_before_explanations_keeps_its_old_columns():
    view = hand_view(kpis=TREE, funnel={"biggest_loss": None, "stages": []})
    book = openpyxl.load_workbook(io.BytesIO(pack_xlsx(view, "Fernhill")))
    assert next(book["KPI tree"].iter_rows(min_row=2, values_only=True)) == (
        "KPI",
        "Kind",
        "Target",
        "Actual",
        "Status",
    )
    assert "Confidence in the goals" not in book.sheetnames
