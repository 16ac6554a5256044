"""The monthly review in a real browser: record a decision, close the month, and download
the meeting pack as PDF and XLSX with the frozen figures."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect
from pypdf import PdfReader

from alignment.edges.store import open_store
from alignment.shared import formatting as fmt
from alignment.shared.periods import current_month
from alignment.shared.periods import month_label
from tests.browser.conftest import ARTIFACTS
from tests.browser.conftest import Server
from tests.browser.conftest import cli_json
from tests.browser.conftest import screenshot
from tests.browser.conftest import serve
from tests.browser.conftest import wait_for_app
from tests.browser.test_overview_browser import act_as
from tests.db.test_review_finance import GAP_WORDS
from tests.db.test_review_finance import PASSWORD as TEAM_PASSWORD
from tests.db.test_review_finance import team_in_march_2017

pytestmark = pytest.mark.browser
DECISION = "Book the symposium booth at the early-bird price"


def take_the_pack(page: Page, name: str) -> tuple[str, openpyxl.Workbook]:
    """Download both packs from the review as a person would; the PDF is kept in the
    artifacts to look at, its text comes back with runs of white space as one space. The
    page settles first: under load a click during the close's rerun was lost."""
    wait_for_app(page)
    with page.expect_download() as pdf_download:
        page.get_by_role("button", name="Meeting pack (PDF)").click()
    with page.expect_download() as xlsx_download:
        page.get_by_role("button", name="Meeting pack (XLSX)").click()
    pdf = pdf_download.value.path().read_bytes()
    (ARTIFACTS / f"{name}.pdf").write_bytes(pdf)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    book = openpyxl.load_workbook(io.BytesIO(xlsx_download.value.path().read_bytes()))
    return text, book


def test_record_close_and_download_the_pack(page: Page, server):
    month = current_month()
    page.goto(f"{server.url}/review")
    wait_for_app(page)
    expect(
        page.get_by_role("heading", name=f"Monthly review, {month_label(month)}")
    ).to_be_visible()
    act_as(page, "Maya Lindqvist (CEO)")
    form = page.get_by_test_id("stForm")
    form.get_by_label("What was decided, or what has to be done").fill(DECISION)
    form.get_by_role("button", name="Record").click()
    wait_for_app(page)
    page.get_by_text("Recorded.", exact=True).wait_for()
    page.get_by_role("button", name=f"Close {month_label(month)}").click()
    wait_for_app(page)
    page.get_by_text("is closed; its figures are frozen").wait_for()
    screenshot(page, "review-closed")

    text, book = take_the_pack(page, "review-demo")

    figures = cli_json(server, "metrics", "--period", month)
    assert f"Monthly review, {month_label(month)}" in text
    assert "Closed by Maya Lindqvist" in text and DECISION in text
    assert fmt.money(figures["actual_spend"], "USD") in text
    headline = {r[0]: r[1] for r in book["Headline figures"].iter_rows(min_row=3, values_only=True)}
    assert headline["Actual spend"] == pytest.approx(figures["actual_spend"])
    actions = [
        r[2] for r in book["Decisions and action items"].iter_rows(min_row=3, values_only=True)
    ]
    assert DECISION in actions


@pytest.fixture(scope="module")
def fernhill_server() -> Iterator[Server]:
    """A team's own store, not the demo: March 2017 with finance's figure reconciled, checklist
    answers with comments and an action item (tests/db/test_review_finance.py)."""
    folder = Path(tempfile.mkdtemp(prefix="samepage-fernhill-"))
    url = f"sqlite:///{folder / 'store.db'}"
    store = open_store(url)
    team_in_march_2017(store)
    store.close()
    with serve(url, folder, demo=False) as running:
        yield running


def test_a_team_reviews_march_2017_with_finance_and_takes_the_pack(page: Page, fernhill_server):
    page.goto(fernhill_server.url)
    expect(page.get_by_role("heading", name="Log in to SamePage")).to_be_visible(timeout=30_000)
    page.get_by_label("E-mail address").fill("ada@fernhill.example")
    page.get_by_role("textbox", name="Password").fill(TEAM_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible(timeout=30_000)
    wait_for_app(page)
    page.goto(f"{fernhill_server.url}/review")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Monthly review, March 2017")).to_be_visible()
    expect(page.get_by_text(GAP_WORDS + ".", exact=True)).to_be_visible()
    expect(page.get_by_text("Reconciled by Finn Berg on 23 Nov 2026")).to_be_visible()
    expect(page.get_by_text("We never wrote the CMO's measures down")).to_be_visible()
    page.get_by_text(GAP_WORDS + ".", exact=True).scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "review-fernhill-finance.png"))
    page.get_by_role("button", name="Close March 2017").click()
    wait_for_app(page)
    page.get_by_text("is closed; its figures are frozen").wait_for()
    screenshot(page, "review-fernhill-march-2017")
    text, book = take_the_pack(page, "review-fernhill-march-2017")
    for expected in (
        "Closed by Ada Okafor on 23 Nov 2026",
        "Finance's booked spend $185,900",
        GAP_WORDS,
        "Alignment score 75/100 for March 2017.",
        "Ada Okafor (CEO) We never wrote the CMO's measures down",
        "Agree the agency accrual CFO 15 Dec 2026",
        "2. Definitions of success — none signed off for this month",
    ):
        assert expected in text, expected
    finance = dict(book["Finance reconciliation"].iter_rows(min_row=3, values_only=True))
    assert finance["Finance's booked spend"] == 185900
    assert finance["Marketing's actual spend"] == 100000 + 83152
