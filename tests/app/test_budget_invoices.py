"""Budget & return, purchase orders and invoices through AppTest, on the demo company
(today 23 November 2026). The demo holds, from sample_data/invoices.csv: Northwind Media's
two November lines (15,000 and 10,000) matched to PO-4472, Signal Search Agency's 12,000 in
October matched to PO-4480, Brightline Studio's 18,500 without a reference (PO-4475 is open
for exactly that), and Metro Print & Signage's 2,340 that nobody ordered. PO-4466 (August,
12,000) has nothing invoiced."""

from __future__ import annotations

import pytest

from tests.app.conftest import query
from tests.app.test_budget import budget_page  # noqa: F401  (the fixture)
from ui.widgets import as_text


def table_with(at, text: str):  # type: ignore[no-untyped-def]
    return next(t.value for t in at.table if as_text(text) in t.value.to_string())


@pytest.mark.parametrize("role", ["CEO", "CFO", "CMO", "viewer"])
def test_the_invoices_tab_renders_for_every_role_and_only_the_cfo_imports(budget_page, role):  # noqa: F811
    at = budget_page(role, "Invoices")
    assert not at.exception and not at.error
    uploads = [u for u in at.file_uploader if u.key.startswith("invoices_upload")]
    assert bool(uploads) == (role == "CFO")
    stale = table_with(at, "PO-4466")
    assert stale.iloc[0]["Days without an invoice"] == "80"


def test_the_cfo_confirms_the_suggested_order_for_an_unmatched_line(budget_page, demo_url):  # noqa: F811
    at = budget_page("CFO", "Invoices")
    unmatched = table_with(at, "Brightline Studio")
    brightline = unmatched[unmatched["Vendor"] == "Brightline Studio"].iloc[0]
    assert (brightline["Suggested PO"], brightline["Why"]) == (
        as_text("PO-4475"),
        as_text("same vendor, the order's open amount"),
    )
    metro = unmatched[unmatched["Vendor"] == as_text("Metro Print & Signage")].iloc[0]
    assert metro["Suggested PO"] == ""
    line = query(demo_url, "SELECT id FROM invoices WHERE vendor = 'Brightline Studio'")[0][0]
    at.selectbox(key="match_line").set_value(line).run()
    assert at.text_input(key=f"match_po_{line}").value == "PO-4475"
    at.button(key="FormSubmitter:confirm_match_form-Confirm the match").click().run()
    assert not at.exception and not at.error
    assert any("Matched the line to PO" in s.value for s in at.success)
    assert query(demo_url, "SELECT invoiced FROM commitments WHERE po_number = 'PO-4475'") == [
        (1_850_000,)
    ]


def test_a_ledger_export_is_mapped_previewed_and_imported(budget_page, demo_url):  # noqa: F811
    at = budget_page("CFO", "Invoices")
    ledger = (
        b"Posting date;Supplier;Net amount;PO;Document number\n"
        b"18.11.2026;Northwind Media;2.500,00;PO-4472;NWM-88190\n"
        b"19.11.2026;Coffee Corner;48,20;;CC-1\n"
    )
    at.file_uploader(key="invoices_upload_0").upload("gl-export.csv", ledger, "text/csv").run()
    assert not at.exception
    assert at.get("form")  # the mapping form, suggested from the headers
    assert at.selectbox(key="invoices_mapping_vendor").value == "Supplier"
    at.button(key="FormSubmitter:invoices_mapping_form-Use this mapping").click().run()
    assert not at.exception and not at.error
    shown = {m.label: m.value for m in at.metric}
    assert [shown[k] for k in ("Lines in the file", "Match a PO", "Match none", "Problems")] == [
        "2",
        "1",
        "1",
        "0",
    ]
    at.button(key="invoices_confirm").click().run()
    assert not at.exception and not at.error
    assert any(
        f"Imported 2 invoice line(s) from {as_text('gl-export.csv')}: 1 matched" in s.value
        for s in at.success
    )
    # 15,000 + 10,000 from the demo and 2,500 now
    assert query(demo_url, "SELECT invoiced FROM commitments WHERE po_number = 'PO-4472'") == [
        (2_750_000,)
    ]


def test_a_bad_ledger_line_shows_its_row_and_nothing_can_be_imported(budget_page, demo_url):  # noqa: F811
    at = budget_page("CFO", "Invoices")
    bad = b"invoice_date,vendor,amount\n2026-11-18,Northwind Media,-50\n"
    at.file_uploader(key="invoices_upload_0").upload("gl.csv", bad, "text/csv").run()
    assert not at.exception
    problems = table_with(at, "is negative")
    assert problems.iloc[0]["Problem"].startswith(as_text("Row 2, column 'amount': '-50'"))
    assert at.button(key="invoices_confirm").disabled
    assert query(demo_url, "SELECT count(*) FROM invoices") == [(5,)]


def test_the_cmo_imports_purchase_orders_above_the_plan_only_with_a_reason(budget_page, demo_url):  # noqa: F811
    at = budget_page("CMO", "Committed spend")
    orders = (
        b"po_number,vendor,channel,amount,first_month\n"
        b"PO-5001,Webinar Works,Webinars,900000,2026-12\n"
    )
    at.file_uploader(key="orders_upload_0").upload("erp.csv", orders, "text/csv").run()
    assert not at.exception and not at.error
    assert any("above what the plan leaves available" in w.value for w in at.warning)
    assert at.button(key="orders_confirm").disabled
    at.text_input(key="orders_reason").set_value("Annual platform, paid up front").run()
    assert not at.button(key="orders_confirm").disabled
    at.button(key="orders_confirm").click().run()
    assert not at.exception and not at.error
    assert query(
        demo_url, "SELECT amount, over_plan_reason FROM commitments WHERE po_number = 'PO-5001'"
    ) == [(90_000_000, "Annual platform, paid up front")]


def test_the_cfo_books_the_matched_invoices_as_finance_spend(budget_page, demo_url):  # noqa: F811
    at = budget_page("CFO", "Months and reconciliation")
    at.selectbox(key="fin_month").set_value("2026-11").run()
    november = table_with(at, "Nov 2026")
    row = november[november["Month"] == "Nov 2026"].iloc[0]
    assert row["Matched invoices"] == "$25,000 (2 lines)"
    at.button(key="book_invoices_2026-11").click().run()
    assert not at.exception and not at.error
    assert query(demo_url, "SELECT finance_spend FROM reconciliations WHERE month = '2026-11'") == [
        (2_500_000,)
    ]
