"""The Next dollar page in a real browser: reached from the sidebar, its charts drawn with
ink, a changed budget redrawn, and the proposal sent to the review."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.conftest import wait_for_app
from tests.browser.test_overview_browser import expect_charts_drawn

pytestmark = pytest.mark.browser


def open_next_dollar(page: Page, server) -> None:
    page.goto(server.url)
    wait_for_app(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Next dollar").click()
    wait_for_app(page)
    page.get_by_text("Response curves", exact=True).wait_for(timeout=60_000)
    wait_for_app(page)


def test_curves_and_proposal_are_drawn_and_a_proposal_reaches_the_review(page: Page, server):
    open_next_dollar(page, server)
    expect_charts_drawn(page, count=2, least=0.005, timeout=60_000)
    screenshot(page, "next-dollar")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stAlert").first).to_contain_text("correlation, not an experiment")

    budget = page.get_by_role("spinbutton", name="Monthly budget for these channels (USD)")
    budget.fill("0")
    budget.press("Enter")
    wait_for_app(page)
    expect(page.get_by_test_id("stAlert").nth(1)).to_contain_text("cannot be split")
    screenshot(page, "next-dollar-zero-budget")

    budget.fill("600000")
    budget.press("Enter")
    wait_for_app(page)
    page.get_by_text("Expected change in revenue per month").wait_for()
    page.get_by_role("button", name="Send to the monthly review as a request").click()
    wait_for_app(page)
    page.get_by_text("recorded in Requests and decisions").wait_for()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Requests and decisions").click()
    wait_for_app(page)
    page.get_by_text("Budget proposal: $600,000 a month across 7 channels").wait_for()
    screenshot(page, "next-dollar-request")
