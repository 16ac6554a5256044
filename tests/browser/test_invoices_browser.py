"""The CFO's month end in a real browser, logged in with a password (demo mode off): import
finance's ledger export (mapped once), see what matched a purchase order and what did not,
confirm the order SamePage suggests, book the matched invoices as finance's spend,
reconcile November, and find the landing on the overview as the command line has it.

The store holds the demo company's figures (today 23 November 2026): Northwind Media's two
November lines (15,000 + 10,000) already match PO-4472; Brightline Studio's 18,500 has no
reference (PO-4475 is open for exactly that)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from alignment.shared import formatting as fmt
from tests.browser.conftest import choose
from tests.browser.conftest import cli_json
from tests.browser.conftest import screenshot
from tests.browser.conftest import wait_for_app
from tests.browser.test_roles_browser import PEOPLE
from tests.browser.test_roles_browser import _log_in

pytestmark = pytest.mark.browser

LEDGER = (
    "Belegdatum;Lieferant;Betrag;Bestellnummer;Rechnungsnummer\n"
    "20.11.2026;Expo Partners GmbH;48.000,00;PO 4471;EXP-2211\n"
    "21.11.2026;Café Lumière;86,40;;CL-19\n"
)


def no_trouble(page: Page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)


def open_tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    wait_for_app(page)


def test_the_cfo_imports_matches_books_and_reconciles_and_the_overview_shows_the_landing(
    page: Page, team_server
):
    _log_in(page, team_server.url, PEOPLE["CFO"])
    page.get_by_role("link", name="Budget & return").click()
    wait_for_app(page)
    open_tab(page, "Invoices")
    main = page.get_by_test_id("stMain")
    unmatched = main.get_by_test_id("stTable").first
    expect(unmatched.locator("tr").filter(has_text="Brightline Studio")).to_contain_text("PO-4475")
    no_trouble(page)
    screenshot(page, "invoices-01-cfo-before-import")

    # finance's own export: German headers, dates day first, a decimal comma
    upload = Path(tempfile.mkdtemp()) / "datev-buchungen-2026-11.csv"
    upload.write_text(LEDGER, encoding="utf-8")
    main.get_by_text("Import finance's invoice lines").click()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(upload))
    wait_for_app(page)
    mapping = main.get_by_test_id("stForm").filter(has_text="Which column of")
    expect(mapping.get_by_role("combobox", name="Vendor *")).to_have_value("Lieferant")
    screenshot(page, "invoices-02-mapping")
    mapping.get_by_role("button", name="Use this mapping").click()
    wait_for_app(page)
    preview = main.get_by_test_id("stMetric")
    expect(preview.filter(has_text="Match a PO")).to_contain_text("1")
    expect(preview.filter(has_text="Match none")).to_contain_text("1")
    expect(main.get_by_text("$48,000.00 matches purchase orders, $86.40 does not.")).to_be_visible()
    screenshot(page, "invoices-03-preview")
    main.get_by_role("button", name="Import 2 invoice line(s)").click()
    wait_for_app(page)
    expect(page.get_by_text("Imported 2 invoice line(s) from")).to_be_visible()
    open_tab(page, "Invoices")

    # Unmatched: Brightline (with its suggestion) and the café nobody ordered from
    tables = main.get_by_test_id("stTable")
    unmatched, matched = tables.nth(0), tables.nth(1)
    expect(unmatched.locator("tr").filter(has_text="Café Lumière")).to_contain_text("$86.40")
    expect(matched.locator("tr").filter(has_text="Expo Partners GmbH")).to_contain_text("PO-4471")
    confirm = main.get_by_test_id("stForm").filter(has_text="Match a line to a purchase order")
    choose(
        page,
        confirm.get_by_role("combobox", name="Line"),
        "20 Nov 2026 Brightline Studio BLS-0419, $18,500.00",
    )
    expect(confirm.get_by_role("textbox", name="PO number")).to_have_value("PO-4475")
    confirm.get_by_role("button", name="Confirm the match").click()
    wait_for_app(page)
    expect(page.get_by_text("Matched the line to PO-4475.")).to_be_visible()
    open_tab(page, "Invoices")
    matched_tile = main.get_by_test_id("stMetric").filter(
        has=page.get_by_text("Matched lines", exact=True)
    )
    expect(matched_tile.get_by_test_id("stMetricValue")).to_have_text("4")
    no_trouble(page)
    screenshot(page, "invoices-04-matched")

    # Committed spend: PO-4471's 96,000 is now half invoiced
    open_tab(page, "Committed spend")
    order = main.get_by_role("row").filter(has_text="PO-4471")
    expect(order).to_contain_text("$48,000.00")

    # Book the matched lines as finance's November spend, then reconcile November:
    # 15,000 + 10,000 (Northwind) + 48,000 (Expo) + 18,500 (Brightline) = 91,500
    open_tab(page, "Months and reconciliation")
    choose(page, page.get_by_role("combobox", name="Month to reconcile"), "November 2026")
    wait_for_app(page)
    november = main.get_by_test_id("stTable").locator("tr").filter(has_text="Nov 2026")
    expect(november).to_contain_text("$91,500 (4 lines)")
    main.get_by_role(
        "button",
        name="Book the 4 matched invoice line(s), $91,500.00, as finance's spend for November 2026",
    ).click()
    wait_for_app(page)
    expect(page.get_by_text("Booked the matched invoices as finance's spend.")).to_be_visible()
    wait_for_app(page)
    reconcile = main.get_by_test_id("stForm").filter(has_text="Mark November 2026 reconciled")
    reconcile.get_by_label("Note").fill("Booked from the purchase orders' invoices")
    reconcile.get_by_role("button", name="Mark November 2026 reconciled").click()
    wait_for_app(page)
    page.get_by_text("Month reconciled and locked.").wait_for()
    november = main.get_by_test_id("stTable").locator("tr").filter(has_text="Nov 2026")
    expect(november).to_contain_text("$91,500")
    expect(november).to_contain_text("Reconciled by Daniel Okafor")
    no_trouble(page)
    screenshot(page, "invoices-05-reconciled")

    # The landing on the overview is the command line's
    landing = cli_json(team_server, "landing")
    page.get_by_role("link", name="Overview").click()
    wait_for_app(page)
    tile = page.get_by_test_id("stMetric").filter(has_text="Landing").first
    expect(tile.get_by_test_id("stMetricValue")).to_have_text(
        fmt.money_short(landing["total"]["landing"], "USD")
    )
    no_trouble(page)
    screenshot(page, "invoices-06-overview-landing")
