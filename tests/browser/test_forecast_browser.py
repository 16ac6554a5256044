"""The forecast and the landing in a real browser: the CMO starts the forecast from the run
rate, and the landing on screen is the command line's, as the CFO then sees it too."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from alignment.shared import formatting as fmt
from tests.browser.conftest import cli_json
from tests.browser.conftest import screenshot
from tests.browser.conftest import wait_for_app
from tests.browser.test_overview_browser import act_as

pytestmark = pytest.mark.browser


def cli_landing(server) -> dict:
    return cli_json(server, "landing")


def landing_tile(page: Page):  # type: ignore[no-untyped-def]
    tile = page.get_by_test_id("stMetric").filter(has_text="Landing").first
    return tile.get_by_test_id("stMetricValue")


def test_the_cmo_forecasts_and_every_role_sees_where_the_year_lands(page: Page, server):
    page.goto(f"{server.url}/budget?budget_tab=Forecast+and+landing")
    wait_for_app(page)
    act_as(page, "Priya Raman (CMO)")
    before = cli_landing(server)
    expect(landing_tile(page)).to_have_text(fmt.money(before["total"]["landing"], "USD"))
    page.get_by_text("Start the forecast afresh").click()
    page.get_by_text("the recent run rate").click()
    page.get_by_role("button", name="Start the forecast").click()
    wait_for_app(page)
    expect(page.get_by_text("Forecast started.")).to_be_visible()
    after = cli_landing(server)
    assert after["forecast_months"] == before["forecast_months"] != []
    expect(landing_tile(page)).to_have_text(fmt.money(after["total"]["landing"], "USD"))
    expect(page.get_by_test_id("stDataFrame")).to_have_count(1)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, "forecast-and-landing-cmo")

    act_as(page, "Daniel Okafor (CFO)")
    wait_for_app(page)
    expect(landing_tile(page)).to_have_text(fmt.money(after["total"]["landing"], "USD"))
    expect(page.get_by_role("button", name="Start the forecast")).to_have_count(0)
    screenshot(page, "forecast-and-landing-cfo")


def test_the_committed_spend_tab_shows_the_demos_purchase_orders(page: Page, server):
    page.goto(f"{server.url}/budget?budget_tab=Committed+spend")
    wait_for_app(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("PO-4472")).to_be_visible()
    expect(main.get_by_text("Northwind Media")).to_be_visible()
    # 40,000 ordered, 25,000 invoiced: 15,000 still open
    row = main.get_by_role("row").filter(has_text="PO-4472")
    expect(row).to_contain_text("$15,000.00")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, "committed-spend")
