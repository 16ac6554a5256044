"""Finance and the checklist in the monthly review and its pack, on a team's own store (not
the demo) whose month under review is years back: March 2017.

Every expected value is written out by hand from the figures below: marketing spent
100,000 + 83,152 = 183,152; finance booked 185,900, so finance is higher by 2,748, which
is 1.5 % of finance's figure (2,748 / 185,900 = 1.478 %). The checklist's March answers are
4, 4, 5 and 3: a mean of 4, which is (4 - 1) / 4 = 75/100; February's one answer of 2 is
25/100.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from pypdf import PdfReader

from alignment.access import accounts
from alignment.access.permissions import COMMAND_LINE
from alignment.access.permissions import Actor
from alignment.access.users import actor_by_email
from alignment.edges.meeting_pack import pack_pdf
from alignment.edges.meeting_pack import pack_xlsx
from alignment.meeting import review
from alignment.spend import reconciliation
from alignment.spend.budget_import import apply_import
from alignment.spend.budget_import import read_budget_file
from alignment.trust import checklist

MARCH = "2017-03"
COMPANY = "Fernhill Outdoor"
PASSWORD = "correct horse battery staple"
FILE = (
    b"month,channel,campaign,planned_budget,actual_spend,attributed_pipeline,"
    b"attributed_revenue,new_customers\n"
    b"2017-02,Search,,80000,79000,0,120000,2\n"
    b"2017-03,Events,,90000,100000,0,250000,2\n"
    b"2017-03,Search,,80000,83152,0,150000,3\n"
)
GAP_WORDS = "Finance higher than marketing by $2,748 (1.5%)"
NOTE = "Agency invoice for March booked in full"


def team_in_march_2017(store) -> dict[str, Actor]:  # type: ignore[no-untyped-def]
    """The team's store: three executives with names, two months of figures, finance's
    figure for March reconciled with a note, checklist answers with comments, an action."""
    with store.session() as session:
        for email, name, role in (
            ("ada@fernhill.example", "Ada Okafor", "CEO"),
            ("finn@fernhill.example", "Finn Berg", "CFO"),
            ("dana@fernhill.example", "Dana Reyes", "CMO"),
        ):
            accounts.add_user(session, COMMAND_LINE, email, name, role, PASSWORD)
        people = {
            a.role.value: a
            for a in (
                actor_by_email(session, e)
                for e in ("ada@fernhill.example", "finn@fernhill.example", "dana@fernhill.example")
            )
        }
        ceo, cfo, cmo = people["CEO"], people["CFO"], people["CMO"]
        apply_import(session, cmo, read_budget_file(FILE, "history.csv"))
        reconciliation.record_finance_spend(session, cfo, MARCH, 185900)
        reconciliation.reconcile_month(session, cfo, MARCH, NOTE)
        checklist.start_with_standard_statements(session, ceo)
        first, second = (i.id for i in checklist.items(session, ceo)[:2])
        checklist.save_answers(session, cfo, "2017-02", [checklist.Answer(first, 2)])
        checklist.save_answers(
            session,
            cfo,
            MARCH,
            [
                checklist.Answer(first, 4, "Finance now sees the same spend as marketing"),
                checklist.Answer(second, 3),
            ],
        )
        checklist.save_answers(
            session,
            ceo,
            MARCH,
            [
                checklist.Answer(first, 4),
                checklist.Answer(second, 5, "We never wrote the CMO's measures down"),
            ],
        )
        review.record_item(
            session, ceo, MARCH, "action", "Agree the agency accrual", "CFO", "2026-12-15"
        )
    return people


def _view(store, actor: Actor, month: str = MARCH) -> review.ReviewView:  # type: ignore[no-untyped-def]
    with store.session() as session:
        return review.review(session, actor, month)


def pdf_pages(data: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages]


def sheet_rows(book: openpyxl.Workbook, name: str) -> list[tuple]:
    return list(book[name].iter_rows(values_only=True))


def test_the_review_shows_finance_the_gap_in_words_and_the_reconciliation(store):
    people = team_in_march_2017(store)
    view = _view(store, people["CMO"])
    books = view.sections["finance"]
    assert books["marketing_spend"] == 183152
    assert books["finance_spend"] == 185900
    assert books["gap"] == -2748
    assert books["gap_pct"] == pytest.approx(-0.01478, abs=1e-5)
    assert (books["status"], books["reconciled_by"], books["note"]) == (
        "reconciled",
        "Finn Berg",
        NOTE,
    )
    assert books["reconciled_at"].startswith("2026-11-23")


def test_the_review_shows_the_months_comments_with_who_wrote_them(store):
    people = team_in_march_2017(store)
    alignment = _view(store, people["CEO"]).sections["alignment"]
    assert alignment["score"] == 75
    assert alignment["trend"] == [
        {"month": "2017-02", "score": 25},
        {"month": "2017-03", "score": 75},
    ]
    assert alignment["comments"] == [
        {
            "statement": "We have one written definition of marketing success, signed off by "
            "the CFO and known to the CEO.",
            "who": "Finn Berg (CFO)",
            "comment": "Finance now sees the same spend as marketing",
        },
        {
            "statement": "The CMO's performance measures are written down and agreed.",
            "who": "Ada Okafor (CEO)",
            "comment": "We never wrote the CMO's measures down",
        },
    ]


def test_the_pdf_carries_finance_the_score_its_trend_and_the_comments(store):
    people = team_in_march_2017(store)
    pages = pdf_pages(pack_pdf(_view(store, people["CEO"]), COMPANY))
    text = " ".join(pages)
    assert "Monthly review, March 2017" in pages[0]
    for expected in (
        "Marketing's actual spend $183,152",
        "Finance's booked spend $185,900",
        "Gap (marketing − finance) -$2,748",
        "Gap in % of finance's figure -1.5%",
        GAP_WORDS + ".",
        "Status Reconciled by Finn Berg on 23 Nov 2026",
        f"CFO's note {NOTE}",
        "Alignment score 75/100 for March 2017.",
        "February 2017 25/100",
        "March 2017 75/100",
        "Finn Berg (CFO) Finance now sees the same spend as marketing",
        "Ada Okafor (CEO) We never wrote the CMO's measures down",
        "Agree the agency accrual CFO 15 Dec 2026",
    ):
        assert expected in text, expected
    assert "2026-12-15" not in text
    assert "below zero, finance booked more than marketing reports" in text


def test_the_pdf_has_no_page_that_only_says_there_is_nothing(store):
    """Definitions, KPIs and requests have nothing in March 2017: they are one line each in
    the contents, and every other page opens with a section that has content."""
    people = team_in_march_2017(store)
    pages = pdf_pages(pack_pdf(_view(store, people["CEO"]), COMPANY))
    cover = pages[0]
    for line in (
        "2. Definitions of success — none signed off for this month",
        "6. KPI tree and funnel — no KPI figures or targets this month",
        "8. Requests awaiting a decision — none awaiting a decision",
    ):
        assert line in cover, line
    titles = [
        "Headline figures",
        "Budget vs return",
        "Finance reconciliation",
        "Where the year lands",
        "Alignment checklist",
        "Decisions and action items",
    ]
    assert len(pages) == 1 + len(titles)
    for page, title in zip(pages[1:], titles, strict=True):
        assert page.startswith(title), page[:80]
    assert not any("Nothing to show" in page for page in pages)


def test_the_xlsx_has_one_headed_table_per_sheet(store):
    people = team_in_march_2017(store)
    book = openpyxl.load_workbook(io.BytesIO(pack_xlsx(_view(store, people["CEO"]), COMPANY)))
    assert book.sheetnames == [
        "Cover",
        "Headline figures",
        "Budget vs return",
        "Finance reconciliation",
        "Landing by channel",
        "Alignment score by month",
        "Perception gaps",
        "Checklist comments",
        "Decisions and action items",
    ]
    finance = sheet_rows(book, "Finance reconciliation")
    assert finance[0] == ("Finance reconciliation · March 2017", None)
    assert finance[1] == ("Figure", "This month")
    values = dict(finance[2:])
    assert values["Finance's booked spend"] == 185900
    assert values["Marketing's actual spend"] == 183152
    assert values["Gap (marketing − finance)"] == -2748
    assert values["Status"] == "Reconciled by Finn Berg on 23 Nov 2026"
    assert book["Finance reconciliation"]["B3"].number_format == '"$"#,##0;-"$"#,##0'
    landed = sheet_rows(book, "Landing by channel")
    assert landed[1][:4] == ("Channel", "Actual to date", "Forecast for the rest", "Landing")
    # 2017 is over: all actuals. Events 100,000 on a plan of 90,000; Search 79,000 + 83,152
    # on 80,000 + 80,000; in total 262,152 on 250,000, 12,152 over (4.86 %)
    by_channel = {row[0]: row[1:] for row in landed[2:]}
    assert by_channel["Events"][:6] == (100000, 0, 100000, 90000, 10000, 10000 / 90000)
    assert by_channel["Search"][:5] == (162152, 0, 162152, 160000, 2152)
    assert by_channel["Total"][:5] == (262152, 0, 262152, 250000, 12152)
    score = sheet_rows(book, "Alignment score by month")
    assert score[1:] == [("Month", "Alignment score"), ("February 2017", 25), ("March 2017", 75)]
    gaps = sheet_rows(book, "Perception gaps")
    assert gaps[1:] == [
        ("Statement", "Gap (points)"),
        ("The CMO's performance measures are written down and agreed.", 2),
    ]
    actions = sheet_rows(book, "Decisions and action items")
    assert actions[1] == ("From", "Kind", "What", "Owner", "Due", "Status")
    assert actions[2][:5] == (
        "March 2017",
        "Action item",
        "Agree the agency accrual",
        "CFO",
        dt.datetime(2026, 12, 15),
    )
    cover = [r[0] for r in sheet_rows(book, "Cover")]
    assert "Definitions of success — none signed off for this month" in cover
    summary = {r[0]: r[2] for r in sheet_rows(book, "Cover")}
    assert summary["Finance reconciliation"].startswith(GAP_WORDS + ".")


def test_a_closed_month_keeps_finances_figure_after_finance_changes_it(store):
    people = team_in_march_2017(store)
    ceo, cfo = people["CEO"], people["CFO"]
    with store.session() as session:
        review.close_review(session, ceo, MARCH)
        reconciliation.reopen_month(session, cfo, MARCH, "Late credit note")
        reconciliation.record_finance_spend(session, cfo, MARCH, 190000)
    closed = _view(store, ceo)
    books = closed.sections["finance"]
    assert (books["finance_spend"], books["gap"], books["status"], books["note"]) == (
        185900,
        -2748,
        "reconciled",
        NOTE,
    )
    changed = {(d.item, d.frozen, d.now) for d in closed.differences}
    assert ("finance booked", 185900, 190000) in changed
    assert ("status", "reconciled", "reopened") in changed
    text = " ".join(pdf_pages(pack_pdf(closed, COMPANY)))
    assert "Finance's booked spend $185,900" in text and GAP_WORDS in text
    assert "$190,000" not in text and "Late credit note" not in text
    book = openpyxl.load_workbook(io.BytesIO(pack_xlsx(closed, COMPANY)))
    assert dict(sheet_rows(book, "Finance reconciliation")[2:])["Finance's booked spend"] == (
        185900
    )


def test_a_reopened_month_says_who_reopened_it_and_why(store):
    people = team_in_march_2017(store)
    with store.session() as session:
        reconciliation.reopen_month(session, people["CFO"], MARCH, "Late credit note")
        reconciliation.record_finance_spend(session, people["CFO"], MARCH, 183152)
    view = _view(store, people["CMO"])
    books = view.sections["finance"]
    assert (books["status"], books["reopened_by"], books["note"]) == (
        "reopened",
        "Finn Berg",
        "Late credit note",
    )
    text = " ".join(pdf_pages(pack_pdf(view, COMPANY)))
    assert "Finance and marketing agree." in text
    assert "Status Reopened by Finn Berg on 23 Nov 2026" in text
    assert "CFO's note Late credit note" in text


def test_a_month_with_spend_but_no_finance_figure_says_it_is_open(store):
    people = team_in_march_2017(store)
    view = _view(store, people["CEO"], "2017-02")
    text = " ".join(pdf_pages(pack_pdf(view, COMPANY)))
    assert "No gap yet: finance's booked spend or marketing's spend is missing." in text
    assert "Status Open: not reconciled yet" in text
    assert "Finance's booked spend n/a" in text
