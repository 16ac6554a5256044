"""The monthly review in a real browser: record a decision, close the month, and download
the meeting pack as PDF and XLSX with the frozen figures."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import openpyxl
import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect
from pypdf import PdfReader

from alignment import formatting as fmt
from alignment.periods import current_month
from alignment.periods import month_label
from tests.browser.conftest import ROOT
from tests.browser.conftest import screenshot
from tests.browser.conftest import wait_for_app
from tests.browser.test_overview_browser import act_as

pytestmark = pytest.mark.browser
DECISION = "Book the symposium booth at the early-bird price"


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

    with page.expect_download() as pdf_download:
        page.get_by_role("button", name="Meeting pack (PDF)").click()
    with page.expect_download() as xlsx_download:
        page.get_by_role("button", name="Meeting pack (XLSX)").click()
    pdf = pdf_download.value.path().read_bytes()
    book = openpyxl.load_workbook(io.BytesIO(xlsx_download.value.path().read_bytes()))

    figures = json.loads(
        subprocess.run(
            [sys.executable, "-m", "alignment", "metrics", "--period", month, "--json"],
            cwd=ROOT,
            env=server.env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert f"Monthly review, {month_label(month)}" in text
    assert "Closed by Maya Lindqvist" in text and DECISION in text
    assert fmt.money(figures["actual_spend"], "USD") in text
    headline = {r[0]: r[1] for r in book["Headline figures"].iter_rows(min_row=3, values_only=True)}
    assert headline["Actual spend"] == pytest.approx(figures["actual_spend"])
    actions = [
        r[2] for r in book["Decisions and action items"].iter_rows(min_row=3, values_only=True)
    ]
    assert DECISION in actions
