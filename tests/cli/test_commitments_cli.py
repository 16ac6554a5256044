"""``commitments import`` and ``invoices import [--dry-run]`` on the team store of
tests/db/test_forecast.py (today 15 June 2019; Events plans 5,000 a month for June to
September). Each is all or nothing and refuses in one sentence."""

from __future__ import annotations

import pytest

from alignment.shared import clock
from tests.cli.test_cli import run
from tests.db.test_forecast import TODAY
from tests.db.test_forecast import team  # noqa: F401  (the fixture)

ORDERS = (
    "Purchase Order,Supplier,Channel,Net amount,Service start,Service end\n"
    "4500-17,Fairground Ltd,Events,9000,2019-07,2019-09\n"
    "4500-18,Stand Co,Events,6000,2019-08,\n"
)
ORDER_MAP = (
    "--map",
    "po_number=Purchase Order",
    "--map",
    "vendor=Supplier",
    "--map",
    "channel=Channel",
    "--map",
    "amount=Net amount",
    "--map",
    "first_month=Service start",
    "--map",
    "last_month=Service end",
)
LEDGER = (
    "invoice_date,vendor,amount,po_reference,invoice_number\n"
    "2019-06-03,Fairground Ltd,1500,PO 4500-17,R-1\n"
    "2019-06-04,Print Shop,90,,P-1\n"
)


@pytest.fixture
def pinned():  # type: ignore[no-untyped-def]
    with clock.pinned(TODAY):
        yield


def test_orders_are_mapped_once_need_a_reason_above_the_plan_and_then_invoices_match(
    store_url,
    team,  # noqa: F811
    pinned,
    tmp_path,
):
    orders = tmp_path / "sap-orders-2019-06.csv"
    orders.write_text(ORDERS, "utf-8")
    unmapped = run(store_url, "commitments", "import", str(orders))
    assert unmapped.returncode == 2
    assert "--map po_number='Purchase Order'" in unmapped.stderr
    # August for Events: 5,000 planned, 3,000 to the fair, so Stand Co's 6,000 is over
    refused = run(store_url, "commitments", "import", str(orders), *ORDER_MAP)
    assert refused.returncode == 2
    assert "1 purchase order(s) are above what the plan leaves available" in refused.stderr
    assert "Row 3, 4500-18: August 2019: $6,000 of it against $2,000 still available" in (
        refused.stderr
    )
    assert refused.stderr.count("\n") == 1
    dry = run(store_url, "commitments", "import", str(orders), *ORDER_MAP, "--dry-run")
    assert dry.returncode == 0 and "Dry run: nothing was written." in dry.stdout
    done = run(
        store_url, "commitments", "import", str(orders), *ORDER_MAP, "--reason", "Second stand"
    )
    assert done.returncode == 0, done.stderr
    assert "Imported: 2 new and 0 changed purchase orders." in done.stdout
    # the next export of the same source maps itself
    orders.with_name("sap-orders-2019-07.csv").write_text(ORDERS, "utf-8")
    again = run(store_url, "commitments", "import", str(orders.with_name("sap-orders-2019-07.csv")))
    assert again.returncode == 0, again.stderr
    assert "Nothing to import" in again.stdout

    ledger = tmp_path / "ledger.csv"
    ledger.write_text(LEDGER, "utf-8")
    as_cmo = run(store_url, "invoices", "import", str(ledger), "--as", "lena@hollis.example")
    assert as_cmo.returncode == 2 and "only the CFO can" in as_cmo.stderr
    preview = run(store_url, "invoices", "import", str(ledger), "--dry-run")
    assert preview.returncode == 0, preview.stderr
    assert (
        "2 lines: 1 matched to a purchase order (1,500.00), 1 unmatched (90.00), 0 with problems."
        in preview.stdout
    )
    imported = run(store_url, "invoices", "import", str(ledger))
    assert imported.returncode == 0, imported.stderr
    twice = run(store_url, "invoices", "import", str(ledger))
    assert twice.returncode == 2
    assert "ledger.csv was already imported on 15 Jun 2019 by Omar Reyes" in twice.stderr


def test_a_bad_invoice_line_imports_nothing_and_is_named(store_url, team, pinned, tmp_path):  # noqa: F811
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(LEDGER + "2019-06-05,Print Shop,-40,,P-2\n", "utf-8")
    result = run(store_url, "invoices", "import", str(ledger))
    assert result.returncode == 2
    assert "Row 4, column 'amount': '-40' is negative" in result.stdout
    assert result.stderr == "samepage: Nothing was imported: 1 problem(s) in ledger.csv.\n"
    missing = run(store_url, "invoices", "import", str(tmp_path / "nope.csv"))
    assert missing.returncode == 2 and "There is no file at" in missing.stderr
