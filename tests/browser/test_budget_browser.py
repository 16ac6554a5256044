"""Budget & return in a real browser: upload an XLSX, preview, confirm, see it on the overview,
and download the figures with formula text neutralised."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
import sqlalchemy as sa
from playwright.sync_api import Page
from playwright.sync_api import expect

from alignment.shared import formatting as fmt
from alignment.shared.periods import current_month
from tests.browser.conftest import cli_json
from tests.browser.conftest import screenshot
from tests.browser.conftest import wait_for_app
from tests.browser.test_grid_conflict_browser import ACTUAL_SPEND
from tests.browser.test_grid_conflict_browser import first_line
from tests.browser.test_grid_conflict_browser import type_into_cell
from tests.browser.test_overview_browser import act_as
from tests.browser.test_overview_browser import expect_charts_drawn
from tests.browser.test_overview_browser import expect_tiles

pytestmark = pytest.mark.browser


def cli_metrics(server) -> dict:
    return cli_json(server, "metrics", "--period", current_month())


def workbook(path, month: str) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Budget"
    sheet.append(
        [
            "month",
            "channel",
            "campaign",
            "planned_budget",
            "actual_spend",
            "attributed_pipeline",
            "attributed_revenue",
            "new_customers",
        ]
    )
    sheet.append([month, "Podcasts", "", 10000, 12345.67, 80000, 40000, 2])
    campaign = sheet.cell(row=2, column=3)
    campaign.value = '=HYPERLINK("http://x")'
    campaign.data_type = "s"
    book.save(path)


def test_upload_preview_confirm_and_see_it_on_the_overview(page: Page, server, tmp_path):
    before = cli_metrics(server)
    upload = tmp_path / "podcasts.xlsx"
    workbook(upload, current_month())
    page.goto(f"{server.url}/budget?budget_tab=Import")
    wait_for_app(page)
    act_as(page, "Priya Raman (CMO)")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(upload))
    wait_for_app(page)
    preview = page.get_by_test_id("stMetric")
    preview.first.wait_for()
    numbers = {
        m.get_by_test_id("stMetricLabel").inner_text(): m.get_by_test_id(
            "stMetricValue"
        ).inner_text()
        for m in preview.all()
    }
    assert (numbers["New"], numbers["Changed"], numbers["Problems"]) == ("1", "0", "0")
    screenshot(page, "budget-import-preview")
    page.get_by_role("button", name="Import 1 new and 0 changed lines").click()
    wait_for_app(page)
    page.get_by_text("Imported 1 new and 0 changed lines").wait_for()
    screenshot(page, "budget-import-done")

    after = cli_metrics(server)
    assert after["actual_spend"] == pytest.approx(before["actual_spend"] + 12345.67)
    page.get_by_test_id("stSidebarNav").get_by_text("Overview").click()
    wait_for_app(page)
    expect_tiles(
        page,
        {
            "Actual spend": fmt.money_short(after["actual_spend"], after["currency"]),
            "New customers": fmt.count(after["new_customers"]),
        },
    )
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, "overview-after-import")

    page.get_by_test_id("stSidebarNav").get_by_text("Budget & return").click()
    wait_for_app(page)
    page.get_by_role("tab", name="Figures").click()
    wait_for_app(page)
    page.get_by_text("Only the CMO enters figures").or_(
        page.get_by_role("button", name="Save changes")
    ).first.wait_for()
    screenshot(page, "budget-figures")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    text = download.value.path().read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert set(rows[0]) >= {"month", "channel", "campaign", "actual_spend"}
    campaigns = {r["campaign"] for r in rows}
    assert [c for c in campaigns if "HYPERLINK" in c] == ['\'=HYPERLINK("http://x")']
    assert not any(c.startswith("=") for c in campaigns)


CHART_HEADINGS = [
    "Planned vs actual spend by month",
    "Spend variance by channel",
    "ROAS by channel",
    "ROMI (attributed) by channel",
    "Pipeline and revenue against spend",
]
"""The Charts tab as the README lists it: five charts, each under its heading."""


def test_charts_tab_draws_five_charts_under_their_headings(page: Page, server):
    page.goto(f"{server.url}/budget")
    wait_for_app(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", level=3)).to_have_text(CHART_HEADINGS)
    expect_charts_drawn(page, count=len(CHART_HEADINGS), least=0.005)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, "budget-charts")


def lines_by_channel(database_url: str, month: str) -> dict[str, int]:
    """How many budget lines each channel has in ``month``, read from the store itself."""
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT c.name, count(*) FROM budget_lines l JOIN channels c "
                "ON c.id = l.channel_id WHERE l.month = :m GROUP BY c.name ORDER BY c.name"
            ),
            {"m": month},
        ).all()
    engine.dispose()
    return {name: int(count) for name, count in rows}


def test_the_channel_filter_reruns_the_figures_only(page: Page, server):
    """Picking channels narrows the figures to them and reruns that part of the page only:
    the message of the save above it stays, where a whole rerun would have cleared it. The
    filter belongs to the figures; the charts have none."""
    month = current_month()
    counts = lines_by_channel(server.database_url, month)
    picked = list(counts)[1]
    page.goto(f"{server.url}/budget?budget_tab=Figures")
    wait_for_app(page)
    act_as(page, "Priya Raman (CMO)")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text(f"Showing {sum(counts.values()):,} lines for")).to_be_visible()

    grid = page.get_by_test_id("stDataFrame").first
    cents, _ = first_line(server.database_url, month)
    type_into_cell(page, grid, 0, ACTUAL_SPEND, "4321", showing=cents / 100)
    page.get_by_role("button", name="Save changes").click()
    wait_for_app(page)
    saved = main.get_by_text("Saved: 1 changed, 0 added, 0 removed.")
    expect(saved).to_be_visible()

    channels = main.get_by_test_id("stMultiSelect").filter(has_text="Channels")
    channels.get_by_role("combobox").click()
    page.get_by_role("option", name=picked, exact=True).click()
    page.keyboard.press("Escape")
    wait_for_app(page)
    expect(main.get_by_text(f"Showing {counts[picked]:,} lines for")).to_be_visible()
    expect(saved).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    screenshot(page, "budget-figures-one-channel")

    page.get_by_role("tab", name="Charts").click()
    wait_for_app(page)
    expect(main.get_by_role("heading", level=3)).to_have_text(CHART_HEADINGS)
    expect(main.get_by_test_id("stMultiSelect")).to_have_count(0)
